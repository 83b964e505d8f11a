/* daemon.c - what every daemon does the same way; see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admit.h"
#include "config.h"
#include "date.h"
#include "keys.h"
#include "lockdir.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"

bool
daemon_option(struct daemon_args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		a->conf = arg;
		return true;
	case 'd':
		a->debug = 1;
		return true;
	case 'n':
		a->check = 1;
		return true;
	default:
		return false;
	}
}

int
daemon_begin(const char *name, int debug)
{
	log_init(name, debug);
	return keys_init();
}

/* What a daemon makes in its data directory: the lock and LMDB's files. */
static const char *const made_files[] = {"kuska.lock", "data.mdb", "lock.mdb"};
#define N_MADE (sizeof(made_files) / sizeof(made_files[0]))

/*
 * The new store this process's start made, until daemon_keep: removed
 * again at exit, so that a start that fails leaves nothing behind. Only
 * what was not there before goes; a forked child's exit leaves it alone.
 */
struct made_store {
	char dir[PATH_MAX];
	bool dir_made;		/* the directory itself */
	bool file_made[N_MADE]; /* which of made_files */
	pid_t pid;
};
static struct made_store made;

static void
remove_made(void)
{
	char path[PATH_MAX + 16];
	size_t i;

	if (made.dir[0] == '\0' || made.pid != getpid())
		return;
	/* The lock (made_files[0]) last, and only with the directory it is
	 * in: unlinked in a directory that stays, another start could open
	 * it now and lock it once gone, while a third makes a new one. */
	for (i = N_MADE; i-- > 0;) {
		if (!made.file_made[i] || (i == 0 && !made.dir_made))
			continue;
		snprintf(path, sizeof(path), "%s/%s", made.dir, made_files[i]);
		(void)unlink(path);
	}
	/* Fails, and leaves it, when anything else is in it. */
	if (made.dir_made)
		(void)rmdir(made.dir);
	made.dir[0] = '\0';
}

/*
 * Notes which of the files of a store at dir are not there yet (before
 * the lock is taken: it is one of them), into *m.
 */
static void
note_missing(const char *dir, bool dir_missing, struct made_store *m)
{
	char path[PATH_MAX + 16];
	struct stat st;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (strlen(dir) >= sizeof(m->dir))
		return;
	for (i = 0; i < N_MADE; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, made_files[i]);
		m->file_made[i] = stat(path, &st) != 0 && errno == ENOENT;
	}
	m->dir_made = dir_missing;
	m->pid = getpid();
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
}

void
daemon_keep(void)
{
	made.dir[0] = '\0';
}

/* Copies the directory dir is in ("/" for "/x") into out. */
static void
parent_of(const char *dir, char *out, size_t cap)
{
	const char *slash;
	size_t n;

	snprintf(out, cap, "%s", dir);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	slash = strrchr(out, '/');
	if (slash == NULL)
		snprintf(out, cap, ".");
	else if (slash == out)
		out[1] = '\0';
	else
		out[slash - out] = '\0';
}

/* What a daemon's data directory holds: */
enum dir_state {
	DIR_STORE,    /* a store (data.mdb), or what it holds cannot be told */
	DIR_EMPTY,    /* no store yet */
	DIR_MISSING,  /* no directory: a start makes it */
	DIR_NO_PARENT /* neither it nor its parent: a start is refused */
};

/* Tells what dir holds; fills parent with the directory it is in. */
static enum dir_state
dir_state(const char *dir, char *parent, size_t parent_len)
{
	char path[PATH_MAX + 16];
	struct stat st;

	parent_of(dir, parent, parent_len);
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			return DIR_STORE;
		if (stat(parent, &st) != 0 && errno == ENOENT)
			return DIR_NO_PARENT;
		return DIR_MISSING;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &st) != 0 && errno == ENOENT)
		return DIR_EMPTY;
	return DIR_STORE;
}

/*
 * Whether systemd runs the daemon with a state directory (StateDirectory=,
 * told in $STATE_DIRECTORY, a list separated by ':') that is not dir.
 */
