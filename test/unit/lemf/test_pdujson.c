/* test_pdujson.c - the LEMF's JSON line for each kind of PDU, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etsi/decode.h"
#include "lemf/pdujson.h"
#include "mkpdu.h"

static const struct pdu_origin orig = { "127.0.0.1:7001", 3, 99 };

#define HDR(kind, liid, seq) \
	"{\"listen\":\"127.0.0.1:7001\",\"conn\":3,\"offset\":99,\"kind\":\"" kind \
	"\",\"version\":40,\"liid\":\"" liid "\",\"cin\":42,\"seq\":" #seq \
	",\"operator\":\"OP1\",\"ne\":\"NE-7\",\"auth_cc\":\"DE\"," \
	"\"ts_sec\":1795316400,\"ts_usec\":123456," \
	"\"timestamp\":\"2026-11-22T03:00:00.123456Z\""

/* The line pdujson writes for j. */
static char *
line(json_t *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_non_null(j);
	assert_int_equal(pdujson_write(f, j), 0);
	fclose(f);
	return buf;
}

static char *
decode_line(const uint8_t *pdu, size_t n, struct etsi_pdu *p)
{
	char err[128];

	assert_int_equal(etsi_pdu_decode(pdu, n, p, err, sizeof(err)), 0);
	return line(pdujson_pdu(&orig, p));
}

static void
cc_line(void **state)
{
	static const uint8_t pkt[] = { 0x45, 0x00, 0x00, 0x14 };
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX];
	char *s;

	(void)state;
	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);
	s = decode_line(b, mkpdu_ipcc(b, &t, 5, ETSI_TO_TARGET, pkt, sizeof(pkt)), &p);
	assert_string_equal(s, HDR("CC", "LI-1", 5)
	    ",\"dir\":\"toTarget\",\"cc\":\"iPCC\",\"objid\":\"5.3.20.2\","
	    "\"payload_len\":4,\"payload_sha256\":"
	    "\"4272c0fe34594da0923930f3fbc6a7e09b3b9bfe8eaa6c9ebf60893f6338f511\"}\n");
	free(s);
}

static void
iri_line(void **state)
{
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX];
	char *s;

	(void)state;
	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);
	s = decode_line(b, mkpdu_ipiri(b, &t, 0, ETSI_IRI_BEGIN,
	    ETSI_AE_START_WITH_SESSION_ACTIVE), &p);
	assert_string_equal(s, HDR("IRI", "LI-1", 0)
	    ",\"iri_type\":\"begin\",\"iri\":\"iPIRI\",\"objid\":\"5.3.20.1\","
	    "\"event\":\"startOfInterceptionWithSessionActive\","
	    "\"username\":\"user@example\",\"target_ip\":\"192.0.2.33\","
	    "\"target_family\":4,\"target_prefix_len\":32,"
	    "\"start_time\":\"2026-11-22T02:59:00.000000Z\","
	    "\"access_type\":\"lAN\",\"ip_version\":\"iPV4\","
	    "\"target_assignment\":\"dynamic\"}\n");
	free(s);
}

