/*
 * daemon.h - what every kuska daemon does the same way: the options they
 * all take (-c FILE, -d, -n), logging and libsodium started, the data
 * directory locked, the local socket clients talk to bound, a control
 * request answered, and the connections a reload no longer admits
 * closed. Each daemon's main() keeps its own decisions: what it says,
 * and when it stops.
 */
#ifndef KUSKA_DAEMON_H
#define KUSKA_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "codec.h"
#include "log.h"
#include "transport.h"

/* The options every daemon takes, for getopt. */
#define DAEMON_OPTSTRING "c:dn"

struct daemon_args {
	const char *conf; /* -c FILE: the config; NULL until given */
	int debug;	  /* -d: log debug lines, to stderr */
	int check;	  /* -n: check the config, print it, stop */
};

/*
 * daemon_option - takes one option getopt returned, ch with its argument
 * arg, when it is one every daemon shares (-c FILE, -d, -n). Returns true
 * when it took it, false when the daemon must decide (its own options,
 * '?').
 */
bool daemon_option(struct daemon_args *a, int ch, const char *arg);

/*
 * daemon_begin - starts the log as name (debug lines too when debug) and
 * libsodium. Returns 0 or -EIO (libsodium would not start).
 */
int daemon_begin(const char *name, int debug)
    __attribute__((warn_unused_result));

/*
 * daemon_lock - takes the lock of dir, so that one daemon at a time works
 * from it; the lock is held until the process ends. name is the daemon's
 * program name and what its data there ("store", "outbox"), for the
 * message. A missing dir is made (0700), but not a missing parent as
 * well: that is a mistyped path more likely than a new one. *created is
 * set when dir holds no store yet (no data.mdb): the daemon makes a new,
 * empty one, and says so. Until daemon_keep is called, what of that new
 * store this start made (LMDB's files; the lock and dir only when it made
 * dir) is removed again at exit, so that a start that fails leaves no
 * store behind. Returns 0, or -EBUSY or another -errno with why (why_len
 * bytes) saying so for the log: "DIR: another NAME is using this WHAT
 * (stop it first)", "DIR: no such directory, nor its parent PARENT" or
 * "DIR: cannot lock: REASON".
 */
int daemon_lock(const char *dir, const char *name, const char *what,
		bool *created, char *why, size_t why_len)
    __attribute__((warn_unused_result));

/*
 * daemon_keep - the daemon has started, or done what it was asked: the
 * new store daemon_lock saw made stays.
 */
void daemon_keep(void);

/*
 * daemon_check_dir - for -n: says on stderr, after "CONF: [SECTION]
 * data_dir: DIR", when dir holds no WHAT yet or does not exist (the first
 * start makes a new, empty one), or its parent neither (a start made by
 * hand is refused; systemd's StateDirectory= makes both). Not an error
 * either way: -n checks a config before its first start. Returns 0, or
 * -ENOTDIR, saying nothing, when dir is there and no directory: every
 * start refuses it.
 */
int daemon_check_dir(const char *conf, const char *section, const char *dir,
		     const char *what);

/*
 * daemon_may - for -n: whether the daemon's user may use path (mode:
 * R_OK, W_OK, X_OK or'd). Run by that user, access() says. Run by root,
 * to whom access() says yes to all but a read-only file system, the
 * daemon's user is taken to be the owner of dir, its state directory
 * (systemd gives StateDirectory= to the unit's User=, DynamicUser= too;
 * a start by hand must own it as well), and path's owner, group and mode
 * bits are weighed for it. *ret_user: the uid judged for, or 0 when run
 * by root and dir is root's or missing: then only root's access() was
 * asked, and what the daemon's user may do is not known. Returns 0 or
 * -errno (-EACCES, -EROFS, -ENOENT, ...).
 */
int daemon_may(const char *path, const char *dir, int mode, uid_t *ret_user)
    __attribute__((warn_unused_result));

