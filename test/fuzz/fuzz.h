/* fuzz.h - what the libFuzzer harnesses share: an invariant check that crashes. */
#ifndef LT_FUZZ_H
#define LT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A broken invariant is a finding: say which one and abort, so libFuzzer
 * saves the input as a crash artifact.
 */
#define FUZZ_CHECK(c)	do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* Takes bytes from the front of the input; short reads come back zero-filled. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
};

static inline uint64_t
fuzz_take(struct fuzz_in *in, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0) {
		v <<= 8;
		if (in->len > 0) {
			v |= *in->p++;
			in->len--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#endif
