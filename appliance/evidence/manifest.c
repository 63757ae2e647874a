/* manifest.c - the evidence manifest's line format: build, parse and hash one line (pure, fuzzed). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "evidence/manifest.h"

#define HEADER_PREFIX	"lawtap-evidence v1 store="

static const char *const errs[EV_MF_NERR] = {
	"no error",
	"line too long",
	"line is neither the header, an F line nor an S line",
	"a field is missing, misnamed or out of order",
	"a number is not plain decimal or is too large",
	"a hash, id or signature is not lower-case hex of the right length",
	"a file name has characters other than [A-Za-z0-9._-]",
	"a time is not seconds.microseconds (6 digits)",
	"unexpected bytes after the last field",
};

const char *
ev_mf_strerror(int e)
{
	return e <= 0 && e > -EV_MF_NERR ? errs[-e] : "unknown manifest error";
}

int
ev_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > EV_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t
ev_header_format(const uint8_t id[static EV_ID_LEN], char buf[static EV_LINE_MAX])
{
	char h[2 * EV_ID_LEN + 1];

	hex(h, id, EV_ID_LEN);
	return (size_t)snprintf(buf, EV_LINE_MAX, HEADER_PREFIX "%s", h);
}

void
ev_genesis(const uint8_t id[static EV_ID_LEN], uint8_t out[static EV_HASH_LEN])
{
	char buf[EV_LINE_MAX];
	size_t n = ev_header_format(id, buf);

	crypto_hash_sha256(out, (const uint8_t *)buf, n);
}

void
ev_sig_msg(const uint8_t hash[static EV_HASH_LEN], uint8_t msg[static EV_SIG_MSG_LEN])
{
	memcpy(msg, EV_SIG_LABEL, sizeof(EV_SIG_LABEL) - 1);
	memcpy(msg + sizeof(EV_SIG_LABEL) - 1, hash, EV_HASH_LEN);
}

int
ev_entry_format(struct ev_entry *e, char buf[static EV_LINE_MAX])
{
	char sha[2 * EV_HASH_LEN + 1], prev[2 * EV_HASH_LEN + 1];
	char h[2 * EV_HASH_LEN + 1];
	size_t nlen = strnlen(e->file, sizeof(e->file));
	int n;

	if (!ev_name_ok(e->file, nlen) || nlen == sizeof(e->file) ||
	    e->first_usec > 999999 || e->last_usec > 999999)
		return -1;
	hex(sha, e->sha256, EV_HASH_LEN);
	hex(prev, e->prev, EV_HASH_LEN);
	/* at most ~420 bytes: fits EV_LINE_MAX with the hash */
	n = snprintf(buf, EV_LINE_MAX, "F seq=%" PRIu64 " file=%s size=%" PRIu64
	    " packets=%" PRIu64 " first=%" PRIu64 ".%06" PRIu32 " last=%" PRIu64
	    ".%06" PRIu32 " sha256=%s prev=%s", e->seq, e->file, e->size,
	    e->packets, e->first_sec, e->first_usec, e->last_sec, e->last_usec,
	    sha, prev);
	if (n < 0 || n + 7 + 2 * EV_HASH_LEN + 1 >= EV_LINE_MAX)
		return -1;
	crypto_hash_sha256(e->hash, (const uint8_t *)buf, (size_t)n);
	hex(h, e->hash, EV_HASH_LEN);
	return n + snprintf(buf + n, EV_LINE_MAX - (size_t)n, " hash=%s\n", h);
}

int
ev_sig_format(const struct ev_sig *s, char buf[static EV_LINE_MAX])
{
	char h[2 * EV_HASH_LEN + 1], sig[2 * EV_SIG_LEN + 1];

	hex(h, s->hash, EV_HASH_LEN);
	hex(sig, s->sig, EV_SIG_LEN);
	return snprintf(buf, EV_LINE_MAX, "S seq=%" PRIu64 " hash=%s ed25519=%s\n",
	    s->seq, h, sig);
}

/* A cursor over one line; every taker checks bounds and canonical form. */
struct cur {
	const char *p, *end;
};

static int
lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return EV_MF_E_FIELD;
	c->p += n;
	return 0;
}

