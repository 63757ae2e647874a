/* seeds.h - lets a unit test save its valid packets as seeds: test_x --seeds DIR. */
#ifndef LT_TEST_SEEDS_H
#define LT_TEST_SEEDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *seed_dir;

static inline void
seed_save(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *fp;

	if (seed_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(p, 1, n, fp) != n) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	fclose(fp);
}

static inline void
seed_args(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		seed_dir = argv[2];
}

/* A copy of exactly n octets, so that ASan sees a read past the end. */
static inline uint8_t *
exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (c == NULL)
		abort();
	memcpy(c, p, n);
	return c;
}

#endif
