/* main.c - the lawtap binary: one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} cmds[] = {
	{ "run", cmd_run, "run -c FILE [--replay A.pcap[,B.pcap...]]" },
	{ "check-config", cmd_check_config, "check-config -c FILE" },
	{ "lemf", cmd_lemf,
	    "lemf --listen ADDR:PORT [--listen ...] --out FILE.jsonl [--idle-exit S]" },
	{ "decode", cmd_decode, "decode FILE" },
	{ "evidence", cmd_evidence,
	    "evidence verify DIR [--key PUBKEY] | evidence keygen DIR" },
	{ "store", cmd_store,
	    "store init|passwd|show-pub [--state DIR] [--passphrase-fd N]" },
	{ "audit", cmd_audit, "audit verify|show [--state DIR]" },
	{ "status", cmd_status, "status [--json | --prometheus] [--control PATH]" },
	{ "warrant", cmd_warrant, "warrant keygen|seal|import|issuer add|list ..." },
	{ "console", cmd_console, "console [--state DIR] [--control PATH] [--config FILE]" },
};

static int
usage(FILE *f)
{
	fprintf(f, "usage: lawtap COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "       lawtap %s\n", cmds[i].usage);
	return f == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "lawtap: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
