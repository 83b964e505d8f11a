/* guard.c - a risky read in a child process; see guard.h. */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
guard_write(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
guard_write_text(int fd, uint8_t kind, const char *fmt, ...)
{
	uint8_t rec[2 + 255];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)rec + 2, 255, fmt, ap);
	va_end(ap);
	rec[0] = kind;
	rec[1] = (uint8_t)(n < 0 ? 0 : n > 254 ? 254 : n);
	return guard_write(fd, rec, 2 + rec[1]);
}

int
guard_nodump(void)
{
	struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

/* In the child: no core file, run, exit with the result. */
static void __attribute__((noreturn)) child(guard_fn fn, void *arg, int fd)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	size_t i;
	int r;

	(void)guard_nodump();
	/* A handler the parent installed (a sanitizer, a test harness)
	 * must not turn the child's death into something else. */
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		(void)signal(fatal[i], SIG_DFL);
	r = fn(arg, fd);
	close(fd);
	_exit(r < 0 ? (-r > 255 ? 255 : -r) : 0);
}

/* Reads fd to its end; keeps up to GUARD_MAX_OUT bytes. */
static int
read_all(int fd, uint8_t **ret_out, size_t *ret_len)
{
	uint8_t *buf = NULL, chunk[65536];
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + (size_t)n > GUARD_MAX_OUT)
			continue; /* drain, keep what fits */
		if (len + (size_t)n > cap) {
			size_t ncap = cap ? cap * 2 : sizeof(chunk);
			uint8_t *nb;
			while (ncap < len + (size_t)n)
				ncap *= 2;
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	*ret_out = buf;
	*ret_len = len;
	return 0;
}

int
guard_start(guard_fn fn, void *arg, struct guard_child *ret)
{
	int fds[2], r;
	pid_t parent = getpid(), pid;

	ret->pid = -1;
	ret->fd = -1;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		/* Its parent gone (a start that failed meanwhile), it
		 * would read on for nothing, holding the files. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
		    getppid() != parent)
			_exit(ESRCH);
		child(fn, arg, fds[1]);
	}
	close(fds[1]);
	ret->pid = pid;
	ret->fd = fds[0];
	return 0;
}

int
guard_wait(struct guard_child *ch, uint8_t **ret_out, size_t *ret_len,
	   int *ret_signal)
{
	int status, r;

	*ret_out = NULL;
	*ret_len = 0;
	*ret_signal = 0;
	r = read_all(ch->fd, ret_out, ret_len);
	close(ch->fd);
	ch->fd = -1;
	while (waitpid(ch->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	ch->pid = -1;
	if (r != 0)
		return r;
	if (WIFSIGNALED(status)) {
		*ret_signal = WTERMSIG(status);
		return GUARD_CRASHED;
	}
	return -WEXITSTATUS(status);
}

int
guard_run(guard_fn fn, void *arg, uint8_t **ret_out, size_t *ret_len,
	  int *ret_signal)
{
	struct guard_child ch;
	int r;

	*ret_out = NULL;
	*ret_len = 0;
	*ret_signal = 0;
	if ((r = guard_start(fn, arg, &ch)) != 0)
		return r;
	return guard_wait(&ch, ret_out, ret_len, ret_signal);
}
