/* cmd.h - the lawtap subcommands; each returns the process exit status. */
#ifndef LT_CMD_H
#define LT_CMD_H

int cmd_run(int argc, char **argv);		/* cmd_run.c */
int cmd_check_config(int argc, char **argv);	/* mgmt/cmd_check.c */
int cmd_lemf(int argc, char **argv);		/* lemf/lemf.c */
int cmd_decode(int argc, char **argv);		/* lemf/cmd_decode.c */
int cmd_evidence(int argc, char **argv);	/* evidence/cmd_evidence.c */
int cmd_store(int argc, char **argv);		/* mgmt/cmd_store.c */
int cmd_audit(int argc, char **argv);		/* mgmt/cmd_audit.c */
int cmd_status(int argc, char **argv);		/* mgmt/cmd_status.c */
int cmd_warrant(int argc, char **argv);		/* mgmt/cmd_warrant.c */
int cmd_console(int argc, char **argv);		/* mgmt/cmd_console.c */

#endif
