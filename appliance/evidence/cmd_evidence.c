/* cmd_evidence.c - `lawtap evidence keygen DIR` and `lawtap evidence verify DIR [--key PUBKEY]`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cmd.h"
#include "evidence/evkey.h"
#include "evidence/verify.h"
#include "util/log.h"

static int
usage(void)
{
	fprintf(stderr, "usage: lawtap evidence keygen DIR\n"
	    "       lawtap evidence verify DIR [--key PUBKEY]\n");
	return 2;
}

static void
print_problem(void *arg, enum ev_problem p, const char *msg)
{
	(void)arg;
	printf("%s: %s\n", ev_problem_name(p), msg);
}

static void
print_time(const char *label, uint64_t sec, uint32_t usec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sec);
	printf("%s %s.%06uZ\n", label, buf, (unsigned)usec);
}

static int
verify(const char *dir, const char *keyfile)
{
	struct ev_chain_cb cb = { NULL, print_problem, NULL };
	struct ev_verify_sum s;
	uint8_t pk[EV_PK_LEN];
	char path[4096], err[512], hex[2 * EV_HASH_LEN + 1];
	int rc;

	if (keyfile == NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, EV_KEY_PUBLIC);
		keyfile = path;
	}
	if (ev_key_load_public(keyfile, pk, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 2;
	}
	rc = ev_verify(dir, pk, &cb, &s, err, sizeof(err));
	if (rc < 0) {
		log_err("%s", err);
		return 2;
	}
	sodium_bin2hex(hex, sizeof(hex), pk, EV_PK_LEN);
	printf("key %s%s\n", hex, keyfile == path ? " (from the store itself: "
	    "compare it with the appliance's; --key to give it)" : "");
	printf("files %llu, bytes %llu, packets %llu\n",
	    (unsigned long long)s.files, (unsigned long long)s.bytes,
	    (unsigned long long)s.packets);
	if (s.files > 0) {
		printf("seq %llu..%llu\n", (unsigned long long)s.first_seq,
		    (unsigned long long)s.last_seq);
		if (s.packets > 0) {
			print_time("first", s.first_sec, s.first_usec);
			print_time("last ", s.last_sec, s.last_usec);
		}
		sodium_bin2hex(hex, sizeof(hex), s.last_hash, EV_HASH_LEN);
		printf("last entry hash %s\n", hex);
	}
	if (rc == EV_VERIFY_OK)
		printf("OK\n");
	else if (rc == EV_VERIFY_CRASHED)
		printf("NOT OK: %u problem(s), all left by a writer that stopped "
		    "mid-way (crash), none by tampering\n", s.problems);
	else
		printf("NOT OK: %u problem(s), %u of them from a crash\n",
		    s.problems, s.crash_problems);
	return rc;
}

int
cmd_evidence(int argc, char **argv)
{
	char err[512], pk[2 * EV_PK_LEN + 1];

	if (argc == 3 && strcmp(argv[1], "keygen") == 0) {
		if (ev_key_generate(argv[2], pk, err, sizeof(err)) < 0) {
			log_err("%s", err);
			return 1;
		}
		printf("public key %s\n", pk);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], NULL);
	if (argc == 5 && strcmp(argv[1], "verify") == 0 &&
	    strcmp(argv[3], "--key") == 0)
		return verify(argv[2], argv[4]);
	return usage();
}
