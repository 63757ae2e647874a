/* ipfrag.h - IPv4 and IPv6 fragments put back together into whole datagrams (pure C, bounded). */
#ifndef LT_IPFRAG_H
#define LT_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

struct ipfrag;

/* slots datagrams reassembled at once; one not complete after timeout_us is dropped. */
struct ipfrag *ipfrag_new(unsigned slots, int64_t timeout_us);
void ipfrag_free(struct ipfrag *f);

/* 1 if the IP packet l3[0..len) is a fragment (IPv4 MF or offset, IPv6 Fragment header first). */
int ipfrag_is_fragment(const uint8_t *l3, size_t len);

/*
 * Takes one fragment: NULL while its datagram is incomplete (or the fragment
 * is unusable, counted in *dropped), else the whole IP packet, unfragmented,
 * valid until the next call, with its length in *out_len.
 */
const uint8_t *ipfrag_add(struct ipfrag *f, const uint8_t *l3, size_t len,
    int64_t ts_us, size_t *out_len, uint64_t *dropped);

#endif
