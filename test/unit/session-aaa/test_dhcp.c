/* test_dhcp.c - DHCPv4 parsing, option 82 and overload: good and hostile messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "seeds.h"
#include "session/aaa/dhcp.h"

static const uint8_t mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x42 };
static const uint8_t srv[4] = { 192, 0, 2, 67 };
static const uint8_t relay[4] = { 198, 51, 100, 1 };
static const uint8_t lease_ip[4] = { 100, 64, 1, 23 };

/* A message built field by field: BOOTP header, cookie, options. */
struct db {
	uint8_t b[1024];
	size_t n;
};

static void
d4_hdr(struct db *d, uint8_t op, uint8_t type)
{
	memset(d, 0, sizeof(*d));
	d->b[0] = op;
	d->b[1] = 1;			/* Ethernet */
	d->b[2] = 6;
	d->b[4] = 0x39; d->b[5] = 0x03; d->b[6] = 0xf3; d->b[7] = 0x26;
	memcpy(d->b + 28, mac, 6);
	memcpy(d->b + 236, (uint8_t[]){ 99, 130, 83, 99 }, 4);
	d->n = 240;
	d->b[d->n++] = 53;
	d->b[d->n++] = 1;
	d->b[d->n++] = type;
}

static void
d4_opt(struct db *d, uint8_t code, const void *v, size_t n)
{
	d->b[d->n++] = code;
	d->b[d->n++] = (uint8_t)n;
	memcpy(d->b + d->n, v, n);
	d->n += n;
}

static size_t
d4_end(struct db *d)
{
	d->b[d->n++] = 255;
	return d->n;
}

/* Relay agent information: circuit-id, remote-id and an unknown sub-option. */
static void
d4_rai(struct db *d)
{
	static const uint8_t rai[] = {
		1, 12, 'e', 't', 'h', '0', '/', '1', '/', '2', ':', '1', '0',
		'0',
		9, 3, 0xaa, 0xbb, 0xcc,
		2, 6, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
	};

	d4_opt(d, 82, rai, sizeof(rai));
}

static int
parse_exact(const uint8_t *pkt, size_t len, struct dhcp4_msg *m)
{
	static uint8_t *c;

	free(c);
	c = exact_copy(pkt, len);
	return dhcp4_parse(c, len, m);
}

/*
 * Every cut of a valid message: short below 240 octets; past that, fine on
 * an option boundary (a missing end option is tolerated) or after the end
 * option, an overrun inside an option.
 */
static void
all_truncations(const uint8_t *pkt, size_t len)
{
	struct dhcp4_msg m;
	uint8_t ok[1024] = { 0 };
	size_t i, off = 240;

	while (off < len && pkt[off] != 255) {
		ok[off] = 1;
		off += pkt[off] == 0 ? 1 : 2u + pkt[off + 1];
	}
	for (i = off; i <= len; i++)
		ok[i] = 1;
	for (i = 0; i < len; i++)
		assert_int_equal(parse_exact(pkt, i, &m), i < 240 ?
		    DHCP4_E_SHORT : ok[i] ? DHCP4_OK : DHCP4_E_OPT_OVERRUN);
}

static void
test_discover_offer(void **state)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	d4_hdr(&d, 1, DHCP4_DISCOVER);
	d.b[d.n++] = 0;			/* pad */
	d4_opt(&d, 61, (uint8_t[]){ 1, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x42 },
	    7);
	d4_opt(&d, 12, "laptop", 6);
	d4_opt(&d, 50, lease_ip, 4);
	d4_opt(&d, 55, (uint8_t[]){ 1, 3, 6, 15 }, 4);	/* skipped */
	len = d4_end(&d);
	d.b[d.n++] = 0;			/* padding after the end */
	assert_int_equal(parse_exact(d.b, len + 1, &m), DHCP4_OK);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.xid, 0x3903f326);
	assert_int_equal(m.msg_type, DHCP4_DISCOVER);
	assert_memory_equal(m.chaddr, mac, 6);
	assert_int_equal(m.client_id.len, 7);
	assert_memory_equal(m.client_id.p + 1, mac, 6);
	assert_int_equal(m.hostname.len, 6);
	assert_memory_equal(m.hostname.p, "laptop", 6);
	assert_memory_equal(m.requested_ip, lease_ip, 4);
	assert_int_equal(m.have, 1u << DHCP4_F_MSG_TYPE |
	    1u << DHCP4_F_CLIENT_ID | 1u << DHCP4_F_HOSTNAME |
	    1u << DHCP4_F_REQUESTED_IP);
	assert_string_equal(dhcp4_type_name(m.msg_type), "DHCPDISCOVER");
	seed_save("dhcp4-discover", d.b, len);
	all_truncations(d.b, len);

	d4_hdr(&d, 2, DHCP4_OFFER);
	memcpy(d.b + 16, lease_ip, 4);
	d4_opt(&d, 54, srv, 4);
	d4_opt(&d, 51, (uint8_t[]){ 0, 0, 0x0e, 0x10 }, 4);
	d4_opt(&d, 1, (uint8_t[]){ 255, 255, 255, 0 }, 4);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.msg_type, DHCP4_OFFER);
	assert_memory_equal(m.yiaddr, lease_ip, 4);
	assert_memory_equal(m.server_id, srv, 4);
	assert_int_equal(m.lease_time, 3600);
	seed_save("dhcp4-offer", d.b, len);
	all_truncations(d.b, len);
}

