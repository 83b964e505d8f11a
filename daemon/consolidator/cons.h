/*
 * cons.h - the state kuska-consolidator's socket handlers share (main.c
 * builds it, with reload.c and start.c; peers.c, ingest_net.c, control.c
 * and query_net*.c act on it), the one way they answer a request, and its
 * freeing.
 *
 * Three kinds of thread use it. The main thread owns the sockets but the
 * query socket, and all of this but ig: it answers status and metrics at
 * once, from view. ig is the pipeline's writer thread's (pipeline.h):
 * batches, hellos and recoveries go through the pipeline in the order
 * they came, and each comes back with its answer and a fresh view. The
 * query thread (query_net.h) owns the query socket (through its reader
 * thread, query_reader.h, which alone touches it) and answers from read
 * transactions of its own, so that a long query (a release computed) does
 * not hold status up. What it shares with the main thread: the registry,
 * cfg, the indicator and population sets under conf_lock (held for reading
 * while it judges a request, or answers one during an audit, for writing
 * while a reload swaps them: never held through an audit, so a reload is
 * in force at once); what it still reads of them once conf_lock is let go
 * (a question's registry, indicators and population, through its audit),
 * kept by query_pin; the connection table under admit_mu; the atomic
 * counters.
 */
#ifndef KUSKA_CONS_H
#define KUSKA_CONS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "ingest.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "registry.h"
#include "settings.h"
#include "store.h"
#include "transport.h"
#include "unmatched_memo.h"

struct indset;	 /* indfile.h */
struct popset;	 /* popfile.h */
struct pipeline; /* pipeline.h */
struct ingest_job; /* ingest_net_int.h */

/* What a reload replaced, kept while jobs or a question may still use
 * it (cons_free_retired). */
struct retired_reg {
	struct registry *reg;
	struct indset *indicators; /* replaced with it, or NULL */
	struct popset *population; /* replaced with it, or NULL */
	uint64_t users;		   /* jobs judged by reg not yet taken back */
	uint64_t gen; /* the conf_gen they were in force in, its last */
	struct retired_reg *next;
};

/* Why the query thread refused a request (queries_refused); names in
 * control.c, as the log's reason=. */
enum query_refusal {
	QUERY_REFUSED_KEY_NOT_VALID, /* revoked, expired or removed */
	QUERY_REFUSED_NODE_KEY,	     /* a node's key: it may not query */
	QUERY_REFUSED_FRAME_COUNT,   /* not one frame */
	QUERY_REFUSED_MALFORMED,     /* not a query request */
	QUERY_REFUSED_TOO_LARGE,     /* over QUERY_MAX_BYTES or its frames */
	QUERY_REFUSED_COUNT,
};

