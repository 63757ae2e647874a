/* fuzz_radius.c - radius_parse on arbitrary datagrams, with output invariants. */
#include <string.h>

#include "fuzz.h"
#include "session/aaa/radius.h"

static const uint8_t *f;
static size_t flen;

static int
inside(const uint8_t *p, size_t n, size_t end)
{
	return p >= f && (size_t)(p - f) <= end && n <= end - (size_t)(p - f);
}

static void
check_str(const struct radius_msg *m, struct radius_str s, unsigned bit)
{
	if (!RADIUS_HAS(m, bit)) {
		FUZZ_CHECK(s.p == NULL && s.len == 0);
		return;
	}
	FUZZ_CHECK(s.len >= 1 && s.len <= 253);
	FUZZ_CHECK(inside(s.p, s.len, m->len));
}

static void
check_ptr(const struct radius_msg *m, const uint8_t *p, size_t n,
    unsigned bit)
{
	FUZZ_CHECK((p != NULL) == RADIUS_HAS(m, bit));
	if (p != NULL)
		FUZZ_CHECK(inside(p, n, m->len));
}

static void
check_prefix(const struct radius_prefix *x)
{
	FUZZ_CHECK(x->len <= 128);
	for (unsigned b = x->len; b < 128; b++)
		FUZZ_CHECK(((x->addr[b / 8] >> (7 - b % 8)) & 1) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const uint32_t multi = 1u << RADIUS_F_FRAMED_PREFIX |
	    1u << RADIUS_F_DELEGATED_PREFIX | 1u << RADIUS_F_FRAMED_IPV6 |
	    1u << RADIUS_F_CLASS;
	struct radius_msg m;
	uint8_t *c;
	int r;

	/* A copy of exactly len bytes, so ASan sees any read past the end. */
	if ((c = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(c, data, len);
	f = c;
	flen = len;
	memset(&m, 0xa5, sizeof(m));
	r = radius_parse(c, len, &m);
	FUZZ_CHECK(r <= RADIUS_OK && r >= RADIUS_E_DUPLICATE);
	if (r != RADIUS_OK && r != RADIUS_E_DUPLICATE)
		goto out;
	FUZZ_CHECK(m.pkt == c && m.auth == c + 4);
	FUZZ_CHECK(m.len >= RADIUS_MIN_LEN && m.len <= RADIUS_MAX_LEN &&
	    m.len <= len);
	FUZZ_CHECK(m.len == (c[2] << 8 | c[3]));
	FUZZ_CHECK(strcmp(radius_code_name(m.code), "unknown") != 0);
	FUZZ_CHECK((r == RADIUS_E_DUPLICATE) == (m.dup != 0));
	FUZZ_CHECK((m.dup & ~m.have) == 0 && (m.dup & multi) == 0);
	FUZZ_CHECK((m.overflow & ~multi) == 0 && (m.overflow & ~m.have) == 0);
	FUZZ_CHECK((m.have >> RADIUS_F_COUNT) == 0);
	check_str(&m, m.user_name, RADIUS_F_USER_NAME);
	check_str(&m, m.called_id, RADIUS_F_CALLED_ID);
	check_str(&m, m.calling_id, RADIUS_F_CALLING_ID);
	check_str(&m, m.nas_id, RADIUS_F_NAS_ID);
	check_str(&m, m.session_id, RADIUS_F_SESSION_ID);
	check_str(&m, m.nas_port_id, RADIUS_F_NAS_PORT_ID);
	check_ptr(&m, m.nas_ip, 4, RADIUS_F_NAS_IP);
	check_ptr(&m, m.framed_ip, 4, RADIUS_F_FRAMED_IP);
	check_ptr(&m, m.nas_ipv6, 16, RADIUS_F_NAS_IPV6);
	check_ptr(&m, m.msg_auth, 16, RADIUS_F_MSG_AUTH);
	FUZZ_CHECK(m.nframed_prefix <= RADIUS_MAX_PREFIX);
	FUZZ_CHECK(m.ndelegated <= RADIUS_MAX_PREFIX);
	FUZZ_CHECK(m.nframed_ipv6 <= RADIUS_MAX_V6ADDR);
	FUZZ_CHECK(m.nclass <= RADIUS_MAX_CLASS);
	FUZZ_CHECK((m.nframed_prefix > 0) ==
	    RADIUS_HAS(&m, RADIUS_F_FRAMED_PREFIX));
	FUZZ_CHECK((m.ndelegated > 0) ==
	    RADIUS_HAS(&m, RADIUS_F_DELEGATED_PREFIX));
	for (unsigned i = 0; i < m.nframed_prefix; i++)
		check_prefix(&m.framed_prefix[i]);
	for (unsigned i = 0; i < m.ndelegated; i++)
		check_prefix(&m.delegated[i]);
	for (unsigned i = 0; i < m.nframed_ipv6; i++)
		FUZZ_CHECK(inside(m.framed_ipv6[i], 16, m.len));
	for (unsigned i = 0; i < m.nclass; i++)
		FUZZ_CHECK(m.class[i].len >= 1 &&
		    inside(m.class[i].p, m.class[i].len, m.len));
	/* The authenticator checks read only the datagram: no crash, no UB. */
	r = radius_verify_request(&m, (const uint8_t *)"fuzz", 4);
	FUZZ_CHECK(r == RADIUS_OK || r == RADIUS_E_AUTH);
	r = radius_verify_response(&m, c + 4, (const uint8_t *)"fuzz", 4);
	FUZZ_CHECK(r == RADIUS_OK || r == RADIUS_E_AUTH);
out:
	free(c);
	return 0;
}