/* Every IPIRIContents field lawtap writes, through the encoder and the decoder. */
static void
iri_line_full(void **state)
{
	static const uint8_t cpe[] = { 'e', 't', 'h', ' ', '1', 0xff, '"' };
	struct etsi_ipiri iri = {
		.iri_type = ETSI_IRI_END, .event = ETSI_AE_ACCESS_END,
		.username = "alice", .username_len = 5,
		.access_type = 2, .ip_version = 3,
		.has_target = 1,
		.target = { 4, 32, 2, { 192, 0, 2, 1 } },
		.network_id = (const uint8_t *)"02:00:00:00:00:01",
		.network_id_len = 17,
		.cpe_id = cpe, .cpe_id_len = sizeof(cpe),
		.has_pop_port = 1, .pop_port = 4294967295u,
		.has_start = 1, .start = { MKPDU_SEC - 60, 0 },
		.has_end = 1, .end = { MKPDU_SEC, 5 },
		.has_end_reason = 1, .end_reason = 4,
		.has_octets = 1, .octets_received = UINT64_MAX,
		.octets_transmitted = 4294967296u,
		.has_expected_end = 1, .expected_end = { MKPDU_SEC + 3600, 0 },
		.pop_id = (const uint8_t *)"nas1", .pop_id_len = 4,
		.has_pop_ip = 1, .pop_ip = { 4, 32, 0, { 198, 51, 100, 1 } },
		.has_additional = 1,
		.additional = { 6, 56, 2, { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } },
		.has_auth_type = 1, .auth_type = 2,
		.nother = 2,
		.other = { { 6, 64, 2, { 0x20, 0x01, 0x0d, 0xb8, 0, 2 } },
		    { 4, 24, 0, { 10, 1, 2, 0 } } },
		.pop_port_id = (const uint8_t *)"port 7", .pop_port_id_len = 6,
	};
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX];
	struct etsi_time when = { MKPDU_SEC, MKPDU_USEC };
	char *s;
	int n;

	(void)state;
	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);
	n = etsi_ipiri_encode(b, sizeof(b), &t, 3, when, &iri);
	assert_true(n > 0);
	s = decode_line(b + sizeof(b) - n, (size_t)n, &p);
	assert_string_equal(s, HDR("IRI", "LI-1", 3)
	    ",\"iri_type\":\"end\",\"iri\":\"iPIRI\",\"objid\":\"5.3.20.1\","
	    "\"event\":\"accessEnd\",\"username\":\"alice\","
	    "\"target_ip\":\"192.0.2.1\",\"target_family\":4,"
	    "\"target_prefix_len\":32,"
	    "\"start_time\":\"2026-11-22T02:59:00.000000Z\","
	    "\"end_time\":\"2026-11-22T03:00:00.000005Z\","
	    "\"access_type\":\"xDSL\",\"ip_version\":\"iPV4andV6\","
	    "\"target_assignment\":\"dynamic\","
	    "\"network_id\":\"02:00:00:00:00:01\","
	    "\"cpe_id\":\"eth 1\\u00FF\\\"\","
	    "\"pop_port\":4294967295,\"end_reason\":\"leaseExpired\","
	    "\"octets_received\":18446744073709551615,"
	    "\"octets_transmitted\":4294967296,"
	    "\"expected_end_time\":\"2026-11-22T04:00:00.000000Z\","
	    "\"pop_id\":\"nas1\",\"pop_ip\":\"198.51.100.1\",\"pop_prefix_len\":32,"
	    "\"additional_ip\":\"2001:db8:1::\",\"additional_prefix_len\":56,"
	    "\"other_ips\":[\"2001:db8:2::/64\",\"10.1.2.0/24\"],"
	    "\"auth_type\":\"radiusAAA\",\"pop_port_id\":\"port 7\"}\n");
	free(s);
}

/*
 * Counters print as exact integers on both sides of 2^63; a wire string
 * cannot pass for one; values without a name print as numbers; a long
 * pOPPortID is not cut.
 */
