/* wfile.c - warrant files: signed by an issuer, sealed to one appliance; made and checked without I/O. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/wfile.h"
#include "util/be.h"

_Static_assert(LT_WFILE_SEAL_LEN == crypto_box_SEALBYTES, "crypto_box_SEALBYTES");
_Static_assert(LT_WFILE_SIG_LEN == crypto_sign_BYTES, "crypto_sign_BYTES");

static const uint8_t magic[4] = { 'L', 'T', 'W', '1' };

static int
fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static void
utc(int64_t t, char buf[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld s", (long long)t);
}

int
lt_wfile_seal(const char *json, size_t json_len, const uint8_t issuer_sk[static 64],
    const uint8_t recipient_pk[static 32], uint64_t serial, int64_t not_before,
    int64_t not_after, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	size_t ilen = LT_WFILE_HDR_LEN + json_len + LT_WFILE_SIG_LEN;
	uint8_t *inner, *sealed;

	*out = NULL;
	*outlen = 0;
	if (sodium_init() < 0)
		return fail(-1, err, errlen, "cannot initialise libsodium");
	if (not_after <= not_before)
		return fail(-1, err, errlen, "the validity window is empty: it must end after "
		    "it starts");
	if (json_len > LT_WFILE_JSON_MAX)
		return fail(-1, err, errlen, "the warrant is larger than %u bytes",
		    LT_WFILE_JSON_MAX);
	/* the plaintext names targets: locked memory, wiped when freed */
	if ((inner = sodium_malloc(ilen)) == NULL)
		return fail(-1, err, errlen, "out of memory (sodium_malloc)");
	memcpy(inner, magic, 4);
	crypto_sign_ed25519_sk_to_pk(inner + 4, issuer_sk);
	memcpy(inner + 36, recipient_pk, 32);
	lt_put_be(inner + 68, serial, 8);
	lt_put_be(inner + 76, (uint64_t)not_before, 8);
	lt_put_be(inner + 84, (uint64_t)not_after, 8);
	lt_put_be(inner + 92, json_len, 4);
	memcpy(inner + LT_WFILE_HDR_LEN, json, json_len);
	crypto_sign_detached(inner + LT_WFILE_HDR_LEN + json_len, NULL, inner,
	    LT_WFILE_HDR_LEN + json_len, issuer_sk);

	if ((sealed = malloc(ilen + LT_WFILE_SEAL_LEN)) == NULL) {
		sodium_free(inner);
		return fail(-1, err, errlen, "out of memory");
	}
	if (crypto_box_seal(sealed, inner, ilen, recipient_pk) != 0) {
		sodium_free(inner);
		free(sealed);
		return fail(-1, err, errlen, "cannot seal to that public key (not an X25519 "
		    "key?)");
	}
	sodium_free(inner);
	*out = sealed;
	*outlen = ilen + LT_WFILE_SEAL_LEN;
	return 0;
}

