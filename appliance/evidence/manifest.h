/* manifest.h - the evidence manifest's line format: build, parse and hash one line (pure, fuzzed). */
#ifndef LT_EV_MANIFEST_H
#define LT_EV_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * A manifest is text, one line per record, '\n' terminated (doc/evidence.md):
 *   lawtap-evidence v1 store=<32 hex>
 *   F seq=N file=NAME size=N packets=N first=S.UUUUUU last=S.UUUUUU
 *     sha256=<64 hex> prev=<64 hex> hash=<64 hex>          (one line)
 *   S seq=N hash=<64 hex> ed25519=<128 hex>
 * Numbers are decimal without leading zeros, hex is lower case, fields are
 * separated by one space.  Parsing is strict: a line parses only if
 * formatting what was parsed gives back the same bytes.
 */
#define EV_MANIFEST	"MANIFEST"
#define EV_LINE_MAX	512		/* longest line, '\n' included */
#define EV_NAME_MAX	63		/* longest file name */
#define EV_ID_LEN	16		/* store id, bytes */
#define EV_HASH_LEN	32
#define EV_SIG_LEN	64
#define EV_PK_LEN	32
#define EV_SK_LEN	64

enum ev_line_type { EV_LINE_HEADER = 1, EV_LINE_FILE, EV_LINE_SIG };

/* One closed pcap file. */
struct ev_entry {
	uint64_t seq;
	char file[EV_NAME_MAX + 1];
	uint64_t size, packets;
	uint64_t first_sec, last_sec;	/* packet times; 0.0 if no packets */
	uint32_t first_usec, last_usec;
	uint8_t sha256[EV_HASH_LEN];	/* of the file's bytes */
	uint8_t prev[EV_HASH_LEN];	/* previous F line's hash, or genesis */
	uint8_t hash[EV_HASH_LEN];	/* SHA-256 of this line up to " hash=" */
};

/* The Ed25519 signature that follows each F line. */
struct ev_sig {
	uint64_t seq;
	uint8_t hash[EV_HASH_LEN];	/* the F line's hash */
	uint8_t sig[EV_SIG_LEN];
};

struct ev_line {
	enum ev_line_type type;
	union {
		uint8_t store_id[EV_ID_LEN];
		struct ev_entry f;
		struct ev_sig s;
	} u;
};

/*
 * A file name the store may write or list: 1..EV_NAME_MAX bytes of
 * [A-Za-z0-9._-], not starting with '.'.  1 if so, else 0.
 */
int ev_name_ok(const char *name, size_t len);

/* The header line (no '\n') into buf; returns its length. */
size_t ev_header_format(const uint8_t id[static EV_ID_LEN],
    char buf[static EV_LINE_MAX]);
/* The chain's first prev: SHA-256 of the header line without its '\n'. */
void ev_genesis(const uint8_t id[static EV_ID_LEN],
    uint8_t out[static EV_HASH_LEN]);

/*
 * Formats an F line with '\n' into buf, after computing e->hash from the
 * other fields (e->prev must be set).  Returns the length, or -1 if the
 * name is not ev_name_ok or a time's usec is over 999999.
 */
int ev_entry_format(struct ev_entry *e, char buf[static EV_LINE_MAX]);
/* Formats an S line with '\n'; returns the length. */
int ev_sig_format(const struct ev_sig *s, char buf[static EV_LINE_MAX]);

/* The message an S line signs: a fixed label and the F line's hash. */
#define EV_SIG_LABEL	"lawtap-evidence-v1 entry:"
#define EV_SIG_MSG_LEN	(sizeof(EV_SIG_LABEL) - 1 + EV_HASH_LEN)
void ev_sig_msg(const uint8_t hash[static EV_HASH_LEN],
    uint8_t msg[static EV_SIG_MSG_LEN]);

/*
 * Parses one line without its '\n' (len bytes, no NUL needed).  For an F
 * line, out->u.f.hash is the hash written in the line; the hash its
 * fields give is put in computed (may be NULL), so a caller can tell an
 * edited line.  Returns 0 or a negative EV_MF_E_*.
 */
enum {
	EV_MF_E_LONG = -1,	/* over EV_LINE_MAX - 1 bytes */
	EV_MF_E_TYPE = -2,	/* neither header, F nor S */
	EV_MF_E_FIELD = -3,	/* a field missing, misnamed or out of order */
	EV_MF_E_NUMBER = -4,	/* not a canonical decimal, or too large */
	EV_MF_E_HEX = -5,	/* not lower-case hex of the right length */
	EV_MF_E_NAME = -6,	/* a file name ev_name_ok refuses */
	EV_MF_E_TIME = -7,	/* not S.UUUUUU */
	EV_MF_E_TRAIL = -8,	/* bytes after the last field */
};
#define EV_MF_NERR	9
int ev_line_parse(const char *line, size_t len, struct ev_line *out,
    uint8_t computed[EV_HASH_LEN]);
const char *ev_mf_strerror(int e);

#endif
