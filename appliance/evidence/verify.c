/* verify.c - check an evidence store on disk: every file, the chain, every signature. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/evfile.h"
#include "evidence/evkey.h"
#include "evidence/pcapw.h"
#include "evidence/verify.h"

enum { V_OK, V_CHANGED, V_MISSING, V_PENDING, V_IO };

struct vent {
	struct ev_entry e;
	int state;
	uint64_t size;			/* what is on disk */
	uint8_t sha[EV_HASH_LEN];
	const char *found_as;		/* missing, but its content is here */
};

struct vfile {
	char *name;
	int listed, regular, err;
	uint64_t size;
	uint8_t sha[EV_HASH_LEN];
};

struct vctx {
	struct vent *v;
	size_t n, cap;
	struct vfile *f;
	size_t nf;
	int dirfd;
	const struct ev_chain_cb *cb;
	struct ev_verify_sum *sum;
};

static void __attribute__((format(printf, 3, 4)))
report(struct vctx *c, enum ev_problem p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->sum->problems++;
	if (ev_problem_crash(p))
		c->sum->crash_problems++;
	if (c->cb != NULL && c->cb->problem != NULL)
		c->cb->problem(c->cb->arg, p, msg);
}

static void
fwd_problem(void *arg, enum ev_problem p, const char *msg)
{
	report(arg, p, "%s", msg);
}

static int
collect(void *arg, const struct ev_entry *e, unsigned line)
{
	struct vctx *c = arg;
	struct vent *nv;

	(void)line;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		if ((nv = realloc(c->v, c->cap * sizeof(*nv))) == NULL)
			return -ENOMEM;
		c->v = nv;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n++].e = *e;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct vfile *)a)->name,
	    ((const struct vfile *)b)->name);
}

static struct vfile *
find(struct vctx *c, const char *name)
{
	struct vfile key = { .name = (char *)name };

	return c->nf ? bsearch(&key, c->f, c->nf, sizeof(*c->f), by_name) : NULL;
}

static int
list_dir(struct vctx *c)
{
	struct dirent *d;
	struct vfile *nf;
	size_t cap = 0;
	DIR *dir;
	int fd;

	if ((fd = dup(c->dirfd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(dir);
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, EV_MANIFEST) == 0 ||
		    strcmp(d->d_name, EV_KEY_PUBLIC) == 0 ||
		    strcmp(d->d_name, EV_KEY_SECRET) == 0)
			continue;
		if (c->nf == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nf = realloc(c->f, cap * sizeof(*nf))) == NULL)
				goto nomem;
			c->f = nf;
		}
		memset(&c->f[c->nf], 0, sizeof(c->f[c->nf]));
		if ((c->f[c->nf].name = strdup(d->d_name)) == NULL)
			goto nomem;
		c->nf++;
	}
	closedir(dir);
	if (c->nf > 0)
		qsort(c->f, c->nf, sizeof(*c->f), by_name);
	return 0;
nomem:
	closedir(dir);
	return -ENOMEM;
}

/* Hashes each listed file (or, for the last, its temp) on disk. */
static void
check_listed(struct vctx *c)
{
	char tmp[EV_NAME_MAX + 7];
	struct vfile *f;
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		struct vent *v = &c->v[i];

		if ((f = find(c, v->e.file)) != NULL)
			f->listed = 1;
		r = ev_hash_file(c->dirfd, v->e.file, &v->size, v->sha);
		if (r == -ENOENT && i == c->n - 1 &&
		    ev_pcapw_tmpname(v->e.file, tmp) == 0 &&
		    (f = find(c, tmp)) != NULL) {
			f->listed = 1;
			r = ev_hash_file(c->dirfd, tmp, &v->size, v->sha);
			if (r == 0 && v->size == v->e.size &&
			    memcmp(v->sha, v->e.sha256, EV_HASH_LEN) == 0) {
				v->state = V_PENDING;
				continue;
			}
		}
		if (r == -ENOENT)
			v->state = V_MISSING;
		else if (r < 0)
			v->state = V_IO, v->size = (uint64_t)-r;
		else if (v->size != v->e.size ||
		    memcmp(v->sha, v->e.sha256, EV_HASH_LEN) != 0)
			v->state = V_CHANGED;
	}
}

/* The entry whose listed content has this size and hash, if any. */
static struct vent *
content_of(struct vctx *c, uint64_t size, const uint8_t sha[EV_HASH_LEN])
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].e.size == size &&
		    memcmp(c->v[i].e.sha256, sha, EV_HASH_LEN) == 0)
			return &c->v[i];
	return NULL;
}

static void
check_unlisted(struct vctx *c)
{
	struct vent *v;
	size_t i;
	int r;

	for (i = 0; i < c->nf; i++) {
		struct vfile *f = &c->f[i];

		if (f->listed)
			continue;
		r = ev_hash_file(c->dirfd, f->name, &f->size, f->sha);
		f->regular = r == 0;
		if (r == 0 && (v = content_of(c, f->size, f->sha)) != NULL &&
		    v->state == V_MISSING && v->found_as == NULL) {
			v->found_as = f->name;
			f->listed = 1;
		}
	}
}

