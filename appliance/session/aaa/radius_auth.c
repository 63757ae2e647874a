/* radius_auth.c - RADIUS authenticators (RFC 2865/2866 s.3), code and error names. */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "session/aaa/radius.h"

/*
 * MD5(Code | Identifier | Length | auth | Attributes | secret).  The digest
 * and its context are made once per thread: looking MD5 up and making a
 * context cost OpenSSL 3 more than the hash of a RADIUS packet itself.
 */
static int
digest(const struct radius_msg *m, const uint8_t auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len,
    uint8_t out[static RADIUS_AUTH_LEN])
{
	static _Thread_local EVP_MD *md5;
	static _Thread_local EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if (m->pkt == NULL || m->len < RADIUS_HDR_LEN)
		return RADIUS_E_SHORT;
	if (md5 == NULL && (md5 = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL)
		return RADIUS_E_CRYPTO;
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return RADIUS_E_CRYPTO;
	ok = EVP_DigestInit_ex(ctx, md5, NULL) &&
	    EVP_DigestUpdate(ctx, m->pkt, 4) &&
	    EVP_DigestUpdate(ctx, auth, RADIUS_AUTH_LEN) &&
	    EVP_DigestUpdate(ctx, m->pkt + RADIUS_HDR_LEN,
		(size_t)m->len - RADIUS_HDR_LEN) &&
	    (secret_len == 0 || EVP_DigestUpdate(ctx, secret, secret_len)) &&
	    EVP_DigestFinal_ex(ctx, out, &n) && n == RADIUS_AUTH_LEN;
	return ok ? RADIUS_OK : RADIUS_E_CRYPTO;
}

int
radius_response_auth(const struct radius_msg *m,
    const uint8_t req_auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len,
    uint8_t out[static RADIUS_AUTH_LEN])
{
	return digest(m, req_auth, secret, secret_len, out);
}

static int
check(const struct radius_msg *m, const uint8_t auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len)
{
	uint8_t want[RADIUS_AUTH_LEN];
	int r;

	if ((r = digest(m, auth, secret, secret_len, want)) != RADIUS_OK)
		return r;
	return CRYPTO_memcmp(want, m->auth, RADIUS_AUTH_LEN) == 0 ?
	    RADIUS_OK : RADIUS_E_AUTH;
}

int
radius_verify_response(const struct radius_msg *m,
    const uint8_t req_auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len)
{
	return check(m, req_auth, secret, secret_len);
}

int
radius_verify_request(const struct radius_msg *m,
    const uint8_t *secret, size_t secret_len)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];

	return check(m, zero, secret, secret_len);
}

const char *
radius_code_name(uint8_t code)
{
	switch (code) {
	case RADIUS_ACCESS_REQUEST: return "Access-Request";
	case RADIUS_ACCESS_ACCEPT: return "Access-Accept";
	case RADIUS_ACCESS_REJECT: return "Access-Reject";
	case RADIUS_ACCT_REQUEST: return "Accounting-Request";
	case RADIUS_ACCT_RESPONSE: return "Accounting-Response";
	case RADIUS_ACCESS_CHALLENGE: return "Access-Challenge";
	case RADIUS_STATUS_SERVER: return "Status-Server";
	case RADIUS_STATUS_CLIENT: return "Status-Client";
	case RADIUS_DISCONNECT_REQUEST: return "Disconnect-Request";
	case RADIUS_DISCONNECT_ACK: return "Disconnect-ACK";
	case RADIUS_DISCONNECT_NAK: return "Disconnect-NAK";
	case RADIUS_COA_REQUEST: return "CoA-Request";
	case RADIUS_COA_ACK: return "CoA-ACK";
	case RADIUS_COA_NAK: return "CoA-NAK";
	default: return "unknown";
	}
}

const char *
radius_strerror(int err)
{
	switch (err) {
	case RADIUS_OK: return "ok";
	case RADIUS_E_SHORT:
		return "RADIUS datagram shorter than its 20-octet header "
		    "(capture snap length too small?)";
	case RADIUS_E_LENGTH:
		return "RADIUS Length field outside 20..4096";
	case RADIUS_E_TRUNCATED:
		return "RADIUS datagram shorter than its Length field "
		    "(fragment not reassembled, or snap length too small?)";
	case RADIUS_E_CODE:
		return "RADIUS Code not defined by any RFC "
		    "(not RADIUS on this port?)";
	case RADIUS_E_ATTR_LEN:
		return "RADIUS attribute with Length 0 or 1";
	case RADIUS_E_ATTR_OVERRUN:
		return "RADIUS attribute runs past the end of the packet";
	case RADIUS_E_ATTR_SIZE:
		return "RADIUS attribute value of the wrong size for its type";
	case RADIUS_E_PREFIX:
		return "RADIUS IPv6 prefix length above 128 or longer than "
		    "its octets";
	case RADIUS_E_DUPLICATE:
		return "RADIUS attribute that may appear once appears twice; "
		    "no binding taken from it";
	case RADIUS_E_AUTH:
		return "RADIUS authenticator mismatch (the configured shared "
		    "secret differs from the NAS's, or a forged packet)";
	case RADIUS_E_CRYPTO:
		return "MD5 not available from OpenSSL (FIPS provider only?): "
		    "RADIUS authenticators cannot be checked";
	default: return "unknown RADIUS error";
	}
}
