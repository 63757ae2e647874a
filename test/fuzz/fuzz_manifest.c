/* fuzz_manifest.c - the manifest line parser and chain walk on arbitrary bytes, with round-trip and bound invariants. */
#include <string.h>

#include "evidence/chain.h"
#include "evidence/manifest.h"
#include "fuzz.h"

static int
count_entry(void *arg, const struct ev_entry *e, unsigned line)
{
	FUZZ_CHECK(line > 0 && ev_name_ok(e->file, strlen(e->file)));
	(*(uint64_t *)arg)++;
	return 0;
}

/* A line that parses must come back byte for byte when formatted again. */
static void
roundtrip(const char *p, size_t n)
{
	uint8_t computed[EV_HASH_LEN];
	char buf[EV_LINE_MAX];
	struct ev_line l;
	int r, m;

	r = ev_line_parse(p, n, &l, computed);
	FUZZ_CHECK(r <= 0 && r > -EV_MF_NERR);
	if (r < 0)
		return;
	if (l.type == EV_LINE_FILE) {
		struct ev_entry e = l.u.f;

		m = ev_entry_format(&e, buf);
		FUZZ_CHECK(m > 0 && (size_t)m == n + 1 && buf[n] == '\n');
		FUZZ_CHECK(memcmp(e.hash, computed, EV_HASH_LEN) == 0);
		/* the stated hash is what was read, not what formatting gave */
		FUZZ_CHECK(memcmp(buf, p, n - 2 * EV_HASH_LEN) == 0);
	} else if (l.type == EV_LINE_SIG) {
		m = ev_sig_format(&l.u.s, buf);
		FUZZ_CHECK((size_t)m == n + 1 && memcmp(buf, p, n) == 0);
	} else {
		FUZZ_CHECK(l.type == EV_LINE_HEADER);
		m = (int)ev_header_format(l.u.store_id, buf);
		FUZZ_CHECK((size_t)m == n && memcmp(buf, p, n) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const uint8_t pk[EV_PK_LEN] = { 1 };
	struct ev_chain_cb cb = { count_entry, NULL, NULL };
	struct ev_chain ch;
	uint64_t entries = 0;
	const char *p, *nl;
	char *b;

	if ((b = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(b, data, len);
	for (p = b; p < b + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(b + len - p))) == NULL)
			nl = b + len;
		roundtrip(p, (size_t)(nl - p));
	}
	cb.arg = &entries;
	FUZZ_CHECK(ev_chain_walk(b, len, pk, &cb, &ch) == 0);
	FUZZ_CHECK(ch.entries == entries && ch.good_len <= len);
	FUZZ_CHECK(ch.good_len == 0 || b[ch.good_len - 1] == '\n');
	FUZZ_CHECK(ch.crash_problems <= ch.problems);
	FUZZ_CHECK(len > 0 || ch.problems == 1);
	free(b);
	return 0;
}
