/* integrity.c - verify integrityCheck TRIs (hash: doc/lemf-jsonl.md) against what arrived. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lemf/integrity.h"

#define NBUCKET		1024
#define RING_MIN	16

/* seq -> a 32-byte digest, indexed by seq modulo a power of two that grows to INTEGRITY_KEEP. */
struct slot {
	uint32_t seq;
	uint8_t used;
	uint8_t d[ETSI_IC_HASH_LEN];
};

struct ring {
	struct slot *s;
	uint32_t cap;
};

struct stream {
	struct stream *next;
	char liid[LT_ETSI_LIID_BUF];
	size_t liid_len;
	int has_cin;
	uint32_t cin;
	int dt;			/* etsi_data_type */
	struct ring pdus;	/* SHA-256 of each IRI or CC PDU, by its sequence number */
	struct ring checks;	/* checkValue of each hash TRI, by the TRI's sequence number */
};

struct integrity {
	struct stream *b[NBUCKET];
	int has_key;
	uint8_t key[INTEGRITY_KEY_LEN];
	struct integrity_counts n;
};

static int
ring_put(struct ring *r, uint32_t seq, const uint8_t d[static ETSI_IC_HASH_LEN])
{
	struct slot *s;

	for (;;) {
		if (r->cap == 0 || (r->s[seq & (r->cap - 1)].used &&
		    r->s[seq & (r->cap - 1)].seq != seq && r->cap < INTEGRITY_KEEP)) {
			uint32_t cap = r->cap ? 2 * r->cap : RING_MIN;
			struct slot *n = calloc(cap, sizeof(*n));

			if (n == NULL)
				return -1;
			for (uint32_t i = 0; i < r->cap; i++)
				if (r->s[i].used)
					n[r->s[i].seq & (cap - 1)] = r->s[i];
			free(r->s);
			r->s = n;
			r->cap = cap;
			continue;
		}
		s = &r->s[seq & (r->cap - 1)];
		s->seq = seq;
		s->used = 1;
		memcpy(s->d, d, ETSI_IC_HASH_LEN);
		return 0;
	}
}

static const uint8_t *
ring_get(const struct ring *r, uint32_t seq)
{
	const struct slot *s;

	if (r->cap == 0)
		return NULL;
	s = &r->s[seq & (r->cap - 1)];
	return s->used && s->seq == seq ? s->d : NULL;
}

static struct stream *
stream_get(struct integrity *ic, const struct etsi_pdu *p, int dt, int create)
{
	uint32_t h = 2166136261u;
	struct stream *s;

	for (size_t i = 0; i < p->liid_len; i++)
		h = (h ^ (uint8_t)p->liid[i]) * 16777619u;
	h = (h ^ (p->has_cin ? p->cin : 0xffffffffu)) * 16777619u;
	h = (h ^ (uint32_t)dt) * 16777619u;
	h %= NBUCKET;
	for (s = ic->b[h]; s != NULL; s = s->next)
		if (s->dt == dt && s->has_cin == p->has_cin &&
		    (!p->has_cin || s->cin == p->cin) &&
		    s->liid_len == p->liid_len &&
		    memcmp(s->liid, p->liid, p->liid_len) == 0)
			return s;
	if (!create || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	memcpy(s->liid, p->liid, p->liid_len);
	s->liid_len = p->liid_len;
	s->has_cin = p->has_cin;
	s->cin = p->cin;
	s->dt = dt;
	s->next = ic->b[h];
	ic->b[h] = s;
	return s;
}

struct integrity *
integrity_new(const uint8_t *key)
{
	struct integrity *ic;

	if (sodium_init() < 0 || (ic = calloc(1, sizeof(*ic))) == NULL)
		return NULL;
	if (key != NULL) {
		ic->has_key = 1;
		memcpy(ic->key, key, INTEGRITY_KEY_LEN);
	}
	return ic;
}

void
integrity_free(struct integrity *ic)
{
	if (ic == NULL)
		return;
	for (size_t i = 0; i < NBUCKET; i++) {
		struct stream *s, *n;

		for (s = ic->b[i]; s != NULL; s = n) {
			n = s->next;
			free(s->pdus.s);
			free(s->checks.s);
			free(s);
		}
	}
	free(ic);
}

int
integrity_parse_key(const char *hex, uint8_t key[static INTEGRITY_KEY_LEN])
{
	size_t n;
	const char *end;

	if (hex == NULL || strlen(hex) != 2 * INTEGRITY_KEY_LEN)
		return -1;
	if (sodium_hex2bin(key, INTEGRITY_KEY_LEN, hex, strlen(hex), NULL, &n,
	    &end) != 0 || n != INTEGRITY_KEY_LEN || *end != '\0')
		return -1;
	return 0;
}

static int
check_hash(struct stream *s, const struct etsi_pdu *p)
{
	crypto_hash_sha256_state st;
	uint8_t d[ETSI_IC_HASH_LEN];

	if (p->ic_hash_alg != ETSI_HASH_SHA256 ||
	    p->ic_value_len != ETSI_IC_HASH_LEN)
		return INTEGRITY_MISMATCH;
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < p->ic_nseqs; i++) {
		const uint8_t *h = s ? ring_get(&s->pdus, p->ic_seqs[i]) : NULL;

		if (h == NULL)
			return INTEGRITY_INCOMPLETE;
		crypto_hash_sha256_update(&st, h, ETSI_IC_HASH_LEN);
	}
	crypto_hash_sha256_final(&st, d);
	return sodium_memcmp(d, p->ic_value, sizeof(d)) == 0 ?
	    INTEGRITY_OK : INTEGRITY_MISMATCH;
}

