/* status_backlog.c - a node's events waiting for delivery, in kuska
 * status; see status_backlog.h. */
#include "status_backlog.h"

#include "date.h"

const char *
status_ago(uint64_t then_ms, uint64_t now_ms, char *out, size_t cap)
{
	uint64_t s;

	if (then_ms == 0) {
		snprintf(out, cap, "never");
		return out;
	}
	s = now_ms > then_ms ? (now_ms - then_ms) / 1000 : 0;
	if (s < 120)
		snprintf(out, cap, "%llu s ago", (unsigned long long)s);
	else if (s < 7200)
		snprintf(out, cap, "%llu min ago", (unsigned long long)s / 60);
	else if (s < 172800)
		snprintf(out, cap, "%llu h ago", (unsigned long long)s / 3600);
	else
		snprintf(out, cap, "%llu days ago",
			 (unsigned long long)s / 86400);
	return out;
}

int
status_backlog_print(FILE *out, const struct node_status *s)
{
	uint64_t pending = s->last_seq - s->acked_seq;
	int64_t age;
	char a[32];
	int health = 0;

	fprintf(out, "  waiting for delivery:   %llu",
		(unsigned long long)pending);
	if (pending == 0) {
		fputc('\n', out);
		return 0;
	}
	/* Signed: an event signed while this clock was ahead is younger
	 * than nothing, not billions of hours old. */
	age = (int64_t)s->now_ms - (int64_t)s->oldest_pending_ms;
	if (age < -DATE_SKEW_WARN_MS) {
		fprintf(out,
			" (oldest created %s in the future: this node's "
			"clock was ahead when it signed)",
			date_skew_words(age, a, sizeof(a)));
		health = 1;
	} else {
		fprintf(
		    out, " (oldest created %s)",
		    status_ago(s->oldest_pending_ms, s->now_ms, a, sizeof(a)));
	}
	if (s->diverged[0] != '\0') {
		/* Their age is no alarm of its own: the divergence below
		 * is, with what to do. */
		fprintf(out, ": none is delivered while the outbox is "
			     "diverged (below)\n");
		return health;
	}
	if (age > (int64_t)s->alarm_backlog_hours * 3600000) {
		fprintf(out, "  WARNING: older than %u h",
			s->alarm_backlog_hours);
		health = 1;
	}
	fputc('\n', out);
	return health;
}
