/* conio.h - the console terminal: lines in, passphrases without echo, 80x24 paging. */
#ifndef LT_CONIO_H
#define LT_CONIO_H

#include <stddef.h>
#include <stdio.h>

#define LT_CON_COLS	79	/* characters on a line: the 80th column stays free */
#define LT_CON_ROWS	24
#define LT_CON_INPUT_MAX 1024

/* lt_con_ask and lt_con_secret: a length >= 0, or one of these. */
#define LT_CON_EOF	(-1)	/* end of input, or the line hung up */
#define LT_CON_INTR	(-2)	/* Ctrl-C */
#define LT_CON_LONG	(-3)	/* a line longer than the buffer (consumed and dropped) */
#define LT_CON_ERR	(-4)	/* read or terminal error */
#define LT_CON_IDLE	(-5)	/* nothing typed for idle_s seconds */

struct lt_con {
	int in;
	FILE *out;
	int tty;		/* in is a terminal: echo can be turned off */
	int rows;		/* lines written since the last input */
	int quit;		/* the reader said q at "more?": drop the rest of this screen */
	int eof;		/* input ended (at "more?" too) */
	int intr;		/* Ctrl-C since the screen began */
	int idle;		/* a prompt timed out since the screen began */
	unsigned idle_s;	/* a prompt waits this long for a key; 0: for ever */
};

/*
 * Reads from in, writes to out.  Installs handlers for SIGINT (reads return
 * LT_CON_INTR) and SIGHUP/SIGTERM (reads return LT_CON_EOF).
 */
int lt_con_init(struct lt_con *c, int in, FILE *out);

/* Prints prompt and reads one line into buf[n] (NUL-terminated, no newline). */
int lt_con_ask(struct lt_con *c, const char *prompt, char *buf, size_t n);
/* As lt_con_ask with echo off on a terminal; buf should be sodium_malloc'd. */
int lt_con_secret(struct lt_con *c, const char *prompt, char *buf, size_t n);

/*
 * One line of output: cut to LT_CON_COLS (the last column then shows '>'),
 * control characters shown as '?'; after LT_CON_ROWS - 2 lines asks
 * "more? [Enter/q]".  Lines are dropped once the reader said q.
 */
void lt_con_line(struct lt_con *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Text of several lines, each as lt_con_line. */
void lt_con_text(struct lt_con *c, const char *text, size_t len);
/* "label value", the value wrapped onto indented lines to fit. */
void lt_con_field(struct lt_con *c, int indent, const char *label, const char *value);
/* Starts a new screen: the paging count, a q, a Ctrl-C and a time-out from the last one are forgotten. */
void lt_con_screen(struct lt_con *c);

#endif
