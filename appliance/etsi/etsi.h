/* etsi.h - the ETSI TS 102 232-1/-3 records lawtap writes, in DER. */
#ifndef LT_ETSI_H
#define LT_ETSI_H

#include <stddef.h>
#include <stdint.h>

#define ETSI_TMPL_MAX		192	/* pre-encoded PSHeader prefix */
#define ETSI_IPCC_HEAD_MAX	320	/* everything of an IPCC record before the packet */
#define ETSI_IPIRI_MAX_OTHER	8
#define ETSI_IPIRI_MAX		1536	/* was 640: username 255, 10 addresses, ids */
#define ETSI_TRI_MAX		320

struct etsi_time {
	int64_t sec;		/* UTC seconds since the epoch */
	uint32_t usec;
};

enum etsi_dir {
	ETSI_FROM_TARGET = 0,
	ETSI_TO_TARGET = 1,
	ETSI_DIR_INDETERMINATE = 2,
};

enum etsi_iri_type {
	ETSI_IRI_BEGIN = 1,
	ETSI_IRI_END = 2,
	ETSI_IRI_CONTINUE = 3,
	ETSI_IRI_REPORT = 4,
};

/* IPAccessPDU AccessEventType */
enum etsi_access_event {
	ETSI_AE_ACCESS_ATTEMPT = 0,
	ETSI_AE_ACCESS_ACCEPT = 1,
	ETSI_AE_ACCESS_REJECT = 2,
	ETSI_AE_ACCESS_FAILED = 3,
	ETSI_AE_SESSION_START = 4,
	ETSI_AE_SESSION_END = 5,
	ETSI_AE_INTERIM_UPDATE = 6,
	ETSI_AE_START_WITH_SESSION_ACTIVE = 7,
	ETSI_AE_ACCESS_END = 8,
	ETSI_AE_END_WITH_SESSION_ACTIVE = 9,
	ETSI_AE_UNKNOWN = 10,
};

struct etsi_ipaddr {
	uint8_t family;		/* 4 or 6 */
	uint8_t prefix_len;	/* bits; 32 / 128 for a single address */
	uint8_t assignment;	/* static(1), dynamic(2), notKnown(3) */
	uint8_t addr[16];	/* network byte order */
};

/* What every PSHeader of one (LIID, CIN) carries. */
struct etsi_ident {
	uint32_t pspdu_version;		/* N in 0.4.0.2.2.5.1.N */
	uint32_t ipaccess_version;	/* N in 5.3.N.1 / 5.3.N.2 */
	const char *liid;
	size_t liid_len;		/* 1..25 */
	const char *auth_cc;		/* 2 letters, or NULL */
	const char *operator_id;	/* 1..16 */
	const char *ne_id;		/* 1..16, or NULL */
	int has_cin;
	uint32_t cin;
	const char *delivery_cc;	/* 2 letters, or NULL */
};

/*
 * The constant part of a PSHeader (li-psDomainId, LIID, authorizationCountryCode,
 * communicationIdentifier) encoded once per (LIID, CIN); per record only the
 * sequence number and the times are written.
 */
struct etsi_tmpl {
	uint8_t bytes[ETSI_TMPL_MAX];
	uint16_t len;
	uint32_t ipaccess_version;
};

/* 0, or -1 if a field is out of range (LIID length, identifier length, ...). */
int etsi_tmpl_init(struct etsi_tmpl *t, const struct etsi_ident *id);

/*
 * Every encoder writes backwards from buf + cap: the result occupies the last
 * N bytes of buf, and N is returned; -1 if cap is too small or an argument is
 * out of range.  No allocation, no global state.
 */

/*
 * IPCC (CC of IP access): the record is head || packet.  Writes the head, all
 * bytes that precede the packet's pkt_len bytes, whose DER lengths already
 * count the packet.
 */
int etsi_ipcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, enum etsi_dir dir, size_t pkt_len);

