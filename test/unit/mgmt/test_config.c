/* test_config.c - lt_config_load on good and golden bad files, and check-config in-process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "cmd.h"
#include "mgmt/config.h"

/* argv[1]: test/unit/mgmt/configs, argv[2]: conf/lawtap.conf */
static const char *configs_dir;
static const char *shipped_conf;

static char *
cfgpath(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", configs_dir, name);
	return buf;
}

static void
check_port(const struct sockaddr_storage *ss, const char *want2)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

	assert_memory_equal(&sin->sin_port, want2, 2);
}

static void
load_good(void **state)
{
	struct lt_config cfg;
	char err[512] = "";
	(void)state;

	memset(&cfg, 0xa5, sizeof(cfg));
	if (lt_config_load(cfgpath("good.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(cfg.path, cfgpath("good.conf"));
	assert_string_equal(cfg.operator_id, "OperatorSixteen1");
	assert_string_equal(cfg.ne_id, "ne-7");
	assert_string_equal(cfg.auth_cc, "DE");
	assert_string_equal(cfg.delivery_cc, "AT");

	assert_int_equal(cfg.eal_argc, 3);
	assert_string_equal(cfg.eal_argv[0], "-l");
	assert_string_equal(cfg.eal_argv[1], "1");
	assert_string_equal(cfg.eal_argv[2], "--no-huge");
	assert_null(cfg.eal_argv[3]);
	assert_int_equal(cfg.mbufs_per_queue, 1024);
	assert_int_equal(cfg.nports, 2);
	assert_string_equal(cfg.ports[0].device, "0000:03:00.0");
	assert_int_equal(cfg.ports[0].rx_queues, 64);
	assert_int_equal(cfg.ports[0].line, 12);
	assert_string_equal(cfg.ports[1].device, "net_pcap0,iface=lo");
	assert_int_equal(cfg.ports[1].rx_queues, 1);
	assert_int_equal(cfg.ports[1].line, 13);

	assert_true(cfg.queue_bytes == 16384ULL << 20);
	assert_int_equal(cfg.reconnect_ms, 250);
	assert_int_equal(cfg.unreachable_s, 86400);

	assert_int_equal(cfg.nagencies, 2);
	const struct lt_agency *a = &cfg.agencies[0];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->hi2.sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->hi3.sa;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	assert_string_equal(a->id, "a.B_c-9");
	assert_int_equal(a->hi2.salen, sizeof(*sin));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_memory_equal(&sin->sin_addr, "\x0a\x01\x02\x03", 4);
	check_port(&a->hi2.sa, "\x00\x01");
	assert_int_equal(a->hi3.salen, sizeof(*sin6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_memory_equal(&sin6->sin6_addr, v6, 16);
	check_port(&a->hi3.sa, "\xff\xff");
	assert_int_equal(a->keepalive_s, 86400);
	assert_int_equal(a->keepalive_timeout_s, 1);
	assert_int_equal(a->pspdu_version, 255);
	assert_int_equal(a->ipaccess_version, 1);
	assert_string_equal(a->keepalive_liid, "KA");
	assert_int_equal(a->line, 22);
	a = &cfg.agencies[1];
	assert_string_equal(a->id, "b");
	check_port(&a->hi2.sa, "\x9c\x42");	/* 40002 */
	check_port(&a->hi3.sa, "\x9c\x43");
	assert_int_equal(a->keepalive_s, 300);
	assert_int_equal(a->keepalive_timeout_s, 60);
	assert_int_equal(a->pspdu_version, 40);
	assert_int_equal(a->ipaccess_version, 20);
	assert_string_equal(a->keepalive_liid, "-");
	assert_int_equal(a->line, 32);

	assert_int_equal(cfg.nwarrants, 3);
	assert_int_equal(cfg.ntargets, 6);
	const struct lt_warrant *w = &cfg.warrants[0];
	assert_int_equal(w->liid_len, 25);
	assert_memory_equal(w->liid, "1234567890123456789012345", 26);
	assert_int_equal(w->agency, 1);
	assert_true(w->cin == 4294967295u);
	assert_int_equal(w->content, LT_CONTENT_CC);
	assert_true(w->start_s == 946684800);
	assert_true(w->end_s == 946684801);
	assert_int_equal(w->ntargets, 3);
	assert_ptr_equal(w->targets, &cfg.targets[0]);
	assert_int_equal(w->line, 39);
	static const struct lt_prefix t0[3] = {
		{ 4, 8, { 10 } },
		{ 6, 32, { 0x20, 0x01, 0x0d, 0xb8 } },
		{ 4, 32, { 192, 0, 2, 1 } },
	};
	assert_memory_equal(w->targets, t0, sizeof(t0));

	w = &cfg.warrants[1];
	assert_int_equal(w->liid_len, 1);
	assert_memory_equal(w->liid, "x", 2);
	assert_int_equal(w->agency, 0);
	assert_int_equal(w->cin, 0);
	assert_int_equal(w->content, LT_CONTENT_IRI);
	assert_true(w->start_s == LT_TIME_ALWAYS);
	assert_true(w->end_s == 1809129600);
	assert_int_equal(w->ntargets, 2);
	assert_ptr_equal(w->targets, &cfg.targets[3]);
	static const struct lt_prefix t1[2] = {
		{ 6, 128, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ 4, 8, { 10 } },
	};
	assert_memory_equal(w->targets, t1, sizeof(t1));

	w = &cfg.warrants[2];
	assert_int_equal(w->liid_len, 3);
	assert_memory_equal(w->liid, "L\x01\xff", 4);
	assert_int_equal(w->agency, 1);
	assert_int_equal(w->cin, 16);
	assert_int_equal(w->content, LT_CONTENT_BOTH);
	assert_true(w->start_s == 1793491200);
	assert_true(w->end_s == LT_TIME_NEVER);
	assert_int_equal(w->ntargets, 1);
	assert_ptr_equal(w->targets, &cfg.targets[5]);
	static const struct lt_prefix t2 = { 4, 24, { 198, 51, 100, 0 } };
	assert_memory_equal(w->targets, &t2, sizeof(t2));

	lt_config_free(&cfg);
	assert_null(cfg.warrants);
	assert_null(cfg.targets);
	assert_int_equal(cfg.nwarrants, 0);
	assert_int_equal(cfg.operator_id[0], 0);
}

static void
load_defaults(void **state)
{
	struct lt_config cfg;
	char err[512] = "";
	(void)state;

	if (lt_config_load(cfgpath("minimal.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(cfg.operator_id, "o");
	assert_string_equal(cfg.ne_id, "");
	assert_string_equal(cfg.auth_cc, "NZ");
	assert_string_equal(cfg.delivery_cc, "NZ");
	assert_int_equal(cfg.eal_argc, 0);
	assert_non_null(cfg.eal_argv);
	assert_null(cfg.eal_argv[0]);
	assert_int_equal(cfg.nports, 0);
	assert_int_equal(cfg.mbufs_per_queue, 8192);
	assert_true(cfg.queue_bytes == 64u << 20);
	assert_int_equal(cfg.reconnect_ms, 5000);
	assert_int_equal(cfg.unreachable_s, 30);
	assert_int_equal(cfg.nagencies, 1);
	assert_int_equal(cfg.agencies[0].keepalive_s, 300);
	assert_int_equal(cfg.agencies[0].keepalive_timeout_s, 60);
	assert_int_equal(cfg.agencies[0].pspdu_version, 40);
	assert_int_equal(cfg.agencies[0].ipaccess_version, 20);
	assert_string_equal(cfg.agencies[0].keepalive_liid, "-");
	assert_int_equal(cfg.nwarrants, 1);
	assert_true(cfg.warrants[0].start_s == LT_TIME_ALWAYS);
	assert_true(cfg.warrants[0].end_s == LT_TIME_NEVER);
	assert_int_equal(cfg.warrants[0].cin, 7);
	lt_config_free(&cfg);

	if (lt_config_load(cfgpath("empty.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.nagencies, 0);
	assert_null(cfg.agencies);
	assert_int_equal(cfg.nwarrants, 0);
	assert_null(cfg.warrants);
	assert_null(cfg.targets);
	lt_config_free(&cfg);

	if (lt_config_load(cfgpath("base.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	lt_config_free(&cfg);
}

static const struct {
	const char *file;
	const char *msg;	/* after "DIR/FILE:" */
} golden[] = {
	{ "bad-syntax.conf", "21: syntax error" },
	{ "bad-unknown-setting.conf",
	    "14: unknown setting 'keepalive_timout' in agency 1 (line 10)" },
	{ "bad-missing-operator-id.conf", "2: operator: missing required setting 'id'" },
	{ "bad-long-operator-id.conf", "3: operator: 'id' must be 1 to 16 characters long" },
	{ "bad-country.conf", "4: operator: 'country' must be two upper-case letters "
	    "(ISO 3166-1 alpha-2)" },
	{ "bad-prefix.conf",
	    "26: warrant 1 (line 18): target 3: not a valid IPv4/IPv6 prefix" },
	{ "bad-host-bits.conf",
	    "32: warrant 2 (line 27): target 1: host bits set in target prefix" },
	{ "bad-duplicate-liid.conf",
	    "28: warrant 2 (line 27): 'liid' is already used by warrant 1 (line 18)" },
	{ "bad-unknown-agency.conf",
	    "29: warrant 2 (line 27): 'agency' names no agency defined in 'agencies'" },
	{ "bad-end-before-start.conf", "24: warrant 1 (line 18): 'end' must be after 'start'" },
	{ "bad-time.conf", "23: warrant 1 (line 18): 'start' must be a UTC time such as "
	    "\"2026-11-01T00:00:00Z\"" },
	{ "bad-endpoint.conf", "13: agency 1 (line 10): 'hi3' must be an address and port "
	    "such as \"192.0.2.1:40002\" or \"[2001:db8::1]:40002\"" },
	{ "bad-rx-queues-zero.conf", "7: port 1 (line 7): 'rx_queues' must be 1..64" },
	{ "bad-content.conf",
	    "31: warrant 2 (line 27): 'content' must be \"iri\", \"cc\" or \"both\"" },
	{ "bad-big-cin.conf", "30: integer does not fit in 32 bits and libconfig would "
	    "truncate it; add an L suffix (e.g. 4294967295L)" },
	{ "bad-include.conf",
	    "9: @include is not supported; keep the configuration in one file" },
	{ "bad-prefix-zero.conf",
	    "32: warrant 2 (line 27): target 1: prefix length 0 would match all traffic" },
	{ "bad-missing-operator.conf", "1: missing required group 'operator'" },
	{ "bad-duplicate-agency.conf",
	    "16: agency 2 (line 16): 'id' is already used by agency 1 (line 10)" },
	{ "bad-no-targets.conf",
	    "32: warrant 2 (line 27): 'targets' must list at least one prefix" },
	{ "bad-unknown-top.conf", "9: unknown setting 'warrant' at the top level" },
	{ "bad-reconnect-float.conf",
	    "9: delivery: 'reconnect_interval' must be 0.01 to 3600 seconds" },
	{ "bad-long-liid.conf", "19: warrant 1 (line 18): 'liid' must be 1 to 25 octets" },
	{ "bad-duplicate-device.conf",
	    "7: port 2 (line 7): 'device' is already used by port 1 (line 7)" },
	{ "bad-target-not-string.conf", "32: warrant 2 (line 27): target 1 must be a string" },
};

static void
load_golden_bad(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		struct lt_config cfg;
		char err[8192], want[8192];

		snprintf(want, sizeof(want), "%s:%s", cfgpath(golden[i].file), golden[i].msg);
		memset(&cfg, 0xa5, sizeof(cfg));
		assert_int_equal(lt_config_load(cfgpath(golden[i].file), &cfg, err,
		    sizeof(err)), -1);
		assert_string_equal(err, want);
		/* a failed load leaves nothing to free */
		assert_null(cfg.warrants);
		assert_null(cfg.targets);
		assert_null(cfg.eal_argv);
		assert_null(cfg.agencies);
		assert_int_equal(cfg.nwarrants, 0);
		lt_config_free(&cfg);
	}
}

/* No error message may quote a LIID or a target. */
static void
errors_name_no_target(void **state)
{
	static const char *const secret[] = { "LIID-1", "LIID-2", "203.0.113",
	    "198.51.100", "2001:db8:7", "polize", "police" };
	(void)state;

	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		struct lt_config cfg;
		char err[512];

		assert_int_equal(lt_config_load(cfgpath(golden[i].file), &cfg, err,
		    sizeof(err)), -1);
		for (size_t k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
			if (strstr(err, secret[k]) != NULL)
				fail_msg("%s quotes a target: %s", golden[i].file, err);
	}
}

static void
load_missing_file_and_short_err(void **state)
{
	struct lt_config cfg;
	char err[512], small[8];
	(void)state;

	assert_int_equal(lt_config_load("/nonexistent/lawtap.conf", &cfg, err,
	    sizeof(err)), -1);
	assert_string_equal(err,
	    "/nonexistent/lawtap.conf: cannot open: No such file or directory");
	assert_int_equal(lt_config_load(configs_dir, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": not a regular file"));

	/* the message is truncated, never overrun */
	memset(small, 'x', sizeof(small));
	assert_int_equal(lt_config_load(cfgpath("bad-syntax.conf"), &cfg, small,
	    sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* Runs check-config with stdout and stderr caught; returns the exit status. */
static int
run_check(const char *path, char *out, size_t outlen, char *errout, size_t errlen)
{
	char *argv[] = { "check-config", "-c", (char *)path, NULL };
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so, se, rc;
	size_t n;

	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = cmd_check_config(path != NULL ? 3 : 1, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);

	rewind(fo);
	n = fread(out, 1, outlen - 1, fo);
	out[n] = '\0';
	rewind(fe);
	n = fread(errout, 1, errlen - 1, fe);
	errout[n] = '\0';
	fclose(fo);
	fclose(fe);
	return rc;
}

static void
check_config_cmd(void **state)
{
	char out[1024], err[1024], want[8192];
	(void)state;

	assert_int_equal(run_check(shipped_conf, out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want),
	    "%s: OK: 2 ports, 3 agencies, 7 warrants (8 targets)\n", shipped_conf);
	assert_string_equal(out, want);
	assert_string_equal(err, "");

	assert_int_equal(run_check(cfgpath("minimal.conf"), out, sizeof(out), err,
	    sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s: OK: 0 ports, 1 agency, 1 warrant (1 target)\n",
	    cfgpath("minimal.conf"));
	assert_string_equal(out, want);

	assert_int_equal(run_check(cfgpath("bad-host-bits.conf"), out, sizeof(out), err,
	    sizeof(err)), 1);
	assert_string_equal(out, "");
	snprintf(want, sizeof(want), "%s:32: warrant 2 (line 27): target 1: host bits "
	    "set in target prefix\n", cfgpath("bad-host-bits.conf"));
	assert_string_equal(err, want);

	assert_int_equal(run_check(NULL, out, sizeof(out), err, sizeof(err)), 2);
	assert_string_equal(err, "usage: lawtap check-config -c FILE\n");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_good),
		cmocka_unit_test(load_defaults),
		cmocka_unit_test(load_golden_bad),
		cmocka_unit_test(errors_name_no_target),
		cmocka_unit_test(load_missing_file_and_short_err),
		cmocka_unit_test(check_config_cmd),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIGS_DIR LAWTAP_CONF\n", argv[0]);
		return 2;
	}
	configs_dir = argv[1];
	shipped_conf = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
