/* parse.h - find the IP packet and its addresses in an Ethernet frame. */
#ifndef LT_PARSE_H
#define LT_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum lt_parse_result {
	LT_PARSE_IP = 0,	/* an IPv4 or IPv6 packet (or fragment) */
	LT_PARSE_NOT_IP,	/* ARP, LLDP, ... : not ours to judge */
	LT_PARSE_MALFORMED,	/* claims to be IP but is truncated or garbled */
};

struct lt_pkt {
	uint16_t l3_off;	/* offset of the IP header in the frame */
	uint32_t l3_len;	/* IP packet length per its header (padding stripped) */
	uint8_t family;		/* 4 or 6 */
	uint8_t nvlan;
	const uint8_t *src;	/* 4 or 16 bytes inside the frame */
	const uint8_t *dst;
};

/*
 * Parses up to two VLAN tags (0x8100, 0x88a8, 0x9100) and the IP header.
 * Checks that the whole IP packet (per its length field) lies inside the
 * captured bytes; an IPv6 jumbogram (payload length 0) is malformed here.
 */
enum lt_parse_result lt_parse_frame(const uint8_t *frame, size_t len,
    struct lt_pkt *pkt);

#endif
