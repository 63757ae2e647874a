/* parse.c - Ethernet/VLAN/IP header walk; pure C, bounds-checked. */
#include <string.h>

#include "capture/parse.h"

#define ETH_HLEN	14
#define VLAN_HLEN	4

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

enum lt_parse_result
lt_parse_frame(const uint8_t *f, size_t len, struct lt_pkt *pkt)
{
	size_t off = ETH_HLEN;
	uint16_t type;
	uint8_t nvlan = 0;

	if (len < ETH_HLEN)
		return LT_PARSE_MALFORMED;
	type = rd16(f + 12);
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (nvlan == 2)
			return LT_PARSE_NOT_IP;
		if (len < off + VLAN_HLEN)
			return LT_PARSE_MALFORMED;
		type = rd16(f + off + 2);
		off += VLAN_HLEN;
		nvlan++;
	}
	pkt->nvlan = nvlan;
	pkt->l3_off = (uint16_t)off;

	if (type == 0x0800) {
		const uint8_t *ip = f + off;
		size_t ihl, tot;

		if (len < off + 20 || (ip[0] >> 4) != 4)
			return LT_PARSE_MALFORMED;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		tot = rd16(ip + 2);
		if (ihl < 20 || tot < ihl || tot > len - off)
			return LT_PARSE_MALFORMED;
		pkt->family = 4;
		pkt->l3_len = (uint32_t)tot;
		pkt->src = ip + 12;
		pkt->dst = ip + 16;
		return LT_PARSE_IP;
	}
	if (type == 0x86dd) {
		const uint8_t *ip = f + off;
		size_t tot;

		if (len < off + 40 || (ip[0] >> 4) != 6)
			return LT_PARSE_MALFORMED;
		tot = 40 + (size_t)rd16(ip + 4);
		if (tot == 40 && ip[6] == 0 /* hop-by-hop: jumbogram? */)
			return LT_PARSE_MALFORMED;
		if (tot > len - off)
			return LT_PARSE_MALFORMED;
		pkt->family = 6;
		pkt->l3_len = (uint32_t)tot;
		pkt->src = ip + 8;
		pkt->dst = ip + 24;
		return LT_PARSE_IP;
	}
	return LT_PARSE_NOT_IP;
}
