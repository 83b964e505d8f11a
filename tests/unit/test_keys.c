/* test_keys.c - key files (keys.h), in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || keys_init() != 0)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-keys-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Writes text to dir/name with mode; returns the path in a static. */
static const char *
put_file(const struct fixture *fx, const char *name, const char *text,
	 mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
test_valid_id(void **state)
{
	char s[40];

	(void)state;
	assert_true(keys_valid_id("pnp"));
	assert_true(keys_valid_id("a"));
	assert_true(keys_valid_id("pnp-2026_a9"));
	assert_true(keys_valid_id("0"));
	memset(s, 'a', 31);
	s[31] = '\0';
	assert_true(keys_valid_id(s));
	s[31] = 'a';
	s[32] = '\0';
	assert_false(keys_valid_id(s)); /* 32 characters */
	assert_false(keys_valid_id(""));
	assert_false(keys_valid_id("PNP"));
	assert_false(keys_valid_id("pnp 1"));
	assert_false(keys_valid_id("pnp.key"));
	assert_false(keys_valid_id("../x"));
	assert_false(keys_valid_id("pnp/"));
	assert_false(keys_valid_id("\xc3\xb1"));
	assert_false(keys_valid_id("a\tb"));
}

static void
test_generate(void **state)
{
	struct secret_key *a = NULL, *b = NULL;
	uint8_t id[KEY_ID_LEN];

	(void)state;
	assert_int_equal(keys_generate("pnp", &a), 0);
	assert_int_equal(keys_generate("pnp", &b), 0);
	assert_string_equal(a->id, "pnp");
	keys_key_id(a->sign_pk, id);
	assert_memory_equal(id, a->key_id, KEY_ID_LEN);
	/* Fresh each time. */
	assert_memory_not_equal(a->sign_pk, b->sign_pk, SIGN_PK_LEN);
	assert_memory_not_equal(a->curve_pk, b->curve_pk, CURVE_KEY_LEN);
	assert_memory_not_equal(a->key_id, b->key_id, KEY_ID_LEN);
	keys_free(&a);
	assert_null(a);
	keys_free(&a);
	keys_free(NULL);
	keys_free(&b);
	assert_int_equal(keys_generate("Bad Id", &a), -EINVAL);
	assert_null(a);
	assert_int_equal(keys_generate("", &a), -EINVAL);
}

static void
test_write_load_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	struct public_key pub;
	char path[256], err[512];
	struct stat st;

	assert_int_equal(keys_generate("mimp", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "mimp"), 0);
	snprintf(path, sizeof(path), "%s/mimp.key", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	assert_string_equal(back->id, "mimp");
	assert_memory_equal(back->sign_sk, k->sign_sk, SIGN_SK_LEN);
	assert_memory_equal(back->sign_pk, k->sign_pk, SIGN_PK_LEN);
	assert_memory_equal(back->curve_sk, k->curve_sk, CURVE_KEY_LEN);
	assert_memory_equal(back->curve_pk, k->curve_pk, CURVE_KEY_LEN);
	assert_memory_equal(back->key_id, k->key_id, KEY_ID_LEN);
	keys_free(&back);

	snprintf(path, sizeof(path), "%s/mimp.pub", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 044 & st.st_mode);
	memset(&pub, 0, sizeof(pub));
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)), 0);
	assert_string_equal(pub.id, "mimp");
	assert_memory_equal(pub.sign_pk, k->sign_pk, SIGN_PK_LEN);
	assert_memory_equal(pub.curve_pk, k->curve_pk, CURVE_KEY_LEN);
	assert_memory_equal(pub.key_id, k->key_id, KEY_ID_LEN);

	/* A NUL byte in its comment (a bad disk, a bad copy): said to be
	 * damaged, not "id: missing" with every line after it unread. */
	{
		int fd = open(path, O_WRONLY);

		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, "\0\0", 2, 3), 2);
		close(fd);
	}
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ": a NUL byte at offset 3: "));
	assert_non_null(strstr(err, "put back its copy from a backup"));
	snprintf(path, sizeof(path), "%s/mimp.key", fx->dir);
	{
		int fd = open(path, O_WRONLY);

		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, "\0", 1, 10), 1);
		close(fd);
	}
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err, ": a NUL byte at offset 10: "));

	/* The file name need not be the id. */
	assert_int_equal(keys_write(k, fx->dir, "other-name"), 0);
	snprintf(path, sizeof(path), "%s/other-name.key", fx->dir);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	assert_string_equal(back->id, "mimp");
	keys_free(&back);
	keys_free(&k);
}

