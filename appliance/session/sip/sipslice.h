/* sipslice.h - the (pointer, length) slice the SIP, URI and SDP parsers return. */
#ifndef LT_SIPSLICE_H
#define LT_SIPSLICE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A view into the caller's bytes: nothing is copied, so a slice is valid as
 * long as the buffer it was parsed from.  An absent field has len 0 (and p
 * NULL); a present but empty one may have len 0 with p set.
 */
struct sip_slice {
	const uint8_t *p;
	size_t len;
};

/* 1 if s equals the NUL-terminated lit, ASCII case ignored. */
int sip_slice_eq(struct sip_slice s, const char *lit);

#endif
