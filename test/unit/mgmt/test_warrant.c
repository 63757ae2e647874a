/* test_warrant.c - the warrant model: every field, canonical JSON, validation messages, the data path's form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "mgmt/warrant.h"

static const char *configs_dir;

/* Every LIID, case id and target here holds "canary": no message may. */
static const char base_json[] =
    "{\"liid\": \"CANARY-LIID-1\", \"case_id\": \"canary-case\", \"agency\": \"police\","
    " \"cin\": 7, \"content\": \"both\", \"level\": \"headers\","
    " \"start\": \"2026-11-01T00:00:00Z\", \"end\": \"2026-12-01T12:30:00Z\","
    " \"targets\": {\"sip\": [\"sip:canary@example.net\", \"tel:+6441234567\"],"
    "   \"ip\": [\"203.0.113.7\", \"2001:db8:c0::/48\"],"
    "   \"circuit_ids\": [\"canary circuit 1\"],"
    "   \"usernames\": [\"canary-u1@isp\", \"canary-u2@isp\"],"
    "   \"calling_station_ids\": [\"canary-u1@isp\"],"
    "   \"macs\": [\"02-00-5E-00-53-0A\"]},"
    " \"aaa_cc\": true,"
    " \"authority\": {\"issued_by\": \"High Court Wellington\", \"authorized_by\": \"Judge X\","
    "   \"presented_by\": \"Det. Y\", \"reference\": \"CIV-2026-485-1234\","
    "   \"intercept_type\": \"content\"},"
    " \"carrier_contact\": \"LI officer Z\"}";

/* base_json in canonical form: fixed order, prefixes with lengths, MACs in lower case. */
static const char base_canon[] =
    "{\"liid\":\"CANARY-LIID-1\",\"case_id\":\"canary-case\",\"agency\":\"police\","
    "\"cin\":7,\"content\":\"both\",\"level\":\"headers\","
    "\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-12-01T12:30:00Z\","
    "\"targets\":{\"ip\":[\"203.0.113.7/32\",\"2001:db8:c0::/48\"],"
    "\"usernames\":[\"canary-u1@isp\",\"canary-u2@isp\"],"
    "\"calling_station_ids\":[\"canary-u1@isp\"],\"macs\":[\"02:00:5e:00:53:0a\"],"
    "\"circuit_ids\":[\"canary circuit 1\"],"
    "\"sip\":[\"sip:canary@example.net\",\"tel:+6441234567\"]},"
    "\"aaa_cc\":true,"
    "\"authority\":{\"issued_by\":\"High Court Wellington\",\"authorized_by\":\"Judge X\","
    "\"presented_by\":\"Det. Y\",\"reference\":\"CIV-2026-485-1234\","
    "\"intercept_type\":\"content\"},"
    "\"carrier_contact\":\"LI officer Z\"}";

static struct lt_agency agencies[2] = { { .id = "customs" }, { .id = "police" } };
static struct lt_config cfg2 = { .agencies = agencies, .nagencies = 2 };

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);

	if (j == NULL)
		fail_msg("test JSON: %s (line %d col %d)", e.text, e.line, e.column);
	return j;
}

/* base_json with the patch applied: "a.b": value sets, "a.b": null deletes. */
static json_t *
patched(const char *patch)
{
	json_t *j = parse(base_json), *p = parse(patch), *v;
	const char *k;

	json_object_foreach(p, k, v) {
		char path[128], *dot, *name = path;
		json_t *o = j;

		snprintf(path, sizeof(path), "%s", k);
		if ((dot = strchr(path, '.')) != NULL) {
			*dot = '\0';
			o = json_object_get(j, path);
			assert_non_null(o);
			name = dot + 1;
		}
		if (json_is_null(v))
			assert_int_equal(json_object_del(o, name), 0);
		else
			assert_int_equal(json_object_set(o, name, v), 0);
	}
	json_decref(p);
	return j;
}