/*
 * daemon_user_unknown - run by root, with dir root's (or not there):
 * daemon_may cannot tell what the daemon's user may do in it.
 */
bool daemon_user_unknown(const char *dir);

/*
 * daemon_for_user - for a message of daemon_may's: "" when run by a user
 * other than root, else the uid it judged for (" for uid N, the owner of
 * DIR"), or that it could not tell, written to buf (cap bytes).
 */
const char *daemon_for_user(uid_t user, const char *dir, char *buf, size_t cap);

/*
 * daemon_check_data_user - for -n, after daemon_check_dir: whether the
 * daemon's user (daemon_may) may write and search dir and read and write
 * its data.mdb and lock.mdb, as every start needs. 0, or -errno with why
 * in why (cap bytes): a start refuses it. Run by root with dir root's,
 * says on stderr, after "CONF: [SECTION] data_dir: DIR", that what the
 * daemon's user may do is not checked, and returns 0.
 */
int daemon_check_data_user(const char *conf, const char *section,
			   const char *dir, char *why, size_t cap)
    __attribute__((warn_unused_result));

/*
 * daemon_check_socket - for -n: says on stderr, after "CONF: [SECTION]
 * KEY: ENDPOINT", when a local (ipc://) socket's directory does not
 * exist: a start made by hand refuses it. Not an error: systemd's
 * RuntimeDirectory= makes it only when the service starts.
 */
void daemon_check_socket(const char *conf, const char *section,
			 const char *key, const char *endpoint);

/*
 * daemon_check_metrics - for -n: says on stderr, after "CONF: [SECTION]
 * metrics_file: PATH", when the file's directory is not set-group-ID, so
 * node_exporter could not read it (metrics_dir_unshared). A start says it
 * too, in the log. Nothing when no metrics file is set.
 */
void daemon_check_metrics(const char *conf, const char *section,
			  const char *path);

/*
 * daemon_credential_hint - for a key file the daemon could not load: when
 * path is a systemd credential (/run/credentials/...) that does not
 * exist, a hint to append to the error (the credential exists only while
 * the service runs); when this process may not read it, whose it is and
 * what to do (in a static buffer, valid until the next call); else "".
 */
const char *daemon_credential_hint(const char *path);

/*
 * daemon_key_fatal - exits (fatalx_config) for the key file that key
 * name of [section] of the config file conf names and that could not be
 * loaded (reason, from keys_load_*): "CONF:LINE: [section] name: reason",
 * as config_load names a bad value, with daemon_credential_hint(file)
 * appended. file may be NULL: no hint.
 */
void daemon_key_fatal(const char *conf, const char *section, const char *name,
		      const char *file, const char *reason)
    __attribute__((noreturn));

/*
 * daemon_data_access - 0, or -EACCES when DIR/data.mdb or DIR/lock.mdb
 * exists and this process may not read and write it: the store checks
 * ask first, lest a file of another user be reported as damaged (and
 * "repaired").
 */
int daemon_data_access(const char *dir);

/*
 * daemon_reserve_lock - before LMDB opens DIR: a lock.mdb missing or
 * empty is made with its blocks allocated, and one found short or sparse
 * (made by an earlier kuska, or by LMDB itself) has them allocated too.
 * LMDB makes it by ftruncate, sparse, and maps it: on a full disk the
 * first write into the map was a SIGBUS (kuska-node --recover's new
 * outbox, a store whose lock.mdb was removed as OPERATIONS.md section 7
 * says, a reader slot never used before). 0, -ENOSPC (or -EDQUOT) when
 * there is no room for it; any other error is LMDB's to report.
 */
int daemon_reserve_lock(const char *dir);

/*
 * daemon_open_hint - for a store or outbox the daemon could not open or
 * check with -err: when err is -EACCES, a hint to append (its files are
 * not the daemon's user's, as after a restore copied in by root); else "".
 */
const char *daemon_open_hint(int err);

