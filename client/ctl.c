/* ctl.c - request and answer over a local control socket; see ctl.h. */
#include "ctl.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "file.h"

struct ctl {
	struct transport *t;
	struct tsock *s;
	struct tsock *mon; /* to hear that the daemon went away */
};

/*
 * Waits until the daemon has taken the connection (the handshake is
 * done by its I/O thread even while it is busy). Returns 0 or -ETIMEDOUT.
 */
static int
wait_handshake(struct ctl *c)
{
	uint64_t deadline = date_mono_ms() + CTL_HANDSHAKE_MS;

	while (date_mono_ms() < deadline) {
		enum tevent ev;
		char addr[256];
		bool ready;
		int r = tsock_poll(&c->mon, 1, &ready,
				   (long)(deadline - date_mono_ms()));
		if (r < 0 && r != -EINTR)
			return r;
		while (tsock_monitor_read(c->mon, &ev, addr, sizeof(addr)) == 0)
			if (ev == TEVENT_HANDSHAKE_OK)
				return 0;
	}
	return -ETIMEDOUT;
}

/*
 * Who may use the local socket of endpoint (ipc://PATH): the socket's
 * owner, group and mode, or, when this user cannot reach it, its
 * directory's (the units give both to the service's group:
 * kuska-submit-ID, kuska-control). Group and owner by name, or by number
 * when they have none; which was looked at into seen ("" for the socket,
 * "its directory DIR: " for its directory). Returns 0, or -1 when neither
 * can be looked at.
 */
static int
socket_owner(const char *endpoint, struct stat *st, char *owner,
	     size_t owner_cap, char *group, size_t group_cap, char *seen,
	     size_t seen_cap)
{
	char dir[4096];
	const char *path = endpoint + 6, *slash;
	struct group *g;

	if (strncmp(endpoint, "ipc://", 6) != 0)
		return -1;
	seen[0] = '\0';
	if (stat(path, st) != 0) {
		slash = strrchr(path, '/');
		if (slash == NULL || slash == path ||
		    (size_t)(slash - path) >= sizeof(dir))
			return -1;
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (stat(dir, st) != 0)
			return -1;
		snprintf(seen, seen_cap, "its directory %s: ", dir);
	}
	g = getgrgid(st->st_gid);
	if (g != NULL)
		snprintf(group, group_cap, "%s", g->gr_name);
	else
		snprintf(group, group_cap, "%lu", (unsigned long)st->st_gid);
	file_user_name(st->st_uid, owner, owner_cap);
	return 0;
}

/*
 * Why this account may not use endpoint, and what to do: join the group
 * that may (most often an account just added to it, whose membership
 * counts from its next login), or, when that group is root's (a daemon
 * run by hand as root), run kuska as root or the daemon with a group of
 * its own.
 */
static void
explain_denied(const char *endpoint, const char *who, char *out, size_t cap)
{
	char owner[64], group[64], me[64], seen[4200];
	struct stat st;

	if (socket_owner(endpoint, &st, owner, sizeof(owner), group,
			 sizeof(group), seen, sizeof(seen)) != 0) {
		snprintf(out, cap, "%s: %s", endpoint, strerror(EACCES));
		return;
	}
	file_user_name(getuid(), me, sizeof(me));
	if (st.st_gid != 0)
		snprintf(out, cap,
			 "%s: permission denied (%sowner %s, group %s, mode "
			 "%04o): only root and the members of group %s may "
			 "use it (sudo usermod -aG %s %s; membership counts "
			 "from the account's next login, or newgrp %s)",
			 endpoint, seen, owner, group,
			 (unsigned)(st.st_mode & 07777), group, group, me,
			 group);
	else
		snprintf(out, cap,
			 "%s: permission denied (%sowner %s, group %s, mode "
			 "%04o): only root may use it, %s not: run kuska as "
			 "root (sudo), or start %s with a group of its "
			 "own that %s joins (its systemd unit does: group "
			 "kuska-submit-ID of a node, kuska-control of the "
			 "consolidator and the key holder; OPERATIONS.md "
			 "section 1)",
			 endpoint, seen, owner, group,
			 (unsigned)(st.st_mode & 07777), me, who, me);
}

const char *
ctl_explain(int err, const char *endpoint, const char *who, char *out,
	    size_t cap)
{
	switch (err) {
	case -EACCES:
		explain_denied(endpoint, who, out, cap);
		break;
	case -ENOENT:
		snprintf(out, cap,
			 "nothing listening at %s (%s is not running)",
			 endpoint, who);
		break;
	case -ECONNREFUSED:
		snprintf(out, cap,
			 "%s is not running (%s is left from one that "
			 "stopped without cleaning up)",
			 who, endpoint);
		break;
	case -ETIMEDOUT:
		snprintf(out, cap,
			 "%s at %s is not answering (it takes no "
			 "connection: stopped or hung)",
			 who, endpoint);
		break;
	default:
		snprintf(out, cap, "%s: %s", endpoint, strerror(-err));
	}
	return out;
}

