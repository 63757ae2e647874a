/* config.h - the appliance's configuration file (libconfig), parsed and validated. */
#ifndef LT_CONFIG_H
#define LT_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define LT_LIID_MAX	25	/* LawfulInterceptionIdentifier SIZE (1..25) */
#define LT_ELEMID_MAX	16	/* operator / network-element identifiers (1..16) */
#define LT_AGENCY_ID_MAX 32
#define LT_TIME_NEVER	INT64_MAX	/* a warrant without an end */
#define LT_TIME_ALWAYS	0		/* a warrant without a start */

enum lt_content {
	LT_CONTENT_IRI = 1,
	LT_CONTENT_CC = 2,
	LT_CONTENT_BOTH = 3,
};

struct lt_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];	/* network byte order, host bits zero */
};

struct lt_endpoint {
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct lt_tls_ctx;

#define LT_PATH_MAX	1024
#define LT_INTEG_SEQS_MAX	1024	/* includedSequenceNumbers in one integrityCheck */

/* integrityCheck TRIs an agency asks for (its 'integrity' group); hash_every 0: none. */
struct lt_integ_conf {
	uint32_t hash_every, hash_seconds, sign_every;
	char key[LT_PATH_MAX];		/* Ed25519 secret key file (lawtap evidence keygen) */
	int line;
};

/* The top-level 'evidence' group: capture-to-disk for warrants with evidence = true. */
struct lt_ev_conf {
	char dir[LT_PATH_MAX];		/* empty: not configured */
	char key[LT_PATH_MAX];
	uint64_t max_bytes;
	uint32_t max_seconds;
	int line;
};

struct lt_agency {
	char id[LT_AGENCY_ID_MAX + 1];
	struct lt_endpoint hi2, hi3;
	struct lt_tls_ctx *tls;		/* its 'tls' group, files loaded; NULL: plain TCP */
	uint32_t keepalive_s;		/* TIME1: idle time before a keep-alive */
	uint32_t keepalive_timeout_s;	/* TIME3: wait for the response */
	uint32_t pspdu_version;		/* N in li-psDomainId 0.4.0.2.2.5.1.N */
	uint32_t ipaccess_version;	/* N in iPCCObjId/iPIRIObjId 5.3.N.x */
	char keepalive_liid[LT_LIID_MAX + 1];
	int line;
	struct lt_integ_conf integ;
};

/* A subscriber identity a warrant names (matched byte for byte). */
enum lt_ident_kind {
	LT_IDENT_USERNAME = 1,		/* RADIUS User-Name */
	LT_IDENT_CALLING_STATION,	/* RADIUS Calling-Station-Id */
	LT_IDENT_MAC,			/* DHCP chaddr */
	LT_IDENT_CIRCUIT,		/* DHCP relay agent circuit ID (82.1) */
};

#define LT_IDENT_MAX	253

struct lt_ident {
	uint8_t kind;			/* enum lt_ident_kind */
	uint8_t len;
	uint8_t v[LT_IDENT_MAX];	/* a MAC as its 6 octets */
};

#define LT_SIP_ID_MAX	256

/* A SIP identity a warrant names, as written: sip:user@host, tel:+N, sip:user@*, sip:*@host. */
struct lt_sipid {
	uint16_t len;
	char v[LT_SIP_ID_MAX];
};

struct lt_warrant {
	char liid[LT_LIID_MAX + 1];
	uint8_t liid_len;
	uint32_t agency;		/* index into lt_config.agencies */
	uint32_t cin;			/* communicationIdentityNumber */
	enum lt_content content;
	int64_t start_s, end_s;		/* UTC seconds; active when start <= t < end */
	struct lt_prefix *targets;	/* points into lt_config's target array */
	uint32_t ntargets;
	struct lt_ident *idents;	/* points into lt_config's ident array */
	uint32_t nidents;
	uint8_t aaa_cc;			/* the target's AAA packets as CC too */
	int line;
	uint8_t evidence;		/* capture-to-disk of its CC packets */
	struct lt_sipid *sipids;	/* its SIP identities (sip_uris), in lt_config's array */
	uint32_t nsipids;
	uint8_t sip_from;		/* From may name the target (it is spoofable) */
};

#define LT_AAA_PORTS_MAX	8
#define LT_RADIUS_SECRET_MAX	128

/* A RADIUS server, or a DHCP server or relay, whose traffic the appliance learns from. */
struct lt_aaa_server {
	uint8_t family;			/* 4 or 6 */
	uint8_t addr[16];
	uint16_t auth_ports[LT_AAA_PORTS_MAX], acct_ports[LT_AAA_PORTS_MAX];
	uint8_t nauth, nacct;
	uint8_t secret[LT_RADIUS_SECRET_MAX];	/* empty: authenticators not checked */
	size_t secret_len;
	uint32_t access_type;		/* internetAccessType for its sessions' IRIs */
	int line;
};

struct lt_aaa {
	struct lt_aaa_server *radius, *dhcp;
	uint32_t nradius, ndhcp;
	uint32_t access_timeout_s;	/* an unanswered Access-Request is accessFailed */
	uint32_t max_sessions;		/* subscriber sessions tracked, target or not */
};

#define LT_SIP_PORTS_MAX	8

/* The 'sip' section: where SIP is watched, and the call tracker's limits. */
struct lt_sip_server {
	uint8_t family;			/* 4 or 6 */
	uint8_t addr[16];
};

struct lt_sip {
	struct lt_sip_server *servers;	/* NULL: no sip section */
	uint32_t nservers;
	uint16_t ports[LT_SIP_PORTS_MAX];	/* UDP and TCP; default 5060 */
	uint8_t nports;
	uint32_t max_calls;		/* calls of targets tracked at once */
	uint32_t setup_timeout_s;	/* an INVITE without a final answer ends */
	uint32_t call_timeout_s;	/* an answered call without a message ends */
	int line;
};

struct lt_port {
	char device[256];	/* PCI address or vdev string */
	uint16_t rx_queues;
	int line;
};

struct lt_config {
	char path[4096];
	char operator_id[LT_ELEMID_MAX + 1];
	char ne_id[LT_ELEMID_MAX + 1];
	char auth_cc[3];		/* authorizationCountryCode */
	char delivery_cc[3];		/* deliveryCountryCode */

