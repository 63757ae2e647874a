/* test_config_aaa.c - the aaa section and identity warrants of lawtap.conf: values, defaults, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mgmt/config.h"

/* argv[1]: test/unit/mgmt/configs */
static const char *configs_dir;
static char tmpdir[64];
static char tmpconf[128];

/* Every inline case follows these two lines, so its own text starts at line 3. */
#define HDR "operator: { id = \"TestISP\"; country = \"NZ\"; };\n" \
	"agencies = ( { id = \"police\"; hi2 = \"127.0.0.1:40002\"; " \
	"hi3 = \"127.0.0.1:40003\"; } );\n"
/* A warrant opened at line 3; its identities go on line 4. */
#define W3 "warrants = ( { liid = \"W-1\"; agency = \"police\"; cin = 1; content = \"both\";\n"
#define WEND " } );\n"
#define RAD(x) "aaa: { radius = ( { server = \"192.0.2.1\"; " x " } ); };\n"
#define DHCP(x) "aaa: { dhcp = ( { server = \"192.0.2.67\"; " x " } ); };\n"

static char *
cfgpath(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", configs_dir, name);
	return buf;
}

static void
write_conf(const char *body)
{
	FILE *f = fopen(tmpconf, "w");

	assert_non_null(f);
	assert_int_equal(fputs(HDR, f) >= 0, 1);
	assert_int_equal(fputs(body, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Loads HDR + body; fails the test with the message if it does not load. */
static void
load_text(const char *body, struct lt_config *cfg)
{
	char err[1024];

	write_conf(body);
	if (lt_config_load(tmpconf, cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
check_ident(const struct lt_ident *id, enum lt_ident_kind kind, const void *v, size_t len)
{
	assert_int_equal(id->kind, kind);
	assert_int_equal(id->len, len);
	assert_memory_equal(id->v, v, len);
}

static void
load_aaa_good(void **state)
{
	static const char secret128[] = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef";
	static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
	static const uint8_t v6d[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x67 };
	struct lt_config cfg;
	const struct lt_aaa_server *s;
	const struct lt_warrant *w;
	char err[1024] = "";
	(void)state;

	memset(&cfg, 0xa5, sizeof(cfg));
	if (lt_config_load(cfgpath("aaa-good.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);

	assert_int_equal(cfg.aaa.nradius, 3);
	s = &cfg.aaa.radius[0];
	assert_int_equal(s->family, 4);
	assert_memory_equal(s->addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(s->nauth, 2);
	assert_int_equal(s->auth_ports[0], 1812);
	assert_int_equal(s->auth_ports[1], 1645);
	assert_int_equal(s->nacct, 2);
	assert_int_equal(s->acct_ports[0], 1813);
	assert_int_equal(s->acct_ports[1], 1646);
	assert_int_equal(s->secret_len, 10);
	assert_memory_equal(s->secret, "testing123", 10);
	assert_int_equal(s->access_type, 2);		/* xDSL */
	assert_int_equal(s->line, 9);

	s = &cfg.aaa.radius[1];
	assert_int_equal(s->family, 6);
	assert_memory_equal(s->addr, v6a, 16);
	assert_int_equal(s->nauth, 2);
	assert_int_equal(s->auth_ports[0], 1);
	assert_int_equal(s->auth_ports[1], 65535);
	assert_int_equal(s->nacct, 0);		/* auth ports alone: no accounting */
	assert_int_equal(s->secret_len, 0);
	assert_int_equal(s->access_type, 9);		/* wireless-other */
	assert_int_equal(s->line, 11);

	s = &cfg.aaa.radius[2];
	assert_int_equal(s->family, 4);
	assert_memory_equal(s->addr, "\xc6\x33\x64\x02", 4);
	assert_int_equal(s->nauth, 0);
	assert_int_equal(s->nacct, 8);
	static const uint16_t acct8[8] = { 1813, 1646, 3, 4, 5, 6, 7, 8 };
	assert_memory_equal(s->acct_ports, acct8, sizeof(acct8));
	assert_int_equal(s->secret_len, 128);
	assert_memory_equal(s->secret, secret128, 128);
	assert_int_equal(s->access_type, 0);
	assert_int_equal(s->line, 12);

	assert_int_equal(cfg.aaa.ndhcp, 2);
	s = &cfg.aaa.dhcp[0];
	assert_int_equal(s->family, 4);
	assert_memory_equal(s->addr, "\xc0\x00\x02\x43", 4);
	assert_int_equal(s->access_type, 6);		/* fTTx */
	assert_int_equal(s->nauth, 0);
	assert_int_equal(s->nacct, 0);
	assert_int_equal(s->secret_len, 0);
	assert_int_equal(s->line, 16);
	s = &cfg.aaa.dhcp[1];
	assert_int_equal(s->family, 6);
	assert_memory_equal(s->addr, v6d, 16);
	assert_int_equal(s->access_type, 0);
	assert_int_equal(s->line, 17);

	assert_int_equal(cfg.aaa.access_timeout_s, 3600);
	assert_int_equal(cfg.aaa.max_sessions, 16777216);

	assert_int_equal(cfg.nwarrants, 3);
	assert_int_equal(cfg.nidents, 9);
	assert_int_equal(cfg.ntargets, 2);

	w = &cfg.warrants[0];
	assert_int_equal(w->line, 23);
	assert_int_equal(w->cin, 100);
	assert_int_equal(w->ntargets, 0);
	assert_int_equal(w->nidents, 7);
	assert_ptr_equal(w->idents, &cfg.idents[0]);
	assert_int_equal(w->aaa_cc, 1);
	/* in the order usernames, calling_station_ids, macs, circuit_ids */
	check_ident(&w->idents[0], LT_IDENT_USERNAME, "alice@isp.example", 17);
	check_ident(&w->idents[1], LT_IDENT_USERNAME, "Alice@isp.example", 17);
	check_ident(&w->idents[2], LT_IDENT_CALLING_STATION, "02-00-00-00-00-01", 17);
	check_ident(&w->idents[3], LT_IDENT_MAC, "\x02\x00\x5e\x00\x53\x01", 6);
	check_ident(&w->idents[4], LT_IDENT_MAC, "\x0a\x1b\x2c\x3d\x4e\x5f", 6);
	check_ident(&w->idents[5], LT_IDENT_CIRCUIT, "eth 0/1/1:100", 13);
	check_ident(&w->idents[6], LT_IDENT_CIRCUIT, "caf\xc3\xa9 \"7\"", 9);

	w = &cfg.warrants[1];
	assert_int_equal(w->line, 29);
	assert_int_equal(w->nidents, 2);
	assert_ptr_equal(w->idents, &cfg.idents[7]);
	assert_int_equal(w->aaa_cc, 0);
	/* the same bytes as another kind, and as another warrant's: not a repeat */
	check_ident(&w->idents[0], LT_IDENT_USERNAME, "alice@isp.example", 17);
	check_ident(&w->idents[1], LT_IDENT_CALLING_STATION, "alice@isp.example", 17);
	assert_int_equal(w->ntargets, 1);
	assert_ptr_equal(w->targets, &cfg.targets[0]);
	static const struct lt_prefix t1 = { 4, 32, { 203, 0, 113, 7 } };
	assert_memory_equal(w->targets, &t1, sizeof(t1));

	w = &cfg.warrants[2];
	assert_int_equal(w->nidents, 0);
	assert_int_equal(w->aaa_cc, 0);
	assert_int_equal(w->ntargets, 1);

	lt_config_free(&cfg);
	assert_null(cfg.aaa.radius);
	assert_null(cfg.aaa.dhcp);
	assert_null(cfg.idents);
	assert_int_equal(cfg.nidents, 0);
}

static void
load_aaa_defaults(void **state)
{
	struct lt_config cfg;
	char err[1024] = "";
	const struct lt_aaa_server *s;
	(void)state;

	memset(&cfg, 0xa5, sizeof(cfg));
	if (lt_config_load(cfgpath("aaa-defaults.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.aaa.nradius, 1);
	s = &cfg.aaa.radius[0];
	assert_int_equal(s->nauth, 1);
	assert_int_equal(s->auth_ports[0], 1812);
	assert_int_equal(s->nacct, 1);
	assert_int_equal(s->acct_ports[0], 1813);
	assert_int_equal(s->secret_len, 0);
	assert_int_equal(s->access_type, 0);		/* undefined */
	assert_int_equal(cfg.aaa.ndhcp, 1);
	assert_int_equal(cfg.aaa.dhcp[0].access_type, 0);
	assert_int_equal(cfg.aaa.access_timeout_s, 10);
	assert_int_equal(cfg.aaa.max_sessions, 1048576);

	/* identities and no targets: a valid warrant */
	assert_int_equal(cfg.nwarrants, 1);
	assert_int_equal(cfg.warrants[0].ntargets, 0);
	assert_int_equal(cfg.ntargets, 0);
	assert_null(cfg.targets);
	assert_int_equal(cfg.warrants[0].nidents, 1);
	check_ident(&cfg.warrants[0].idents[0], LT_IDENT_MAC, "\x02\x00\x5e\x00\x53\x02", 6);
	assert_int_equal(cfg.warrants[0].aaa_cc, 0);
	lt_config_free(&cfg);

	/* no aaa section at all: the same defaults, no servers, no identities */
	if (lt_config_load(cfgpath("minimal.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.aaa.nradius, 0);
	assert_int_equal(cfg.aaa.ndhcp, 0);
	assert_null(cfg.aaa.radius);
	assert_null(cfg.aaa.dhcp);
	assert_int_equal(cfg.aaa.access_timeout_s, 10);
	assert_int_equal(cfg.aaa.max_sessions, 1048576);
	assert_int_equal(cfg.nidents, 0);
	assert_null(cfg.idents);
	assert_int_equal(cfg.warrants[0].nidents, 0);
	lt_config_free(&cfg);

	/* an empty aaa group, and empty server lists */
	load_text("aaa: { radius = (); dhcp = [ ]; };\n", &cfg);
	assert_int_equal(cfg.aaa.nradius, 0);
	assert_int_equal(cfg.aaa.ndhcp, 0);
	assert_int_equal(cfg.aaa.access_timeout_s, 10);
	lt_config_free(&cfg);
}

/* The smallest and largest values each limit allows. */
static void
load_aaa_bounds(void **state)
{
	struct lt_config cfg;
	char body[2048], id253[254];
	(void)state;

	load_text("aaa: { access_timeout = 1; max_sessions = 1024; };\n", &cfg);
	assert_int_equal(cfg.aaa.access_timeout_s, 1);
	assert_int_equal(cfg.aaa.max_sessions, 1024);
	lt_config_free(&cfg);

	load_text(RAD("secret = \"s\"; acct_ports = [ 1813 ];"), &cfg);
	assert_int_equal(cfg.aaa.radius[0].secret_len, 1);
	assert_int_equal(cfg.aaa.radius[0].nauth, 0);
	assert_int_equal(cfg.aaa.radius[0].nacct, 1);
	lt_config_free(&cfg);

	memset(id253, 'u', 253);
	id253[253] = '\0';
	snprintf(body, sizeof(body), W3 "usernames = [ \"%s\" ]; circuit_ids = [ \"%s\", \"c\" ];"
	    WEND, id253, id253);
	load_text(body, &cfg);
	assert_int_equal(cfg.warrants[0].nidents, 3);
	check_ident(&cfg.warrants[0].idents[0], LT_IDENT_USERNAME, id253, 253);
	check_ident(&cfg.warrants[0].idents[1], LT_IDENT_CIRCUIT, id253, 253);
	check_ident(&cfg.warrants[0].idents[2], LT_IDENT_CIRCUIT, "c", 1);
	lt_config_free(&cfg);

	/* a MAC in upper case with dashes, and aaa_cc with a calling station only */
	load_text(W3 "macs = [ \"FF-FF-FF-FF-FF-FE\" ]; calling_station_ids = [ \"x\" ]; "
	    "aaa_cc = true;" WEND, &cfg);
	assert_int_equal(cfg.warrants[0].nidents, 2);
	check_ident(&cfg.warrants[0].idents[0], LT_IDENT_CALLING_STATION, "x", 1);
	check_ident(&cfg.warrants[0].idents[1], LT_IDENT_MAC, "\xff\xff\xff\xff\xff\xfe", 6);
	assert_int_equal(cfg.warrants[0].aaa_cc, 1);
	lt_config_free(&cfg);
}

/* IPv6 servers, one warrant per identity kind, all-zero and all-one MACs. */
static void
load_aaa_v6(void **state)
{
	static const uint8_t v6r[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x0a, 0xaa, [15] = 1 };
	struct lt_config cfg;
	char err[1024] = "", id253[253];
	(void)state;

	if (lt_config_load(cfgpath("aaa-v6.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.aaa.nradius, 1);
	assert_int_equal(cfg.aaa.radius[0].family, 6);
	assert_memory_equal(cfg.aaa.radius[0].addr, v6r, 16);
	assert_int_equal(cfg.aaa.radius[0].nauth, 1);
	assert_int_equal(cfg.aaa.radius[0].auth_ports[0], 1812);
	assert_int_equal(cfg.aaa.radius[0].acct_ports[0], 1813);
	assert_int_equal(cfg.aaa.radius[0].secret_len, 1);
	assert_int_equal(cfg.aaa.radius[0].access_type, 3);	/* cableModem */
	assert_int_equal(cfg.aaa.ndhcp, 1);
	assert_int_equal(cfg.aaa.dhcp[0].family, 6);
	assert_int_equal(cfg.aaa.dhcp[0].access_type, 4);	/* lAN */
	assert_int_equal(cfg.aaa.access_timeout_s, 1);
	assert_int_equal(cfg.aaa.max_sessions, 1024);

	assert_int_equal(cfg.nwarrants, 4);
	assert_int_equal(cfg.ntargets, 0);
	assert_null(cfg.targets);
	assert_int_equal(cfg.nidents, 5);
	check_ident(&cfg.warrants[0].idents[0], LT_IDENT_USERNAME, "u", 1);
	assert_int_equal(cfg.warrants[0].aaa_cc, 0);
	check_ident(&cfg.warrants[1].idents[0], LT_IDENT_CALLING_STATION, "s", 1);
	assert_true(cfg.warrants[1].cin == 4294967295u);
	assert_int_equal(cfg.warrants[1].aaa_cc, 1);
	assert_int_equal(cfg.warrants[2].nidents, 2);
	check_ident(&cfg.warrants[2].idents[0], LT_IDENT_MAC, "\0\0\0\0\0\0", 6);
	check_ident(&cfg.warrants[2].idents[1], LT_IDENT_MAC, "\xff\xff\xff\xff\xff\xff", 6);
	memset(id253, 'x', sizeof(id253));
	check_ident(&cfg.warrants[3].idents[0], LT_IDENT_CIRCUIT, id253, 253);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(cfg.warrants[i].ntargets, 0);
		assert_ptr_equal(cfg.warrants[i].idents, &cfg.idents[i == 3 ? 4 : i]);
	}
	lt_config_free(&cfg);
}

#define NEEDS "needs 'targets' or at least one of 'usernames', 'calling_station_ids', " \
	"'macs', 'circuit_ids'"
#define MACMSG "must be six hex octets such as 02:00:5e:00:53:01"
#define PORTS8(n) "'" n "' must be a list of 1 to 8 UDP ports: " n " = [ 1812, 1645 ];"
#define ACCESS_TYPES "'access_type' must be one of undefined, dialUp, xDSL, cableModem, " \
	"lAN, wirelessLAN, fTTx, wIMAX-HIPERMAN, satellite, wireless-other"
#define S129 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX"
#define IDENT_MAX_MSG "must be 1 to 253 octets"

static const struct {
	const char *body;	/* after HDR: line 3 on */
	const char *msg;	/* after "FILE:" */
	const char *canary[3];	/* never in the message */
} bad[] = {
	/* servers */
	{ "aaa: { radius = ( { server = \"192.0.2.256\"; } ); };\n",
	    "3: radius server 1: 'server' must be one IPv4 or IPv6 address" , { NULL } },
	{ "aaa: { radius = ( { server = \"192.0.2.0/24\"; } ); };\n",
	    "3: radius server 1: 'server' must be one IPv4 or IPv6 address" , { NULL } },
	{ "aaa: { radius = ( { server = \"radius.isp.example\"; } ); };\n",
	    "3: radius server 1: 'server' must be one IPv4 or IPv6 address" , { NULL } },
	{ "aaa: {\n  dhcp = (\n    { server = \"192.0.2.67\"; },\n"
	    "    { server = \"2001:db8:67::/48\"; }\n  );\n};\n",
	    "6: dhcp server 2: 'server' must be one IPv4 or IPv6 address" , { NULL } },
	{ "aaa: {\n  radius = (\n    { server = \"192.0.2.1\"; },\n"
	    "    { secret = \"x\"; }\n  );\n};\n",
	    "6: radius server 2: missing required setting 'server'" , { NULL } },
	{ "aaa: { radius = ( { server = 42; } ); };\n",
	    "3: radius server 1: 'server' must be a string in double quotes" , { NULL } },
	{ "aaa = 5;\n", "3: 'aaa' must be a group: aaa: { ... };" , { NULL } },
	{ "aaa: { radius = { server = \"192.0.2.1\"; }; };\n",
	    "3: 'radius' must be a list of groups: radius = ( { ... }, { ... } );" , { NULL } },
	{ "aaa: { dhcp = ( \"192.0.2.67\" ); };\n",
	    "3: dhcp server 1 must be a group: { server = \"...\"; }" , { NULL } },
	/* ports */
	{ "aaa: { radius = ( { server = \"192.0.2.1\";\n  auth_ports = [ 1812,\n    0 ]; } ); };\n",
	    "5: radius server 1: 'auth_ports': port 2 must be 1..65535" , { NULL } },
	{ RAD("acct_ports = [ 65536 ];"),
	    "3: radius server 1: 'acct_ports': port 1 must be 1..65535" , { NULL } },
	{ RAD("auth_ports = [ -1812 ];"),
	    "3: radius server 1: 'auth_ports': port 1 must be 1..65535" , { NULL } },
	{ RAD("auth_ports = [ \"1812\" ];"),
	    "3: radius server 1: 'auth_ports': port 1 must be 1..65535" , { NULL } },
	{ RAD("auth_ports = [ 1812.0 ];"),
	    "3: radius server 1: 'auth_ports': port 1 must be 1..65535" , { NULL } },
	{ RAD("auth_ports = [ 1, 2, 3, 4, 5, 6, 7, 8, 9 ];"),
	    "3: radius server 1: " PORTS8("auth_ports") , { NULL } },
	{ RAD("acct_ports = [ ];"), "3: radius server 1: " PORTS8("acct_ports") , { NULL } },
	{ RAD("acct_ports = 1813;"), "3: radius server 1: " PORTS8("acct_ports") , { NULL } },
	{ RAD("acct_ports = ( 1813 );"), "3: radius server 1: " PORTS8("acct_ports") , { NULL } },
	/* secret, access type */
	{ RAD("secret = \"" S129 "\";"), "3: radius server 1: 'secret' must be 1 to 128 octets",
	    { S129 } },
	{ RAD("secret = \"\";"), "3: radius server 1: 'secret' must be 1 to 128 octets" , { NULL } },
	{ RAD("secret = 123;"),
	    "3: radius server 1: 'secret' must be a string in double quotes" , { NULL } },
	{ RAD("access_type = \"xdsl\";"), "3: radius server 1: " ACCESS_TYPES , { NULL } },
	{ DHCP("access_type = \"fiber\";"), "3: dhcp server 1: " ACCESS_TYPES , { NULL } },
	{ DHCP("access_type = 6;"),
	    "3: dhcp server 1: 'access_type' must be a string in double quotes" , { NULL } },
	/* unknown settings */
	{ "aaa: { radius = (); timeout = 5; };\n", "3: unknown setting 'timeout' in aaa" , { NULL } },
	{ RAD("port = 1812;"), "3: unknown setting 'port' in radius server 1" , { NULL } },
	{ DHCP("secret = \"testing123\";"), "3: unknown setting 'secret' in dhcp server 1",
	    { "testing123" } },
	{ DHCP("auth_ports = [ 67 ];"), "3: unknown setting 'auth_ports' in dhcp server 1" , { NULL } },
	/* limits */
	{ "aaa: { max_sessions = 1023; };\n", "3: aaa: 'max_sessions' must be 1024..16777216" , { NULL } },
	{ "aaa: { max_sessions = 16777217; };\n",
	    "3: aaa: 'max_sessions' must be 1024..16777216" , { NULL } },
	{ "aaa: { max_sessions = 4294967296L; };\n",
	    "3: aaa: 'max_sessions' must be 1024..16777216" , { NULL } },
	{ "aaa: { max_sessions = -1; };\n", "3: aaa: 'max_sessions' must be 1024..16777216" , { NULL } },
	{ "aaa: { max_sessions = \"1M\"; };\n", "3: aaa: 'max_sessions' must be an integer" , { NULL } },
	{ "aaa: { access_timeout = 0; };\n", "3: aaa: 'access_timeout' must be 1..3600" , { NULL } },
	{ "aaa: { access_timeout = 3601; };\n", "3: aaa: 'access_timeout' must be 1..3600" , { NULL } },
	{ "aaa: { access_timeout = 2.5; };\n", "3: aaa: 'access_timeout' must be an integer" , { NULL } },
	/* warrants: what they must name */
	{ W3 WEND, "3: warrant 1 (line 3): " NEEDS , { NULL } },
	{ W3 "aaa_cc = true;" WEND, "3: warrant 1 (line 3): " NEEDS , { NULL } },
	{ W3 "targets = [ ];" WEND,
	    "4: warrant 1 (line 3): 'targets' must list at least one prefix" , { NULL } },
	{ W3 "username = [ \"kanari-u1\" ];" WEND,
	    "4: unknown setting 'username' in warrant 1 (line 3)", { "kanari-u1" } },
	/* MACs */
	{ W3 "macs = [ \"02:00:00:00:00:1\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02:00:00:00:00:1" } },
	{ W3 "macs = [ \"02:00:00:00:00:011\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02:00:00:00:00:01" } },
	{ W3 "macs = [ \"020000000001\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "020000000001" } },
	{ W3 "macs = [ \"02:00:00:00:0g:01\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "0g" } },
	{ W3 "macs = [ \"02:00:00:00:00:0 \" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02:00:00:00:00:0" } },
	{ W3 "macs = [ \"02:00:00-00:00:01\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02:00:00-00" } },
	{ W3 "macs = [ \"02-00-00-00-00:01\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02-00" } },
	{ W3 "macs = [ \"0200:00:00:00:001\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "0200:00" } },
	{ W3 "macs = [ \"02.00.00.00.00.01\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 1 " MACMSG, { "02.00" } },
	{ W3 "macs = [ \"de:ad:be:ef:00:01\",\n  \"de:ad:be:ef:00:0\" ];" WEND,
	    "5: warrant 1 (line 3): MAC address 2 " MACMSG, { "de:ad", "be:ef" } },
	{ W3 "macs = [ 2 ];" WEND, "4: warrant 1 (line 3): MAC address 1 must be a string" , { NULL } },
	{ W3 "macs = [ \"de:ad:be:ef:00:01\", \"DE-AD-BE-EF-00-01\" ];" WEND,
	    "4: warrant 1 (line 3): MAC address 2 repeats an earlier one",
	    { "de:ad", "DE-AD", "be:ef" } },
	/* identities */
	{ W3 "usernames = [ \"" S129 S129 "\" ];" WEND,
	    "4: warrant 1 (line 3): username 1 " IDENT_MAX_MSG, { "0123456789abcdef" } },
	{ W3 "usernames = [ \"kanari-u2\" ];\n circuit_ids = [ \"\" ];" WEND,
	    "5: warrant 1 (line 3): circuit ID 1 " IDENT_MAX_MSG, { "kanari-u2" } },
	{ W3 "calling_station_ids = [ \"kanari-cs\", \"\" ];" WEND,
	    "4: warrant 1 (line 3): calling station ID 2 " IDENT_MAX_MSG, { "kanari-cs" } },
	{ W3 "usernames = [ \"\" ];" WEND, "4: warrant 1 (line 3): username 1 " IDENT_MAX_MSG , { NULL } },
	{ W3 "usernames = [ \"kanari-u3\", \"x\", \"kanari-u3\" ];" WEND,
	    "4: warrant 1 (line 3): username 3 repeats an earlier one", { "kanari-u3" } },
	{ W3 "circuit_ids = [ \"kanari eth 0/1\",\n \"kanari eth 0/1\" ];" WEND,
	    "5: warrant 1 (line 3): circuit ID 2 repeats an earlier one", { "kanari eth" } },
	{ W3 "calling_station_ids = [ \"kanari-cs2\", \"kanari-cs2\" ];" WEND,
	    "4: warrant 1 (line 3): calling station ID 2 repeats an earlier one",
	    { "kanari-cs2" } },
	{ W3 "usernames = \"kanari-u4\";" WEND,
	    "4: warrant 1 (line 3): 'usernames' must be a list of strings: "
	    "usernames = [ \"...\" ];", { "kanari-u4" } },
	{ W3 "circuit_ids = [ ];" WEND, "4: warrant 1 (line 3): 'circuit_ids' must be a list "
	    "of strings: circuit_ids = [ \"...\" ];" , { NULL } },
	{ W3 "usernames = [ 7 ];" WEND, "4: warrant 1 (line 3): username 1 must be a string" , { NULL } },
	/* aaa_cc */
	{ W3 "usernames = [ \"kanari-u5\" ]; aaa_cc = 1;" WEND,
	    "4: warrant 1 (line 3): 'aaa_cc' must be true or false", { "kanari-u5" } },
	{ W3 "macs = [ \"de:ad:be:ef:00:02\" ];\n aaa_cc = \"yes\";" WEND,
	    "5: warrant 1 (line 3): 'aaa_cc' must be true or false", { "de:ad" } },
};

static void
load_aaa_bad(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lt_config cfg;
		char err[1024], want[1024];

		write_conf(bad[i].body);
		snprintf(want, sizeof(want), "%s:%s", tmpconf, bad[i].msg);
		memset(&cfg, 0xa5, sizeof(cfg));
		if (lt_config_load(tmpconf, &cfg, err, sizeof(err)) != -1)
			fail_msg("case %zu loaded", i);
		if (strcmp(err, want) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
		/* a failed load leaves nothing to free */
		assert_null(cfg.aaa.radius);
		assert_null(cfg.aaa.dhcp);
		assert_null(cfg.idents);
		assert_null(cfg.warrants);
		assert_int_equal(cfg.nidents, 0);
		assert_int_equal(cfg.aaa.nradius, 0);
		lt_config_free(&cfg);
	}
}

/* No message quotes an identity: neither the bad one nor the good ones near it. */
static void
errors_quote_no_identity(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lt_config cfg;
		char err[1024];

		write_conf(bad[i].body);
		assert_int_equal(lt_config_load(tmpconf, &cfg, err, sizeof(err)), -1);
		for (size_t k = 0; k < 3 && bad[i].canary[k] != NULL; k++)
			if (strstr(err, bad[i].canary[k]) != NULL)
				fail_msg("case %zu quotes an identity: %s", i, err);
		if (strstr(err, "kanari") != NULL || strstr(err, "W-1") != NULL)
			fail_msg("case %zu quotes a target: %s", i, err);
	}
}

/* The same canaries, planted in a warrant that is fine, ahead of the one that is not. */
static void
later_errors_quote_no_identity(void **state)
{
	static const char *const second[] = {
		"macs = [ \"02:00:00:00:00:1\" ];",
		"usernames = [ \"kanari-user@isp.example\", \"kanari-user@isp.example\" ];",
		"circuit_ids = [ \"kanari-circuit 0/1\" ]; aaa_cc = 3;",
		"start = \"2026-13-01T00:00:00Z\";",
		"targets = [ \"203.0.113.9/31\" ];",
	};
	static const char *const canary[] = { "kanari", "de:ad:be:ef", "DE-AD-BE-EF",
	    "W-1", "W-2", "203.0.113", "02:00:00:00:00:1" };
	(void)state;

	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++) {
		struct lt_config cfg;
		char body[1024], err[1024];

		snprintf(body, sizeof(body), "warrants = (\n"
		    "  { liid = \"W-1\"; agency = \"police\"; cin = 1; content = \"both\";\n"
		    "    usernames = [ \"kanari-user@isp.example\" ];\n"
		    "    calling_station_ids = [ \"kanari-station\" ];\n"
		    "    macs = [ \"de:ad:be:ef:00:01\", \"DE-AD-BE-EF-00-02\" ];\n"
		    "    circuit_ids = [ \"kanari-circuit 0/1\" ]; aaa_cc = true; },\n"
		    "  { liid = \"W-2\"; agency = \"police\"; cin = 2; content = \"iri\";\n"
		    "    calling_station_ids = [ \"kanari-2\" ]; %s }\n);\n", second[i]);
		write_conf(body);
		if (lt_config_load(tmpconf, &cfg, err, sizeof(err)) != -1)
			fail_msg("case %zu loaded", i);
		if (strstr(err, ": warrant 2 (line 9): ") == NULL)
			fail_msg("case %zu: %s", i, err);
		for (size_t k = 0; k < sizeof(canary) / sizeof(canary[0]); k++)
			if (strstr(err, canary[k]) != NULL)
				fail_msg("case %zu quotes an identity: %s", i, err);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lt-test-cfgaaa-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(tmpconf, sizeof(tmpconf), "%s/case.conf", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(tmpconf);
	return rmdir(tmpdir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_aaa_good),
		cmocka_unit_test(load_aaa_defaults),
		cmocka_unit_test(load_aaa_bounds),
		cmocka_unit_test(load_aaa_v6),
		cmocka_unit_test(load_aaa_bad),
		cmocka_unit_test(errors_quote_no_identity),
		cmocka_unit_test(later_errors_quote_no_identity),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONFIGS_DIR\n", argv[0]);
		return 2;
	}
	configs_dir = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
