/* decode.h - a strict DER reader for the PS-PDUs lawtap and its LEMF exchange. */
#ifndef LT_ETSI_DECODE_H
#define LT_ETSI_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/etsi.h"

#define LT_ETSI_LIID_BUF 26
#define ETSI_PDU_MAX	(16u << 20)	/* etsi_pdu_frame refuses larger PDUs */

enum etsi_kind {
	ETSI_KIND_IRI,
	ETSI_KIND_CC,
	ETSI_KIND_KEEPALIVE,
	ETSI_KIND_KEEPALIVE_RESPONSE,
	ETSI_KIND_TRI_OTHER,
	ETSI_KIND_OTHER,
};

struct etsi_pdu {
	uint32_t pspdu_version;		/* last arc of li-psDomainId, 0 if absent */
	char liid[LT_ETSI_LIID_BUF];
	size_t liid_len;
	char auth_cc[3], delivery_cc[3];	/* "" if absent */
	char operator_id[17], ne_id[17];	/* "" if absent */
	int has_cin;
	uint32_t cin;
	uint32_t seq;
	int has_ts;			/* timeStamp [5] */
	struct etsi_time ts;
	int has_usts;			/* microSecondTimeStamp [7] */
	struct etsi_time usts;
	int ts_qualifier;		/* -1 if absent */

	enum etsi_kind kind;

	/* IRI (kind == ETSI_KIND_IRI) */
	int iri_type;			/* etsi_iri_type */
	int iri_content;		/* IRIContents choice tag, e.g. 2 = iPIRI */
	uint32_t objid_version;		/* N of 5.3.N.x */
	int access_event;		/* -1 if absent */
	char username[256];		/* NUL-terminated; up to 255 octets */
	size_t username_len;
	uint32_t access_type;		/* internetAccessType */
	uint32_t ip_version;		/* iPVersion */
	int has_target;
	struct etsi_ipaddr target;
	int has_start, has_end;
	struct etsi_time start, end;
	/* The optional fields of IPIRIContents; strings point into the decoded buffer, NULL if absent. */
	const uint8_t *network_id;	/* targetNetworkID [5], 1..20 octets */
	size_t network_id_len;
	const uint8_t *cpe_id;		/* targetCPEID [6], 1..128 */
	size_t cpe_id_len;
	int has_pop_port;
	uint32_t pop_port;		/* pOPPortNumber [8] */
	int has_end_reason;
	uint32_t end_reason;		/* endReason [12] */
	int has_octets_received, has_octets_transmitted;
	uint64_t octets_received, octets_transmitted;	/* [13], [14] */
	int has_expected_end;
	struct etsi_time expected_end;	/* expectedEndTime [16] */
	const uint8_t *pop_id;		/* pOPIdentifier [18] printableIDType, 1..128 */
	size_t pop_id_len;
	int has_pop_ip;
	struct etsi_ipaddr pop_ip;	/* pOPIPAddress [19] */
	int has_additional;
	struct etsi_ipaddr additional;	/* additionalIPAddress [21] */
	int has_auth_type;
	uint32_t auth_type;		/* authenticationType [22] */
	unsigned nother;		/* otherTargetIdentifiers [23], iPAddress each */
	struct etsi_ipaddr other[ETSI_IPIRI_MAX_OTHER];
	const uint8_t *pop_port_id;	/* pOPPortID [25] */
	size_t pop_port_id_len;

	/* CC (kind == ETSI_KIND_CC) */
	int dir;			/* etsi_dir, -1 if absent */
	int cc_content;			/* CCContents choice tag, e.g. 2 = iPCC */
	const uint8_t *payload;		/* points into the decoded buffer */
	size_t payload_len;

	/* TRI: the TRIPayload alternative (0 = integrityCheck, 3 = keep-alive ...), -1 if no TRI */
	int tri;
	/* integrityCheck (tri == 0); enumerations -1 if absent */
	int ic_check_type;		/* etsi_check_type */
	int ic_data_type;		/* etsi_data_type */
	int ic_hash_alg;		/* HashAlgorithm, e.g. ETSI_HASH_SHA256 */
	int ic_sig_alg;			/* SignatureAlgorithm, e.g. ETSI_SIG_EDDSA */
	size_t ic_nseqs;		/* 1..ETSI_IC_MAX_SEQS */
	uint32_t ic_seqs[ETSI_IC_MAX_SEQS];
	const uint8_t *ic_value;	/* checkValue, points into the decoded buffer */
	size_t ic_value_len;

	/* IPMMIRI (iri_content 11): the IPIRIContents alternative of TS 102 232-5, -1 if none */
	int ipmm_alt;			/* 1 = sIPMessage, the only one read */
	struct etsi_ipaddr sip_src, sip_dst;	/* iPSourceAddress, iPDestinationAddress */
	const uint8_t *sip;		/* sIPContent, points into the decoded buffer */
	size_t sip_len;
	/* IPMMCC (cc_content 12): payload is mMCCContents; enumerations -1 if absent */
	int frame_type;
	int mmcc_protocol;
	const uint8_t *stream_id;	/* streamIdentifier, NULL if absent */
	size_t stream_id_len;
};

/*
 * Framing on a byte stream: 1 when buf starts with a whole PDU of *pdu_len
 * bytes, 0 when more bytes are needed, -1 when the bytes cannot be a PS-PDU
 * (err says why).
 */
int etsi_pdu_frame(const uint8_t *buf, size_t len, size_t *pdu_len,
    char *err, size_t errlen);

/*
 * Decodes exactly one PS-PDU occupying all of buf[0..len).  0 on success;
 * -1 with a reason in err for anything that is not strict DER or not a valid
 * PS-PDU (non-minimal length or integer, indefinite length, overrun, missing
 * mandatory field, trailing bytes), and for IPIRI fields lawtap cannot
 * represent: more than ETSI_IPIRI_MAX_OTHER otherTargetIdentifiers, a
 * pOPIdentifier or otherTargetIdentifier of another alternative than
 * printableIDType / iPAddress, an IPAddress that is not iPBinaryAddress,
 * an integrityCheck listing no or more than ETSI_IC_MAX_SEQS sequence numbers.
 */
int etsi_pdu_decode(const uint8_t *buf, size_t len, struct etsi_pdu *out,
    char *err, size_t errlen);

/*
 * The ASN.1 names of AccessEventType, PayloadDirection and IRIType values
 * ("accessAccept", "fromTarget", "iRI-Begin"); NULL for a value the type
 * does not define.
 */
const char *etsi_access_event_name(int v);
const char *etsi_dir_name(int v);
const char *etsi_iri_type_name(int v);

/*
 * The same for InternetAccessType ("xDSL"), IPVersion ("iPV4andV6"), EndReason
 * ("leaseExpired"), AuthenticationType ("radiusAAA") and iP-assignment
 * ("dynamic").
 */
const char *etsi_access_type_name(int v);
const char *etsi_ip_version_name(int v);
const char *etsi_end_reason_name(int v);
const char *etsi_auth_type_name(int v);
const char *etsi_ip_assignment_name(int v);

/* CheckType ("hash"), DataType ("cC"), HashAlgorithm ("sHA-256"), SignatureAlgorithm ("edDSA"). */
const char *etsi_check_type_name(int v);
const char *etsi_data_type_name(int v);
const char *etsi_hash_alg_name(int v);
const char *etsi_sig_alg_name(int v);

/* FrameType ("rtpFrame") and MMCCprotocol ("rTP") of TS 102 232-5. */
const char *etsi_frame_type_name(int v);
const char *etsi_mmcc_protocol_name(int v);

#endif
