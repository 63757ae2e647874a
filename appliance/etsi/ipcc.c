/*
 * ipcc.c - the head of a CC record carrying an IPCC (TS 102 232-3 clause 6.3).
 *
 * This is the encoder run once per intercepted packet, so it does not go
 * through the general writer in der.c: the head has a fixed shape and a
 * bounded size (ETSI_IPCC_HEAD_MAX), the room is checked once, and the
 * date of the timeStamp is formatted once per second per thread.  The
 * result is byte for byte what the general writer produces (the unit tests
 * hold both to the same vectors).
 *
 * PS-PDU { pSHeader [1] { <template>, sequenceNumber [4], timeStamp [5],
 *   microSecondTimeStamp [7] { seconds [0], microSeconds [1] },
 *   timeStampQualifier [8] },
 *   payload [2] { cCPayloadSequence [1] { CCPayload { payloadDirection [0],
 *   cCContents [2] { iPCC [2] { iPCCObjId [0] 5.3.N.2,
 *   iPCCContents [1] { iPPackets [0] <packet> } } } } } } }
 */
#include <string.h>

#include "etsi/der.h"
#include "etsi/etsi.h"

#define GENTIME_MAX_SEC	253402300799LL	/* 9999-12-31T23:59:59Z */

/* Definite, minimal length; len < 2^32 (checked by the caller). */
static inline uint8_t *
put_len(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[-1] = (uint8_t)len;
		return p - 1;
	}
	if (len < 0x100) {
		p[-1] = (uint8_t)len;
		p[-2] = 0x81;
		return p - 2;
	}
	if (len < 0x10000) {
		p[-1] = (uint8_t)len;
		p[-2] = (uint8_t)(len >> 8);
		p[-3] = 0x82;
		return p - 3;
	}
	if (len < 0x1000000) {
		p[-1] = (uint8_t)len;
		p[-2] = (uint8_t)(len >> 8);
		p[-3] = (uint8_t)(len >> 16);
		p[-4] = 0x83;
		return p - 4;
	}
	p[-1] = (uint8_t)len;
	p[-2] = (uint8_t)(len >> 8);
	p[-3] = (uint8_t)(len >> 16);
	p[-4] = (uint8_t)(len >> 24);
	p[-5] = 0x84;
	return p - 5;
}

static inline uint8_t *
put_tl(uint8_t *p, uint8_t tag, size_t len)
{
	p = put_len(p, len);
	*--p = tag;
	return p;
}

/* A non-negative INTEGER, minimal, with its (always short) length and tag. */
static inline uint8_t *
put_uint(uint8_t *p, uint8_t tag, uint64_t v)
{
	uint8_t *end = p;

	do {
		*--p = (uint8_t)v;
		v >>= 8;
	} while (v > 0);
	if (*p & 0x80)
		*--p = 0;
	p[-1] = (uint8_t)(end - p);
	p[-2] = tag;
	return p - 2;
}

static const char digit_pairs[100][2] = {
#define D(t)	{ t, '0' }, { t, '1' }, { t, '2' }, { t, '3' }, { t, '4' }, \
		{ t, '5' }, { t, '6' }, { t, '7' }, { t, '8' }, { t, '9' }
	D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
#undef D
};

/* What changes once a second: the date digits and seconds [0] of microSecondTimeStamp. */
struct time_cache {
	int64_t sec;
	char ymdhms[14];
	uint8_t sec_tlv[16];	/* right-aligned: 80 LL ss.. */
	uint8_t sec_tlv_len;
};

static _Thread_local struct time_cache tcache = { .sec = -1 };

static void
cache_second(int64_t sec)
{
	uint8_t *e = tcache.sec_tlv + sizeof(tcache.sec_tlv);

	der_format_time(tcache.ymdhms, sec);
	tcache.sec_tlv_len = (uint8_t)(e - put_uint(e, 0x80, (uint64_t)sec));
	tcache.sec = sec;
}