struct ctl *
ctl_open(const char *endpoint, int *ret_err)
{
	struct ctl *c;
	int r;

	r = tsock_local_probe(endpoint);
	if (r != 0) {
		*ret_err = r;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	c->t = transport_new();
	if (c->t == NULL) {
		*ret_err = -errno;
		free(c);
		return NULL;
	}
	c->s = tsock_connect_local(c->t, endpoint, &c->mon, ret_err);
	if (c->s == NULL) {
		tsock_free(&c->s);
		transport_free(&c->t);
		free(c);
		return NULL;
	}
	r = wait_handshake(c);
	if (r != 0) {
		*ret_err = r;
		ctl_close(&c);
		return NULL;
	}
	return c;
}

void
ctl_close(struct ctl **c)
{
	if (c == NULL || *c == NULL)
		return;
	tsock_free(&(*c)->s); /* before its monitor, as libzmq's tests */
	tsock_free(&(*c)->mon);
	transport_free(&(*c)->t);
	free(*c);
	*c = NULL;
}

/* Waits up to deadline for the daemon's answer to what was sent. */
static int
await(struct ctl *c, uint64_t deadline, struct control *ret)
{
	int r;

	for (;;) {
		struct tsock *socks[2] = {c->s, c->mon};
		struct tframes f;
		bool ready[2];
		long left = (long)(deadline - date_mono_ms());
		if (date_mono_ms() >= deadline)
			return -ETIMEDOUT;
		r = tsock_poll(socks, 2, ready, left);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
		if (ready[1]) {
			enum tevent ev;
			char addr[256];
			bool gone = false;
			while (tsock_monitor_read(c->mon, &ev, addr,
						  sizeof(addr)) == 0)
				gone = gone || ev == TEVENT_DISCONNECTED;
			if (gone) {
				/* The daemon died (or restarted) while we
				 * waited: its answer will not come. */
				return -ECONNRESET;
			}
			if (!ready[0])
				continue;
		}
		r = tsock_recv(c->s, &f, 2, CODEC_MAX_FRAME);
		if (r == -EAGAIN)
			continue;
		if (r != 0)
			return r;
		r = f.n == 1 ? codec_control_decode(f.data[0], f.len[0], ret)
			     : -EBADMSG;
		tframes_clear(&f);
		return r;
	}
}

/*
 * A DEALER queues until the ipc connection is up: a send that met
 * EAGAIN is tried again, for a few seconds at most (nobody listening is
 * no reason to wait as long as for an answer). Waits a moment and
 * returns true while another try is worth it.
 */
static bool
keep_trying(struct ctl *c, uint64_t deadline, long timeout_ms)
{
	bool ready;

	if (date_mono_ms() >= deadline ||
	    date_mono_ms() + (uint64_t)timeout_ms >= deadline + 5000)
		return false;
	(void)tsock_poll(&c->s, 1, &ready, 20);
	return true;
}

int
ctl_call(struct ctl *c, const struct control *req, const void *const *extra,
	 const size_t *extra_lens, size_t n, long timeout_ms,
	 struct control *ret)
{
	const void **data;
	size_t *lens, i;
	uint8_t *buf;
	size_t len;
	uint64_t deadline;
	int r;

	r = codec_control_encode(req, &buf, &len);
	if (r != 0)
		return r;
	data = calloc(n + 1, sizeof(*data));
	lens = calloc(n + 1, sizeof(*lens));
	if (data == NULL || lens == NULL) {
		r = -ENOMEM;
		goto out;
	}
	data[0] = buf;
	lens[0] = len;
	for (i = 0; i < n; i++) {
		data[i + 1] = extra[i];
		lens[i + 1] = extra_lens[i];
	}
	deadline = date_mono_ms() + (uint64_t)timeout_ms;
	while ((r = tsock_send(c->s, data, lens, n + 1)) == -EAGAIN &&
	       keep_trying(c, deadline, timeout_ms))
		;
	if (r == 0)
		r = await(c, deadline, ret);
out:
	free(buf);
	free(data);
	free(lens);
	return r;
}

int
ctl_submit(struct ctl *c, const struct control *req, uint8_t **lines,
	   const size_t *lens, size_t n, long timeout_ms, struct control *ret)
{
	uint64_t deadline = date_mono_ms() + (uint64_t)timeout_ms;
	uint8_t *buf;
	size_t len, i;
	int r;

	r = codec_control_encode(req, &buf, &len);
	if (r == 0) {
		while ((r = tsock_send_handover(c->s, buf, len, lines, lens,
						n)) == -EAGAIN &&
		       keep_trying(c, deadline, timeout_ms))
			;
		free(buf);
	}
	/* Whatever was not handed over is still ours to wipe. */
	for (i = 0; i < n; i++) {
		if (lines[i] == NULL)
			continue;
		explicit_bzero(lines[i], lens[i]);
		free(lines[i]);
		lines[i] = NULL;
	}
	if (r != 0)
		return r;
	return await(c, deadline, ret);
}
