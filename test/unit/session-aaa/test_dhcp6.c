/* test_dhcp6.c - DHCPv6 parsing (IA_NA, IA_PD, relays): good and hostile messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "seeds.h"
#include "session/aaa/dhcp6.h"

/* DUID-LL (type 3, hardware type 1) of 00:00:5e:00:53:42, and a server's. */
static const uint8_t cduid[10] = { 0, 3, 0, 1, 0x00, 0x00, 0x5e, 0x00,
    0x53, 0x42 };
static const uint8_t sduid[10] = { 0, 3, 0, 1, 0x00, 0x00, 0x5e, 0x00,
    0x53, 0x01 };
static const uint8_t addr1[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 1,
    [15] = 5 };
static const uint8_t link[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x10,
    [15] = 1 };
static const uint8_t peer[16] = { 0xfe, 0x80, [8] = 0x02, [9] = 0x00,
    [10] = 0x5e, [11] = 0xff, [12] = 0xfe, [13] = 0x00, [14] = 0x53,
    [15] = 0x42 };

/* A message built option by option; nested options by begin/end. */
struct b6 {
	uint8_t b[2048];
	size_t n;
};

static void
put(struct b6 *b, const void *v, size_t n)
{
	if (n > 0)
		memcpy(b->b + b->n, v, n);
	b->n += n;
}

static void
put32(struct b6 *b, uint32_t x)
{
	put(b, (uint8_t[]){ (uint8_t)(x >> 24), (uint8_t)(x >> 16),
	    (uint8_t)(x >> 8), (uint8_t)x }, 4);
}

static size_t
begin(struct b6 *b, uint16_t code)
{
	size_t at = b->n;

	put(b, (uint8_t[]){ (uint8_t)(code >> 8), (uint8_t)code, 0, 0 }, 4);
	return at;
}

static void
end(struct b6 *b, size_t at)
{
	size_t n = b->n - at - 4;

	b->b[at + 2] = (uint8_t)(n >> 8);
	b->b[at + 3] = (uint8_t)n;
}

static void
opt(struct b6 *b, uint16_t code, const void *v, size_t n)
{
	size_t at = begin(b, code);

	put(b, v, n);
	end(b, at);
}

static void
hdr(struct b6 *b, uint8_t type)
{
	memset(b, 0, sizeof(*b));
	put(b, (uint8_t[]){ type, 0x12, 0x34, 0x56 }, 4);
}

static void
iaaddr(struct b6 *b, const uint8_t a[16], uint32_t pref, uint32_t valid,
    int status)
{
	size_t at = begin(b, 5);

	put(b, a, 16);
	put32(b, pref);
	put32(b, valid);
	if (status >= 0)
		opt(b, 13, (uint8_t[]){ 0, (uint8_t)status, 'n', 'o' }, 4);
	end(b, at);
}

static void
iaprefix(struct b6 *b, uint8_t plen, const uint8_t p[16], uint32_t pref,
    uint32_t valid)
{
	size_t at = begin(b, 26);

	put32(b, pref);
	put32(b, valid);
	put(b, &plen, 1);
	put(b, p, 16);
	end(b, at);
}

static void
ia_begin_hdr(struct b6 *b, uint32_t iaid)
{
	put32(b, iaid);
	put32(b, 1800);
	put32(b, 2880);
}

/* The REPLY that grants addr1 and 2001:db8:ff00::/40 (host bits set in it). */
static void
reply(struct b6 *b)
{
	static const uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0x0f,
	    [15] = 0xee };
	size_t ia;

	hdr(b, DHCP6_REPLY);
	opt(b, 1, cduid, sizeof(cduid));
	opt(b, 2, sduid, sizeof(sduid));
	ia = begin(b, 3);
	ia_begin_hdr(b, 1);
	iaaddr(b, addr1, 3600, 7200, 0);
	end(b, ia);
	ia = begin(b, 25);
	ia_begin_hdr(b, 2);
	iaprefix(b, 40, pfx, 3600, 7200);
	end(b, ia);
}

