/* test_parse.c - Ethernet/VLAN/IP frame parsing, good and hostile frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/parse.h"

static size_t
eth(uint8_t *f, const uint16_t *types, int ntypes)
{
	size_t off = 12;

	memset(f, 0x11, 12);
	for (int i = 0; i < ntypes; i++) {
		f[off] = (uint8_t)(types[i] >> 8);
		f[off + 1] = (uint8_t)types[i];
		off += 2;
		if (i + 1 < ntypes) {
			f[off] = 0x00;		/* TCI: VLAN 100 + i */
			f[off + 1] = (uint8_t)(100 + i);
			off += 2;
		}
	}
	return off;
}

static size_t
ipv4(uint8_t *p, uint16_t tot)
{
	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(p + 16, (uint8_t[]){ 198, 51, 100, 2 }, 4);
	return tot;
}

static size_t
ipv6(uint8_t *p, uint16_t plen)
{
	memset(p, 0, 40 + plen);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = 17;
	p[7] = 64;
	p[8] = 0x20;
	p[9] = 0x01;
	p[23] = 1;
	p[24] = 0x20;
	p[25] = 0x01;
	p[39] = 2;
	return 40 + (size_t)plen;
}

static void
test_untagged_v4(void **state)
{
	uint8_t f[128];
	struct lt_pkt pk;
	size_t off = eth(f, (uint16_t[]){ 0x0800 }, 1);
	size_t len = off + ipv4(f + off, 28);

	(void)state;
	assert_int_equal(lt_parse_frame(f, len, &pk), LT_PARSE_IP);
	assert_int_equal(pk.family, 4);
	assert_int_equal(pk.l3_off, 14);
	assert_int_equal(pk.l3_len, 28);
	assert_int_equal(pk.nvlan, 0);
	assert_ptr_equal(pk.src, f + 14 + 12);
	assert_ptr_equal(pk.dst, f + 14 + 16);
}

static void
test_padding_stripped(void **state)
{
	uint8_t f[60];
	struct lt_pkt pk;
	size_t off = eth(f, (uint16_t[]){ 0x0800 }, 1);

	(void)state;
	ipv4(f + off, 28);
	memset(f + off + 28, 0xee, sizeof(f) - off - 28);	/* Ethernet padding */
	assert_int_equal(lt_parse_frame(f, sizeof(f), &pk), LT_PARSE_IP);
	assert_int_equal(pk.l3_len, 28);
}

static void
test_vlan_and_qinq(void **state)
{
	uint8_t f[160];
	struct lt_pkt pk;
	size_t off;

	(void)state;
	off = eth(f, (uint16_t[]){ 0x8100, 0x86dd }, 2);
	assert_int_equal(lt_parse_frame(f, off + ipv6(f + off, 8), &pk), LT_PARSE_IP);
	assert_int_equal(pk.family, 6);
	assert_int_equal(pk.l3_off, 18);
	assert_int_equal(pk.l3_len, 48);
	assert_int_equal(pk.nvlan, 1);
	assert_ptr_equal(pk.src, f + 18 + 8);
	assert_ptr_equal(pk.dst, f + 18 + 24);

	off = eth(f, (uint16_t[]){ 0x88a8, 0x8100, 0x0800 }, 3);
	assert_int_equal(lt_parse_frame(f, off + ipv4(f + off, 40), &pk), LT_PARSE_IP);
	assert_int_equal(pk.l3_off, 22);
	assert_int_equal(pk.nvlan, 2);

	/* A third tag is more than we look through. */
	off = eth(f, (uint16_t[]){ 0x88a8, 0x8100, 0x8100, 0x0800 }, 4);
	assert_int_equal(lt_parse_frame(f, off + ipv4(f + off, 40), &pk), LT_PARSE_NOT_IP);
}

static void
test_not_ip(void **state)
{
	uint8_t f[60] = { 0 };
	struct lt_pkt pk;

	(void)state;
	eth(f, (uint16_t[]){ 0x0806 }, 1);	/* ARP */
	assert_int_equal(lt_parse_frame(f, sizeof(f), &pk), LT_PARSE_NOT_IP);
	eth(f, (uint16_t[]){ 0x8100, 0x88cc }, 2);	/* LLDP behind a tag */
	assert_int_equal(lt_parse_frame(f, sizeof(f), &pk), LT_PARSE_NOT_IP);
}

static void
test_malformed(void **state)
{
	uint8_t f[128];
	struct lt_pkt pk;
	size_t off;

	(void)state;
	/* Every truncation of a valid frame is refused, never read past. */
	off = eth(f, (uint16_t[]){ 0x8100, 0x0800 }, 2);
	ipv4(f + off, 40);
	for (size_t len = 0; len < off + 40; len++)
		assert_int_equal(lt_parse_frame(f, len, &pk), LT_PARSE_MALFORMED);

	off = eth(f, (uint16_t[]){ 0x0800 }, 1);
	ipv4(f + off, 40);
	f[off] = 0x44;				/* IHL 4 */
	assert_int_equal(lt_parse_frame(f, off + 40, &pk), LT_PARSE_MALFORMED);
	f[off] = 0x75;				/* version 7 */
	assert_int_equal(lt_parse_frame(f, off + 40, &pk), LT_PARSE_MALFORMED);
	f[off] = 0x4f;				/* IHL 15: 60 bytes > total 40 */
	assert_int_equal(lt_parse_frame(f, off + 40, &pk), LT_PARSE_MALFORMED);
	f[off] = 0x45;
	f[off + 2] = 0;
	f[off + 3] = 10;			/* total length < header */
	assert_int_equal(lt_parse_frame(f, off + 40, &pk), LT_PARSE_MALFORMED);
	f[off + 3] = 41;			/* one byte more than captured */
	assert_int_equal(lt_parse_frame(f, off + 40, &pk), LT_PARSE_MALFORMED);

	off = eth(f, (uint16_t[]){ 0x86dd }, 1);
	ipv6(f + off, 16);
	assert_int_equal(lt_parse_frame(f, off + 55, &pk), LT_PARSE_MALFORMED);
	assert_int_equal(lt_parse_frame(f, off + 39, &pk), LT_PARSE_MALFORMED);
	f[off + 4] = 0;
	f[off + 5] = 0;
	f[off + 6] = 0;				/* hop-by-hop + length 0: jumbogram */
	assert_int_equal(lt_parse_frame(f, off + 56, &pk), LT_PARSE_MALFORMED);
	f[off + 6] = 59;			/* no next header, empty payload: fine */
	assert_int_equal(lt_parse_frame(f, off + 56, &pk), LT_PARSE_IP);
	assert_int_equal(pk.l3_len, 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untagged_v4),
		cmocka_unit_test(test_padding_stripped),
		cmocka_unit_test(test_vlan_and_qinq),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
