/* lemf.h - a test LEMF: accepts handover connections and records every PDU as a JSON line. */
#ifndef LT_LEMF_H
#define LT_LEMF_H

#include <stddef.h>
#include <stdio.h>

#define LEMF_LISTEN_MAX	16

struct lemf_opts {
	const char *listen[LEMF_LISTEN_MAX];	/* ADDR:PORT, port 0 = any */
	size_t nlisten;
	const char *out_path;			/* JSON lines, truncated */
	double idle_exit;			/* seconds; 0 = only on a signal */
	FILE *summary;				/* NULL = stdout */
	const uint8_t *integrity_key;		/* signer of integrityCheck TRIs, or NULL */
	const char *tls_cert, *tls_key;		/* TLS on every listener; NULL: plain TCP */
	const char *tls_ca;			/* require client certificates from these CAs */
};

struct lemf;

/* Binds the listeners and creates the output file; 0, or -1 with err. */
int lemf_open(struct lemf **lp, const struct lemf_opts *o,
    char *err, size_t errlen);

/* The port listener i is bound to (useful with port 0). */
unsigned lemf_port(const struct lemf *l, size_t i);

/*
 * Serves until SIGINT/SIGTERM or the idle timeout, then closes every
 * connection, completes the output file and prints the summary.  Returns the
 * exit status: 1 on a gap, a PDU error or an output failure, else 0.
 */
int lemf_loop(struct lemf *l);

void lemf_close(struct lemf *l);

/* lemf_open + lemf_loop + lemf_close. */
int lemf_run(const struct lemf_opts *o);

#endif