static int
num(struct cur *c, uint64_t *v, uint64_t max)
{
	const char *s = c->p;

	*v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');

		if (*v > (max - d) / 10)
			return EV_MF_E_NUMBER;
		*v = *v * 10 + d;
		c->p++;
	}
	if (c->p == s || (s[0] == '0' && c->p - s > 1))
		return EV_MF_E_NUMBER;
	return 0;
}

static int
unhex(struct cur *c, uint8_t *out, size_t n)
{
	size_t i;

	if ((size_t)(c->end - c->p) < 2 * n)
		return EV_MF_E_HEX;
	for (i = 0; i < 2 * n; i++) {
		char ch = c->p[i];
		unsigned v;

		if (ch >= '0' && ch <= '9')
			v = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = (unsigned)(ch - 'a' + 10);
		else
			return EV_MF_E_HEX;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	c->p += 2 * n;
	/* the value must end here */
	if (c->p < c->end && *c->p != ' ')
		return EV_MF_E_HEX;
	return 0;
}

static int
timeval(struct cur *c, uint64_t *sec, uint32_t *usec)
{
	uint64_t u = 0;
	int i, r;

	if ((r = num(c, sec, UINT64_MAX)) < 0)
		return EV_MF_E_TIME;
	if (c->p == c->end || *c->p++ != '.')
		return EV_MF_E_TIME;
	for (i = 0; i < 6; i++, c->p++) {
		if (c->p == c->end || *c->p < '0' || *c->p > '9')
			return EV_MF_E_TIME;
		u = u * 10 + (uint64_t)(*c->p - '0');
	}
	*usec = (uint32_t)u;
	return 0;
}

static int
name(struct cur *c, char out[static EV_NAME_MAX + 1])
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != ' ')
		c->p++;
	if (!ev_name_ok(s, (size_t)(c->p - s)))
		return EV_MF_E_NAME;
	memcpy(out, s, (size_t)(c->p - s));
	out[c->p - s] = '\0';
	return 0;
}

#define TRY(x)	do { if ((r = (x)) < 0) return r; } while (0)

static int
parse_f(struct cur *c, struct ev_entry *e, const char *line,
    uint8_t computed[EV_HASH_LEN])
{
	const char *hash_at;
	int r;

	TRY(num(c, &e->seq, UINT64_MAX));
	TRY(lit(c, " file="));
	TRY(name(c, e->file));
	TRY(lit(c, " size="));
	TRY(num(c, &e->size, UINT64_MAX));
	TRY(lit(c, " packets="));
	TRY(num(c, &e->packets, UINT64_MAX));
	TRY(lit(c, " first="));
	TRY(timeval(c, &e->first_sec, &e->first_usec));
	TRY(lit(c, " last="));
	TRY(timeval(c, &e->last_sec, &e->last_usec));
	TRY(lit(c, " sha256="));
	TRY(unhex(c, e->sha256, EV_HASH_LEN));
	TRY(lit(c, " prev="));
	TRY(unhex(c, e->prev, EV_HASH_LEN));
	hash_at = c->p;
	TRY(lit(c, " hash="));
	TRY(unhex(c, e->hash, EV_HASH_LEN));
	if (computed != NULL)
		crypto_hash_sha256(computed, (const uint8_t *)line,
		    (size_t)(hash_at - line));
	return 0;
}

int
ev_line_parse(const char *line, size_t len, struct ev_line *out,
    uint8_t computed[EV_HASH_LEN])
{
	struct cur c = { line, line + len };
	int r;

	memset(out, 0, sizeof(*out));
	if (len >= EV_LINE_MAX)
		return EV_MF_E_LONG;
	if (lit(&c, HEADER_PREFIX) == 0) {
		out->type = EV_LINE_HEADER;
		TRY(unhex(&c, out->u.store_id, EV_ID_LEN));
	} else if (lit(&c, "F seq=") == 0) {
		out->type = EV_LINE_FILE;
		TRY(parse_f(&c, &out->u.f, line, computed));
	} else if (lit(&c, "S seq=") == 0) {
		out->type = EV_LINE_SIG;
		TRY(num(&c, &out->u.s.seq, UINT64_MAX));
		TRY(lit(&c, " hash="));
		TRY(unhex(&c, out->u.s.hash, EV_HASH_LEN));
		TRY(lit(&c, " ed25519="));
		TRY(unhex(&c, out->u.s.sig, EV_SIG_LEN));
	} else {
		return EV_MF_E_TYPE;
	}
	return c.p == c.end ? 0 : EV_MF_E_TRAIL;
}