/*
 * IPIRIContents (TS 102 232-3).  Zero-initialised, every optional field is
 * absent.  Strings are bytes as given: the UTF8String ones are not checked
 * for UTF-8, their sizes are counted in octets.
 */
struct etsi_ipiri {
	enum etsi_iri_type iri_type;
	enum etsi_access_event event;
	const char *username;		/* targetUsername [1] (mandatory, 1..255 bytes) */
	size_t username_len;
	uint32_t access_type;		/* internetAccessType [2] */
	uint32_t ip_version;		/* iPVersion [3]: 1 v4, 2 v6, 3 both */
	int has_target;
	struct etsi_ipaddr target;	/* targetIPAddress [4] */
	const uint8_t *network_id;	/* targetNetworkID [5] UTF8String 1..20, NULL = absent */
	size_t network_id_len;
	const uint8_t *cpe_id;		/* targetCPEID [6] UTF8String 1..128, NULL = absent */
	size_t cpe_id_len;
	int has_pop_port;
	uint32_t pop_port;		/* pOPPortNumber [8] (NAS-Port) */
	int has_start, has_end;
	struct etsi_time start, end;	/* startTime [10], endTime [11] */
	int has_end_reason;
	uint32_t end_reason;		/* endReason [12] */
	int has_octets;
	uint64_t octets_received;	/* octetsReceived [13] (full 0..2^64-1) */
	uint64_t octets_transmitted;	/* octetsTransmitted [14] */
	int has_expected_end;
	struct etsi_time expected_end;	/* expectedEndTime [16] */
	const uint8_t *pop_id;		/* pOPIdentifier [18] printableIDType, 1..128, NULL = absent */
	size_t pop_id_len;
	int has_pop_ip;
	struct etsi_ipaddr pop_ip;	/* pOPIPAddress [19] */
	int has_additional;
	struct etsi_ipaddr additional;	/* additionalIPAddress [21]: first v6 when iPVersion is 3 */
	int has_auth_type;
	uint32_t auth_type;		/* authenticationType [22]: 2 radiusAAA, 3 dhcpAAA */
	unsigned nother;
	struct etsi_ipaddr other[ETSI_IPIRI_MAX_OTHER];	/* otherTargetIdentifiers [23], iPAddress [0] each */
	const uint8_t *pop_port_id;	/* pOPPortID [25] OCTET STRING (NAS-Port-Id) 1..253, NULL = absent */
	size_t pop_port_id_len;
};

/*
 * A whole IRI record carrying an IPIRI; fits ETSI_IPIRI_MAX whatever the
 * fields.  -1 also for a string outside its SIZE, nother above
 * ETSI_IPIRI_MAX_OTHER, an address of another family than 4 or 6 or with an
 * impossible prefix, or an enumeration value above 127.
 */
int etsi_ipiri_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_ipiri *iri);

/* A whole TRI record: keep-alive, or keep-aliveResponse if response != 0. */
int etsi_keepalive_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, int response);

/*
 * A whole TRI record cINReset for the template's (LIID, CIN): its sequence
 * numbers, IRI and CC, start again at 0 (sent after a restart that could not
 * keep them).  Its own sequenceNumber is 0.  At most ETSI_TRI_MAX bytes.
 */
int etsi_cinreset_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    struct etsi_time ts);

/* IntegrityCheck (TS 102 232-1 TRIPayload integrityCheck [0]). */
#define ETSI_IC_MAX_SEQS	1024	/* includedSequenceNumbers per check */
#define ETSI_IC_HASH_LEN	32	/* SHA-256 */
#define ETSI_IC_SIG_LEN		64	/* Ed25519 */
#define ETSI_INTEGRITY_MAX	(ETSI_TRI_MAX + 8 + 7 * ETSI_IC_MAX_SEQS + ETSI_IC_SIG_LEN)

enum etsi_check_type {
	ETSI_CHECK_HASH = 1,
	ETSI_CHECK_SIGNATURE = 2,
};