static void
report_files(struct vctx *c)
{
	struct vent *o;
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct vent *v = &c->v[i];
		const char *nm = v->e.file;

		switch (v->state) {
		case V_CHANGED:
			if ((o = content_of(c, v->size, v->sha)) != NULL && o != v)
				report(c, EV_P_MOVED, "%s (seq %" PRIu64 ") holds the "
				    "content listed for seq %" PRIu64 " (%s): files "
				    "reordered or renamed", nm, v->e.seq, o->e.seq,
				    o->e.file);
			else
				report(c, EV_P_CHANGED, "%s (seq %" PRIu64 ") changed: "
				    "%" PRIu64 " bytes (listed %" PRIu64 "), SHA-256 "
				    "differs", nm, v->e.seq, v->size, v->e.size);
			break;
		case V_MISSING:
			if (v->found_as != NULL)
				report(c, EV_P_MOVED, "%s (seq %" PRIu64 ") is missing; "
				    "its content is in %s: renamed", nm, v->e.seq,
				    v->found_as);
			else
				report(c, EV_P_MISSING, "%s (seq %" PRIu64 ") is "
				    "missing", nm, v->e.seq);
			break;
		case V_PENDING:
			report(c, EV_P_PENDING, "%s (seq %" PRIu64 ") is listed and "
			    "whole but still under its temp name: the writer stopped "
			    "before renaming it (crash?)", nm, v->e.seq);
			break;
		case V_IO:
			report(c, EV_P_IO, "%s (seq %" PRIu64 ") cannot be read: %s",
			    nm, v->e.seq, strerror((int)v->size));
			break;
		}
	}
	for (i = 0; i < c->nf; i++) {
		struct vfile *f = &c->f[i];
		size_t n = strlen(f->name);

		if (f->listed)
			continue;
		if (f->regular && f->name[0] == '.' && n > 4 &&
		    strcmp(f->name + n - 4, ".tmp") == 0)
			report(c, EV_P_UNFINISHED, "%s: unfinished file (crash?): the "
			    "writer stopped before listing it; its packets are not "
			    "covered by the manifest", f->name);
		else if ((o = content_of(c, f->size, f->sha)) != NULL && f->regular)
			report(c, EV_P_EXTRA, "%s is not in the manifest (a copy of "
			    "seq %" PRIu64 ", %s)", f->name, o->e.seq, o->e.file);
		else
			report(c, EV_P_EXTRA, "%s is not in the manifest%s", f->name,
			    f->regular ? "" : " (and not a regular file)");
	}
}

static int
by_file(const void *a, const void *b)
{
	return strcmp(((const struct vent *)a)->e.file,
	    ((const struct vent *)b)->e.file);
}

static void
check_dups(struct vctx *c)
{
	struct vent *s;
	size_t i;

	if (c->n < 2 || (s = malloc(c->n * sizeof(*s))) == NULL)
		return;
	memcpy(s, c->v, c->n * sizeof(*s));
	qsort(s, c->n, sizeof(*s), by_file);
	for (i = 1; i < c->n; i++)
		if (strcmp(s[i].e.file, s[i - 1].e.file) == 0)
			report(c, EV_P_DUPNAME, "%s is listed twice (seq %" PRIu64
			    " and %" PRIu64 ")", s[i].e.file, s[i - 1].e.seq,
			    s[i].e.seq);
	free(s);
}

static void
summarise(struct vctx *c, struct ev_verify_sum *sum)
{
	size_t i;
	int have_time = 0;

	for (i = 0; i < c->n; i++) {
		const struct ev_entry *e = &c->v[i].e;

		if (i == 0)
			sum->first_seq = e->seq;
		sum->last_seq = e->seq;
		sum->files++;
		sum->bytes += e->size;
		sum->packets += e->packets;
		memcpy(sum->last_hash, e->hash, EV_HASH_LEN);
		if (e->packets == 0)
			continue;
		if (!have_time || e->first_sec < sum->first_sec ||
		    (e->first_sec == sum->first_sec && e->first_usec < sum->first_usec))
			sum->first_sec = e->first_sec, sum->first_usec = e->first_usec;
		if (!have_time || e->last_sec > sum->last_sec ||
		    (e->last_sec == sum->last_sec && e->last_usec > sum->last_usec))
			sum->last_sec = e->last_sec, sum->last_usec = e->last_usec;
		have_time = 1;
	}
}

int
ev_verify(const char *dir, const uint8_t pk[static EV_PK_LEN],
    const struct ev_chain_cb *cb, struct ev_verify_sum *sum, char *err,
    size_t errlen)
{
	struct vctx c = { .cb = cb, .sum = sum };
	struct ev_chain_cb mine = { collect, fwd_problem, &c };
	struct ev_chain ch;
	size_t len, i;
	char *buf;
	int r, rc = -1;

	memset(sum, 0, sizeof(*sum));
	if ((c.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((r = ev_read_all(c.dirfd, EV_MANIFEST, &buf, &len)) < 0) {
		snprintf(err, errlen, "cannot read %s/%s: %s%s", dir, EV_MANIFEST,
		    strerror(-r), r == -ENOENT ? " (not an evidence store, or "
		    "its manifest was removed)" : "");
		close(c.dirfd);
		return -1;
	}
	r = ev_chain_walk(buf, len, pk, &mine, &ch);
	free(buf);
	if (r < 0 || (r = list_dir(&c)) < 0) {
		snprintf(err, errlen, "cannot verify %s: %s", dir, strerror(-r));
		goto out;
	}
	check_dups(&c);
	check_listed(&c);
	check_unlisted(&c);
	report_files(&c);
	summarise(&c, sum);
	rc = sum->problems == 0 ? EV_VERIFY_OK :
	    sum->problems == sum->crash_problems ? EV_VERIFY_CRASHED :
	    EV_VERIFY_TAMPERED;
out:
	for (i = 0; i < c.nf; i++)
		free(c.f[i].name);
	free(c.f);
	free(c.v);
	close(c.dirfd);
	return rc;
}
