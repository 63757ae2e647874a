/* integ.c - hash and signature TRIs over each stream's runs (what they cover: doc/lemf-jsonl.md). */
/* OpenSSL 3.0's EVP digests allocate per call; the SHA256_* ones work on the stack (and use SHA-NI). */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/sha.h>
#include <sodium.h>

#include "mediate/integ.h"

struct run {
	struct lt_integ *ig;
	TAILQ_ENTRY(run) due;		/* in the agency's list while n > 0 */
	uint32_t tri_seq;		/* next integrityCheck sequenceNumber */
	uint32_t n, nsig;
	int64_t first_us;		/* time of the run's first PDU */
	SHA256_CTX h;			/* over the run's PDU digests */
	uint32_t *seqs;			/* [hash_every] */
	uint32_t *sig_seqs;		/* [sign_every] */
	uint8_t *sig_msg;		/* [sign_every * ETSI_IC_HASH_LEN]: the hashes to sign */
};

struct lt_integ {
	struct lt_integ_agency *ag;
	const struct etsi_tmpl *tmpl;
	TAILQ_ENTRY(lt_integ) link;	/* in ag->all once it has had a PDU */
	int linked;
	struct run run[2];		/* [enum lt_integ_dt] */
};

struct lt_integ_agency {
	uint32_t hash_every, sign_every;
	int64_t hash_us;
	size_t hash_max, sig_max;	/* the largest hash and signature TRIs */
	const uint8_t *sk;
	struct lt_conn *conn[2];	/* HI2, HI3 */
	TAILQ_HEAD(, lt_integ) all;
	TAILQ_HEAD(, run) due;		/* runs with PDUs, by the time of their first */
	int flushed;			/* nothing since the last lt_integ_flush_all */
	struct lt_integ_stats st;
};

static size_t
tri_max(uint32_t nseqs, size_t value_len)
{
	return ETSI_TRI_MAX + 8 + 7 * (size_t)nseqs + value_len;
}

struct lt_integ_agency *
lt_integ_agency_new(uint32_t hash_every, uint32_t hash_seconds, uint32_t sign_every,
    const uint8_t *sk, struct lt_conn *hi2, struct lt_conn *hi3)
{
	struct lt_integ_agency *ag;

	if (hash_every < 1 || hash_every > LT_INTEG_EVERY_MAX || hash_seconds < 1 ||
	    sign_every < 1 || sign_every > LT_INTEG_EVERY_MAX || sk == NULL ||
	    (ag = calloc(1, sizeof(*ag))) == NULL)
		return NULL;
	ag->hash_every = hash_every;
	ag->sign_every = sign_every;
	ag->hash_us = (int64_t)hash_seconds * 1000000;
	ag->hash_max = tri_max(hash_every, ETSI_IC_HASH_LEN);
	ag->sig_max = tri_max(sign_every, ETSI_IC_SIG_LEN);
	ag->sk = sk;
	ag->conn[LT_INTEG_IRI] = hi2;
	ag->conn[LT_INTEG_CC] = hi3;
	TAILQ_INIT(&ag->all);
	TAILQ_INIT(&ag->due);
	return ag;
}

void
lt_integ_agency_free(struct lt_integ_agency *ag)
{
	struct lt_integ *ig;

	if (ag == NULL)
		return;
	while ((ig = TAILQ_FIRST(&ag->all)) != NULL)
		lt_integ_free(ig);
	free(ag);
}

struct lt_integ_stats
lt_integ_stats(const struct lt_integ_agency *ag)
{
	return ag->st;
}