	char **eal_argv;		/* NULL-terminated */
	int eal_argc;
	struct lt_port *ports;
	uint32_t nports;
	uint32_t mbufs_per_queue;

	uint64_t queue_bytes;		/* memory queue per connection */
	uint32_t reconnect_ms;		/* retry interval after a failed connect */
	uint32_t unreachable_s;		/* replay: give up on an agency after this */

	struct lt_agency *agencies;
	uint32_t nagencies;
	/* Warrants and their targets live in sodium_malloc'd memory. */
	struct lt_warrant *warrants;
	uint32_t nwarrants;
	struct lt_prefix *targets;
	uint32_t ntargets;
	struct lt_ident *idents;
	uint32_t nidents;
	struct lt_aaa aaa;
	struct lt_ev_conf ev;
	struct lt_sip sip;
	struct lt_sipid *sipids;	/* sodium_malloc'd, like idents */
	uint32_t nsipids;
	uint64_t spool_bytes;		/* disk quota per connection; 0: no spool */
	char spool_dir[1024];		/* "": <state dir>/spool */
};

/*
 * Loads and validates FILE.  On failure returns -1 and writes
 * "FILE:LINE: problem" to err; the message never quotes a LIID or target.
 * Messages count ports, agencies, warrants and targets from 1 and give the
 * line of the enclosing group: "warrant 3 (line 42): target 2 ...".
 * cfg need not be initialised; after a failure it is zeroed.
 */
int lt_config_load(const char *path, struct lt_config *cfg, char *err, size_t errlen);
void lt_config_free(struct lt_config *cfg);

/* "2026-11-22T03:00:00Z" -> seconds since the epoch; -1 on a malformed time. */
int lt_parse_utc(const char *s, int64_t *out);
/* "192.0.2.0/24", "2001:db8::/32", "192.0.2.1" -> prefix; -1 if malformed. */
int lt_parse_prefix(const char *s, struct lt_prefix *out);
/*
 * As lt_parse_prefix, and on failure points why at the reason, which names
 * no address: malformed, host bits set, or length 0.
 */
int lt_parse_prefix_why(const char *s, struct lt_prefix *out, const char **why);
/* "127.0.0.1:7001", "[::1]:7001" -> endpoint; -1 if malformed. */
int lt_parse_endpoint(const char *s, struct lt_endpoint *out);
/* "02:00:00:00:00:01" or "02-00-00-00-00-01", either case -> 6 octets; -1 if malformed. */
int lt_parse_mac(const char *s, uint8_t out[static 6]);

/*
 * Checks the raw file text for what libconfig 1.5 gets silently wrong or
 * that lawtap does not allow: an integer literal outside 32 bits without an
 * L suffix (libconfig truncates it), "\x00" in a string (libconfig drops
 * it), @include, a NUL byte.  Returns 0, or -1
 * with *line and *why set.
 */
int lt_config_prescan(const char *text, size_t len, int *line, const char **why);

#endif