static void
iri_values(void **state)
{
	static const uint64_t big[] = { 0, INT64_MAX, (uint64_t)INT64_MAX + 1,
	    UINT64_MAX - 1 };
	static const char *const bigtext[] = { "0", "9223372036854775807",
	    "9223372036854775808", "18446744073709551614" };
	static uint8_t port_id[300];
	struct etsi_pdu p;
	char want[2048], *s;
	size_t i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_IRI;
	memcpy(p.operator_id, "O", 2);
	p.iri_type = ETSI_IRI_CONTINUE;
	p.iri_content = 2;
	p.access_event = ETSI_AE_INTERIM_UPDATE;
	memcpy(p.username, "\xee\x80\x80" "123", 6);
	p.username_len = 6;
	p.access_type = 10;
	p.ip_version = 4;
	p.has_end_reason = 1;
	p.end_reason = 5;
	p.has_auth_type = 1;
	p.auth_type = 5;
	p.has_target = 1;
	p.target = (struct etsi_ipaddr){ 4, 32, 9, { 192, 0, 2, 9 } };
	p.has_octets_received = 1;
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		p.octets_received = big[i];
		s = line(pdujson_pdu(&orig, &p));
		snprintf(want, sizeof(want), "{\"listen\":\"127.0.0.1:7001\","
		    "\"conn\":3,\"offset\":99,\"kind\":\"IRI\",\"version\":0,"
		    "\"liid\":\"\",\"seq\":0,\"operator\":\"O\","
		    "\"iri_type\":\"continue\",\"iri\":\"iPIRI\","
		    "\"event\":\"interimUpdate\","
		    "\"username\":\"\\u00EE\\u0080\\u0080123\","
		    "\"target_ip\":\"192.0.2.9\",\"target_family\":4,"
		    "\"target_prefix_len\":32,\"access_type\":10,\"ip_version\":4,"
		    "\"target_assignment\":9,\"end_reason\":5,"
		    "\"octets_received\":%s,\"auth_type\":5}\n", bigtext[i]);
		assert_string_equal(s, want);
		free(s);
	}

	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_IRI;
	memcpy(p.operator_id, "O", 2);
	p.iri_type = ETSI_IRI_REPORT;
	p.iri_content = 2;
	p.access_event = -1;
	p.ip_version = 1;
	p.has_octets_transmitted = 1;
	p.octets_transmitted = 7;
	memset(port_id, 'x', sizeof(port_id));
	port_id[299] = 0x80;
	p.pop_port_id = port_id;
	p.pop_port_id_len = sizeof(port_id);
	s = line(pdujson_pdu(&orig, &p));
	snprintf(want, sizeof(want), "{\"listen\":\"127.0.0.1:7001\","
	    "\"conn\":3,\"offset\":99,\"kind\":\"IRI\",\"version\":0,"
	    "\"liid\":\"\",\"seq\":0,\"operator\":\"O\","
	    "\"iri_type\":\"report\",\"iri\":\"iPIRI\",\"username\":\"\","
	    "\"access_type\":\"undefined\",\"ip_version\":\"iPV4\","
	    "\"octets_transmitted\":7,\"pop_port_id\":\"%.299s\\u0080\"}\n",
	    (const char *)port_id);
	assert_string_equal(s, want);
	free(s);
}

static void
keepalive_lines(void **state)
{
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX];
	char *s;

	(void)state;
	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);
	s = decode_line(b, mkpdu_keepalive(b, &t, 7, 0), &p);
	assert_string_equal(s, HDR("KEEPALIVE", "LI-1", 7) "}\n");
	free(s);
	s = decode_line(b, mkpdu_keepalive(b, &t, 8, 1), &p);
	assert_string_equal(s, HDR("KEEPALIVE_RESPONSE", "LI-1", 8) "}\n");
	free(s);
}

/* Every LIID byte outside printable ASCII comes out as \u00XX, losslessly. */
static void
liid_bytes_escaped(void **state)
{
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX];
	char *s;

	(void)state;
	mkpdu_tmpl(&t, "L\x01\x7f\xff\"\\\x80", 7, 1, 42);
	s = decode_line(b, mkpdu_keepalive(b, &t, 7, 0), &p);
	assert_string_equal(s, HDR("KEEPALIVE",
	    "L\\u0001\\u007f\\u00FF\\\"\\\\\\u0080", 7) "}\n");
	free(s);
}

/* Fields the PDU lacks are left out, not written empty. */
static void
absent_fields(void **state)
{
	struct etsi_pdu p;
	char *s;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_TRI_OTHER;
	p.liid_len = 1;
	p.liid[0] = 'X';
	memcpy(p.operator_id, "O", 2);
	p.seq = 4294967295u;
	s = line(pdujson_pdu(&orig, &p));
	assert_string_equal(s, "{\"listen\":\"127.0.0.1:7001\",\"conn\":3,"
	    "\"offset\":99,\"kind\":\"TRI\",\"version\":0,\"liid\":\"X\","
	    "\"seq\":4294967295,\"operator\":\"O\"}\n");
	free(s);
}

