/* store_impl.h - what store.c and store_open.c share of an evidence store (not an API). */
#ifndef LT_EV_STORE_IMPL_H
#define LT_EV_STORE_IMPL_H

#include "evidence/pcapw.h"
#include "evidence/store.h"
#include "util/io.h"

#define PREFIX_MAX	32

struct ev_store {
	char prefix[PREFIX_MAX + 1];
	uint32_t linktype, snaplen, max_age;
	uint64_t max_bytes;
	int dirfd, mfd;
	const uint8_t *sk;
	uint64_t next_seq;
	uint8_t last_hash[EV_HASH_LEN];
	int file_open, failed;
	void (*hook)(void *, enum ev_step);
	void *hook_arg;
	char err[256];
	struct ev_pcapw w;
};

void ev_store_fail(struct ev_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The opening half of ev_store_open (store_open.c). */
int ev_store_open_dir(struct ev_store *s, const char *dir);

#endif
