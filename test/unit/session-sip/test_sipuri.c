/* test_sipuri.c - SIP/SIPS/TEL URI parts and the canonical form targets are matched on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/sip/sipuri.h"
#include "check.h"

static int
parse(const char *s, struct sipuri *u)
{
	return sipuri_parse((const uint8_t *)s, strlen(s), u);
}

static void
test_parts(void **state)
{
	struct sipuri u;
	struct sip_addr a;
	static const char na[] = "\"Bob \\\"B\\\" Smith\" <sips:bob:pw@[2001:db8::1]:5061"
	    ";transport=tcp?subject=x> ;tag=88";

	(void)state;
	assert_int_equal(parse("sip:alice@atlanta.example.com", &u), 0);
	assert_int_equal(u.scheme, SIPURI_SIP);
	assert_slice(u.user, "alice");
	assert_slice(u.host, "atlanta.example.com");
	assert_false(u.has_port);

	assert_int_equal(parse(na, &u), 0);
	assert_int_equal(u.scheme, SIPURI_SIPS);
	assert_slice(u.user, "bob");
	assert_slice(u.password, "pw");
	assert_slice(u.host, "[2001:db8::1]");
	assert_true(u.has_port);
	assert_int_equal(u.port, 5061);
	assert_slice(u.params, "transport=tcp");
	assert_slice(u.headers, "subject=x");

	assert_int_equal(sipuri_addr((const uint8_t *)na, strlen(na), &a), 0);
	assert_slice(a.display, "Bob \\\"B\\\" Smith");
	assert_slice(a.params, "tag=88");

	assert_int_equal(sipuri_addr((const uint8_t *)"sip:a@b;tag=1", 13,
	    &a), 0);
	assert_slice(a.uri, "sip:a@b");
	assert_slice(a.params, "tag=1");
	assert_int_equal(sipuri_addr((const uint8_t *)"Bob <tel:123>", 13,
	    &a), 0);
	assert_slice(a.display, "Bob");
	assert_slice(a.uri, "tel:123");

	assert_int_equal(parse("TEL:+64-21-555-0100;phone-context=x", &u), 0);
	assert_int_equal(u.scheme, SIPURI_TEL);
	assert_slice(u.user, "+64-21-555-0100");
	assert_slice(u.params, "phone-context=x");

	assert_int_equal(parse("sip:registrar.example.com:5060", &u), 0);
	assert_int_equal(u.user.len, 0);
	assert_int_equal(u.port, 5060);
}

static void
expect_norm(const char *in, const char *want)
{
	uint8_t out[SIPURI_NORM_MAX];
	struct sipuri u;
	int n;

	assert_int_equal(parse(in, &u), 0);
	n = sipuri_norm(&u, out);
	if (n < 0)
		fail_msg("%s: %s", in, sipuri_strerror(n));
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
}

static void
test_norm(void **state)
{
	(void)state;
	expect_norm("SIP:Alice@AtLanta.Example.COM:5060;transport=udp",
	    "sip:Alice@atlanta.example.com");
	expect_norm("sips:alice@atlanta.example.com", "sip:alice@atlanta.example.com");
	expect_norm("\"A\" <sip:%61lice@a.example>;tag=1", "sip:alice@a.example");
	expect_norm("sip:a%40b%20c%2fd@x", "sip:a%40b%20c/d@x");
	expect_norm("sip:+64-21-(555)-0100@gw.example;user=phone",
	    "sip:+64215550100@gw.example");
	expect_norm("sip:+64-21@gw.example", "sip:+64-21@gw.example");
	expect_norm("tel:+64-21-555.0100", "tel:+64215550100");
	expect_norm("tel:(04)-555-abc#;phone-context=example.com", "tel:04555ABC#");
	expect_norm("sip:[2001:DB8::1]", "sip:[2001:db8::1]");
}

static void
test_bad(void **state)
{
	static const struct {
		const char *uri;
		int err;
	} bad[] = {
		{ "", SIPURI_E_EMPTY },
		{ "   ", SIPURI_E_EMPTY },
		{ "alice@example.com", SIPURI_E_SCHEME },
		{ "http://example.com/", SIPURI_E_SCHEME },
		{ "sip:", SIPURI_E_HOST },
		{ "sip:alice@", SIPURI_E_HOST },
		{ "sip:@host", SIPURI_E_USER },
		{ "sip:al ice@host", SIPURI_E_USER },
		{ "sip:al%4@host", SIPURI_E_USER },
		{ "sip:al%zz@host", SIPURI_E_USER },
		{ "sip:alice@ho_st", SIPURI_E_HOST },
		{ "sip:alice@[2001:db8::1", SIPURI_E_HOST },
		{ "sip:alice@host:65536", SIPURI_E_PORT },
		{ "sip:alice@host:", SIPURI_E_PORT },
		{ "sip:alice@host:5x", SIPURI_E_PORT },
		{ "tel:", SIPURI_E_NUMBER },
		{ "tel:+-.()", SIPURI_E_NUMBER },
		{ "tel:+64 21", SIPURI_E_NUMBER },
		{ "tel:6+4", SIPURI_E_NUMBER },
		{ "<sip:a@b", SIPURI_E_ADDR },
		{ "\"Bob <sip:a@b>", SIPURI_E_ADDR },
		{ "\"Bob\" sip:a@b", SIPURI_E_ADDR },
		{ "<sip:a@b> junk", SIPURI_E_ADDR },
		{ "<>", SIPURI_E_EMPTY },
	};
	struct sipuri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *b = dup_exact(bad[i].uri, strlen(bad[i].uri));
		int r = sipuri_parse(b, strlen(bad[i].uri), &u);

		free(b);
		if (r != bad[i].err)
			fail_msg("case %zu (%s): %d, want %d", i, bad[i].uri,
			    r, bad[i].err);
	}
}

static void
test_space(void **state)
{
	uint8_t out[SIPURI_NORM_MAX];
	char in[300];
	struct sipuri u;

	(void)state;
	memcpy(in, "sip:", 4);
	memset(in + 4, 'a', 250);
	memcpy(in + 254, "@b", 3);
	assert_int_equal(parse(in, &u), 0);
	assert_int_equal(sipuri_norm(&u, out), SIPURI_NORM_MAX);
	in[255] = 'b';
	in[256] = 'c';
	in[257] = '\0';
	assert_int_equal(parse(in, &u), 0);
	assert_int_equal(sipuri_norm(&u, out), SIPURI_E_SPACE);
	/* A single escape that needs re-escaping past the end. */
	memset(in + 4, 'a', 252);
	memcpy(in + 256, "%00@b", 6);
	assert_int_equal(parse(in, &u), 0);
	assert_int_equal(sipuri_norm(&u, out), SIPURI_E_SPACE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