static bool
state_directory_other(const char *dir)
{
	const char *list = getenv("STATE_DIRECTORY"), *p, *end;
	size_t len = strlen(dir);

	if (list == NULL || list[0] == '\0')
		return false;
	for (p = list; *p != '\0'; p = *end == ':' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && memcmp(p, dir, len) == 0)
			return false;
	}
	return true;
}

int
daemon_lock(const char *dir, const char *name, const char *what, bool *created,
	    char *why, size_t why_len)
{
	struct made_store fresh = {0};
	char parent[PATH_MAX];
	enum dir_state before;
	int fd;

	*created = false;
	before = dir_state(dir, parent, sizeof(parent));
	if (before == DIR_NO_PARENT) {
		/* A mistyped path, most likely: not a tree of new ones. Or
		 * a disk not mounted yet, which a later start may find:
		 * exit 1, restarted, not 78 (daemon_exit_status). */
		snprintf(why, why_len,
			 "%s: no such directory, nor its parent %s (mistyped, "
			 "or on a disk not mounted yet: under systemd give "
			 "the unit RequiresMountsFor=%s in a drop-in)",
			 dir, parent, dir);
		return -ENOENT;
	}
	if (before != DIR_STORE)
		note_missing(dir, before == DIR_MISSING, &fresh);
	/* The descriptor holds the lock: it stays open until the end. */
	fd = lockdir_take(dir);
	if (fd == -EBUSY)
		snprintf(why, why_len,
			 "%s: another %s is using this %s (stop it first)", dir,
			 name, what);
	else if (fd == -EACCES && !state_directory_other(dir))
		/* A directory restored, or made, by root: "Permission
		 * denied" alone named neither the owner nor the way out. */
		snprintf(why, why_len,
			 "%s: cannot lock: %s (the directory, and data.mdb "
			 "and lock.mdb in it, must belong to the user the "
			 "daemon runs as; one restored or made by root stays "
			 "root's: OPERATIONS.md section 7)",
			 dir, strerror(-fd));
	else if (fd < 0 && !state_directory_other(dir))
		snprintf(why, why_len, "%s: cannot lock: %s", dir,
			 strerror(-fd));
	else if (fd < 0)
		/* Under its unit (ProtectSystem=strict) the daemon may write
		 * only its StateDirectory=, which systemd names in
		 * $STATE_DIRECTORY: "Read-only file system" alone did not
		 * point at the config's data_dir. */
		snprintf(why, why_len,
			 "%s: cannot lock: %s (this is not the unit's state "
			 "directory %s, the only one its service may write: "
			 "set data_dir to it, or allow this one with "
			 "ReadWritePaths= in a drop-in)",
			 dir, strerror(-fd), getenv("STATE_DIRECTORY"));
	else
		/* Told under the lock: no other daemon makes one now. */
		*created = dir_state(dir, parent, sizeof(parent)) == DIR_EMPTY;
	/* Only once locked: what another daemon makes is never removed. */
	if (fd >= 0 && *created && fresh.dir[0] != '\0' &&
	    (made.dir[0] == '\0' || made.pid != getpid())) {
		made = fresh;
		(void)atexit(remove_made);
	}
	return fd < 0 ? fd : 0;
}

int
daemon_check_dir(const char *conf, const char *section, const char *dir,
		 const char *what)
{
	char parent[PATH_MAX];
	struct stat st;

	/* A file named as data_dir said "configuration OK". */
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	switch (dir_state(dir, parent, sizeof(parent))) {
	case DIR_STORE:
		break;
	case DIR_EMPTY:
		fprintf(stderr,
			"%s: [%s] data_dir: %s holds no %s yet: the first "
			"start creates a new, empty one\n",
			conf, section, dir, what);
		break;
	case DIR_MISSING:
		fprintf(stderr,
			"%s: [%s] data_dir: %s does not exist yet: the first "
			"start creates it, with a new, empty %s\n",
			conf, section, dir, what);
		break;
	case DIR_NO_PARENT:
		/* Not an error: systemd's StateDirectory= makes both. */
		fprintf(stderr,
			"%s: [%s] data_dir: %s does not exist yet, nor its "
			"parent %s: a start refuses it, unless systemd makes "
			"them (StateDirectory=)\n",
			conf, section, dir, parent);
		break;
	}
	return 0;
}

