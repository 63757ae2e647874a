/* fuzz_spool.c - the spool's check at open: the input is a segment file (after an ack position) as found on disk. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "mediate/spool.h"
#include "util/io.h"
#include "util/rmtree.h"

/* The key the seeds were made with (test/fuzz/make-spool-seeds.c). */
static const uint8_t key[LT_SPOOL_KEY_LEN] = { 0x5e, 0xed };

/*
 * First byte: the ack offset into the segment (times 16), or 0xff for no
 * ack file; the rest is seg-0000000000000001.  Whatever open keeps must
 * peek and acknowledge to the end, record by record, and open again clean.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char dir[64];
	struct lt_spool *sp;
	struct lt_spool_stats st, st2;
	const uint8_t *rec;
	uint8_t ack[24] = "LTSPACK1\1";
	char err[256], path[96];
	uint64_t n = 0;
	uint32_t sid;
	size_t rlen;
	int fd, r;

	if (len < 1 || len > (1u << 20))
		return 0;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-spool-XXXXXX");
		FUZZ_CHECK(mkdtemp(dir) != NULL);
		strcat(dir, "/s");
	}
	FUZZ_CHECK(lt_rmtree(dir) == 0 && mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/seg-0000000000000001", dir);
	FUZZ_CHECK((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	FUZZ_CHECK(lt_write_all(fd, data + 1, len - 1) == 0);
	close(fd);
	if (data[0] != 0xff) {
		ack[16] = (uint8_t)(data[0] << 4);
		ack[17] = data[0] >> 4;
		snprintf(path, sizeof(path), "%s/ack", dir);
		FUZZ_CHECK((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
		FUZZ_CHECK(lt_write_all(fd, ack, sizeof(ack)) == 0);
		close(fd);
	}

	FUZZ_CHECK(lt_spool_open(dir, 1u << 24, key, &sp, err, sizeof(err)) == 0);
	lt_spool_stats(sp, &st);
	FUZZ_CHECK(st.bytes + st.damaged_bytes <= len - 1);
	while ((r = lt_spool_peek(sp, &rec, &rlen, &sid)) == 1) {
		FUZZ_CHECK(rlen > 0 && rlen <= LT_SPOOL_REC_MAX);
		FUZZ_CHECK(lt_spool_ack(sp) == 0);
		n++;
	}
	FUZZ_CHECK(r == 0 && n == st.records);
	lt_spool_close(sp);

	FUZZ_CHECK(lt_spool_open(dir, 1u << 24, key, &sp, err, sizeof(err)) == 0);
	lt_spool_stats(sp, &st2);
	FUZZ_CHECK(st2.records == 0 && st2.damaged == 0 && st2.segments == 0);
	lt_spool_close(sp);
	return 0;
}
