/* mkpdu.h - builds the PS-PDUs the LEMF tests feed, with the project's encoders. */
#ifndef LT_TEST_MKPDU_H
#define LT_TEST_MKPDU_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/etsi.h"

#define MKPDU_MAX	2048

/* Fixed test time: 2026-11-22T03:00:00.123456Z */
#define MKPDU_SEC	1795316400
#define MKPDU_USEC	123456

void mkpdu_tmpl(struct etsi_tmpl *t, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin);

/* Each writes the PDU at the start of out and returns its length (> 0). */
size_t mkpdu_ipcc(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, enum etsi_dir dir, const uint8_t *pkt, size_t pkt_len);
size_t mkpdu_ipiri(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, enum etsi_iri_type type, enum etsi_access_event ev);
size_t mkpdu_keepalive(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, int response);

#endif