int
daemon_may(const char *path, const char *dir, int mode, uid_t *ret_user)
{
	struct stat st, ds;
	int shift, need = mode & (R_OK | W_OK | X_OK);

	*ret_user = geteuid();
	if (access(path, mode) != 0)
		return -errno;
	if (geteuid() != 0)
		return 0;
	*ret_user = 0;
	if (stat(dir, &ds) != 0 || ds.st_uid == 0)
		return 0; /* whose it will be cannot be told */
	*ret_user = ds.st_uid;
	if (stat(path, &st) != 0)
		return -errno;
	/* The user's groups are not known: the directory's stands for
	 * them (systemd gives StateDirectory= the unit's Group= too). */
	shift = st.st_uid == ds.st_uid ? 6 : st.st_gid == ds.st_gid ? 3 : 0;
	return ((int)(st.st_mode >> shift) & need) == need ? 0 : -EACCES;
}

bool
daemon_user_unknown(const char *dir)
{
	struct stat st;

	return geteuid() == 0 && (stat(dir, &st) != 0 || st.st_uid == 0);
}

const char *
daemon_for_user(uid_t user, const char *dir, char *buf, size_t cap)
{
	if (geteuid() != 0)
		return "";
	if (user == 0)
		snprintf(buf, cap,
			 " (run as root, with %s root's: the daemon's user "
			 "is not known)",
			 dir);
	else
		snprintf(buf, cap,
			 " for uid %lu, the owner of %s (the user the daemon "
			 "runs as)",
			 (unsigned long)user, dir);
	return buf;
}

int
daemon_check_data_user(const char *conf, const char *section, const char *dir,
		       char *why, size_t cap)
{
	static const char *const files[] = {"data.mdb", "lock.mdb"};
	char path[PATH_MAX], who[PATH_MAX + 96];
	struct stat st;
	uid_t user;
	size_t i;
	int r;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0; /* daemon_check_dir said what it is */
	if ((r = daemon_may(dir, dir, W_OK | X_OK, &user)) != 0) {
		snprintf(why, cap, "%s: cannot be written%s: %s", dir,
			 daemon_for_user(user, dir, who, sizeof(who)),
			 strerror(-r));
		return r;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i]) >=
			(int)sizeof(path) ||
		    access(path, F_OK) != 0)
			continue;
		if ((r = daemon_may(path, dir, R_OK | W_OK, &user)) != 0) {
			snprintf(why, cap,
				 "%s: cannot be read and written%s: %s (it "
				 "must belong to the user the daemon runs as: "
				 "OPERATIONS.md section 7)",
				 path,
				 daemon_for_user(user, dir, who, sizeof(who)),
				 strerror(-r));
			return r;
		}
	}
	if (daemon_user_unknown(dir))
		fprintf(
		    stderr,
		    "%s: [%s] data_dir: %s is root's: -n run as root cannot "
		    "tell what the daemon's user may do in it (a unit's "
		    "first start gives its StateDirectory=, and what it "
		    "holds, to its user; a daemon started by hand: run -n "
		    "as its user, OPERATIONS.md section 3)\n",
		    conf, section, dir);
	return 0;
}

void
daemon_check_socket(const char *conf, const char *section, const char *key,
		    const char *endpoint)
{
	char dir[PATH_MAX];
	char *slash;
	struct stat st;

	if (strncmp(endpoint, "ipc://", 6) != 0 ||
	    snprintf(dir, sizeof(dir), "%s", endpoint + 6) >= (int)sizeof(dir))
		return;
	/* The config made the path absolute: there is a slash. */
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return;
	fprintf(stderr,
		"%s: [%s] %s: %s: its directory %s does not exist yet: a "
		"start refuses it, unless systemd makes it "
		"(RuntimeDirectory=)\n",
		conf, section, key, endpoint, dir);
}

