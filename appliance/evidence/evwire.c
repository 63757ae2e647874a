/* evwire.c - one evidence store per warrant that asks, written by the warrant's owner lcore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "evidence/evkey.h"
#include "evidence/evwire.h"
#include "evidence/pcapw.h"
#include "evidence/store.h"
#include "util/log.h"

struct slot {
	struct ev_store *s;		/* NULL: no evidence for this warrant */
	uint16_t owner;
	uint8_t failed;
	int64_t last_us;		/* the last packet written, to write it once */
	const uint8_t *last_pkt;
};

struct lt_evwire {
	struct lt_ev_conf conf;
	uint8_t *sk;
	uint32_t nslots;
	uint32_t *open;			/* slots with a store, nopen of them */
	uint32_t nopen;
	struct slot *slot;
	struct lt_evwire_stats st;
};

struct lt_evwire *
lt_evwire_new(const struct lt_ev_conf *conf, uint32_t nslots, char *err, size_t errlen)
{
	struct lt_evwire *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->slot = calloc(nslots, sizeof(*e->slot))) == NULL ||
	    (e->open = calloc(nslots, sizeof(*e->open))) == NULL) {
		snprintf(err, errlen, "evidence: out of memory");
		goto fail;
	}
	e->conf = *conf;
	e->nslots = nslots;
	if (mkdir(conf->dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "evidence: cannot make %s: %s", conf->dir, strerror(errno));
		goto fail;
	}
	if (ev_key_load_secret(conf->key, &e->sk, err, errlen) < 0)
		goto fail;
	return e;
fail:
	if (e != NULL) {
		free(e->slot);
		free(e->open);
		free(e);
	}
	return NULL;
}

int
lt_evwire_open(struct lt_evwire *e, uint32_t slot, uint16_t owner,
    const struct lt_warrant *w, char *err, size_t errlen)
{
	uint8_t id[8];
	char hex[2 * sizeof(id) + 1], name[8 + sizeof(hex)], dir[LT_PATH_MAX + 32], serr[512];
	struct ev_store_conf sc = {
		.prefix = name,
		.linktype = EV_LINKTYPE_RAW,
		.max_bytes = e->conf.max_bytes,
		.max_age = e->conf.max_seconds,
	};

	if (slot >= e->nslots) {
		snprintf(err, errlen, "evidence: warrant slot %u out of range", slot);
		return -1;
	}
	/* keyed with the secret key's seed half: opaque to whoever reads the directory */
	crypto_generichash(id, sizeof(id), (const uint8_t *)w->liid, w->liid_len, e->sk, 32);
	sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
	snprintf(name, sizeof(name), "w-%s", hex);
	snprintf(dir, sizeof(dir), "%s/%s", e->conf.dir, name);
	sc.dir = dir;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "evidence: warrant %u: cannot make its store %s: %s",
		    slot, dir, strerror(errno));
		return -1;
	}
	if (ev_store_open(&e->slot[slot].s, &sc, e->sk, serr, sizeof(serr)) < 0) {
		snprintf(err, errlen, "evidence: warrant %u: %s", slot, serr);
		return -1;
	}
	e->slot[slot].owner = owner;
	e->slot[slot].last_us = INT64_MIN;
	e->open[e->nopen++] = slot;
	e->st.stores++;
	log_info("evidence: warrant %u writes to %s", slot, dir);
	return 0;
}

static void
failed(struct lt_evwire *e, uint32_t slot)
{
	struct slot *s = &e->slot[slot];

	e->st.failures++;
	if (!s->failed) {
		s->failed = 1;
		e->st.failed++;
		log_err("evidence: warrant %u: the store failed (%s); its packets are no "
		    "longer kept, delivery goes on", slot, ev_store_error(s->s));
	}
}

void
lt_evwire_packet(struct lt_evwire *e, uint32_t slot, int64_t ts_us, const uint8_t *pkt,
    uint32_t len)
{
	struct slot *s = &e->slot[slot];

	if (s->s == NULL || (s->last_pkt == pkt && s->last_us == ts_us))
		return;
	s->last_pkt = pkt;
	s->last_us = ts_us;
	if (s->failed || ev_store_write(s->s, (uint64_t)(ts_us / 1000000),
	    (uint32_t)(ts_us % 1000000), pkt, len, len) < 0) {
		failed(e, slot);
		return;
	}
	e->st.packets++;
	e->st.bytes += len;
}

void
lt_evwire_tick(struct lt_evwire *e, uint16_t owner, int64_t now_us)
{
	for (uint32_t i = 0; i < e->nopen; i++) {
		struct slot *s = &e->slot[e->open[i]];

		if (s->owner == owner && !s->failed &&
		    ev_store_tick(s->s, (uint64_t)(now_us / 1000000)) < 0)
			failed(e, e->open[i]);
	}
}

struct lt_evwire_stats
lt_evwire_stats(const struct lt_evwire *e)
{
	return e->st;
}

int
lt_evwire_free(struct lt_evwire *e)
{
	int rc = 0;

	if (e == NULL)
		return 0;
	for (uint32_t i = 0; i < e->nopen; i++) {
		struct slot *s = &e->slot[e->open[i]];

		if (ev_store_close(s->s) < 0 && !s->failed) {
			log_err("evidence: warrant %u: its last file could not be closed",
			    e->open[i]);
			rc = -1;
		}
	}
	ev_key_free(e->sk);
	free(e->slot);
	free(e->open);
	free(e);
	return rc;
}
