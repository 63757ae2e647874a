/* seqkeep.c - sequence numbers and session CINs across restarts, for the running appliance. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "dp.h"
#include "mgmt/seqstate.h"
#include "seqkeep.h"
#include "session/track/track.h"
#include "util/log.h"

/* Session CINs a lost run may have given after its last checkpoint. */
#define CIN_MARGIN	(1u << 16)

#define SHADOW_FILE	"seq.shadow"

static struct {
	const char *dir;
	uint8_t *key;
	struct lt_seqstate old;		/* as loaded: warrants not running now are kept */
	struct lt_seqshadow *shadow;	/* [lt_dp.slots_cap], mapped from shm_dir */
	size_t shadow_len;
	char shadow_path[4096];
} K;

static uint64_t
ident(const struct lt_warrant *w)
{
	uint8_t in[LT_LIID_MAX + 4], h[8];
	uint64_t v;

	memcpy(in, w->liid, w->liid_len);
	memcpy(in + w->liid_len, &w->cin, 4);
	crypto_generichash(h, sizeof(h), in, w->liid_len + 4u, K.key, 32);
	memcpy(&v, h, sizeof(v));
	return v | 1;			/* never 0 */
}

/* Maps shm_dir/seq.shadow; *had: it held a killed run's numbers. */
static int
shadow_map(const char *shm_dir, bool *had, char *err, size_t errlen)
{
	size_t len = (size_t)lt_dp.slots_cap * sizeof(struct lt_seqshadow);
	char path[4096];
	struct stat sb;
	void *m;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", shm_dir, SHADOW_FILE);
	snprintf(K.shadow_path, sizeof(K.shadow_path), "%s", path);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*had = sb.st_size > 0;
	if ((size_t)sb.st_size != len && ftruncate(fd, (off_t)len) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot map it: %s", path, strerror(errno));
		return -1;
	}
	K.shadow = m;
	K.shadow_len = len;
	return 0;
}

static const struct lt_seqshadow *
shadow_find(const struct lt_seqshadow *copy, size_t n, const struct lt_warrant *w)
{
	uint64_t id = ident(w);

	for (size_t i = 0; i < n; i++)
		if (copy[i].used && copy[i].ident == id && copy[i].cin == w->cin)
			return &copy[i];
	return NULL;
}

/* The slot's numbers from now on go to its shadow entry too. */
static void
shadow_attach(unsigned slot)
{
	const struct lt_warrant *w = lt_dp.wrec[slot];
	struct lt_seqshadow *e;
	struct lt_wown *o = &lt_dp.wown[slot];

	if (K.shadow == NULL || w == NULL)
		return;
	e = &K.shadow[slot];
	e->used = 0;
	e->ident = ident(w);
	e->cin = w->cin;
	e->cc_seq = o->cc_seq;
	e->iri_seq = o->iri_seq;
	e->iri_state = o->iri_state;
	__atomic_store_n(&e->used, 1, __ATOMIC_RELEASE);
	o->sh = e;
}

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
lt_seqkeep_start(const char *state_dir, const char *shm_dir, char *err, size_t errlen)
{
	struct lt_seqshadow *copy = NULL;
	uint32_t found = 0, exact = 0;
	bool had = false;

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
	if (shm_dir != NULL && shadow_map(shm_dir, &had, err, errlen) < 0)
		return -1;
	if (had && !K.old.clean && (copy = malloc(K.shadow_len)) != NULL)
		memcpy(copy, K.shadow, K.shadow_len);
	for (unsigned s = 0; s < lt_dp.nslots; s++) {
		const struct lt_warrant *w = lt_dp.wrec[s];
		const struct lt_seq_entry *e;
		const struct lt_seqshadow *x;

		if (w == NULL)
			continue;
		e = lt_seqstate_find(&K.old, w->liid, w->liid_len, w->cin);
		x = copy ? shadow_find(copy, lt_dp.slots_cap, w) : NULL;
		if (x != NULL) {
			/* killed: the owner's own numbers, kept record by record */
			struct lt_seq_entry ex = { .cc_seq = x->cc_seq, .iri_seq = x->iri_seq,
			    .iri_state = x->iri_state, .next_cin = e ? e->next_cin : 0 };

			apply_entry(s, &ex, true);
			if (ex.next_cin != 0)
				lt_track_set_next_cin(s, ex.next_cin + CIN_MARGIN);
			exact++;
		} else if (e != NULL) {
			apply_entry(s, e, K.old.clean);
			found++;
		}
		shadow_attach(s);
	}
	free(copy);
	if (exact > 0)
		log_info("%s: %u warrants go on with the numbers a killed run left", SHADOW_FILE,
		    exact);
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
		shadow_attach(slot);
		return;
	}
	if ((e = lt_seqstate_find(&K.old, w->liid, w->liid_len, w->cin)) != NULL) {
		apply_entry(slot, e, true);
		lt_dp.wown[slot].iri_state = LT_IRI_NONE;
	}
	shadow_attach(slot);
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
	/* seq.bin now holds the exact numbers: the shadow is not needed */
	if (r == 0 && clean && K.shadow != NULL)
		unlink(K.shadow_path);
	return r;
}

void
lt_seqkeep_free(void)
{
	if (K.shadow != NULL)
		munmap(K.shadow, K.shadow_len);
	K.shadow = NULL;
	lt_seqstate_free(&K.old);
	sodium_free(K.key);
	K.key = NULL;
}
