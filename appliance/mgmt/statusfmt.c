/* statusfmt.c - the status snapshot as JSON, as text for people and as Prometheus metrics. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/statusfmt.h"

#define ID_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
#define STATE_CHARS	"abcdefghijklmnopqrstuvwxyz-"

/* One counter: its JSON member, its Prometheus name and help, its text label. */
struct field {
	const char *key;
	size_t off;
	const char *metric;		/* after "lawtap_" */
	const char *help;
	const char *label;
	bool gauge;
};

#define W(k, m, h)	{ #k, offsetof(struct lt_status_worker, k), m, h, NULL, false }
static const struct field worker_fields[] = {
	W(rx, "rx_packets_total", "Packets received."),
	W(bytes, "rx_bytes_total", "Bytes received."),
	W(not_ip, "not_ip_packets_total", "Packets that are neither IPv4 nor IPv6."),
	W(malformed, "malformed_packets_total", "IP packets with broken headers."),
	W(multiseg, "multiseg_packets_total", "Packets longer than one mbuf, not read."),
	W(matched, "matched_packets_total", "Packets that matched a warrant."),
	W(records, "records_total", "Records queued for delivery."),
	W(ring_full, "ring_full_drops_total",
	    "Packets lost: the ring to the worker owning the agency was full."),
	W(queue_full, "queue_full_drops_total", "Records lost: an agency's send queue was full."),
	W(undeliverable, "undeliverable_drops_total",
	    "Records lost: delivery to the agency was given up."),
	W(too_many_warrants, "too_many_warrants_total",
	    "Packets that matched more warrants than one packet can carry."),
};
#define NWORKER_FIELDS	(sizeof(worker_fields) / sizeof(worker_fields[0]))

#define H(k, m, h, g)	{ #k, offsetof(struct lt_status_hi, k), m, h, NULL, g }
static const struct field hi_fields[] = {
	H(records_sent, "delivery_records_sent_total", "Records sent to the agency.", false),
	H(bytes_sent, "delivery_bytes_sent_total", "Bytes sent to the agency.", false),
	H(queued, "delivery_queued_records", "Records waiting to be sent.", true),
	H(lost, "delivery_records_lost_total", "Records lost before they were sent.", false),
	H(connects, "delivery_connects_total", "Connections made.", false),
	H(losses, "delivery_losses_total", "Connections lost or torn down.", false),
	H(ka_sent, "delivery_keepalives_sent_total", "Keep-alives sent.", false),
	H(ka_answered, "delivery_keepalives_answered_total", "Keep-alives answered.", false),
	H(queued_disk, "delivery_spool_records", "Records waiting in the spool on disk.", true),
	H(spooled, "delivery_spooled_total", "Records that went to the spool.", false),
	H(resent, "delivery_resent_total",
	    "Records written again after a lost connection (may arrive twice).", false),
	H(overwritten, "delivery_overwritten_total",
	    "Records dropped from a full spool, oldest first.", false),
	H(tls_failures, "delivery_tls_failures_total",
	    "TLS handshakes that failed or met the wrong peer.", false),
	H(backlog_ms, "delivery_backlog_milliseconds",
	    "Time since nothing was waiting: the oldest record waits at most this.", true),
};
#define NHI_FIELDS	(sizeof(hi_fields) / sizeof(hi_fields[0]))

