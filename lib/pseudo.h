/*
 * pseudo.h - pseudonyms, version 2: an oblivious PRF under a key that no
 * node holds, then a keyed hash under the linkage key that every node
 * holds (docs/SECURITY.md says why both).
 *
 * For a normalised identity x (norm.h) in domain D:
 *	input     = field(D) || fields of x	(each field: 4-byte big-endian
 *						 length, then its bytes)
 *	y         = OPRF(k, input)		(oprf.h: RFC 9497, 64 bytes;
 *						 k = k1 + ... + kn, the key
 *						 holders' shares)
 *	pseudonym = BLAKE2b-256(key = linkage key, field(D) || field(y))
 * Domains (tags) and the fields that follow them:
 *	"kuska/victim/doc/v2"	document type, normalised number
 *	"kuska/victim/name/v2"	given names, surnames, birth date (4 bytes,
 *				days since 1970-01-01, big-endian two's
 *				complement), sex ("F", "M", "U")
 *	"kuska/case/v2"		normalised case file number
 *	"kuska/referral/v2"	sending institution ("pnp"...), number
 *	"kuska/check/v2"	nothing: the holders' consistency check
 *
 * A node computes pseudonyms in batches (struct pseudo_batch): the parser
 * adds requests (the normalised input, copied into sodium_malloc()
 * memory, and where the 32-byte result goes); the node blinds every new
 * input at once on all cores, sends the blinded elements to each key
 * holder, adds their answers, and finishes the batch, which unblinds,
 * hashes, writes every result where it was asked for and wipes the
 * inputs. Within one batch (one submit request) an input asked for twice
 * is evaluated once: the memo holds, until pseudo_batch_forget(), a keyed
 * hash of each input (under a random key of the batch) and its result.
 * While a round is out at the key holders, the next one may be gathered:
 * finishing a round writes the requests it answers and keeps the others.
 * Blinding and finishing a round of thousands of inputs takes a while
 * (some 50 us of processor per input): a caller that must answer other
 * requests meanwhile gives the batch a progress function
 * (pseudo_batch_progress), which the calling thread calls every few
 * inputs.
 *
 * Event ids are not pseudonyms of identities: they are keyed hashes of
 * the institution's own ref under a key of the node alone (the ref key),
 * which nothing else needs to match.
 */
#ifndef KUSKA_PSEUDO_H
#define KUSKA_PSEUDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define LINKAGE_KEY_LEN 32
#define REF_KEY_LEN 32
#define PSEUDO_ELEMENT_LEN 32	  /* a blinded or evaluated element */
#define PSEUDO_CHECK_LEN 32	  /* the holders' consistency check value */
#define PSEUDO_CHECK_ELEMENTS 2	  /* check elements hidden in each request */
#define PSEUDO_PROGRESS_INPUTS 16 /* inputs between progress calls */

struct pseudo_batch;

/* Where a batch stands, to take back what one refused line added. */
struct pseudo_mark {
	size_t requests, uniques, chunk, used;
};

/* pseudo_batch_new - an empty batch, or NULL (out of memory). */
struct pseudo_batch *pseudo_batch_new(void);

/* pseudo_batch_free - wipes and frees *b; accepts NULL; clears it. */
void pseudo_batch_free(struct pseudo_batch **b);

/*
 * pseudo_add_* - asks for the pseudonym of one identity, to be written to
 * out (PSEUDONYM_LEN bytes, which must stay in place until the batch is
 * finished or rolled back). When the batch already knows the result it
 * is written at once. The texts are copied; the caller wipes its own.
 * Return 0 or -ENOMEM.
 */
int pseudo_add_document(struct pseudo_batch *b, const char *doc_type,
			const char *norm_number, uint8_t out[PSEUDONYM_LEN])
    __attribute__((warn_unused_result));
int pseudo_add_name(struct pseudo_batch *b, const char *norm_given,
		    const char *norm_surnames, int32_t birth_days, enum sex sex,
		    uint8_t out[PSEUDONYM_LEN])
    __attribute__((warn_unused_result));
int pseudo_add_case(struct pseudo_batch *b, const char *norm_number,
		    uint8_t out[PSEUDONYM_LEN])
    __attribute__((warn_unused_result));
int pseudo_add_referral(struct pseudo_batch *b, enum institution sender,
			const char *norm_number, uint8_t out[PSEUDONYM_LEN])
    __attribute__((warn_unused_result));

/* pseudo_batch_mark - the batch's state now, for pseudo_batch_rollback. */
struct pseudo_mark pseudo_batch_mark(const struct pseudo_batch *b);

/*
 * pseudo_batch_rollback - forgets (and wipes) every request and input
 * added since mark m was taken; nothing of them will be evaluated. A mark
 * taken before the last pseudo_batch_blind or pseudo_batch_finish is
 * stale: nothing is then taken back.
 */
void pseudo_batch_rollback(struct pseudo_batch *b, struct pseudo_mark m);