void
daemon_check_metrics(const char *conf, const char *section, const char *path)
{
	char dir[PATH_MAX];

	if (metrics_dir_unshared(path, dir, sizeof(dir)))
		fprintf(stderr,
			"%s: [%s] metrics_file: %s: its directory %s is not "
			"set-group-ID: " METRICS_DIR_HINT "\n",
			conf, section, path, dir);
}

const char *
daemon_credential_hint(const char *path)
{
	static char owner[320];
	struct stat st;

	if (keys_is_credential(path) && access(path, F_OK) != 0)
		return " (a credential of the systemd unit, there only while "
		       "the service runs: to check a config before, or for a "
		       "command run with the service stopped (kuska-node "
		       "--recover, kuska-consolidator --repair), use a copy of "
		       "the config whose keys point at the files in "
		       "/etc/kuska/keys; OPERATIONS.md sections 2 and 10)";
	/* A daemon run by hand as a user of its own, its keys root's. */
	if (access(path, R_OK) != 0 && errno == EACCES &&
	    stat(path, &st) == 0) {
		/* A secret key must be root's or its reader's (keys.h). */
		snprintf(owner, sizeof(owner),
			 " (the file is uid %u's, mode %04o, and this runs as "
			 "uid %u: run it as %s, or as its systemd unit, which "
			 "hands the key over with LoadCredential=)",
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			 (unsigned)geteuid(),
			 st.st_uid == 0 ? "root"
					: "the file's owner, or chown root the "
					  "file and run it as root");
		return owner;
	}
	return "";
}

void
daemon_key_fatal(const char *conf, const char *section, const char *name,
		 const char *file, const char *reason)
{
	char why[1024], msg[1536];

	snprintf(why, sizeof(why), "%s%s", reason,
		 file != NULL ? daemon_credential_hint(file) : "");
	fatalx_config(
	    "%s", config_key_error(conf, section, name, why, msg, sizeof(msg)));
}

int
daemon_data_access(const char *dir)
{
	static const char *const files[] = {"data.mdb", "lock.mdb"};
	char path[PATH_MAX];
	size_t i;

	/* lock.mdb too: one of root's (a backup or an offline command
	 * run as root) fails LMDB's open as surely as data.mdb. */
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i]) >=
		    (int)sizeof(path))
			return 0; /* the open says what is wrong */
		if (access(path, F_OK) == 0 &&
		    access(path, R_OK | W_OK) != 0 && errno == EACCES)
			return -EACCES;
	}
	return 0;
}

const char *
daemon_data_file_odd(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return NULL; /* the open says what is wrong */
	if (!S_ISREG(sb.st_mode))
		return "data.mdb is not a regular file (a directory, pipe or "
		       "device)";
	if (sb.st_size == 0)
		return "truncated: the data file is empty (0 bytes): a copy, "
		       "restore or write that did not finish";
	return NULL;
}

int
daemon_exit_status(int err)
{
	switch (-err) {
	case ENOTDIR:
	case EISDIR:
	case EACCES:
	case EPERM:
	case EROFS:
	case ELOOP:
	case ENAMETOOLONG:
	case EXDEV:
		return LOG_EXIT_CONFIG;
	default:
		return 1;
	}
}

const char *
daemon_bind_hint(int err)
{
	if (err != -ENODEV && err != -EADDRNOTAVAIL)
		return "";
	return " (its host is not an address of this machine, nor a name "
	       "of one: give one of its addresses or host names, or * for "
	       "all of them)";
}

const char *
daemon_store_error(int err)
{
	if (err == -EXDEV)
		return "data.mdb is the other daemon's (a node's outbox where "
		       "a consolidator's store belongs, or the reverse): "
		       "data_dir names the wrong directory; correct it";
	return strerror(-err);
}

