/* audit.c - the audit log: canonical entry lines, keyed hash chain, signed checkpoints, audit.head. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <sodium.h>

#include "mgmt/audit.h"
#include "mgmt/config.h"
#include "util/atomic.h"
#include "util/io.h"

#define CP_DOMAIN	"lawtap-audit-checkpoint-v1"
#define HEAD_DOMAIN	"lawtap-audit-head-v1"
#define TORN_ACK	"torn-ack"
#define CHECKPOINT	"checkpoint"
#define FILE_MAX	((size_t)1 << 30)
#define DETAIL_DEPTH	4
#define HEAD_MAX	256
#define TIME_LEN	20

/* Where a walk of the log stands: what the next entry must chain from. */
struct chain {
	uint64_t next_seq;
	uint8_t prev_mac[LT_AUDIT_MAC_LEN];
	unsigned since_cp;	/* entries since the last checkpoint */
	int prev_commit;	/* a checkpoint is due after a commit */
	int torn;		/* the log ends in a partial line */
	size_t torn_len;
	uint8_t torn_hash[32];
	int have_commit;
	uint64_t commit_gen;
	uint8_t commit_hash[32];
	uint64_t head_n;	/* audit.head's count; its entry's mac below */
	int head_seen;
	uint8_t head_mac[LT_AUDIT_MAC_LEN];
};

struct lt_audit {
	int dirfd, fd;
	uint8_t *keys;		/* sodium_malloc: mac key | sign sk | sign pk */
	struct chain c;
	off_t size;		/* audit.log's size when last walked or written */
};

#define KEY(a)	((a)->keys)
#define SK(a)	((a)->keys + LT_AUDIT_KEY_LEN)
#define PK(a)	((a)->keys + LT_AUDIT_KEY_LEN + LT_AUDIT_SK_LEN)

static const char *const roles[] = { "officer", "operator", "daemon" };

static const char *const problems[] = {
	"none", "torn", "syntax", "seq", "mac", "signature", "checkpoint",
	"torn-ack", "head",
};

/* Detail keys that would name a target, a LIID or a case. */
static const char *const deny_keys[] = {
	"liid", "liids", "target", "targets", "username", "usernames", "user",
	"ip", "ips", "ip_address", "address", "addresses", "prefix",
	"calling_station_id", "calling_station_ids", "mac_address", "macs",
	"circuit_id", "circuit_ids", "sip", "tel", "uri", "msisdn", "imsi",
	"imei", "email", "case_id", "authority", "reference",
};

const char *
lt_audit_role_name(enum lt_audit_role r)
{
	return (unsigned)r < 3 ? roles[r] : "unknown";
}

const char *
lt_audit_problem_name(enum lt_audit_problem p)
{
	return (unsigned)p <= LT_AUDIT_P_HEAD ? problems[p] : "unknown";
}

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
lt_audit_key_from_machine(const uint8_t mk[static 32],
    uint8_t out[static LT_AUDIT_KEY_LEN])
{
	if (sodium_init() < 0)
		return -1;
	return crypto_kdf_derive_from_key(out, LT_AUDIT_KEY_LEN, 1, "lt-audit", mk);
}

/* --- entry lines --- */

static int
fmt_time(int64_t t, char out[static TIME_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || t > 253402300799LL || gmtime_r(&tt, &tm) == NULL)
		return -1;
	return strftime(out, TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) == TIME_LEN ?
	    0 : -1;
}

static int
event_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int
lower_hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* No reals (their text does not round-trip) and no deep nesting. */
static int
detail_shape_ok(const json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (depth > DETAIL_DEPTH || json_is_real(v))
		return 0;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			if (!detail_shape_ok(x, depth + 1))
				return 0;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (!detail_shape_ok(x, depth + 1))
				return 0;
	}
	return 1;
}

/* The detail as written: sorted keys, compact, ASCII.  Caller frees. */
static char *
detail_dump(const json_t *d, const char **why)
{
	char *s;

	if (!json_is_object(d) || !detail_shape_ok(d, 1)) {
		*why = "detail is not an object of strings, integers, booleans, "
		    "arrays and objects at most 4 deep";
		return NULL;
	}
	s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (s == NULL)
		*why = "detail cannot be written as JSON";
	else if (strlen(s) > LT_AUDIT_DETAIL_MAX) {
		*why = "detail is longer than 1024 bytes";
		free(s);
		s = NULL;
	}
	return s;
}

/* The line without its mac ("body") if mac is NULL, else the whole line. */
static int
fmt_entry(char buf[static LT_AUDIT_LINE_MAX + 2], uint64_t seq, const char *time,
    const char *role, const char *event, const char *detail, const uint8_t *mac)
{
	char hex[2 * LT_AUDIT_MAC_LEN + 1];
	int n;

	if (mac == NULL)
		n = snprintf(buf, LT_AUDIT_LINE_MAX + 2, "{\"seq\":%" PRIu64
		    ",\"time\":\"%s\",\"role\":\"%s\",\"event\":\"%s\","
		    "\"detail\":%s}", seq, time, role, event, detail);
	else {
		sodium_bin2hex(hex, sizeof(hex), mac, LT_AUDIT_MAC_LEN);
		n = snprintf(buf, LT_AUDIT_LINE_MAX + 2, "{\"seq\":%" PRIu64
		    ",\"time\":\"%s\",\"role\":\"%s\",\"event\":\"%s\","
		    "\"detail\":%s,\"mac\":\"%s\"}", seq, time, role, event,
		    detail, hex);
	}
	return n < 0 || n > LT_AUDIT_LINE_MAX ? -1 : n;
}

