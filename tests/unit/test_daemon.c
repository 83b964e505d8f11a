/* test_daemon.c - what every daemon does the same way (daemon.h). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "log.h"

/*
 * Removes what a test left of a store in dir (its lock file, a data.mdb),
 * dir itself and, unless NULL, the temporary directory top above it.
 */
static void
remove_test_store(const char *dir, const char *top)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kuska.lock", dir);
	unlink(path);
	rmdir(dir);
	if (top != NULL)
		rmdir(top);
}

static void
test_shared_options(void **state)
{
	struct daemon_args a = {0};

	(void)state;
	assert_true(daemon_option(&a, 'c', "kuska.conf"));
	assert_true(daemon_option(&a, 'd', NULL));
	assert_true(daemon_option(&a, 'n', NULL));
	assert_string_equal(a.conf, "kuska.conf");
	assert_int_equal(a.debug, 1);
	assert_int_equal(a.check, 1);
	/* A daemon's own option, or getopt's '?': the daemon decides. */
	assert_false(daemon_option(&a, 'R', NULL));
	assert_false(daemon_option(&a, '?', NULL));
}

static void
test_lock_says_who(void **state)
{
	char dir[64], want[256], why[256];
	bool made;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(
	    daemon_lock(dir, "kuska-node", "outbox", &made, why, sizeof(why)),
	    0);
	assert_true(made); /* an empty directory: no store yet */
	/* Taken again (another open file description): refused. */
	assert_int_equal(
	    daemon_lock(dir, "kuska-node", "outbox", &made, why, sizeof(why)),
	    -EBUSY);
	snprintf(want, sizeof(want),
		 "%s: another kuska-node is using this outbox (stop it first)",
		 dir);
	assert_string_equal(why, want);
	assert_int_equal(daemon_lock("/proc/no/such/dir", "kuska-node",
				     "outbox", &made, why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why,
			    "/proc/no/such/dir: no such directory, nor "
			    "its parent /proc/no/such (mistyped, or on a "
			    "disk not mounted yet: under systemd give the "
			    "unit RequiresMountsFor=/proc/no/such/dir in a "
			    "drop-in)");
	remove_test_store(dir, NULL);
}

/*
 * Under systemd, a data directory that cannot be locked and is not the
 * unit's state directory ($STATE_DIRECTORY, all a service with
 * ProtectSystem=strict may write) is said to be so; its own, or no
 * systemd, adds nothing.
 */
static void
test_lock_names_state_directory(void **state)
{
	char top[64], dir[96], why[512];
	bool made = false;
	FILE *f;

	(void)state;
	snprintf(top, sizeof(top), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(top));
	/* A file where the directory should be: the lock cannot be made. */
	snprintf(dir, sizeof(dir), "%s/store", top);
	f = fopen(dir, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(setenv("STATE_DIRECTORY", "/var/lib/kuska/mimp", 1),
			 0);
	assert_true(daemon_lock(dir, "kuska-node", "outbox", &made, why,
				sizeof(why)) < 0);
	assert_non_null(strstr(why, ": cannot lock: "));
	assert_non_null(strstr(why, "not the unit's state directory "
				    "/var/lib/kuska/mimp"));
	assert_non_null(strstr(why, "ReadWritePaths="));
	assert_int_equal(setenv("STATE_DIRECTORY", dir, 1), 0);
	assert_true(daemon_lock(dir, "kuska-node", "outbox", &made, why,
				sizeof(why)) < 0);
	assert_null(strstr(why, "state directory"));
	assert_int_equal(unsetenv("STATE_DIRECTORY"), 0);
	assert_true(daemon_lock(dir, "kuska-node", "outbox", &made, why,
				sizeof(why)) < 0);
	assert_null(strstr(why, "state directory"));
	assert_false(made);
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(rmdir(top), 0);
}

/*
 * A missing data directory is made, and said to be new; with its parent
 * missing too (a mistyped path) nothing is made.
 */
static void
test_lock_makes_only_the_last(void **state)
{
	char top[64], dir[96], deep[128], path[160], why[512];
	bool made = false;

	(void)state;
	snprintf(top, sizeof(top), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/store", top);
	snprintf(deep, sizeof(deep), "%s/typo/store", top);
	assert_int_equal(daemon_lock(deep, "kuska-consolidator", "store", &made,
				     why, sizeof(why)),
			 -ENOENT);
	assert_false(made);
	assert_non_null(strstr(why, ": no such directory, nor its parent "));
	snprintf(path, sizeof(path), "%s/typo", top);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(daemon_lock(dir, "kuska-consolidator", "store", &made,
				     why, sizeof(why)),
			 0);
	assert_true(made);
	remove_test_store(dir, NULL);
	/* With a store in it, nothing new. */
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fclose(fopen(path, "w"));
	assert_int_equal(daemon_lock(dir, "kuska-consolidator", "store", &made,
				     why, sizeof(why)),
			 0);
	assert_false(made);
	remove_test_store(dir, top);
}

/*
 * A data directory that is a file is refused for good (78: systemd does
 * not restart it), one whose parent is missing too for now (1: a disk
 * mounted later may bring it), and so is one another daemon holds.
 */
static void
test_lock_exit_status(void **state)
{
	char top[64], file[96], deep[128], why[512];
	bool made = false;
	int r;

	(void)state;
	snprintf(top, sizeof(top), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(file, sizeof(file), "%s/afile", top);
	fclose(fopen(file, "w"));
	r = daemon_lock(file, "kuska-node", "outbox", &made, why, sizeof(why));
	assert_int_equal(r, -ENOTDIR);
	assert_int_equal(daemon_exit_status(r), LOG_EXIT_CONFIG);
	snprintf(deep, sizeof(deep), "%s/mnt/outbox", top);
	r = daemon_lock(deep, "kuska-node", "outbox", &made, why, sizeof(why));
	assert_int_equal(r, -ENOENT);
	assert_int_equal(daemon_exit_status(r), 1);
	assert_non_null(strstr(why, "RequiresMountsFor="));
	assert_int_equal(daemon_exit_status(-EBUSY), 1);
	assert_int_equal(daemon_exit_status(-ENOSPC), 1);
	assert_int_equal(daemon_exit_status(-EACCES), LOG_EXIT_CONFIG);
	assert_int_equal(daemon_exit_status(-EROFS), LOG_EXIT_CONFIG);
	assert_int_equal(daemon_exit_status(-EXDEV), LOG_EXIT_CONFIG);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(top), 0);
}

/* Runs daemon_lock on dir in a child that exits, kept or not. */
static void
start_in_child(const char *dir, bool keep)
{
	char why[512];
	bool made;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f;
		char path[160];
		if (daemon_lock(dir, "kuska-node", "outbox", &made, why,
				sizeof(why)) != 0 ||
		    !made)
			_exit(3);
		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		if ((f = fopen(path, "w")) == NULL)
			_exit(4);
		fclose(f);
		if (keep)
			daemon_keep();
		exit(1); /* as fatalx does */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

/*
 * A start that fails after daemon_lock made a new store leaves nothing
 * of it; one that got going (daemon_keep) keeps it; a store that was
 * there is never touched.
 */
static void
test_failed_start_leaves_nothing(void **state)
{
	char top[64], dir[96], path[160];

	(void)state;
	snprintf(top, sizeof(top), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/outbox", top);
	start_in_child(dir, false);
	assert_int_equal(access(dir, F_OK), -1);
	/* An empty directory that was there stays, with its lock file
	 * alone (unlinked, another start could lock a file gone). */
	assert_int_equal(mkdir(dir, 0700), 0);
	start_in_child(dir, false);
	assert_int_equal(access(dir, F_OK), 0);
	snprintf(path, sizeof(path), "%s/kuska.lock", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* Started: kept. */
	start_in_child(dir, true);
	assert_int_equal(access(path, F_OK), 0);
	remove_test_store(dir, top);
}

/*
 * A data directory of root's (restored, or made, by root) refuses the
 * service's lock: said to be the owner, with the way out. Needs root.
 */
static void
test_lock_dir_of_another_user(void **state)
{
	char dir[64], why[1024];
	bool made;
	pid_t pid;
	int st, fds[2];
	ssize_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/kuska-lockdir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = 2;
		close(fds[0]);
		why[0] = '\0';
		if (setgid(65534) == 0 && setuid(65534) == 0)
			r = daemon_lock(dir, "kuska-node", "outbox", &made, why,
					sizeof(why)) == 0
				? 1
				: 0;
		if (write(fds[1], why, strlen(why)) < 0)
			r = 3;
		_exit(r);
	}
	close(fds[1]);
	n = read(fds[0], why, sizeof(why) - 1);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	rmdir(dir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(n > 0);
	why[n] = '\0';
	assert_non_null(strstr(why, "cannot lock: Permission denied (the "
				    "directory, and data.mdb and lock.mdb in "
				    "it, must belong to the user the daemon "
				    "runs as"));
}

/*
 * -n run as root: access() says yes to root for every file, so a data.mdb
 * restored by root into the service's directory passed, and the start
 * then exited 78. The daemon's user is the directory's owner: the files
 * are weighed for it. Needs root, to make the files of two users.
 */
static void
test_check_data_user_as_root(void **state)
{
	char dir[64], path[96], why[1024];
	uid_t user;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/kuska-datauser-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	/* root's directory: the daemon's user cannot be told, not refused */
	assert_true(daemon_user_unknown(dir));
	assert_int_equal(daemon_may(path, dir, R_OK | W_OK, &user), 0);
	assert_int_equal(user, 0);
	assert_int_equal(
	    daemon_check_data_user("x.conf", "node", dir, why, sizeof(why)), 0);

	/* The service's directory, a data.mdb of root's in it. */
	assert_int_equal(chown(dir, 4242, 4242), 0);
	assert_false(daemon_user_unknown(dir));
	assert_int_equal(daemon_may(path, dir, R_OK | W_OK, &user), -EACCES);
	assert_int_equal(user, 4242);
	assert_int_equal(
	    daemon_check_data_user("x.conf", "node", dir, why, sizeof(why)),
	    -EACCES);
	assert_non_null(strstr(why, "/data.mdb: cannot be read and written "
				    "for uid 4242, the owner of "));
	assert_non_null(strstr(why, "Permission denied"));
	/* Its group's, and the group may read and write it: fine. */
	assert_int_equal(chown(path, 0, 4242), 0);
	assert_int_equal(chmod(path, 0660), 0);
	assert_int_equal(daemon_may(path, dir, R_OK | W_OK, &user), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(daemon_may(path, dir, R_OK | W_OK, &user), -EACCES);
	/* The user's: fine. */
	assert_int_equal(chown(path, 4242, 4242), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(
	    daemon_check_data_user("x.conf", "node", dir, why, sizeof(why)), 0);
	/* A lock.mdb of root's is refused as well. */
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(
	    daemon_check_data_user("x.conf", "node", dir, why, sizeof(why)),
	    -EACCES);
	assert_non_null(strstr(why, "/lock.mdb: cannot be read and written"));
	unlink(path);
	/* The directory its owner may not write. */
	assert_int_equal(chmod(dir, 0500), 0);
	assert_int_equal(
	    daemon_check_data_user("x.conf", "node", dir, why, sizeof(why)),
	    -EACCES);
	assert_non_null(strstr(why, ": cannot be written for uid 4242"));
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	rmdir(dir);
}

/* A client asks on the bound endpoint; the daemon answers with an error. */
/*
 * A lock.mdb of root's (the daemon or --audit run once by hand as root)
 * fails the service's open as data.mdb would: said so, not called damage.
 * Needs root, to make the files of two users.
 */
static void
test_data_access_lock_file(void **state)
{
	char dir[64], path[96];
	pid_t pid;
	int st, fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/kuska-access-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(path, 65534, 65534), 0);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setgid(65534) != 0 || setuid(65534) != 0
			  ? 2
			  : daemon_data_access(dir) == -EACCES ? 0 : 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	rmdir(dir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* The size of dir/lock.mdb, and whether its blocks are all allocated. */
static off_t
lock_size(const char *dir, bool *ret_allocated)
{
	char path[96];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	assert_int_equal(stat(path, &sb), 0);
	*ret_allocated = (uint64_t)sb.st_blocks * 512 >= (uint64_t)sb.st_size;
	return sb.st_size;
}

/*
 * lock.mdb has its blocks before LMDB maps it: one made here, and one
 * found sparse or short (LMDB's own, an earlier kuska's), whose holes a
 * full disk turned into a SIGBUS at the first write. What it holds stays.
 */
static void
test_reserve_lock(void **state)
{
	char dir[64], path[96], head[8];
	bool allocated;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-reserve-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	/* None: made, allocated. */
	assert_int_equal(daemon_reserve_lock(dir), 0);
	assert_true(lock_size(dir, &allocated) >= 65536);
	assert_true(allocated);
	/* LMDB's sparse 8 KiB. */
	unlink(path);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "lmdblock", 8, 0), 8);
	assert_int_equal(ftruncate(fd, 8192), 0);
	close(fd);
	assert_int_equal(lock_size(dir, &allocated), 8192);
	if (allocated) { /* a file system without holes: nothing to see */
		unlink(path);
		rmdir(dir);
		skip();
	}
	assert_int_equal(daemon_reserve_lock(dir), 0);
	assert_true(lock_size(dir, &allocated) >= 65536);
	assert_true(allocated);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, head, 8, 0), 8);
	close(fd);
	assert_memory_equal(head, "lmdblock", 8);
	/* Longer than the reserve, with holes: all of it, no more. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 262144), 0);
	close(fd);
	assert_int_equal(daemon_reserve_lock(dir), 0);
	assert_int_equal(lock_size(dir, &allocated), 262144);
	assert_true(allocated);
	unlink(path);
	rmdir(dir);
}

/* Sends a status request from cli, once its connection takes it. */
static void
send_status(struct tsock *cli)
{
	struct control req;
	uint8_t *buf;
	size_t len;
	int err = -EAGAIN, i;

	memset(&req, 0, sizeof(req));
	req.type = CTL_STATUS;
	assert_int_equal(codec_control_encode(&req, &buf, &len), 0);
	{
		const void *data[1] = {buf};
		size_t lens[1] = {len};
		for (i = 0; i < 100 && err == -EAGAIN; i++) {
			err = tsock_send(cli, data, lens, 1);
			if (err == -EAGAIN)
				usleep(10000);
		}
	}
	assert_int_equal(err, 0);
	free(buf);
}

static void
test_reply_reaches_the_client(void **state)
{
	char dir[64], ep[128], why[256];
	struct transport *t;
	struct tsock *srv, *again, *cli;
	struct control rep;
	struct tframes f = {0};
	bool ready[1];
	int err;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ep, sizeof(ep), "ipc://%s/control", dir);
	t = transport_new();
	assert_non_null(t);
	srv = daemon_bind_local(t, ep, 4096, why, sizeof(why));
	assert_non_null(srv);
	/* A live listener is not replaced. */
	again = daemon_bind_local(t, ep, 4096, why, sizeof(why));
	assert_null(again);
	assert_non_null(strstr(why, ": in use by another running daemon "
				    "(stop it first)"));
	/* A store of another user: said so, not called damaged. */
	assert_non_null(strstr(daemon_open_hint(-EACCES),
			       "data.mdb and lock.mdb must belong to the user"));
	assert_string_equal(daemon_open_hint(-ENOENT), "");
	assert_int_equal(daemon_data_access(dir), 0); /* no data.mdb */
	/* A credential path outside the service: said to be one. */
	assert_non_null(strstr(daemon_credential_hint(
				   "/run/credentials/kuska-none.service/x.key"),
			       "only while the service runs"));
	assert_string_equal(daemon_credential_hint("/etc/kuska/keys/x.key"),
			    "");
	/* A key the daemon may not read (root's, the daemon run by hand
	 * as a user of its own): whose it is and what to do, not a bare
	 * "Permission denied". Root reads any file: checked in a child
	 * dropped to nobody; not as root, one unreadable to its owner. */
	{
		char key[192];
		int fd, status;
		pid_t pid;

		snprintf(key, sizeof(key), "%s/unread.key", dir);
		fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(chmod(dir, 0755), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			const char *h;

			if (geteuid() == 0) {
				if (setgid(65534) != 0 || setuid(65534) != 0)
					_exit(77);
			} else if (chmod(key, 0) != 0)
				_exit(2);
			h = daemon_credential_hint(key);
			_exit(strstr(h, "this runs as uid") != NULL &&
				      strstr(h, "LoadCredential=") != NULL
				  ? 0
				  : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_true(WEXITSTATUS(status) == 0 ||
			    WEXITSTATUS(status) == 77);
		assert_int_equal(chmod(dir, 0700), 0);
		unlink(key);
	}
	/* A socket directory nobody made (run by hand, no systemd). */
	{
		char missing[192];

		snprintf(missing, sizeof(missing), "ipc://%s/none/control",
			 dir);
		assert_null(daemon_bind_local(t, missing, 4096, why,
					      sizeof(why)));
		assert_non_null(strstr(why, "/none/control: cannot bind: its "
					    "directory does not exist"));
	}
	cli = tsock_connect_local(t, ep, NULL, &err);
	assert_non_null(cli);
	send_status(cli);
	assert_true(tsock_poll(&srv, 1, ready, 5000) > 0);
	assert_int_equal(tsock_recv(srv, &f, 2, 4096), 0);
	assert_int_equal(f.n, 2);
	daemon_error_fill(&rep, "unexpected control request");
	assert_int_equal(daemon_reply(srv, &f, &rep), 0);
	tframes_clear(&f);
	assert_true(tsock_poll(&cli, 1, ready, 5000) > 0);
	assert_int_equal(tsock_recv(cli, &f, 1, 4096), 0);
	assert_int_equal(codec_control_decode(f.data[0], f.len[0], &rep), 0);
	assert_int_equal(rep.type, CTL_ERROR);
	assert_string_equal(rep.error, "unexpected control request");
	codec_control_clear(&rep);
	tframes_clear(&f);
	tsock_free(&cli);
	tsock_free(&srv);
	transport_free(&t);
	snprintf(ep, sizeof(ep), "%s/control", dir);
	unlink(ep);
	rmdir(dir);
}

/* A daemon_control_fn that counts the requests it is given in *arg. */
static int
count_request(void *arg, const struct tframes *req)
{
	(void)req;
	(*(int *)arg)++;
	return 0;
}

/*
 * More requests than one call answers: each call stops at its cap, and
 * what is left still wakes tsock_poll (libzmq's descriptor of a socket
 * wakes only for new arrivals), to be answered by the next calls.
 */
static void
test_control_serve_caps_a_call(void **state)
{
	enum { SENT = 2 * DAEMON_CONTROL_MAX_PER_CALL + 8, ROUNDS = 10 };
	char dir[64], ep[128], why[256];
	struct transport *t;
	struct tsock *srv, *cli;
	struct log_budget b = {0};
	bool ready[1];
	int err, i, round, answered, calls, capped = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ep, sizeof(ep), "ipc://%s/control", dir);
	t = transport_new();
	assert_non_null(t);
	srv = daemon_bind_local(t, ep, DAEMON_CONTROL_MAX_BYTES, why,
				sizeof(why));
	assert_non_null(srv);
	cli = tsock_connect_local(t, ep, NULL, &err);
	assert_non_null(cli);
	/* A round sends SENT requests and gives them time to come in; a
	 * late one only makes a call answer fewer, so a round on a busy
	 * machine may never fill a call: then another round, up to ROUNDS. */
	for (round = 0; round < ROUNDS && capped == 0; round++) {
		for (i = 0; i < SENT; i++)
			send_status(cli);
		usleep(200000);
		answered = 0;
		calls = 0;
		while (answered < SENT) {
			int before = answered;

			assert_int_equal(tsock_poll(&srv, 1, ready, 5000), 1);
			assert_int_equal(daemon_control_serve(srv,
							      count_request,
							      &answered, &b),
					 0);
			assert_true(answered - before <=
				    DAEMON_CONTROL_MAX_PER_CALL);
			capped += answered - before ==
				  DAEMON_CONTROL_MAX_PER_CALL;
			assert_true(++calls <= SENT);
		}
		assert_int_equal(answered, SENT);
	}
	assert_true(capped >= 1);
	assert_int_equal(tsock_poll(&srv, 1, ready, 0), 0);
	tsock_free(&cli);
	tsock_free(&srv);
	transport_free(&t);
	snprintf(ep, sizeof(ep), "%s/control", dir);
	unlink(ep);
	rmdir(dir);
}

/*
 * Runs daemon_map_fault_said in a child, its stderr into a pipe, then
 * either reads a page of a map whose file was cut (a data.mdb truncated
 * under the daemon) or is sent SIGBUS by kill. *said: whether it wrote
 * event=data_file_fault. Returns the child's wait status.
 */
static int
fault_in_child(bool cut, bool *said)
{
	char tmp[] = "/tmp/kuska-test-fault.XXXXXX", buf[4096];
	int fds[2], status, fd;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	assert_non_null(mkdtemp(tmp));
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char path[160];
		volatile char *map;

		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		daemon_map_fault_said("kuska-test", "store", tmp);
		if (!cut) {
			kill(getpid(), SIGBUS);
			_exit(5);
		}
		snprintf(path, sizeof(path), "%s/data.mdb", tmp);
		if ((fd = open(path, O_RDWR | O_CREAT, 0600)) < 0 ||
		    ftruncate(fd, 4096) != 0)
			_exit(3);
		map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED || ftruncate(fd, 0) != 0)
			_exit(4);
		(void)map[0];
		_exit(6);
	}
	close(fds[1]);
	while (len + 1 < sizeof(buf) &&
	       (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	*said = strstr(buf, "event=data_file_fault") != NULL;
	snprintf(buf, sizeof(buf), "%s/data.mdb", tmp);
	unlink(buf);
	rmdir(tmp);
	return status;
}

/*
 * A page of a cut data file is said as event=data_file_fault, exit 1; a
 * SIGBUS sent by kill (an operator, another process) is no damaged file:
 * it kills as before, unsaid, not sending the operator to a backup.
 */
static void
test_map_fault_only_a_fault(void **state)
{
	bool said;
	int status;

	(void)state;
	status = fault_in_child(true, &said);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_true(said);
	status = fault_in_child(false, &said);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
	assert_false(said);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_options),
	    cmocka_unit_test(test_lock_says_who),
	    cmocka_unit_test(test_lock_makes_only_the_last),
	    cmocka_unit_test(test_lock_exit_status),
	    cmocka_unit_test(test_lock_names_state_directory),
	    cmocka_unit_test(test_failed_start_leaves_nothing),
	    cmocka_unit_test(test_data_access_lock_file),
	    cmocka_unit_test(test_reserve_lock),
	    cmocka_unit_test(test_lock_dir_of_another_user),
	    cmocka_unit_test(test_check_data_user_as_root),
	    cmocka_unit_test(test_reply_reaches_the_client),
	    cmocka_unit_test(test_control_serve_caps_a_call),
	    cmocka_unit_test(test_map_fault_only_a_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