/* Values without a name, contents without an objId, microSecondTimeStamp first. */
static void
unknown_values(void **state)
{
	struct etsi_pdu p;
	char *s;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_CC;
	p.liid_len = 1;
	p.liid[0] = 'X';
	memcpy(p.operator_id, "O", 2);
	p.has_ts = 1;
	p.ts = (struct etsi_time){ 0, 0 };
	p.has_usts = 1;
	p.usts = (struct etsi_time){ 1, 2 };
	p.dir = 9;
	p.cc_content = 7;
	p.objid_version = 3;
	s = line(pdujson_pdu(&orig, &p));
	assert_string_equal(s, "{\"listen\":\"127.0.0.1:7001\",\"conn\":3,"
	    "\"offset\":99,\"kind\":\"CC\",\"version\":0,\"liid\":\"X\",\"seq\":0,"
	    "\"operator\":\"O\",\"ts_sec\":1,\"ts_usec\":2,"
	    "\"timestamp\":\"1970-01-01T00:00:00.000000Z\",\"dir\":9,\"cc\":7,"
	    "\"payload_len\":0,\"payload_sha256\":"
	    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}\n");
	free(s);

	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_IRI;
	memcpy(p.operator_id, "O", 2);
	p.iri_type = 0;
	p.iri_content = 11;
	p.objid_version = 17;
	p.access_event = -1;
	s = line(pdujson_pdu(&orig, &p));
	assert_string_equal(s, "{\"listen\":\"127.0.0.1:7001\",\"conn\":3,"
	    "\"offset\":99,\"kind\":\"IRI\",\"version\":0,\"liid\":\"\",\"seq\":0,"
	    "\"operator\":\"O\",\"iri_type\":0,\"iri\":\"iPMMIRI\","
	    "\"objid\":\"5.5.17.1\"}\n");
	free(s);
}

static void
ipv6_target(void **state)
{
	struct etsi_pdu p;
	char *s;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = ETSI_KIND_IRI;
	memcpy(p.operator_id, "O", 2);
	p.iri_type = ETSI_IRI_END;
	p.iri_content = 2;
	p.access_event = ETSI_AE_SESSION_END;
	p.has_target = 1;
	p.target.family = 6;
	p.target.prefix_len = 64;
	p.target.addr[0] = 0x20;
	p.target.addr[1] = 0x01;
	p.target.addr[2] = 0x0d;
	p.target.addr[3] = 0xb8;
	p.has_end = 1;
	p.end = (struct etsi_time){ 951782400, 999999 };
	s = line(pdujson_pdu(&orig, &p));
	assert_string_equal(s, "{\"listen\":\"127.0.0.1:7001\",\"conn\":3,"
	    "\"offset\":99,\"kind\":\"IRI\",\"version\":0,\"liid\":\"\",\"seq\":0,"
	    "\"operator\":\"O\",\"iri_type\":\"end\",\"iri\":\"iPIRI\","
	    "\"event\":\"sessionEnd\",\"username\":\"\",\"target_ip\":\"2001:db8::\","
	    "\"target_family\":6,\"target_prefix_len\":64,"
	    "\"end_time\":\"2000-02-29T00:00:00.999999Z\","
	    "\"access_type\":\"undefined\",\"ip_version\":0}\n");
	free(s);
}

static void
error_line(void **state)
{
	struct pdu_origin o = { "[::1]:7002", 12, 1234567890123ull };
	char *s;

	(void)state;
	s = line(pdujson_error(&o, "PS-PDU: \"length\" not minimal"));
	assert_string_equal(s, "{\"listen\":\"[::1]:7002\",\"conn\":12,"
	    "\"offset\":1234567890123,\"kind\":\"ERROR\","
	    "\"error\":\"PS-PDU: \\\"length\\\" not minimal\"}\n");
	free(s);
}

static void
times(void **state)
{
	char out[32];

	(void)state;
	pdujson_time(&(struct etsi_time){ 0, 0 }, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
	pdujson_time(&(struct etsi_time){ MKPDU_SEC, MKPDU_USEC }, out);
	assert_string_equal(out, "2026-11-22T03:00:00.123456Z");
	pdujson_time(&(struct etsi_time){ 253402300799, 1 }, out);
	assert_string_equal(out, "9999-12-31T23:59:59.000001Z");
	pdujson_time(&(struct etsi_time){ 253402300800, 0 }, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cc_line),
		cmocka_unit_test(iri_line),
		cmocka_unit_test(iri_line_full),
		cmocka_unit_test(iri_values),
		cmocka_unit_test(keepalive_lines),
		cmocka_unit_test(liid_bytes_escaped),
		cmocka_unit_test(absent_fields),
		cmocka_unit_test(unknown_values),
		cmocka_unit_test(ipv6_target),
		cmocka_unit_test(error_line),
		cmocka_unit_test(times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