static void
entry_mac(const uint8_t *key, const uint8_t prev[static LT_AUDIT_MAC_LEN],
    const char *body, size_t n, uint8_t out[static LT_AUDIT_MAC_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, LT_AUDIT_KEY_LEN, LT_AUDIT_MAC_LEN);
	crypto_generichash_update(&st, prev, LT_AUDIT_MAC_LEN);
	crypto_generichash_update(&st, (const uint8_t *)body, n);
	crypto_generichash_final(&st, out, LT_AUDIT_MAC_LEN);
	sodium_memzero(&st, sizeof(st));
}

static void
cp_msg(uint64_t seq, const uint8_t prev[static LT_AUDIT_MAC_LEN],
    uint8_t out[static sizeof(CP_DOMAIN) - 1 + 8 + LT_AUDIT_MAC_LEN])
{
	size_t d = sizeof(CP_DOMAIN) - 1;

	memcpy(out, CP_DOMAIN, d);
	for (int i = 0; i < 8; i++)
		out[d + i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(out + d + 8, prev, LT_AUDIT_MAC_LEN);
}

static int
role_from(const char *s, enum lt_audit_role *r)
{
	for (unsigned i = 0; i < 3; i++)
		if (strcmp(s, roles[i]) == 0) {
			*r = (enum lt_audit_role)i;
			return 0;
		}
	return -1;
}

int
lt_audit_parse_line(const char *line, size_t len, struct lt_audit_entry *e,
    const uint8_t *key, const uint8_t *prev_mac, uint8_t *mac_out,
    const char **why)
{
	char buf[LT_AUDIT_LINE_MAX + 2], tbuf[TIME_LEN + 1], *d = NULL;
	const char *s;
	json_error_t jerr;
	json_t *root, *v;
	int n, rc = -1;

	memset(e, 0, sizeof(*e));
	if (len == 0 || len > LT_AUDIT_LINE_MAX || memchr(line, '\0', len) != NULL) {
		*why = len == 0 ? "empty line" : len > LT_AUDIT_LINE_MAX ?
		    "line too long" : "NUL byte in line";
		return -1;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root) || json_object_size(root) != 6) {
		*why = "not a JSON object of six fields";
		goto out;
	}
	v = json_object_get(root, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*why = "seq is not a whole number";
		goto out;
	}
	e->seq = (uint64_t)json_integer_value(v);
	s = json_string_value(json_object_get(root, "time"));
	if (s == NULL || lt_parse_utc(s, &e->time) < 0 || fmt_time(e->time, tbuf) < 0) {
		*why = "time is not YYYY-MM-DDTHH:MM:SSZ";
		goto out;
	}
	s = json_string_value(json_object_get(root, "role"));
	if (s == NULL || role_from(s, &e->role) < 0) {
		*why = "role is not officer, operator or daemon";
		goto out;
	}
	s = json_string_value(json_object_get(root, "event"));
	if (s == NULL || !event_ok(s)) {
		*why = "event is not 1..32 of a-z, 0-9, '-'";
		goto out;
	}
	memcpy(e->event, s, strlen(s) + 1);
	if ((d = detail_dump(json_object_get(root, "detail"), why)) == NULL)
		goto out;
	s = json_string_value(json_object_get(root, "mac"));
	if (s == NULL || !lower_hex_ok(s, 2 * LT_AUDIT_MAC_LEN)) {
		*why = "mac is not 64 lower-case hex digits";
		goto out;
	}
	sodium_hex2bin(e->mac, LT_AUDIT_MAC_LEN, s, 2 * LT_AUDIT_MAC_LEN, NULL,
	    NULL, NULL);
	n = fmt_entry(buf, e->seq, tbuf, roles[e->role], e->event, d, e->mac);
	if (n < 0 || (size_t)n != len || memcmp(buf, line, len) != 0) {
		*why = "not in canonical form (field order, spacing, escapes)";
		goto out;
	}
	if (mac_out != NULL) {
		n = fmt_entry(buf, e->seq, tbuf, roles[e->role], e->event, d, NULL);
		entry_mac(key, prev_mac, buf, (size_t)n, mac_out);
	}
	e->detail = json_incref(json_object_get(root, "detail"));
	rc = 0;
out:
	free(d);
	json_decref(root);
	return rc;
}

/* --- walking the log --- */

struct walk {
	const uint8_t *key, *pk;
	int (*fn)(void *, const struct lt_audit_entry *);
	void *arg;
	struct chain *c;
	struct lt_audit_sum *sum;
	char *msg;
	size_t msglen;
};

static void __attribute__((format(printf, 5, 6)))
problem(struct walk *w, enum lt_audit_problem p, unsigned line, uint64_t seq,
    const char *fmt, ...)
{
	va_list ap;

	w->sum->problem = p;
	w->sum->first_bad_seq = seq;
	w->sum->first_bad_line = line;
	if (w->msg != NULL && w->msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(w->msg, w->msglen, fmt, ap);
		va_end(ap);
	}
}

static int
hex32_field(const json_t *o, const char *name, uint8_t out[static 32])
{
	const char *s = json_string_value(json_object_get(o, name));

	if (s == NULL || !lower_hex_ok(s, 64))
		return -1;
	return sodium_hex2bin(out, 32, s, 64, NULL, NULL, NULL);
}

