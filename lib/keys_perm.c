/*
 * keys_perm.c - who may read a secret key file: a regular file, not
 * through a link, not a public key file, owned by whoever reads it or
 * root, its mode (or a credential's ACL) letting no one else read it;
 * see keys.h.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "keys_int.h"

/*
 * Whether the open file fd has a line of a public key file: a .pub named
 * where a secret is expected is readable by all, and "chmod 600 it" would
 * be the wrong advice. Reads fd from its start (pread: its offset stays).
 */
static bool
is_public_key_fd(int fd)
{
	char *buf = sodium_malloc(KEYS_MAX_FILE + 1), *line;
	bool found = false;
	ssize_t n;

	if (buf == NULL)
		return false;
	do
		n = pread(fd, buf, KEYS_MAX_FILE, 0);
	while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	for (line = buf; !found && line != NULL; line = strchr(line, '\n')) {
		line += line[0] == '\n';
		line += strspn(line, " \t");
		found = strncmp(line, "sign_public", 11) == 0 ||
			strncmp(line, "transport_public", 16) == 0;
	}
	sodium_free(buf); /* wipes: a loose secret key reads here too */
	return found;
}

bool
keys_is_credential(const char *path)
{
	static const char prefix[] = "/run/credentials/";

	return strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
	       strstr(path, "/../") == NULL;
}

/*
 * The tags of a POSIX ACL's entries, as the kernel stores them in the
 * system.posix_acl_access attribute (version 2, little-endian).
 */
enum {
	KEYS_ACL_USER_OBJ = 0x01,
	KEYS_ACL_USER = 0x02,
	KEYS_ACL_GROUP_OBJ = 0x04,
	KEYS_ACL_GROUP = 0x08,
	KEYS_ACL_MASK = 0x10,
	KEYS_ACL_OTHER = 0x20,
};
#define KEYS_ACL_WRITE 2
#define KEYS_ACL_MAX 32 /* entries read; a longer ACL is not a credential's */

bool
keys_acl_reads_only_users(const uint8_t *acl, size_t n, uid_t euid,
			  bool any_user)
{
	unsigned seen = 0;
	size_t i;

	if (n < 4 || (n - 4) % 8 != 0 || acl[0] != 2 || acl[1] != 0 ||
	    acl[2] != 0 || acl[3] != 0)
		return false;
	for (i = 4; i < n; i += 8) {
		unsigned tag = acl[i] | (unsigned)acl[i + 1] << 8;
		unsigned perm = acl[i + 2] | (unsigned)acl[i + 3] << 8;
		uint32_t id = acl[i + 4] | (uint32_t)acl[i + 5] << 8 |
			      (uint32_t)acl[i + 6] << 16 |
			      (uint32_t)acl[i + 7] << 24;
		switch (tag) {
		case KEYS_ACL_USER:
			if ((perm & KEYS_ACL_WRITE) ||
			    (!any_user && id != (uint32_t)euid))
				return false;
			continue;
		case KEYS_ACL_GROUP:
			if (perm != 0)
				return false;
			continue;
		case KEYS_ACL_USER_OBJ:
		case KEYS_ACL_MASK:
			break;
		case KEYS_ACL_GROUP_OBJ:
		case KEYS_ACL_OTHER:
			if (perm != 0)
				return false;
			break;
		default:
			return false;
		}
		/* The four entries of every ACL, each once. */
		if (seen & tag)
			return false;
		seen |= tag;
	}
	return seen == (KEYS_ACL_USER_OBJ | KEYS_ACL_GROUP_OBJ | KEYS_ACL_MASK |
			KEYS_ACL_OTHER);
}

/* keys_acl_reads_only_users of fd's access ACL; false when it has none. */
static bool
acl_reads_only_users(int fd, uid_t euid, bool any_user)
{
	uint8_t acl[4 + 8 * KEYS_ACL_MAX];
	ssize_t n = fgetxattr(fd, "system.posix_acl_access", acl, sizeof(acl));

	return n > 0 &&
	       keys_acl_reads_only_users(acl, (size_t)n, euid, any_user);
}

/*
 * The checks of keys_check_private on the open file fd (named path in
 * errbuf): what is checked is what is then read, whatever the name
 * points at meanwhile.
 */
static int
check_private_fd(int fd, const char *path, char *errbuf, size_t errlen)
{
	char owner[64], me[64];
	struct stat st;
	uid_t euid = geteuid();
	/* Root reading a credential: whichever user systemd gave it to. */
	bool credential = euid == 0 && keys_is_credential(path);

	if (fstat(fd, &st) != 0) {
		int e = errno;
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: not a regular file",
				 path);
		return -EINVAL;
	}
	if ((st.st_mode & 077) && is_public_key_fd(fd)) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: " KEYS_PUBLIC_FOR_SECRET,
				 path);
		return -EINVAL;
	}
	/* Whoever owns the file may change its mode and its key. */
	if (st.st_uid != euid && st.st_uid != 0 && !credential) {
		if (errbuf != NULL && euid == 0)
			snprintf(
			    errbuf, errlen,
			    "%s: secret key file is owned by %s (uid %lu), "
			    "not by root, who runs this: its owner could "
			    "change it; chown root %s",
			    path,
			    file_user_name(st.st_uid, owner, sizeof(owner)),
			    (unsigned long)st.st_uid, path);
		else if (errbuf != NULL)
			snprintf(
			    errbuf, errlen,
			    "%s: secret key file is owned by %s (uid %lu), "
			    "not by %s (uid %lu), who runs this, nor by "
			    "root: its owner could change it; sudo chown %s "
			    "%s",
			    path,
			    file_user_name(st.st_uid, owner, sizeof(owner)),
			    (unsigned long)st.st_uid,
			    file_user_name(euid, me, sizeof(me)),
			    (unsigned long)euid, me, path);
		return -EPERM;
	}
	if ((st.st_mode & 077) &&
	    !((st.st_mode & 007) == 0 &&
	      acl_reads_only_users(fd, euid, credential))) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen,
				 "%s: secret key file is accessible by group "
				 "or others (mode %04o); chmod 600 it",
				 path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int
keys_open_file(const char *path, int want_private, char *errbuf, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (want_private)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP && want_private && lstat(path, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			if (errbuf != NULL)
				snprintf(errbuf, errlen,
					 "%s: a symbolic link: a secret key "
					 "is read from its own file, never "
					 "through a link; name the file",
					 path);
			return -EINVAL;
		}
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (want_private) {
		r = check_private_fd(fd, path, errbuf, errlen);
		if (r != 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

int
keys_check_private(const char *path, char *errbuf, size_t errlen)
{
	int fd = keys_open_file(path, 1, errbuf, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