/* More than LMDB's lock file of 126 readers: it maps what it finds. */
#define LOCK_RESERVE 65536

/*
 * A lock.mdb short of LOCK_RESERVE, or with holes: one made before its
 * space was reserved (LMDB makes it sparse), or cut by a copy. Its blocks
 * are allocated before LMDB maps it.
 */
static bool
lock_unreserved(const struct stat *sb)
{
	return sb->st_size < LOCK_RESERVE ||
	       (uint64_t)sb->st_blocks * 512 < (uint64_t)sb->st_size;
}

int
daemon_reserve_lock(const char *dir)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd, r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/lock.mdb", dir) >=
	    sizeof(path))
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) == 0 && lock_unreserved(&sb)) {
		r = posix_fallocate(fd, 0,
				    sb.st_size > LOCK_RESERVE ? sb.st_size
							      : LOCK_RESERVE);
		if (r == ENOSPC || r == EDQUOT) {
			/* Left at its size, as it was (empty when made
			 * here): never grown sparse (a shrink that fails
			 * leaves what was allocated). */
			r = -r;
			if (ftruncate(fd, sb.st_size) != 0)
				r = -ENOSPC;
		} else
			r = 0;
	}
	close(fd);
	return r;
}

const char *
daemon_open_hint(int err)
{
	if (err == -ENOSPC || err == -EDQUOT)
		return " (no room for lock.mdb, which LMDB needs to open "
		       "data.mdb: make room and start again; the data is not "
		       "damaged)";
	if (err != -EACCES)
		return "";
	return " (data.mdb and lock.mdb must belong to the user the daemon "
	       "runs as; a backup copied in by root stays root's: "
	       "OPERATIONS.md section 7)";
}

static char map_fault_msg[2 * PATH_MAX + 512];
static size_t map_fault_len;

/*
 * A page of a mapped file the kernel could not give (past the file's end,
 * or a read error): BUS_ADRERR. Any other SIGBUS (sent by kill or
 * sigqueue, si_code <= 0; a misaligned access; a machine check) is no
 * damaged data file: raised again, the handler gone (SA_RESETHAND), it
 * kills as a SIGBUS did before, rather than send the operator to a
 * backup. write, raise and _exit alone: async-signal-safe.
 */
static void
map_fault(int sig, siginfo_t *si, void *uc)
{
	ssize_t n;

	(void)uc;
	if (si == NULL || si->si_code != BUS_ADRERR) {
		(void)raise(sig); /* delivered once this returns */
		return;
	}
	n = write(STDERR_FILENO, map_fault_msg, map_fault_len);
	(void)n;
	_exit(1);
}

void
daemon_map_fault_said(const char *prog, const char *what, const char *dir)
{
	struct sigaction sa;
	int n;

	n = snprintf(
	    map_fault_msg, sizeof(map_fault_msg),
	    "%s: fatal: "
	    "event=data_file_fault dir=\"%s\" text=\"a page of "
	    "%s/data.mdb could not be read (SIGBUS): the file was cut, "
	    "copied over or damaged while the daemon ran, or the disk "
	    "failed to read it; never copy over or truncate a running "
	    "daemon's data.mdb (stop it first: OPERATIONS.md section "
	    "7). The start that follows checks the %s and says what "
	    "to do\"\n",
	    prog, dir, dir, what);
	if (n < 0)
		return;
	map_fault_len = (size_t)n < sizeof(map_fault_msg)
			    ? (size_t)n
			    : sizeof(map_fault_msg) - 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = map_fault;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	(void)sigaction(SIGBUS, &sa, NULL);
}

