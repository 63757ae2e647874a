/* cmd_check.c - `lawtap check-config -c FILE`: validate the configuration, print a summary. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "mgmt/config.h"

static const char *
plural(uint32_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int
cmd_check_config(int argc, char **argv)
{
	struct lt_config cfg;
	const char *path = NULL;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc && path == NULL)
			path = argv[++i];
		else {
			path = NULL;
			break;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "usage: lawtap check-config -c FILE\n");
		return 2;
	}
	if (lt_config_load(path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: OK: %u %s, %u %s, %u %s (%u %s)\n", path,
	    cfg.nports, plural(cfg.nports, "port", "ports"),
	    cfg.nagencies, plural(cfg.nagencies, "agency", "agencies"),
	    cfg.nwarrants, plural(cfg.nwarrants, "warrant", "warrants"),
	    cfg.ntargets, plural(cfg.ntargets, "target", "targets"));
	lt_config_free(&cfg);
	return fflush(stdout) == 0 ? 0 : 1;
}
