/* test_store.c - a store rotated by size and time verifies; each kind of tampering is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "evidence/manifest.h"
#include "edits.h"
#include "evtest.h"

static char *keydir, *base;
static uint8_t *sk, pk[EV_PK_LEN];

#define F(n)	"w7-00000" #n ".pcap"

/*
 * 100-byte packets, 3 per file by size (24 + 3 * 116 = 372), files at most
 * 10 s of packet time: 1000..1002 | 1003..1005 | 1006 (closed by age) |
 * 1020, 1021.
 */
static void
fill(const char *dir)
{
	struct ev_store_conf c = { .dir = dir, .prefix = "w7",
		.linktype = EV_LINKTYPE_RAW, .max_bytes = 372, .max_age = 10 };
	struct ev_store *s;
	uint8_t pkt[100];
	char err[256];
	unsigned t;

	assert_int_equal(ev_store_open(&s, &c, sk, err, sizeof(err)), 0);
	for (t = 0; t < 7; t++) {
		memset(pkt, (int)t, sizeof(pkt));
		assert_int_equal(ev_store_write(s, 1000 + t, t, pkt, 100, 100), 0);
	}
	assert_int_equal(ev_store_write(s, 1020, 5, pkt, 100, 1500), 0);
	assert_int_equal(ev_store_next_seq(s), 4);
	assert_int_equal(ev_store_tick(s, 1021), 0);	/* not 10 s yet */
	assert_int_equal(ev_store_write(s, 1021, 999999, pkt, 100, 100), 0);
	assert_int_equal(ev_store_close(s), 0);
}

static int
setup(void **state)
{
	char err[256], hex[2 * EV_PK_LEN + 1];

	(void)state;
	keydir = mkdtemp_dup();
	base = mkdtemp_dup();
	if (ev_key_generate(keydir, hex, err, sizeof(err)) < 0 ||
	    ev_key_load_secret(path_in(keydir, EV_KEY_SECRET), &sk, err,
	    sizeof(err)) < 0 ||
	    ev_key_load_public(path_in(keydir, EV_KEY_PUBLIC), pk, err,
	    sizeof(err)) < 0)
		return -1;
	fill(base);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ev_key_free(sk);
	rmtree(keydir);
	rmtree(base);
	free(keydir);
	free(base);
	return 0;
}

static void
test_verify_ok(void **state)
{
	struct ev_verify_sum s;
	struct problems pr;

	(void)state;
	assert_int_equal(verify_dir(base, pk, &pr, &s), EV_VERIFY_OK);
	assert_int_equal(pr.total, 0);
	assert_int_equal(s.files, 4);
	assert_int_equal(s.packets, 9);
	assert_int_equal(s.bytes, 372 + 372 + 140 + 256);
	assert_int_equal(s.first_seq, 1);
	assert_int_equal(s.last_seq, 4);
	assert_int_equal(s.first_sec, 1000);
	assert_int_equal(s.first_usec, 0);
	assert_int_equal(s.last_sec, 1021);
	assert_int_equal(s.last_usec, 999999);
	assert_int_equal(file_size(path_in(base, F(3))), 140);
	assert_int_equal(file_size(path_in(base, EV_KEY_PUBLIC)), 65);
}

/* Verifies a damaged copy: want rc, n problems of kind p and a message part. */
static void
expect(const char *dir, int rc, enum ev_problem p, unsigned n, const char *part)
{
	struct problems pr;

	assert_int_equal(verify_dir(dir, pk, &pr, NULL), rc);
	assert_int_equal(pr.n[p], n);
	if (part != NULL && strstr(pr.last[p], part) == NULL)
		fail_msg("'%s' not in '%s'", part, pr.last[p]);
}

static void
test_changed_file(void **state)
{
	char *d = copy_store(base);
	FILE *f = fopen(path_in(d, F(2)), "r+");

	(void)state;
	fseek(f, 100, SEEK_SET);
	fputc(0x55, f);
	fclose(f);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHANGED, 1,
	    F(2) " (seq 2) changed: 372 bytes (listed 372), SHA-256 differs");
	truncate(path_in(d, F(3)), 139);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHANGED, 2, "139 bytes (listed 140)");
	rmtree(d);
	free(d);
}

