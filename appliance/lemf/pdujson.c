/* pdujson.c - the JSON object of doc/lemf-jsonl.md for one decoded PS-PDU. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/evp.h>

#include "lemf/pdujson.h"

static const char *const kind_name[] = {
	[ETSI_KIND_IRI] = "IRI",
	[ETSI_KIND_CC] = "CC",
	[ETSI_KIND_KEEPALIVE] = "KEEPALIVE",
	[ETSI_KIND_KEEPALIVE_RESPONSE] = "KEEPALIVE_RESPONSE",
	[ETSI_KIND_TRI_OTHER] = "TRI",
	[ETSI_KIND_OTHER] = "OTHER",
};

/* Shorter than the ASN.1 names (iRI-Begin ...): doc/lemf-jsonl.md fixes these. */
static const char *
iri_type_name(int v)
{
	static const char *const tab[] = { NULL, "begin", "end", "continue",
	    "report" };

	return v >= 0 && (size_t)v < sizeof(tab) / sizeof(tab[0]) ? tab[v] : NULL;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* IRIContents / CCContents alternatives, and the domain of their objId. */
struct content {
	int tag;
	const char *name;
	const char *domain;
};

static const struct content iri_contents[] = {
	{ 1, "emailIRI", "5.2" }, { 2, "iPIRI", "5.3" }, { 3, "iPIRIOnly", "5.3" },
	{ 5, "eTSI671IRI", NULL }, { 11, "iPMMIRI", "5.5" },
};

static const struct content cc_contents[] = {
	{ 1, "emailCC", "5.2" }, { 2, "iPCC", "5.3" }, { 12, "iPMMCC", "5.5" },
};

static const struct content *
content_of(const struct content *v, size_t n, int tag)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].tag == tag)
			return &v[i];
	return NULL;
}

/*
 * Wire strings are bytes, not text: each byte becomes the code point of the
 * same value, so the line is lossless and, dumped ASCII-only, shows every
 * byte outside printable ASCII as \u00XX.
 */
static json_t *
bytes_str(const void *s, size_t len)
{
	char small[2 * 256], *buf = small;
	size_t o = 0;
	json_t *j;

	if (len == 0)
		return json_string("");
	if (len > sizeof(small) / 2 && (buf = malloc(2 * len)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = ((const uint8_t *)s)[i];

		if (c < 0x80) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = (char)(0xc0 | (c >> 6));
			buf[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	j = json_stringn(buf, o);
	if (buf != small)
		free(buf);
	return j;
}

/*
 * jansson holds integers as long long.  A counter above 2^63-1 goes into the
 * object as a string no wire string can produce (it starts with U+E000; wire
 * bytes map to U+0000..U+00FF), which pdujson_write prints as bare digits.
 */
#define U64_MARK	"\xee\x80\x80"
#define U64_MARK_OUT	"\"\\uE000"

static json_t *
u64_val(uint64_t v)
{
	char buf[sizeof(U64_MARK) + 20];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), U64_MARK "%" PRIu64, v);
	return json_string(buf);
}

/* The value's name, or the bare number if it has none. */
static json_t *
enum_val(const char *(*name)(int), int64_t v)
{
	const char *s = v >= 0 && v <= INT32_MAX ? name((int)v) : NULL;

	return s != NULL ? json_string(s) : json_integer(v);
}

void
pdujson_time(const struct etsi_time *t, char out[static 32])
{
	struct tm tm;
	time_t sec = (time_t)t->sec;
	size_t n;

	out[0] = '\0';
	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return;
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06uZ", t->usec % 1000000);
}

static int
set(json_t *o, const char *k, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(o, k, v);
}

static int
set_time(json_t *o, const char *k, const struct etsi_time *t)
{
	char buf[32];

	pdujson_time(t, buf);
	return buf[0] ? set(o, k, json_string(buf)) : 0;
}

static int
set_objid(json_t *o, const struct content *c, uint32_t version, int leaf)
{
	char buf[32];

	if (c == NULL || c->domain == NULL || version == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s.%u.%d", c->domain, version, leaf);
	return set(o, "objid", json_string(buf));
}

/* "192.0.2.1" into out; "" for an address inet_ntop cannot write. */
static void
addr_text(const struct etsi_ipaddr *a, char out[static INET6_ADDRSTRLEN])
{
	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->addr, out,
	    INET6_ADDRSTRLEN) == NULL)
		out[0] = '\0';
}

