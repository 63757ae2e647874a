/* cmd_decode.c - `lawtap decode FILE`: a file of concatenated PS-PDUs as JSON lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lemf/sink.h"
#include "lemf/stream.h"
#include "util/log.h"

/*
 * JSON lines go to stdout and the summary to stderr, so stdout stays pure
 * JSON lines.  Reading stops at the first PDU in error, as the LEMF closes
 * the connection.
 */
int
cmd_decode(int argc, char **argv)
{
	static uint8_t buf[65536];
	struct lemf_sink sink;
	struct lemf_stream st;
	char err[256];
	FILE *f;
	size_t n;
	int rc, failed = 0;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: lawtap decode FILE   (- for stdin)\n");
		return 2;
	}
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rbe");
	if (f == NULL) {
		log_err("cannot open %s: %s", argv[1], strerror(errno));
		return 2;
	}
	if (lemf_sink_init(&sink, stdout) < 0) {
		log_err("out of memory");
		if (f != stdin)
			fclose(f);
		return 2;
	}
	lemf_stream_init(&st, "file", 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (lemf_stream_feed(&st, &sink, buf, n, NULL, NULL, err,
		    sizeof(err)) < 0) {
			failed = 1;
			break;
		}
	if (!failed && ferror(f)) {
		log_err("cannot read %s: %s", argv[1], strerror(errno));
		sink.errors++;
	} else if (!failed && lemf_stream_end(&st, &sink, err, sizeof(err)) < 0) {
		failed = 1;
	}
	if (failed)
		log_err("%s: %s", argv[1], err);
	if (fflush(stdout) == EOF)
		sink.write_failed = 1;
	rc = lemf_sink_summary(&sink, stderr);
	lemf_stream_free(&st);
	lemf_sink_free(&sink);
	if (f != stdin)
		fclose(f);
	return rc;
}