/*
 * daemon_map_fault_said - from now on a SIGBUS, a page of DIR/data.mdb
 * (the WHAT: "store", "outbox") the process could not read (the file cut,
 * copied over or damaged while it ran, or a disk that failed to read it), is
 * said as event=data_file_fault, naming DIR and what to do, and the
 * process exits 1: systemd starts it again, and the check at start says
 * whether the file is damaged. LMDB maps the file; without this the
 * daemon died of the bare signal. A SIGBUS of another kind (sent by
 * kill, a misaligned access, a machine check: any but BUS_ADRERR) still
 * kills by the signal, unsaid. PROG as log_init's.
 */
void daemon_map_fault_said(const char *prog, const char *what, const char *dir);

struct registry;
struct secret_key;

/*
 * daemon_own_key_check - a consolidator's or key holder's own key (read
 * from FILE, the config key KEY of [SECTION] of CONF) that REG lists as
 * [key NAME], a party's: the wrong file copied in (a node's key where
 * the daemon's belongs). Every node would fail its handshake, told only
 * that the daemon's key is not the one it expects; this stops the start
 * instead, exit 78, naming both. Returns if it is not listed.
 */
void daemon_own_key_check(const char *conf, const char *section,
			  const char *key, const char *file,
			  const struct secret_key *own,
			  const struct registry *reg);

/*
 * daemon_thread_signals - *set: every signal but SIGBUS, for a thread
 * that reads a map to start with blocked (signals go to the main thread).
 * A SIGBUS blocked in the thread it is raised in kills the process
 * without its handler: daemon_map_fault_said would never say it.
 */
void daemon_thread_signals(sigset_t *set);

/*
 * daemon_data_file_odd - why path (a data.mdb that exists) is no store
 * LMDB can open: not a regular file (LMDB would wait on a pipe for ever),
 * or empty (LMDB calls it a bad descriptor); NULL when neither.
 */
const char *daemon_data_file_odd(const char *path);

/*
 * daemon_exit_status - the exit status of a daemon that cannot use its
 * data directory, store or outbox, failing with -err: LOG_EXIT_CONFIG
 * when starting it again can only meet the same (-ENOTDIR, -EISDIR: not
 * a directory; -EACCES, -EPERM: not the daemon's user's; -EROFS:
 * read-only, or not the unit's state directory; -ELOOP, -ENAMETOOLONG;
 * -EXDEV: the other daemon's file), 1 when it may not (another daemon
 * holds it, a full disk, no such directory nor its parent: a disk not
 * mounted yet may bring it).
 */
int daemon_exit_status(int err);

/*
 * daemon_bind_hint - for a tcp:// listen address the daemon could not
 * bind with -err: when its host is no address of this machine (libzmq
 * says -ENODEV of a name it cannot resolve, "No such device"; the kernel
 * -EADDRNOTAVAIL of another machine's address), a hint to append; else "".
 */
const char *daemon_bind_hint(int err);

/*
 * daemon_store_error - what a store or outbox check's error means: for
 * -EXDEV (the check found the other daemon's tables: a node's outbox
 * where a consolidator's store belongs, or the reverse) a sentence that
 * says so, else strerror.
 */
const char *daemon_store_error(int err);

/*
 * daemon_bind_local - binds the local endpoint clients talk to (see
 * tsock_bind_local), at most max_bytes a message. Returns the socket, or
 * NULL with why (why_len bytes) saying why for the log: "ENDPOINT: in use
 * by another running daemon (stop it first)", "ENDPOINT: cannot bind: its
 * directory does not exist (...)" or "ENDPOINT: cannot bind: REASON".
 * The file of an ipc:// endpoint is removed at this process's exit if
 * still the one bound, so that a start that fails later leaves none.
 */
struct tsock *daemon_bind_local(struct transport *t, const char *endpoint,
				size_t max_bytes, char *why, size_t why_len);

