/*
 * fuzz_warrant.c - the warrant model on arbitrary JSON: a warrant that loads
 * comes back the same from its canonical form, and its data path form agrees.
 */
#include <sodium.h>
#include <string.h>

#include "mgmt/warrant.h"
#include "fuzz.h"

static struct lt_agency agencies[2] = { { .id = "customs" }, { .id = "police" } };

static void
check_rec(const struct lt_warrant_rec *w)
{
	size_t n = (size_t)w->nips + w->nidents + w->nsips;

	FUZZ_CHECK(w->liid_len >= 1 && w->liid_len <= LT_LIID_MAX &&
	    strlen(w->liid) == w->liid_len);
	FUZZ_CHECK(w->agency_idx < 2);
	FUZZ_CHECK(w->content >= LT_CONTENT_IRI && w->content <= LT_CONTENT_BOTH);
	FUZZ_CHECK(w->start_s < w->end_s);
	FUZZ_CHECK(n >= 1 && n <= LT_WARRANT_TARGETS_MAX);
	for (uint32_t i = 0; i < w->nidents; i++)
		FUZZ_CHECK(w->idents[i].len >= 1 && (w->idents[i].kind != LT_IDENT_MAC ||
		    w->idents[i].len == 6));
	for (uint32_t i = 1; i < w->nidents; i++)
		FUZZ_CHECK(w->idents[i].kind >= w->idents[i - 1].kind);
	FUZZ_CHECK(w->intercept_type != LT_INTERCEPT_PEN_REGISTER ||
	    w->content == LT_CONTENT_IRI);
}

/* The data path's form of an active warrant holds the same targets. */
static void
check_dp(const struct lt_warrant_rec *w)
{
	struct lt_config c = { .agencies = agencies, .nagencies = 2 };
	char err[256];

	FUZZ_CHECK(lt_warrants_to_config(w, 1, &c, err, sizeof(err)) == 0);
	FUZZ_CHECK(c.nwarrants == 1 && c.ntargets == w->nips && c.nidents == w->nidents);
	FUZZ_CHECK(c.warrants[0].agency == w->agency_idx && c.warrants[0].cin == w->cin);
	FUZZ_CHECK(w->nips == 0 || memcmp(c.targets, w->ips, w->nips * sizeof(*w->ips)) == 0);
	FUZZ_CHECK(w->nidents == 0 ||
	    memcmp(c.idents, w->idents, w->nidents * sizeof(*w->idents)) == 0);
	sodium_free(c.warrants);
	if (c.targets != NULL)
		sodium_free(c.targets);
	if (c.idents != NULL)
		sodium_free(c.idents);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lt_config cfg = { .agencies = agencies, .nagencies = 2 };
	json_t *j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, NULL);

	if (j == NULL)
		return 0;
	for (unsigned flags = 0; flags <= LT_WARRANT_STORED; flags++) {
		struct lt_warrant_rec w, w2;
		char err[256], *s1, *s2;
		json_t *o1, *o2;
		int r;

		memset(err, 0x55, sizeof(err));
		r = lt_warrant_from_json(j, &cfg, flags, &w, err, sizeof(err));
		FUZZ_CHECK(r == 0 || r == -1);
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		if (r < 0) {
			FUZZ_CHECK(err[0] != '\0');
			lt_warrant_rec_free(&w);
			continue;
		}
		check_rec(&w);
		FUZZ_CHECK((o1 = lt_warrant_to_json(&w)) != NULL);
		FUZZ_CHECK(lt_warrant_from_json(o1, &cfg, flags, &w2, err, sizeof(err)) == 0);
		FUZZ_CHECK((o2 = lt_warrant_to_json(&w2)) != NULL);
		s1 = json_dumps(o1, JSON_COMPACT);
		s2 = json_dumps(o2, JSON_COMPACT);
		FUZZ_CHECK(s1 != NULL && s2 != NULL && strcmp(s1, s2) == 0);
		FUZZ_CHECK(w2.nips == w.nips && w2.nidents == w.nidents && w2.nsips == w.nsips);
		FUZZ_CHECK(w.nips == 0 || memcmp(w.ips, w2.ips, w.nips * sizeof(*w.ips)) == 0);
		FUZZ_CHECK(w.nidents == 0 ||
		    memcmp(w.idents, w2.idents, w.nidents * sizeof(*w.idents)) == 0);
		if (w.state == LT_WSTATE_ACTIVE)
			check_dp(&w);
		free(s1);
		free(s2);
		json_decref(o1);
		json_decref(o2);
		lt_warrant_rec_free(&w2);
		lt_warrant_rec_free(&w);
	}
	json_decref(j);
	return 0;
}