void
daemon_own_key_check(const char *conf, const char *section, const char *key,
		     const char *file, const struct secret_key *own,
		     const struct registry *reg)
{
	char why[1024];
	size_t i;

	for (i = 0; i < reg->n_keys; i++) {
		const struct reg_key *k = &reg->keys[i];

		if (memcmp(k->sign_pk, own->sign_pk, sizeof(k->sign_pk)) != 0)
			continue;
		snprintf(
		    why, sizeof(why),
		    "%s is the key the registry lists as [key %s] (of "
		    "%s), not this %s's own: the wrong file was copied "
		    "in. Put back this daemon's own key file (from its "
		    "backup, OPERATIONS.md section 7)",
		    file, k->name, k->owner != NULL ? k->owner->id : "a party",
		    strcmp(section, "keyholder") == 0 ? "key holder" : section);
		daemon_key_fatal(conf, section, key, NULL, why);
	}
}

void
daemon_thread_signals(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGBUS);
}

/*
 * The local socket files this process bound, removed at exit if still
 * there and still the ones it bound: a start that fails after the bind
 * (fatalx) would otherwise leave one, which kuska status reads as left by
 * a daemon that stopped without cleaning up. One stopped in order has
 * removed them already (tsock_free); a file bound since by another daemon
 * is another inode, left alone; a forked child's exit leaves them.
 */
#define MADE_SOCKETS 4
struct made_socket {
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	pid_t pid;
};
static struct made_socket made_sockets[MADE_SOCKETS];

static void
remove_made_sockets(void)
{
	struct stat st;
	size_t i;

	for (i = 0; i < MADE_SOCKETS; i++) {
		const struct made_socket *m = &made_sockets[i];
		if (m->path[0] == '\0' || m->pid != getpid())
			continue;
		if (lstat(m->path, &st) == 0 && st.st_dev == m->dev &&
		    st.st_ino == m->ino)
			(void)unlink(m->path);
	}
}

/* Notes the file endpoint (ipc://PATH) was just bound to, for
 * remove_made_sockets. */
static void
note_made_socket(const char *endpoint)
{
	static bool registered;
	struct made_socket *m = NULL;
	struct stat st;
	size_t i;

	if (strncmp(endpoint, "ipc://", 6) != 0 ||
	    strlen(endpoint + 6) >= sizeof(m->path) ||
	    lstat(endpoint + 6, &st) != 0)
		return;
	for (i = 0; i < MADE_SOCKETS && m == NULL; i++)
		if (made_sockets[i].path[0] == '\0' ||
		    strcmp(made_sockets[i].path, endpoint + 6) == 0)
			m = &made_sockets[i];
	if (m == NULL)
		return; /* tsock_free still removes it at a clean stop */
	snprintf(m->path, sizeof(m->path), "%s", endpoint + 6);
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->pid = getpid();
	if (!registered)
		registered = atexit(remove_made_sockets) == 0;
}

struct tsock *
daemon_bind_local(struct transport *t, const char *endpoint, size_t max_bytes,
		  char *why, size_t why_len)
{
	int err;
	struct tsock *s = tsock_bind_local(t, endpoint, max_bytes, &err);

	if (s != NULL)
		note_made_socket(endpoint);
	if (s == NULL && err == -EADDRINUSE)
		snprintf(why, why_len,
			 "%s: in use by another running daemon (stop it first)",
			 endpoint);
	else if (s == NULL && err == -ENOENT &&
		 strncmp(endpoint, "ipc://", 6) == 0)
		/* -n only warns of it: systemd makes it only at start. */
		snprintf(why, why_len,
			 "%s: cannot bind: its directory does not exist "
			 "(systemd's RuntimeDirectory= makes it; by hand, make "
			 "it first)",
			 endpoint);
	else if (s == NULL)
		snprintf(why, why_len, "%s: cannot bind: %s", endpoint,
			 strerror(-err));
	return s;
}

int
daemon_reply(struct tsock *s, const struct tframes *req,
	     const struct control *c)
{
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;
	int err;

	if (codec_control_encode(c, &buf, &len) != 0)
		return -EPROTO;
	data[0] = req->data[0];
	lens[0] = req->len[0];
	data[1] = buf;
	lens[1] = len;
	err = tsock_send(s, data, lens, 2);
	free(buf);
	return err;
}

