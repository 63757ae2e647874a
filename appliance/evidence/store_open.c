/* store_open.c - opening an evidence store: create it, or check and continue it after a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/chain.h"
#include "evidence/evfile.h"
#include "evidence/evkey.h"
#include "evidence/store_impl.h"

/* The seq in "PREFIX-N.pcap" or ".PREFIX-N.pcap.tmp"; 0 if not such a name. */
static uint64_t
name_seq(const struct ev_store *s, const char *name)
{
	size_t pl = strlen(s->prefix);
	uint64_t v = 0;
	int tmp = name[0] == '.';

	name += tmp;
	if (strncmp(name, s->prefix, pl) != 0 || name[pl] != '-')
		return 0;
	for (name += pl + 1; *name >= '0' && *name <= '9'; name++)
		v = v < UINT64_MAX / 10 ? v * 10 + (uint64_t)(*name - '0') : v;
	return strcmp(name, tmp ? ".pcap.tmp" : ".pcap") == 0 ? v : 0;
}

/* Past every seq a file in the directory uses, so no name is reused. */
static int
skip_used(struct ev_store *s, int *others)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	if ((fd = dup(s->dirfd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		ev_store_fail(s, "cannot list the evidence directory: %s", strerror(errno));
		return -1;
	}
	*others = 0;
	while ((d = readdir(dir)) != NULL) {
		uint64_t n = name_seq(s, d->d_name);

		if (n >= s->next_seq)
			s->next_seq = n + 1;
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0 &&
		    strcmp(d->d_name, EV_KEY_PUBLIC) != 0 &&
		    strcmp(d->d_name, EV_KEY_SECRET) != 0 &&
		    strcmp(d->d_name, "." EV_MANIFEST ".tmp") != 0)
			(*others)++;
	}
	closedir(dir);
	return 0;
}

static int
create_manifest(struct ev_store *s)
{
	uint8_t id[EV_ID_LEN];
	char line[EV_LINE_MAX + 1];
	const char *tmp = "." EV_MANIFEST ".tmp";
	size_t n;
	int fd, others;

	if (skip_used(s, &others) < 0)
		return -1;
	if (others > 0) {
		ev_store_fail(s, "the evidence directory holds files but no %s: not a "
		    "store and not empty; give an empty directory", EV_MANIFEST);
		return -1;
	}
	randombytes_buf(id, sizeof(id));
	n = ev_header_format(id, line);
	line[n++] = '\n';
	unlinkat(s->dirfd, tmp, 0);	/* left by a crash while creating */
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || lt_write_all(fd, line, n) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || renameat2(s->dirfd, tmp, s->dirfd, EV_MANIFEST,
	    RENAME_NOREPLACE) < 0 || fsync(s->dirfd) < 0) {
		ev_store_fail(s, "cannot create %s: %s", EV_MANIFEST, strerror(errno));
		return -1;
	}
	ev_genesis(id, s->last_hash);
	s->next_seq = 1;
	return 0;
}

struct resume {
	struct ev_entry last;
	int have;
	struct ev_store *s;
	unsigned problems;
};

static int
resume_entry(void *arg, const struct ev_entry *e, unsigned line)
{
	struct resume *r = arg;

	(void)line;
	r->last = *e;
	r->have = 1;
	return 0;
}

static void
resume_problem(void *arg, enum ev_problem p, const char *msg)
{
	struct resume *r = arg;

	if (!ev_problem_crash(p) && r->problems++ == 0)
		snprintf(r->s->err, sizeof(r->s->err), "%s", msg);
}

static int
resume(struct ev_store *s, char *buf, size_t len, const uint8_t pk[EV_PK_LEN])
{
	struct resume r = { .s = s };
	struct ev_chain_cb cb = { resume_entry, resume_problem, &r };
	struct ev_chain ch;
	char tmp[EV_NAME_MAX + 7];
	int fd, others;

	ev_chain_walk(buf, len, pk, &cb, &ch);
	if (r.problems > 0) {
		s->failed = 1;
		snprintf(s->err + strlen(s->err), sizeof(s->err) - strlen(s->err),
		    " (and %u more problems): the store is not continued; run "
		    "lawtap evidence verify on it", r.problems - 1);
		return -1;
	}
	if (ch.good_len < len) {
		fd = openat(s->dirfd, EV_MANIFEST, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)ch.good_len) < 0 ||
		    fsync(fd) < 0) {
			ev_store_fail(s, "cannot cut the partial entry a crash left in %s: %s",
			    EV_MANIFEST, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	if (r.have) {
		memcpy(s->last_hash, r.last.hash, EV_HASH_LEN);
		s->next_seq = r.last.seq + 1;
		/* listed, not renamed: finish what the crash interrupted */
		if (faccessat(s->dirfd, r.last.file, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
		    ev_pcapw_tmpname(r.last.file, tmp) == 0 &&
		    faccessat(s->dirfd, tmp, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (renameat2(s->dirfd, tmp, s->dirfd, r.last.file,
		    RENAME_NOREPLACE) < 0 || fsync(s->dirfd) < 0)) {
			ev_store_fail(s, "cannot rename %s into place: %s", tmp,
			    strerror(errno));
			return -1;
		}
	} else {
		ev_genesis(ch.store_id, s->last_hash);
		s->next_seq = 1;
	}
	return skip_used(s, &others);
}

static int
check_pubkey(struct ev_store *s, const char *dir, const uint8_t pk[EV_PK_LEN])
{
	uint8_t have[EV_PK_LEN];
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, EV_KEY_PUBLIC);
	if (faccessat(s->dirfd, EV_KEY_PUBLIC, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return ev_key_write_public(s->dirfd, EV_KEY_PUBLIC, pk, s->err,
		    sizeof(s->err));
	if (ev_key_load_public(path, have, s->err, sizeof(s->err)) < 0)
		return -1;
	if (sodium_memcmp(have, pk, EV_PK_LEN) != 0) {
		snprintf(s->err, sizeof(s->err), "%s in the evidence directory is "
		    "not the public half of the signing key: another appliance's "
		    "store?", EV_KEY_PUBLIC);
		return -1;
	}
	return 0;
}

int
ev_store_open_dir(struct ev_store *s, const char *dir)
{
	uint8_t pk[EV_PK_LEN];
	size_t len;
	char *buf;
	int r;

	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ev_store_fail(s, "cannot open evidence directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	crypto_sign_ed25519_sk_to_pk(pk, s->sk);
	if (check_pubkey(s, dir, pk) < 0)
		return -1;
	r = ev_read_all(s->dirfd, EV_MANIFEST, &buf, &len);
	if (r == -ENOENT) {
		if (create_manifest(s) < 0)
			return -1;
	} else if (r < 0) {
		ev_store_fail(s, "cannot read %s: %s", EV_MANIFEST, strerror(-r));
		return -1;
	} else {
		r = resume(s, buf, len, pk);
		free(buf);
		if (r < 0)
			return -1;
	}
	s->mfd = openat(s->dirfd, EV_MANIFEST, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (s->mfd < 0) {
		ev_store_fail(s, "cannot open %s to append: %s", EV_MANIFEST, strerror(errno));
		return -1;
	}
	return 0;
}