/* key_ip (text form) and key_prefix_len. */
static int
set_addr(json_t *o, const char *ip_key, const char *len_key,
    const struct etsi_ipaddr *a)
{
	char ip[INET6_ADDRSTRLEN];
	int r = 0;

	addr_text(a, ip);
	if (ip[0])
		r |= set(o, ip_key, json_string(ip));
	return r | set(o, len_key, json_integer(a->prefix_len));
}

/* ["2001:db8:1::/56", ...] */
static json_t *
addr_list(const struct etsi_ipaddr *v, unsigned n)
{
	json_t *a = json_array();
	char ip[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 4];

	for (unsigned i = 0; a != NULL && i < n; i++) {
		addr_text(&v[i], ip);
		snprintf(buf, sizeof(buf), "%s/%u", ip, v[i].prefix_len);
		if (json_array_append_new(a, json_string(buf)) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* The IPIRIContents fields beyond the first ones, in tag order. */
static int
add_ipiri(json_t *o, const struct etsi_pdu *p)
{
	int r = 0;

	r |= set(o, "access_type", enum_val(etsi_access_type_name, p->access_type));
	r |= set(o, "ip_version", enum_val(etsi_ip_version_name, p->ip_version));
	if (p->has_target && p->target.assignment != 0)
		r |= set(o, "target_assignment", enum_val(etsi_ip_assignment_name,
		    p->target.assignment));
	if (p->network_id != NULL)
		r |= set(o, "network_id", bytes_str(p->network_id,
		    p->network_id_len));
	if (p->cpe_id != NULL)
		r |= set(o, "cpe_id", bytes_str(p->cpe_id, p->cpe_id_len));
	if (p->has_pop_port)
		r |= set(o, "pop_port", json_integer(p->pop_port));
	if (p->has_end_reason)
		r |= set(o, "end_reason", enum_val(etsi_end_reason_name,
		    p->end_reason));
	if (p->has_octets_received)
		r |= set(o, "octets_received", u64_val(p->octets_received));
	if (p->has_octets_transmitted)
		r |= set(o, "octets_transmitted", u64_val(p->octets_transmitted));
	if (p->has_expected_end)
		r |= set_time(o, "expected_end_time", &p->expected_end);
	if (p->pop_id != NULL)
		r |= set(o, "pop_id", bytes_str(p->pop_id, p->pop_id_len));
	if (p->has_pop_ip)
		r |= set_addr(o, "pop_ip", "pop_prefix_len", &p->pop_ip);
	if (p->has_additional)
		r |= set_addr(o, "additional_ip", "additional_prefix_len",
		    &p->additional);
	if (p->nother > 0)
		r |= set(o, "other_ips", addr_list(p->other,
		    p->nother < ETSI_IPIRI_MAX_OTHER ? p->nother :
		    ETSI_IPIRI_MAX_OTHER));
	if (p->has_auth_type)
		r |= set(o, "auth_type", enum_val(etsi_auth_type_name, p->auth_type));
	if (p->pop_port_id != NULL)
		r |= set(o, "pop_port_id", bytes_str(p->pop_port_id,
		    p->pop_port_id_len));
	return r;
}

/* IPMMIRIContents sIPMessage: the addresses and the whole SIP message. */
static int
add_ipmmiri(json_t *o, const struct etsi_pdu *p)
{
	char ip[INET6_ADDRSTRLEN];
	int r = 0;

	if (p->ipmm_alt != 1 || p->sip == NULL)
		return 0;
	r |= set(o, "ipmm", json_string("sIPMessage"));
	addr_text(&p->sip_src, ip);
	r |= set(o, "sip_src", json_string(ip));
	addr_text(&p->sip_dst, ip);
	r |= set(o, "sip_dst", json_string(ip));
	return r | set(o, "sip", bytes_str(p->sip, p->sip_len));
}

static int
add_iri(json_t *o, const struct etsi_pdu *p)
{
	const struct content *c = content_of(iri_contents, NELEM(iri_contents),
	    p->iri_content);
	char ip[INET6_ADDRSTRLEN];
	int r = 0;

	r |= set(o, "iri_type", enum_val(iri_type_name, p->iri_type));
	r |= set(o, "iri", c ? json_string(c->name) : json_integer(p->iri_content));
	r |= set_objid(o, c, p->objid_version, 1);
	if (p->access_event >= 0)
		r |= set(o, "event", enum_val(etsi_access_event_name,
		    p->access_event));
	if (p->iri_content == 2 || p->iri_content == 3)
		r |= set(o, "username", bytes_str(p->username,
		    p->username_len < sizeof(p->username) ? p->username_len :
		    sizeof(p->username)));
	if (p->has_target) {
		int af = p->target.family == 6 ? AF_INET6 : AF_INET;

		if (inet_ntop(af, p->target.addr, ip, sizeof(ip)) != NULL)
			r |= set(o, "target_ip", json_string(ip));
		r |= set(o, "target_family", json_integer(p->target.family));
		r |= set(o, "target_prefix_len",
		    json_integer(p->target.prefix_len));
	}
	if (p->has_start)
		r |= set_time(o, "start_time", &p->start);
	if (p->has_end)
		r |= set_time(o, "end_time", &p->end);
	if (p->iri_content == 2)
		r |= add_ipiri(o, p);
	if (p->iri_content == 11)
		r |= add_ipmmiri(o, p);
	return r;
}

static int
add_ipmmcc(json_t *o, const struct etsi_pdu *p)
{
	int r = 0;

	if (p->frame_type >= 0)
		r |= set(o, "frame_type", enum_val(etsi_frame_type_name,
		    p->frame_type));
	if (p->stream_id != NULL)
		r |= set(o, "stream_id", bytes_str(p->stream_id, p->stream_id_len));
	if (p->mmcc_protocol >= 0)
		r |= set(o, "mmcc_protocol", enum_val(etsi_mmcc_protocol_name,
		    p->mmcc_protocol));
	return r;
}

static int
add_cc(json_t *o, const struct etsi_pdu *p)
{
	const struct content *c = content_of(cc_contents, NELEM(cc_contents),
	    p->cc_content);
	uint8_t md[32];
	char hex[65];
	unsigned mdlen = 0;
	int r = 0;

	if (p->dir >= 0)
		r |= set(o, "dir", enum_val(etsi_dir_name, p->dir));
	r |= set(o, "cc", c ? json_string(c->name) : json_integer(p->cc_content));
	r |= set_objid(o, c, p->objid_version, 2);
	r |= set(o, "payload_len", json_integer((json_int_t)p->payload_len));
	if (EVP_Digest(p->payload_len ? p->payload : (const uint8_t *)"",
	    p->payload_len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	r |= set(o, "payload_sha256", json_string(hex));
	if (p->cc_content == 12)
		r |= add_ipmmcc(o, p);
	return r;
}

static const char *
tri_name(int v)
{
	static const char *const tab[] = {
		"integrityCheck", "testPDU", "paddingPDU", "keep-alive",
		"keep-aliveResponse", "firstSegmentFlag", "lastSegmentFlag",
		"cINReset", "operatorLeaMessage", "optionRequest",
		"optionResponse", "optionComplete", "pDUAcknowledgementRequest",
		"pDUAcknowledgementResponse",
	};

	return v >= 0 && (size_t)v < NELEM(tab) ? tab[v] : NULL;
}

static int
add_tri(json_t *o, const struct etsi_pdu *p)
{
	json_t *seqs;
	char *hex;
	int r = 0;

	/* the decoder never leaves an integrityCheck without sequence numbers */
	if (p->tri < 0 || (p->tri == 0 && p->ic_nseqs == 0))
		return 0;
	r |= set(o, "tri", enum_val(tri_name, p->tri));
	if (p->tri != 0)
		return r;
	r |= set(o, "check_type", enum_val(etsi_check_type_name, p->ic_check_type));
	if (p->ic_data_type >= 0)
		r |= set(o, "data_type", enum_val(etsi_data_type_name, p->ic_data_type));
	if ((seqs = json_array()) == NULL)
		return -1;
	for (size_t i = 0; i < p->ic_nseqs; i++)
		if (json_array_append_new(seqs, json_integer(p->ic_seqs[i])) < 0)
			r = -1;
	r |= set(o, "seqs", seqs);
	if ((hex = malloc(2 * p->ic_value_len + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < p->ic_value_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", p->ic_value[i]);
	hex[2 * p->ic_value_len] = '\0';
	r |= set(o, "check_value", json_string(hex));
	free(hex);
	if (p->ic_hash_alg >= 0)
		r |= set(o, "hash_alg", enum_val(etsi_hash_alg_name, p->ic_hash_alg));
	if (p->ic_sig_alg >= 0)
		r |= set(o, "sig_alg", enum_val(etsi_sig_alg_name, p->ic_sig_alg));
	return r;
}

static json_t *
origin(const struct pdu_origin *o, const char *kind)
{
	json_t *j = json_object();

	if (j == NULL)
		return NULL;
	if (set(j, "listen", json_string(o->listen)) < 0 ||
	    set(j, "conn", json_integer(o->conn)) < 0 ||
	    set(j, "offset", json_integer((json_int_t)o->offset)) < 0 ||
	    set(j, "kind", json_string(kind)) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *
pdujson_error(const struct pdu_origin *o, const char *err)
{
	json_t *j = origin(o, "ERROR");

	if (j != NULL && set(j, "error", json_string(err)) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *
pdujson_pdu(const struct pdu_origin *o, const struct etsi_pdu *p)
{
	const char *kind = (size_t)p->kind < NELEM(kind_name) ?
	    kind_name[p->kind] : "OTHER";
	json_t *j = origin(o, kind);
	int r = 0;

	if (j == NULL)
		return NULL;
	r |= set(j, "version", json_integer(p->pspdu_version));
	r |= set(j, "liid", bytes_str(p->liid, p->liid_len));
	if (p->has_cin)
		r |= set(j, "cin", json_integer(p->cin));
	r |= set(j, "seq", json_integer(p->seq));
	r |= set(j, "operator", bytes_str(p->operator_id,
	    strnlen(p->operator_id, sizeof(p->operator_id))));
	if (p->ne_id[0])
		r |= set(j, "ne", bytes_str(p->ne_id,
		    strnlen(p->ne_id, sizeof(p->ne_id))));
	if (p->auth_cc[0])
		r |= set(j, "auth_cc", bytes_str(p->auth_cc, strnlen(p->auth_cc, 2)));
	if (p->delivery_cc[0])
		r |= set(j, "delivery_cc", bytes_str(p->delivery_cc,
		    strnlen(p->delivery_cc, 2)));
	if (p->has_usts || p->has_ts) {
		const struct etsi_time *t = p->has_usts ? &p->usts : &p->ts;

		r |= set(j, "ts_sec", json_integer(t->sec));
		r |= set(j, "ts_usec", json_integer(t->usec));
	}
	if (p->has_ts)
		r |= set_time(j, "timestamp", &p->ts);
	if (p->kind == ETSI_KIND_IRI)
		r |= add_iri(j, p);
	else if (p->kind == ETSI_KIND_CC)
		r |= add_cc(j, p);
	else if (p->kind == ETSI_KIND_TRI_OTHER)
		r |= add_tri(j, p);
	if (r != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
pdujson_write(FILE *f, json_t *j)
{
	char *s;
	int r = 0;

	if (j == NULL)
		return -1;
	s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (s == NULL)
		return -1;
	/* jansson leaves DEL raw; the format promises \u00XX for it too. */
	for (const char *c = s; *c && r >= 0; c++) {
		if (strncmp(c, U64_MARK_OUT, sizeof(U64_MARK_OUT) - 1) == 0) {
			c += sizeof(U64_MARK_OUT) - 1;
			while (*c >= '0' && *c <= '9' && r >= 0)
				r = putc(*c++, f);
			if (*c != '"') {
				r = -1;		/* only u64_val makes these */
				break;
			}
			continue;
		}
		r = *c == 0x7f ? fputs("\\u007f", f) : putc(*c, f);
	}
	free(s);
	if (r < 0 || putc('\n', f) == EOF)
		return -1;
	return 0;
}
