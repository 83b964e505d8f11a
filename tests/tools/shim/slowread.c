/*
 * slowread.c - an LD_PRELOAD library for the end-to-end tests: a daemon's
 * own thread stops reading one socket, as a thread kept busy would, while
 * libzmq's I/O thread goes on taking what the peers send.
 *
 * zmq_msg_recv on a socket bound to KUSKA_SLOW_ENDPOINT (its
 * ZMQ_LAST_ENDPOINT, e.g. tcp://127.0.0.1:7401) waits while the file
 * KUSKA_SLOW_FILE exists, then goes on; the first call to wait creates
 * KUSKA_SLOW_FILE.hit, so a test knows the reader is held. Every other
 * socket, and every call while the file is absent, goes straight through.
 *
 * With KUSKA_SLOW_THREAD instead, the thread of that name (as
 * pthread_setname_np gave it: the consolidator's "kuska-query", which
 * answers queries) waits likewise in each zmq_msg_recv and
 * pthread_rwlock_rdlock it calls: a thread kept busy answering, whoever
 * reads the socket. With KUSKA_SLOW_AFTER set too, it waits in
 * pthread_rwlock_rdlock once the lock is taken, not before: a thread kept
 * busy holding the lock for reading, as a question's audit holds the
 * consolidator's conf_lock. With KUSKA_SLOW_MS=N too, each call made
 * while the file exists waits N ms, not until the file goes: a stream of
 * requests each answered in N ms. With KUSKA_SLOW_TXN set too, it waits
 * in mdb_txn_begin alone, as it begins a store's transaction to answer
 * (whatever it holds then, and nothing else), not in the other two: a
 * thread kept busy answering a question, as through its audit. With
 * KUSKA_SLOW_GLPK set instead, it waits in glp_simplex alone (GLPK's, found
 * with dlsym), not in the other three: with KUSKA_SLOW_THREAD=kuska-audit,
 * a disclosure audit that runs long, as on a loaded machine, the
 * consolidator's query thread free meanwhile. While KUSKA_SLOW_FILE.fail
 * exists too, each glp_simplex of that thread fails (GLP_EFAIL), the first
 * of each thread after GLPK_FAIL_AFTER_MS (creating KUSKA_SLOW_FILE.fail.hit):
 * an audit that fails once it has run a while, as one out of memory would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "hold.h"

/* Whether socket s is bound to KUSKA_SLOW_ENDPOINT. */
static int
is_slow(void *s)
{
	const char *want = getenv("KUSKA_SLOW_ENDPOINT");
	char ep[256];
	size_t len = sizeof(ep);

	if (want == NULL ||
	    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len) != 0 || len == 0)
		return 0;
	ep[len - 1] = '\0';
	return strcmp(ep, want) == 0;
}

/* Whether the calling thread is named KUSKA_SLOW_THREAD, as it was at
 * its first call here (a thread named at its start): asked once, so that
 * the other threads' calls cost no system call (a reader thread's every
 * receive goes through here). */
static int
is_slow_thread(void)
{
	static __thread int slow_thread = -1;
	const char *want = getenv("KUSKA_SLOW_THREAD");
	char name[16];

	if (slow_thread < 0)
		slow_thread = want != NULL &&
			      pthread_getname_np(pthread_self(), name,
						 sizeof(name)) == 0 &&
			      strcmp(name, want) == 0;
	return slow_thread;
}

/* Waits ms milliseconds; the first call creates file.hit, as
 * hold_while's first wait does. */
static void
hold_for(const char *file, unsigned long ms)
{
	static int said;

	if (!said) {
		hold_hit(file);
		said = 1;
	}
	usleep(ms * 1000);
}

