/* hdr.h - the PSHeader and PS-PDU wrapper shared by the ETSI record encoders. */
#ifndef LT_ETSI_HDR_H
#define LT_ETSI_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/etsi.h"

/*
 * Writes pSHeader [1] (template, sequenceNumber, timeStamp,
 * microSecondTimeStamp, timeStampQualifier) backwards at *p; bytes written
 * or a negative DER_E_*.
 */
int etsi_hdr_write(uint8_t **p, const uint8_t *start,
    const struct etsi_tmpl *t, uint32_t seq, struct etsi_time ts);

/*
 * The PS-PDU SEQUENCE around header and payload: body is the number of
 * bytes the record holds after the SEQUENCE's length (written or not yet).
 */
int etsi_pdu_wrap(uint8_t **p, const uint8_t *start, size_t body);

#endif
