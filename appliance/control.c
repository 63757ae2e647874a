/* control.c - the daemon's side of the control socket: status snapshots, reload requests. */
#include <string.h>

#include "dp.h"
#include "mgmt/ctl.h"
#include "mgmt/statusfmt.h"
#include "session/track/track.h"
#include "util/log.h"

static volatile int reload_asked;
static uint64_t started_ns;

void
lt_control_start(void)
{
	started_ns = lt_mono_ns();
}

int
lt_control_reload_asked(void)
{
	int r = reload_asked;

	reload_asked = 0;
	return r;
}

static void
hi(struct lt_status_hi *h, const struct lt_conn *c, uint64_t extra_lost)
{
	snprintf(h->state, sizeof(h->state), "%s", c->state == LT_CONN_UP && c->draining ?
	    "draining" : lt_conn_state_name(c->state));
	h->records_sent = c->st.records_sent;
	h->bytes_sent = c->st.bytes_sent;
	h->queued = lt_conn_backlog(c);
	h->queued_disk = lt_connq_spool_records(&c->cq);
	h->spooled = c->cq.spooled;
	h->resent = c->cq.resent;
	h->overwritten = lt_conn_overwritten(c);
	{
		uint64_t since = __atomic_load_n(&c->backlog_since, __ATOMIC_RELAXED);

		h->backlog_ms = since ? (lt_mono_ns() - since) / 1000000 : 0;
	}
	h->lost = c->st.records_lost + extra_lost;
	h->connects = c->st.connects;
	h->losses = c->st.losses;
	h->ka_sent = c->st.ka_sent;
	h->ka_answered = c->st.ka_answered;
	h->ka_rtt_ms = c->st.ka_rtt_us < 0 ? -1 : c->st.ka_rtt_us / 1000;
	h->tls_failures = c->st.tls_failures;
}

/*
 * What the spool's quota overwrote, per stream: by warrant slot and CIN
 * (never the LIID), or by the spool's opaque stream id when no running
 * warrant has it any more.
 */
static void
overwritten(json_t *h, const struct lt_conn *c)
{
	uint32_t n = __atomic_load_n(&c->cq.now, __ATOMIC_ACQUIRE);
	json_t *arr;

	if (h == NULL || n == 0 || (arr = json_array()) == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t sid = c->cq.ow[i].sid, slot = UINT32_MAX, cin = 0;
		uint64_t k = __atomic_load_n(&c->cq.ow[i].n, __ATOMIC_RELAXED);
		char hex[9];
		json_t *e;

		for (uint32_t s = 0; s < lt_dp.nslots; s++)
			if (lt_dp.wrec[s] != NULL && lt_dp.wown[s].sid == sid) {
				slot = s;
				cin = lt_dp.wrec[s]->cin;
				break;
			}
		if (slot == UINT32_MAX)
			(void)lt_track_find_sid(sid, &slot, &cin);
		snprintf(hex, sizeof(hex), "%08x", sid);
		e = slot == UINT32_MAX ? json_pack("{s:s, s:I}", "stream", hex, "records",
		    (json_int_t)k) : json_pack("{s:i, s:I, s:s, s:I}", "warrant", (int)slot,
		    "cin", (json_int_t)cin, "stream", hex, "records", (json_int_t)k);
		json_array_append_new(arr, e);
	}
	if (c->cq.ow_other > 0)
		json_array_append_new(arr, json_pack("{s:s, s:I}", "stream", "others",
		    "records", (json_int_t)c->cq.ow_other));
	json_object_set_new(h, "overwritten_streams", arr);
}

static json_t *
status(void)
{
	const struct lt_config *cfg = lt_dp.cfg;
	struct lt_status s = { 0 };
	int64_t now = lt_dp_clock_us();
	json_t *j;

	s.uptime_s = (lt_mono_ns() - started_ns) / 1000000000ULL;
	for (uint32_t i = 0; i < lt_dp.nslots; i++)
		s.warrants_active += now >= lt_dp.wm[i].start_us && now < lt_dp.wm[i].end_us;
	s.nworkers = lt_dp.nworkers;
	s.nagencies = cfg->nagencies;
	s.workers = calloc(s.nworkers + 1, sizeof(*s.workers));
	s.agencies = calloc(s.nagencies + 1, sizeof(*s.agencies));
	if (s.workers == NULL || s.agencies == NULL) {
		free(s.workers);
		free(s.agencies);
		return lt_ctl_error("out of memory");
	}
	for (unsigned i = 0; i < s.nworkers; i++) {
		const struct lt_wstats *w = &lt_dp.workers[i].st;

		s.workers[i] = (struct lt_status_worker){ w->rx, w->bytes, w->not_ip,
		    w->malformed, w->multiseg, w->matched, w->records, w->ring_full,
		    w->queue_full, w->undeliverable, w->too_many_warrants };
	}
	for (uint32_t a = 0; a < cfg->nagencies; a++) {
		uint64_t ring = 0;

		for (unsigned i = 0; i < lt_dp.nworkers; i++)
			ring += lt_dp.workers[i].agency_lost[a];
		snprintf(s.agencies[a].id, sizeof(s.agencies[a].id), "%s", cfg->agencies[a].id);
		hi(&s.agencies[a].hi2, &lt_dp.agencies[a].hi2, 0);
		hi(&s.agencies[a].hi3, &lt_dp.agencies[a].hi3, ring);
	}
	if ((s.has_track = lt_track_enabled())) {
		const struct lt_track_stats *t = lt_track_stats();

		/* the same fields, in the same order */
		_Static_assert(sizeof(s.track) == sizeof(*t), "status and tracker counters differ");
		memcpy(&s.track, t, sizeof(s.track));
	}
	j = lt_status_json(&s);
	for (uint32_t a = 0; j != NULL && a < cfg->nagencies; a++) {
		json_t *ag = json_array_get(json_object_get(j, "agencies"), a);

		overwritten(json_object_get(ag, "hi2"), &lt_dp.agencies[a].hi2);
		overwritten(json_object_get(ag, "hi3"), &lt_dp.agencies[a].hi3);
	}
	free(s.workers);
	free(s.agencies);
	return j != NULL ? j : lt_ctl_error("out of memory");
}

json_t *
lt_control_handle(void *arg, const json_t *req, uid_t peer_uid)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	(void)arg;
	(void)peer_uid;		/* lt_ctl serves root only */
	if (cmd == NULL)
		return lt_ctl_error("the request has no \"cmd\"");
	log_debug("control: a %s request", strcmp(cmd, "status") == 0 ? "status" :
	    strcmp(cmd, "reload") == 0 ? "reload" : "unknown");
	if (strcmp(cmd, "status") == 0)
		return status();
	if (strcmp(cmd, "reload") == 0) {
		reload_asked = 1;
		return json_pack("{s:b, s:s}", "ok", 1, "reload", "started");
	}
	return lt_ctl_error("unknown command");
}
