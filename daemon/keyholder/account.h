/*
 * account.h - what each node has asked of a key holder, and how much it
 * may still ask: a token bucket per node that holds at most one day's
 * allowance (rate_per_day evaluations) and refills continuously at that
 * rate. A request that asks for more than is left is refused whole: a
 * dictionary sweep (10^8 DNIs) runs dry after one day's allowance, while
 * a node's ordinary volume, even a full resubmission after a key
 * rotation, fits many times over.
 *
 * Accounts live in memory and, when the config names an accounts file,
 * on disk too (account_charge before each evaluation, account_load at
 * start): without it a restart of the key holder refilled every
 * allowance, and a node's key can force a restart (a message of endless
 * parts meets the unit's MemoryMax, docs/SECURITY.md), a fresh day's
 * worth each time. The file never gives back what was evaluated: a write
 * charges a node's request and, ahead, a reserve its next requests take
 * without a write of their own (about a second's worth at its recent
 * rate, at most 1/ACCOUNT_RESERVE_SHARE of rate_per_day), so that a
 * stolen key asking one element at a time is not one synced write a
 * request; a kill or a power cut keeps the reserve charged, a stop gives
 * it back (account_release).
 */
#ifndef KUSKA_ACCOUNT_H
#define KUSKA_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "log.h"
#include "registry.h"

#define ACCOUNT_MAX REGISTRY_MAX_PARTIES
#define ACCOUNT_AUDIT_KEYS 4 /* key names an event=evaluated line keeps */
#define ACCOUNT_AUDIT_SEEN REGISTRY_MAX_KEYS /* keys a line tells apart */
/* A reserve charged ahead covers this long at the node's recent rate, */
#define ACCOUNT_RESERVE_MS 1000
/* and at most rate_per_day / ACCOUNT_RESERVE_SHARE evaluations. */
#define ACCOUNT_RESERVE_SHARE 100

struct account {
	char id[KEYS_ID_MAX]; /* the node's party id in the registry */
	double allowance;     /* evaluations it may ask now */
	uint64_t refill_ms;   /* when allowance was last brought up to date */
	uint64_t requests, evaluations;
	uint64_t refused_rate;	/* elements refused: allowance spent */
	uint64_t refused_other; /* elements refused for any other reason */
	/* Wall clock, 0 never; last_refusal_ms: its last refusal for the
	 * rate (refused_rate), not for another reason. */
	uint64_t last_request_ms, last_refusal_ms;
	/* Evaluations the accounts file charges ahead, counted in it as
	 * made and not in its allowance: what the node's next requests take
	 * without writing it (account_charge), until its allowance is
	 * full (a reload lowering the rate too: refill ends it, as the
	 * file's would refill on past that). charged_ms: monotonic time
	 * of the last write that charged a request of the node (0: none);
	 * charged_since: the evaluations taken since, that one's included. */
	uint64_t reserve, charged_ms, charged_since;
	uint64_t unlogged;  /* rate refusals since the last log line */
	uint64_t logged_ms; /* monotonic time of that line */
	/* Its evaluations not yet in an event=evaluated line, and the
	 * monotonic time of the last such line (0: none yet). */
	uint64_t audit_requests, audit_elements, audit_ms;
	/* The registry keys those evaluations were asked with
	 * (account_audit_key): the first ACCOUNT_AUDIT_KEYS by name, in
	 * the order first used, and each one told apart by a hash of its
	 * name, so that the others are counted as keys, not requests: a
	 * node's key replaced (or a second one in use) shows in it. */
	char audit_keys[ACCOUNT_AUDIT_KEYS][KEYS_ID_MAX];
	uint64_t audit_seen[ACCOUNT_AUDIT_SEEN];
	unsigned audit_n_keys, audit_n_seen, audit_more_keys;
	/* Its other refusals' lines: a node can send bad requests as fast
	 * as it likes, and none of them spends its allowance. */
	struct log_budget refused_log;
};

struct accounts {
	struct account a[ACCOUNT_MAX];
	size_t n;
};

/*
 * account_of - the account of node id, opened with a full day's
 * allowance the first time it is asked for. NULL when ACCOUNT_MAX
 * accounts are open (more nodes than a registry may list).
 */
struct account *account_of(struct accounts *as, const char *id,
			   unsigned long rate_per_day, uint64_t mono_ms);

