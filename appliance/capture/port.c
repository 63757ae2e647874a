/* port.c - ethdev setup: queues, mempools, symmetric RSS. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "capture/port.h"

#define RX_DESC		1024
#define POOL_CACHE	256

/* Repeating 0x6d5a makes Toeplitz hashing symmetric: both directions of a flow meet. */
static uint8_t sym_rss_key[40];

void
lt_port_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

int
lt_port_is_pci(const char *d)
{
	unsigned dom, bus, dev, fn;
	char tail;

	return sscanf(d, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4 ||
	    sscanf(d, "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail) == 3;
}

static int
port_start(uint16_t pid, uint16_t nq, uint32_t mbufs, size_t priv, struct lt_rxq *out,
    char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *pool;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint16_t ntx;
	int r;

	if ((r = rte_eth_dev_info_get(pid, &info)) != 0) {
		snprintf(err, errlen, "port %u: cannot read device info: %s", pid, rte_strerror(-r));
		return -1;
	}
	if (nq > info.max_rx_queues) {
		snprintf(err, errlen, "port %u (%s): %u rx queues configured, the device has %u",
		    pid, info.driver_name, nq, info.max_rx_queues);
		return -1;
	}
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		for (size_t i = 0; i < sizeof(sym_rss_key); i += 2) {
			sym_rss_key[i] = 0x6d;
			sym_rss_key[i + 1] = 0x5a;
		}
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	ntx = info.max_tx_queues > 0 ? 1 : 0;
	if ((r = rte_eth_dev_configure(pid, nq, ntx, &conf)) != 0) {
		snprintf(err, errlen, "port %u: configure: %s", pid, rte_strerror(-r));
		return -1;
	}
	snprintf(name, sizeof(name), "lt_pool_%u", pid);
	pool = rte_pktmbuf_pool_create(name, (unsigned)mbufs * nq, POOL_CACHE,
	    (uint16_t)RTE_ALIGN(priv, RTE_MBUF_PRIV_ALIGN), RTE_MBUF_DEFAULT_BUF_SIZE,
	    rte_eth_dev_socket_id(pid));
	if (pool == NULL) {
		snprintf(err, errlen, "port %u: cannot allocate %u mbufs (dpdk.mbufs_per_queue "
		    "x rx_queues; raise EAL memory -m or lower them): %s", pid,
		    (unsigned)mbufs * nq, rte_strerror(rte_errno));
		return -1;
	}
	for (uint16_t q = 0; q < nq; q++) {
		r = rte_eth_rx_queue_setup(pid, q, RX_DESC, rte_eth_dev_socket_id(pid), NULL, pool);
		if (r != 0) {
			snprintf(err, errlen, "port %u: rx queue %u: %s", pid, q, rte_strerror(-r));
			return -1;
		}
		out[q] = (struct lt_rxq){ .port = pid, .queue = q, .pool = pool };
	}
	if (ntx && (r = rte_eth_tx_queue_setup(pid, 0, 64, rte_eth_dev_socket_id(pid), NULL)) != 0) {
		snprintf(err, errlen, "port %u: tx queue: %s", pid, rte_strerror(-r));
		return -1;
	}
	if ((r = rte_eth_dev_start(pid)) != 0) {
		snprintf(err, errlen, "port %u: start: %s", pid, rte_strerror(-r));
		return -1;
	}
	rte_eth_promiscuous_enable(pid);	/* a mirror port: not every PMD can */
	return nq;
}

int
lt_ports_start(const struct lt_config *cfg, int replay_files, size_t priv,
    struct lt_rxq *out, unsigned max, char *err, size_t errlen)
{
	unsigned n = 0;

	if (replay_files > 0) {
		uint16_t pid;

		if (rte_eth_dev_get_port_by_name("net_pcap0", &pid) != 0) {
			snprintf(err, errlen, "the replay device net_pcap0 did not come up");
			return -1;
		}
		if ((unsigned)replay_files > max) {
			snprintf(err, errlen, "%d replay files, at most %u workers", replay_files, max);
			return -1;
		}
		return port_start(pid, (uint16_t)replay_files, cfg->mbufs_per_queue, priv, out,
		    err, errlen);
	}
	for (uint32_t i = 0; i < cfg->nports; i++) {
		const struct lt_port *p = &cfg->ports[i];
		char name[RTE_ETH_NAME_MAX_LEN];
		uint16_t pid;
		int r;

		lt_port_name(p->device, name, sizeof(name));
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			snprintf(err, errlen, "%s:%d: port %s was not found by DPDK (bound to a "
			    "DPDK driver? vdev string right?)", cfg->path, p->line, name);
			return -1;
		}
		if (n + p->rx_queues > max) {
			snprintf(err, errlen, "%s:%d: %u rx queues in all but only %u worker lcores "
			    "in the EAL arguments (one worker per rx queue)", cfg->path, p->line,
			    n + p->rx_queues, max);
			return -1;
		}
		r = port_start(pid, p->rx_queues, cfg->mbufs_per_queue, priv, out + n, err, errlen);
		if (r < 0)
			return -1;
		n += (unsigned)r;
	}
	return (int)n;
}

void
lt_ports_stop(void)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		rte_eth_dev_stop(pid);
		rte_eth_dev_close(pid);
	}
}