static int
commit_detail(const json_t *d, uint64_t *gen, uint8_t hash[static 32])
{
	json_t *g = json_object_get(d, "generation");

	if (!json_is_integer(g) || json_integer_value(g) < 0 ||
	    hex32_field(d, "store_hash", hash) < 0)
		return -1;
	*gen = (uint64_t)json_integer_value(g);
	return 0;
}

/* 1 if line (bytes, n) is acknowledged as torn by the well-formed entry next. */
static int
acked_by(struct walk *w, const char *line, size_t n, const char *next,
    size_t nn)
{
	static const char needle[] = "\"event\":\"" TORN_ACK "\"";
	struct lt_audit_entry e;
	uint8_t mac[LT_AUDIT_MAC_LEN], h[32], th[32];
	const char *why;
	json_t *b;
	int ok;

	if (memmem(next, nn, needle, sizeof(needle) - 1) == NULL ||
	    lt_audit_parse_line(next, nn, &e, w->key, w->c->prev_mac, mac, &why) < 0)
		return 0;
	b = json_object_get(e.detail, "bytes");
	crypto_generichash(h, sizeof(h), (const uint8_t *)line, n, NULL, 0);
	ok = strcmp(e.event, TORN_ACK) == 0 && e.seq == w->c->next_seq &&
	    sodium_memcmp(mac, e.mac, sizeof(mac)) == 0 &&
	    json_is_integer(b) && (uint64_t)json_integer_value(b) == n &&
	    hex32_field(e.detail, "blake2b", th) == 0 &&
	    memcmp(h, th, sizeof(h)) == 0;
	json_decref(e.detail);
	return ok;
}

/* Checks one whole, well-formed, chained entry's place; 0 or -1 (problem set). */
static int
place_ok(struct walk *w, const struct lt_audit_entry *e, unsigned ln, int acked)
{
	struct chain *c = w->c;
	int due = c->since_cp >= LT_AUDIT_CHECKPOINT_EVERY - 1 || c->prev_commit;
	uint8_t m[sizeof(CP_DOMAIN) - 1 + 8 + LT_AUDIT_MAC_LEN];
	uint8_t sig[crypto_sign_BYTES];
	const char *s;

	if (strcmp(e->event, TORN_ACK) == 0) {
		if (!acked || e->role != LT_AUDIT_OFFICER) {
			problem(w, LT_AUDIT_P_ACK, ln, e->seq, "line %u (seq %" PRIu64
			    "): a torn-ack with no matching torn line before it",
			    ln, e->seq);
			return -1;
		}
		return 0;	/* a due checkpoint waits for the entry after */
	}
	if (due && strcmp(e->event, CHECKPOINT) != 0) {
		problem(w, LT_AUDIT_P_CHECKPOINT, ln, e->seq, "line %u (seq %"
		    PRIu64 "): a checkpoint belongs here and is missing", ln,
		    e->seq);
		return -1;
	}
	if (!due && strcmp(e->event, CHECKPOINT) == 0) {
		problem(w, LT_AUDIT_P_CHECKPOINT, ln, e->seq, "line %u (seq %"
		    PRIu64 "): a checkpoint where none belongs", ln, e->seq);
		return -1;
	}
	if (due) {
		s = json_string_value(json_object_get(e->detail, "sig"));
		if (e->role != LT_AUDIT_DAEMON || json_object_size(e->detail) != 1 ||
		    s == NULL || !lower_hex_ok(s, 2 * crypto_sign_BYTES)) {
			problem(w, LT_AUDIT_P_CHECKPOINT, ln, e->seq, "line %u (seq %"
			    PRIu64 "): a checkpoint without a signature", ln, e->seq);
			return -1;
		}
		sodium_hex2bin(sig, sizeof(sig), s, 2 * crypto_sign_BYTES, NULL,
		    NULL, NULL);
		cp_msg(e->seq, c->prev_mac, m);
		if (w->pk != NULL &&
		    crypto_sign_verify_detached(sig, m, sizeof(m), w->pk) != 0) {
			problem(w, LT_AUDIT_P_SIG, ln, e->seq, "line %u (seq %" PRIu64
			    "): the checkpoint signature does not verify (forged, "
			    "or made by another appliance's key)", ln, e->seq);
			return -1;
		}
	}
	return 0;
}

/* Takes a whole entry into the chain state. */
static void
advance(struct walk *w, const struct lt_audit_entry *e)
{
	struct chain *c = w->c;
	int cp = strcmp(e->event, CHECKPOINT) == 0;

	if (strcmp(e->event, TORN_ACK) == 0) {
		c->since_cp++;
		w->sum->acked_torn++;
	} else {
		c->since_cp = cp ? 0 : c->since_cp + 1;
		c->prev_commit = strcmp(e->event, "commit") == 0;
	}
	if (cp)
		w->sum->checkpoints += w->pk != NULL;
	if (c->prev_commit &&
	    commit_detail(e->detail, &c->commit_gen, c->commit_hash) == 0)
		c->have_commit = 1;
	memcpy(c->prev_mac, e->mac, LT_AUDIT_MAC_LEN);
	if (c->head_n > 0 && e->seq == c->head_n - 1) {
		memcpy(c->head_mac, e->mac, LT_AUDIT_MAC_LEN);
		c->head_seen = 1;
	}
	c->next_seq = e->seq + 1;
	w->sum->entries++;
	w->sum->last_seq = e->seq;
}

/*
 * Walks buf; stops at the first problem (sum->problem).  A last chunk with
 * no '\n' is a torn tail.  Returns 0, or the callback's negative value.
 */