/*
 * account_take - brings a's allowance up to date at mono_ms and takes n
 * evaluations from it. Returns true when they were there (and are now
 * taken), false when the request must be refused (nothing is taken).
 */
bool account_take(struct account *a, unsigned long rate_per_day, size_t n,
		  uint64_t mono_ms);

/* account_left - the allowance at mono_ms, in whole evaluations. */
uint64_t account_left(struct account *a, unsigned long rate_per_day,
		      uint64_t mono_ms);

/*
 * account_audit_key - counts key (a registry key's name) among those
 * a's evaluations since its last event=evaluated line were asked with.
 */
void account_audit_key(struct account *a, const char *key);

/*
 * account_audit_keys - those keys, for that line, into buf (cap bytes,
 * cut if it is short): their names comma-separated in the order first
 * used, the first ACCOUNT_AUDIT_KEYS of them, then ",+N" for the N other
 * keys ("pnp-1,pnp-2027"; "a,b,c,d,+3" for seven keys, however many
 * requests each asked). Forgets them, for the next line. Returns buf.
 */
const char *account_audit_keys(struct account *a, char *buf, size_t cap);

/*
 * account_save - writes every account of as to path (file_replace, mode
 * 0600: synced, so it outlives a power cut as well as a kill or a
 * restart): each node's allowance as at mono_ms and wall_ms and its
 * counts, its reserve charged ahead taken from the one and counted in
 * the evaluations of the other, and its last request's and last refusal's
 * times. Returns 0 when path has them, or -errno when it is untouched. When
 * only the sync of path's directory failed (path has them; a power cut may
 * bring back the file before), that -errno goes to *ret_unsynced (0 otherwise);
 * ret_unsynced may be NULL.
 */
int account_save(struct accounts *as, const char *path,
		 unsigned long rate_per_day, uint64_t mono_ms, uint64_t wall_ms,
		 int *ret_unsynced) __attribute__((warn_unused_result));

/*
 * account_charge - has path charge the n evaluations account_take just
 * took from a (one of as), counted as made, before they are made: a
 * restart, which a node's key can force, must not give them back.
 * Returns 1 when a's reserve, charged by an earlier write, covers them:
 * taken from it, nothing written. Else writes path, charging with them a
 * new reserve: what a took in ACCOUNT_RESERVE_MS at its rate since its
 * last such write, at most rate_per_day / ACCOUNT_RESERVE_SHARE and what
 * is left. Returns 0 when path has them: they may be evaluated
 * (*ret_unsynced as in account_save: a power cut may lose them, a
 * restart does not; a then has no reserve, as for a failed write, so
 * that its next request writes and syncs again). Returns -errno when
 * path could not be written: the n are given back to a's allowance, a
 * has no reserve (its next request writes), and the request is to be
 * refused, since an evaluation the next start would not know of is one a
 * restart gives again.
 */
int account_charge(struct accounts *as, struct account *a, size_t n,
		   const char *path, unsigned long rate_per_day,
		   uint64_t mono_ms, uint64_t wall_ms, int *ret_unsynced)
    __attribute__((warn_unused_result));

/*
 * account_release - gives back every reserve charged ahead, for the
 * stop's last account_save: the file then holds what was made.
 */
void account_release(struct accounts *as);

/*
 * account_load - opens the accounts saved in path, each with the
 * allowance it had then plus the refill of the wall-clock time since
 * (none if the clock went back), capped at rate_per_day, its counts and
 * times (a file of version 1, before the times were kept: 0, never). A
 * missing file is no account (0): the first start. Returns 0, or -errno with
 * why in err (path:line for a malformed line); as is then left empty.
 */
int account_load(struct accounts *as, const char *path,
		 unsigned long rate_per_day, uint64_t mono_ms, uint64_t wall_ms,
		 char *err, size_t cap) __attribute__((warn_unused_result));

/*
 * account_check_path - for -n: whether the daemon could keep its
 * accounts in path: path, if it is there, a file it may read and write,
 * and its directory one it may write (the file is replaced through a
 * temporary beside it). Asked of this process's user; run by root, of
 * the directory's owner (daemon_may). Returns 0, or -errno with why in why (cap
 * bytes): -ENOENT when the directory does not exist, -EISDIR for a
 * directory at path, -EACCES, -EROFS, -ENOTDIR.
 */
int account_check_path(const char *path, char *why, size_t cap)
    __attribute__((warn_unused_result));

#endif
