/* evtest.h - what the evidence tests share: temp dirs, keys, a store with known files, manifest edits. */
#ifndef LT_TEST_EVTEST_H
#define LT_TEST_EVTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/evkey.h"
#include "evidence/pcapw.h"
#include "evidence/store.h"
#include "evidence/verify.h"

struct problems {
	unsigned n[EV_NPROBLEM];
	unsigned total;
	char last[EV_NPROBLEM][512];
};

static void
ev_collect(void *arg, enum ev_problem p, const char *msg)
{
	struct problems *pr = arg;

	pr->n[p]++;
	pr->total++;
	snprintf(pr->last[p], sizeof(pr->last[p]), "%s", msg);
	if (getenv("EV_TEST_VERBOSE") != NULL)
		fprintf(stderr, "  %s: %s\n", ev_problem_name(p), msg);
}

static inline char *
mkdtemp_dup(void)
{
	char t[] = "/tmp/lt-evidence-XXXXXX";

	assert_non_null(mkdtemp(t));
	return strdup(t);
}

static inline void
run(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	assert_int_equal(system(cmd), 0);
}

static inline void
rmtree(const char *d)
{
	run("rm -rf -- '%s'%s", d, "");
}

/* A copy of dir in a new temp dir. */
static inline char *
copy_store(const char *dir)
{
	char *d = mkdtemp_dup();

	run("cp -a -- '%s/.' '%s/'", dir, d);
	return d;
}

static inline char *
path_in(const char *dir, const char *name)
{
	static char p[3][4096];
	static int i;

	i = (i + 1) % 3;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* Runs ev_verify on dir with pk; returns its result, problems in pr. */
static inline int
verify_dir(const char *dir, const uint8_t pk[EV_PK_LEN], struct problems *pr,
    struct ev_verify_sum *sum)
{
	struct ev_chain_cb cb = { NULL, ev_collect, pr };
	struct ev_verify_sum s;
	char err[256];

	memset(pr, 0, sizeof(*pr));
	return ev_verify(dir, pk, &cb, sum ? sum : &s, err, sizeof(err));
}

/* The manifest as a NULL-terminated array of lines (without '\n'). */
static inline char **
read_lines(const char *dir, size_t *n)
{
	FILE *f = fopen(path_in(dir, EV_MANIFEST), "r");
	char **v = calloc(4096, sizeof(*v)), line[1024];

	assert_non_null(f);
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

static inline void
write_lines(const char *dir, char **v, size_t n)
{
	FILE *f = fopen(path_in(dir, EV_MANIFEST), "w");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			fprintf(f, "%s\n", v[i]);
	fclose(f);
}

static inline void
free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static inline off_t
file_size(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	return st.st_size;
}

#endif
