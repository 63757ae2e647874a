/* check.h - slice assertions shared by the SIP/SDP unit tests. */
#ifndef LT_TEST_SIP_CHECK_H
#define LT_TEST_SIP_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "session/sip/sipslice.h"

#define assert_slice(s, str) do {					\
	struct sip_slice s_ = (s);					\
	assert_int_equal(s_.len, strlen(str));				\
	if (s_.len > 0)							\
		assert_memory_equal(s_.p, (str), s_.len);		\
} while (0)

/* A heap copy of exactly n bytes, so ASan sees a read past the end. */
static inline uint8_t *
dup_exact(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	assert_non_null(d);
	memcpy(d, p, n);
	return d;
}

#endif