struct cons {
	const char *conf_path;
	struct consolidator_config cfg;
	struct secret_key *key;
	struct registry *reg;
	struct indset *indicators; /* in force; NULL: none configured */
	struct popset *population; /* in force; NULL: none configured */
	struct store *st;
	struct ingest ig; /* the writer thread's while pipe runs */
	struct pipeline *pipe;
	unsigned threads; /* verifying threads, the writer among them */
	/* Jobs judged by reg not yet taken back (retired_reg: by theirs). */
	uint64_t reg_users;
	struct retired_reg *retired;
	struct ingest_view view; /* ig as of the last job taken back */
	struct transport *t;
	struct tsock *zap, *ingest, *ingest_mon, *control, *query;
	struct tsock *query_mon;
	uint64_t handshake_failures;
	_Atomic uint64_t frames_refused;
	/* Nodes' messages refused for our own store, not for what they are
	 * (ingest_net.c, refusal_count); main thread. */
	uint64_t store_refused;
	/* Nodes' messages read while the pipeline is full, waiting for room
	 * (ingest_net.c, wait_push): by institution, in the order they came,
	 * how many and their frames' bytes; the institutions taken in turn
	 * from waiting_turn, so that a node catching up with a wide window
	 * does not put the others behind all of its batches. Main thread. */
	struct ingest_job *waiting_head[INST_COUNT + 1];
	struct ingest_job *waiting_tail[INST_COUNT + 1];
	size_t waiting_all, waiting_turn;
	size_t waiting_n[INST_COUNT + 1];
	size_t waiting_bytes[INST_COUNT + 1];
	/* Of a node's messages, those refused at once as busy, past what
	 * its institution may have waiting (main thread). */
	uint64_t ingest_busy_refused;
	uint64_t control_refused; /* control requests (main thread) */
	/* Last hello or batch; the query thread reads it (deliveries). */
	_Atomic uint64_t contact_ms[INST_COUNT + 1];
	/* Heard at the last hello that said it: the node found our copy is
	 * not its outbox's (its words; "" not); its clock minus ours. */
	char diverged[INST_COUNT + 1][CODEC_MAX_TEXT + 1];
	/* Hellos that said so, since start. Nothing takes this back. */
	uint64_t diverged_hellos[INST_COUNT + 1];
	/* Batches refused since start for a sequence signed twice (a held
	 * one sent again with other bytes: ingest_net_set_conflict). The
	 * diverged mark it raises goes with the genuine node's next accepted
	 * event, when the genuine node was first; this stays, for an
	 * alert. */
	uint64_t conflicts[INST_COUNT + 1];
	/* A hello is not signed: one that no longer says diverged does not
	 * clear diverged[] itself, or a transport key alone would clear the
	 * alarm. It names its connection (routing id) here, and a batch on
	 * that connection with an event accepted, which takes the
	 * institution's signature, clears it (ingest_finish). A hello that
	 * says diverged again forgets it. Main thread. So does a hello
	 * with the node's signed proof that its outbox ends where our copy
	 * does (in_step, checked on the writer thread: run_hello), made
	 * now by our clock, once no hello said diverged for
	 * diverged_quiet_s (diverged_said_ms, our monotonic clock, when
	 * diverged_said): a live clone of the key proves nothing then. */
	struct diverged_clear {
		bool has;
		uint8_t rid[64];
		size_t rid_len;
	} diverged_clear[INST_COUNT + 1];
	uint64_t diverged_said_ms[INST_COUNT + 1];
	bool diverged_said[INST_COUNT + 1];
	bool has_skew[INST_COUNT + 1];
	int64_t skew_ms[INST_COUNT + 1];
	/* A node may say hello as fast as it likes: its lines are held to
	 * a budget, the skew warning's on the main thread, event=hello's
	 * on the writer's. */
	struct log_budget skew_log[INST_COUNT + 1];
	/* event=diverged and diverged_cleared, main thread: a stolen key's
	 * hellos can change the state at every hello; the state then
	 * restated once the budget allows (diverged_tick). */
	struct log_budget diverged_log[INST_COUNT + 1];
	struct log_budget hello_log[INST_COUNT + 1];
	/* The writer's: what the institution's last event=hello said, and
	 * on which connection (its routing id), when (monotonic): a hello
	 * that says the same again (a node asking for its take-up list at
	 * each kuska status) is not logged at info within the hour. */
	struct hello_said {
		bool has;
		uint8_t rid[64];
		size_t rid_len;
		uint64_t last_seq;
		char key[KEYS_ID_MAX];
		char peer[TRANSPORT_PEER_MAX];
		uint64_t at_ms;
	} hello_said[INST_COUNT + 1];
	struct log_budget recover_log[INST_COUNT + 1]; /* the writer's */
	/* The writer's: an institution's outbox id heard in a hello while
	 * none is stored, and the connection it came on (its routing id).
	 * Stored once a batch on that connection has an event accepted:
	 * a transport key alone, which cannot sign one, cannot pin it. */
	struct outbox_heard {
		bool has;
		uint8_t id[CODEC_OUTBOX_ID_LEN];
		uint8_t rid[64];
		size_t rid_len;
	} outbox_heard[INST_COUNT + 1];
	/* The writer's: the unmatched take-ups last listed for each
	 * institution's node (run_hello), freed by cons_free. */
	struct unmatched_memo unmatched_memo[INST_COUNT + 1];
	/* The main thread's lines of refused messages, by institution (0:
	 * a key no longer valid, whoever it was). */
	struct log_budget refusal_log[INST_COUNT + 1];
	/* Lines of handshakes ZAP refused (zap_decide, on the main thread):
	 * anyone with our public key can open connections with fresh keys
	 * at will. Keys the registry names (revoked, expired, not a node's,
	 * over max_connections) have a budget of their own, so that a flood
	 * of unknown keys cannot hide them. */
	struct log_budget auth_log, auth_known_log;
	/* Lines of peers closed over max_connections_per_key (peer_message,
	 * on both threads): used under admit_mu. */
	struct log_budget per_key_log;
	/* The query thread's lines of refused requests, by the key's
	 * institution (0: a key no longer valid, or one of no institution):
	 * a stolen node key can pipeline thousands of requests before its
	 * connection is closed, and reconnect. */
	struct log_budget query_refusal_log[INST_COUNT + 1];
	/* Its lines of requests refused for their frames, by the same
	 * index: a client sending them cannot hide a key's refusal. */
	struct log_budget query_frames_log[INST_COUNT + 1];
	/* The query thread's lines of answered requests (event=query), by
	 * the asker's place in the registry (parties[]), with whose it is
	 * (a reload may put another there): an audit trail, so a burst of
	 * their own, and what was held back is said (event=query_unlogged)
	 * once the asker pauses. An authenticated client asking without
	 * end wrote a line each, without bound. */
	struct query_log {
		char who[KEYS_ID_MAX];
		struct log_budget b;
	} query_log[REGISTRY_MAX_PARTIES];
	/* The query thread's: the answer of the last question told
	 * PREPARING (query_net_answer.c), its table or its failure, once
	 * its audit ended, kept for that question's next try by the same
	 * asker in the same role at the same threshold k (has: until then, or a
	 * while), where that try began the audit again whenever the data had
	 * changed meanwhile, or it failed. */
	struct preparing_kept {
		bool has;
		char who[KEYS_ID_MAX];
		enum role role; /* who's, then */
		struct query_req q;
		uint32_t k;
		uint64_t at_ms; /* monotonic */
		int r;		/* query_run's */
		struct qtable tab;
	} preparing_kept;
	/* Lines of control requests over the socket's limits (main
	 * thread): any local user of its group can send them. */
	struct log_budget control_log;
	struct mhist commit; /* batch taken up to committed, seconds */
	/* By table (query_tables) and role. */
	_Atomic uint64_t queries[QUERY_TABLES][ROLE_ANALYST + 1];
	/* Requests refused, by reason (enum query_refusal): a node's key
	 * asking (a stolen one, or officers not yet moved to a key of their
	 * own) shows here, not only in the journal. Those refused for their
	 * frames count in frames_refused too. */
	_Atomic uint64_t queries_refused[QUERY_REFUSED_COUNT];
	/* Of queries, those answered during an audit
	 * (query_net_watch.c's query_net_request_waits). */
	_Atomic uint64_t queries_during_audit;
	/* Of requests, those refused at once as busy: during an audit,
	 * past the HELD_MAX held (query_net_watch.c's look), or past what the
	 * query socket's reader keeps (query_reader.h); CODEC_QUERY_BUSY. */
	_Atomic uint64_t queries_refused_busy;
	/* Requests dropped unanswered by the query socket's reader, past
	 * its bounds and the refusals it sends a pass (query_reader.h). */
	_Atomic uint64_t queries_dropped;
	/* Requests the query socket's reader keeps waiting for the query
	 * thread (query_reader.h), set as it keeps and hands them on. */
	_Atomic uint64_t queries_waiting;
	struct admit *admit;	  /* connections of both network sockets */
	pthread_mutex_t admit_mu; /* held around every use of admit */
	/* Held for reading by the query thread while it judges a request
	 * (and answers one during an audit: bounded), for writing by the
	 * main thread while a reload changes reg, cfg and the indicator and
	 * population sets. Writers first (main.c): a reload waits for one
	 * answer at most, never for a stream of them. */
	pthread_rwlock_t conf_lock;
	/* Which reload's registry, indicators and population are in force:
	 * 1 at start, one more at each (main thread, under conf_lock). */
	uint64_t conf_gen;
	/* The conf_gen of those a question still reads once conf_lock is
	 * let go (query_net_answer.c's query_net_handle: its key's owner,
	 * its audit's indicators and population), 0 when none: what a reload
	 * replaces from that one on is freed only once it is let go. */
	_Atomic uint64_t query_pin;
	pthread_t query_thread;
	/* The query socket's reader thread, which alone uses c->query while
	 * the query thread runs (query_reader.h). */
	struct query_reader *qreader;
	bool query_running;
	int query_stop_fd; /* an eventfd that stops the query thread */
	uint64_t closed_since_log, handshakes_failed_since_log;
	uint64_t closed_logged_ms; /* monotonic */
	uint64_t metrics_written_ms;
};

/*
 * send_to - answers req (its routing id) on socket s with the len bytes of
 * buf. A reply that cannot be delivered is logged at debug and dropped.
 */
void send_to(struct tsock *s, const struct tframes *req, const uint8_t *buf,
	     size_t len);

/*
 * cons_free_retired - frees what reloads replaced that no job and no
 * question uses any more (all: every one, jobs or not).
 */
void cons_free_retired(struct cons *c, bool all);

/*
 * cons_free - releases whatever main acquired, the jobs in the pipeline
 * answered first; safe on a partly built struct.
 */
void cons_free(struct cons *c);

#endif
