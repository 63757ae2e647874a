/* port.h - capture ports: configure, start, and hand out one rx queue per worker. */
#ifndef LT_PORT_H
#define LT_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt/config.h"

struct rte_mempool;

struct lt_rxq {
	uint16_t port, queue;
	struct rte_mempool *pool;
};

/*
 * Starts every port the EAL probed for the configuration (or the replay
 * port net_pcap0) with the configured rx queues, symmetric RSS where there
 * is more than one.  Fills up to max queues; returns their number or -1.
 */
int lt_ports_start(const struct lt_config *cfg, int replay_files, size_t priv_size,
    struct lt_rxq *out, unsigned max, char *err, size_t errlen);
void lt_ports_stop(void);

/* The device name EAL gives a configured device string ("net_pcap0,rx_pcap=x" -> "net_pcap0"). */
void lt_port_name(const char *device, char *name, size_t len);
/* True for a PCI address such as 0000:03:00.0. */
int lt_port_is_pci(const char *device);

#endif