static int
check_sig(struct integrity *ic, struct stream *s, const struct etsi_pdu *p)
{
	uint8_t *msg;
	int r;

	if (!ic->has_key)
		return INTEGRITY_SKIPPED;
	if (p->ic_sig_alg != ETSI_SIG_EDDSA || p->ic_value_len != ETSI_IC_SIG_LEN)
		return INTEGRITY_MISMATCH;
	if ((msg = malloc(p->ic_nseqs * ETSI_IC_HASH_LEN)) == NULL)
		return -1;
	for (size_t i = 0; i < p->ic_nseqs; i++) {
		const uint8_t *h = s ? ring_get(&s->checks, p->ic_seqs[i]) : NULL;

		if (h == NULL) {
			free(msg);
			return INTEGRITY_INCOMPLETE;
		}
		memcpy(msg + i * ETSI_IC_HASH_LEN, h, ETSI_IC_HASH_LEN);
	}
	r = crypto_sign_verify_detached(p->ic_value, msg,
	    p->ic_nseqs * ETSI_IC_HASH_LEN, ic->key) == 0 ?
	    INTEGRITY_OK : INTEGRITY_MISMATCH;
	free(msg);
	return r;
}

static int
count(struct integrity *ic, int r)
{
	switch (r) {
	case INTEGRITY_OK:		ic->n.ok++; break;
	case INTEGRITY_MISMATCH:	ic->n.mismatch++; break;
	case INTEGRITY_INCOMPLETE:	ic->n.incomplete++; break;
	case INTEGRITY_SKIPPED:		ic->n.skipped++; break;
	}
	return r;
}

int
integrity_pdu(struct integrity *ic, const struct etsi_pdu *p,
    const uint8_t *der, size_t len)
{
	uint8_t d[ETSI_IC_HASH_LEN];
	struct stream *s;
	int dt;

	if (p->kind == ETSI_KIND_IRI || p->kind == ETSI_KIND_CC) {
		dt = p->kind == ETSI_KIND_IRI ? ETSI_DATA_IRI : ETSI_DATA_CC;
		if ((s = stream_get(ic, p, dt, 1)) == NULL)
			return -1;
		crypto_hash_sha256(d, der, len);
		return ring_put(&s->pdus, p->seq, d) < 0 ? -1 : INTEGRITY_SKIPPED;
	}
	if (p->kind != ETSI_KIND_TRI_OTHER || p->tri != 0)
		return INTEGRITY_SKIPPED;
	dt = p->ic_data_type;
	if (dt != ETSI_DATA_IRI && dt != ETSI_DATA_CC)
		return count(ic, INTEGRITY_MISMATCH);
	if ((s = stream_get(ic, p, dt, 1)) == NULL)
		return -1;
	if (p->ic_check_type == ETSI_CHECK_HASH) {
		if (p->ic_value_len == ETSI_IC_HASH_LEN &&
		    ring_put(&s->checks, p->seq, p->ic_value) < 0)
			return -1;
		return count(ic, check_hash(s, p));
	}
	if (p->ic_check_type == ETSI_CHECK_SIGNATURE) {
		int r = check_sig(ic, s, p);

		return r < 0 ? -1 : count(ic, r);
	}
	return count(ic, INTEGRITY_MISMATCH);
}

const char *
integrity_result_name(int r)
{
	switch (r) {
	case INTEGRITY_OK:		return "ok";
	case INTEGRITY_MISMATCH:	return "mismatch";
	case INTEGRITY_INCOMPLETE:	return "incomplete";
	default:			return NULL;
	}
}

struct integrity_counts
integrity_counts(const struct integrity *ic)
{
	return ic->n;
}