static void
load_ok(const json_t *j, const struct lt_config *cfg, unsigned flags, struct lt_warrant_rec *w)
{
	char err[512];

	if (lt_warrant_from_json(j, cfg, flags, w, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static char *
canon(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	assert_non_null(s);
	return s;
}

static void
model_full(void **state)
{
	static const struct lt_prefix ip0 = { 4, 32, { 203, 0, 113, 7 } };
	static const struct lt_prefix ip1 = { 6, 48, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0 } };
	struct lt_warrant_rec w;
	json_t *j = parse(base_json), *out;
	char *s;
	(void)state;

	load_ok(j, &cfg2, 0, &w);
	assert_string_equal(w.id, "");
	assert_int_equal(w.state, LT_WSTATE_NONE);
	assert_int_equal(w.liid_len, 13);
	assert_string_equal(w.liid, "CANARY-LIID-1");
	assert_string_equal(w.case_id, "canary-case");
	assert_string_equal(w.agency, "police");
	assert_int_equal(w.agency_idx, 1);
	assert_int_equal(w.cin, 7);
	assert_int_equal(w.content, LT_CONTENT_BOTH);
	assert_int_equal(w.level, LT_LEVEL_HEADERS);
	assert_true(w.start_s == 1793491200);
	assert_true(w.end_s == 1796128200);
	assert_int_equal(w.aaa_cc, 1);
	assert_int_equal(w.nips, 2);
	assert_memory_equal(&w.ips[0], &ip0, sizeof(ip0));
	assert_memory_equal(&w.ips[1], &ip1, sizeof(ip1));
	/* usernames, calling station IDs, MACs, circuit IDs, as lt_config_load orders them */
	assert_int_equal(w.nidents, 5);
	assert_int_equal(w.idents[0].kind, LT_IDENT_USERNAME);
	assert_int_equal(w.idents[0].len, 13);
	assert_memory_equal(w.idents[0].v, "canary-u1@isp", 13);
	assert_int_equal(w.idents[1].kind, LT_IDENT_USERNAME);
	assert_memory_equal(w.idents[1].v, "canary-u2@isp", 13);
	assert_int_equal(w.idents[2].kind, LT_IDENT_CALLING_STATION);
	assert_memory_equal(w.idents[2].v, "canary-u1@isp", 13);
	assert_int_equal(w.idents[3].kind, LT_IDENT_MAC);
	assert_int_equal(w.idents[3].len, 6);
	assert_memory_equal(w.idents[3].v, "\x02\x00\x5e\x00\x53\x0a", 6);
	assert_int_equal(w.idents[4].kind, LT_IDENT_CIRCUIT);
	assert_int_equal(w.idents[4].len, 16);
	assert_memory_equal(w.idents[4].v, "canary circuit 1", 16);
	assert_int_equal(w.nsips, 2);
	assert_string_equal(w.sips[0].s, "sip:canary@example.net");
	assert_string_equal(w.sips[1].s, "tel:+6441234567");
	assert_string_equal(w.issued_by, "High Court Wellington");
	assert_string_equal(w.authorized_by, "Judge X");
	assert_string_equal(w.presented_by, "Det. Y");
	assert_string_equal(w.reference, "CIV-2026-485-1234");
	assert_int_equal(w.intercept_type, LT_INTERCEPT_CONTENT);
	assert_string_equal(w.carrier_contact, "LI officer Z");

	out = lt_warrant_to_json(&w);
	s = canon(out);
	assert_string_equal(s, base_canon);
	free(s);
	json_decref(out);
	lt_warrant_rec_free(&w);
	assert_null(w.mem);
	json_decref(j);
}

/* Only the required fields: the defaults. */
static void
model_minimal(void **state)
{
	static const char min[] = "{\"liid\": \"L\", \"case_id\": \"C\", \"agency\": \"customs\","
	    " \"cin\": 0, \"content\": \"iri\", \"start\": \"1970-01-01T00:00:00Z\","
	    " \"targets\": {\"macs\": [\"ff:ff:ff:ff:ff:ff\"]},"
	    " \"authority\": {\"issued_by\": \"a\", \"authorized_by\": \"b\","
	    " \"presented_by\": \"c\", \"intercept_type\": \"pen-register\"},"
	    " \"carrier_contact\": \"d\"}";
	static const char min_canon[] = "{\"liid\":\"L\",\"case_id\":\"C\",\"agency\":\"customs\","
	    "\"cin\":0,\"content\":\"iri\",\"level\":\"full\",\"start\":\"1970-01-01T00:00:00Z\","
	    "\"targets\":{\"macs\":[\"ff:ff:ff:ff:ff:ff\"]},\"aaa_cc\":false,"
	    "\"authority\":{\"issued_by\":\"a\",\"authorized_by\":\"b\",\"presented_by\":\"c\","
	    "\"intercept_type\":\"pen-register\"},\"carrier_contact\":\"d\"}";
	struct lt_warrant_rec w;
	json_t *j = parse(min), *out;
	char *s;
	(void)state;

	load_ok(j, &cfg2, 0, &w);
	assert_int_equal(w.agency_idx, 0);
	assert_int_equal(w.cin, 0);
	assert_int_equal(w.level, LT_LEVEL_FULL);
	assert_true(w.start_s == 0);
	assert_true(w.end_s == LT_TIME_NEVER);
	assert_int_equal(w.aaa_cc, 0);
	assert_int_equal(w.nips, 0);
	assert_null(w.ips);
	assert_int_equal(w.nsips, 0);
	assert_null(w.sips);
	assert_int_equal(w.nidents, 1);
	assert_string_equal(w.reference, "");
	assert_int_equal(w.intercept_type, LT_INTERCEPT_PEN_REGISTER);
	out = lt_warrant_to_json(&w);
	s = canon(out);
	assert_string_equal(s, min_canon);
	free(s);
	json_decref(out);
	lt_warrant_rec_free(&w);

	/* without a configuration any well-formed agency id will do */
	json_object_set_new(j, "agency", json_string("a.B_c-9"));
	load_ok(j, NULL, 0, &w);
	assert_int_equal(w.agency_idx, UINT32_MAX);
	assert_string_equal(w.agency, "a.B_c-9");
	lt_warrant_rec_free(&w);
	json_decref(j);
}

/* The largest values each limit allows. */
static void
model_bounds(void **state)
{
	struct lt_warrant_rec w;
	json_t *j, *l;
	char id253[254], buf[16];
	(void)state;

	memset(id253, 'c', 253);
	id253[253] = '\0';
	j = patched("{\"liid\": \"CANARY-LIID-7890123456789\", \"cin\": 4294967295,"
	    " \"end\": \"9999-12-31T23:59:59Z\", \"targets\": {\"ip\": [\"0.0.0.0/1\"]}}");
	json_object_set_new(json_object_get(j, "targets"), "circuit_ids",
	    json_pack("[s]", id253));
	load_ok(j, &cfg2, 0, &w);
	assert_int_equal(w.liid_len, 25);
	assert_true(w.cin == 4294967295u);
	assert_int_equal(w.nidents, 1);
	assert_int_equal(w.idents[0].len, 253);
	lt_warrant_rec_free(&w);
	json_decref(j);

	/* 4096 targets, the same bytes in another kind is no repeat */
	j = patched("{\"targets\": {\"sip\": [\"tel:+1\"]}}");
	l = json_array();
	for (int i = 0; i < 4094; i++) {
		snprintf(buf, sizeof(buf), "canary%d", i);
		json_array_append_new(l, json_string(buf));
	}
	json_object_set_new(json_object_get(j, "targets"), "usernames", l);
	json_object_set_new(json_object_get(j, "targets"), "circuit_ids",
	    json_pack("[s]", "canary0"));
	load_ok(j, &cfg2, 0, &w);
	assert_int_equal(w.nidents, 4095);
	assert_int_equal(w.nsips, 1);
	lt_warrant_rec_free(&w);
	json_array_append_new(json_object_get(json_object_get(j, "targets"), "circuit_ids"),
	    json_string("canary1"));
	{
		char err[256];

		assert_int_equal(lt_warrant_from_json(j, &cfg2, 0, &w, err, sizeof(err)), -1);
		assert_string_equal(err, "too many targets: at most 4096 in one warrant");
		lt_warrant_rec_free(&w);
	}
	json_decref(j);
}

static void
model_sip(void **state)
{
	static const char *const good[] = {
		"sip:alice@example.net", "SIP:alice@192.0.2.1:5060;transport=tcp",
		"sips:bob%40x@[2001:db8::1]", "sip:alice:pw@example.net?subject=x",
		"sip:+6441234567;user=phone@gw.example.net:65535",
		"tel:+64-4-123-4567", "tel:+1(800)555.0100", "TEL:7042;phone-context=example.com",
		"tel:*21#;phone-context=+64",
	};
	static const char *const bad[] = {
		"sip:example.net", "sip:@example.net", "mailto:alice@example.net",
		"sip:alice@", "sip:alice@-example.net", "sip:alice@example..net",
		"sip:alice@example.net:0", "sip:alice@example.net:65536",
		"sip:alice@[2001:db8::zz]", "sip:alice@exa mple.net", "sip:al ice@example.net",
		"sip:alice@example.net;", "sip:alice@example.net;a<b", "sip:%4@example.net",
		"tel:", "tel:+", "tel:+64 4", "tel:7042", "tel:+64;", "tel:+6a", "sip:",
		"sip:alice@example.net:", "sip:alice@example.net\"",
	};
	struct lt_warrant_rec w;
	char err[512];
	json_t *j;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		j = patched("{\"targets\": {}}");
		json_object_set_new(json_object_get(j, "targets"), "sip", json_pack("[s]",
		    good[i]));
		if (lt_warrant_from_json(j, &cfg2, 0, &w, err, sizeof(err)) != 0)
			fail_msg("%s: %s", good[i], err);
		assert_string_equal(w.sips[0].s, good[i]);
		lt_warrant_rec_free(&w);
		json_decref(j);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = patched("{\"targets\": {}}");
		json_object_set_new(json_object_get(j, "targets"), "sip",
		    json_pack("[ss]", "tel:+1", bad[i]));
		if (lt_warrant_from_json(j, &cfg2, 0, &w, err, sizeof(err)) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(err, "target 2 of sip must be a sip:, sips: or tel: URI of "
		    "at most 256 octets such as sip:user@example.net or tel:+6441234567");
		lt_warrant_rec_free(&w);
		json_decref(j);
	}
}

#define LIIDMSG "'liid' must be 1 to 25 octets of text without control characters"
#define CINMSG "'cin' must be an integer 0..4294967295"
#define TIMEMSG(f) "'" f "' must be a UTC time such as \"2026-11-01T00:00:00Z\""
#define SIPMSG(n) "target " n " of sip must be a sip:, sips: or tel: URI of at most 256 " \
	"octets such as sip:user@example.net or tel:+6441234567"

static const struct {
	const char *patch;
	const char *msg;
} bad[] = {
	{ "{\"liid\": null}", "missing field 'liid'" },
	{ "{\"liid\": \"\"}", LIIDMSG },
	{ "{\"liid\": \"CANARY-LIID-78901234567890\"}", LIIDMSG },
	{ "{\"liid\": 5}", LIIDMSG },
	{ "{\"liid\": \"CANARY\\u0007\"}", LIIDMSG },
	{ "{\"liid\": \"CANARY\\u0000x\"}", LIIDMSG },
	{ "{\"case_id\": null}", "missing field 'case_id'" },
	{ "{\"case_id\": \"canary-canary-canary-canary-canary-canary-canary-canary-canary-xy\"}",
	    "'case_id' must be 1 to 64 octets" },
	{ "{\"case_id\": [\"canary\"]}", "'case_id' must be a string" },
	{ "{\"agency\": null}", "missing field 'agency'" },
	{ "{\"agency\": \"fbi\"}", "'agency' names no agency in the configuration" },
	{ "{\"agency\": \"Police\"}", "'agency' names no agency in the configuration" },
	{ "{\"agency\": \"CANARY LIID\"}", "'agency' must be an agency id: 1 to 32 characters "
	    "from A-Z a-z 0-9 _ . -" },
	{ "{\"agency\": 1}", "'agency' must be an agency id: 1 to 32 characters "
	    "from A-Z a-z 0-9 _ . -" },
	{ "{\"cin\": null}", "missing field 'cin'" },
	{ "{\"cin\": -1}", CINMSG },
	{ "{\"cin\": 4294967296}", CINMSG },
	{ "{\"cin\": \"7\"}", CINMSG },
	{ "{\"cin\": 7.0}", CINMSG },
	{ "{\"content\": null}", "missing field 'content'" },
	{ "{\"content\": \"all\"}", "'content' must be \"iri\", \"cc\" or \"both\"" },
	{ "{\"content\": \"IRI\"}", "'content' must be \"iri\", \"cc\" or \"both\"" },
	{ "{\"level\": \"some\"}", "'level' must be \"full\" or \"headers\"" },
	{ "{\"level\": true}", "'level' must be \"full\" or \"headers\"" },
	{ "{\"start\": null}", "missing field 'start'" },
	{ "{\"start\": \"2026-11-01\"}", TIMEMSG("start") },
	{ "{\"start\": \"2026-11-01T00:00:00+00:00\"}", TIMEMSG("start") },
	{ "{\"end\": \"2026-02-30T00:00:00Z\"}", TIMEMSG("end") },
	{ "{\"end\": 1796128200}", TIMEMSG("end") },
	{ "{\"end\": \"2026-11-01T00:00:00Z\"}", "'end' must be after 'start'" },
	{ "{\"end\": \"2026-10-31T23:59:59Z\"}", "'end' must be after 'start'" },
	{ "{\"targets\": null}", "missing field 'targets'" },
	{ "{\"targets\": [\"203.0.113.7\"]}", "'targets' must be an object of lists such as "
	    "{\"ip\": [\"192.0.2.1/32\"], \"usernames\": [\"...\"]}" },
	{ "{\"targets\": {}}", "'targets' must name at least one target" },
	{ "{\"targets.usernames\": []}", "'targets.usernames' must be a non-empty list of strings" },
	{ "{\"targets.ip\": \"203.0.113.7\"}", "'targets.ip' must be a non-empty list of strings" },
	{ "{\"targets.imsi\": [\"canary\"]}", "unknown field 'imsi' in targets" },
	{ "{\"targets.CANARY\": [\"x\"]}", "an unknown field in targets (its name is not shown)" },
	{ "{\"targets.ip\": [\"203.0.113.7/33\"]}", "target 1 of ip: not a valid IPv4/IPv6 prefix" },
	{ "{\"targets.ip\": [\"192.0.2.1\", \"203.0.113.0/23\"]}",
	    "target 2 of ip: host bits set in target prefix" },
	{ "{\"targets.ip\": [\"::/0\"]}", "target 1 of ip: prefix length 0 would match all traffic" },
	{ "{\"targets.ip\": [\"canary.example\"]}", "target 1 of ip: not a valid IPv4/IPv6 prefix" },
	{ "{\"targets.ip\": [\"203.0.113.7\", \"203.0.113.7/32\"]}",
	    "target 2 of ip repeats target 1" },
	{ "{\"targets.usernames\": [\"canary-a\", \"canary-b\", \"canary-a\"]}",
	    "target 3 of usernames repeats target 1" },
	{ "{\"targets.calling_station_ids\": [\"canary-x\", \"canary-y\", \"canary-y\"]}",
	    "target 3 of calling_station_ids repeats target 2" },
	{ "{\"targets.macs\": [\"02:00:5e:00:53:0a\", \"02-00-5E-00-53-0A\"]}",
	    "target 2 of macs repeats target 1" },
	{ "{\"targets.sip\": [\"sip:canary@x.net\", \"sip:canary@x.net\"]}",
	    "target 2 of sip repeats target 1" },
	{ "{\"targets.usernames\": [\"canary\", 5]}",
	    "target 2 of usernames must be a string without NUL" },
	{ "{\"targets.circuit_ids\": [\"canary\\u0000x\"]}",
	    "target 1 of circuit_ids must be a string without NUL" },
	{ "{\"targets.usernames\": [\"\"]}", "target 1 of usernames must be 1 to 253 octets" },
	{ "{\"targets.macs\": [\"02:00:5e:00:53\"]}",
	    "target 1 of macs must be six hex octets such as 02:00:5e:00:53:01" },
	{ "{\"targets.macs\": [\"02:00:5e-00:53:0a\"]}",
	    "target 1 of macs must be six hex octets such as 02:00:5e:00:53:01" },
	{ "{\"targets.sip\": [\"sip:canary\"]}", SIPMSG("1") },
	{ "{\"targets.sip\": [\"tel:+64\", \"mailto:canary@example.net\"]}", SIPMSG("2") },
	{ "{\"aaa_cc\": \"yes\"}", "'aaa_cc' must be true or false" },
	{ "{\"aaa_cc\": 1}", "'aaa_cc' must be true or false" },
	{ "{\"content\": \"iri\"}", "'aaa_cc' delivers content: 'content' must be \"cc\" or "
	    "\"both\"" },
	{ "{\"authority\": null}", "missing field 'authority'" },
	{ "{\"authority\": \"High Court\"}", "'authority' must be an object: {\"issued_by\": ..., "
	    "\"authorized_by\": ..., \"presented_by\": ..., \"intercept_type\": ...}" },
	{ "{\"authority.issued_by\": null}", "missing field 'authority.issued_by'" },
	{ "{\"authority.authorized_by\": null}", "missing field 'authority.authorized_by'" },
	{ "{\"authority.presented_by\": \"\"}", "'authority.presented_by' must be 1 to 128 octets" },
	{ "{\"authority.reference\": \"\"}", "'authority.reference' must be 1 to 128 octets" },
	{ "{\"authority.intercept_type\": null}", "missing field 'authority.intercept_type'" },
	{ "{\"authority.intercept_type\": \"title-iii\"}",
	    "'authority.intercept_type' must be \"content\" or \"pen-register\"" },
	{ "{\"authority.judge\": \"x\"}", "unknown field 'judge' in authority" },
	{ "{\"authority.intercept_type\": \"pen-register\"}",
	    "a pen-register warrant allows no content: 'content' must be \"iri\"" },
	{ "{\"carrier_contact\": null}", "missing field 'carrier_contact'" },
	{ "{\"carrier_contact\": \"a\\nb\"}", "'carrier_contact' must not hold control characters" },
	{ "{\"carrier_contact\": \"a\\u007fb\"}",
	    "'carrier_contact' must not hold control characters" },
	{ "{\"id\": \"W0123456789abcdef\"}", "'id' is assigned by the appliance, not by the "
	    "warrant" },
	{ "{\"state\": \"active\"}", "'state' is assigned by the appliance, not by the warrant" },
	{ "{\"judge\": \"x\"}", "unknown field 'judge'" },
	{ "{\"CANARY-LIID-1\": \"x\"}", "an unknown field (its name is not shown)" },
};

/* Each problem: its exact message, nothing that names the warrant or a target. */
static void
model_bad(void **state)
{
	struct lt_warrant_rec w;
	char err[512];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = patched(bad[i].patch);

		memset(err, 'x', sizeof(err));
		if (lt_warrant_from_json(j, &cfg2, 0, &w, err, sizeof(err)) != -1)
			fail_msg("case %zu (%s) accepted", i, bad[i].patch);
		if (strcmp(err, bad[i].msg) != 0)
			fail_msg("case %zu (%s):\n got  %s\n want %s", i, bad[i].patch, err,
			    bad[i].msg);
		assert_null(strcasestr(err, "canary"));
		assert_null(strstr(err, "203.0"));
		lt_warrant_rec_free(&w);
		json_decref(j);
	}

	/* not an object at all; a short error buffer is cut, not overrun */
	json_t *j = parse("[1]");
	assert_int_equal(lt_warrant_from_json(j, &cfg2, 0, &w, err, sizeof(err)), -1);
	assert_string_equal(err, "a warrant must be a JSON object");
	lt_warrant_rec_free(&w);
	json_decref(j);
	j = patched("{\"cin\": -1}");
	memset(err, 'x', sizeof(err));
	assert_int_equal(lt_warrant_from_json(j, &cfg2, 0, &w, err, 6), -1);
	assert_string_equal(err, "'cin'");
	assert_int_equal(err[6], 'x');
	lt_warrant_rec_free(&w);
	json_decref(j);
}

/* The store's form: id and state required and kept. */
static void
model_stored(void **state)
{
	static const struct {
		const char *patch, *msg;
	} sbad[] = {
		{ "{\"state\": \"active\"}", "missing field 'id'" },
		{ "{\"id\": \"W0123456789abcdef\"}", "missing field 'state'" },
		{ "{\"id\": \"W0123456789ABCDEF\", \"state\": \"active\"}",
		    "'id' must be W and 16 lower-case hex digits" },
		{ "{\"id\": \"W0123456789abcde\", \"state\": \"active\"}",
		    "'id' must be W and 16 lower-case hex digits" },
		{ "{\"id\": \"W0123456789abcdef0\", \"state\": \"active\"}",
		    "'id' must be 1 to 17 octets" },
		{ "{\"id\": \"W0123456789abcdef\", \"state\": \"revoked\"}",
		    "'state' must be \"active\" or \"deactivated\"" },
	};
	struct lt_warrant_rec w, w2;
	json_t *j, *out;
	char err[512], want[2048], *s1, *s2;
	(void)state;

	j = patched("{\"id\": \"W0123456789abcdef\", \"state\": \"deactivated\"}");
	load_ok(j, &cfg2, LT_WARRANT_STORED, &w);
	assert_string_equal(w.id, "W0123456789abcdef");
	assert_int_equal(w.state, LT_WSTATE_DEACTIVATED);
	out = lt_warrant_to_json(&w);
	s1 = canon(out);
	snprintf(want, sizeof(want), "{\"id\":\"W0123456789abcdef\",\"state\":\"deactivated\","
	    "%s", base_canon + 1);
	assert_string_equal(s1, want);
	/* and it reads back as the same record */
	load_ok(out, &cfg2, LT_WARRANT_STORED, &w2);
	json_decref(out);
	out = lt_warrant_to_json(&w2);
	s2 = canon(out);
	assert_string_equal(s1, s2);
	assert_int_equal(w2.nips, w.nips);
	assert_memory_equal(w2.ips, w.ips, w.nips * sizeof(*w.ips));
	assert_memory_equal(w2.idents, w.idents, w.nidents * sizeof(*w.idents));
	assert_memory_equal(w2.sips, w.sips, w.nsips * sizeof(*w.sips));
	free(s1);
	free(s2);
	json_decref(out);
	lt_warrant_rec_free(&w2);
	lt_warrant_rec_free(&w);
	json_decref(j);

	for (size_t i = 0; i < sizeof(sbad) / sizeof(sbad[0]); i++) {
		j = patched(sbad[i].patch);
		assert_int_equal(lt_warrant_from_json(j, &cfg2, LT_WARRANT_STORED, &w, err,
		    sizeof(err)), -1);
		assert_string_equal(err, sbad[i].msg);
		lt_warrant_rec_free(&w);
		json_decref(j);
	}
}

static void
model_ids(void **state)
{
	char a[LT_WARRANT_ID_LEN + 1], b[LT_WARRANT_ID_LEN + 1];
	(void)state;

	lt_warrant_new_id(a);
	lt_warrant_new_id(b);
	assert_int_equal(strlen(a), 17);
	assert_true(lt_warrant_id_ok(a));
	assert_true(lt_warrant_id_ok(b));
	assert_string_not_equal(a, b);
	assert_false(lt_warrant_id_ok("X0123456789abcdef"));
	assert_false(lt_warrant_id_ok("W0123456789abcdeg"));
	assert_false(lt_warrant_id_ok(""));
}

static void
make_rec(struct lt_warrant_rec *w, const char *patch, const char *id, enum lt_wstate st)
{
	json_t *j = patched(patch);

	load_ok(j, &cfg2, 0, w);
	strcpy(w->id, id);
	w->state = st;
	json_decref(j);
}

static void
check_set(void **state)
{
	struct lt_warrant_rec w[3];
	char err[256];
	(void)state;

	make_rec(&w[0], "{}", "W0000000000000001", LT_WSTATE_ACTIVE);
	make_rec(&w[1], "{}", "W0000000000000002", LT_WSTATE_DEACTIVATED);
	make_rec(&w[2], "{\"liid\": \"CANARY-2\"}", "W0000000000000003", LT_WSTATE_ACTIVE);
	assert_int_equal(lt_warrants_check(w, 3, err, sizeof(err)), 0);
	w[1].state = LT_WSTATE_ACTIVE;
	assert_int_equal(lt_warrants_check(w, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "active warrants W0000000000000001 and W0000000000000002 "
	    "have the same LIID");
	w[1].state = LT_WSTATE_DEACTIVATED;
	strcpy(w[2].id, w[1].id);
	assert_int_equal(lt_warrants_check(w, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "warrants 2 and 3 have the same id W0000000000000002");
	for (int i = 0; i < 3; i++)
		lt_warrant_rec_free(&w[i]);
}

static void
to_config(void **state)
{
	struct lt_warrant_rec w[4];
	struct lt_warrant *d;
	struct lt_config cfg;
	char path[4096], err[512];
	void *old[3];
	(void)state;

	snprintf(path, sizeof(path), "%s/aaa-good.conf", configs_dir);
	if (lt_config_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.nwarrants, 3);
	assert_int_equal(cfg.ntargets, 2);
	assert_int_equal(cfg.nidents, 9);

	make_rec(&w[0], "{\"targets\": {\"ip\": [\"192.0.2.0/24\", \"2001:db8::1\"],"
	    " \"macs\": [\"02:00:5e:00:53:01\"], \"usernames\": [\"canary\"]}}",
	    "W00000000000000a1", LT_WSTATE_ACTIVE);
	make_rec(&w[1], "{\"liid\": \"W-9\"}", "W00000000000000a2", LT_WSTATE_DEACTIVATED);
	make_rec(&w[2], "{\"liid\": \"CANARY-3\", \"cin\": 9, \"content\": \"cc\", \"aaa_cc\": false,"
	    " \"start\": \"2027-01-01T00:00:00Z\", \"end\": null,"
	    " \"targets\": {\"sip\": [\"tel:+1\"]}}", "W00000000000000a3", LT_WSTATE_ACTIVE);

	/* failures leave cfg as it was */
	make_rec(&w[3], "{\"liid\": \"W-2\"}", "W00000000000000a4", LT_WSTATE_ACTIVE);
	old[0] = cfg.warrants;
	old[1] = cfg.targets;
	old[2] = cfg.idents;
	assert_int_equal(lt_warrants_to_config(w, 4, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "warrant W00000000000000a4: its LIID is also used by warrant 2 "
	    "(line 29) of the configuration file");
	strcpy(w[3].agency, "customs");
	w[3].liid[0] = 'X';
	assert_int_equal(lt_warrants_to_config(w, 4, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "warrant W00000000000000a4: its agency is no longer in the "
	    "configuration");
	assert_ptr_equal(cfg.warrants, old[0]);
	assert_ptr_equal(cfg.targets, old[1]);
	assert_ptr_equal(cfg.idents, old[2]);
	assert_int_equal(cfg.nwarrants, 3);

	assert_int_equal(lt_warrants_to_config(w, 3, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nwarrants, 5);
	assert_int_equal(cfg.ntargets, 4);
	assert_int_equal(cfg.nidents, 11);
	/* the file's warrants still point at their own targets */
	assert_ptr_equal(cfg.warrants[0].idents, &cfg.idents[0]);
	assert_int_equal(cfg.warrants[0].nidents, 7);
	assert_ptr_equal(cfg.warrants[1].idents, &cfg.idents[7]);
	assert_ptr_equal(cfg.warrants[1].targets, &cfg.targets[0]);
	assert_ptr_equal(cfg.warrants[2].targets, &cfg.targets[1]);
	assert_null(cfg.warrants[2].idents);
	assert_memory_equal(cfg.warrants[2].targets, "\x04\x18\xc6\x33\x64\x00", 6);
	assert_memory_equal(cfg.idents[5].v, "eth 0/1/1:100", 13);

	d = &cfg.warrants[3];
	assert_int_equal(d->liid_len, 13);
	assert_memory_equal(d->liid, "CANARY-LIID-1", 14);
	assert_int_equal(d->agency, 0);
	assert_int_equal(d->cin, 7);
	assert_int_equal(d->content, LT_CONTENT_BOTH);
	assert_true(d->start_s == 1793491200 && d->end_s == 1796128200);
	assert_int_equal(d->aaa_cc, 1);
	assert_int_equal(d->line, 0);
	assert_int_equal(d->ntargets, 2);
	assert_ptr_equal(d->targets, &cfg.targets[2]);
	assert_memory_equal(d->targets, w[0].ips, 2 * sizeof(struct lt_prefix));
	assert_int_equal(d->nidents, 2);
	assert_ptr_equal(d->idents, &cfg.idents[9]);
	assert_int_equal(d->idents[0].kind, LT_IDENT_USERNAME);
	assert_int_equal(d->idents[1].kind, LT_IDENT_MAC);

	d = &cfg.warrants[4];
	assert_memory_equal(d->liid, "CANARY-3", 9);
	assert_int_equal(d->cin, 9);
	assert_int_equal(d->content, LT_CONTENT_CC);
	assert_true(d->end_s == LT_TIME_NEVER);
	assert_int_equal(d->aaa_cc, 0);
	assert_int_equal(d->ntargets, 0);
	assert_null(d->targets);
	assert_int_equal(d->nidents, 0);
	assert_null(d->idents);
	/* its SIP URI, for the VoIP engine */
	assert_int_equal(cfg.nsipids, 1);
	assert_int_equal(d->nsipids, 1);
	assert_ptr_equal(d->sipids, &cfg.sipids[0]);
	assert_int_equal(d->sipids[0].len, 6);
	assert_memory_equal(d->sipids[0].v, "tel:+1", 6);
	assert_int_equal(cfg.warrants[3].nsipids, 0);
	assert_int_equal(cfg.warrants[0].nsipids, 0);
	lt_config_free(&cfg);

	/* a configuration without warrants, targets or identities */
	memset(&cfg, 0, sizeof(cfg));
	cfg.agencies = calloc(1, sizeof(*cfg.agencies));
	strcpy(cfg.agencies[0].id, "police");
	cfg.nagencies = 1;
	assert_int_equal(lt_warrants_to_config(&w[1], 2, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nwarrants, 1);
	assert_int_equal(cfg.ntargets, 0);
	assert_null(cfg.targets);
	assert_null(cfg.idents);
	assert_memory_equal(cfg.warrants[0].liid, "CANARY-3", 9);
	lt_config_free(&cfg);

	for (int i = 0; i < 4; i++)
		lt_warrant_rec_free(&w[i]);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_full),
		cmocka_unit_test(model_minimal),
		cmocka_unit_test(model_bounds),
		cmocka_unit_test(model_sip),
		cmocka_unit_test(model_bad),
		cmocka_unit_test(model_stored),
		cmocka_unit_test(model_ids),
		cmocka_unit_test(check_set),
		cmocka_unit_test(to_config),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONFIGS_DIR\n", argv[0]);
		return 2;
	}
	configs_dir = argv[1];
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