static void
test_missing_extra(void **state)
{
	char *d = copy_store(base);
	struct problems pr;

	(void)state;
	unlink(path_in(d, F(3)));
	expect(d, EV_VERIFY_TAMPERED, EV_P_MISSING, 1, F(3) " (seq 3) is missing");
	run("echo x > '%s'%s", path_in(d, "w7-000005.pcap"), "");
	run("cp '%s' '%s'", path_in(d, F(1)), path_in(d, "copy.pcap"));
	assert_int_equal(verify_dir(d, pk, &pr, NULL), EV_VERIFY_TAMPERED);
	assert_int_equal(pr.n[EV_P_EXTRA], 2);
	assert_int_equal(pr.total, 3);
	assert_non_null(strstr(pr.last[EV_P_EXTRA],
	    "w7-000005.pcap is not in the manifest"));
	rmtree(d);
	free(d);
}

static void
test_reordered_renamed(void **state)
{
	char *d = copy_store(base);
	struct problems pr;

	(void)state;
	rename(path_in(d, F(1)), path_in(d, "x"));
	rename(path_in(d, F(2)), path_in(d, F(1)));
	rename(path_in(d, "x"), path_in(d, F(2)));
	assert_int_equal(verify_dir(d, pk, &pr, NULL), EV_VERIFY_TAMPERED);
	assert_int_equal(pr.n[EV_P_MOVED], 2);
	assert_int_equal(pr.total, 2);
	assert_string_equal(pr.last[EV_P_MOVED], F(2) " (seq 2) holds the "
	    "content listed for seq 1 (" F(1) "): files reordered or renamed");
	rmtree(d);
	free(d);

	d = copy_store(base);
	rename(path_in(d, F(4)), path_in(d, "evidence-4.pcap"));
	expect(d, EV_VERIFY_TAMPERED, EV_P_MOVED, 1, F(4) " (seq 4) is missing; "
	    "its content is in evidence-4.pcap: renamed");
	expect(d, EV_VERIFY_TAMPERED, EV_P_EXTRA, 0, NULL);
	rmtree(d);
	free(d);
}

/* Applies edit to the manifest lines of a copy; returns the copy. */
static char *
edit(void (*fn)(char **v, size_t *n))
{
	char *d = copy_store(base);
	size_t n;
	char **v = read_lines(d, &n);

	assert_int_equal(n, 9);
	fn(v, &n);
	write_lines(d, v, n);
	free_lines(v, n);
	return d;
}

static void
test_manifest_edits(void **state)
{
	char *d;

	(void)state;
	d = edit(e_packets);
	expect(d, EV_VERIFY_TAMPERED, EV_P_EDITED, 1, "manifest line 2 (seq 1): "
	    "its fields do not give its hash: the line was edited");
	expect(d, EV_VERIFY_TAMPERED, EV_P_SIG_BAD, 0, NULL);
	rmtree(d), free(d);

	d = edit(e_rehash);
	expect(d, EV_VERIFY_TAMPERED, EV_P_SIG_BAD, 1, "manifest line 5: "
	    "signature is for seq 2 with another hash");
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHAIN, 1, "manifest line 6 (seq 3): "
	    "chain break");
	rmtree(d), free(d);

	d = edit(e_remove);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHAIN, 1, "manifest line 4 (seq 3)");
	expect(d, EV_VERIFY_TAMPERED, EV_P_EXTRA, 1, F(2) " is not in the manifest");
	rmtree(d), free(d);

	d = edit(e_insert);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHAIN, 1, "manifest line 6 (seq 2)");
	expect(d, EV_VERIFY_TAMPERED, EV_P_SEQ, 1, "seq 2 after seq 2");
	expect(d, EV_VERIFY_TAMPERED, EV_P_DUPNAME, 1, F(2) " is listed twice");
	rmtree(d), free(d);

	d = edit(e_swap);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHAIN, 3, NULL);
	expect(d, EV_VERIFY_TAMPERED, EV_P_SEQ, 1, "seq 2 after seq 3: entries "
	    "out of order");
	rmtree(d), free(d);

	d = edit(e_nosig);
	expect(d, EV_VERIFY_TAMPERED, EV_P_SIG_MISSING, 1, "manifest line 4 "
	    "(seq 2): no signature line after it");
	rmtree(d), free(d);

	d = edit(e_badsig);
	expect(d, EV_VERIFY_TAMPERED, EV_P_SIG_BAD, 1, "manifest line 7 (seq 3): "
	    "bad signature");
	rmtree(d), free(d);

	d = edit(e_header);
	expect(d, EV_VERIFY_TAMPERED, EV_P_CHAIN, 1, "manifest line 2 (seq 1)");
	rmtree(d), free(d);

	d = edit(e_garbage);
	expect(d, EV_VERIFY_TAMPERED, EV_P_SYNTAX, 1, "manifest line 6: a field is "
	    "missing");
	rmtree(d), free(d);
}