static int
parse_exact(const uint8_t *pkt, size_t len, struct dhcp6_msg *m)
{
	static uint8_t *c;

	free(c);
	c = exact_copy(pkt, len);
	return dhcp6_parse(c, len, m);
}

/*
 * Every cut of a valid message: short inside the header; past it, fine on
 * a boundary of the outermost options, an overrun inside one.  For a relay
 * message a cut that loses the Relay Message option leaves none.
 */
static void
all_truncations(const uint8_t *pkt, size_t len)
{
	struct dhcp6_msg m;
	uint8_t ok[2048] = { 0 };
	int is_relay = pkt[0] == DHCP6_RELAY_FORW || pkt[0] == DHCP6_RELAY_REPL;
	size_t hlen = is_relay ? 34 : 4, i, off, relay_at = 0;

	for (off = hlen; off < len;
	    off += 4u + (size_t)(pkt[off + 2] << 8 | pkt[off + 3])) {
		ok[off] = 1;
		if (pkt[off] == 0 && pkt[off + 1] == 9)
			relay_at = off;
	}
	for (i = 0; i < len; i++) {
		int want = i < hlen ? DHCP6_E_SHORT : !ok[i] ?
		    DHCP6_E_OPT_OVERRUN : is_relay && i <= relay_at ?
		    DHCP6_E_NO_RELAY_MSG : DHCP6_OK;

		assert_int_equal(parse_exact(pkt, i, &m), want);
	}
}

static void
test_solicit(void **state)
{
	struct dhcp6_msg m;
	struct b6 b;
	size_t ia;

	(void)state;
	hdr(&b, DHCP6_SOLICIT);
	opt(&b, 1, cduid, sizeof(cduid));
	opt(&b, 8, (uint8_t[]){ 0, 0 }, 2);		/* elapsed time */
	opt(&b, 6, (uint8_t[]){ 0, 23, 0, 24 }, 4);	/* ORO */
	ia = begin(&b, 3);
	ia_begin_hdr(&b, 1);
	end(&b, ia);
	ia = begin(&b, 25);
	ia_begin_hdr(&b, 2);
	end(&b, ia);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.nrelay, 0);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_int_equal(m.xid, 0x123456);
	assert_int_equal(m.client_id.len, sizeof(cduid));
	assert_memory_equal(m.client_id.p, cduid, sizeof(cduid));
	assert_int_equal(m.have, 1u << DHCP6_F_CLIENT_ID);
	assert_int_equal(m.naddr + m.nprefix, 0);
	assert_string_equal(dhcp6_type_name(m.type), "SOLICIT");
	seed_save("dhcp6-solicit", b.b, b.n);
	all_truncations(b.b, b.n);
}

static void
test_reply(void **state)
{
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff };
	struct dhcp6_msg m;
	struct b6 b;

	(void)state;
	reply(&b);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_memory_equal(m.server_id.p, sduid, sizeof(sduid));
	assert_int_equal(m.naddr, 1);
	assert_memory_equal(m.addr[0].addr, addr1, 16);
	assert_int_equal(m.addr[0].iaid, 1);
	assert_int_equal(m.addr[0].preferred, 3600);
	assert_int_equal(m.addr[0].valid, 7200);
	assert_int_equal(m.addr[0].status, 0);
	assert_int_equal(m.nprefix, 1);
	assert_int_equal(m.prefix[0].len, 40);
	assert_memory_equal(m.prefix[0].prefix, want, 16);
	assert_int_equal(m.prefix[0].iaid, 2);
	assert_int_equal(m.overflow | m.dup, 0);
	seed_save("dhcp6-reply", b.b, b.n);
	all_truncations(b.b, b.n);
}

