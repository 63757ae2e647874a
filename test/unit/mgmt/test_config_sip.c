/* test_config_sip.c - the sip section and SIP identity warrants of lawtap.conf: values, defaults, errors. */
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

static char tmpdir[64];
static char tmpconf[128];

/* Every case follows these two lines, so its own text starts at line 3. */
#define HDR "operator: { id = \"TestISP\"; country = \"NZ\"; };\n" \
	"agencies = ( { id = \"police\"; hi2 = \"127.0.0.1:40002\"; " \
	"hi3 = \"127.0.0.1:40003\"; } );\n"
/* A warrant opened at line 3; its identities go on line 4. */
#define W3 "warrants = ( { liid = \"W-1\"; agency = \"police\"; cin = 1; content = \"both\";\n"
#define WEND " } );\n"
#define SIP(x) "sip: { servers = [ \"192.0.2.10\" ]; " x " };\n"

static void
write_conf(const char *body)
{
	FILE *f = fopen(tmpconf, "w");

	assert_non_null(f);
	assert_int_equal(fputs(HDR, f) >= 0, 1);
	assert_int_equal(fputs(body, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
load_text(const char *body, struct lt_config *cfg)
{
	char err[1024];

	write_conf(body);
	if (lt_config_load(tmpconf, cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* The text must be refused with "FILE:line: ..." containing want and none of the secrets. */
static void
refuses(const char *body, int line, const char *want, const char *secret)
{
	struct lt_config cfg;
	char err[1024], pre[256];

	write_conf(body);
	memset(err, 0, sizeof(err));
	assert_int_equal(lt_config_load(tmpconf, &cfg, err, sizeof(err)), -1);
	snprintf(pre, sizeof(pre), "%s:%d: ", tmpconf, line);
	if (strncmp(err, pre, strlen(pre)) != 0 || strstr(err, want) == NULL)
		fail_msg("got \"%s\", want \"%s...%s\"", err, pre, want);
	if (secret != NULL && strstr(err, secret) != NULL)
		fail_msg("\"%s\" quotes the identity", err);
}

static void
test_good(void **state)
{
	struct lt_config cfg;

	(void)state;
	load_text("sip: { servers = [ \"192.0.2.10\", \"2001:db8::5\" ];\n"
	    "  ports = [ 5060, 5080, 65535 ]; max_calls = 100000;\n"
	    "  setup_timeout = 60; call_timeout = 600; };\n"
	    "warrants = ( { liid = \"W-1\"; agency = \"police\"; cin = 1; content = \"both\";\n"
	    "    sip_uris = [ \"sip:bob@b.example\", \"tel:+49-30-1234\", \"sip:carol@*\",\n"
	    "      \"sip:*@d.example\", \"sips:Bob@B.example\" ]; sip_from = true; },\n"
	    "  { liid = \"W-2\"; agency = \"police\"; cin = 2; content = \"iri\";\n"
	    "    sip_uris = [ \"sip:bob@b.example\" ]; targets = [ \"192.0.2.7\" ]; } );\n",
	    &cfg);
	assert_int_equal(cfg.sip.nservers, 2);
	assert_int_equal(cfg.sip.servers[0].family, 4);
	assert_memory_equal(cfg.sip.servers[0].addr, "\xc0\x00\x02\x0a", 4);
	assert_int_equal(cfg.sip.servers[1].family, 6);
	assert_int_equal(cfg.sip.nports, 3);
	assert_int_equal(cfg.sip.ports[0], 5060);
	assert_int_equal(cfg.sip.ports[2], 65535);
	assert_int_equal(cfg.sip.max_calls, 100000);
	assert_int_equal(cfg.sip.setup_timeout_s, 60);
	assert_int_equal(cfg.sip.call_timeout_s, 600);
	assert_int_equal(cfg.nsipids, 6);
	assert_int_equal(cfg.warrants[0].nsipids, 5);
	assert_int_equal(cfg.warrants[0].sip_from, 1);
	assert_int_equal(cfg.warrants[0].sipids[1].len, 15);
	assert_memory_equal(cfg.warrants[0].sipids[1].v, "tel:+49-30-1234", 15);
	assert_int_equal(cfg.warrants[1].nsipids, 1);
	assert_int_equal(cfg.warrants[1].sip_from, 0);
	assert_memory_equal(cfg.warrants[1].sipids[0].v, "sip:bob@b.example", 17);
	assert_int_equal(cfg.warrants[1].ntargets, 1);
	lt_config_free(&cfg);
}

static void
test_defaults(void **state)
{
	struct lt_config cfg;

	(void)state;
	load_text(SIP(""), &cfg);
	assert_int_equal(cfg.sip.nservers, 1);
	assert_int_equal(cfg.sip.nports, 1);
	assert_int_equal(cfg.sip.ports[0], 5060);
	assert_int_equal(cfg.sip.max_calls, 1u << 17);
	assert_int_equal(cfg.sip.setup_timeout_s, 180);
	assert_int_equal(cfg.sip.call_timeout_s, 7200);
	assert_int_equal(cfg.nsipids, 0);
	lt_config_free(&cfg);
	/* no sip section at all */
	load_text("", &cfg);
	assert_null(cfg.sip.servers);
	assert_int_equal(cfg.sip.nservers, 0);
	lt_config_free(&cfg);
}

static void
test_errors(void **state)
{
	char big[400], body[600];

	(void)state;
	refuses("sip: { ports = [ 5060 ]; };\n", 3, "'servers' must list", NULL);
	refuses("sip: { servers = [ ]; };\n", 3, "'servers' must list", NULL);
	refuses(SIP("") "sip: { servers = [ \"192.0.2.1\" ]; };\n", 4, "", NULL);
	refuses("sip: { servers = [ \"192.0.2.0/24\" ]; };\n", 3,
	    "server 1 must be one IPv4 or IPv6 address", NULL);
	refuses(SIP("ports = [ 0 ];"), 3, "port 1 must be 1..65535", NULL);
	refuses(SIP("ports = [ 1, 2, 3, 4, 5, 6, 7, 8, 9 ];"), 3,
	    "'ports' must be a list of 1 to 8", NULL);
	refuses(SIP("max_calls = 1;"), 3, "max_calls", NULL);
	refuses(SIP("call_timeout = 10;"), 3, "call_timeout", NULL);
	refuses(SIP("proxy = 1;"), 3, "proxy", NULL);
	refuses(W3 "  sip_uris = [ \"bob@secret.example\" ];" WEND, 4,
	    "warrant 1 (line 3): SIP identity 1: not a sip:", "secret");
	refuses(W3 "  sip_uris = [ \"sip:secret@*\", \"sip:secret@*\" ];" WEND, 4,
	    "SIP identity 2 repeats an earlier one", "secret");
	refuses(W3 "  sip_uris = [ 7 ];" WEND, 4, "SIP identity 1 must be a string", NULL);
	refuses(W3 "  sip_uris = [ ];" WEND, 4, "'sip_uris' must be a list", NULL);
	refuses(W3 "  sip_uris = [ \"sip:a@b\" ]; sip_from = 1;" WEND, 4,
	    "'sip_from' must be true or false", NULL);
	refuses(W3 "  sip_from = true;" WEND, 3, "needs 'targets'", NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "sip:", 4);
	big[200] = '@';
	snprintf(body, sizeof(body), W3 "  sip_uris = [ \"%s\" ];" WEND, big);
	refuses(body, 4, "longer than 256 octets", "xxxx");
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lt-cfgsip-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(tmpconf, sizeof(tmpconf), "%s/t.conf", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(tmpconf);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