static void
test_write_refuses_overwrite(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *a = NULL, *b = NULL, *back = NULL;
	char path[256], err[512];

	assert_int_equal(keys_generate("pj", &a), 0);
	assert_int_equal(keys_generate("pj", &b), 0);
	assert_int_equal(keys_write(a, fx->dir, "pj"), 0);
	assert_int_equal(keys_write(b, fx->dir, "pj"), -EEXIST);
	/* The first key is still the one on disk. */
	snprintf(path, sizeof(path), "%s/pj.key", fx->dir);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	assert_memory_equal(back->sign_sk, a->sign_sk, SIGN_SK_LEN);
	keys_free(&back);
	/* No such directory. */
	assert_int_equal(keys_write(a, "/nonexistent-kuska-dir", "pj"),
			 -ENOENT);
	keys_free(&a);
	keys_free(&b);
}

/*
 * If NAME.pub exists but NAME.key does not, keys_write fails with -EEXIST
 * but leaves a new NAME.key behind with no matching .pub: a second try
 * then fails on the .key too.
 */
static void
test_write_pub_exists(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *a = NULL;
	char path[256];

	assert_int_equal(keys_generate("pj", &a), 0);
	put_file(fx, "half.pub", "id = x\n", 0644);
	assert_int_equal(keys_write(a, fx->dir, "half"), -EEXIST);
	snprintf(path, sizeof(path), "%s/half.key", fx->dir);
	/* Nothing half-written: the secret file is not left behind. */
	assert_int_not_equal(access(path, F_OK), 0);
	keys_free(&a);
}

static void
test_secret_mode_refused(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	static const mode_t modes[] = {0640, 0604,	 0660, 0644,
				       0606, 0700 | 004, 0620, 0602};
	char path[256], err[512];
	size_t i;

	assert_int_equal(keys_generate("minsa", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "minsa"), 0);
	snprintf(path, sizeof(path), "%s/minsa.key", fx->dir);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(path, modes[i]), 0);
		err[0] = '\0';
		back = NULL;
		assert_int_equal(
		    keys_load_secret(path, &back, err, sizeof(err)), -EPERM);
		assert_null(back);
		assert_non_null(strstr(err, path));
		/* NULL errbuf is allowed. */
		assert_int_equal(keys_load_secret(path, &back, NULL, 0),
				 -EPERM);
	}
	/* 0400 and 0600 are fine. */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	keys_free(&back);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(keys_check_private(path, err, sizeof(err)), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keys_check_private(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, path));
	/* A .pub named as the secret key, as it is written (0644): not
	 * "chmod 600 it", which would only lead to the next error. */
	snprintf(path, sizeof(path), "%s/minsa.pub", fx->dir);
	back = NULL;
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "this is a public key file (.pub)"));
	assert_null(strstr(err, "chmod"));
	assert_int_equal(keys_check_private(path, err, sizeof(err)), -EINVAL);
	/* A directory is not a key file; a missing file is -ENOENT. */
	assert_int_equal(keys_check_private(fx->dir, err, sizeof(err)),
			 -EINVAL);
	snprintf(path, sizeof(path), "%s/absent.key", fx->dir);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, path));
	keys_free(&k);
}

/*
 * open(2) linked with -Wl,--wrap=open and --wrap=__open_2 (tests.cmake;
 * _FORTIFY_SOURCE calls the second where the flags are not constant):
 * when armed, the first open of swap_at first renames swap_from over it,
 * as another process could between a check by name and the open.
 */
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __real___open_2(const char *path, int flags);
int __wrap___open_2(const char *path, int flags);

static char swap_at[256], swap_from[256];

/* The swap, if armed for path: 0, or -1 if the rename failed. */
static int
swap_if_armed(const char *path)
{
	if (swap_at[0] == '\0' || strcmp(path, swap_at) != 0)
		return 0;
	swap_at[0] = '\0';
	return rename(swap_from, path);
}

int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (swap_if_armed(path) != 0)
		return -1;
	return __real_open(path, flags, mode);
}

int
__wrap___open_2(const char *path, int flags)
{
	if (swap_if_armed(path) != 0)
		return -1;
	return __real___open_2(path, flags);
}

/* Arms the swap: the next open of at gets from's file. */
static void
swap_on_open(const char *at, const char *from)
{
	snprintf(swap_at, sizeof(swap_at), "%s", at);
	snprintf(swap_from, sizeof(swap_from), "%s", from);
}

/*
 * A key file swapped between the mode check and the read (a rename, as
 * the name is looked up twice) is refused: the check is of the file read.
 * It was once made by name (stat) and the file then opened by name.
 */
