/* test_format.c - the pcap bytes, the manifest line format and its parser on malformed lines, the key files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>

#include "evidence/evfile.h"
#include "evidence/manifest.h"
#include "evtest.h"

static void
test_pcap_bytes(void **state)
{
	static const uint8_t want[] = {
		0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00,	/* magic, 2.4 */
		0, 0, 0, 0, 0, 0, 0, 0,				/* zone, sigfigs */
		0x03, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00,	/* snaplen 3, raw */
		0x04, 0x03, 0x02, 0x01, 0x3f, 0x42, 0x0f, 0x00,	/* 0x01020304.999999 */
		0x03, 0x00, 0x00, 0x00, 0xdc, 0x05, 0x00, 0x00,	/* 3 of 1500 */
		0x45, 0x00, 0x05,
		0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 5.0 */
		0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,	/* 2 of 2 */
		0x60, 0x00,
	};
	static const uint8_t ip[] = { 0x45, 0x00, 0x05, 0xdc }, ip6[] = { 0x60, 0 };
	static struct ev_pcapw w;
	uint8_t sha[EV_HASH_LEN], want_sha[EV_HASH_LEN], got[sizeof(want) + 1];
	char *d = mkdtemp_dup(), err[256];
	int dfd = open(d, O_RDONLY | O_DIRECTORY), fd;

	(void)state;
	assert_int_equal(ev_pcapw_open(&w, dfd, "t-000001.pcap", EV_LINKTYPE_RAW,
	    3, err, sizeof(err)), 0);
	assert_int_equal(access(path_in(d, ".t-000001.pcap.tmp"), F_OK), 0);
	assert_int_equal(ev_pcapw_add(&w, 0x01020304, 999999, ip, 4, 1500, err,
	    sizeof(err)), 0);
	assert_int_equal(ev_pcapw_add(&w, 5, 0, ip6, 2, 0, err, sizeof(err)), 0);
	assert_int_equal(ev_pcapw_add(&w, 1ull << 32, 0, ip6, 2, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(ev_pcapw_add(&w, 1, 1000000, ip6, 2, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(w.size, sizeof(want));
	assert_int_equal(ev_pcapw_finish(&w, sha, err, sizeof(err)), 0);
	assert_int_equal(ev_pcapw_publish(&w, err, sizeof(err)), 0);
	fd = open(path_in(d, "t-000001.pcap"), O_RDONLY);
	assert_int_equal(read(fd, got, sizeof(got)), sizeof(want));
	close(fd);
	assert_memory_equal(got, want, sizeof(want));
	crypto_hash_sha256(want_sha, want, sizeof(want));
	assert_memory_equal(sha, want_sha, EV_HASH_LEN);
	assert_int_equal(file_size(path_in(d, "t-000001.pcap")), sizeof(want));
	/* never over an existing name, never a second temp */
	assert_int_equal(ev_pcapw_open(&w, dfd, "t-000001.pcap", EV_LINKTYPE_RAW,
	    3, err, sizeof(err)), 0);
	assert_int_equal(ev_pcapw_finish(&w, sha, err, sizeof(err)), 0);
	assert_int_equal(ev_pcapw_publish(&w, err, sizeof(err)), -1);
	assert_int_equal(ev_pcapw_open(&w, dfd, "t-000001.pcap", EV_LINKTYPE_RAW,
	    3, err, sizeof(err)), -1);
	assert_int_equal(ev_pcapw_open(&w, dfd, "../x", 1, 3, err, sizeof(err)), -1);
	close(dfd);
	rmtree(d), free(d);
}

static void
test_line_format(void **state)
{
	struct ev_entry e = { .seq = 12, .file = "w1-000012.pcap", .size = 1024,
		.packets = 7, .first_sec = 1700000000, .first_usec = 5,
		.last_sec = 1700000059, .last_usec = 999999 };
	static const char want[] = "F seq=12 file=w1-000012.pcap size=1024 "
	    "packets=7 first=1700000000.000005 last=1700000059.999999 sha256="
	    "abababababababababababababababababababababababababababababababab "
	    "prev=0101010101010101010101010101010101010101010101010101010101010101";
	char buf[EV_LINE_MAX], h[2 * EV_HASH_LEN + 1];
	uint8_t hash[EV_HASH_LEN], computed[EV_HASH_LEN];
	struct ev_line l;
	int n;

	(void)state;
	memset(e.sha256, 0xab, EV_HASH_LEN);
	memset(e.prev, 0x01, EV_HASH_LEN);
	n = ev_entry_format(&e, buf);
	assert_int_equal(n, sizeof(want) - 1 + 6 + 64 + 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	crypto_hash_sha256(hash, (const uint8_t *)want, sizeof(want) - 1);
	assert_memory_equal(e.hash, hash, EV_HASH_LEN);
	sodium_bin2hex(h, sizeof(h), hash, EV_HASH_LEN);
	assert_memory_equal(buf + sizeof(want) - 1, " hash=", 6);
	assert_memory_equal(buf + sizeof(want) + 5, h, 64);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(ev_line_parse(buf, (size_t)n - 1, &l, computed), 0);
	assert_int_equal(l.type, EV_LINE_FILE);
	assert_memory_equal(&l.u.f, &e, sizeof(e));
	assert_memory_equal(computed, hash, EV_HASH_LEN);
	strcpy(e.file, "a/b");
	assert_int_equal(ev_entry_format(&e, buf), -1);
}

static void
test_line_malformed(void **state)
{
	static const char good[] = "S seq=3 hash=" "0000000000000000000000000000"
	    "000000000000000000000000000000000000 ed25519=" "00000000000000000000"
	    "000000000000000000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000000000000000000000";
	static const struct {
		const char *line;
		int err;
	} bad[] = {
		{ "", EV_MF_E_TYPE },
		{ "X seq=1", EV_MF_E_TYPE },
		{ "lawtap-evidence v1 store=0011", EV_MF_E_HEX },
		{ "lawtap-evidence v1 store=00112233445566778899AABBCCDDEEFF",
		    EV_MF_E_HEX },
		{ "lawtap-evidence v1 store=00112233445566778899aabbccddeeff ",
		    EV_MF_E_TRAIL },
		{ "S seq=03 hash=", EV_MF_E_NUMBER },
		{ "S seq= hash=", EV_MF_E_NUMBER },
		{ "S seq=18446744073709551616 hash=", EV_MF_E_NUMBER },
		{ "S seq=1  hash=", EV_MF_E_FIELD },
		{ "S seq=1 sig=", EV_MF_E_FIELD },
		{ "F seq=1 file=.hidden size=", EV_MF_E_NAME },
		{ "F seq=1 file=a/b size=", EV_MF_E_NAME },
		{ "F seq=1 file= size=", EV_MF_E_NAME },
		{ "F seq=1 file=a size=1 packets=1 first=1.5 last=", EV_MF_E_TIME },
		{ "F seq=1 file=a size=1 packets=1 first=1.000000x", EV_MF_E_FIELD },
		{ "F seq=1 file=a size=1 packets=1 first=1.0000001 ", EV_MF_E_FIELD },
		{ "F seq=1 file=a size=1 packets=1 first=.000001 ", EV_MF_E_TIME },
		{ "F seq=1 file=a size=1 packets=1 first=1.000000 last=1.000000 "
		    "sha256=00", EV_MF_E_HEX },
	};
	char buf[EV_LINE_MAX + 8];
	struct ev_line l;
	size_t i;

	(void)state;
	assert_int_equal(ev_line_parse(good, sizeof(good) - 1, &l, NULL), 0);
	assert_int_equal(l.type, EV_LINE_SIG);
	assert_int_equal(l.u.s.seq, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ev_line_parse(bad[i].line, strlen(bad[i].line), &l, NULL);

		if (r != bad[i].err)
			fail_msg("'%s': %d, want %d", bad[i].line, r, bad[i].err);
	}
	/* every proper prefix of a good line is refused */
	for (i = 0; i < sizeof(good) - 1; i++)
		assert_true(ev_line_parse(good, i, &l, NULL) < 0);
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ev_line_parse(buf, EV_LINE_MAX, &l, NULL), EV_MF_E_LONG);
	assert_string_equal(ev_mf_strerror(EV_MF_E_TIME),
	    "a time is not seconds.microseconds (6 digits)");
}

static void
flip_digit(const char *path, long off)
{
	FILE *f = fopen(path, "r+");
	int c;

	assert_non_null(f);
	fseek(f, off, SEEK_SET);
	c = fgetc(f);
	fseek(f, off, SEEK_SET);
	fputc(c == '0' ? '1' : '0', f);
	fclose(f);
}

static void
test_keys(void **state)
{
	char *d = mkdtemp_dup(), err[256], hex[2 * EV_PK_LEN + 1], h2[65];
	uint8_t *sk, pk[EV_PK_LEN];
	struct stat st;

	(void)state;
	assert_int_equal(ev_key_generate(d, hex, err, sizeof(err)), 0);
	assert_int_equal(stat(path_in(d, EV_KEY_SECRET), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(path_in(d, EV_KEY_PUBLIC), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(ev_key_generate(d, hex, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not replaced"));
	assert_int_equal(ev_key_load_public(path_in(d, EV_KEY_PUBLIC), pk, err,
	    sizeof(err)), 0);
	sodium_bin2hex(h2, sizeof(h2), pk, EV_PK_LEN);
	assert_string_equal(h2, hex);
	assert_int_equal(ev_key_load_secret(path_in(d, EV_KEY_SECRET), &sk, err,
	    sizeof(err)), 0);
	ev_key_free(sk);
	chmod(path_in(d, EV_KEY_SECRET), 0640);
	assert_int_equal(ev_key_load_secret(path_in(d, EV_KEY_SECRET), &sk, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	assert_null(sk);
	chmod(path_in(d, EV_KEY_SECRET), 0600);
	/* a changed digit in the public half: the seed no longer gives it */
	flip_digit(path_in(d, EV_KEY_SECRET), 100);
	assert_int_equal(ev_key_load_secret(path_in(d, EV_KEY_SECRET), &sk, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "is damaged"));
	truncate(path_in(d, EV_KEY_PUBLIC), 60);
	assert_int_equal(ev_key_load_public(path_in(d, EV_KEY_PUBLIC), pk, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "is not 64 hex digits and a newline"));
	rmtree(d), free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_bytes),
		cmocka_unit_test(test_line_format),
		cmocka_unit_test(test_line_malformed),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
