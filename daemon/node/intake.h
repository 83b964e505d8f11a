/*
 * intake.h - the node's side of `kuska submit`: raw JSON lines in,
 * pseudonymised (through the key holders), signed envelopes committed to
 * the outbox, one result per line out.
 *
 * A request is handled in rounds of at most INTAKE_ROUND_RECORDS
 * records: parse them (each record asks the pseudonym batch for what it
 * needs), blind every new input at once, send them to the key holders,
 * take their answer, finish the batch (which writes every pseudonym into
 * its record and wipes the inputs), then check, sign and append each
 * record. Rounds overlap: while the key holders evaluate round k the node
 * parses round k+1, and while they evaluate round k+1 it signs and
 * stores round k, so that the node's one-threaded work and the holders'
 * multiplications share the processors. The whole request is one outbox
 * transaction: if any round fails (a key holder unreachable, refusing,
 * or answering inconsistently), nothing of the request is stored.
 *
 * A record the registry's grants do not let the institution emit is
 * refused as the consolidator would refuse it (grants: as the
 * consolidator said them at its last welcome, else DESIGN.md's).
 *
 * A dry run (kuska submit --dry-run) takes the same steps and stores,
 * signs and sends nothing; see intake.c for what it asks the key
 * holders, and dryrun.h for how its requests see one another.
 */
#ifndef KUSKA_INTAKE_H
#define KUSKA_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "keys.h"
#include "outbox.h"
#include "pseudo.h"
#include "record.h"
#include "registry.h"

#define INTAKE_ROUND_RECORDS 512 /* records parsed before a round */
#define INTAKE_ROUND_INPUTS 4096 /* or new inputs, whichever comes first */
#define INTAKE_MEMO_MAX 200000	 /* inputs remembered within a request */
#define INTAKE_SERVE_RECORDS 32	 /* lines between calls of serve */

#define INTAKE_RESIZE_TRIES 2 /* a round asked again in smaller requests */

/* Dropped dry runs whose later requests are refused: two officers' runs
 * at once drop each other's kept run, and each must still be told. */
#define INTAKE_DRY_DROPPED 16

/*
 * What the node asks the key holders (holders.h): the most elements one
 * request may carry (0: no bound); send n blinded elements (n * 32 bytes)
 * to be evaluated under key epoch `epoch`, in requests of per_request
 * elements (0: one); later, receive their answers added into out. send
 * and recv return 0, or -errno with a sentence for the submitter in why;
 * recv's -E2BIG: a holder took fewer elements in one request than it had
 * said, and request_max now tells how many.
 */
typedef size_t (*intake_request_max_fn)(void *arg);
typedef int (*intake_send_fn)(void *arg, uint32_t epoch,
			      const uint8_t *elements, size_t n,
			      size_t per_request, char *why, size_t whylen);
typedef int (*intake_recv_fn)(void *arg, uint32_t epoch, size_t n, uint8_t *out,
			      char *why, size_t whylen);

struct dryrun;

struct intake {
	enum institution inst;
	const char *network;	      /* signed into every envelope */
	const struct secret_key *key; /* signing key */
	const struct key32 *linkage;  /* linkage key and the key epoch */
	const struct key32 *ref_key;  /* this node's key for event ids */
	struct outbox *ob;
	intake_request_max_fn request_max;
	intake_send_fn send;
	intake_recv_fn recv;
	void *holders;		     /* their first argument */
	unsigned workers;	     /* threads for blinding and unblinding */
	const struct grants *grants; /* what the institution may emit */
	/*
	 * Called every INTAKE_SERVE_RECORDS lines parsed or records stored,
	 * every few identities blinded or unblinded (pseudo_batch_
	 * progress) and before the commit (NULL: never), so that the node
	 * answers status requests during a long submit. It must not touch
	 * the outbox's write transaction, this struct's request or the key
	 * holders.
	 */
	int (*serve)(void *arg);
	void *serve_arg;
	/* Kept by intake_submit (set up by intake_init). */
	struct pseudo_batch *batch;
	struct parsed_record *recs; /* 2 * INTAKE_ROUND_RECORDS of them */
	uint64_t refused;	    /* records refused since start */
	uint64_t rekeyed;	    /* records re-sent under a new epoch */
	uint64_t evaluations;	    /* elements sent to the key holders */
	uint64_t holder_failures;   /* requests refused for their sake */
	uint64_t evaluations_failed; /* of evaluations: in those requests */
	/* The last such reason and when ("": none since the holders last
	 * answered a request that was stored). */
	char holder_error[CODEC_MAX_TEXT + 40];
	uint64_t holder_error_ms;
	bool has_check;
	uint8_t check[PSEUDO_CHECK_LEN]; /* this epoch's check value */
	/* Requests refused for a full disk since start, and when the last
	 * was (0: the last commit worked). */
	uint64_t disk_full_total;
	uint64_t disk_full_ms;
	/* The dry run kept between its requests, the ids of the last
	 * INTAKE_DRY_DROPPED dropped (a ring, dry_dropped_next the oldest)
	 * and of the last one ended (intake_dry_end), when the kept one was
	 * last used (monotonic); dry is the run of the request being
	 * handled (NULL: a real one). */
	struct dryrun *dry_run;
	uint64_t dry_dropped[INTAKE_DRY_DROPPED];
	unsigned dry_dropped_next;
	uint64_t dry_ended;
	uint64_t dry_used_ms;
	struct dryrun *dry;
};

/*
 * intake_init - allocates what intake_submit keeps between requests
 * (the fields above it must be set). Returns 0 or -ENOMEM.
 * intake_free releases it.
 */
int intake_init(struct intake *in) __attribute__((warn_unused_result));
void intake_free(struct intake *in);

/*
 * intake_submit - handles one submit request: lines[i] (len[i] bytes)
 * is line first_line + i of a case system's file. Every accepted record
 * is committed in one transaction before this returns. Fills reply (type
 * CTL_SUBMIT_REPLY, its results array allocated; the caller clears it).
 * dry_run nonzero: a dry run of that id (see above), which commits
 * nothing; a request of a run that was dropped (one of the last
 * INTAKE_DRY_DROPPED) fails with -ESRCH, one
 * that would make the run hold over DRYRUN_MAX_REFS refs with -E2BIG.
 * Returns 0, or -errno when the whole request failed (reply->error says
 * why and nothing was stored): -ENOSPC no space left on the outbox's
 * device, -EFBIG the outbox's map is full, -EUCLEAN the outbox is
 * damaged, -ESTALE the outbox diverged from the consolidator's copy.
 */
int intake_submit(struct intake *in, uint64_t first_line, uint8_t *const *lines,
		  const size_t *lens, size_t n, uint64_t dry_run,
		  struct control *reply);

/*
 * intake_idle - drops the dry run kept if unused for DRYRUN_IDLE_MS (call
 * now and then with the monotonic clock; a mono_ms read before the run's
 * last request was served drops nothing).
 */
void intake_idle(struct intake *in, uint64_t mono_ms);

/*
 * intake_dry_end - drops the dry run kept when it is run id, whose client
 * said it is over (its results all read): what it would have stored
 * (about 700 MiB at a million case stages) is freed now rather than at
 * the next dry run or after DRYRUN_IDLE_MS. A later request of it fails
 * with -ESRCH too, told that the run had ended (not that it was dropped),
 * while it is the last run ended; it takes no place among the
 * INTAKE_DRY_DROPPED dropped (runs that ended must not push out one
 * dropped, whose officer is still to be told). Another id drops nothing.
 */
void intake_dry_end(struct intake *in, uint64_t id);

#endif