#define T(k, m, h, l)	{ #k, offsetof(struct lt_status_track, k), m, h, l, false }
static const struct field track_fields[] = {
	T(aaa_packets, "aaa_packets_total", "AAA (RADIUS, DHCP) packets seen.", "AAA packets"),
	T(aaa_malformed, "aaa_malformed_total", "AAA packets that could not be parsed.",
	    "malformed"),
	T(aaa_bad_auth, "aaa_bad_authenticator_total",
	    "RADIUS packets with a wrong authenticator.", "bad authenticator"),
	T(aaa_unmatched_reply, "aaa_unmatched_replies_total",
	    "AAA replies to no request seen.", "reply to nothing"),
	T(aaa_retransmit, "aaa_retransmits_total", "Retransmitted AAA requests.",
	    "retransmitted"),
	T(aaa_fragments, "aaa_fragments_total", "IP fragments of AAA datagrams.", "fragments"),
	T(aaa_not_udp, "aaa_not_udp_total", "Packets of AAA servers that are not UDP.",
	    "not UDP"),
	{ "sessions", offsetof(struct lt_status_track, sessions), "sessions",
	    "Subscriber sessions known now.", "sessions now", true },
	T(sessions_full, "sessions_refused_total", "Sessions refused: the table was full.",
	    "refused (full)"),
	T(session_starts, "session_starts_total", "Sessions started.", "started"),
	T(session_ends, "session_ends_total", "Sessions ended.", "ended"),
	T(stop_without_start, "stops_without_start_total",
	    "Accounting stops for no known session.", "stop without start"),
	T(absurd_prefix, "absurd_prefixes_total", "Sessions with an absurd address prefix.",
	    "absurd prefixes"),
	T(too_many_addrs, "too_many_addresses_total",
	    "Addresses over what a session holds.", "too many addresses"),
	T(nas_reboots, "nas_reboots_total", "NAS restarts (Accounting-On or -Off).",
	    "NAS restarts"),
	T(access_rejects, "access_rejects_total", "Access-Rejects seen.", "rejects"),
	T(access_failed, "access_failed_total", "Access-Requests never answered.",
	    "unanswered"),
	T(target_sessions, "target_sessions_total", "Sessions under intercept.",
	    "target sessions"),
	T(icepts_full, "intercepts_full_total",
	    "Sessions not intercepted: the intercept table was full.", "intercepts full"),
	T(iri_lost, "iris_lost_total", "IRIs lost.", "IRIs lost"),
	T(bind_full, "bindings_full_total",
	    "Addresses not bound: the binding table was full.", "bindings full"),
	T(handoff_full, "handoffs_lost_total",
	    "AAA packets lost: the hand-off to the session lcore was full.", "hand-offs lost"),
};
#define NTRACK_FIELDS	(sizeof(track_fields) / sizeof(track_fields[0]))

static uint64_t
get(const void *base, const struct field *f)
{
	uint64_t v;

	memcpy(&v, (const char *)base + f->off, sizeof(v));
	return v;
}

static void
put(void *base, const struct field *f, uint64_t v)
{
	memcpy((char *)base + f->off, &v, sizeof(v));
}

