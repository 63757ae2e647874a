/* seqkeep.h - the running appliance's side of seq.bin: restore at start, checkpoints, the clean save. */
#ifndef LT_SEQKEEP_H
#define LT_SEQKEEP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Before the workers start (after the slots and the session tables exist):
 * loads state_dir/seq.bin and sets each warrant's sequence numbers and
 * session CIN counter.  After a run that did not stop in order, the numbers
 * come from shm_dir/seq.shadow, which the owners kept up to date record by
 * record (a SIGKILL leaves it whole; a reboot does not); a warrant not found
 * there starts its numbers again and owes a cINReset on HI2 and HI3.  Its
 * session CINs go on past anything the lost run could have given.  Then
 * marks the file as belonging to a running appliance.  No-op without a state
 * directory.  0, or -1 with a message.
 */
int lt_seqkeep_start(const char *state_dir, const char *shm_dir, char *err, size_t errlen);

/* A warrant added by a reload into slot: where the same (LIID, CIN) stood. */
void lt_seqkeep_restore(unsigned slot);

/*
 * Saves where every warrant stands (main lcore).  clean: the workers have
 * stopped and everything was delivered or spooled, so the numbers are exact.
 */
int lt_seqkeep_save(bool clean, char *err, size_t errlen);

void lt_seqkeep_free(void);

#endif
