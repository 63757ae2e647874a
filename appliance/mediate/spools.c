/* spools.c - where each connection's spool lives, and the key that seals it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mediate/spools.h"
#include "mgmt/keys.h"

#define SPOOL_KDF_CTX	"ltspool1"	/* crypto_kdf context: 8 bytes */

int
lt_spools_key(const char *state_dir, uint8_t *key, char *err, size_t errlen)
{
	uint8_t *dk = sodium_malloc(LT_KEY_LEN);
	int dirfd, r = -1;

	if (dk == NULL) {
		snprintf(err, errlen, "spool: out of memory");
		return -1;
	}
	if ((dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: cannot open the state directory: %s", state_dir,
		    strerror(errno));
	} else if (lt_keys_unlock_machine(dirfd, dk, err, errlen) == 0) {
		crypto_kdf_derive_from_key(key, LT_SPOOL_KEY_LEN, 1, SPOOL_KDF_CTX, dk);
		r = 0;
	}
	if (dirfd >= 0)
		close(dirfd);
	sodium_free(dk);
	return r;
}

int
lt_spools_open(const struct lt_config *cfg, uint32_t agency, const char *hi,
    const char *state_dir, const uint8_t *key, struct lt_spool **sp, char *err,
    size_t errlen)
{
	char base[1100], dir[1200];

	*sp = NULL;
	if (cfg->spool_bytes == 0)
		return 0;
	if (key == NULL || (cfg->spool_dir[0] == '\0' && state_dir == NULL)) {
		snprintf(err, errlen, "delivery: spool_mb needs --state DIR: the spool is "
		    "sealed with the store's key");
		return -1;
	}
	if (cfg->spool_dir[0] != '\0')
		snprintf(base, sizeof(base), "%s", cfg->spool_dir);
	else
		snprintf(base, sizeof(base), "%s/spool", state_dir);
	if (mkdir(base, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create the spool directory: %s", base,
		    strerror(errno));
		return -1;
	}
	/* agency ids are [A-Za-z0-9._-]: a safe name, and no target's */
	snprintf(dir, sizeof(dir), "%s/%s-%s", base, cfg->agencies[agency].id, hi);
	return lt_spool_open(dir, cfg->spool_bytes, key, sp, err, errlen);
}
