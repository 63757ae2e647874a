/* test_config_value.c - the value parsers and the pre-scan behind lawtap.conf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "mgmt/config.h"

static void
utc_good(void **state)
{
	static const struct {
		const char *s;
		int64_t t;
	} v[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2000-01-01T00:00:01Z", 946684801 },
		{ "2024-02-29T12:34:56Z", 1709210096 },
		{ "2026-11-01T00:00:00Z", 1793491200 },
		{ "2027-05-01T00:00:00Z", 1809129600 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t t = -7;

		assert_int_equal(lt_parse_utc(v[i].s, &t), 0);
		assert_int_equal(t, v[i].t);
	}
}

static void
utc_bad(void **state)
{
	static const char *const v[] = {
		"", "2026-11-01", "2026-11-01T00:00:00", "2026-11-01T00:00:00Z ",
		" 2026-11-01T00:00:00Z", "2026-11-01 00:00:00Z", "2026-11-01t00:00:00Z",
		"2026-11-01T00:00:00z", "2026-11-01T00:00:00+00:00",
		"2026-11-01T00:00:00.5Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-00-01T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z", "2026-11-01T24:00:00Z",
		"2026-11-01T23:60:00Z", "2026-11-01T23:59:60Z", "1969-12-31T23:59:59Z",
		"+026-11-01T00:00:00Z", "2026-1-01T00:00:00Z ", "2026/11/01T00:00:00Z",
		"2026-11-01T0a:00:00Z", "20261101T000000Z",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t t = 42;

		if (lt_parse_utc(v[i], &t) != -1)
			fail_msg("accepted \"%s\"", v[i]);
		assert_int_equal(t, 42);
	}
}

static void
prefix_good(void **state)
{
	static const struct {
		const char *s;
		uint8_t family, len;
		uint8_t addr[16];
	} v[] = {
		{ "192.0.2.0/24", 4, 24, { 192, 0, 2, 0 } },
		{ "192.0.2.1", 4, 32, { 192, 0, 2, 1 } },
		{ "192.0.2.128/25", 4, 25, { 192, 0, 2, 128 } },
		{ "10.0.0.0/8", 4, 8, { 10 } },
		{ "255.255.255.255/32", 4, 32, { 255, 255, 255, 255 } },
		{ "128.0.0.0/1", 4, 1, { 128 } },
		{ "192.0.2.0/23", 4, 23, { 192, 0, 2, 0 } },
		{ "2001:db8::/32", 6, 32, { 0x20, 0x01, 0x0d, 0xb8 } },
		{ "2001:db8:7::/48", 6, 48, { 0x20, 0x01, 0x0d, 0xb8, 0, 7 } },
		{ "::1", 6, 128, { [15] = 1 } },
		{ "2001:db8::1/128", 6, 128, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ "::ffff:192.0.2.1", 6, 128,
		    { [10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1 } },
		{ "8000::/1", 6, 1, { 0x80 } },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct lt_prefix p;
		const char *why = "unset";

		memset(&p, 0xa5, sizeof(p));
		assert_int_equal(lt_parse_prefix_why(v[i].s, &p, &why), 0);
		assert_null(why);
		assert_int_equal(p.family, v[i].family);
		assert_int_equal(p.len, v[i].len);
		assert_memory_equal(p.addr, v[i].addr, 16);
		memset(&p, 0, sizeof(p));
		assert_int_equal(lt_parse_prefix(v[i].s, &p), 0);
		assert_memory_equal(p.addr, v[i].addr, 16);
	}
}

static void
prefix_bad(void **state)
{
	static const char *const malformed = "not a valid IPv4/IPv6 prefix";
	static const char *const hostbits = "host bits set in target prefix";
	static const char *const zero = "prefix length 0 would match all traffic";
	static const struct {
		const char *s;
		const char *const *why;
	} v[] = {
		{ "", &malformed }, { "/24", &malformed }, { "192.0.2.0/", &malformed },
		{ "192.0.2.0/33", &malformed }, { "2001:db8::/129", &malformed },
		{ "192.0.2.0/024", &malformed }, { "192.0.2.0/+24", &malformed },
		{ "192.0.2.0/24 ", &malformed }, { " 192.0.2.0/24", &malformed },
		{ "192.0.2", &malformed }, { "192.0.2.256", &malformed },
		{ "192.0.2.01", &malformed }, { "host.example", &malformed },
		{ "192.0.2.0/24/1", &malformed }, { "fe80::1%eth0", &malformed },
		{ "2001:db8:::1", &malformed }, { "192.0.2.0/1000", &malformed },
		{ "192.0.2.0/-1", &malformed },
		{ "0.0.0.0/0", &zero }, { "::/0", &zero }, { "192.0.2.0/00", &malformed },
		{ "192.0.2.1/24", &hostbits }, { "192.0.3.0/23", &hostbits },
		{ "2001:db8::1/64", &hostbits }, { "2001:db8:7::/32", &hostbits },
		{ "198.51.100.1/31", &hostbits },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct lt_prefix p, before;
		const char *why = NULL;

		memset(&p, 0x5a, sizeof(p));
		before = p;
		if (lt_parse_prefix_why(v[i].s, &p, &why) != -1)
			fail_msg("accepted \"%s\"", v[i].s);
		assert_string_equal(why, *v[i].why);
		assert_memory_equal(&p, &before, sizeof(p));
		assert_int_equal(lt_parse_prefix(v[i].s, &p), -1);
	}
}

static void
endpoint_good(void **state)
{
	struct lt_endpoint e;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&e.sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&e.sa;
	static const uint8_t v4[4] = { 127, 0, 0, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	static const uint8_t loop6[16] = { [15] = 1 };
	(void)state;

	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(lt_parse_endpoint("127.0.0.1:7001", &e), 0);
	assert_int_equal(e.salen, sizeof(struct sockaddr_in));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_memory_equal(&sin->sin_port, "\x1b\x59", 2);	/* 7001 */
	assert_memory_equal(&sin->sin_addr, v4, 4);
	assert_memory_equal(sin->sin_zero, "\0\0\0\0\0\0\0\0", 8);

	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(lt_parse_endpoint("[::1]:7001", &e), 0);
	assert_int_equal(e.salen, sizeof(struct sockaddr_in6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_memory_equal(&sin6->sin6_port, "\x1b\x59", 2);
	assert_memory_equal(&sin6->sin6_addr, loop6, 16);
	assert_int_equal(sin6->sin6_flowinfo, 0);
	assert_int_equal(sin6->sin6_scope_id, 0);

	assert_int_equal(lt_parse_endpoint("[2001:db8::5]:65535", &e), 0);
	assert_memory_equal(&sin6->sin6_port, "\xff\xff", 2);
	assert_memory_equal(&sin6->sin6_addr, v6, 16);

	assert_int_equal(lt_parse_endpoint("0.0.0.0:1", &e), 0);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_memory_equal(&sin->sin_port, "\x00\x01", 2);
}

static void
endpoint_bad(void **state)
{
	static const char *const v[] = {
		"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:07001", "127.0.0.1:+1", "127.0.0.1:-1", "127.0.0.1:1x",
		"127.0.0.1:123456", "::1:7001", "[::1]7001", "[::1]:", "[::1]",
		"[127.0.0.1]:1", "localhost:80", "[::1:7001", ":80", "[]:80",
		"127.0.0.1:80:80", "[fe80::1%eth0]:80", "1.2.3.4 :80", "1.2.3:80",
		"[::1]:80x", "[[::1]]:80",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct lt_endpoint e;

		if (lt_parse_endpoint(v[i], &e) != -1)
			fail_msg("accepted \"%s\"", v[i]);
	}
}

static int
scan(const char *text, int *line, const char **why)
{
	*line = -1;
	*why = NULL;
	return lt_config_prescan(text, strlen(text), line, why);
}

static void
prescan_good(void **state)
{
	static const char *const v[] = {
		"a = 2147483647;\nb = -2147483648;\nc = 0x7fffffff;\n",
		"cin = 4294967295L;\nx = 0xffffffffL;\ny = 99999999999LL;\n",
		"s = \"4294967296\";\n",			/* in a string */
		"s = \"\\\"4294967296\";\n",			/* after an escaped quote */
		"s = \"\\x01\\\\x00\";\n",		/* \x01, then \\ and a plain x00 */
		"# 4294967296\n// 4294967296\n/* 4294967296\n 99999999999 */\n",
		"f = 1e100;\ng = 4294967296.0;\nh = .5;\ni = -1.5e-300;\nj = 4294967296e3;\n",
		"hi4294967296 = 1;\n",				/* part of a name */
		"",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int line;
		const char *why;

		if (scan(v[i], &line, &why) != 0)
			fail_msg("refused text %zu: line %d: %s", i, line, why);
	}
}

static void
prescan_bad(void **state)
{
	static const char *const big = "integer does not fit in 32 bits and "
	    "libconfig would truncate it; add an L suffix (e.g. 4294967295L)";
	static const char *const incl =
	    "@include is not supported; keep the configuration in one file";
	static const struct {
		const char *text;
		int line;
		const char *why;
	} v[] = {
		{ "a = 2147483648;\n", 1, big },
		{ "a = 1;\nb = -2147483649;\n", 2, big },
		{ "a = 0xffffffff;\n", 1, big },
		{ "a = 0x100000000;\n", 1, big },
		{ "a = 99999999999999999999999999;\n", 1, big },
		{ "/* one\ntwo */ s = \"x\ny\";\n# c\nl = [1, 4294967296];\n", 5, big },
		{ "a = 1;\n@include \"x.conf\"\n", 2, incl },
		{ "a = 1;\nl = \"A\\x00B\";\n", 2,
		    "a string contains \\x00, which libconfig drops silently" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int line;
		const char *why;

		if (scan(v[i].text, &line, &why) != -1)
			fail_msg("accepted text %zu", i);
		assert_int_equal(line, v[i].line);
		assert_string_equal(why, v[i].why);
	}

	/* a NUL byte, even inside a string */
	static const char nul1[] = "a = 1;\nb = 2\0;\n";
	static const char nul2[] = "a = 1;\n\nb = \"x\0y\";\n";
	int line;
	const char *why;

	assert_int_equal(lt_config_prescan(nul1, sizeof(nul1) - 1, &line, &why), -1);
	assert_int_equal(line, 2);
	assert_string_equal(why, "the file contains a NUL byte");
	assert_int_equal(lt_config_prescan(nul2, sizeof(nul2) - 1, &line, &why), -1);
	assert_int_equal(line, 3);
	assert_string_equal(why, "the file contains a NUL byte");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utc_good),
		cmocka_unit_test(utc_bad),
		cmocka_unit_test(prefix_good),
		cmocka_unit_test(prefix_bad),
		cmocka_unit_test(endpoint_good),
		cmocka_unit_test(endpoint_bad),
		cmocka_unit_test(prescan_good),
		cmocka_unit_test(prescan_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
