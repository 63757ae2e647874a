/* fuzz_dhcp.c - dhcp4_parse and dhcp6_parse on the same bytes, with output invariants. */
#include <string.h>

#include "fuzz.h"
#include "session/aaa/dhcp.h"
#include "session/aaa/dhcp6.h"

/* p..p+n lies inside f..f+len; an absent value is NULL, 0. */
static int
inside(const uint8_t *p, size_t n, const uint8_t *f, size_t len)
{
	if (p == NULL)
		return n == 0;
	return p >= f && (size_t)(p - f) <= len && n <= len - (size_t)(p - f);
}

#define IN(p, n)	FUZZ_CHECK(inside((p), (n), c, len))

static void
v4(const uint8_t *c, size_t len)
{
	static const uint32_t subs = 1u << DHCP4_F_CIRCUIT_ID |
	    1u << DHCP4_F_REMOTE_ID;
	struct dhcp4_msg m;
	int r;

	memset(&m, 0xa5, sizeof(m));
	r = dhcp4_parse(c, len, &m);
	FUZZ_CHECK(r <= DHCP4_OK && r >= DHCP4_E_OVERLOAD);
	if (r != DHCP4_OK && r != DHCP4_E_DUPLICATE)
		return;
	FUZZ_CHECK(len >= DHCP4_MIN_LEN && (m.op == 1 || m.op == 2));
	FUZZ_CHECK(m.chaddr == c + 28 && m.yiaddr == c + 16);
	FUZZ_CHECK((r == DHCP4_E_DUPLICATE) == (m.dup != 0));
	FUZZ_CHECK((m.dup & ~m.have) == 0);
	FUZZ_CHECK(m.msg_type <= 18 &&
	    (m.msg_type != 0) == DHCP4_HAS(&m, DHCP4_F_MSG_TYPE));
	FUZZ_CHECK(m.overload <= 3);
	if (DHCP4_HAS(&m, DHCP4_F_REQUESTED_IP))
		IN(m.requested_ip, 4);
	if (DHCP4_HAS(&m, DHCP4_F_SERVER_ID))
		IN(m.server_id, 4);
	if (DHCP4_HAS(&m, DHCP4_F_HOSTNAME))
		FUZZ_CHECK(m.hostname.len >= 1);
	if (DHCP4_HAS(&m, DHCP4_F_CLIENT_ID))
		FUZZ_CHECK(m.client_id.len >= 2);
	IN(m.hostname.p, m.hostname.len);
	IN(m.client_id.p, m.client_id.len);
	if (m.have & subs)
		FUZZ_CHECK(DHCP4_HAS(&m, DHCP4_F_RAI));
	if (DHCP4_HAS(&m, DHCP4_F_RAI)) {
		IN(m.rai.p, m.rai.len);
		/* Sub-options lie inside the (first) option 82. */
		if (DHCP4_HAS(&m, DHCP4_F_CIRCUIT_ID))
			FUZZ_CHECK(m.circuit_id.len >= 1 &&
			    inside(m.circuit_id.p, m.circuit_id.len, m.rai.p,
			    m.rai.len));
		if (DHCP4_HAS(&m, DHCP4_F_REMOTE_ID))
			FUZZ_CHECK(m.remote_id.len >= 1 &&
			    inside(m.remote_id.p, m.remote_id.len, m.rai.p,
			    m.rai.len));
	}
}

static void
check_prefix(const struct dhcp6_prefix *x)
{
	FUZZ_CHECK(x->len <= 128);
	for (unsigned b = x->len; b < 128; b++)
		FUZZ_CHECK(((x->prefix[b / 8] >> (7 - b % 8)) & 1) == 0);
}

static void
v6(const uint8_t *c, size_t len)
{
	struct dhcp6_msg m;
	uint32_t dup = 0;
	int r;

	memset(&m, 0xa5, sizeof(m));
	r = dhcp6_parse(c, len, &m);
	FUZZ_CHECK(r <= DHCP6_OK && r >= DHCP6_E_DUPLICATE);
	if (r != DHCP6_OK && r != DHCP6_E_DUPLICATE)
		return;
	FUZZ_CHECK(m.nrelay <= DHCP6_MAX_RELAY);
	for (unsigned i = 0; i < m.nrelay; i++) {
		const struct dhcp6_relay *rl = &m.relay[i];

		FUZZ_CHECK(rl->type == DHCP6_RELAY_FORW ||
		    rl->type == DHCP6_RELAY_REPL);
		FUZZ_CHECK(DHCP6_HAS(rl, DHCP6_F_RELAY_MSG));
		IN(rl->link_addr, 16);
		IN(rl->peer_addr, 16);
		IN(rl->interface_id.p, rl->interface_id.len);
		IN(rl->remote_id.p, rl->remote_id.len);
		dup |= rl->dup;
	}
	FUZZ_CHECK(m.type != 0 && m.type != DHCP6_RELAY_FORW &&
	    m.type != DHCP6_RELAY_REPL);
	FUZZ_CHECK(m.nrelay > 0 || m.type == c[0]);
	FUZZ_CHECK((r == DHCP6_E_DUPLICATE) == ((m.dup | dup) != 0));
	FUZZ_CHECK(m.naddr <= DHCP6_MAX_ADDR && m.nprefix <= DHCP6_MAX_PREFIX);
	FUZZ_CHECK((m.naddr > 0) == DHCP6_HAS(&m, DHCP6_F_ADDR));
	FUZZ_CHECK((m.nprefix > 0) == DHCP6_HAS(&m, DHCP6_F_PREFIX));
	if (m.overflow & (1u << DHCP6_F_ADDR))
		FUZZ_CHECK(m.naddr == DHCP6_MAX_ADDR);
	if (m.overflow & (1u << DHCP6_F_PREFIX))
		FUZZ_CHECK(m.nprefix == DHCP6_MAX_PREFIX);
	if (DHCP6_HAS(&m, DHCP6_F_CLIENT_ID))
		FUZZ_CHECK(m.client_id.len >= 2 && m.client_id.len <= 130);
	IN(m.client_id.p, m.client_id.len);
	IN(m.server_id.p, m.server_id.len);
	for (unsigned i = 0; i < m.naddr; i++)
		IN(m.addr[i].addr, 16);
	for (unsigned i = 0; i < m.nprefix; i++)
		check_prefix(&m.prefix[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint8_t *c;

	/* A copy of exactly len bytes, so ASan sees any read past the end. */
	if ((c = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(c, data, len);
	v4(c, len);
	v6(c, len);
	free(c);
	return 0;
}
