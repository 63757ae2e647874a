/* be.h - big-endian integers of n bytes in and out of byte arrays (file and wire formats). */
#ifndef LT_BE_H
#define LT_BE_H

#include <stdint.h>

static inline void
lt_put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t
lt_get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