static int
check_inner(const uint8_t *in, size_t ilen, const uint8_t box_pk[static 32],
    const struct lt_wfile_checks *chk, json_t **json, struct lt_wfile_info *info,
    char *err, size_t errlen)
{
	char hex[17], when[32];
	json_error_t je;
	size_t jlen;
	json_t *j;
	int r;

	if (memcmp(in, magic, 4) != 0)
		return fail(LT_WFILE_EFORMAT, err, errlen, "sealed to this appliance but not a "
		    "lawtap warrant file inside (bad magic)");
	jlen = (size_t)lt_get_be(in + 92, 4);
	if (jlen != ilen - LT_WFILE_HDR_LEN - LT_WFILE_SIG_LEN)
		return fail(LT_WFILE_EFORMAT, err, errlen, "sealed to this appliance but damaged "
		    "inside: the warrant length does not match the file");
	memcpy(info->issuer_pk, in + 4, 32);
	memcpy(info->recipient_pk, in + 36, 32);
	info->serial = lt_get_be(in + 68, 8);
	info->not_before = (int64_t)lt_get_be(in + 76, 8);
	info->not_after = (int64_t)lt_get_be(in + 84, 8);
	info->have = 1;
	sodium_bin2hex(hex, sizeof(hex), info->issuer_pk, 8);

	if ((r = chk->pinned(chk->arg, info->issuer_pk, err, errlen)) < 0)
		return LT_WFILE_ESYS;
	if (r == 0)
		return fail(LT_WFILE_EISSUER, err, errlen, "signed by key %s... which is not a "
		    "pinned issuer (the officer adds issuers with 'lawtap warrant issuer add')",
		    hex);
	if (crypto_sign_verify_detached(in + LT_WFILE_HDR_LEN + jlen, in,
	    LT_WFILE_HDR_LEN + jlen, info->issuer_pk) != 0)
		return fail(LT_WFILE_ESIG, err, errlen, "the signature of issuer %s... does not "
		    "verify: the file was altered after it was signed", hex);
	if (sodium_memcmp(info->recipient_pk, box_pk, 32) != 0)
		return fail(LT_WFILE_ERECIPIENT, err, errlen, "addressed to another appliance "
		    "(its recipient key is not this appliance's)");
	if (info->not_after <= info->not_before)
		return fail(LT_WFILE_EFORMAT, err, errlen, "its validity window is empty");
	if (chk->now < info->not_before) {
		utc(info->not_before, when);
		return fail(LT_WFILE_ENOTYET, err, errlen, "not valid yet: it may be imported "
		    "from %s", when);
	}
	if (chk->now >= info->not_after) {
		utc(info->not_after, when);
		return fail(LT_WFILE_EEXPIRED, err, errlen, "expired: it could be imported until "
		    "%s", when);
	}
	if ((r = chk->seen(chk->arg, info->issuer_pk, info->serial, err, errlen)) < 0)
		return LT_WFILE_ESYS;
	if (r > 0)
		return fail(LT_WFILE_EREPLAY, err, errlen, "serial %llu of issuer %s... was "
		    "imported before: a replayed file", (unsigned long long)info->serial, hex);

	/* jansson's own message may quote the text: give the position only */
	j = json_loadb((const char *)in + LT_WFILE_HDR_LEN, jlen, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return fail(LT_WFILE_EJSON, err, errlen, "the warrant inside is not valid JSON "
		    "(line %d, column %d)", je.line, je.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(LT_WFILE_EJSON, err, errlen, "the warrant inside is not a JSON "
		    "object");
	}
	*json = j;
	return 0;
}

int
lt_wfile_open(const uint8_t *buf, size_t len, const uint8_t box_pk[static 32],
    const uint8_t box_sk[static 32], const struct lt_wfile_checks *chk, json_t **json,
    struct lt_wfile_info *info, char *err, size_t errlen)
{
	uint8_t *inner;
	size_t ilen;
	int rc;

	*json = NULL;
	memset(info, 0, sizeof(*info));
	if (errlen > 0)
		err[0] = '\0';
	if (sodium_init() < 0)
		return fail(LT_WFILE_ESYS, err, errlen, "cannot initialise libsodium");
	if (len < LT_WFILE_MIN_LEN)
		return fail(LT_WFILE_ESIZE, err, errlen, "%zu bytes is too short for a warrant "
		    "file (at least %d): truncated?", len, LT_WFILE_MIN_LEN);
	if (len > LT_WFILE_MAX_LEN)
		return fail(LT_WFILE_ESIZE, err, errlen, "larger than any warrant file (%u "
		    "bytes at most)", LT_WFILE_MAX_LEN);
	ilen = len - LT_WFILE_SEAL_LEN;
	if ((inner = sodium_malloc(ilen)) == NULL)
		return fail(LT_WFILE_ESYS, err, errlen, "out of memory (sodium_malloc)");
	if (crypto_box_seal_open(inner, buf, len, box_pk, box_sk) != 0)
		rc = fail(LT_WFILE_EOPEN, err, errlen, "not sealed to this appliance, or "
		    "damaged (truncated or altered on the way)");
	else
		rc = check_inner(inner, ilen, box_pk, chk, json, info, err, errlen);
	sodium_free(inner);
	return rc;
}

const char *
lt_wfile_reason(int code)
{
	static const char *const names[] = { "ok", "system", "size", "cannot-open",
	    "format", "issuer", "signature", "recipient", "not-yet-valid", "expired",
	    "replay", "json" };

	if (code > 0 || -code >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[-code];
}