static int
walk(struct walk *w, const char *buf, size_t len)
{
	struct chain *c = w->c;
	struct lt_audit_entry e;
	uint8_t mac[LT_AUDIT_MAC_LEN];
	const char *why;
	size_t pos = 0;
	unsigned ln = 0;
	int acked = 0, r;

	while (pos < len) {
		const char *p = buf + pos, *nl = memchr(p, '\n', len - pos);
		size_t n;

		ln++;
		if (nl == NULL) {
			c->torn = 1;
			c->torn_len = len - pos;
			crypto_generichash(c->torn_hash, 32, (const uint8_t *)p,
			    c->torn_len, NULL, 0);
			problem(w, LT_AUDIT_P_TORN, ln, c->next_seq, "audit.log ends "
			    "in a partial line (line %u, %zu bytes) where seq %"
			    PRIu64 " belongs: the writer stopped mid-append (crash); "
			    "no entry is added until an officer acknowledges it",
			    ln, c->torn_len, c->next_seq);
			return 0;
		}
		n = (size_t)(nl - p);
		pos += n + 1;
		if (pos < len) {
			const char *q = buf + pos, *nl2 = memchr(q, '\n', len - pos);

			if (nl2 != NULL && acked_by(w, p, n, q, (size_t)(nl2 - q))) {
				acked = 1;
				continue;
			}
		}
		if (lt_audit_parse_line(p, n, &e, w->key, c->prev_mac, mac, &why) < 0) {
			problem(w, LT_AUDIT_P_SYNTAX, ln, c->next_seq, "line %u (where "
			    "seq %" PRIu64 " belongs): not a well-formed audit entry "
			    "(%s): the line was edited", ln, c->next_seq, why);
			return 0;
		}
		r = 0;
		if (e.seq != c->next_seq)
			problem(w, LT_AUDIT_P_SEQ, ln, c->next_seq, "line %u: seq %"
			    PRIu64 " where seq %" PRIu64 " belongs: entries were "
			    "deleted, inserted or reordered", ln, e.seq, c->next_seq);
		else if (sodium_memcmp(mac, e.mac, sizeof(mac)) != 0)
			problem(w, LT_AUDIT_P_MAC, ln, e.seq, "line %u (seq %" PRIu64
			    "): the mac does not match: the entry was edited, the one "
			    "before it replaced, or it was written with another key",
			    ln, e.seq);
		else if (place_ok(w, &e, ln, acked) == 0) {
			advance(w, &e);
			if (w->fn != NULL)
				r = w->fn(w->arg, &e);
		}
		acked = 0;
		json_decref(e.detail);
		if (r < 0 || w->sum->problem != LT_AUDIT_P_NONE)
			return r;
	}
	return 0;
}

/* --- files --- */

static int
read_all(int fd, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct stat st;
	size_t have = 0;
	char *b;
	ssize_t r;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "audit.log is not a regular file");
		return LT_AUDIT_EIO;
	}
	if ((size_t)st.st_size > FILE_MAX) {
		seterr(err, errlen, "audit.log is larger than 1 GiB: rotate it");
		return LT_AUDIT_EIO;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		seterr(err, errlen, "out of memory reading audit.log");
		return LT_AUDIT_EIO;
	}
	while (have < (size_t)st.st_size) {
		r = pread(fd, b + have, (size_t)st.st_size - have, (off_t)have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			seterr(err, errlen, "cannot read audit.log: %s",
			    r == 0 ? "it shrank while being read" : strerror(errno));
			free(b);
			return LT_AUDIT_EIO;
		}
		have += (size_t)r;
	}
	*out = b;
	*outlen = have;
	return 0;
}

static void
head_tag(const uint8_t *key, uint64_t n, const uint8_t mac[static LT_AUDIT_MAC_LEN],
    uint8_t tag[static 32])
{
	crypto_generichash_state st;
	uint8_t be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(n >> (56 - 8 * i));
	crypto_generichash_init(&st, key, LT_AUDIT_KEY_LEN, 32);
	crypto_generichash_update(&st, (const uint8_t *)HEAD_DOMAIN,
	    sizeof(HEAD_DOMAIN) - 1);
	crypto_generichash_update(&st, be, sizeof(be));
	crypto_generichash_update(&st, mac, LT_AUDIT_MAC_LEN);
	crypto_generichash_final(&st, tag, 32);
}

static int
fmt_head(char buf[static HEAD_MAX], const uint8_t *key, uint64_t n,
    const uint8_t mac[static LT_AUDIT_MAC_LEN])
{
	char mh[65], th[65];
	uint8_t tag[32];

	head_tag(key, n, mac, tag);
	sodium_bin2hex(mh, sizeof(mh), mac, LT_AUDIT_MAC_LEN);
	sodium_bin2hex(th, sizeof(th), tag, sizeof(tag));
	return snprintf(buf, HEAD_MAX, "lawtap-audit-head 1 entries=%" PRIu64
	    " mac=%s tag=%s\n", n, mh, th);
}

/*
 * Reads audit.head: 1 and *n, mac set if it is there and its tag is right;
 * 0 if it is missing; 2 if it is damaged or forged; LT_AUDIT_EIO.
 */
