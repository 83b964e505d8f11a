/*
 * guard.h - a risky read in a child process.
 *
 * LMDB trusts its file: a page damaged on disk can send it through a wild
 * pointer, and a file shorter than its map raises SIGBUS. The daemons
 * therefore read their whole store once, at start, in a child made by
 * guard_run: if the child dies by a signal, the parent learns that the
 * file is damaged instead of dying itself. The child cannot dump core
 * (it holds a copy of the parent's memory, keys included).
 */
#ifndef KUSKA_GUARD_H
#define KUSKA_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GUARD_CRASHED 1		  /* guard_run: the child died by a signal */
#define GUARD_MAX_OUT (16u << 20) /* bytes of output kept */

/*
 * guard_fn - the work done in the child. It writes what the parent needs
 * to fd (guard_write) and returns 0 or -errno (at most 255). It must not
 * touch sockets or threads of the parent.
 */
typedef int (*guard_fn)(void *arg, int fd);

/*
 * guard_run - runs fn(arg, fd) in a child and waits for it. The bytes it
 * wrote come back in *ret_out (malloc'd, the caller frees; up to
 * GUARD_MAX_OUT) and *ret_len. Returns fn's result (0 or -errno),
 * GUARD_CRASHED with *ret_signal set when the child died by a signal,
 * or -errno when the child could not be made.
 */
int guard_run(guard_fn fn, void *arg, uint8_t **ret_out, size_t *ret_len,
	      int *ret_signal) __attribute__((warn_unused_result));

/* A child guard_start made, until guard_wait. */
struct guard_child {
	pid_t pid;
	int fd; /* the read end of its output */
};

/*
 * guard_start - guard_run in two halves: makes the child running
 * fn(arg, fd) and returns at once, 0 or -errno (no child then). A process
 * that will have threads (libzmq's) forks it before they exist, where a
 * child may call anything, and waits for it once they run. The child
 * dies with the thread that made it.
 */
int guard_start(guard_fn fn, void *arg, struct guard_child *ret)
    __attribute__((warn_unused_result));

/*
 * guard_wait - reads the output of the child ch and waits for it; then
 * as guard_run. The child's output must be read here: until then it
 * waits once it has written what a pipe holds.
 */
int guard_wait(struct guard_child *ch, uint8_t **ret_out, size_t *ret_len,
	       int *ret_signal) __attribute__((warn_unused_result));

/*
 * guard_nodump - this process never writes a core file, and no process
 * of its user may read its memory (ptrace, /proc/PID/mem): the node and
 * `kuska submit` hold identities in memory kuska does not own (libzmq's
 * buffers, the kernel's socket buffers read into them), which a core
 * dump would put on disk, where a stolen disk keeps them. The hard core
 * limit of 0 cannot be raised again without privilege and is inherited;
 * the process could make itself dumpable again, and an execve does.
 * Returns 0 or -errno.
 */
int guard_nodump(void);

/* guard_write - writes all len bytes to fd. Returns 0 or -errno. */
int guard_write(int fd, const void *buf, size_t len);

/*
 * guard_write_text - writes to fd a record of the byte kind, the length
 * of the text (one byte) and the text printed from fmt, cut at 254 bytes.
 * Returns 0 or -errno.
 */
int guard_write_text(int fd, uint8_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