static void
test_reply_status(void **state)
{
	struct dhcp6_msg m;
	struct b6 b;
	size_t ia;

	(void)state;
	hdr(&b, DHCP6_REPLY);
	opt(&b, 13, (uint8_t[]){ 0, 0 }, 2);
	ia = begin(&b, 3);
	ia_begin_hdr(&b, 7);
	iaaddr(&b, addr1, 0, 0, -1);
	iaaddr(&b, link, 0, 0, 3);		/* its own status stays */
	opt(&b, 13, (uint8_t[]){ 0, 2 }, 2);	/* NoAddrsAvail, after them */
	end(&b, ia);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.status, 0);
	assert_true(DHCP6_HAS(&m, DHCP6_F_STATUS));
	assert_int_equal(m.naddr, 2);
	assert_int_equal(m.addr[0].status, 2);
	assert_int_equal(m.addr[1].status, 3);
	assert_int_equal(m.addr[0].valid, 0);
	seed_save("dhcp6-reply-status", b.b, b.n);
	all_truncations(b.b, b.n);
}

/* Wraps the message in b into a relay header with interface- and remote-id. */
static void
wrap(struct b6 *b, uint8_t type, uint8_t hops, int ids)
{
	struct b6 in = *b;
	size_t at;

	memset(b, 0, sizeof(*b));
	put(b, (uint8_t[]){ type, hops }, 2);
	put(b, link, 16);
	put(b, peer, 16);
	if (ids) {
		opt(b, 18, "ge-0/0/1.100", 12);
		opt(b, 37, (uint8_t[]){ 0, 0, 0x0d, 0xe9, 'c', 'p', 'e', '9' },
		    8);
	}
	at = begin(b, 9);
	put(b, in.b, in.n);
	end(b, at);
}

static void
test_relayed(void **state)
{
	struct dhcp6_msg m;
	struct b6 b;

	(void)state;
	reply(&b);
	wrap(&b, DHCP6_RELAY_REPL, 0, 1);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.nrelay, 1);
	assert_int_equal(m.relay[0].type, DHCP6_RELAY_REPL);
	assert_memory_equal(m.relay[0].link_addr, link, 16);
	assert_memory_equal(m.relay[0].peer_addr, peer, 16);
	assert_int_equal(m.relay[0].interface_id.len, 12);
	assert_memory_equal(m.relay[0].interface_id.p, "ge-0/0/1.100", 12);
	assert_int_equal(m.relay[0].remote_enterprise, 3561);
	assert_int_equal(m.relay[0].remote_id.len, 4);
	assert_memory_equal(m.relay[0].remote_id.p, "cpe9", 4);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.naddr, 1);
	assert_memory_equal(m.addr[0].addr, addr1, 16);
	/* peer, interface-id, remote-id, option 9 header; then the REPLY. */
	assert_ptr_equal(m.addr[0].addr, m.relay[0].peer_addr + 16 + 16 +
	    12 + 4 + 4 + 14 + 14 + 4 + 12 + 4);
	seed_save("dhcp6-relay-reply", b.b, b.n);
	all_truncations(b.b, b.n);

	/* Two relays: the outer one (next to the server) first. */
	wrap(&b, DHCP6_RELAY_REPL, 1, 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.nrelay, 2);
	assert_int_equal(m.relay[0].hop_count, 1);
	assert_false(DHCP6_HAS(&m.relay[0], DHCP6_F_INTERFACE_ID));
	assert_true(DHCP6_HAS(&m.relay[1], DHCP6_F_INTERFACE_ID));
	assert_int_equal(m.naddr, 1);
	seed_save("dhcp6-relay2-reply", b.b, b.n);
	all_truncations(b.b, b.n);
}