static int
read_head(int dirfd, const uint8_t *key, uint64_t *n,
    uint8_t mac[static LT_AUDIT_MAC_LEN], char *err, size_t errlen)
{
	char buf[HEAD_MAX], want[HEAD_MAX], *end;
	const char *p;
	ssize_t r;
	int fd, wn;

	fd = openat(dirfd, LT_AUDIT_HEAD, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		seterr(err, errlen, "cannot open audit.head: %s", strerror(errno));
		return LT_AUDIT_EIO;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0) {
		seterr(err, errlen, "cannot read audit.head: %s", strerror(errno));
		return LT_AUDIT_EIO;
	}
	buf[r] = '\0';
	if ((p = strstr(buf, " entries=")) == NULL || p[9] < '0' || p[9] > '9')
		return 2;
	errno = 0;
	*n = strtoull(p + 9, &end, 10);
	if (errno != 0 || strncmp(end, " mac=", 5) != 0 ||
	    sodium_hex2bin(mac, LT_AUDIT_MAC_LEN, end + 5, 64, NULL, NULL, NULL) < 0)
		return 2;
	wn = fmt_head(want, key, *n, mac);
	return wn == r && memcmp(want, buf, (size_t)r) == 0 ? 1 : 2;
}

static int
write_head(int dirfd, const uint8_t *key, const struct chain *c, char *err,
    size_t errlen)
{
	char buf[HEAD_MAX];
	int n = fmt_head(buf, key, c->next_seq, c->prev_mac);

	return lt_atomic_write(dirfd, LT_AUDIT_HEAD, buf, (size_t)n, err, errlen) == 0 ?
	    0 : LT_AUDIT_EIO;
}

/*
 * Walks the open log fd against audit.head.  sum->problem tells the
 * outcome; returns 0, the callback's value, or LT_AUDIT_EIO.
 */
static int
check_log(int dirfd, int fd, const uint8_t *key, const uint8_t *pk,
    int (*fn)(void *, const struct lt_audit_entry *), void *arg,
    struct chain *c, struct lt_audit_sum *sum, off_t *size, char *msg,
    size_t msglen)
{
	struct walk w = { key, pk, fn, arg, c, sum, msg, msglen };
	uint8_t hmac[LT_AUDIT_MAC_LEN];
	uint64_t hn = 0;
	size_t len;
	char *buf;
	int h, r;

	memset(c, 0, sizeof(*c));
	memset(sum, 0, sizeof(*sum));
	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if ((h = read_head(dirfd, key, &hn, hmac, msg, msglen)) == LT_AUDIT_EIO)
		return h;
	if ((r = read_all(fd, &buf, &len, msg, msglen)) < 0)
		return r;
	if (size != NULL)
		*size = (off_t)len;
	c->head_n = h == 1 ? hn : 0;
	r = walk(&w, buf, len);
	free(buf);
	if (r < 0 || (sum->problem != LT_AUDIT_P_NONE && sum->problem != LT_AUDIT_P_TORN))
		return r;
	if (h == 0 && len > 0)
		problem(&w, LT_AUDIT_P_HEAD, 0, c->next_seq, "audit.head is missing "
		    "while audit.log holds entries: it was deleted (and entries "
		    "may have been cut from the end)");
	else if (h == 2)
		problem(&w, LT_AUDIT_P_HEAD, 0, c->next_seq, "audit.head is damaged "
		    "or was not written with this appliance's audit key");
	else if (h == 1 && hn > c->next_seq)
		problem(&w, LT_AUDIT_P_HEAD, 0, c->next_seq, "audit.head records %"
		    PRIu64 " entries, audit.log has %" PRIu64 ": entries from seq %"
		    PRIu64 " on were cut from the end", hn, c->next_seq, c->next_seq);
	else if (h == 1 && hn > 0 &&
	    (!c->head_seen || sodium_memcmp(hmac, c->head_mac, sizeof(hmac)) != 0))
		problem(&w, LT_AUDIT_P_HEAD, 0, hn - 1, "audit.head's last mac is "
		    "not that of seq %" PRIu64 ": the log was rewritten", hn - 1);
	return 0;
}

static int
open_dir(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		seterr(err, errlen, "cannot open state directory %s: %s", dir,
		    strerror(errno));
	return fd;
}

int
lt_audit_walk(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, int (*fn)(void *, const struct lt_audit_entry *),
    void *arg, struct lt_audit_sum *sum, char *msg, size_t msglen)
{
	struct chain c;
	int dirfd, fd, r;

	memset(sum, 0, sizeof(*sum));
	if (sodium_init() < 0) {
		seterr(msg, msglen, "libsodium failed to initialise");
		return LT_AUDIT_EIO;
	}
	if ((dirfd = open_dir(dir, msg, msglen)) < 0)
		return LT_AUDIT_EIO;
	fd = openat(dirfd, LT_AUDIT_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		seterr(msg, msglen, "cannot open %s/" LT_AUDIT_LOG ": %s%s", dir,
		    strerror(errno), errno == ENOENT ? " (nothing has been "
		    "audited in this state directory yet, or the log was removed)" :
		    "");
		close(dirfd);
		return LT_AUDIT_EIO;
	}
	flock(fd, LOCK_SH);	/* not mid-append; advisory, so best effort */
	r = check_log(dirfd, fd, mac_key, sign_pk, fn, arg, &c, sum, NULL, msg,
	    msglen);
	sodium_memzero(&c, sizeof(c));
	close(fd);
	close(dirfd);
	return r;
}

int
lt_audit_verify(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, struct lt_audit_sum *sum, char *msg, size_t msglen)
{
	return lt_audit_walk(dir, mac_key, sign_pk, NULL, NULL, sum, msg, msglen);
}

