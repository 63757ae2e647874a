/* test_config_ev.c - lawtap.conf's integrity and evidence settings: values, defaults, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mgmt/config.h"

static char tmpconf[64];

#define AG(x)	"agencies = ( { id = \"police\"; hi2 = \"127.0.0.1:40002\"; " \
	"hi3 = \"127.0.0.1:40003\";\n" x " } );\n"
#define WAR(x)	"warrants = ( { liid = \"W-1\"; agency = \"police\"; cin = 1; " \
	"content = \"both\"; targets = [ \"192.0.2.1\" ];\n" x " } );\n"
#define OP	"operator: { id = \"TestISP\"; country = \"NZ\"; };\n"

/* 0 and cfg loaded, or -1 and err. */
static int
load(const char *text, struct lt_config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(tmpconf, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return lt_config_load(tmpconf, cfg, err, errlen);
}

static void
test_defaults_and_values(void **state)
{
	struct lt_config cfg;
	char err[1024];

	(void)state;
	if (load(OP AG("integrity = { key = \"/k/i.key\"; };") WAR("evidence = true;")
	    "evidence = { dir = \"/var/ev\"; key = \"/k/e.key\"; };\n", &cfg, err,
	    sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.agencies[0].integ.hash_every, 100);
	assert_int_equal(cfg.agencies[0].integ.hash_seconds, 5);
	assert_int_equal(cfg.agencies[0].integ.sign_every, 10);
	assert_string_equal(cfg.agencies[0].integ.key, "/k/i.key");
	assert_int_equal(cfg.warrants[0].evidence, 1);
	assert_string_equal(cfg.ev.dir, "/var/ev");
	assert_string_equal(cfg.ev.key, "/k/e.key");
	assert_int_equal(cfg.ev.max_bytes, 1ULL << 30);
	assert_int_equal(cfg.ev.max_seconds, 3600);
	lt_config_free(&cfg);

	if (load(OP AG("integrity = { hash_every = 1024; hash_seconds = 1; sign_every = 1; "
	    "key = \"/i\"; };") WAR("") "evidence = { dir = \"/e\"; key = \"/k\"; "
	    "max_bytes = 4096; max_seconds = 604800; };\n", &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.agencies[0].integ.hash_every, 1024);
	assert_int_equal(cfg.agencies[0].integ.hash_seconds, 1);
	assert_int_equal(cfg.agencies[0].integ.sign_every, 1);
	assert_int_equal(cfg.warrants[0].evidence, 0);
	assert_int_equal(cfg.ev.max_bytes, 4096);
	lt_config_free(&cfg);

	/* neither: nothing asked for */
	if (load(OP AG("") WAR(""), &cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.agencies[0].integ.hash_every, 0);
	assert_int_equal(cfg.ev.dir[0], '\0');
	lt_config_free(&cfg);
}

/* Each refused with its line and a reason that names the setting, never the LIID. */
static void
test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ OP AG("integrity = { hash_every = 0; key = \"/k\"; };") WAR(""),
		    ":3: agency 1 (line 2) integrity: 'hash_every' must be 1..1024" },
		{ OP AG("integrity = { hash_every = 1025; key = \"/k\"; };") WAR(""),
		    "'hash_every' must be 1..1024" },
		{ OP AG("integrity = { sign_every = 0; key = \"/k\"; };") WAR(""),
		    "'sign_every' must be 1..1024" },
		{ OP AG("integrity = { hash_seconds = 0; key = \"/k\"; };") WAR(""),
		    "'hash_seconds' must be 1..86400" },
		{ OP AG("integrity = { };") WAR(""),
		    "integrity: missing required setting 'key'" },
		{ OP AG("integrity = { key = \"k\"; };") WAR(""),
		    "'key' must be an absolute path" },
		{ OP AG("integrity = { key = \"/k\"; hash_everything = 1; };") WAR(""),
		    "hash_everything" },
		{ OP AG("integrity = 1;") WAR(""), "'integrity' must be a group" },
		{ OP AG("") WAR("evidence = true;"),
		    ":5: warrant 1 (line 4): 'evidence' needs the top-level group" },
		{ OP AG("") WAR("evidence = 1;"), "'evidence' must be true or false" },
		{ OP AG("") WAR("") "evidence = { key = \"/k\"; };\n",
		    ":6: evidence: missing required setting 'dir'" },
		{ OP AG("") WAR("") "evidence = { dir = \"/d\"; key = \"/k\"; max_bytes = 4095; };\n",
		    "'max_bytes' must be 4096..1099511627776" },
		{ OP AG("") WAR("") "evidence = { dir = \"d\"; key = \"/k\"; };\n",
		    "'dir' must be an absolute path" },
		{ OP AG("") WAR("") "evidence = { dir = \"/d\"; key = \"/k\"; size = 1; };\n",
		    "size" },
	};
	struct lt_config cfg;
	char err[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load(cases[i].text, &cfg, err, sizeof(err)) == 0)
			fail_msg("case %zu loaded", i);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
		assert_null(strstr(err, "W-1"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors),
	};
	int fd, rc;

	snprintf(tmpconf, sizeof(tmpconf), "/tmp/lt-config-ev.XXXXXX");
	if ((fd = mkstemp(tmpconf)) < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(tmpconf);
	return rc;
}
