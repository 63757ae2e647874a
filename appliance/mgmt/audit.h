/* audit.h - the append-only audit log: keyed hash chain, signed checkpoints, verification. */
#ifndef LT_AUDIT_H
#define LT_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/*
 * audit.log, one entry per line, canonical compact JSON in this key order:
 *   {"seq":N,"time":"YYYY-MM-DDTHH:MM:SSZ","role":R,"event":E,"detail":{..},"mac":"<64 hex>"}
 * detail is written with its keys sorted, ASCII only, integers/strings/
 * bools/null/arrays/objects (no reals).  mac = BLAKE2b-256 keyed with the
 * audit key over (previous entry's mac, 32 zero bytes before seq 0) || the
 * line without its ",\"mac\":..." part, i.e. ending "...,"detail":{..}}".
 * Entry seq 63, 127, 191 ... (seq % 64 == 63) and the entry right after each
 * "commit" are "checkpoint" entries (role daemon) whose detail is
 * {"sig":"<128 hex>"}: Ed25519 over "lawtap-audit-checkpoint-v1" || seq of
 * the checkpoint (u64be) || previous entry's mac.
 *
 * audit.head, replaced atomically after every append, records how many
 * entries there are and the last mac, tagged with the audit key: it is how
 * deleting whole entries from the end is noticed.  (An attacker who kept an
 * old audit.head and the key-less log could roll both back together; ship
 * the log off the box for that.)
 *
 * A crash mid-append leaves a partial last line ("torn").  The log then
 * takes no new entries until an officer acknowledges it (lt_audit_ack_torn):
 * the acknowledgement ends the torn bytes with '\n' and records their length
 * and BLAKE2b in a "torn-ack" entry, so nothing is ever cut from the file
 * and verification can tell that crash from an edit.  Callers treat
 * LT_AUDIT_ETORN as "refuse the action": nothing happens unaudited.
 *
 * Details must never hold a LIID, a target, or an agency-warrant link:
 * warrants appear by their opaque id ("W" + 16 hex).  lt_audit_append
 * rejects the detail keys that name identities (liid, target, username,
 * ip, ...) and string values that are IP addresses; the rest is the
 * caller's duty.
 */

#define LT_AUDIT_LOG		"audit.log"
#define LT_AUDIT_HEAD		"audit.head"
#define LT_AUDIT_KEY_LEN	32
#define LT_AUDIT_MAC_LEN	32
#define LT_AUDIT_SK_LEN		64	/* crypto_sign_SECRETKEYBYTES */
#define LT_AUDIT_PK_LEN		32	/* crypto_sign_PUBLICKEYBYTES */
#define LT_AUDIT_CHECKPOINT_EVERY 64
#define LT_AUDIT_LINE_MAX	2048	/* a whole entry line, '\n' excluded */
#define LT_AUDIT_DETAIL_MAX	1024	/* the detail object as written */

/* Negative returns; each comes with a message in err. */
#define LT_AUDIT_EIO		(-1)	/* system call failed */
#define LT_AUDIT_EINVAL		(-2)	/* bad argument or detail */
#define LT_AUDIT_ETORN		(-3)	/* crash left a torn tail: officer must acknowledge */
#define LT_AUDIT_ETAMPER	(-4)	/* the log fails verification */
#define LT_AUDIT_EBUSY		(-5)	/* another process holds the log */

enum lt_audit_role { LT_AUDIT_OFFICER, LT_AUDIT_OPERATOR, LT_AUDIT_DAEMON };

/* What verification found; LT_AUDIT_P_NONE and _TORN are not tampering. */
enum lt_audit_problem {
	LT_AUDIT_P_NONE,
	LT_AUDIT_P_TORN,	/* partial last line (crash), not acknowledged */
	LT_AUDIT_P_SYNTAX,	/* a line is not a canonical entry: edited */
	LT_AUDIT_P_SEQ,		/* seq out of order: deleted, inserted or moved */
	LT_AUDIT_P_MAC,		/* mac does not match: edited, or another key */
	LT_AUDIT_P_SIG,		/* checkpoint signature does not verify */
	LT_AUDIT_P_CHECKPOINT,	/* a checkpoint missing, or one where none belongs */
	LT_AUDIT_P_ACK,		/* torn-ack that does not match the bytes before it */
	LT_AUDIT_P_HEAD,	/* audit.head disagrees: entries cut from the end */
};

struct lt_audit_sum {
	uint64_t entries;	/* whole entries that verified */
	uint64_t last_seq;	/* of the last of them (valid if entries > 0) */
	uint64_t checkpoints;	/* signatures checked */
	uint64_t acked_torn;	/* crashes acknowledged on the way */
	enum lt_audit_problem problem;
	uint64_t first_bad_seq;	/* the seq expected where the problem is */
	unsigned first_bad_line;	/* 1-based line of it in audit.log */
};

/* One parsed entry; detail is owned by the entry (json_decref it). */
struct lt_audit_entry {
	uint64_t seq;
	int64_t time;
	enum lt_audit_role role;
	char event[33];
	json_t *detail;
	uint8_t mac[LT_AUDIT_MAC_LEN];
};

struct lt_audit;

const char *lt_audit_role_name(enum lt_audit_role r);
const char *lt_audit_problem_name(enum lt_audit_problem p);

/* The audit key from the machine key: crypto_kdf subkey 1, context "lt-audit". */
int lt_audit_key_from_machine(const uint8_t mk[static 32],
    uint8_t out[static LT_AUDIT_KEY_LEN]);

/*
 * Parses one line (without '\n') that must be a canonical entry; computes
 * its expected mac from prev_mac into mac_out (NULL: not computed).  0, or
 * -1 with a reason in why (names no content).  e->detail needs json_decref
 * on success only.
 */
int lt_audit_parse_line(const char *line, size_t len, struct lt_audit_entry *e,
    const uint8_t *key, const uint8_t *prev_mac, uint8_t *mac_out,
    const char **why);

/*
 * Opens (creating if need be, 0600) DIR/audit.log for appending and checks
 * all of it.  The keys are copied into locked memory.  Returns 0, or
 * LT_AUDIT_ETAMPER / LT_AUDIT_EIO / ... with a message.  A torn tail does
 * not fail the open: appends fail with LT_AUDIT_ETORN until acknowledged.
 */
int lt_audit_open(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t sign_sk[static LT_AUDIT_SK_LEN],
    const uint8_t sign_pk[static LT_AUDIT_PK_LEN], struct lt_audit **out,
    char *err, size_t errlen);
void lt_audit_close(struct lt_audit *a);

/*
 * Appends one entry (and a checkpoint when one is due) with one write and
 * an fsync, then replaces audit.head.  detail is a JSON object (NULL: {}),
 * borrowed.  event: 1..32 of [a-z0-9-], not "checkpoint" or "torn-ack".
 * Returns the entry's seq (>= 0), or a negative LT_AUDIT_E*.
 */
int64_t lt_audit_append(struct lt_audit *a, enum lt_audit_role role,
    const char *event, const json_t *detail, char *err, size_t errlen);
/* As lt_audit_append at a given time (tests, imported events). */
int64_t lt_audit_append_at(struct lt_audit *a, time_t when, enum lt_audit_role role,
    const char *event, const json_t *detail, char *err, size_t errlen);

/* 1 while a torn tail waits for an officer's acknowledgement, else 0. */
int lt_audit_torn(const struct lt_audit *a);
/*
 * The officer's acknowledgement of a torn tail (role must be officer; the
 * caller has authenticated them).  Returns the torn-ack entry's seq.
 */
int64_t lt_audit_ack_torn(struct lt_audit *a, enum lt_audit_role role,
    char *err, size_t errlen);

/*
 * Checks DIR/audit.log and audit.head from the first line to the last.
 * sign_pk NULL skips checkpoint signatures (counts them unchecked).
 * Returns 0 when the walk could be made (look at sum->problem, first
 * problem only), or LT_AUDIT_EIO with a message.  msg gets a sentence
 * about the problem for an operator (no entry content).
 */
int lt_audit_verify(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, struct lt_audit_sum *sum, char *msg, size_t msglen);

/*
 * As lt_audit_verify, calling fn for every entry that verified, in order
 * (fn returning < 0 stops the walk with that value).
 */
int lt_audit_walk(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, int (*fn)(void *, const struct lt_audit_entry *),
    void *arg, struct lt_audit_sum *sum, char *msg, size_t msglen);

/*
 * The last "commit" entry's detail: {"generation": G, "store_hash": hex32}.
 * 1 with both set, 0 if there is none, LT_AUDIT_ETAMPER if the log does not
 * verify (a torn tail is fine), LT_AUDIT_EIO.
 */
int lt_audit_last_commit(const char *dir, const uint8_t mac_key[static LT_AUDIT_KEY_LEN],
    const uint8_t *sign_pk, uint64_t *generation, uint8_t store_hash[static 32],
    char *err, size_t errlen);

#endif