struct last_commit {
	int found;
	uint64_t gen;
	uint8_t hash[32];
};

static int
note_commit(void *arg, const struct lt_audit_entry *e)
{
	struct last_commit *lc = arg;

	if (strcmp(e->event, "commit") == 0 &&
	    commit_detail(e->detail, &lc->gen, lc->hash) == 0)
		lc->found = 1;
	return 0;
}

int
lt_audit_last_commit(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, uint64_t *generation, uint8_t store_hash[static 32],
    char *err, size_t errlen)
{
	struct last_commit lc = { 0, 0, { 0 } };
	struct lt_audit_sum sum;
	char msg[512];
	int r;

	r = lt_audit_walk(dir, mac_key, sign_pk, note_commit, &lc, &sum, msg,
	    sizeof(msg));
	if (r < 0) {
		seterr(err, errlen, "%s", msg);
		return r;
	}
	if (sum.problem != LT_AUDIT_P_NONE && sum.problem != LT_AUDIT_P_TORN) {
		seterr(err, errlen, "the audit log does not verify, so the last "
		    "commit it records cannot be trusted: %s", msg);
		return LT_AUDIT_ETAMPER;
	}
	if (!lc.found)
		return 0;
	*generation = lc.gen;
	memcpy(store_hash, lc.hash, 32);
	return 1;
}

/* --- appending --- */

int
lt_audit_open(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t sign_sk[static LT_AUDIT_SK_LEN],
    const uint8_t sign_pk[static LT_AUDIT_PK_LEN], struct lt_audit **out,
    char *err, size_t errlen)
{
	struct lt_audit_sum sum;
	struct lt_audit *a;
	char msg[512];
	int r;

	*out = NULL;
	if (sodium_init() < 0) {
		seterr(err, errlen, "libsodium failed to initialise");
		return LT_AUDIT_EIO;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->keys = sodium_malloc(LT_AUDIT_KEY_LEN + LT_AUDIT_SK_LEN +
	    LT_AUDIT_PK_LEN)) == NULL) {
		free(a);
		seterr(err, errlen, "out of memory opening the audit log");
		return LT_AUDIT_EIO;
	}
	memcpy(KEY(a), mac_key, LT_AUDIT_KEY_LEN);
	memcpy(SK(a), sign_sk, LT_AUDIT_SK_LEN);
	memcpy(PK(a), sign_pk, LT_AUDIT_PK_LEN);
	a->fd = -1;
	if ((a->dirfd = open_dir(dir, err, errlen)) < 0) {
		r = LT_AUDIT_EIO;
		goto fail;
	}
	a->fd = openat(a->dirfd, LT_AUDIT_LOG, O_RDWR | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (a->fd < 0) {
		seterr(err, errlen, "cannot open %s/" LT_AUDIT_LOG ": %s", dir,
		    strerror(errno));
		r = LT_AUDIT_EIO;
		goto fail;
	}
	if (flock(a->fd, LOCK_EX) < 0) {
		seterr(err, errlen, "cannot lock audit.log: %s", strerror(errno));
		r = LT_AUDIT_EIO;
		goto fail;
	}
	r = check_log(a->dirfd, a->fd, KEY(a), PK(a), NULL, NULL, &a->c, &sum,
	    &a->size, msg, sizeof(msg));
	if (r < 0) {
		flock(a->fd, LOCK_UN);
		seterr(err, errlen, "%s", msg);
		goto fail;
	}
	/* a new log (or one a crash left empty) and no head yet: start one */
	if (sum.problem == LT_AUDIT_P_NONE && a->size == 0 &&
	    faccessat(a->dirfd, LT_AUDIT_HEAD, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT &&
	    (r = write_head(a->dirfd, KEY(a), &a->c, err, errlen)) < 0) {
		flock(a->fd, LOCK_UN);
		goto fail;
	}
	flock(a->fd, LOCK_UN);
	if (sum.problem != LT_AUDIT_P_NONE && sum.problem != LT_AUDIT_P_TORN) {
		seterr(err, errlen, "%s (the audit log in %s does not verify; "
		    "nothing is appended to a broken chain: keep it as evidence, "
		    "move audit.log and audit.head aside to start anew)", msg, dir);
		r = LT_AUDIT_ETAMPER;
		goto fail;
	}
	*out = a;
	return 0;
fail:
	lt_audit_close(a);
	return r;
}

void
lt_audit_close(struct lt_audit *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->dirfd >= 0)
		close(a->dirfd);
	sodium_free(a->keys);
	free(a);
}

int
lt_audit_torn(const struct lt_audit *a)
{
	return a->c.torn;
}

static int
checkpoint_due(const struct chain *c)
{
	return c->since_cp >= LT_AUDIT_CHECKPOINT_EVERY - 1 || c->prev_commit;
}