/* s: the socket read, or NULL (a lock taken). */
static void
slow(void *s)
{
	const char *file = getenv("KUSKA_SLOW_FILE");

	if (getenv("KUSKA_SLOW_THREAD") != NULL) {
		const char *ms = getenv("KUSKA_SLOW_MS");

		if (!is_slow_thread() || file == NULL ||
		    access(file, F_OK) != 0)
			return;
		if (ms != NULL)
			hold_for(file, strtoul(ms, NULL, 10));
		else
			hold_while(file);
		return;
	}
	/* The file first: is_slow asks libzmq, at every read. */
	if (s != NULL && file != NULL && access(file, F_OK) == 0 && is_slow(s))
		hold_while(file);
}

int
pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	static int (*real)(pthread_rwlock_t *);
	int r;

	if (real == NULL)
		real = (int (*)(pthread_rwlock_t *))dlsym(
		    RTLD_NEXT, "pthread_rwlock_rdlock");

	if (getenv("KUSKA_SLOW_TXN") != NULL ||
	    getenv("KUSKA_SLOW_GLPK") != NULL)
		return real(l);
	if (getenv("KUSKA_SLOW_AFTER") == NULL) {
		slow(NULL);
		return real(l);
	}
	r = real(l);
	slow(NULL);
	return r;
}

int
zmq_msg_recv(zmq_msg_t *msg, void *s, int flags)
{
	static int (*real)(zmq_msg_t *, void *, int);

	if (real == NULL)
		real = (int (*)(zmq_msg_t *, void *, int))dlsym(RTLD_NEXT,
								"zmq_msg_recv");

	if (getenv("KUSKA_SLOW_TXN") == NULL &&
	    getenv("KUSKA_SLOW_GLPK") == NULL)
		slow(s);
	return real(msg, s, flags);
}

/* GLPK's glp_simplex(glp_prob *, const glp_smcp *), without its header:
 * the shim links no GLPK, the daemon's is found at run time. */
int glp_simplex(void *p, const void *parm);

/* glpk.h's GLP_EFAIL: the simplex could not go on. */
#define SHIM_GLP_EFAIL 0x05
/* How long the first failing glp_simplex of a thread waits: past the 2 s
 * after which the consolidator says a release is being computed
 * (query_net_watch.c's PREPARING_AFTER_MS). */
#define GLPK_FAIL_AFTER_MS 3000

/* Whether this glp_simplex is to fail: on the KUSKA_SLOW_THREAD thread,
 * while KUSKA_SLOW_FILE.fail exists; the thread's first waits
 * GLPK_FAIL_AFTER_MS. */
static int
glpk_fails(void)
{
	static __thread int waited;
	const char *file = getenv("KUSKA_SLOW_FILE");
	char fail[PATH_MAX - sizeof(".hit")]; /* hold_hit adds .hit */
	int n;

	if (file == NULL || getenv("KUSKA_SLOW_THREAD") == NULL ||
	    !is_slow_thread())
		return 0;
	n = snprintf(fail, sizeof(fail), "%s.fail", file);
	if (n < 0 || (size_t)n >= sizeof(fail) || access(fail, F_OK) != 0)
		return 0;
	if (!waited) {
		hold_hit(fail);
		usleep(GLPK_FAIL_AFTER_MS * 1000);
		waited = 1;
	}
	return 1;
}

int
glp_simplex(void *p, const void *parm)
{
	static int (*real)(void *, const void *);

	if (real == NULL)
		real = (int (*)(void *, const void *))dlsym(RTLD_NEXT,
							    "glp_simplex");
	if (getenv("KUSKA_SLOW_GLPK") != NULL) {
		if (glpk_fails())
			return SHIM_GLP_EFAIL;
		slow(NULL);
	}
	return real(p, parm);
}

int
mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn)
{
	static int (*real)(MDB_env *, MDB_txn *, unsigned int, MDB_txn **);

	if (real == NULL)
		real = (int (*)(MDB_env *, MDB_txn *, unsigned int,
				MDB_txn **))dlsym(RTLD_NEXT, "mdb_txn_begin");

	if (getenv("KUSKA_SLOW_TXN") != NULL)
		slow(NULL);
	return real(env, parent, flags, txn);
}
