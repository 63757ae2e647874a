/* fuzz_ctl.c - the control socket's request parser, and status replies read back and rendered. */
#include <string.h>

#include "mgmt/ctl.h"
#include "mgmt/statusfmt.h"
#include "fuzz.h"

static const char *const messages[] = {
	"request is not valid JSON (error at byte ",
	"request must be a JSON object",
	"request needs \"cmd\", a string",
	"\"cmd\" must be 1 to 32 characters from a-z 0-9 -",
	"request longer than 65536 bytes",
};

/* A parser message is one of the fixed ones: it can never quote the request. */
static int
known(const char *err)
{
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (strncmp(err, messages[i], strlen(messages[i])) == 0)
			return i != 0 || strspn(err + strlen(messages[0]), "-0123456789)") ==
			    strlen(err) - strlen(messages[0]);
	return 0;
}

static void
one_line(const char *p, size_t len)
{
	char err[256];
	json_t *req = (json_t *)1;
	const char *cmd;

	err[0] = '\0';
	if (lt_ctl_parse(p, len, &req, err, sizeof(err)) == 0) {
		FUZZ_CHECK(json_is_object(req));
		cmd = json_string_value(json_object_get(req, "cmd"));
		FUZZ_CHECK(cmd != NULL && strlen(cmd) >= 1 && strlen(cmd) <= 32);
		FUZZ_CHECK(strspn(cmd, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(cmd));
		json_decref(req);
	} else {
		FUZZ_CHECK(req == NULL && known(err));
	}
}

/* Text output stays within 79 columns; both renderers write something. */
static void
status(const char *p, size_t len)
{
	json_t *j = json_loadb(p, len, 0, NULL);
	struct lt_status s;
	char err[512], *out = NULL, *line, *q;
	size_t n = 0;
	FILE *f;

	if (j == NULL)
		return;
	if (lt_status_from_json(j, &s, err, sizeof(err)) == 0) {
		FUZZ_CHECK(s.nworkers <= LT_STATUS_MAX_WORKERS);
		FUZZ_CHECK(s.nagencies <= LT_STATUS_MAX_AGENCIES);
		if ((f = open_memstream(&out, &n)) != NULL) {
			FUZZ_CHECK(lt_status_text(&s, f) == 0);
			fclose(f);
			for (q = out; (line = strsep(&q, "\n")) != NULL;)
				FUZZ_CHECK(strlen(line) <= 79);
			free(out);
		}
		out = NULL;
		if ((f = open_memstream(&out, &n)) != NULL) {
			FUZZ_CHECK(lt_status_prometheus(&s, f) == 0);
			fclose(f);
			FUZZ_CHECK(n > 0);
			free(out);
		}
		lt_status_free(&s);
	} else {
		FUZZ_CHECK(s.workers == NULL && s.agencies == NULL);
		FUZZ_CHECK(strncmp(err, "status reply: ", 14) == 0 ||
		    strcmp(err, "out of memory for the status") == 0);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len, *nl;

	/* as the socket sees it: one request per line */
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one_line(p, (size_t)(nl - p));
	}
	status((const char *)data, len);
	return 0;
}