/* Adds one line for (event, detail string) at c->next_seq to buf; advances c. */
static int
add_line(struct lt_audit *a, struct chain *c, char *buf, size_t *len,
    size_t size, const char *tstr, enum lt_audit_role role, const char *event,
    const char *detail)
{
	char line[LT_AUDIT_LINE_MAX + 2];
	uint8_t mac[LT_AUDIT_MAC_LEN];
	int n;

	if ((n = fmt_entry(line, c->next_seq, tstr, roles[role], event, detail,
	    NULL)) < 0)
		return -1;
	entry_mac(KEY(a), c->prev_mac, line, (size_t)n, mac);
	if ((n = fmt_entry(line, c->next_seq, tstr, roles[role], event, detail,
	    mac)) < 0 || *len + (size_t)n + 1 > size)
		return -1;
	memcpy(buf + *len, line, (size_t)n);
	buf[*len + (size_t)n] = '\n';
	*len += (size_t)n + 1;
	memcpy(c->prev_mac, mac, LT_AUDIT_MAC_LEN);
	c->next_seq++;
	if (strcmp(event, TORN_ACK) == 0)
		c->since_cp++;
	else {
		c->since_cp = strcmp(event, CHECKPOINT) == 0 ? 0 : c->since_cp + 1;
		c->prev_commit = strcmp(event, "commit") == 0;
	}
	return 0;
}

static int
add_checkpoint(struct lt_audit *a, struct chain *c, char *buf, size_t *len,
    size_t size, const char *tstr)
{
	uint8_t m[sizeof(CP_DOMAIN) - 1 + 8 + LT_AUDIT_MAC_LEN];
	uint8_t sig[crypto_sign_BYTES];
	char d[2 * crypto_sign_BYTES + 16];

	cp_msg(c->next_seq, c->prev_mac, m);
	crypto_sign_detached(sig, NULL, m, sizeof(m), SK(a));
	memcpy(d, "{\"sig\":\"", 8);
	sodium_bin2hex(d + 8, 2 * crypto_sign_BYTES + 1, sig, sizeof(sig));
	memcpy(d + 8 + 2 * crypto_sign_BYTES, "\"}", 3);
	return add_line(a, c, buf, len, size, tstr, LT_AUDIT_DAEMON, CHECKPOINT, d);
}

/*
 * Locks the log and brings a->c up to date if another process appended
 * since we last looked.  Returns 0 locked, or an error (unlocked).
 */
static int
lock_current(struct lt_audit *a, char *err, size_t errlen)
{
	struct lt_audit_sum sum;
	struct stat st;
	char msg[512];
	int r;

	if (flock(a->fd, LOCK_EX) < 0) {
		seterr(err, errlen, "cannot lock audit.log: %s", strerror(errno));
		return LT_AUDIT_EIO;
	}
	if (fstat(a->fd, &st) < 0) {
		seterr(err, errlen, "cannot stat audit.log: %s", strerror(errno));
		r = LT_AUDIT_EIO;
		goto fail;
	}
	if (st.st_size == a->size)
		return 0;
	r = check_log(a->dirfd, a->fd, KEY(a), PK(a), NULL, NULL, &a->c, &sum,
	    &a->size, msg, sizeof(msg));
	if (r == 0 && sum.problem != LT_AUDIT_P_NONE && sum.problem != LT_AUDIT_P_TORN)
		r = LT_AUDIT_ETAMPER;
	if (r == 0)
		return 0;
	a->size = -1;
	seterr(err, errlen, "audit.log changed under us and %s: %s",
	    r == LT_AUDIT_ETAMPER ? "no longer verifies" : "cannot be read", msg);
fail:
	flock(a->fd, LOCK_UN);
	return r;
}

/* Writes buf with one write and an fsync, then the head; unlocks. */
static int64_t
commit_lines(struct lt_audit *a, const struct chain *nc, const char *buf,
    size_t len, uint64_t seq, char *err, size_t errlen)
{
	int64_t r = (int64_t)seq;

	if (lt_write_all(a->fd, buf, len) < 0 || fsync(a->fd) < 0) {
		seterr(err, errlen, "cannot append to audit.log: %s (the entry "
		    "may be partly written: the log then waits for an officer)",
		    strerror(errno));
		a->size = -1;
		r = LT_AUDIT_EIO;
	} else {
		a->c = *nc;
		a->c.torn = 0;
		a->size += (off_t)len;
		if (write_head(a->dirfd, KEY(a), &a->c, err, errlen) < 0) {
			seterr(err, errlen, "entry seq %" PRIu64 " is in audit.log, "
			    "but audit.head was not replaced", seq);
			r = LT_AUDIT_EIO;
		}
	}
	flock(a->fd, LOCK_UN);
	return r;
}

static int
warrant_id_ok(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] == 'W' && lower_hex_ok(s + 1, 16);
}

/* "warrant"/"warrant_id": one opaque id; "warrants": an array of them. */
static int
warrant_ref_ok(const char *k, const json_t *v)
{
	const json_t *x;
	size_t i;

	if (strcmp(k, "warrants") == 0) {
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, x)
			if (!warrant_id_ok(x))
				return 0;
		return 1;
	}
	return warrant_id_ok(v);
}