enum etsi_data_type {
	ETSI_DATA_IRI = 1,
	ETSI_DATA_CC = 2,
};

#define ETSI_HASH_SHA256	2	/* HashAlgorithm sHA-256 */
#define ETSI_SIG_EDDSA		3	/* SignatureAlgorithm edDSA */

struct etsi_integrity {
	enum etsi_check_type check_type;
	enum etsi_data_type data_type;
	const uint32_t *seqs;		/* 1..ETSI_IC_MAX_SEQS, in the order checked */
	size_t nseqs;
	const uint8_t *value;		/* ETSI_IC_HASH_LEN or ETSI_IC_SIG_LEN bytes */
	size_t value_len;
};

/*
 * A whole TRI record carrying an integrityCheck: hashAlgorithm sHA-256 for a
 * hash, signatureAlgorithm edDSA for a signature; fits ETSI_INTEGRITY_MAX.
 * -1 also for an unknown check or data type, no or too many sequence
 * numbers, or a value of the wrong length for the check type.
 */
int etsi_integrity_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_integrity *ic);

/*
 * IP multimedia (TS 102 232-5): a SIP message as an IPMMIRI sIPMessage, an
 * RTP or RTCP packet as an IPMMCC.  The object identifiers are 5.5.N.1 and
 * 5.5.N.2 with N the IPMultimediaPDU version the agency conforms to.
 */
#define ETSI_IPMM_VERSION	17	/* IPMultimediaPDU version17 */
#define ETSI_IPMM_HEAD_MAX	448	/* an IPMM record before its SIP message / packet */
#define ETSI_IPMM_SID_MAX	32	/* streamIdentifier octets */
#define ETSI_IPMMCC_TAIL_MAX	(3 + 2 + ETSI_IPMM_SID_MAX + 3)
#define ETSI_IPMM_CONTENT_MAX	(16u << 20)	/* largest SIP message or packet taken */

/* IPMMIRI { iPMMIRIObjId, iPMMIRIContents sIPMessage { src, dst, sIPContent } } */
struct etsi_sipmsg {
	enum etsi_iri_type iri_type;
	uint32_t version;		/* N of 5.5.N.1, 1..2^14-1 */
	struct etsi_ipaddr src, dst;	/* family 4 or 6; prefix and assignment ignored */
	size_t sip_len;			/* the SIP message, up to ETSI_IPMM_CONTENT_MAX bytes;
					   0 for the End of a call that timed out */
};

/*
 * The bytes of an IRI record that precede its SIP message (whose sip_len
 * bytes the DER lengths already count): the record is head || message.
 * -1 also for an IRI type, version or address family out of range.
 */
int etsi_ipmmiri_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_sipmsg *m);

/* The whole record, the m->sip_len bytes of sip copied in after the head. */
int etsi_ipmmiri_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_sipmsg *m,
    const uint8_t *sip);

/*
 * IPMMCC { iPMMCCObjId, mMCCContents (the packet), frameType rtpFrame,
 * streamIdentifier, mMCCprotocol rTP } in a CC record: head || packet || tail.
 */
struct etsi_mmcc {
	uint32_t version;		/* N of 5.5.N.2 */
	enum etsi_dir dir;
	const uint8_t *sid;		/* streamIdentifier, 1..ETSI_IPMM_SID_MAX; NULL = absent */
	size_t sid_len;
	size_t pkt_len;			/* the RTP/RTCP packet (UDP payload) */
};

/* The head, written backwards like the other encoders; -1 on a bad field. */
int etsi_ipmmcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_mmcc *c);

/* The tail (frameType, streamIdentifier, mMCCprotocol), written forwards: its length. */
int etsi_ipmmcc_tail(uint8_t out[static ETSI_IPMMCC_TAIL_MAX],
    const struct etsi_mmcc *c);

/* The whole record at the end of buf: head || pkt || tail. */
int etsi_ipmmcc_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_mmcc *c,
    const uint8_t *pkt);

#endif