static void
test_depth(void **state)
{
	struct dhcp6_msg m;
	struct b6 b;
	int i;

	(void)state;
	hdr(&b, DHCP6_SOLICIT);
	opt(&b, 1, cduid, sizeof(cduid));
	for (i = 0; i < DHCP6_MAX_RELAY; i++)
		wrap(&b, DHCP6_RELAY_FORW, (uint8_t)(7 - i), 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.nrelay, DHCP6_MAX_RELAY);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	seed_save("dhcp6-relay8-solicit", b.b, b.n);
	wrap(&b, DHCP6_RELAY_FORW, 8, 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_DEPTH);

	/* A relay with its message missing, or twice. */
	memset(&b, 0, sizeof(b));
	put(&b, (uint8_t[]){ DHCP6_RELAY_FORW, 0 }, 2);
	put(&b, link, 16);
	put(&b, peer, 16);
	opt(&b, 18, "x", 1);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_NO_RELAY_MSG);
	opt(&b, 9, (uint8_t[]){ DHCP6_SOLICIT, 0, 0, 1 }, 4);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	opt(&b, 9, (uint8_t[]){ DHCP6_SOLICIT, 0, 0, 2 }, 4);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_DUPLICATE);
	assert_int_equal(m.relay[0].dup, 1u << DHCP6_F_RELAY_MSG);
	assert_int_equal(m.xid, 1);
	/* An empty or short inner message. */
	b.n -= 16;
	opt(&b, 9, NULL, 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_SHORT);
	b.n -= 4;
	opt(&b, 9, (uint8_t[]){ DHCP6_SOLICIT, 0, 0 }, 3);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_SHORT);
}

/* Message of type REPLY with one option code of n octets: want. */
static void
one_opt(uint16_t code, const uint8_t *v, size_t n, int want)
{
	struct dhcp6_msg m;
	struct b6 b;

	hdr(&b, DHCP6_REPLY);
	opt(&b, code, v, n);
	assert_int_equal(parse_exact(b.b, b.n, &m), want);
}

static void
test_option_errors(void **state)
{
	uint8_t v[200];
	struct dhcp6_msg m;
	struct b6 b;
	size_t ia, n;

	(void)state;
	memset(v, 0, sizeof(v));
	for (n = 0; n < 140; n++) {
		one_opt(1, v, n, n >= 2 && n <= 130 ? DHCP6_OK :
		    DHCP6_E_OPT_SIZE);
		one_opt(2, v, n, n >= 2 && n <= 130 ? DHCP6_OK :
		    DHCP6_E_OPT_SIZE);
		one_opt(13, v, n, n >= 2 ? DHCP6_OK : DHCP6_E_OPT_SIZE);
		/* Zero octets after the IA header read as empty options. */
		one_opt(3, v, n, n < 12 ? DHCP6_E_OPT_SIZE : (n - 12) % 4 ?
		    DHCP6_E_OPT_OVERRUN : DHCP6_OK);
		one_opt(4, v, n, DHCP6_OK);		/* IA_TA: skipped */
	}
	/* Inside an IA: IAADDR shorter than 24, IAPREFIX than 25. */
	for (uint16_t code = 5; code <= 26; code += 21) {
		for (n = 0; n < 30; n++) {
			hdr(&b, DHCP6_REPLY);
			ia = begin(&b, code == 5 ? 3 : 25);
			ia_begin_hdr(&b, 1);
			opt(&b, code, v, n);
			end(&b, ia);
			size_t min = code == 5 ? 24 : 25;
			int want = n < min ? DHCP6_E_OPT_SIZE : (n - min) % 4 ?
			    DHCP6_E_OPT_OVERRUN : DHCP6_OK;
			assert_int_equal(parse_exact(b.b, b.n, &m), want);
			if (want == DHCP6_OK)
				assert_int_equal(code == 5 ? m.naddr :
				    m.nprefix, 1);
		}
	}
	/* Prefix lengths 0..255: above 128 refused. */
	for (int plen = 0; plen < 256; plen++) {
		uint8_t ones[16];

		memset(ones, 0xff, 16);
		hdr(&b, DHCP6_REPLY);
		ia = begin(&b, 25);
		ia_begin_hdr(&b, 1);
		iaprefix(&b, (uint8_t)plen, ones, 1, 2);
		end(&b, ia);
		assert_int_equal(parse_exact(b.b, b.n, &m), plen <= 128 ?
		    DHCP6_OK : DHCP6_E_PREFIX);
		if (plen > 128)
			continue;
		for (int bit = 0; bit < 128; bit++)
			assert_int_equal(m.prefix[0].prefix[bit / 8] >>
			    (7 - bit % 8) & 1, bit < plen);
	}
	/* An option that runs past the message; a lone half header. */
	hdr(&b, DHCP6_REPLY);
	opt(&b, 1, cduid, sizeof(cduid));
	b.b[7] = 11;
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_OPT_OVERRUN);
	assert_int_equal(m.err_off, 4);
	b.b[7] = 10;
	put(&b, (uint8_t[]){ 0, 2, 0 }, 3);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_OPT_OVERRUN);
	assert_int_equal(m.err_off, 18);
	/* Relay options of the wrong size. */
	memset(&b, 0, sizeof(b));
	put(&b, (uint8_t[]){ DHCP6_RELAY_FORW, 0 }, 2);
	put(&b, link, 16);
	put(&b, peer, 16);
	opt(&b, 37, "abcd", 4);
	opt(&b, 9, (uint8_t[]){ DHCP6_SOLICIT, 0, 0, 1 }, 4);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_OPT_SIZE);
	b.b[34 + 3] = 0;
	b.n = 38;
	opt(&b, 18, NULL, 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_OPT_SIZE);
	/* Types: 0 is none; anything else has the client/server header. */
	one_opt(1, cduid, sizeof(cduid), DHCP6_OK);
	hdr(&b, 0);
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_TYPE);
	assert_int_equal(parse_exact(b.b, 0, &m), DHCP6_E_SHORT);
}