static int
ip_literal(const char *s)
{
	char buf[64], *slash;
	uint8_t a[16];

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

/* Refuses what would put an identity in the log; why names the rule only. */
static int
detail_private_ok(const json_t *v, const char **why)
{
	const char *k;
	json_t *x;
	size_t i;
	int warrant = 0, agency = 0;

	if (json_is_string(v) && ip_literal(json_string_value(v))) {
		*why = "detail holds an IP address; refer to warrants by their id";
		return 0;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (!detail_private_ok(x, why))
				return 0;
		return 1;
	}
	if (!json_is_object(v))
		return 1;
	json_object_foreach((json_t *)v, k, x) {
		size_t n = strlen(k);

		if (n == 0 || n > 32 || strspn(k, "abcdefghijklmnopqrstuvwxyz"
		    "0123456789_") != n) {
			*why = "detail keys must be 1..32 of a-z, 0-9, '_'";
			return 0;
		}
		for (i = 0; i < sizeof(deny_keys) / sizeof(deny_keys[0]); i++)
			if (strcmp(k, deny_keys[i]) == 0) {
				*why = "detail names an identity (LIID, target, case "
				    "or address); refer to warrants by their id";
				return 0;
			}
		if (strcmp(k, "warrant") == 0 || strcmp(k, "warrant_id") == 0 ||
		    strcmp(k, "warrants") == 0) {
			warrant = 1;
			if (!warrant_ref_ok(k, x)) {
				*why = "a warrant is named by its opaque id "
				    "(\"W\" and 16 hex digits), nothing else";
				return 0;
			}
		}
		agency |= strncmp(k, "agency", 6) == 0;
		if (!detail_private_ok(x, why))
			return 0;
	}
	if (warrant && agency) {
		*why = "detail links a warrant to an agency";
		return 0;
	}
	return 1;
}

static int64_t
append(struct lt_audit *a, time_t when, enum lt_audit_role role,
    const char *event, const json_t *detail, int ack, char *err, size_t errlen)
{
	char buf[3 * (LT_AUDIT_LINE_MAX + 1) + 1], tstr[TIME_LEN + 1], *d = NULL;
	char hex[65];
	const char *why = NULL;
	struct chain nc;
	size_t len = 0;
	uint64_t seq, gen;
	uint8_t h[32];
	json_t *empty = NULL;
	int64_t r;

	if (a == NULL || (unsigned)role > LT_AUDIT_DAEMON || event == NULL) {
		seterr(err, errlen, "audit: bad arguments");
		return LT_AUDIT_EINVAL;
	}
	if (fmt_time((int64_t)when, tstr) < 0) {
		seterr(err, errlen, "audit: the clock is outside 1970..9999");
		return LT_AUDIT_EINVAL;
	}
	if (!ack && (!event_ok(event) || strcmp(event, CHECKPOINT) == 0 ||
	    strcmp(event, TORN_ACK) == 0)) {
		seterr(err, errlen, "audit: event must be 1..32 of a-z, 0-9, '-' "
		    "and not checkpoint or torn-ack");
		return LT_AUDIT_EINVAL;
	}
	if (detail == NULL)
		detail = empty = json_object();
	if (ack && (d = malloc(128)) == NULL) {
		seterr(err, errlen, "out of memory");
		return LT_AUDIT_EIO;
	}
	if (!ack && !detail_private_ok(detail, &why))
		goto bad;
	if (!ack && strcmp(event, "commit") == 0 && commit_detail(detail, &gen, h) < 0) {
		why = "a commit's detail needs generation (integer) and "
		    "store_hash (64 lower-case hex)";
		goto bad;
	}
	if (!ack && (d = detail_dump(detail, &why)) == NULL)
		goto bad;
	if ((r = lock_current(a, err, errlen)) < 0)
		goto out;
	if (a->c.torn != ack) {
		flock(a->fd, LOCK_UN);
		if (ack)
			seterr(err, errlen, "audit.log has no torn tail to acknowledge");
		else
			seterr(err, errlen, "audit.log ends in a partial entry left "
			    "by a crash (where seq %" PRIu64 " belongs): nothing is "
			    "appended until an officer acknowledges it",
			    a->c.next_seq);
		r = ack ? LT_AUDIT_EINVAL : LT_AUDIT_ETORN;
		goto out;
	}
	nc = a->c;
	if (ack) {
		sodium_bin2hex(hex, sizeof(hex), nc.torn_hash, 32);
		snprintf(d, 128, "{\"blake2b\":\"%s\",\"bytes\":%zu}", hex,
		    nc.torn_len);
		buf[len++] = '\n';
	}
	else if (checkpoint_due(&nc))
		add_checkpoint(a, &nc, buf, &len, sizeof(buf), tstr);
	seq = nc.next_seq;
	if (add_line(a, &nc, buf, &len, sizeof(buf), tstr, role, event, d) < 0) {
		flock(a->fd, LOCK_UN);
		seterr(err, errlen, "audit: the entry would be longer than %d bytes",
		    LT_AUDIT_LINE_MAX);
		r = LT_AUDIT_EINVAL;
		goto out;
	}
	if (!ack && checkpoint_due(&nc))
		add_checkpoint(a, &nc, buf, &len, sizeof(buf), tstr);
	r = commit_lines(a, &nc, buf, len, seq, err, errlen);
	goto out;
bad:
	seterr(err, errlen, "audit: %s", why);
	r = LT_AUDIT_EINVAL;
out:
	free(d);
	json_decref(empty);
	return r;
}

int64_t
lt_audit_append_at(struct lt_audit *a, time_t when, enum lt_audit_role role,
    const char *event, const json_t *detail, char *err, size_t errlen)
{
	return append(a, when, role, event, detail, 0, err, errlen);
}

int64_t
lt_audit_append(struct lt_audit *a, enum lt_audit_role role, const char *event,
    const json_t *detail, char *err, size_t errlen)
{
	return append(a, time(NULL), role, event, detail, 0, err, errlen);
}

int64_t
lt_audit_ack_torn(struct lt_audit *a, enum lt_audit_role role, char *err,
    size_t errlen)
{
	if (a == NULL || role != LT_AUDIT_OFFICER) {
		seterr(err, errlen, "only the officer may acknowledge a torn audit log");
		return LT_AUDIT_EINVAL;
	}
	return append(a, time(NULL), role, TORN_ACK, NULL, 1, err, errlen);
}
