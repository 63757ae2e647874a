/* cmd_status.c - `lawtap status [--json|--prometheus] [--control PATH]`: ask the daemon. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "mgmt/ctl.h"
#include "mgmt/statusfmt.h"

#define STATUS_TIMEOUT_MS	5000

enum format { TEXT, JSON, PROMETHEUS };

static int
usage(void)
{
	fprintf(stderr, "usage: lawtap status [--json | --prometheus] [--control PATH]\n");
	return 2;
}

static int
render(const json_t *reply, enum format fmt)
{
	struct lt_status st;
	char err[256];
	int rc;

	if (fmt == JSON) {
		if (json_dumpf(reply, stdout, JSON_INDENT(2)) < 0 || fputc('\n', stdout) == EOF)
			return 1;
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (lt_status_from_json(reply, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "lawtap status: %s\n", err);
		return 1;
	}
	rc = fmt == TEXT ? lt_status_text(&st, stdout) : lt_status_prometheus(&st, stdout);
	lt_status_free(&st);
	if (rc < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "lawtap status: cannot write the output\n");
		return 1;
	}
	return 0;
}

int
cmd_status(int argc, char **argv)
{
	const char *path = LT_CTL_PATH;
	enum format fmt = TEXT;
	json_t *req, *reply;
	const json_t *e;
	char err[512];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && fmt == TEXT)
			fmt = JSON;
		else if (strcmp(argv[i], "--prometheus") == 0 && fmt == TEXT)
			fmt = PROMETHEUS;
		else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			return usage();
	}
	if ((req = json_pack("{s:s}", "cmd", "status")) == NULL) {
		fprintf(stderr, "lawtap status: out of memory\n");
		return 1;
	}
	rc = lt_ctl_request(path, req, &reply, STATUS_TIMEOUT_MS, err, sizeof(err));
	json_decref(req);
	if (rc < 0) {
		fprintf(stderr, "lawtap status: %s\n", err);
		return 1;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		e = json_object_get(reply, "error");
		fprintf(stderr, "lawtap status: the daemon refused: %s\n",
		    json_is_string(e) ? json_string_value(e) : "no reason given");
		rc = 1;
	} else {
		rc = render(reply, fmt);
	}
	json_decref(reply);
	return rc;
}