static json_t *
jcount(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *
counters(const void *base, const struct field *f, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n; i++)
		if (json_object_set_new(o, f[i].key, jcount(get(base, &f[i]))) < 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

static json_t *
hi_json(const struct lt_status_hi *h)
{
	json_t *o = counters(h, hi_fields, NHI_FIELDS);

	if (o != NULL && (json_object_set_new(o, "state", json_string(h->state)) < 0 ||
	    json_object_set_new(o, "ka_rtt_ms", json_integer(h->ka_rtt_ms)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
lt_status_json(const struct lt_status *s)
{
	json_t *r, *w, *a;
	int bad = 0;

	r = json_pack("{s:b, s:o, s:I}", "ok", 1, "uptime_s", jcount(s->uptime_s),
	    "warrants_active", (json_int_t)s->warrants_active);
	w = json_array();
	a = json_array();
	if (r == NULL || w == NULL || a == NULL)
		bad = 1;
	for (uint32_t i = 0; !bad && i < s->nworkers; i++)
		bad = json_array_append_new(w, counters(&s->workers[i], worker_fields,
		    NWORKER_FIELDS)) < 0;
	for (uint32_t i = 0; !bad && i < s->nagencies; i++) {
		const struct lt_status_agency *g = &s->agencies[i];

		bad = json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "id", g->id,
		    "hi2", hi_json(&g->hi2), "hi3", hi_json(&g->hi3))) < 0;
	}
	if (!bad)
		bad = json_object_set(r, "workers", w) < 0 ||
		    json_object_set(r, "agencies", a) < 0 || (s->has_track &&
		    json_object_set_new(r, "sessions", counters(&s->track, track_fields,
		    NTRACK_FIELDS)) < 0);
	json_decref(w);
	json_decref(a);
	if (bad) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static int
read_counters(const json_t *o, void *base, const struct field *f, size_t n,
    const char *where, char *err, size_t errlen)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "status reply: %s is not an object", where);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *j = json_object_get(o, f[i].key);

		if (!json_is_integer(j) || json_integer_value(j) < 0) {
			snprintf(err, errlen, "status reply: %s: \"%s\" is missing or not a "
			    "count", where, f[i].key);
			return -1;
		}
		put(base, &f[i], (uint64_t)json_integer_value(j));
	}
	return 0;
}

/* A name of 1 to max characters from chars, copied into dst[max + 1]. */
static int
read_name(const json_t *o, const char *key, char *dst, size_t max, const char *chars,
    const char *where, char *err, size_t errlen)
{
	const json_t *j = json_object_get(o, key);
	size_t n = json_string_length(j);

	if (!json_is_string(j) || n == 0 || n > max ||
	    strspn(json_string_value(j), chars) != n) {
		snprintf(err, errlen, "status reply: %s: \"%s\" is missing or not a name of "
		    "1 to %zu characters from %s", where, key, max, chars);
		return -1;
	}
	memcpy(dst, json_string_value(j), n + 1);
	return 0;
}

static int
read_hi(const json_t *o, struct lt_status_hi *h, const char *where, char *err,
    size_t errlen)
{
	const json_t *rtt;

	if (read_counters(o, h, hi_fields, NHI_FIELDS, where, err, errlen) < 0 ||
	    read_name(o, "state", h->state, LT_STATUS_STATE_MAX, STATE_CHARS, where, err,
	    errlen) < 0)
		return -1;
	rtt = json_object_get(o, "ka_rtt_ms");
	if (!json_is_integer(rtt) || json_integer_value(rtt) < -1) {
		snprintf(err, errlen, "status reply: %s: \"ka_rtt_ms\" is missing or below -1",
		    where);
		return -1;
	}
	h->ka_rtt_ms = json_integer_value(rtt);
	return 0;
}

static int
read_array(const json_t *r, const char *key, size_t max, size_t size, void **out,
    uint32_t *n, char *err, size_t errlen)
{
	const json_t *a = json_object_get(r, key);

	if (!json_is_array(a) || json_array_size(a) > max) {
		snprintf(err, errlen, "status reply: \"%s\" is missing or not an array of at "
		    "most %zu", key, max);
		return -1;
	}
	*n = (uint32_t)json_array_size(a);
	if ((*out = calloc(*n ? *n : 1, size)) == NULL) {
		snprintf(err, errlen, "out of memory for the status");
		return -1;
	}
	return 0;
}

int
lt_status_from_json(const json_t *r, struct lt_status *s, char *err, size_t errlen)
{
	const json_t *a, *up, *wa, *ok, *sess;
	char where[64];

	memset(s, 0, sizeof(*s));
	ok = json_object_get(r, "ok");
	if (!json_is_true(ok)) {
		snprintf(err, errlen, "status reply: \"ok\" is not true");
		return -1;
	}
	up = json_object_get(r, "uptime_s");
	wa = json_object_get(r, "warrants_active");
	if (!json_is_integer(up) || json_integer_value(up) < 0 || !json_is_integer(wa) ||
	    json_integer_value(wa) < 0 || json_integer_value(wa) > UINT32_MAX) {
		snprintf(err, errlen, "status reply: \"uptime_s\" or \"warrants_active\" is "
		    "missing or not a count");
		return -1;
	}
	s->uptime_s = (uint64_t)json_integer_value(up);
	s->warrants_active = (uint32_t)json_integer_value(wa);
	if (read_array(r, "workers", LT_STATUS_MAX_WORKERS, sizeof(*s->workers),
	    (void **)&s->workers, &s->nworkers, err, errlen) < 0 ||
	    read_array(r, "agencies", LT_STATUS_MAX_AGENCIES, sizeof(*s->agencies),
	    (void **)&s->agencies, &s->nagencies, err, errlen) < 0)
		goto fail;
	a = json_object_get(r, "workers");
	for (uint32_t i = 0; i < s->nworkers; i++) {
		snprintf(where, sizeof(where), "worker %" PRIu32, i);
		if (read_counters(json_array_get(a, i), &s->workers[i], worker_fields,
		    NWORKER_FIELDS, where, err, errlen) < 0)
			goto fail;
	}
	a = json_object_get(r, "agencies");
	for (uint32_t i = 0; i < s->nagencies; i++) {
		const json_t *g = json_array_get(a, i);
		struct lt_status_agency *d = &s->agencies[i];

		snprintf(where, sizeof(where), "agency %" PRIu32, i + 1);
		if (!json_is_object(g)) {
			snprintf(err, errlen, "status reply: %s is not an object", where);
			goto fail;
		}
		if (read_name(g, "id", d->id, LT_STATUS_ID_MAX, ID_CHARS, where, err,
		    errlen) < 0)
			goto fail;
		snprintf(where, sizeof(where), "agency %" PRIu32 " HI2", i + 1);
		if (read_hi(json_object_get(g, "hi2"), &d->hi2, where, err, errlen) < 0)
			goto fail;
		snprintf(where, sizeof(where), "agency %" PRIu32 " HI3", i + 1);
		if (read_hi(json_object_get(g, "hi3"), &d->hi3, where, err, errlen) < 0)
			goto fail;
	}
	if ((sess = json_object_get(r, "sessions")) != NULL) {
		s->has_track = true;
		if (read_counters(sess, &s->track, track_fields, NTRACK_FIELDS, "sessions",
		    err, errlen) < 0)
			goto fail;
	}
	return 0;
fail:
	lt_status_free(s);
	return -1;
}

void
lt_status_free(struct lt_status *s)
{
	free(s->workers);
	free(s->agencies);
	memset(s, 0, sizeof(*s));
}

/* v in at most width characters: exact when it fits, else scaled (k, M, G, ...). */
static const char *
num(char buf[static 24], uint64_t v, int width)
{
	static const char suffix[] = "kMGTPE";

	if (snprintf(buf, 24, "%" PRIu64, v) <= width)
		return buf;
	for (int i = 0; i < 6; i++) {
		v /= 1000;
		if (snprintf(buf, 24, "%" PRIu64 "%c", v, suffix[i]) <= width)
			return buf;
	}
	return buf;
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
text_capture(const struct lt_status *s, FILE *out)
{
	static const char *const head[2][7] = {
		{ "not IP", "malformed", "multi-", "ring", "queue", "undeliv-", "too many" },
		{ "", "", "segment", "full", "full", "erable", "warrants" },
	};
	struct lt_status_worker t = { 0 };
	char b[4][24];

	fprintf(out, "\nCapture\nworker %14s %14s %14s %14s\n", "rx packets", "rx bytes",
	    "matched", "records");
	for (uint32_t i = 0; i <= s->nworkers; i++) {
		const struct lt_status_worker *w = i < s->nworkers ? &s->workers[i] : &t;

		if (i == s->nworkers && s->nworkers < 2)
			break;
		if (i < s->nworkers)
			fprintf(out, "%6" PRIu32, i);
		else
			fprintf(out, " total");
		fprintf(out, " %14s %14s %14s %14s\n", num(b[0], w->rx, 14),
		    num(b[1], w->bytes, 14), num(b[2], w->matched, 14),
		    num(b[3], w->records, 14));
		for (size_t f = 0; i < s->nworkers && f < NWORKER_FIELDS; f++)
			put(&t, &worker_fields[f], get(&t, &worker_fields[f]) +
			    get(w, &worker_fields[f]));
	}
	fprintf(out, "\nDrops by stage\n");
	for (int r = 0; r < 2; r++) {
		fprintf(out, "%-6s", r == 0 ? "worker" : "");
		for (int c = 0; c < 7; c++)
			fprintf(out, " %9s", head[r][c]);
		fprintf(out, "\n");
	}
	for (uint32_t i = 0; i <= s->nworkers; i++) {
		const struct lt_status_worker *w = i < s->nworkers ? &s->workers[i] : &t;
		const uint64_t v[7] = { w->not_ip, w->malformed, w->multiseg, w->ring_full,
		    w->queue_full, w->undeliverable, w->too_many_warrants };

		if (i == s->nworkers && s->nworkers < 2)
			break;
		if (i < s->nworkers)
			fprintf(out, "%6" PRIu32, i);
		else
			fprintf(out, " total");
		for (int c = 0; c < 7; c++)
			fprintf(out, " %9s", num(b[0], v[c], 9));
		fprintf(out, "\n");
	}
}

static void
text_delivery(const struct lt_status *s, FILE *out)
{
	char b[5][24];

	fprintf(out, "\n%-12s %-11s %11s %11s %11s %11s\n", "Delivery", "state", "sent",
	    "bytes", "queued", "lost");
	for (uint32_t i = 0; i < s->nagencies; i++) {
		const struct lt_status_agency *g = &s->agencies[i];

		fprintf(out, "%.*s\n", LT_STATUS_ID_MAX, g->id);
		for (int k = 0; k < 2; k++) {
			const struct lt_status_hi *h = k == 0 ? &g->hi2 : &g->hi3;

			fprintf(out, "  %-10s %-11.*s %11s %11s %11s %11s\n", k == 0 ? "HI2" :
			    "HI3", LT_STATUS_STATE_MAX, h->state, num(b[0], h->records_sent, 11),
			    num(b[1], h->bytes_sent, 11), num(b[2], h->queued, 11),
			    num(b[3], h->lost, 11));
		}
	}
	fprintf(out, "\n%-12s %11s %11s %11s %11s %11s\n", "Connections", "connects",
	    "losses", "ka sent", "ka answered", "ka rtt ms");
	for (uint32_t i = 0; i < s->nagencies; i++) {
		const struct lt_status_agency *g = &s->agencies[i];

		fprintf(out, "%.*s\n", LT_STATUS_ID_MAX, g->id);
		for (int k = 0; k < 2; k++) {
			const struct lt_status_hi *h = k == 0 ? &g->hi2 : &g->hi3;

			fprintf(out, "  %-10s %11s %11s %11s %11s %11s\n", k == 0 ? "HI2" : "HI3",
			    num(b[0], h->connects, 11), num(b[1], h->losses, 11),
			    num(b[2], h->ka_sent, 11), num(b[3], h->ka_answered, 11),
			    h->ka_rtt_ms < 0 ? "-" : num(b[4], (uint64_t)h->ka_rtt_ms, 11));
		}
	}
	fprintf(out, "\n%-12s %11s %11s %11s %11s\n", "Backlog", "on disk", "spooled",
	    "resent", "overwritten");
	for (uint32_t i = 0; i < s->nagencies; i++) {
		const struct lt_status_agency *g = &s->agencies[i];

		fprintf(out, "%.*s\n", LT_STATUS_ID_MAX, g->id);
		for (int k = 0; k < 2; k++) {
			const struct lt_status_hi *h = k == 0 ? &g->hi2 : &g->hi3;

			fprintf(out, "  %-10s %11s %11s %11s %11s\n", k == 0 ? "HI2" : "HI3",
			    num(b[0], h->queued_disk, 11), num(b[1], h->spooled, 11),
			    num(b[2], h->resent, 11), num(b[3], h->overwritten, 11));
		}
	}
}

static void
text_sessions(const struct lt_status *s, FILE *out)
{
	char b[24];

	fprintf(out, "\nSessions\n");
	for (size_t f = 0; f < NTRACK_FIELDS; f++)
		fprintf(out, "  %-20s %12s%s", track_fields[f].label,
		    num(b, get(&s->track, &track_fields[f]), 12),
		    f % 2 == 1 || f + 1 == NTRACK_FIELDS ? "\n" : "");
}

int
lt_status_text(const struct lt_status *s, FILE *out)
{
	uint64_t up = s->uptime_s;

	fprintf(out, "lawtap: up ");
	if (up >= 86400)
		fprintf(out, "%" PRIu64 "d ", up / 86400);
	fprintf(out, "%02u:%02u:%02u\n%" PRIu32 " %s active, %" PRIu32 " %s, %" PRIu32
	    " %s\n", (unsigned)(up % 86400 / 3600), (unsigned)(up % 3600 / 60),
	    (unsigned)(up % 60), s->warrants_active,
	    plural(s->warrants_active, "warrant", "warrants"), s->nworkers,
	    plural(s->nworkers, "worker", "workers"), s->nagencies,
	    plural(s->nagencies, "agency", "agencies"));
	text_capture(s, out);
	if (s->nagencies > 0)
		text_delivery(s, out);
	if (s->has_track)
		text_sessions(s, out);
	return ferror(out) ? -1 : 0;
}

/* A label value with \, " and newline escaped, as the exposition format asks. */
static void
label(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fprintf(out, "\\n");
		else
			fputc(*v, out);
	}
}

static void
family(FILE *out, const char *metric, const char *help, bool gauge)
{
	fprintf(out, "# HELP lawtap_%s %s\n# TYPE lawtap_%s %s\n", metric, help, metric,
	    gauge ? "gauge" : "counter");
}

static void
hi_sample(FILE *out, const char *metric, const struct lt_status_agency *g, int k)
{
	fprintf(out, "lawtap_%s{agency=\"", metric);
	label(out, g->id);
	fprintf(out, "\",hi=\"%s\"", k == 0 ? "HI2" : "HI3");
}

int
lt_status_prometheus(const struct lt_status *s, FILE *out)
{
	family(out, "uptime_seconds", "Seconds since the daemon started.", true);
	fprintf(out, "lawtap_uptime_seconds %" PRIu64 "\n", s->uptime_s);
	family(out, "warrants_active", "Warrants in effect now.", true);
	fprintf(out, "lawtap_warrants_active %" PRIu32 "\n", s->warrants_active);
	for (size_t f = 0; f < NWORKER_FIELDS; f++) {
		family(out, worker_fields[f].metric, worker_fields[f].help, false);
		for (uint32_t i = 0; i < s->nworkers; i++)
			fprintf(out, "lawtap_%s{worker=\"%" PRIu32 "\"} %" PRIu64 "\n",
			    worker_fields[f].metric, i, get(&s->workers[i], &worker_fields[f]));
	}
	family(out, "delivery_state", "Handover connection state (1 on the current one).",
	    true);
	for (uint32_t i = 0; i < s->nagencies; i++)
		for (int k = 0; k < 2; k++) {
			hi_sample(out, "delivery_state", &s->agencies[i], k);
			fprintf(out, ",state=\"");
			label(out, k == 0 ? s->agencies[i].hi2.state : s->agencies[i].hi3.state);
			fprintf(out, "\"} 1\n");
		}
	for (size_t f = 0; f < NHI_FIELDS; f++) {
		family(out, hi_fields[f].metric, hi_fields[f].help, hi_fields[f].gauge);
		for (uint32_t i = 0; i < s->nagencies; i++)
			for (int k = 0; k < 2; k++) {
				const struct lt_status_agency *g = &s->agencies[i];

				hi_sample(out, hi_fields[f].metric, g, k);
				fprintf(out, "} %" PRIu64 "\n", get(k == 0 ? &g->hi2 : &g->hi3,
				    &hi_fields[f]));
			}
	}
	family(out, "delivery_keepalive_rtt_milliseconds",
	    "Round trip of the last answered keep-alive.", true);
	for (uint32_t i = 0; i < s->nagencies; i++)
		for (int k = 0; k < 2; k++) {
			const struct lt_status_agency *g = &s->agencies[i];
			int64_t rtt = k == 0 ? g->hi2.ka_rtt_ms : g->hi3.ka_rtt_ms;

			if (rtt < 0)
				continue;
			hi_sample(out, "delivery_keepalive_rtt_milliseconds", g, k);
			fprintf(out, "} %" PRId64 "\n", rtt);
		}
	for (size_t f = 0; s->has_track && f < NTRACK_FIELDS; f++) {
		family(out, track_fields[f].metric, track_fields[f].help, track_fields[f].gauge);
		fprintf(out, "lawtap_%s %" PRIu64 "\n", track_fields[f].metric,
		    get(&s->track, &track_fields[f]));
	}
	return ferror(out) ? -1 : 0;
}
