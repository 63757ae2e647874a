/* track_impl.h - what the files of the session tracker share (session lcore side). */
#ifndef LT_TRACK_IMPL_H
#define LT_TRACK_IMPL_H

#include "etsi/etsi.h"
#include "session/track/track.h"

/* A subscriber session, target or not: kept small, there may be millions. */
struct lt_sess {
	uint64_t user_h, csid_h;	/* keyed hashes: a warrant added later finds the session */
	int64_t start_us;
	int64_t expire_us;		/* DHCP: the lease's end; INT64_MAX for RADIUS */
	uint32_t nas, nas_gen;
	uint32_t icept;			/* first intercept, LT_NONE if no warrant names it */
	uint32_t bset;			/* published bindings, LT_NONE if none */
	uint32_t acct_auth;		/* last Accounting-Request: part of its authenticator */
	uint8_t acct_id, has_acct;
	uint8_t server;
	uint8_t has_v4, nv6;
	uint8_t v6len[LT_SESS_V6];
	uint8_t v4[4];
	uint8_t v6[LT_SESS_V6][16];
};

/* What an IRI adds to the session's own fields. */
struct lt_iri_extra {
	int has_end_reason;
	uint32_t end_reason;
	int has_octets;
	uint64_t rx, tx;
	int64_t end_us;
};

extern struct lt_track_stats lt_tst;
extern const struct lt_config *lt_tcfg;

/* track.c, on the session lcore */
uint32_t lt_icept_new(uint32_t warrant, uint32_t sess, const uint8_t *uname, size_t len);
/* Publishes the session's addresses for its intercepts; replaces what was published. */
void lt_sess_bind(struct lt_sess *s);
/* A DHCP renewal: the published bindings end at the new lease end. */
void lt_sess_set_expiry(struct lt_sess *s, int64_t expire_us);
/* Withdraws the session's bindings; its intercepts stay. */
void lt_sess_unbind(struct lt_sess *s);
/* Withdraws, then frees the session's intercepts once nobody can hold them. */
void lt_sess_release(struct lt_sess *s);
/* Frees one intercept once nobody can hold it. */
void lt_icept_release(uint32_t id);
/* A pending reply stops holding the intercept. */
void lt_icept_unhold(uint32_t id);
/* With aaa_cc: the AAA packet as CC of the session's intercepts that are begun and active. */
void lt_sess_aaa_cc(const struct lt_sess *s, const uint8_t *l3, uint32_t len, int64_t ts_us);
/* An mbuf holding a copy of the IP packet l3, or NULL. */
struct rte_mbuf *lt_pkt_keep(const uint8_t *l3, uint32_t len);
/* A copy of the IP packet l3 as CC of the intercept (direction indeterminate). */
void lt_cc_copy(uint32_t icept, const uint8_t *l3, uint32_t len, int64_t ts_us);
void lt_iri_send(struct lt_icept *ic, const struct etsi_ipiri *iri, int64_t ts_us);
void lt_track_retire_poll(void);
/* An IRI of the intercept, about the session s (NULL for a report). */
void lt_send_iri(struct lt_icept *ic, const struct lt_sess *s, enum etsi_iri_type type,
    enum etsi_access_event ev, const struct lt_iri_extra *x, int64_t ts_us);
/* An IRI of type for every intercept of s in the right state (Begin: not begun yet). */
void lt_sess_iri(struct lt_sess *s, enum etsi_iri_type type, enum etsi_access_event ev,
    const struct lt_iri_extra *x, int64_t ts_us);
/* Warrant windows the clock has crossed since s was last looked at. */
void lt_sess_windows(struct lt_sess *s, int64_t now_us);
uint64_t lt_track_hash(const uint8_t *p, size_t len);
/* Warrants naming this identity (kind, bytes): indexes, at most max. */
unsigned lt_track_targets(uint8_t kind, const uint8_t *v, size_t len, uint32_t *out,
    unsigned max);

/* aaa.c */
int lt_aaa_init(int socket);
void lt_aaa_free(void);

/* dhcpsess.c */
int lt_dhcp_init(const struct lt_config *cfg, int socket);
void lt_dhcp_free(void);
void lt_dhcp_input(const uint8_t *l3, uint32_t l3_len, const uint8_t *src,
    const uint8_t *udp, size_t len, int server, int64_t ts_us);
void lt_dhcp_expire(int64_t clock_us);
void lt_dhcp_tick(int64_t clock_us);

/*
 * Warrants from slot from on (a reload's new ones) naming the identity whose
 * keyed hash is h; which[i] is the warrant's own identity (its bytes).
 */
unsigned lt_track_targets_h(uint8_t kind, uint64_t h, uint32_t from, uint32_t *out,
    const struct lt_ident **which, unsigned max);
void lt_rad_scan_new(uint32_t first_new);
void lt_dhcp_scan_new(uint32_t first_new);

/* radsess.c */
size_t lt_rad_session_bytes(void);
int lt_rad_init(const struct lt_config *cfg, int socket);
void lt_rad_free(void);
void lt_rad_input(const uint8_t *l3, uint32_t l3_len, uint8_t family, const uint8_t *src,
    const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *udp, size_t len,
    int server, int64_t ts_us);
void lt_rad_tick(int64_t clock_us);

#endif
