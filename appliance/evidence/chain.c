/* chain.c - walk a manifest in memory: syntax, hash chain and signatures, each problem named. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "evidence/chain.h"

static const char *const names[EV_NPROBLEM] = {
	"header", "syntax", "edited", "chain", "seq", "sig-bad", "sig-missing",
	"sig-stray", "truncated", "changed", "missing", "extra", "moved",
	"dup-name", "unfinished", "pending", "io",
};

const char *
ev_problem_name(enum ev_problem p)
{
	return (unsigned)p < EV_NPROBLEM ? names[p] : "unknown";
}

int
ev_problem_crash(enum ev_problem p)
{
	return p == EV_P_TRUNCATED || p == EV_P_UNFINISHED || p == EV_P_PENDING;
}

struct walk {
	const struct ev_chain_cb *cb;
	struct ev_chain *out;
};

static void __attribute__((format(printf, 3, 4)))
report(struct walk *w, enum ev_problem p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->out->problems++;
	if (ev_problem_crash(p))
		w->out->crash_problems++;
	if (w->cb != NULL && w->cb->problem != NULL)
		w->cb->problem(w->cb->arg, p, msg);
}

static int
deliver(struct walk *w, const struct ev_entry *e, unsigned line)
{
	w->out->entries++;
	if (w->cb != NULL && w->cb->entry != NULL)
		return w->cb->entry(w->cb->arg, e, line);
	return 0;
}

static void
check_f(struct walk *w, const struct ev_entry *e, const uint8_t *computed,
    unsigned ln, int first)
{
	struct ev_chain *o = w->out;

	if (memcmp(computed, e->hash, EV_HASH_LEN) != 0)
		report(w, EV_P_EDITED, "manifest line %u (seq %" PRIu64 "): its "
		    "fields do not give its hash: the line was edited", ln, e->seq);
	if (o->have_header && memcmp(e->prev, o->last_hash, EV_HASH_LEN) != 0)
		report(w, EV_P_CHAIN, "manifest line %u (seq %" PRIu64 "): chain "
		    "break: prev is not the hash of the entry before it (an entry "
		    "was removed, inserted or moved here)", ln, e->seq);
	if (!first && e->seq <= o->last_seq)
		report(w, EV_P_SEQ, "manifest line %u: seq %" PRIu64 " after seq %"
		    PRIu64 ": entries out of order", ln, e->seq, o->last_seq);
	o->last_seq = e->seq;
	memcpy(o->last_hash, e->hash, EV_HASH_LEN);
	o->have_header = 1;	/* from here on, chain from what was written */
}

static void
check_s(struct walk *w, const struct ev_entry *f, const struct ev_sig *s,
    const uint8_t pk[EV_PK_LEN], unsigned ln)
{
	uint8_t msg[EV_SIG_MSG_LEN];

	if (s->seq != f->seq || memcmp(s->hash, f->hash, EV_HASH_LEN) != 0) {
		report(w, EV_P_SIG_BAD, "manifest line %u: signature is for seq %"
		    PRIu64 " with another hash, not for the entry (seq %" PRIu64
		    ") before it", ln, s->seq, f->seq);
		return;
	}
	ev_sig_msg(s->hash, msg);
	if (crypto_sign_verify_detached(s->sig, msg, sizeof(msg), pk) != 0)
		report(w, EV_P_SIG_BAD, "manifest line %u (seq %" PRIu64 "): bad "
		    "signature (edited, or signed by another key)", ln, s->seq);
}

int
ev_chain_walk(const char *buf, size_t len, const uint8_t pk[static EV_PK_LEN],
    const struct ev_chain_cb *cb, struct ev_chain *out)
{
	struct walk w = { cb, out };
	struct ev_entry pend;
	uint8_t computed[EV_HASH_LEN];
	struct ev_line l;
	size_t pos = 0;
	unsigned ln = 0, pend_ln = 0;
	int have_pend = 0, first = 1, r;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n;

		if (nl == NULL) {
			report(&w, EV_P_TRUNCATED, "manifest ends in a partial line "
			    "(line %u, %zu bytes): the writer stopped while "
			    "appending (crash?)", ln + 1, len - pos);
			if (have_pend)
				report(&w, EV_P_TRUNCATED, "entry seq %" PRIu64
				    " (line %u) lost its signature to that crash "
				    "and is not counted", pend.seq, pend_ln);
			return 0;
		}
		n = (size_t)(nl - (buf + pos));
		ln++;
		r = ev_line_parse(buf + pos, n, &l, computed);
		if (r < 0) {
			report(&w, ln == 1 ? EV_P_HEADER : EV_P_SYNTAX,
			    "manifest line %u: %s", ln, ev_mf_strerror(r));
		} else if (l.type == EV_LINE_HEADER) {
			if (ln != 1) {
				report(&w, EV_P_SYNTAX, "manifest line %u: a second "
				    "store header", ln);
			} else {
				memcpy(out->store_id, l.u.store_id, EV_ID_LEN);
				ev_genesis(l.u.store_id, out->last_hash);
				out->have_header = 1;
			}
		} else if (ln == 1) {
			report(&w, EV_P_HEADER, "manifest line 1 is not the store "
			    "header: the chain cannot be checked from its start");
		}
		if (r == 0 && l.type == EV_LINE_FILE) {
			if (have_pend) {
				report(&w, EV_P_SIG_MISSING, "manifest line %u (seq %"
				    PRIu64 "): no signature line after it", pend_ln,
				    pend.seq);
				if ((r = deliver(&w, &pend, pend_ln)) < 0)
					return r;
			}
			check_f(&w, &l.u.f, computed, ln, first);
			first = 0;
			pend = l.u.f;
			pend_ln = ln;
			have_pend = 1;
		} else if (r == 0 && l.type == EV_LINE_SIG) {
			if (!have_pend) {
				report(&w, EV_P_SIG_STRAY, "manifest line %u: a "
				    "signature line with no entry line before it", ln);
			} else {
				check_s(&w, &pend, &l.u.s, pk, ln);
				have_pend = 0;
				if ((r = deliver(&w, &pend, pend_ln)) < 0)
					return r;
			}
		}
		pos += n + 1;
		if (!have_pend)
			out->good_len = pos;
	}
	if (have_pend)
		report(&w, EV_P_TRUNCATED, "manifest ends after entry seq %" PRIu64
		    " (line %u) without its signature: the writer stopped while "
		    "appending (crash?); the entry is not counted", pend.seq,
		    pend_ln);
	if (len == 0)
		report(&w, EV_P_HEADER, "manifest is empty");
	return 0;
}
