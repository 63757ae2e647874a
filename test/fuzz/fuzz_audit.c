/*
 * fuzz_audit.c - the audit log reader on arbitrary bytes: the line parser on
 * the first line, and the whole verifier on the input as audit.log.  The key
 * is the one the seeds were written with (bytes 0..31), so mutations of a
 * valid log reach the chain, checkpoint and torn-ack logic.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/audit.h"
#include "fuzz.h"

static char dir[64], logpath[96];
static uint8_t key[LT_AUDIT_KEY_LEN], pk[32];

static void
remove_tmp(void)
{
	unlink(logpath);
	rmdir(dir);
}

static void
init(void)
{
	uint8_t sk[64], seed[32];

	FUZZ_CHECK(sodium_init() >= 0);
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
		seed[i] = (uint8_t)(0xa0 + i);
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	strcpy(dir, "/tmp/fuzz-audit-XXXXXX");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(logpath, sizeof(logpath), "%s/" LT_AUDIT_LOG, dir);
	atexit(remove_tmp);
}

static void
one_line(const uint8_t *data, size_t len)
{
	static const uint8_t zero[LT_AUDIT_MAC_LEN];
	const char *nl = memchr(data, '\n', len), *why = NULL;
	size_t n = nl != NULL ? (size_t)(nl - (const char *)data) : len;
	struct lt_audit_entry e, e2;
	uint8_t mac[LT_AUDIT_MAC_LEN], mac2[LT_AUDIT_MAC_LEN];

	if (lt_audit_parse_line((const char *)data, n, &e, key, zero, mac, &why) < 0) {
		FUZZ_CHECK(why != NULL && e.detail == NULL);
		return;
	}
	FUZZ_CHECK(n <= LT_AUDIT_LINE_MAX);
	FUZZ_CHECK(json_is_object(e.detail));
	FUZZ_CHECK(e.event[0] != '\0' && strlen(e.event) <= 32);
	FUZZ_CHECK((unsigned)e.role <= LT_AUDIT_DAEMON);
	/* canonical: the same bytes always give the same entry and mac */
	FUZZ_CHECK(lt_audit_parse_line((const char *)data, n, &e2, key, zero, mac2,
	    &why) == 0);
	FUZZ_CHECK(e2.seq == e.seq && e2.time == e.time && memcmp(mac, mac2,
	    sizeof(mac)) == 0 && json_equal(e.detail, e2.detail));
	json_decref(e.detail);
	json_decref(e2.detail);
}

static void
whole_log(const uint8_t *data, size_t len)
{
	struct lt_audit_sum s;
	char msg[512];
	size_t lines = 0;
	FILE *f;

	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	FUZZ_CHECK((f = fopen(logpath, "wb")) != NULL);
	FUZZ_CHECK(fwrite(data, 1, len, f) == len);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(lt_audit_verify(dir, key, pk, &s, msg, sizeof(msg)) == 0);
	FUZZ_CHECK(s.entries <= lines);
	/* seqs run 0..n-1 (an acknowledged torn line takes none) */
	FUZZ_CHECK(s.entries == 0 || s.last_seq + 1 == s.entries);
	FUZZ_CHECK(s.checkpoints <= s.entries);
	if (s.problem == LT_AUDIT_P_TORN)
		FUZZ_CHECK(len > 0 && data[len - 1] != '\n');
	/* no audit.head is there: a log with entries can never pass */
	FUZZ_CHECK(s.problem != LT_AUDIT_P_NONE || len == 0);
	FUZZ_CHECK(s.problem == LT_AUDIT_P_NONE || msg[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (dir[0] == '\0')
		init();
	one_line(data, len);
	whole_log(data, len);
	return 0;
}
