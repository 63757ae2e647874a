/* deliver.c - encode IPCC and IPIRI records straight into a connection's queue. */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "mediate/deliver.h"
#include "util/be.h"

static uint8_t sid_key[crypto_shorthash_KEYBYTES];
static bool sid_key_set;

int
lt_wown_init(struct lt_wown *o, const struct lt_config *cfg, uint32_t warrant)
{
	return lt_wown_init_cin(o, cfg, warrant, cfg->warrants[warrant].cin);
}

int
lt_wown_init_cin(struct lt_wown *o, const struct lt_config *cfg, uint32_t warrant,
    uint32_t cin)
{
	return lt_wown_init_rec(o, cfg, &cfg->warrants[warrant], cin);
}

int
lt_wown_init_rec(struct lt_wown *o, const struct lt_config *cfg, const struct lt_warrant *w,
    uint32_t cin)
{
	const struct lt_agency *a = &cfg->agencies[w->agency];
	struct etsi_ident id = {
		.pspdu_version = a->pspdu_version,
		.ipaccess_version = a->ipaccess_version,
		.liid = w->liid,
		.liid_len = w->liid_len,
		.auth_cc = cfg->auth_cc[0] ? cfg->auth_cc : NULL,
		.operator_id = cfg->operator_id,
		.ne_id = cfg->ne_id[0] ? cfg->ne_id : NULL,
		.has_cin = 1,
		.cin = cin,
		.delivery_cc = cfg->delivery_cc[0] ? cfg->delivery_cc : NULL,
	};

	memset(o, 0, sizeof(*o));
	if (sid_key_set) {
		uint8_t in[LT_LIID_MAX + 4], h[crypto_shorthash_BYTES];

		memcpy(in, w->liid, w->liid_len);
		lt_put_be(in + w->liid_len, cin, 4);
		crypto_shorthash(h, in, w->liid_len + 4u, sid_key);
		o->sid = (uint32_t)lt_get_be(h, 4);
	}
	return etsi_tmpl_init(&o->tmpl, &id);
}

void
lt_deliver_sid_key(const uint8_t key[static 16])
{
	memcpy(sid_key, key, sizeof(sid_key));
	sid_key_set = true;
}

enum lt_deliver_result
lt_deliver_reset(struct lt_conn *c, struct lt_wown *o, uint8_t which, struct etsi_time ts)
{
	uint8_t tmp[ETSI_TRI_MAX], *p;
	int n;

	if (!(o->reset & which))
		return LT_DELIVERED;
	if (c->state == LT_CONN_FAILED)
		return LT_UNDELIVERABLE;
	if ((n = etsi_cinreset_encode(tmp, sizeof(tmp), &o->tmpl, ts)) < 0)
		return LT_UNDELIVERABLE;
	if ((p = lt_conn_reserve(c, (size_t)n)) == NULL)
		return LT_NO_ROOM;
	memcpy(p, tmp + sizeof(tmp) - n, (size_t)n);
	lt_conn_commit_sid(c, (size_t)n, o->sid);
	o->reset &= (uint8_t)~which;
	return LT_DELIVERED;
}

enum lt_deliver_result
lt_deliver_cc(struct lt_conn *c, struct lt_wown *o, struct etsi_time ts,
    enum etsi_dir dir, const uint8_t *pkt, uint32_t len)
{
	uint8_t head[ETSI_IPCC_HEAD_MAX];
	uint8_t *p;
	int n;

	if (c->state == LT_CONN_FAILED)
		return LT_UNDELIVERABLE;
	if (o->reset != 0) {
		enum lt_deliver_result r = lt_deliver_reset(c, o, LT_RESET_CC, ts);

		if (r != LT_DELIVERED)
			return r;
	}
	p = lt_conn_reserve(c, ETSI_IPCC_HEAD_MAX + (size_t)len +
	    (o->integ != NULL ? lt_integ_room(o->integ, LT_INTEG_CC, 1) : 0));
	if (p == NULL)
		return LT_NO_ROOM;
	n = etsi_ipcc_head(head, sizeof(head), &o->tmpl, o->cc_seq, ts, dir, len);
	if (n < 0)
		return LT_UNDELIVERABLE;
	memcpy(p, head + sizeof(head) - n, (size_t)n);
	memcpy(p + n, pkt, len);
	if (o->sh != NULL)
		o->sh->cc_seq = o->cc_seq + 1;	/* before the record is there: never reused */
	lt_conn_commit_sid(c, (size_t)n + len, o->sid);
	if (o->integ != NULL)
		lt_integ_pdu(o->integ, LT_INTEG_CC, o->cc_seq, p, (size_t)n + len,
		    ts.sec * 1000000 + ts.usec);
	o->cc_seq++;
	return LT_DELIVERED;
}

