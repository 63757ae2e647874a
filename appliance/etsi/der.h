/* der.h - a DER writer that fills a caller's buffer backwards from its end. */
#ifndef LT_DER_H
#define LT_DER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every writer takes p, the current front of the written data (initially
 * buf + cap), and start, the first byte it may use.  It moves *p back over
 * what it wrote and returns the number of bytes written, or a negative
 * DER_E_* on error; *p is unspecified after an error.
 */
#define DER_E_SPACE	(-1)	/* the buffer is too small */
#define DER_E_RANGE	(-2)	/* a value the encoding cannot represent */

/*
 * A tag: the class and constructed bits of the identifier octet in bits
 * 24..31, the tag number in bits 0..23.
 */
#define DER_UNIV	0x00u
#define DER_CONS	0x20u
#define DER_CTX		0x80u
#define DER_TAG(cls, num)	(((uint32_t)(cls) << 24) | (uint32_t)(num))
#define DER_IMPL(num)	DER_TAG(DER_CTX, num)			/* [n] primitive */
#define DER_EXPL(num)	DER_TAG(DER_CTX | DER_CONS, num)	/* [n] constructed */
#define DER_TAG_MAXNUM	0xffffffu

#define DER_BOOLEAN	DER_TAG(DER_UNIV, 1)
#define DER_INTEGER	DER_TAG(DER_UNIV, 2)
#define DER_OCTETS	DER_TAG(DER_UNIV, 4)
#define DER_NULL	DER_TAG(DER_UNIV, 5)
#define DER_OID		DER_TAG(DER_UNIV, 6)
#define DER_ENUM	DER_TAG(DER_UNIV, 10)
#define DER_UTF8	DER_TAG(DER_UNIV, 12)
#define DER_RELOID	DER_TAG(DER_UNIV, 13)
#define DER_SEQUENCE	DER_TAG(DER_UNIV | DER_CONS, 16)
#define DER_PRINTABLE	DER_TAG(DER_UNIV, 19)
#define DER_GENTIME	DER_TAG(DER_UNIV, 24)

/* Exact bytes of the content encodings of an INTEGER. */
size_t der_uint_size(uint64_t v);
size_t der_len_size(size_t len);

int der_raw(uint8_t **p, const uint8_t *start, const void *data, size_t n);
int der_tag(uint8_t **p, const uint8_t *start, uint32_t tag);
int der_len(uint8_t **p, const uint8_t *start, size_t len);
/* Length and tag in front of len bytes of content already written. */
int der_tl(uint8_t **p, const uint8_t *start, uint32_t tag, size_t len);

int der_int(uint8_t **p, const uint8_t *start, uint32_t tag, int64_t v);
/* An INTEGER whose value is v read as unsigned (00 in front when needed). */
int der_uint(uint8_t **p, const uint8_t *start, uint32_t tag, uint64_t v);
int der_null(uint8_t **p, const uint8_t *start, uint32_t tag);
int der_bool(uint8_t **p, const uint8_t *start, uint32_t tag, int v);
int der_octets(uint8_t **p, const uint8_t *start, uint32_t tag,
    const void *data, size_t n);
/* At least two arcs; the first 0..2, the second < 40 unless the first is 2. */
int der_oid(uint8_t **p, const uint8_t *start, uint32_t tag,
    const uint32_t *arcs, size_t n);
int der_reloid(uint8_t **p, const uint8_t *start, uint32_t tag,
    const uint32_t *arcs, size_t n);
/* YYYYMMDDHHMMSS[.f]Z, years 1970..9999, usec < 1000000. */
int der_gentime(uint8_t **p, const uint8_t *start, uint32_t tag,
    int64_t sec, uint32_t usec);

/* The 14 digits YYYYMMDDHHMMSS of sec (UTC); DER_E_RANGE outside 1970..9999. */
int der_format_time(char out[static 14], int64_t sec);

#endif