struct lt_integ *
lt_integ_new(struct lt_integ_agency *ag, const struct etsi_tmpl *tmpl)
{
	struct lt_integ *ig;

	if (ag == NULL || (ig = calloc(1, sizeof(*ig))) == NULL)
		return NULL;
	ig->ag = ag;
	ig->tmpl = tmpl;
	for (int dt = 0; dt < 2; dt++) {
		struct run *r = &ig->run[dt];

		r->ig = ig;
		SHA256_Init(&r->h);
		r->seqs = calloc(ag->hash_every, sizeof(*r->seqs));
		r->sig_seqs = calloc(ag->sign_every, sizeof(*r->sig_seqs));
		r->sig_msg = calloc(ag->sign_every, ETSI_IC_HASH_LEN);
		if (r->seqs == NULL || r->sig_seqs == NULL || r->sig_msg == NULL) {
			lt_integ_free(ig);
			return NULL;
		}
	}
	return ig;
}

void
lt_integ_free(struct lt_integ *ig)
{
	if (ig == NULL)
		return;
	for (int dt = 0; dt < 2; dt++) {
		struct run *r = &ig->run[dt];

		if (r->n > 0)
			TAILQ_REMOVE(&ig->ag->due, r, due);
		free(r->seqs);
		free(r->sig_seqs);
		free(r->sig_msg);
	}
	if (ig->linked)
		TAILQ_REMOVE(&ig->ag->all, ig, link);
	free(ig);
}

size_t
lt_integ_room(const struct lt_integ *ig, enum lt_integ_dt dt, unsigned nrec)
{
	const struct lt_integ_agency *ag = ig->ag;
	const struct run *r = &ig->run[dt];
	/* one more hash for a run the time closes before the first record */
	size_t h = ((size_t)r->n + nrec) / ag->hash_every + 1;
	size_t s = (r->nsig + h) / ag->sign_every;

	return h * ag->hash_max + s * ag->sig_max;
}

static struct etsi_time
us_time(int64_t us)
{
	return (struct etsi_time){ .sec = us / 1000000, .usec = (uint32_t)(us % 1000000) };
}

/* Encodes one integrityCheck TRI into room the caller made sure of. */
static void
put_tri(struct lt_integ *ig, enum lt_integ_dt dt, int64_t now_us,
    const struct etsi_integrity *ic, size_t max)
{
	struct lt_conn *c = ig->ag->conn[dt];
	uint8_t *p = lt_conn_reserve(c, max);
	int n;

	n = etsi_integrity_encode(p, max, ig->tmpl, ig->run[dt].tri_seq, us_time(now_us), ic);
	if (n < 0)
		return;		/* cannot happen: the settings and sizes were checked */
	memmove(p, p + max - n, (size_t)n);
	lt_conn_commit(c, (size_t)n);
	ig->run[dt].tri_seq++;
}

static void
put_sig(struct lt_integ *ig, enum lt_integ_dt dt, int64_t now_us)
{
	struct run *r = &ig->run[dt];
	uint8_t sig[ETSI_IC_SIG_LEN];
	struct etsi_integrity ic = {
		.check_type = ETSI_CHECK_SIGNATURE,
		.data_type = dt == LT_INTEG_IRI ? ETSI_DATA_IRI : ETSI_DATA_CC,
		.seqs = r->sig_seqs,
		.nseqs = r->nsig,
		.value = sig,
		.value_len = sizeof(sig),
	};

	crypto_sign_detached(sig, NULL, r->sig_msg, (size_t)r->nsig * ETSI_IC_HASH_LEN,
	    ig->ag->sk);
	put_tri(ig, dt, now_us, &ic, ig->ag->sig_max);
	r->nsig = 0;
	ig->ag->st.signatures++;
}

static void
run_reset(struct lt_integ *ig, struct run *r)
{
	TAILQ_REMOVE(&ig->ag->due, r, due);
	r->n = 0;
	SHA256_Init(&r->h);
}