/* timeStamp [5] GeneralizedTime: YYYYMMDDHHMMSS[.f]Z, no trailing zeros. */
static inline uint8_t *
put_gentime(uint8_t *p, uint8_t tag, int64_t sec, uint32_t usec)
{
	uint8_t *end = p;

	if (sec != tcache.sec)
		cache_second(sec);
	*--p = 'Z';
	if (usec > 0) {
		/*
		 * ".ffffff" by two-digit pairs in an 8-byte word, shifted so that
		 * the digits kept (trailing zeros cut) end where 'Z' begins; the
		 * spare bytes land in free room below and are overwritten later.
		 */
		uint8_t f[8];
		uint64_t w;
		unsigned n = 8;

		f[0] = 0;
		f[1] = '.';
		memcpy(f + 2, digit_pairs[usec / 10000], 2);
		memcpy(f + 4, digit_pairs[usec / 100 % 100], 2);
		memcpy(f + 6, digit_pairs[usec % 100], 2);
		while (f[n - 1] == '0')
			n--;
		memcpy(&w, f, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		w <<= 8 * (8 - n);		/* towards higher addresses */
#else
		w >>= 8 * (8 - n);
#endif
		memcpy(p - 8, &w, 8);
		p -= n - 1;
	}
	p -= 14;
	memcpy(p, tcache.ymdhms, 14);
	p[-1] = (uint8_t)(end - p);
	p[-2] = tag;
	return p - 2;
}

/*
 * The payload [2] part in front of the packet, written tag by tag: any
 * length, any version.
 */
static uint8_t *
payload_any(uint8_t *end, enum etsi_dir dir, uint32_t v, size_t pkt_len)
{
	uint8_t *p = end;

#define BODY	(pkt_len + (size_t)(end - p))
	p = put_tl(p, 0x80, pkt_len);			/* iPPackets [0] */
	p = put_tl(p, 0xa1, BODY);			/* iPCCContents [1] */
	*--p = 0x02;					/* iPCCObjId [0] 5.3.N.2 */
	if (v < 0x80) {
		*--p = (uint8_t)v;
	} else {
		*--p = (uint8_t)(v & 0x7f);
		*--p = (uint8_t)(0x80 | v >> 7);
	}
	*--p = 0x03;
	*--p = 0x05;
	*--p = v < 0x80 ? 4 : 5;
	*--p = 0x80;
	p = put_tl(p, 0xa2, BODY);			/* iPCC [2] */
	p = put_tl(p, 0xa2, BODY);			/* cCContents [2] */
	*--p = (uint8_t)dir;				/* payloadDirection [0] */
	*--p = 0x01;
	*--p = 0x80;
	p = put_tl(p, 0x30, BODY);			/* CCPayload */
	p = put_tl(p, 0xa1, BODY);			/* cCPayloadSequence [1] */
	p = put_tl(p, 0xa2, BODY);			/* payload [2] */

#undef BODY
	return p;
}

/*
 * The same bytes for the common sizes, from a fixed layout: packets of 256
 * to 65502 bytes give every length of this part the form 82 HH LL, packets
 * up to 106 bytes the one-byte form.  Offsets and length sums follow the
 * nesting (see payload_any); the unit tests hold all three to one another.
 */
static inline void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint8_t *
payload_long(uint8_t *end, enum etsi_dir dir, uint32_t v, size_t n)
{
	static const uint8_t layout[37] = {
		0xa2, 0x82, 0, 0,		/* payload [2] */
		0xa1, 0x82, 0, 0,		/* cCPayloadSequence [1] */
		0x30, 0x82, 0, 0,		/* CCPayload */
		0x80, 0x01, 0,			/* payloadDirection [0] */
		0xa2, 0x82, 0, 0,		/* cCContents [2] */
		0xa2, 0x82, 0, 0,		/* iPCC [2] */
		0x80, 0x04, 0x05, 0x03, 0, 0x02,	/* iPCCObjId 5.3.N.2 */
		0xa1, 0x82, 0, 0,		/* iPCCContents [1] */
		0x80, 0x82, 0, 0,		/* iPPackets [0] */
	};
	uint8_t *p = end - sizeof(layout);

	memcpy(p, layout, sizeof(layout));
	put16(p + 2, n + 33);
	put16(p + 6, n + 29);
	put16(p + 10, n + 25);
	p[14] = (uint8_t)dir;
	put16(p + 17, n + 18);
	put16(p + 21, n + 14);
	p[27] = (uint8_t)v;
	put16(p + 31, n + 4);
	put16(p + 35, n);
	return p;
}

static uint8_t *
payload_short(uint8_t *end, enum etsi_dir dir, uint32_t v, size_t n)
{
	static const uint8_t layout[23] = {
		0xa2, 0, 0xa1, 0, 0x30, 0, 0x80, 0x01, 0, 0xa2, 0, 0xa2, 0,
		0x80, 0x04, 0x05, 0x03, 0, 0x02, 0xa1, 0, 0x80, 0,
	};
	uint8_t *p = end - sizeof(layout);

	memcpy(p, layout, sizeof(layout));
	p[1] = (uint8_t)(n + 21);
	p[3] = (uint8_t)(n + 19);
	p[5] = (uint8_t)(n + 17);
	p[8] = (uint8_t)dir;
	p[10] = (uint8_t)(n + 12);
	p[12] = (uint8_t)(n + 10);
	p[17] = (uint8_t)v;
	p[20] = (uint8_t)(n + 2);
	p[22] = (uint8_t)n;
	return p;
}

/* Writes backwards from end, which has ETSI_IPCC_HEAD_MAX bytes before it. */
static int
ipcc_head(uint8_t *end, const struct etsi_tmpl *t, uint32_t seq, struct etsi_time ts,
    enum etsi_dir dir, size_t pkt_len)
{
	uint8_t *p = end, *hdr_end;
	uint32_t v = t->ipaccess_version;

	if ((unsigned)dir > ETSI_DIR_INDETERMINATE ||
	    pkt_len > INT32_MAX / 2 || ts.usec > 999999 || ts.sec < 0 ||
	    ts.sec > GENTIME_MAX_SEC || t->len > ETSI_TMPL_MAX || v >= 1u << 14)
		return -1;
#define BODY	(pkt_len + (size_t)(end - p))
	if (v < 0x80 && pkt_len >= 256 && pkt_len <= 65535 - 33)
		p = payload_long(p, dir, v, pkt_len);
	else if (v < 0x80 && pkt_len <= 127 - 21)
		p = payload_short(p, dir, v, pkt_len);
	else
		p = payload_any(p, dir, v, pkt_len);

	hdr_end = p;
	*--p = 0x01;					/* timeStampQualifier [8] */
	*--p = 0x01;
	*--p = 0x88;
	{
		uint8_t *m = p;

		p = put_uint(p, 0x81, ts.usec);		/* microSeconds [1] */
		if (ts.sec != tcache.sec)
			cache_second(ts.sec);
		/* seconds [0]: 8 bytes copied, the spare ones land in free room below */
		memcpy(p - 8, tcache.sec_tlv + sizeof(tcache.sec_tlv) - 8, 8);
		p -= tcache.sec_tlv_len;
		p = put_tl(p, 0xa7, (size_t)(m - p));	/* microSecondTimeStamp [7] */
	}
	p = put_gentime(p, 0x85, ts.sec, ts.usec);	/* timeStamp [5] */
	p = put_uint(p, 0x84, seq);			/* sequenceNumber [4] */
	p -= t->len;
	memcpy(p, t->bytes, t->len);			/* [0]..[3] */
	p = put_tl(p, 0xa1, (size_t)(hdr_end - p));	/* pSHeader [1] */
	p = put_tl(p, 0x30, BODY);			/* PS-PDU */
#undef BODY
	return (int)(end - p);
}

int
etsi_ipcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, enum etsi_dir dir, size_t pkt_len)
{
	uint8_t tmp[ETSI_IPCC_HEAD_MAX];
	int n;

	if (cap >= ETSI_IPCC_HEAD_MAX)
		return ipcc_head(buf + cap, t, seq, ts, dir, pkt_len);
	/* A small buffer (never on the hot path): encode aside, then fit it. */
	n = ipcc_head(tmp + sizeof(tmp), t, seq, ts, dir, pkt_len);
	if (n < 0 || (size_t)n > cap)
		return -1;
	memcpy(buf + cap - n, tmp + sizeof(tmp) - n, (size_t)n);
	return n;
}