static void
test_request_ack_relayed(void **state)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	d4_hdr(&d, 1, DHCP4_REQUEST);
	d.b[3] = 1;			/* hops */
	memcpy(d.b + 24, relay, 4);
	d4_opt(&d, 50, lease_ip, 4);
	d4_opt(&d, 54, srv, 4);
	d4_rai(&d);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_int_equal(m.msg_type, DHCP4_REQUEST);
	assert_int_equal(m.hops, 1);
	assert_memory_equal(m.giaddr, relay, 4);
	assert_int_equal(m.rai.len, 27);
	assert_int_equal(m.circuit_id.len, 12);
	assert_memory_equal(m.circuit_id.p, "eth0/1/2:100", 12);
	assert_int_equal(m.remote_id.len, 6);
	assert_int_equal(m.remote_id.p[5], 0x01);
	seed_save("dhcp4-request-relayed", d.b, len);
	all_truncations(d.b, len);

	d4_hdr(&d, 2, DHCP4_ACK);
	d.b[3] = 1;
	memcpy(d.b + 16, lease_ip, 4);
	memcpy(d.b + 24, relay, 4);
	d4_opt(&d, 54, srv, 4);
	d4_opt(&d, 51, (uint8_t[]){ 0, 1, 0x51, 0x80 }, 4);
	d4_rai(&d);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_int_equal(m.msg_type, DHCP4_ACK);
	assert_memory_equal(m.yiaddr, lease_ip, 4);
	assert_int_equal(m.lease_time, 86400);
	assert_memory_equal(m.circuit_id.p, "eth0/1/2:100", 12);
	assert_true(DHCP4_HAS(&m, DHCP4_F_REMOTE_ID));
	seed_save("dhcp4-ack-relayed", d.b, len);
	all_truncations(d.b, len);

	d4_hdr(&d, 1, DHCP4_RELEASE);
	memcpy(d.b + 12, lease_ip, 4);
	d4_opt(&d, 54, srv, 4);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_int_equal(m.msg_type, DHCP4_RELEASE);
	assert_memory_equal(m.ciaddr, lease_ip, 4);
	assert_memory_equal(m.chaddr, mac, 6);
	seed_save("dhcp4-release", d.b, len);
	all_truncations(d.b, len);
}

static void
test_overload(void **state)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	d4_hdr(&d, 2, DHCP4_ACK);
	memcpy(d.b + 16, lease_ip, 4);
	d4_opt(&d, 52, (uint8_t[]){ 3 }, 1);
	len = d4_end(&d);
	/* file (108..235): lease time and server id; sname (44..107): hostname. */
	memcpy(d.b + 108, (uint8_t[]){ 51, 4, 0, 0, 0x0e, 0x10, 0, 54, 4,
	    192, 0, 2, 67, 255 }, 14);
	memcpy(d.b + 44, (uint8_t[]){ 12, 3, 'p', 'c', '7', 255 }, 6);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_int_equal(m.overload, 3);
	assert_int_equal(m.lease_time, 3600);
	assert_memory_equal(m.server_id, srv, 4);
	assert_memory_equal(m.hostname.p, "pc7", 3);
	seed_save("dhcp4-ack-overload", d.b, len);

	/* Only file: the sname options are not read. */
	d.b[243 + 2] = 1;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	assert_false(DHCP4_HAS(&m, DHCP4_F_HOSTNAME));
	/* An option in file that runs into the cookie. */
	d.b[108 + 1] = 200;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_OPT_OVERRUN);
	assert_int_equal(m.err_off, 108);
	/* Overload 0 and 4 are not defined. */
	d.b[245] = 0;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_OVERLOAD);
	d.b[245] = 4;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_OVERLOAD);
	/* The same option in the options field and in sname: a duplicate. */
	d.b[245] = 2;
	d.b[44] = 53;
	d.b[45] = 1;
	d.b[46] = DHCP4_NAK;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_DUPLICATE);
	assert_int_equal(m.msg_type, DHCP4_ACK);
	assert_int_equal(m.dup, 1u << DHCP4_F_MSG_TYPE);
}

static void
test_header_errors(void **state)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	d4_hdr(&d, 1, DHCP4_DISCOVER);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_OK);
	for (int op = 0; op < 256; op++) {
		d.b[0] = (uint8_t)op;
		assert_int_equal(parse_exact(d.b, len, &m),
		    op == 1 || op == 2 ? DHCP4_OK : DHCP4_E_OP);
	}
	d.b[0] = 1;
	d.b[1] = 6;			/* IEEE 802 */
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_HTYPE);
	d.b[1] = 1;
	d.b[2] = 16;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_HTYPE);
	d.b[2] = 6;
	for (int i = 236; i < 240; i++) {
		d.b[i] ^= 0x20;
		assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_COOKIE);
		d.b[i] ^= 0x20;
	}
	/* BOOTP: no message type; parsed, msg_type 0. */
	d.b[240] = 255;
	assert_int_equal(parse_exact(d.b, 241, &m), DHCP4_OK);
	assert_int_equal(m.msg_type, 0);
	assert_int_equal(parse_exact(d.b, 240, &m), DHCP4_OK);
}

