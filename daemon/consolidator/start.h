/*
 * start.h - kuska-consolidator's checks before it serves (the store's
 * lock, soundness and owner) and the modes that work on the store and
 * stop: --audit and --refetch, and the store's files given back to the
 * daemon's user when run as root. main.c calls them; --repair and
 * --rebuild are run from main() itself (repair.c, ingest_rebuild.c).
 */
#ifndef KUSKA_START_H
#define KUSKA_START_H

#include <stdbool.h>
#include <stdint.h>

#include "cons.h"
#include "event.h"
#include "settings.h"

/* What --refetch names: an institution and the first sequence to drop. */
struct refetch {
	enum institution inst;
	char name[16];
	uint64_t seq;
};

/*
 * start_check_store - the whole store's check, begun by
 * store_check_start(dir) before any thread, finished before anything
 * serves from the store (store_check_finish: *chk is freed). Returns 0
 * when it is sound; otherwise says what is damaged and what to do on
 * stderr and returns 1.
 */
int start_check_store(struct store_checking **chk, const char *dir,
		      const char *conf);

/*
 * start_check_owner - a store of another deployment (a backup of the
 * wrong machine), or a registry of another, is refused before anything is
 * served from it or the nodes are told, wrongly, to rebuild their outboxes
 * from it. A registry that only lacks the key or party of some
 * institutions (one removed where it should have been revoked) is this
 * store's: it starts, saying what is missing, since a refusal would wait
 * for the next restart and its advice (start from an empty store) would
 * lose their events. A refusal leads with the same remedy: a registry that
 * dropped every key that signed the store looks, here, like another
 * deployment's.
 */
void start_check_owner(struct cons *c, const char *conf, bool rebuilding);

/*
 * start_audit - --audit: the whole store read and its checksums verified,
 * then every envelope verified again and the sequences counted. Frees c;
 * returns the exit status, 0 OK, 1 not.
 */
int start_audit(struct cons *c);

/*
 * start_free_and_own - cons_free, then the store's files given to the
 * daemon's user: the store closed first, as opening and closing lock.mdb
 * in a process that has it open drops LMDB's fcntl locks on it.
 */
void start_free_and_own(struct cons *c);

/*
 * start_parse_refetch - reads --refetch's INST:SEQ before anything is
 * opened. Returns 0, or -1 after saying on stderr what is wrong: a usage
 * error (exit 2), as kuska-consolidator(8) says.
 */
int start_parse_refetch(const char *arg, struct refetch *rf);

/*
 * start_workers - the verifying threads the config asks for (workers; 0:
 * every core).
 */
unsigned start_workers(const struct consolidator_config *cfg);

/*
 * start_refetch - --refetch INST:SEQ: drops INST's sequences from SEQ on
 * and rebuilds the statistics; its node sends them again and they are
 * checked as new (dead letters made by a mistake since corrected come
 * back). Frees c; returns the exit status, 0 (a failure is fatal).
 */
int start_refetch(struct cons *c, const struct refetch *rf);

/*
 * start_lock_store - takes the store's directory for this process, and
 * says so when it did not exist: a mistyped data_dir would otherwise serve
 * from an empty store without a word. mode names --repair, --rebuild or
 * --refetch, which need a store: without one they stop (and the new one
 * goes).
 */
void start_lock_store(struct cons *c, const char *mode);

#endif