static void
test_duplicates_and_overflow(void **state)
{
	struct dhcp6_msg m;
	struct b6 b;
	size_t ia;

	(void)state;
	hdr(&b, DHCP6_REPLY);
	opt(&b, 1, cduid, sizeof(cduid));
	opt(&b, 1, sduid, sizeof(sduid));
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_E_DUPLICATE);
	assert_int_equal(m.dup, 1u << DHCP6_F_CLIENT_ID);
	assert_memory_equal(m.client_id.p, cduid, sizeof(cduid));

	hdr(&b, DHCP6_REPLY);
	for (int k = 0; k < 2; k++) {
		ia = begin(&b, 3);
		ia_begin_hdr(&b, (uint32_t)k);
		for (int i = 0; i < 5; i++) {
			uint8_t a[16];

			memcpy(a, addr1, 16);
			a[15] = (uint8_t)(k * 5 + i);
			iaaddr(&b, a, 1, 2, -1);
		}
		end(&b, ia);
	}
	assert_int_equal(parse_exact(b.b, b.n, &m), DHCP6_OK);
	assert_int_equal(m.naddr, DHCP6_MAX_ADDR);
	assert_int_equal(m.overflow, 1u << DHCP6_F_ADDR);
	assert_int_equal(m.addr[7].addr[15], 7);
	assert_int_equal(m.addr[7].iaid, 1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(dhcp6_type_name(DHCP6_RELAY_REPL), "RELAY-REPL");
	assert_string_equal(dhcp6_type_name(0), "unknown");
	assert_string_equal(dhcp6_type_name(14), "unknown");
	for (int e = DHCP6_E_DUPLICATE; e < DHCP6_OK; e++)
		for (int f = e + 1; f < DHCP6_OK; f++)
			assert_string_not_equal(dhcp6_strerror(e),
			    dhcp6_strerror(f));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicit),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_status),
		cmocka_unit_test(test_relayed),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_duplicates_and_overflow),
		cmocka_unit_test(test_names),
	};

	seed_args(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
