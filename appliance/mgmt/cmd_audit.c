/* cmd_audit.c - `lawtap audit verify|show [--state DIR]`: check and print the audit log. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "mgmt/audit.h"

#define STATE_DEFAULT	"/var/lib/lawtap"
#define MACHINE_KEY	"machine.key"
#define APPLIANCE_PUB	"appliance.pub"

static int
usage(void)
{
	fprintf(stderr, "usage: lawtap audit verify [--state DIR]\n"
	    "       lawtap audit show [--state DIR]\n");
	return 2;
}

/* The audit key from DIR/machine.key (exactly 32 bytes, no group/other access). */
static int
load_audit_key(const char *dir, uint8_t *key)
{
	char path[4096];
	struct stat st;
	uint8_t *mk;
	ssize_t n;
	int fd, rc = -1;

	snprintf(path, sizeof(path), "%s/" MACHINE_KEY, dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		fprintf(stderr, "lawtap: cannot open %s: %s (the audit key comes "
		    "from it: run as root)\n", path, strerror(errno));
		return -1;
	}
	if ((mk = sodium_malloc(33)) == NULL) {
		fprintf(stderr, "lawtap: out of memory\n");
		close(fd);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
		fprintf(stderr, "lawtap: %s must be a regular file readable by its "
		    "owner only\n", path);
	else if ((n = read(fd, mk, 33)) != 32)
		fprintf(stderr, "lawtap: %s does not hold a 32-byte machine key\n",
		    path);
	else if (lt_audit_key_from_machine(mk, key) < 0)
		fprintf(stderr, "lawtap: libsodium failed to initialise\n");
	else
		rc = 0;
	close(fd);
	sodium_free(mk);
	return rc;
}

/* The Ed25519 public key from DIR/appliance.pub ({"sign": "<hex>", ...}). */
static int
load_sign_pk(const char *dir, uint8_t pk[static LT_AUDIT_PK_LEN])
{
	char path[4096];
	json_error_t jerr;
	const char *hex;
	json_t *j;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/" APPLIANCE_PUB, dir);
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		fprintf(stderr, "lawtap: cannot read %s: %s (checkpoint signatures "
		    "are checked with its \"sign\" key)\n", path, jerr.text);
		return -1;
	}
	hex = json_string_value(json_object_get(j, "sign"));
	if (hex == NULL || strlen(hex) != 2 * LT_AUDIT_PK_LEN ||
	    sodium_hex2bin(pk, LT_AUDIT_PK_LEN, hex, strlen(hex), NULL, NULL,
	    NULL) < 0)
		fprintf(stderr, "lawtap: %s has no \"sign\" key of 64 hex digits\n",
		    path);
	else
		rc = 0;
	json_decref(j);
	return rc;
}

static int
print_entry(void *arg, const struct lt_audit_entry *e)
{
	char t[32], *d;
	time_t tt = (time_t)e->time;
	struct tm tm;

	(void)arg;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(t, sizeof(t), "%" PRId64, e->time);
	if (strcmp(e->event, "checkpoint") == 0)
		d = strdup("(signed)");
	else
		d = json_dumps(e->detail, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
	printf("%6" PRIu64 "  %s  %-8s  %-16s %s\n", e->seq, t,
	    lt_audit_role_name(e->role), e->event, d != NULL ? d : "?");
	free(d);
	return 0;
}

static int
run(const char *dir, int show)
{
	struct lt_audit_sum s;
	uint8_t *key, pk[LT_AUDIT_PK_LEN];
	char msg[512];
	int r;

	if ((key = sodium_malloc(LT_AUDIT_KEY_LEN)) == NULL) {
		fprintf(stderr, "lawtap: out of memory\n");
		return 2;
	}
	if (load_audit_key(dir, key) < 0 || load_sign_pk(dir, pk) < 0) {
		sodium_free(key);
		return 2;
	}
	r = lt_audit_walk(dir, key, pk, show ? print_entry : NULL, NULL, &s, msg,
	    sizeof(msg));
	sodium_free(key);
	if (r < 0) {
		fprintf(stderr, "lawtap: %s\n", msg);
		return 2;
	}
	if (s.problem == LT_AUDIT_P_NONE) {
		printf("audit log OK: %" PRIu64 " entries", s.entries);
		if (s.entries > 0)
			printf(", last seq %" PRIu64, s.last_seq);
		printf(", %" PRIu64 " checkpoint signatures verified", s.checkpoints);
		if (s.acked_torn > 0)
			printf(", %" PRIu64 " crash(es) acknowledged by the officer",
			    s.acked_torn);
		printf("\n");
		return fflush(stdout) == 0 ? 0 : 2;
	}
	printf("audit log NOT OK at seq %" PRIu64 " (%s): %s\n", s.first_bad_seq,
	    lt_audit_problem_name(s.problem), msg);
	printf("%" PRIu64 " entries verified before it\n", s.entries);
	fflush(stdout);
	return 1;
}

int
cmd_audit(int argc, char **argv)
{
	const char *dir = STATE_DEFAULT;
	struct rlimit no_core = { 0, 0 };
	int show;

	if (argc != 2 && argc != 4)
		return usage();
	if (strcmp(argv[1], "verify") == 0)
		show = 0;
	else if (strcmp(argv[1], "show") == 0)
		show = 1;
	else
		return usage();
	if (argc == 4) {
		if (strcmp(argv[2], "--state") != 0)
			return usage();
		dir = argv[3];
	}
	/* the machine key passes through this process */
	if (prctl(PR_SET_DUMPABLE, 0) < 0 || setrlimit(RLIMIT_CORE, &no_core) < 0 ||
	    sodium_init() < 0) {
		fprintf(stderr, "lawtap: cannot make the process safe to hold keys\n");
		return 2;
	}
	return run(dir, show);
}
