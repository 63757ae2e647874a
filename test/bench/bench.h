/* bench.h - synthetic subscribers, warrants and packet mixes for the data-path benchmark. */
#ifndef LT_BENCH_H
#define LT_BENCH_H

#include <stdint.h>

#include "mgmt/config.h"

struct rte_mbuf;
struct rte_mempool;

#define BENCH_TARGETS_PER_WARRANT	10
#define BENCH_AGENCIES			2

struct bench_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t a[16];
};

/*
 * The subscriber population: IPv4 subscribers spread over 100.64.0.0/10,
 * IPv6 ones over 2001:db8::/32.  perm is a random order of the subscribers:
 * the first T are the targets of a run with T targets; those from
 * max_targets on are never targets, whatever T.
 */
struct bench_world {
	struct bench_addr *subs;
	uint32_t nsubs, nsubs6;
	uint32_t *perm;
	uint32_t max_targets;
};

int bench_world_init(struct bench_world *bw, uint32_t nsubs, uint32_t v6_percent,
    uint32_t max_targets, uint64_t seed);
void bench_world_free(struct bench_world *bw);

/*
 * An in-memory configuration: two agencies (HI2/HI3 on 127.0.0.1, never
 * connected), one warrant (CC and IRI) per BENCH_TARGETS_PER_WARRANT targets,
 * each target a /32 or /128 subscriber.
 */
int bench_config(struct lt_config *cfg, const struct bench_world *bw, uint32_t ntargets);
void bench_config_free(struct lt_config *cfg);

/* Pre-built frames; what was put in, so that the counters can be checked. */
struct bench_mix {
	struct rte_mbuf **pkts;
	uint32_t n;
	uint32_t target_pkts;		/* one endpoint is a target: one record each */
	uint32_t not_ip, malformed, vlan;
	uint64_t bytes;
	uint32_t v6;
};

/*
 * n frames (IMIX 7:4:1 of 64/594/1518-byte frames, FCS not included), 20 %
 * with one VLAN tag and 2 % with two, 0.1 % ARP and 0.05 % truncated IPv4;
 * target_ppm per million packets run between a target and an outside host,
 * the rest between a non-target subscriber and an outside host.
 */
int bench_mix_build(struct bench_mix *mx, struct rte_mempool *mp, const struct bench_world *bw,
    uint32_t ntargets, uint32_t n, uint32_t target_ppm, uint64_t seed);
void bench_mix_free(struct bench_mix *mx);

#endif
