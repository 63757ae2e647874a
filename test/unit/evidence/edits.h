/* edits.h - the manifest edits test_store.c makes: each the work of someone without the key. */
#ifndef LT_TEST_EV_EDITS_H
#define LT_TEST_EV_EDITS_H

#include <stdlib.h>
#include <string.h>

#include "evidence/manifest.h"

/*
 * Each takes the 9 lines of the test store (header, then F and S for seq
 * 1..4) and may free, replace or add lines; *n is the new count.
 */
static void
e_packets(char **v, size_t *n)
{
	char *p = strstr(v[1], "packets=3");

	(void)n;
	p[8] = '4';
}

/* An editor who also recomputes the line's hash: the signature gives it away. */
static void
e_rehash(char **v, size_t *n)
{
	struct ev_line l;
	char buf[EV_LINE_MAX];

	(void)n;
	assert_int_equal(ev_line_parse(v[3], strlen(v[3]), &l, NULL), 0);
	l.u.f.packets = 2;
	ev_entry_format(&l.u.f, buf);
	buf[strcspn(buf, "\n")] = '\0';
	free(v[3]);
	v[3] = strdup(buf);
}

static void
e_remove(char **v, size_t *n)
{
	(void)n;
	free(v[3]), v[3] = NULL;
	free(v[4]), v[4] = NULL;
}

static void
e_insert(char **v, size_t *n)
{
	memmove(v + 5, v + 3, 6 * sizeof(*v));
	v[3] = strdup(v[5]);
	v[4] = strdup(v[6]);
	*n = 11;
}

static void
e_swap(char **v, size_t *n)
{
	char *a = v[3], *b = v[4];

	(void)n;
	v[3] = v[5], v[4] = v[6];
	v[5] = a, v[6] = b;
}

static void
e_nosig(char **v, size_t *n)
{
	(void)n;
	free(v[4]), v[4] = NULL;
}

static void
e_badsig(char **v, size_t *n)
{
	char *p = strstr(v[6], "ed25519=") + 20;

	(void)n;
	*p = *p == '0' ? '1' : '0';
}

static void
e_header(char **v, size_t *n)
{
	char *p = strstr(v[0], "store=") + 6;

	(void)n;
	*p = *p == '0' ? '1' : '0';
}

static void
e_garbage(char **v, size_t *n)
{
	(void)n;
	free(v[5]);
	v[5] = strdup("F seq=3 file=w7-000003.pcap");
}

#endif