/*
 * daemon_reply - answers the control request req (its first frame names
 * the client) on the ROUTER s with c. Returns 0; -EPROTO when c cannot be
 * encoded (nothing sent); or tsock_send's -errno (the client is gone).
 * Logs nothing: the daemon says what it makes of a failure.
 */
int daemon_reply(struct tsock *s, const struct tframes *req,
		 const struct control *c);

/*
 * What a control socket (kuska status, kuska metrics) takes of one
 * request: its frames, the routing id among them (a request is one frame,
 * and one more is let through to be answered), and its bytes in all.
 */
#define DAEMON_CONTROL_MAX_FRAMES 3
#define DAEMON_CONTROL_MAX_BYTES (64 * 1024)
/*
 * Requests answered in one call of daemon_control_serve: any local user of
 * the socket's group can send them without end, and the main loop must go
 * on to its other sockets and its watchdog.
 */
#define DAEMON_CONTROL_MAX_PER_CALL 64

/*
 * Answers one control request req (frames: routing id, request). Returns 0,
 * or -EBADMSG when req was no well-formed request (answered so).
 */
typedef int (*daemon_control_fn)(void *arg, const struct tframes *req);

/*
 * daemon_control_serve - answers the requests waiting on the control
 * socket s (bound with daemon_bind_local at DAEMON_CONTROL_MAX_BYTES),
 * each with handle(arg, req), at most DAEMON_CONTROL_MAX_PER_CALL of them:
 * the rest wait on s, which tsock_poll still says is ready. One over
 * DAEMON_CONTROL_MAX_FRAMES or DAEMON_CONTROL_MAX_BYTES, which tsock_recv
 * dropped unread, is answered instead with an error saying so and the
 * limit, where its client would wait for its time-out, and logged
 * event=control_refused reason=too_large within budget b. Returns how
 * many were refused so or malformed, for the daemon to count apart from
 * its peers' refused messages.
 */
unsigned long daemon_control_serve(struct tsock *s, daemon_control_fn handle,
				   void *arg, struct log_budget *b);

/*
 * daemon_raise_fd_limit - every connection is a descriptor: raises the
 * soft limit on them to the hard one (systemd leaves the soft one at
 * 1024), and logs event=fd_limit_low when the bounds on connections
 * (max_connections peers and max_pending anonymous ones, the config
 * keys) could still exceed it.
 */
void daemon_raise_fd_limit(unsigned long max_connections,
			   unsigned long max_pending);

/*
 * daemon_error_fill - makes *ret the error answer saying text (cut to
 * fit). *ret owns nothing.
 */
void daemon_error_fill(struct control *ret, const char *text);

struct config_schema;

/*
 * daemon_reload_refused - logs a reload refused for err (its whole reason,
 * quoted): event=reload_refused error="..." hint="...", the configuration
 * and registry in force staying.
 */
void daemon_reload_refused(const char *err);

/*
 * daemon_reload_needs_restart - after a reload read fresh, the config of
 * schema, over cur, the one in force: logs event=reload_needs_restart
 * keys=K1,K2 naming each key changed that the daemon does not apply at a
 * reload (those not in applied, a NULL-ended list), so that a changed key
 * is never ignored unsaid. Logs nothing when there is none.
 */
void daemon_reload_needs_restart(const struct config_schema *schema,
				 const void *cur, const void *fresh,
				 const char *const *applied);

struct admit;
struct registry;

/*
 * daemon_peers_revalidate - after a reload put reg in force: closes at
 * once every peer of a whose key reg no longer admits (revoked, expired,
 * removed; with nodes_only, not a node's either), each logged
 * event=peer_dropped, and returns how many; then the peers of a key over
 * a lowered max_per_key (admit_trim_keys), logged together. An idle
 * connection of a revoked key would otherwise stay open until it spoke.
 * The caller holds whatever guards a.
 */
size_t daemon_peers_revalidate(struct admit *a, const struct registry *reg,
			       bool nodes_only, unsigned long max_per_key);

#endif
