/* derread.h - a strict DER TLV reader for the PS-PDU decoder. */
#ifndef LT_DERREAD_H
#define LT_DERREAD_H

#include <stddef.h>
#include <stdint.h>

struct der_err {
	char *buf;
	size_t len;
	const uint8_t *base;	/* offsets in messages count from here */
};

struct der_tlv {
	uint8_t id;		/* class and constructed bits: 0x00, 0x20, 0x80, 0xa0 ... */
	uint32_t num;		/* tag number */
	const uint8_t *v;	/* content */
	size_t len;
	const uint8_t *hdr;	/* first identifier octet */
};

struct der_rd {
	const uint8_t *p, *end;
};

#define DER_ID_CTX	0x80
#define DER_ID_CTXC	0xa0

/* Sets the message (with the offset of at) and returns -1. */
int der_fail(struct der_err *e, const uint8_t *at, const char *what,
    const char *why);

/*
 * The next TLV of r: 1 and t filled, 0 at the end, -1 for anything that is
 * not DER (non-minimal tag or length, indefinite length, overrun).
 */
int der_next(struct der_rd *r, struct der_tlv *t, struct der_err *e,
    const char *what);

/* Walks a constructed element's children to check they are DER too. */
int der_check(const struct der_tlv *t, struct der_err *e, const char *what);

/* Content readers; what names the field in messages. */
int der_get_uint(const struct der_tlv *t, uint64_t max, uint64_t *out,
    struct der_err *e, const char *what);
int der_get_str(const struct der_tlv *t, size_t min, size_t max, char *out,
    struct der_err *e, const char *what);
int der_get_null(const struct der_tlv *t, struct der_err *e, const char *what);
/* Arcs of an OBJECT IDENTIFIER (rel = 0) or RELATIVE-OID (rel = 1). */
int der_get_arcs(const struct der_tlv *t, int rel, uint32_t *arcs,
    size_t max, size_t *n, struct der_err *e, const char *what);
int der_get_time(const struct der_tlv *t, int64_t *sec, uint32_t *usec,
    struct der_err *e, const char *what);

#endif