void
daemon_error_fill(struct control *ret, const char *text)
{
	memset(ret, 0, sizeof(*ret));
	ret->type = CTL_ERROR;
	snprintf(ret->error, sizeof(ret->error), "%s", text);
}

/*
 * A control request tsock_recv dropped over the socket's limits (req: its
 * routing id alone, none when that frame itself was over them).
 */
static void
refuse_large_control(struct tsock *s, const struct tframes *req,
		     struct log_budget *b)
{
	struct control c;
	char text[64];

	snprintf(text, sizeof(text),
		 "request over the size limit (%d KiB, one frame)",
		 DAEMON_CONTROL_MAX_BYTES / 1024);
	log_warnx_budget(
	    b, "event=control_refused reason=too_large text=\"%s\"", text);
	if (req->n != 1)
		return;
	daemon_error_fill(&c, text);
	if (daemon_reply(s, req, &c) != 0)
		log_debug("event=reply_not_delivered hint=\"client gone\"");
}

unsigned long
daemon_control_serve(struct tsock *s, daemon_control_fn handle, void *arg,
		     struct log_budget *b)
{
	unsigned long refused = 0;
	struct tframes f;
	int n;

	for (n = 0; n < DAEMON_CONTROL_MAX_PER_CALL; n++) {
		int r = tsock_recv(s, &f, DAEMON_CONTROL_MAX_FRAMES,
				   DAEMON_CONTROL_MAX_BYTES);
		if (r == -EMSGSIZE) {
			refuse_large_control(s, &f, b);
			refused++;
		} else if (r == 0) {
			refused += handle(arg, &f) != 0;
		} else {
			break; /* none waiting, or an error: f is empty */
		}
		tframes_clear(&f);
	}
	return refused;
}

void
daemon_raise_fd_limit(unsigned long max_connections, unsigned long max_pending)
{
	struct rlimit rl;
	unsigned long need = max_connections + max_pending + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warnx("event=fd_limit_low limit=%llu needed=%lu "
			  "hint=\"max_connections + max_pending + 64 "
			  "descriptors; raise LimitNOFILE=\"",
			  (unsigned long long)rl.rlim_cur, need);
}

struct revalidation {
	const struct registry *reg;
	bool nodes_only;
	uint64_t now_ms;
};

static bool
key_gone(void *arg, const char *user_id)
{
	struct revalidation *v = arg;
	const struct reg_key *k;
	struct reg_user n;

	k = registry_by_user_id(v->reg, user_id, v->now_ms, &n);
	if (k != NULL && (!v->nodes_only || k->owner->node))
		return false;
	log_warnx("event=peer_dropped who=%s key=%s reason=key_not_valid",
		  n.party, n.key);
	return true;
}

size_t
daemon_peers_revalidate(struct admit *a, const struct registry *reg,
			bool nodes_only, unsigned long max_per_key)
{
	struct revalidation v = {reg, nodes_only, date_now_ms()};
	size_t n, over;

	n = admit_drop_if(a, key_gone, &v);
	over = admit_trim_keys(a);
	if (over > 0)
		log_warnx("event=connections_closed count=%zu "
			  "reason=too_many_connections_for_key "
			  "max_connections_per_key=%lu",
			  over, max_per_key);
	return n;
}

void
daemon_reload_refused(const char *err)
{
	char q[600];

	/* The whole reason, however long the paths in it. */
	log_warnx("event=reload_refused error=%s hint=\"the configuration "
		  "and registry in force stay\"",
		  log_quote_str(err, q, sizeof(q)));
}

void
daemon_reload_needs_restart(const struct config_schema *schema, const void *cur,
			    const void *fresh, const char *const *applied)
{
	char keys[256];

	if (config_changed(schema, cur, fresh, applied, keys, sizeof(keys)) > 0)
		log_warnx("event=reload_needs_restart keys=%s hint=\"these "
			  "take effect at the next restart; the rest of the "
			  "reload is in force\"",
			  keys);
}
