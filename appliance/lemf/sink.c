/* sink.c - one JSON line and one accounting entry per PDU. */
#include <string.h>

#include "lemf/sink.h"

int
lemf_sink_init(struct lemf_sink *s, FILE *out)
{
	return lemf_sink_init_key(s, out, NULL);
}

int
lemf_sink_init_key(struct lemf_sink *s, FILE *out, const uint8_t *key)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	if ((s->st = seqtrack_new()) == NULL || (s->ic = integrity_new(key)) == NULL) {
		lemf_sink_free(s);
		return -1;
	}
	return 0;
}

void
lemf_sink_free(struct lemf_sink *s)
{
	seqtrack_free(s->st);
	integrity_free(s->ic);
	s->st = NULL;
	s->ic = NULL;
}

static void
put(struct lemf_sink *s, json_t *j)
{
	if (pdujson_write(s->out, j) < 0)
		s->write_failed = 1;
}

void
lemf_sink_error(struct lemf_sink *s, const struct pdu_origin *o,
    const char *err)
{
	s->errors++;
	put(s, pdujson_error(o, err));
}

int
lemf_sink_pdu(struct lemf_sink *s, const struct pdu_origin *o,
    const uint8_t *pdu, size_t len, struct etsi_pdu *p,
    char *err, size_t errlen)
{
	enum seqtrack_kind k;

	err[0] = '\0';
	if (etsi_pdu_decode(pdu, len, p, err, errlen) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "not a valid PS-PDU");
		lemf_sink_error(s, o, err);
		return -1;
	}
	s->pdus++;
	{
		int r = integrity_pdu(s->ic, p, pdu, len);
		const char *name = integrity_result_name(r);
		json_t *j = pdujson_pdu(o, p);

		if (j != NULL && name != NULL)
			json_object_set_new(j, "integrity", json_string(name));
		put(s, j);
	}
	if (p->kind == ETSI_KIND_TRI_OTHER && p->tri == 7)
		seqtrack_reset(s->st, p->liid, p->liid_len, p->has_cin, p->cin);
	if (p->kind != ETSI_KIND_IRI && p->kind != ETSI_KIND_CC)
		return 0;
	k = p->kind == ETSI_KIND_IRI ? SEQTRACK_IRI : SEQTRACK_CC;
	if (seqtrack_add(s->st, p->liid, p->liid_len, p->has_cin, p->cin, k,
	    p->seq) < 0) {
		snprintf(err, errlen, "out of memory for sequence accounting");
		lemf_sink_error(s, o, err);
		return -1;
	}
	return 0;
}

int
lemf_sink_summary(struct lemf_sink *s, FILE *f)
{
	int gapped = seqtrack_print(s->st, f);
	struct integrity_counts c = integrity_counts(s->ic);

	if (c.ok + c.mismatch + c.incomplete > 0)
		fprintf(f, "integrity checks: %llu ok, %llu mismatch, %llu incomplete\n",
		    (unsigned long long)c.ok, (unsigned long long)c.mismatch,
		    (unsigned long long)c.incomplete);
	if (c.mismatch + c.incomplete > 0)
		gapped = 1;
	fprintf(f, "pdus %llu, errors %llu%s\n", (unsigned long long)s->pdus,
	    (unsigned long long)s->errors,
	    s->write_failed ? ", output incomplete (write failed)" : "");
	return gapped != 0 || s->errors > 0 || s->write_failed ? 1 : 0;
}