static void
test_wrong_key(void **state)
{
	uint8_t other[EV_PK_LEN], osk[EV_SK_LEN];
	struct problems pr;

	(void)state;
	crypto_sign_keypair(other, osk);
	assert_int_equal(verify_dir(base, other, &pr, NULL), EV_VERIFY_TAMPERED);
	assert_int_equal(pr.n[EV_P_SIG_BAD], 4);
	assert_int_equal(pr.total, 4);
}

static void
test_crash_remnants(void **state)
{
	char *d = copy_store(base);
	off_t len = file_size(path_in(d, EV_MANIFEST));
	struct problems pr;

	(void)state;
	/* as a crash while appending entry 4 leaves it: cut line, file not renamed */
	truncate(path_in(d, EV_MANIFEST), len - 50);
	rename(path_in(d, F(4)), path_in(d, "." F(4) ".tmp"));
	assert_int_equal(verify_dir(d, pk, &pr, NULL), EV_VERIFY_CRASHED);
	assert_int_equal(pr.n[EV_P_TRUNCATED], 2);
	assert_non_null(strstr(pr.last[EV_P_TRUNCATED], "entry seq 4 (line 8) lost "
	    "its signature to that crash"));
	assert_int_equal(pr.n[EV_P_UNFINISHED], 1);
	assert_int_equal(pr.total, 3);
	/* the same cut with the file in place is not a crash's doing */
	rename(path_in(d, "." F(4) ".tmp"), path_in(d, F(4)));
	expect(d, EV_VERIFY_TAMPERED, EV_P_EXTRA, 1, NULL);
	rmtree(d), free(d);

	d = copy_store(base);
	rename(path_in(d, F(4)), path_in(d, "." F(4) ".tmp"));
	expect(d, EV_VERIFY_CRASHED, EV_P_PENDING, 1, F(4) " (seq 4) is listed "
	    "and whole but still under its temp name");
	rename(path_in(d, F(3)), path_in(d, "." F(3) ".tmp"));
	expect(d, EV_VERIFY_TAMPERED, EV_P_MOVED, 1, F(3) " (seq 3) is missing; "
	    "its content is in ." F(3) ".tmp: renamed");
	rmtree(d), free(d);
}

static void
test_resume_refuses_tampered(void **state)
{
	struct ev_store_conf c = { .prefix = "w7", .linktype = EV_LINKTYPE_RAW };
	struct ev_store *s;
	char *d = edit(e_packets), err[256];

	(void)state;
	c.dir = d;
	assert_int_equal(ev_store_open(&s, &c, sk, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the line was edited"));
	assert_non_null(strstr(err, "run lawtap evidence verify"));
	rmtree(d), free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_ok),
		cmocka_unit_test(test_changed_file),
		cmocka_unit_test(test_missing_extra),
		cmocka_unit_test(test_reordered_renamed),
		cmocka_unit_test(test_manifest_edits),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_crash_remnants),
		cmocka_unit_test(test_resume_refuses_tampered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