/* pseudo_batch_pending - requests waiting for the next round. */
size_t pseudo_batch_pending(const struct pseudo_batch *b);

/* pseudo_batch_new_inputs - inputs the next round will evaluate. */
size_t pseudo_batch_new_inputs(const struct pseudo_batch *b);

/* pseudo_batch_known - inputs the memo holds (evaluated or waiting). */
size_t pseudo_batch_known(const struct pseudo_batch *b);

/*
 * pseudo_batch_blind - starts a round: blinds every input not yet
 * evaluated, on up to `threads` threads, to be sent to every key holder
 * in requests of at most per_request elements (0: one request): the
 * round is laid out in consecutive pieces of per_request elements (the
 * last one shorter), each hiding PSEUDO_CHECK_ELEMENTS blinded check
 * inputs at random places among its inputs, so that a holder that
 * applies another key to any one request is caught. *ret_elements (owned
 * by b, valid until the round is finished, abandoned or the batch
 * forgotten) holds *ret_n elements of PSEUDO_ELEMENT_LEN bytes. Returns
 * 0, -ENOMEM, -EINVAL (per_request leaves no room for an input beside
 * the check elements, or an input the OPRF cannot take, which does not
 * happen), -EALREADY (a round is open).
 */
int pseudo_batch_blind(struct pseudo_batch *b, unsigned threads,
		       size_t per_request, const uint8_t **ret_elements,
		       size_t *ret_n) __attribute__((warn_unused_result));

/*
 * pseudo_batch_abandon - ends the open round unanswered (a key holder
 * refused it as too large): its inputs wait for the next
 * pseudo_batch_blind, which blinds them anew. Returns 0, or -EINVAL when
 * no round is open.
 */
int pseudo_batch_abandon(struct pseudo_batch *b);

/*
 * pseudo_batch_finish - ends the round with the holders' answer:
 * evaluated holds one element per blinded one (the sum of every holder's
 * answer), in order. Unblinds and hashes on up to `threads` threads,
 * writes the result of every request the round answers (requests added
 * since it began stay for the next), wipes its inputs, and writes
 * the check value (PSEUDO_CHECK_LEN bytes: the pseudonym of the check
 * input, the same for every round and node of one key epoch). Returns 0;
 * -EINVAL when an element is not a valid group element; -EBADMSG when
 * the hidden check elements disagree (a holder did not apply one key to
 * the whole batch). On failure nothing is written and the round stays
 * open: the caller abandons the whole batch (pseudo_batch_forget).
 */
int pseudo_batch_finish(struct pseudo_batch *b, const uint8_t *evaluated,
			const uint8_t linkage[LINKAGE_KEY_LEN],
			unsigned threads, uint8_t check[PSEUDO_CHECK_LEN])
    __attribute__((warn_unused_result));

/*
 * pseudo_batch_progress - from now on, pseudo_batch_blind and
 * pseudo_batch_finish call fn(arg) on the calling thread after every
 * PSEUDO_PROGRESS_INPUTS inputs it blinds, or twice as many it finishes
 * (the other threads go on meanwhile); fn NULL: never. fn must not use
 * b.
 */
void pseudo_batch_progress(struct pseudo_batch *b, void (*fn)(void *arg),
			   void *arg);

/*
 * pseudo_batch_forget - wipes every input, request, blind, memo entry
 * and result of b; b is then as new (with a new memo key).
 */
void pseudo_batch_forget(struct pseudo_batch *b);

/*
 * pseudo_batch_provisional - while on, each pseudo_add_* writes at once
 * a provisional value instead of asking for the pseudonym: BLAKE2b-256
 * of the input under the batch's provisional key (random, in guarded
 * memory, the same until pseudo_batch_provisional_renew). Equal inputs
 * get equal values, which nothing outside this process can compute or
 * match with a pseudonym; they serve a dry run (kuska submit --dry-run),
 * which must tell equal records from different ones without asking the
 * key holders, and never leave the node's memory.
 */
void pseudo_batch_provisional(struct pseudo_batch *b, bool on);
void pseudo_batch_provisional_renew(struct pseudo_batch *b);

/*
 * pseudo_batch_local - a whole round in this process, with the full
 * OPRF key at hand (tests, tools: never a node, which has no such key).
 * Returns as pseudo_batch_blind and pseudo_batch_finish.
 */
int pseudo_batch_local(struct pseudo_batch *b, const uint8_t key[32],
		       const uint8_t linkage[LINKAGE_KEY_LEN])
    __attribute__((warn_unused_result));

/*
 * pseudo_event_id - an event id: BLAKE2b-256 keyed with the node's own
 * ref key over field("kuska/ref/v2"), field(institution), field(ref),
 * truncated to EVENT_ID_LEN bytes.
 */
void pseudo_event_id(const uint8_t key[REF_KEY_LEN], enum institution inst,
		     const char *ref, uint8_t out[EVENT_ID_LEN]);

#endif