/* One option of n octets after the message type must give want. */
static void
one_opt(uint8_t code, const uint8_t *v, size_t n, int want)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	d4_hdr(&d, 2, DHCP4_ACK);
	d4_opt(&d, code, v, n);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), want);
	if (want != DHCP4_OK && want != DHCP4_E_DUPLICATE)
		assert_int_equal(m.err_off, 243);
}

static void
test_option_errors(void **state)
{
	static const uint8_t v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	for (size_t n = 0; n < 8; n++) {
		one_opt(50, v, n, n == 4 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
		one_opt(51, v, n, n == 4 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
		one_opt(54, v, n, n == 4 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
		one_opt(53, v, n, n == 1 ? DHCP4_E_DUPLICATE : DHCP4_E_OPT_SIZE);
		one_opt(61, v, n, n >= 2 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
		one_opt(12, v, n, n >= 1 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
		one_opt(52, v, n, n == 1 ? DHCP4_OK : DHCP4_E_OPT_SIZE);
	}
	/* Message types 1..18 exist; 0 and 19 do not. */
	for (int t = 0; t < 256; t++) {
		d4_hdr(&d, 1, (uint8_t)t);
		len = d4_end(&d);
		assert_int_equal(parse_exact(d.b, len, &m), t >= 1 && t <= 18 ?
		    DHCP4_OK : DHCP4_E_MSG_TYPE);
	}
	/* The last option overruns the message; a lone code octet. */
	d4_hdr(&d, 1, DHCP4_DISCOVER);
	d4_opt(&d, 12, "host", 4);
	len = d.n;
	d.b[244] = 5;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_OPT_OVERRUN);
	assert_int_equal(m.err_off, 243);
	d.b[244] = 255;
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_OPT_OVERRUN);
	d4_hdr(&d, 1, DHCP4_DISCOVER);
	d.b[d.n++] = 12;
	assert_int_equal(parse_exact(d.b, d.n, &m), DHCP4_E_OPT_OVERRUN);
	/* A repeated requested address: kept first, reported. */
	d4_hdr(&d, 1, DHCP4_REQUEST);
	d4_opt(&d, 50, lease_ip, 4);
	d4_opt(&d, 50, srv, 4);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_DUPLICATE);
	assert_int_equal(m.dup, 1u << DHCP4_F_REQUESTED_IP);
	assert_memory_equal(m.requested_ip, lease_ip, 4);
}

static void
rai_case(const uint8_t *v, size_t n, int want)
{
	one_opt(82, v, n, want);
}

static void
test_relay_agent_info(void **state)
{
	struct dhcp4_msg m;
	struct db d;
	size_t len;

	(void)state;
	rai_case((uint8_t[]){ 1 }, 1, DHCP4_E_OPT_SIZE);
	rai_case((uint8_t[]){ 1, 3, 'a', 'b' }, 4, DHCP4_E_RAI);	/* overrun */
	rai_case((uint8_t[]){ 1, 2, 'a', 'b', 2 }, 5, DHCP4_E_RAI);	/* lone code */
	rai_case((uint8_t[]){ 1, 0 }, 2, DHCP4_E_RAI);		/* empty circuit */
	rai_case((uint8_t[]){ 2, 0 }, 2, DHCP4_E_RAI);
	rai_case((uint8_t[]){ 5, 0 }, 2, DHCP4_OK);		/* other: skipped */
	rai_case((uint8_t[]){ 1, 1, 'a', 1, 1, 'b' }, 6, DHCP4_E_DUPLICATE);
	rai_case((uint8_t[]){ 2, 1, 'a', 1, 1, 'b' }, 6, DHCP4_OK);

	d4_hdr(&d, 1, DHCP4_REQUEST);
	d4_rai(&d);
	d4_rai(&d);
	len = d4_end(&d);
	assert_int_equal(parse_exact(d.b, len, &m), DHCP4_E_DUPLICATE);
	assert_int_equal(m.dup, 1u << DHCP4_F_RAI);
	assert_int_equal(m.circuit_id.len, 12);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(dhcp4_type_name(DHCP4_ACK), "DHCPACK");
	assert_string_equal(dhcp4_type_name(0), "unknown");
	assert_string_equal(dhcp4_type_name(9), "unknown");
	for (int e = DHCP4_E_OVERLOAD; e < DHCP4_OK; e++)
		for (int f = e + 1; f < DHCP4_OK; f++)
			assert_string_not_equal(dhcp4_strerror(e),
			    dhcp4_strerror(f));
	assert_string_equal(dhcp4_strerror(-50), "unknown DHCPv4 error");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_offer),
		cmocka_unit_test(test_request_ack_relayed),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_relay_agent_info),
		cmocka_unit_test(test_names),
	};

	seed_args(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