static struct etsi_time
us_to_time(int64_t us)
{
	return (struct etsi_time){ .sec = us / 1000000, .usec = (uint32_t)(us % 1000000) };
}

static enum lt_deliver_result
iri_per_target(struct lt_conn *c, struct lt_wown *o, const struct lt_warrant *w,
    enum etsi_iri_type type, enum etsi_access_event ev, struct etsi_time ts)
{
	static const char username[] = "unknown";
	size_t need = (size_t)w->ntargets * ETSI_IPIRI_MAX +
	    (o->integ != NULL ? lt_integ_room(o->integ, LT_INTEG_IRI, w->ntargets) : 0);
	uint8_t *p;

	if (c->state == LT_CONN_FAILED) {
		c->st.records_lost += w->ntargets;	/* the agency gave up on: counted */
		return LT_UNDELIVERABLE;
	}
	if (o->reset != 0) {
		enum lt_deliver_result r = lt_deliver_reset(c, o, LT_RESET_IRI, ts);

		if (r != LT_DELIVERED)
			return r;
	}
	/* All of a warrant's IRIs go in together or not at all. */
	if (lt_conn_reserve(c, need) == NULL)
		return LT_NO_ROOM;
	for (uint32_t t = 0; t < w->ntargets; t++) {
		const struct lt_prefix *tp = &w->targets[t];
		struct etsi_ipiri iri = {
			.iri_type = type,
			.event = ev,
			.username = username,
			.username_len = sizeof(username) - 1,
			.access_type = 0,		/* undefined */
			.ip_version = tp->family == 4 ? 1 : 2,
			.has_target = 1,
			.target = {
				.family = tp->family,
				.prefix_len = tp->len,
				.assignment = 1,	/* static */
			},
		};
		uint8_t tmp[ETSI_IPIRI_MAX];
		int n;

		memcpy(iri.target.addr, tp->addr, 16);
		n = etsi_ipiri_encode(tmp, sizeof(tmp), &o->tmpl, o->iri_seq, ts, &iri);
		if (n < 0)
			return LT_UNDELIVERABLE;
		p = lt_conn_reserve(c, (size_t)n);
		if (p == NULL)
			return LT_NO_ROOM;	/* cannot happen: room was checked */
		memcpy(p, tmp + sizeof(tmp) - n, (size_t)n);
		if (o->sh != NULL)
			o->sh->iri_seq = o->iri_seq + 1;
		lt_conn_commit_sid(c, (size_t)n, o->sid);
		if (o->integ != NULL)
			lt_integ_pdu(o->integ, LT_INTEG_IRI, o->iri_seq, p, (size_t)n,
			    ts.sec * 1000000 + ts.usec);
		o->iri_seq++;
	}
	return LT_DELIVERED;
}

enum lt_deliver_result
lt_deliver_window_iri(struct lt_conn *c, struct lt_wown *o, const struct lt_warrant *w,
    int64_t start_us, int64_t end_us, int64_t clock_us, int64_t first_us)
{
	enum lt_deliver_result r;

	if (o->iri_state == LT_IRI_NONE && clock_us >= start_us && end_us > first_us) {
		int64_t at = start_us > first_us ? start_us : first_us;

		r = iri_per_target(c, o, w, ETSI_IRI_BEGIN, ETSI_AE_START_WITH_SESSION_ACTIVE,
		    us_to_time(at));
		if (r == LT_NO_ROOM)
			return r;
		o->iri_state = LT_IRI_BEGUN;
		if (o->sh != NULL)
			o->sh->iri_state = LT_IRI_BEGUN;
	}
	if (o->iri_state == LT_IRI_BEGUN && clock_us >= end_us) {
		r = iri_per_target(c, o, w, ETSI_IRI_END, ETSI_AE_END_WITH_SESSION_ACTIVE,
		    us_to_time(end_us));
		if (r == LT_NO_ROOM)
			return r;
		o->iri_state = LT_IRI_ENDED;
		if (o->sh != NULL)
			o->sh->iri_state = LT_IRI_ENDED;
	}
	return LT_DELIVERED;
}
