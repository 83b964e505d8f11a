/*
 * stall.c - an LD_PRELOAD library for the end-to-end tests: a store's
 * commits stall, as on a slow or failing disk.
 *
 * fdatasync and fsync of a file named data.mdb (an LMDB store: its commit
 * ends in one of them) wait while the file KUSKA_STALL_FILE exists, then
 * go on; the first of them to wait creates KUSKA_STALL_FILE.hit, so a
 * test knows a commit is held. Every other descriptor, and every call
 * while the file is absent, goes straight through.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"

static const char STORE_NAME[] = "/data.mdb";

/* Whether fd is a store's file. */
static int
is_store(int fd)
{
	char link[64], path[PATH_MAX];
	size_t n = sizeof(STORE_NAME) - 1;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len < (ssize_t)n)
		return 0;
	path[len] = '\0';
	return strcmp(path + len - n, STORE_NAME) == 0;
}

static void
stall(int fd)
{
	const char *file = getenv("KUSKA_STALL_FILE");

	if (file != NULL && is_store(fd))
		hold_while(file);
}

int
fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");

	stall(fd);
	return real(fd);
}

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	stall(fd);
	return real(fd);
}