static void
test_secret_checked_as_read(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	struct key32 *k32 = NULL;
	char path[256], loose[256], err[512];

	assert_int_equal(keys_generate("minsa", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "swapped"), 0);
	assert_int_equal(keys_write(k, fx->dir, "swapped-in"), 0);
	snprintf(path, sizeof(path), "%s/swapped.key", fx->dir);
	snprintf(loose, sizeof(loose), "%s/swapped-in.key", fx->dir);
	assert_int_equal(chmod(loose, 0644), 0);
	swap_on_open(path, loose);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EPERM);
	assert_null(back);
	assert_true(swap_at[0] == '\0'); /* the swap happened */
	assert_non_null(strstr(err, "mode 0644"));

	snprintf(path, sizeof(path), "%s/swapped-linkage.key", fx->dir);
	assert_int_equal(keys_key32_write(path, KEY32_LINKAGE, 1), 0);
	snprintf(loose, sizeof(loose), "%s/swapped-in-linkage.key", fx->dir);
	assert_int_equal(keys_key32_write(loose, KEY32_LINKAGE, 1), 0);
	assert_int_equal(chmod(loose, 0640), 0);
	swap_on_open(path, loose);
	assert_int_equal(
	    keys_key32_load(path, KEY32_LINKAGE, &k32, err, sizeof(err)),
	    -EPERM);
	assert_null(k32);
	assert_true(swap_at[0] == '\0');
	keys_free(&k);
}

/*
 * A secret key is not read through a symbolic link (its target could
 * change under the check), nor from a FIFO (not waited on); a public key
 * may be a link.
 */
