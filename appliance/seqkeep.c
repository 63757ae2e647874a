/* seqkeep.c - sequence numbers and session CINs across restarts, for the running appliance. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "dp.h"
#include "mgmt/seqstate.h"
#include "seqkeep.h"
#include "session/track/track.h"
#include "util/log.h"

/* Session CINs a lost run may have given after its last checkpoint. */
#define CIN_MARGIN	(1u << 16)

static struct {
	const char *dir;
	uint8_t *key;
	struct lt_seqstate old;		/* as loaded: warrants not running now are kept */
} K;

static uint32_t
rd32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
apply_entry(unsigned slot, const struct lt_seq_entry *e, bool clean)
{
	struct lt_wown *o = &lt_dp.wown[slot];

	if (clean) {
		o->cc_seq = e->cc_seq;
		o->iri_seq = e->iri_seq;
		o->iri_state = e->iri_state;
	} else {
		o->reset = LT_RESET_CC | LT_RESET_IRI;
	}
	if (e->next_cin != 0)
		lt_track_set_next_cin(slot, clean ? e->next_cin : e->next_cin + CIN_MARGIN);
}

int
lt_seqkeep_start(const char *state_dir, char *err, size_t errlen)
{
	uint32_t found = 0;

	if (state_dir == NULL)
		return 0;
	K.dir = state_dir;
	if ((K.key = sodium_malloc(32)) == NULL) {
		snprintf(err, errlen, "sequence state: out of memory");
		return -1;
	}
	if (lt_seqstate_key(state_dir, K.key, err, errlen) < 0 ||
	    lt_seqstate_load(state_dir, K.key, &K.old, err, errlen) < 0)
		return -1;
	for (unsigned s = 0; s < lt_dp.nslots; s++) {
		const struct lt_warrant *w = lt_dp.wrec[s];
		const struct lt_seq_entry *e = w ? lt_seqstate_find(&K.old, w->liid, w->liid_len,
		    w->cin) : NULL;

		if (e != NULL) {
			apply_entry(s, e, K.old.clean);
			found++;
		}
	}
	if (found > 0)
		log_info("%s: %u warrants continue %s", LT_SEQSTATE_FILE, found, K.old.clean ?
		    "their sequence numbers" : "after an unclean stop: each starts again "
		    "with a cINReset");
	return lt_seqkeep_save(false, err, errlen);
}

void
lt_seqkeep_restore(unsigned slot)
{
	const struct lt_warrant *w = lt_dp.wrec[slot];
	const struct lt_seq_entry *e;

	if (K.key == NULL || w == NULL)
		return;
	/* the same warrant dropped earlier in this run: its slot still counts */
	for (unsigned s = 0; s < lt_dp.nslots; s++) {
		const struct lt_warrant *x = lt_dp.wrec[s];
		struct lt_wown *o = &lt_dp.wown[slot], *p = &lt_dp.wown[s];

		if (s == slot || x == NULL || x->cin != w->cin || x->liid_len != w->liid_len ||
		    memcmp(x->liid, w->liid, w->liid_len) != 0)
			continue;
		o->cc_seq = rd32(&p->cc_seq);
		o->iri_seq = rd32(&p->iri_seq);
		if (lt_track_next_cin(s) != 0)
			lt_track_set_next_cin(slot, lt_track_next_cin(s));
		return;
	}
	if ((e = lt_seqstate_find(&K.old, w->liid, w->liid_len, w->cin)) != NULL) {
		apply_entry(slot, e, true);
		lt_dp.wown[slot].iri_state = LT_IRI_NONE;
	}
}

int
lt_seqkeep_save(bool clean, char *err, size_t errlen)
{
	struct lt_seqstate ss = { .clean = clean };
	int r;

	if (K.key == NULL)
		return 0;
	if (lt_seqstate_alloc(&ss, lt_dp.nslots + K.old.n) < 0) {
		snprintf(err, errlen, "sequence state: out of memory");
		return -1;
	}
	for (unsigned s = 0; s < lt_dp.nslots && ss.n < LT_SEQSTATE_MAX; s++) {
		const struct lt_warrant *w = lt_dp.wrec[s];
		const struct lt_wown *o = &lt_dp.wown[s];
		struct lt_seq_entry *e;

		if (w == NULL)
			continue;
		/* a warrant in two slots (dropped, then added again): the later slot counts */
		if ((e = (struct lt_seq_entry *)lt_seqstate_find(&ss, w->liid, w->liid_len,
		    w->cin)) == NULL)
			e = &ss.e[ss.n++];
		memcpy(e->liid, w->liid, w->liid_len);
		e->liid_len = w->liid_len;
		e->cin = w->cin;
		e->cc_seq = rd32(&o->cc_seq);
		e->iri_seq = rd32(&o->iri_seq);
		e->iri_state = __atomic_load_n(&o->iri_state, __ATOMIC_RELAXED);
		e->next_cin = lt_track_next_cin(s);
	}
	for (uint32_t i = 0; i < K.old.n && ss.n < LT_SEQSTATE_MAX; i++)
		if (lt_seqstate_find(&ss, K.old.e[i].liid, K.old.e[i].liid_len,
		    K.old.e[i].cin) == NULL)
			ss.e[ss.n++] = K.old.e[i];
	r = lt_seqstate_save(K.dir, K.key, &ss, err, errlen);
	lt_seqstate_free(&ss);
	return r;
}

void
lt_seqkeep_free(void)
{
	lt_seqstate_free(&K.old);
	sodium_free(K.key);
	K.key = NULL;
}