/* The hash TRI of a run with PDUs, and the signature it completes.  -1: no room yet. */
static int
close_run(struct lt_integ *ig, enum lt_integ_dt dt, int64_t now_us)
{
	struct lt_integ_agency *ag = ig->ag;
	struct lt_conn *c = ag->conn[dt];
	struct run *r = &ig->run[dt];
	uint8_t v[ETSI_IC_HASH_LEN];
	struct etsi_integrity ic = {
		.check_type = ETSI_CHECK_HASH,
		.data_type = dt == LT_INTEG_IRI ? ETSI_DATA_IRI : ETSI_DATA_CC,
		.seqs = r->seqs,
		.nseqs = r->n,
		.value = v,
		.value_len = sizeof(v),
	};
	size_t need = ag->hash_max + (r->nsig + 1 == ag->sign_every ? ag->sig_max : 0);

	if (c->state == LT_CONN_FAILED) {
		ag->st.dropped += r->n;	/* nobody will read it */
		run_reset(ig, r);
		return 0;
	}
	/* The hash and the signature it completes go in together. */
	if (lt_conn_reserve(c, need) == NULL) {
		ag->st.no_room++;
		return -1;
	}
	SHA256_Final(v, &r->h);
	r->sig_seqs[r->nsig] = r->tri_seq;
	memcpy(r->sig_msg + (size_t)r->nsig * ETSI_IC_HASH_LEN, v, sizeof(v));
	put_tri(ig, dt, now_us, &ic, ag->hash_max);
	r->nsig++;
	ag->st.hashes++;
	run_reset(ig, r);
	if (r->nsig == ag->sign_every)
		put_sig(ig, dt, now_us);
	return 0;
}

void
lt_integ_pdu(struct lt_integ *ig, enum lt_integ_dt dt, uint32_t seq,
    const uint8_t *der, size_t len, int64_t ts_us)
{
	struct lt_integ_agency *ag = ig->ag;
	struct run *r = &ig->run[dt];
	uint8_t d[SHA256_DIGEST_LENGTH];
	SHA256_CTX h;

	if (!ig->linked) {
		TAILQ_INSERT_TAIL(&ag->all, ig, link);
		ig->linked = 1;
	}
	ag->flushed = 0;
	/* first: a TRI may be encoded where der is (a connection spilling to its spool) */
	SHA256_Init(&h);
	SHA256_Update(&h, der, len);
	SHA256_Final(d, &h);
	if (r->n > 0 && ts_us - r->first_us >= ag->hash_us)
		close_run(ig, dt, ts_us);
	if (r->n == ag->hash_every) {
		ag->st.dropped++;	/* the caller reserved no room: cannot happen */
		return;
	}
	SHA256_Update(&r->h, d, sizeof(d));
	if (r->n == 0) {
		r->first_us = ts_us;
		TAILQ_INSERT_TAIL(&ag->due, r, due);
	}
	r->seqs[r->n++] = seq;
	ag->st.pdus++;
	if (r->n == ag->hash_every)
		close_run(ig, dt, ts_us);
}

void
lt_integ_tick(struct lt_integ_agency *ag, int64_t now_us)
{
	struct run *r;

	while ((r = TAILQ_FIRST(&ag->due)) != NULL && now_us - r->first_us >= ag->hash_us)
		if (close_run(r->ig, (enum lt_integ_dt)(r - r->ig->run), now_us) < 0)
			return;
}

int
lt_integ_flush(struct lt_integ *ig, int64_t now_us)
{
	for (int dt = 0; dt < 2; dt++) {
		struct run *r = &ig->run[dt];
		struct lt_conn *c = ig->ag->conn[dt];

		if (r->n > 0 && close_run(ig, (enum lt_integ_dt)dt, now_us) < 0)
			return -1;
		if (r->nsig == 0)
			continue;
		if (c->state == LT_CONN_FAILED) {
			r->nsig = 0;
			continue;
		}
		if (lt_conn_reserve(c, ig->ag->sig_max) == NULL) {
			ig->ag->st.no_room++;
			return -1;
		}
		put_sig(ig, (enum lt_integ_dt)dt, now_us);
	}
	return 0;
}

int
lt_integ_flush_all(struct lt_integ_agency *ag, int64_t now_us)
{
	struct lt_integ *ig;

	if (ag->flushed)
		return 0;
	TAILQ_FOREACH(ig, &ag->all, link)
		if (lt_integ_flush(ig, now_us) < 0)
			return -1;
	ag->flushed = 1;
	return 0;
}