static void
test_secret_not_a_link(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	struct public_key pub;
	char path[256], link[256], fifo[256], err[512];

	assert_int_equal(keys_generate("pj", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "linked"), 0);
	snprintf(path, sizeof(path), "%s/linked.key", fx->dir);
	snprintf(link, sizeof(link), "%s/link-to.key", fx->dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	keys_free(&back);
	assert_int_equal(keys_load_secret(link, &back, err, sizeof(err)),
			 -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err, link));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(keys_check_private(link, err, sizeof(err)), -EINVAL);

	snprintf(path, sizeof(path), "%s/linked.pub", fx->dir);
	snprintf(link, sizeof(link), "%s/link-to.pub", fx->dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(keys_load_public(link, &pub, err, sizeof(err)), 0);

	snprintf(fifo, sizeof(fifo), "%s/fifo.key", fx->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(keys_load_secret(fifo, &back, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	keys_free(&k);
}

/*
 * A secret key file another user owns is refused, naming the file, its
 * owner and the chown to run: its owner could change it. Root's or this
 * user's are fine. Needs root, to give the file away.
 */
static void
test_secret_owner(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	struct key32 *k32 = NULL;
	struct passwd *pw;
	char path[256], err[512], want[300];
	int status = -1;
	pid_t pid;

	if (geteuid() != 0) {
		skip(); /* only root gives a file away */
		return;
	}
	assert_int_equal(keys_generate("minsa", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "given-away"), 0);
	snprintf(path, sizeof(path), "%s/given-away.key", fx->dir);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	keys_free(&back);
	assert_int_equal(chown(path, 65534, 65534), 0);
	err[0] = '\0';
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EPERM);
	assert_null(back);
	assert_int_equal(keys_check_private(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "(uid 65534)"));
	pw = getpwuid(65534);
	if (pw != NULL) {
		snprintf(want, sizeof(want), "owned by %s (uid 65534)",
			 pw->pw_name);
		assert_non_null(strstr(err, want));
	}
	snprintf(want, sizeof(want), "chown root %s", path);
	assert_non_null(strstr(err, want));
	/* The same for the 32-byte keys. */
	snprintf(path, sizeof(path), "%s/given-away-ref.key", fx->dir);
	assert_int_equal(keys_key32_write(path, KEY32_REF, 1), 0);
	assert_int_equal(chown(path, 65534, 0), 0);
	assert_int_equal(
	    keys_key32_load(path, KEY32_REF, &k32, err, sizeof(err)), -EPERM);
	assert_null(k32);
	assert_int_equal(chown(path, 0, 65534), 0); /* its group: no matter */
	assert_int_equal(
	    keys_key32_load(path, KEY32_REF, &k32, err, sizeof(err)), 0);
	keys_key32_free(&k32);
	/* Run as another user (uid 65534), a file of a third (65533) it
	 * may read is refused for its owner, naming the user who runs. */
	assert_int_equal(chmod(fx->dir, 0711), 0);
	assert_int_equal(chown(path, 65533, 0), 0);
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(want, sizeof(want), "sudo chown %s %s",
		 pw != NULL ? pw->pw_name : "65534", path);
	pid = fork();
	if (pid == 0) {
		int r = -1;
		if (setgid(65534) == 0 && setuid(65534) == 0)
			r = keys_check_private(path, err, sizeof(err));
		_exit(r == -EPERM && strstr(err, "nor by root") != NULL &&
			      strstr(err, want) != NULL
			  ? 0
			  : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	keys_free(&k);
}

/*
 * The n (at most 8) entries {tag, perm, id} in the kernel's
 * system.posix_acl_access form (version 2, little-endian) into acl, which
 * holds 4 + 8 * 8 bytes. Returns its length.
 */
static size_t
acl_encode(const uint32_t (*ents)[3], size_t n, uint8_t *acl)
{
	size_t i, j;

	acl[0] = 2;
	acl[1] = acl[2] = acl[3] = 0;
	for (i = 0; i < n && i < 8; i++) {
		uint8_t *e = acl + 4 + 8 * i;
		e[0] = (uint8_t)ents[i][0];
		e[1] = (uint8_t)(ents[i][0] >> 8);
		e[2] = (uint8_t)ents[i][1];
		e[3] = 0;
		for (j = 0; j < 4; j++)
			e[4 + j] = (uint8_t)(ents[i][2] >> (8 * j));
	}
	return 4 + 8 * i;
}

/*
 * Gives path a POSIX ACL of n entries {tag, perm, id}, owner rw, in the
 * kernel's system.posix_acl_access form. Returns 0 or -errno.
 */
static int
set_acl(const char *path, const uint32_t (*ents)[3], size_t n)
{
	uint8_t acl[4 + 8 * 8];
	size_t len = acl_encode(ents, n, acl);

	return setxattr(path, "system.posix_acl_access", acl, len, 0) == 0
		   ? 0
		   : -errno;
}

/*
 * A key file whose group bits are only an ACL's mask, the ACL letting
 * this user alone read it (as systemd gives a credential to a service's
 * user: root's, 0400, user:UID:r--, shown as 0440), is accepted; one
 * letting another user, the group or a writer in is refused.
 */
static void
test_secret_acl(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL, *back = NULL;
	const uint32_t none = 0xffffffffu, me = (uint32_t)geteuid();
	const uint32_t reader[][3] = {{0x01, 6, none},
				      {0x02, 4, me},
				      {0x04, 0, none},
				      {0x10, 4, none},
				      {0x20, 0, none}};
	const uint32_t another[][3] = {{0x01, 6, none},
				       {0x02, 4, 65533},
				       {0x04, 0, none},
				       {0x10, 4, none},
				       {0x20, 0, none}};
	const uint32_t writer[][3] = {{0x01, 6, none},
				      {0x02, 6, me},
				      {0x04, 0, none},
				      {0x10, 6, none},
				      {0x20, 0, none}};
	const uint32_t group[][3] = {{0x01, 6, none},
				     {0x02, 4, me},
				     {0x04, 4, none},
				     {0x10, 4, none},
				     {0x20, 0, none}};
	struct stat st;
	char path[256], err[512];
	int r;

	assert_int_equal(keys_generate("acl", &k), 0);
	assert_int_equal(keys_write(k, fx->dir, "acl"), 0);
	snprintf(path, sizeof(path), "%s/acl.key", fx->dir);
	r = set_acl(path, reader, 5);
	if (r == -EOPNOTSUPP || r == -ENOTSUP) {
		keys_free(&k);
		skip(); /* no ACLs on this file system */
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* the mask */
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	keys_free(&back);
	assert_int_equal(set_acl(path, another, 5), 0);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "accessible by group or others"));
	assert_int_equal(set_acl(path, writer, 5), 0);
	assert_int_equal(keys_check_private(path, err, sizeof(err)), -EPERM);
	assert_int_equal(set_acl(path, group, 5), 0);
	assert_int_equal(keys_check_private(path, err, sizeof(err)), -EPERM);
	keys_free(&k);
}

/*
 * Only a file in systemd's credential directory, which root alone writes,
 * escapes the owner check when root reads it: not a look-alike directory,
 * a relative path or one climbing out with "..".
 */
static void
test_credential_path(void **state)
{
	(void)state;
	assert_true(
	    keys_is_credential("/run/credentials/kuska-node@pnp.service/k"));
	assert_false(keys_is_credential("/run/credentialsx/k"));
	assert_false(keys_is_credential("/run/credentials"));
	assert_false(keys_is_credential("run/credentials/a.service/k"));
	assert_false(keys_is_credential("/etc/kuska/keys/pnp.key"));
	assert_false(
	    keys_is_credential("/run/credentials/a.service/../../../tmp/k"));
	assert_false(keys_is_credential("/tmp/run/credentials/a.service/k"));
}

/*
 * An ACL value that no kernel file system stores, but one of FUSE's may
 * give: cut short, of another version, without its mask or others entry,
 * an entry twice, an unknown tag. None lets the group bits pass.
 */
static void
test_acl_value(void **state)
{
	const uint32_t none = 0xffffffffu, me = 1000;
	const uint32_t reader[][3] = {{0x01, 6, none},
				      {0x02, 4, me},
				      {0x04, 0, none},
				      {0x10, 4, none},
				      {0x20, 0, none}};
	const uint32_t no_mask[][3] = {
	    {0x01, 6, none}, {0x02, 4, me}, {0x04, 0, none}, {0x20, 0, none}};
	const uint32_t no_other[][3] = {
	    {0x01, 6, none}, {0x02, 4, me}, {0x04, 0, none}, {0x10, 4, none}};
	const uint32_t twice[][3] = {{0x01, 6, none}, {0x02, 4, me},
				     {0x04, 0, none}, {0x10, 4, none},
				     {0x20, 0, none}, {0x20, 0, none}};
	const uint32_t unknown[][3] = {{0x01, 6, none}, {0x02, 4, me},
				       {0x04, 0, none}, {0x10, 4, none},
				       {0x20, 0, none}, {0x40, 0, none}};
	uint8_t acl[4 + 8 * 8];
	size_t n;

	(void)state;
	n = acl_encode(reader, 5, acl);
	assert_true(keys_acl_reads_only_users(acl, n, me, false));
	assert_false(keys_acl_reads_only_users(acl, n, me + 1, false));
	assert_true(keys_acl_reads_only_users(acl, n, me + 1, true));
	assert_false(keys_acl_reads_only_users(acl, n - 1, me, false));
	assert_false(keys_acl_reads_only_users(acl, n - 8, me, false));
	assert_false(keys_acl_reads_only_users(acl, 4, me, false));
	assert_false(keys_acl_reads_only_users(acl, 3, me, false));
	assert_false(keys_acl_reads_only_users(acl, 0, me, false));
	acl[0] = 1;
	assert_false(keys_acl_reads_only_users(acl, n, me, false));
	n = acl_encode(no_mask, 4, acl);
	assert_false(keys_acl_reads_only_users(acl, n, me, false));
	n = acl_encode(no_other, 4, acl);
	assert_false(keys_acl_reads_only_users(acl, n, me, false));
	n = acl_encode(twice, 6, acl);
	assert_false(keys_acl_reads_only_users(acl, n, me, false));
	n = acl_encode(unknown, 6, acl);
	assert_false(keys_acl_reads_only_users(acl, n, me, false));
}

/* A valid secret file's three lines, for building bad ones. */
struct lines {
	char id[64], sign[160], curve[96];
};

static void
valid_lines(struct lines *l)
{
	struct secret_key *k = NULL;
	char b[128];

	assert_int_equal(keys_generate("pnp", &k), 0);
	snprintf(l->id, sizeof(l->id), "id = pnp\n");
	snprintf(l->sign, sizeof(l->sign), "sign_secret = %s\n",
		 keys_b64(k->sign_sk, SIGN_SK_LEN, b, sizeof(b)));
	snprintf(l->curve, sizeof(l->curve), "transport_secret = %s\n",
		 keys_b64(k->curve_sk, CURVE_KEY_LEN, b, sizeof(b)));
	keys_free(&k);
}

static void
expect_malformed(const struct fixture *fx, const char *text)
{
	struct secret_key *back = NULL;
	const char *path = put_file(fx, "bad.key", text, 0600);
	char err[512] = "";

	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EINVAL);
	assert_null(back);
	if (strstr(err, path) == NULL)
		fail_msg("message does not name %s: \"%s\"", path, err);
}

static void
test_secret_malformed(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *back = NULL;
	struct lines l;
	char text[2048], err[512];
	const char *path;

	valid_lines(&l);
	/* The valid file, with comments, blank lines and spacing. */
	snprintf(text, sizeof(text), "# comment\n\n  %s\t%s%s", l.id, l.sign,
		 l.curve);
	path = put_file(fx, "good.key", text, 0600);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)), 0);
	assert_string_equal(back->id, "pnp");
	keys_free(&back);

	/* A missing line each. */
	snprintf(text, sizeof(text), "%s%s", l.sign, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%s", l.id, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%s", l.id, l.sign);
	expect_malformed(fx, text);
	expect_malformed(fx, "");
	/* Bad base64, wrong length. */
	snprintf(text, sizeof(text), "%ssign_secret = !!!notbase64!!!\n%s",
		 l.id, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%stransport_secret = AAAA\n", l.id,
		 l.sign);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text),
		 "%s%stransport_secret = "
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		 l.id, l.sign);
	expect_malformed(fx, text);
	/* URL-safe base64 is not the variant we write. */
	snprintf(text, sizeof(text),
		 "%s%stransport_secret = "
		 "_-__________________________________________\n",
		 l.id, l.sign);
	expect_malformed(fx, text);
	/* Bad id. */
	snprintf(text, sizeof(text), "id = PNP\n%s%s", l.sign, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "id =\n%s%s", l.sign, l.curve);
	expect_malformed(fx, text);
	/* Duplicate and unknown keys, a line without "=". */
	snprintf(text, sizeof(text), "%s%s%s%s", l.id, l.sign, l.sign, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%s%s%s", l.id, l.id, l.sign, l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%s%scolour = blue\n", l.id, l.sign,
		 l.curve);
	expect_malformed(fx, text);
	snprintf(text, sizeof(text), "%s%s%sjust words\n", l.id, l.sign,
		 l.curve);
	expect_malformed(fx, text);
	/* A public key field in a secret file. */
	snprintf(text, sizeof(text), "%s%s%sfingerprint = 0011223344556677\n",
		 l.id, l.sign, l.curve);
	expect_malformed(fx, text);

	/* Too large: padded with comments past the limit. */
	{
		char *big = malloc(8192);
		size_t n;
		assert_non_null(big);
		n = (size_t)snprintf(big, 8192, "%s%s%s", l.id, l.sign,
				     l.curve);
		while (n < 5000)
			n += (size_t)snprintf(big + n, 8192 - n,
					      "# padding padding padding\n");
		expect_malformed(fx, big);
		free(big);
	}
}

