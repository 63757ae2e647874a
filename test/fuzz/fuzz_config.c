/*
 * fuzz_config.c - lt_config_load on arbitrary text written to a temporary
 * file; a loaded configuration must satisfy what the rest of lawtap assumes.
 */
#include <string.h>
#include <unistd.h>

#include "mgmt/config.h"
#include "fuzz.h"

static char path[64];

static void
remove_tmp(void)
{
	unlink(path);
}

static void
check(const struct lt_config *c)
{
	uint32_t i, j, ntargets = 0;

	FUZZ_CHECK(c->operator_id[0] != '\0');
	FUZZ_CHECK(strlen(c->auth_cc) == 2);
	FUZZ_CHECK(c->eal_argv == NULL || c->eal_argv[c->eal_argc] == NULL);
	for (i = 0; i < c->nports; i++)
		FUZZ_CHECK(c->ports[i].device[0] != '\0');
	for (i = 0; i < c->nagencies; i++)
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(c->agencies[i].id, c->agencies[j].id) != 0);
	for (i = 0; i < c->nwarrants; i++) {
		const struct lt_warrant *w = &c->warrants[i];

		FUZZ_CHECK(w->liid_len >= 1 && w->liid_len <= LT_LIID_MAX);
		FUZZ_CHECK(w->agency < c->nagencies);
		FUZZ_CHECK(w->content >= LT_CONTENT_IRI &&
		    w->content <= LT_CONTENT_BOTH);
		FUZZ_CHECK(w->start_s < w->end_s);
		FUZZ_CHECK(w->ntargets == 0 || (w->targets >= c->targets &&
		    w->targets + w->ntargets <= c->targets + c->ntargets));
		for (j = 0; j < w->ntargets; j++) {
			const struct lt_prefix *t = &w->targets[j];

			FUZZ_CHECK((t->family == 4 && t->len >= 1 && t->len <= 32) ||
			    (t->family == 6 && t->len >= 1 && t->len <= 128));
		}
		ntargets += w->ntargets;
	}
	FUZZ_CHECK(ntargets <= c->ntargets);
}

static int
load(const uint8_t *data, size_t len, struct lt_config *cfg, char err[static 1024])
{
	FILE *f;

	FUZZ_CHECK((f = fopen(path, "wb")) != NULL);
	FUZZ_CHECK(fwrite(data, 1, len, f) == len);
	FUZZ_CHECK(fclose(f) == 0);
	memset(err, 0, 1024);
	return lt_config_load(path, cfg, err, 1024);
}

#define MARK_MIN	4

/*
 * Replaces the value of every liid = "..." (and keepalive_liid) of at least
 * MARK_MIN octets with "Zq7Zq7..." of the same length; the count replaced.
 */
static int
mark_liids(uint8_t *t, size_t len)
{
	static const char mark[] = "Zq7";
	size_t i, j, k, v;
	int n = 0;

	for (i = 0; i + 4 <= len; i++) {
		if (memcmp(t + i, "liid", 4) != 0)
			continue;
		for (j = i + 4; j < len && (t[j] == ' ' || t[j] == '\t'); j++)
			;
		if (j >= len || (t[j] != '=' && t[j] != ':'))
			continue;
		for (j++; j < len && (t[j] == ' ' || t[j] == '\t'); j++)
			;
		if (j >= len || t[j] != '"')
			continue;
		for (k = ++j; k < len && t[k] != '"' && t[k] != '\\' &&
		    t[k] != '\n'; k++)
			;
		if (k >= len || t[k] != '"' || k - j < MARK_MIN)
			continue;
		for (v = j; v < k; v++)
			t[v] = (uint8_t)mark[(v - j) % 3];
		n++;
	}
	return n;
}

/* The house rule: an error message never quotes a LIID. */
static void
check_no_liid(const uint8_t *data, size_t len)
{
	struct lt_config cfg;
	char err[1024];
	uint8_t *t;

	/* The marker must be new to the text (libFuzzer learns it from strstr). */
	if (memmem(data, len, "liid", 4) == NULL ||
	    memmem(data, len, "Zq7", 3) != NULL ||
	    memmem(data, len, "q7Z", 3) != NULL ||
	    memmem(data, len, "7Zq", 3) != NULL || (t = malloc(len)) == NULL)
		return;
	memcpy(t, data, len);
	if (mark_liids(t, len) > 0) {
		if (load(t, len, &cfg, err) == 0)
			lt_config_free(&cfg);
		else if (strstr(err, "Zq7Z") != NULL || strstr(err, "q7Zq") != NULL ||
		    strstr(err, "7Zq7") != NULL) {
			fprintf(stderr, "error message quotes a LIID: %s\n", err);
			abort();
		}
	}
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lt_config cfg;
	char err[1024];
	int rc;

	if (path[0] == '\0') {
		int fd;

		/* tmpfs when there is one: the file is rewritten per input. */
		snprintf(path, sizeof(path), "%s/lawtap-fuzz-config.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		FUZZ_CHECK((fd = mkstemp(path)) >= 0);
		close(fd);
		atexit(remove_tmp);
	}
	rc = load(data, len, &cfg, err);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		check(&cfg);
		lt_config_free(&cfg);
	} else {
		/* An operator gets a message, and it names the file. */
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0);
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		check_no_liid(data, len);
	}
	return 0;
}
