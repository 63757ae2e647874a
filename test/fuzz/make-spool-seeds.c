/* make-spool-seeds.c - writes fuzz_spool's seed corpus: segments made by the spool itself, then damaged. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediate/spool.h"
#include "util/rmtree.h"

/* fuzz_spool.c's key */
static const uint8_t key[LT_SPOOL_KEY_LEN] = { 0x5e, 0xed };

static size_t
segment(uint8_t *out, size_t cap, int nrec)
{
	char dir[] = "/tmp/lt-seeds-XXXXXX", sub[64], path[128];
	struct lt_spool *sp;
	char err[256];
	uint8_t rec[300];
	ssize_t n;
	int fd;

	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(sub, sizeof(sub), "%s/s", dir);
	if (lt_spool_open(sub, 1u << 24, key, &sp, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	for (int i = 0; i < nrec; i++) {
		memset(rec, 'a' + i, sizeof(rec));
		if (lt_spool_append(sp, (uint32_t)i, rec, 48 + 64 * (size_t)i) != 0)
			exit(1);
	}
	lt_spool_close(sp);
	snprintf(path, sizeof(path), "%s/seg-0000000000000001", sub);
	if ((fd = open(path, O_RDONLY)) < 0 || (n = read(fd, out, cap)) <= 0)
		exit(1);
	close(fd);
	lt_rmtree(dir);
	return (size_t)n;
}

static void
seed(const char *dir, const char *name, uint8_t first, const uint8_t *seg, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fputc(first, f) == EOF ||
	    fwrite(seg, 1, n, f) != n || fclose(f) != 0)
		exit(1);
}

int
main(int argc, char **argv)
{
	static uint8_t seg[65536], tmp[65536];
	size_t n, first;

	if (argc != 2) {
		fprintf(stderr, "usage: make-spool-seeds CORPUS-DIR\n");
		return 2;
	}
	n = segment(seg, sizeof(seg), 2);
	seed(argv[1], "two-records-no-ack", 0xff, seg, n);
	n = segment(seg, sizeof(seg), 3);
	first = 48 + LT_SPOOL_OVERHEAD;		/* record 0's frame: 96 */
	seed(argv[1], "ack-at-start", 0, seg, n);
	/* the ack offset is the first byte times 16: frames of 96 + 64i land on it */
	seed(argv[1], "ack-after-first", (uint8_t)(first / 16), seg, n);
	memcpy(tmp, seg, n);
	tmp[first + 8 + 24 + 5] ^= 0x40;	/* inside record 1's sealed payload */
	seed(argv[1], "flipped-second", 0xff, tmp, n);
	seed(argv[1], "torn-tail", 0xff, seg, n - 7);
	return 0;
}