/* The line of a malformed line is named. */
static void
test_secret_error_line(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *back = NULL;
	struct lines l;
	char text[1024], err[512], want[300];
	const char *path;

	valid_lines(&l);
	snprintf(text, sizeof(text), "# c\n%s%sbogus = 1\n%s", l.id, l.sign,
		 l.curve);
	path = put_file(fx, "line.key", text, 0600);
	assert_int_equal(keys_load_secret(path, &back, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:4:", path);
	assert_non_null(strstr(err, want));
}

/*
 * A key file's value refused is named with its file, line and name, as a
 * config's are; a line missing with its file and name.
 */
static void
expect_key_error(const struct fixture *fx, const char *name, const char *text,
		 int kind, const char *want_tail)
{
	struct secret_key *sk = NULL;
	struct public_key pk;
	struct key32 *k32 = NULL;
	const char *path;
	char err[512] = "", want[400];
	int r;

	path = put_file(fx, name, text, 0600);
	if (kind == 0)
		r = keys_load_secret(path, &sk, err, sizeof(err));
	else if (kind == 1)
		r = keys_load_public(path, &pk, err, sizeof(err));
	else
		r = keys_key32_load(path, (enum key32_kind)(kind - 2), &k32,
				    err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_null(sk);
	assert_null(k32);
	snprintf(want, sizeof(want), "%s%s", path, want_tail);
	if (strcmp(err, want) != 0)
		fail_msg("\"%s\", not \"%s\"", err, want);
}

static void
test_error_lines(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL;
	struct lines l;
	char text[1024], b1[64], b2[64];
	const char *zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

	valid_lines(&l);
	/* Secret: each field bad at its line, or missing. */
	snprintf(text, sizeof(text), "# c\n\n%sid = PNP!\n%s", l.sign, l.curve);
	expect_key_error(fx, "s.key", text, 0,
			 ":4: id: not an id (1 to 31 of a-z, 0-9, _ and -)");
	snprintf(text, sizeof(text), "# c\n%ssign_secret = !!!\n%s", l.id,
		 l.curve);
	expect_key_error(fx, "s.key", text, 0,
			 ":3: sign_secret: not base64 of 64 bytes");
	snprintf(text, sizeof(text), "%s%stransport_secret = AAAA\n# end\n",
		 l.id, l.sign);
	expect_key_error(fx, "s.key", text, 0,
			 ":3: transport_secret: not base64 of 32 bytes");
	snprintf(text, sizeof(text), "%s%s", l.id, l.sign);
	expect_key_error(fx, "s.key", text, 0, ": transport_secret: missing");
	expect_key_error(fx, "s.key", "", 0, ": id: missing");

	/* Public: a bad value, the fingerprint of another key. */
	assert_int_equal(keys_generate("pnp", &k), 0);
	keys_b64(k->sign_pk, SIGN_PK_LEN, b1, sizeof(b1));
	keys_b64(k->curve_pk, CURVE_KEY_LEN, b2, sizeof(b2));
	keys_free(&k);
	snprintf(text, sizeof(text),
		 "# pub\nid = pnp\nsign_public = %s\ntransport_public = %s=\n",
		 b1, b2);
	expect_key_error(fx, "p.pub", text, 1,
			 ":4: transport_public: not base64 of 32 bytes");
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %s\ntransport_public = %s\n"
		 "fingerprint = 0000000000000000\n",
		 b1, b2);
	expect_key_error(fx, "p.pub", text, 1,
			 ":4: fingerprint: does not match the key (the file "
			 "was altered?)");

	/* 32-byte keys: the key, its epoch, a share that is no scalar. */
	expect_key_error(fx, "l.key", "# linkage\nlinkage = AAAA\nepoch = 1\n",
			 2 + KEY32_LINKAGE,
			 ":2: linkage: not base64 of 32 bytes");
	snprintf(text, sizeof(text), "linkage = %s\n\nepoch = 01\n", zero);
	expect_key_error(fx, "l.key", text, 2 + KEY32_LINKAGE,
			 ":3: epoch: must be a whole number from 1 to 1000000");
	expect_key_error(fx, "l.key", "epoch = 1\n", 2 + KEY32_LINKAGE,
			 ": linkage: missing");
	snprintf(text, sizeof(text), "oprf_share = %s\nepoch = 2\n", zero);
	expect_key_error(fx, "o.key", text, 2 + KEY32_OPRF_SHARE,
			 ":1: oprf_share: not a valid share (a non-zero "
			 "scalar below the group's order)");
}

static void
test_public_malformed(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL;
	struct public_key pub;
	char text[1024], err[512], b1[64], b2[64];
	const char *path;

	assert_int_equal(keys_generate("pnp", &k), 0);
	keys_b64(k->sign_pk, SIGN_PK_LEN, b1, sizeof(b1));
	keys_b64(k->curve_pk, CURVE_KEY_LEN, b2, sizeof(b2));
	/* Without the fingerprint line: fine, the id is computed. */
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %s\ntransport_public = %s\n", b1, b2);
	path = put_file(fx, "p.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)), 0);
	assert_memory_equal(pub.key_id, k->key_id, KEY_ID_LEN);
	/* Missing, bad and unknown fields. */
	snprintf(text, sizeof(text), "id = pnp\nsign_public = %s\n", b1);
	path = put_file(fx, "p.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, path));
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %s\ntransport_public = %s\n", b2, b2);
	path = put_file(fx, "p.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)), 0);
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %sAA\ntransport_public = %s\n", b1,
		 b2);
	path = put_file(fx, "p.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -EINVAL);
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %s\ntransport_public = %s\n"
		 "sign_secret = %s\n",
		 b1, b2, b1);
	path = put_file(fx, "p.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, path));
	path = "/nonexistent-kuska/x.pub";
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, path));
	keys_free(&k);
}

/*
 * The fingerprint line of a public file is read but never compared with
 * the key: a .pub whose fingerprint names another key loads silently.
 */
static void
test_public_fingerprint_checked(void **state)
{
	struct fixture *fx = *state;
	struct secret_key *k = NULL;
	struct public_key pub;
	char text[1024], err[512], b1[64], b2[64];
	const char *path;

	assert_int_equal(keys_generate("pnp", &k), 0);
	keys_b64(k->sign_pk, SIGN_PK_LEN, b1, sizeof(b1));
	keys_b64(k->curve_pk, CURVE_KEY_LEN, b2, sizeof(b2));
	snprintf(text, sizeof(text),
		 "id = pnp\nsign_public = %s\ntransport_public = %s\n"
		 "fingerprint = 0000000000000000\n",
		 b1, b2);
	path = put_file(fx, "fp.pub", text, 0644);
	assert_int_equal(keys_load_public(path, &pub, err, sizeof(err)),
			 -EINVAL);
	keys_free(&k);
}

static void
test_key32(void **state)
{
	struct fixture *fx = *state;
	struct key32 *key = NULL, *key2 = NULL;
	uint8_t zero[32] = {0};
	char path[256], path2[256], err[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/linkage.key", fx->dir);
	assert_int_equal(keys_key32_write(path, KEY32_LINKAGE, 3), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keys_key32_write(path, KEY32_LINKAGE, 3), -EEXIST);
	assert_int_equal(
	    keys_key32_load(path, KEY32_LINKAGE, &key, err, sizeof(err)), 0);
	assert_non_null(key);
	assert_memory_not_equal(key->key, zero, 32);
	assert_int_equal(key->epoch, 3);
	/* Loads the same twice; a second file is a different key. */
	assert_int_equal(
	    keys_key32_load(path, KEY32_LINKAGE, &key2, err, sizeof(err)), 0);
	assert_memory_equal(key->key, key2->key, 32);
	keys_key32_free(&key2);
	snprintf(path2, sizeof(path2), "%s/linkage2.key", fx->dir);
	assert_int_equal(keys_key32_write(path2, KEY32_LINKAGE, 1), 0);
	assert_int_equal(
	    keys_key32_load(path2, KEY32_LINKAGE, &key2, err, sizeof(err)), 0);
	assert_memory_not_equal(key->key, key2->key, 32);
	keys_key32_free(&key2);
	assert_null(key2);
	keys_key32_free(&key2);
	keys_key32_free(NULL);
	/* A file of one kind is not a file of another. */
	assert_int_equal(
	    keys_key32_load(path, KEY32_REF, &key2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ref key file"));
	assert_int_equal(keys_key32_write(path2, KEY32_LINKAGE, 0), -EINVAL);

	/* Readable by others: refused. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(
	    keys_key32_load(path, KEY32_LINKAGE, &key2, err, sizeof(err)),
	    -EPERM);
	assert_non_null(strstr(err, path));
	assert_null(key2);

	/* Malformed. */
	{
		static const char *const bad[] = {
		    "",
		    "linkage = AAAA\n",
		    "linkage = !!\n",
		    "link = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		    ("linkage = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		     "linkage = "
		     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"),
		    ("linkage = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		     "epoch = 0\n"),
		    ("linkage = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		     "epoch = 01\n"),
		    ("linkage = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		     "epoch = 99999999999\n")};
		size_t i;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *p = put_file(fx, "l.key", bad[i], 0600);
			err[0] = '\0';
			assert_int_equal(keys_key32_load(p, KEY32_LINKAGE,
							 &key2, err,
							 sizeof(err)),
					 -EINVAL);
			assert_null(key2);
			assert_non_null(strstr(err, p));
		}
		/* 32 zero bytes, correctly encoded, load (epoch 1); as an
		 * OPRF share they are not a valid scalar. */
		{
			const char *p = put_file(
			    fx, "l.key",
			    "linkage = "
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			    0600);
			assert_int_equal(keys_key32_load(p, KEY32_LINKAGE,
							 &key2, err,
							 sizeof(err)),
					 0);
			assert_memory_equal(key2->key, zero, 32);
			assert_int_equal(key2->epoch, 1);
			keys_key32_free(&key2);
			p = put_file(
			    fx, "s.key",
			    "oprf_share = "
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			    "=\nepoch = 2\n",
			    0600);
			assert_int_equal(keys_key32_load(p, KEY32_OPRF_SHARE,
							 &key2, err,
							 sizeof(err)),
					 -EINVAL);
		}
	}
	keys_key32_free(&key);

	/* A fresh share is a valid scalar with its epoch; a ref key file
	 * has no epoch line. */
	snprintf(path, sizeof(path), "%s/share.key", fx->dir);
	assert_int_equal(keys_key32_write(path, KEY32_OPRF_SHARE, 7), 0);
	assert_int_equal(
	    keys_key32_load(path, KEY32_OPRF_SHARE, &key, err, sizeof(err)), 0);
	assert_int_equal(key->epoch, 7);
	keys_key32_free(&key);
	snprintf(path, sizeof(path), "%s/ref.key", fx->dir);
	assert_int_equal(keys_key32_write(path, KEY32_REF, 1), 0);
	assert_int_equal(
	    keys_key32_load(path, KEY32_REF, &key, err, sizeof(err)), 0);
	keys_key32_free(&key);
	{
		const char *p = put_file(
		    fx, "r.key",
		    "ref = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		    "epoch = 2\n",
		    0600);
		assert_int_equal(
		    keys_key32_load(p, KEY32_REF, &key, err, sizeof(err)),
		    -EINVAL);
	}
}

static void
test_b64(void **state)
{
	uint8_t in[33], out[33];
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37);
	keys_b64(in, 32, s, sizeof(s));
	assert_int_equal(strlen(s), 44);
	assert_int_equal(keys_parse_b64(s, out, 32), 0);
	assert_memory_equal(in, out, 32);
	/* Wrong length either way. */
	assert_int_equal(keys_parse_b64(s, out, 31), -EINVAL);
	assert_int_equal(keys_parse_b64(s, out, 33), -EINVAL);
	/* Trailing garbage, spaces. */
	{
		char t[80];
		snprintf(t, sizeof(t), "%s!", s);
		assert_int_equal(keys_parse_b64(t, out, 32), -EINVAL);
		snprintf(t, sizeof(t), " %s", s);
		assert_int_equal(keys_parse_b64(t, out, 32), -EINVAL);
	}
	assert_int_equal(keys_parse_b64("", out, 32), -EINVAL);
}

static void
test_random64(void **state)
{
	uint64_t a, b;

	(void)state;
	a = keys_random64();
	b = keys_random64();
	/* 2^-64 chance of a false failure. */
	assert_true(a != b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_id),
	    cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_write_load_round_trip),
	    cmocka_unit_test(test_write_refuses_overwrite),
	    cmocka_unit_test(test_write_pub_exists),
	    cmocka_unit_test(test_secret_mode_refused),
	    cmocka_unit_test(test_secret_malformed),
	    cmocka_unit_test(test_secret_error_line),
	    cmocka_unit_test(test_error_lines),
	    cmocka_unit_test(test_public_malformed),
	    cmocka_unit_test(test_public_fingerprint_checked),
	    cmocka_unit_test(test_key32),
	    cmocka_unit_test(test_secret_checked_as_read),
	    cmocka_unit_test(test_secret_not_a_link),
	    cmocka_unit_test(test_secret_owner),
	    cmocka_unit_test(test_secret_acl),
	    cmocka_unit_test(test_acl_value),
	    cmocka_unit_test(test_credential_path),
	    cmocka_unit_test(test_b64),
	    cmocka_unit_test(test_random64),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
