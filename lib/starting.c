/* starting.c - "starting" on the control socket; see starting.h. */
#include "starting.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "log.h"
#include "service.h"

/* How often the thread looks whether it is to stop. */
#define STARTING_LOOK_MS 50
/* Requests answered in one pass. */
#define STARTING_MAX_PER_PASS 64
/* While starting_extend is on: systemd is asked for this much more time
 * to start, every STARTING_EXTEND_EVERY_MS (a third of it). */
#define STARTING_EXTEND_S 60
#define STARTING_EXTEND_EVERY_MS 20000

static pthread_mutex_t doing_mu = PTHREAD_MUTEX_INITIALIZER;
static char doing[160] = "starting"; /* under doing_mu */
static uint64_t since_ms;	     /* when the process began (monotonic) */
static struct tsock *sock;
static size_t max_frames, max_bytes; /* a request's, as the daemon's */
static pthread_t thread;
static bool running; /* the main thread's */
static atomic_bool stop;
static atomic_bool extending;  /* starting_extend's */
static atomic_bool extend_now; /* set by starting_extend(true) */
static unsigned long refused; /* the thread's, then starting_end's */
static const char *refused_line; /* logged of one over the limits */
static struct log_budget refused_log;

void
starting_say(const char *what)
{
	pthread_mutex_lock(&doing_mu);
	snprintf(doing, sizeof(doing), "%s", what);
	pthread_mutex_unlock(&doing_mu);
	/* A new step while systemd is asked for time: a minute more from
	 * now, in its words, before the step begins (an outbox's open after
	 * its check: seconds on a big one). */
	if (atomic_load(&extending))
		service_extend_start(STARTING_EXTEND_S, what);
}

/* Any request: what the start is doing, and for how long. */
static void
answer(const struct tframes *req)
{
	struct control c;
	char what[sizeof(doing)];

	pthread_mutex_lock(&doing_mu);
	memcpy(what, doing, sizeof(what));
	pthread_mutex_unlock(&doing_mu);
	memset(&c, 0, sizeof(c));
	c.type = CTL_STARTING;
	snprintf(c.error, sizeof(c.error), "%s (started %llu s ago)", what,
		 (unsigned long long)(date_mono_ms() - since_ms) / 1000);
	if (req->n < 1 || daemon_reply(sock, req, &c) != 0)
		log_debug("event=reply_not_delivered hint=\"client gone\"");
}

/* Answers the requests waiting, over the limits too (tsock_recv kept
 * their routing id), those counted as refused: a node's may hold
 * identities, wiped. */
static void
take_waiting(void)
{
	struct tframes f;
	size_t i;
	int n, r;

	for (n = 0; n < STARTING_MAX_PER_PASS; n++) {
		r = tsock_recv(sock, &f, max_frames, max_bytes);
		if (r != 0 && r != -EMSGSIZE)
			break; /* none waiting, or an error: f is empty */
		if (r == -EMSGSIZE) {
			refused++;
			log_warnx_budget(&refused_log, "%s", refused_line);
		}
		answer(&f);
		for (i = 0; i < f.n; i++)
			sodium_memzero(f.data[i], f.len[i]);
		tframes_clear(&f);
	}
}

/* Asks systemd for more time to start, saying what the start does. */
static void
extend(void)
{
	char what[sizeof(doing)];

	pthread_mutex_lock(&doing_mu);
	memcpy(what, doing, sizeof(what));
	pthread_mutex_unlock(&doing_mu);
	service_extend_start(STARTING_EXTEND_S, what);
}

/*
 * How long ago this process began, in ms, from /proc/self/stat's
 * starttime (clock ticks after boot, as CLOCK_BOOTTIME counts): what
 * systemd counts a start from, where the bind of the control socket
 * comes after the keys are read and the check's child forked. 0 when it
 * cannot be read.
 */
static uint64_t
process_age_ms(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t start_ms, now_ms;
	FILE *f;
	size_t n;
	int i;

	f = fopen("/proc/self/stat", "re");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the name, which may hold spaces and parentheses: the
	 * state is field 3, starttime field 22. */
	p = strrchr(buf, ')');
	if (p == NULL || hz <= 0)
		return 0;
	for (i = 3; i <= 22 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1 ||
	    clock_gettime(CLOCK_BOOTTIME, &now) != 0)
		return 0;
	start_ms = (uint64_t)start * 1000 / (uint64_t)hz;
	now_ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	return now_ms > start_ms ? now_ms - start_ms : 0;
}

static void *
serve(void *arg)
{
	uint64_t extended = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		bool ready = false;
		uint64_t now = date_mono_ms();
		if (atomic_load(&extending) &&
		    (atomic_exchange(&extend_now, false) ||
		     now - extended >= STARTING_EXTEND_EVERY_MS)) {
			extend();
			extended = now;
		}
		if (tsock_poll(&sock, 1, &ready, STARTING_LOOK_MS) > 0 && ready)
			take_waiting();
	}
	return NULL;
}

int
starting_begin(struct tsock *control, size_t frames, size_t bytes,
	       const char *refused_as)
{
	sigset_t all, old;
	uint64_t age;
	int r;

	if (running)
		return -EALREADY;
	sock = control;
	max_frames = frames;
	max_bytes = bytes;
	refused_line = refused_as;
	age = process_age_ms();
	since_ms = date_mono_ms();
	since_ms = since_ms > age ? since_ms - age : 0;
	atomic_store(&stop, false);
	atomic_store(&extending, false);
	/* Signals go to the main thread, as from the daemon's other
	 * threads (pipeline.c, query_net.c): it starts with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&thread, NULL, serve, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	running = true;
	return 0;
}

void
starting_extend(bool on)
{
	atomic_store(&extend_now, on);
	atomic_store(&extending, on);
}

unsigned long
starting_end(void)
{
	unsigned long n;

	if (!running)
		return 0;
	atomic_store(&stop, true);
	atomic_store(&extending, false);
	pthread_join(thread, NULL);
	running = false;
	sock = NULL;
	n = refused;
	refused = 0;
	return n;
}
