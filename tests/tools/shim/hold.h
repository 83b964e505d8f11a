/*
 * hold.h - what the LD_PRELOAD shims (stall.c, slowread.c) share: a call
 * held while a file exists. Each shim includes it once; it is static.
 */
#ifndef KUSKA_SHIM_HOLD_H
#define KUSKA_SHIM_HOLD_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* hold_hit - creates file.hit, so that a test knows a call is held. */
static void
hold_hit(const char *file)
{
	char hit[PATH_MAX];
	int h;

	snprintf(hit, sizeof(hit), "%s.hit", file);
	h = open(hit, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (h >= 0)
		close(h);
}

/*
 * hold_while - waits while file exists (NULL: never), looking every
 * 20 ms; the first wait creates file.hit (hold_hit).
 */
static void
hold_while(const char *file)
{
	int said = 0;

	while (file != NULL && access(file, F_OK) == 0) {
		if (!said) {
			hold_hit(file);
			said = 1;
		}
		usleep(20000);
	}
}

#endif
