/* log.c - stderr logging; see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"

static const char *log_prog = "kuska";
static int log_debug_on;
static int log_journal; /* stderr is the journal: prefix "<PRIORITY>" */

/*
 * Whether stderr is the journal's stream (systemd sets JOURNAL_STREAM to
 * its "device:inode"): then each line starts with its syslog priority,
 * which journald takes off and keeps, so that journalctl -p warning finds
 * the warnings. A stderr redirected elsewhere gets none.
 */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, int debug)
{
	log_prog = progname;
	log_debug_on = debug;
	log_journal = stderr_is_journal();
}

/*
 * Copies the formatted message with every control byte and byte past
 * ASCII escaped as \xNN: whatever a caller forgot to quote, a line of
 * the log stays one line, in printable ASCII.
 */
static void
log_clean(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *in != '\0' && o + 5 < cap; in++) {
		unsigned char c = (unsigned char)*in;
		if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}

/*
 * Writes the formatted message buf; prio: the syslog priority (3 err,
 * 4 warning, 6 info, 7 debug).
 */
static void
log_write(int prio, const char *level, const char *buf, const char *err)
{
	char clean[1100], pre[8] = "";

	log_clean(buf, clean, sizeof(clean));
	if (log_journal)
		snprintf(pre, sizeof(pre), "<%d>", prio);
	if (err != NULL)
		fprintf(stderr, "%s%s: %s%s: %s\n", pre, log_prog, level, clean,
			err);
	else
		fprintf(stderr, "%s%s: %s%s\n", pre, log_prog, level, clean);
}

static void
log_vline(int prio, const char *level, const char *fmt, va_list ap,
	  const char *err)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_write(prio, level, buf, err);
}

/*
 * log_vline within budget b: nothing when the budget holds the line back,
 * else the line, ended with " unlogged=N" when N lines were held back
 * before it. Returns whether it wrote the line.
 */
static bool
log_vbudget(struct log_budget *b, int prio, const char *level, const char *fmt,
	    va_list ap)
{
	unsigned long held;
	char buf[1024];
	size_t n;

	if (!log_budget_take(b, date_mono_ms(), &held))
		return false;
	/* A long line is cut short of the end, so that " unlogged=N" (at
	 * most 30 bytes) always fits: it is what says lines went missing. */
	vsnprintf(buf, sizeof(buf) - 32, fmt, ap);
	n = strlen(buf);
	if (held > 0)
		snprintf(buf + n, sizeof(buf) - n, " unlogged=%lu", held);
	log_write(prio, level, buf, NULL);
	return true;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(6, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vline(4, "warning: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(4, "warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_warnx_budget(struct log_budget *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)log_vbudget(b, 4, "warning: ", fmt, ap);
	va_end(ap);
}

bool
log_info_budget(struct log_budget *b, const char *fmt, ...)
{
	va_list ap;
	bool written;

	va_start(ap, fmt);
	written = log_vbudget(b, 6, "", fmt, ap);
	va_end(ap);
	return written;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_vline(7, "debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vline(3, "fatal: ", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(3, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
fatalx_config(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(3, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(LOG_EXIT_CONFIG);
}

void
fatalx_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(3, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(status);
}

const char *
log_quote(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	size_t i;

	if (cap < 3) {
		if (cap > 0)
			out[0] = '\0';
		return out;
	}
	out[o++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t n;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			n = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			n = 4;
		} else {
			esc[0] = (char)c;
			n = 1;
		}
		if (o + n + 4 >= cap) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

const char *
log_quote_str(const char *s, char *out, size_t cap)
{
	if (s == NULL)
		s = "";
	return log_quote(s, strlen(s), out, cap);
}

const char *
log_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return out;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		size_t n = 1;

		if (c == '\\') {
			esc[0] = '\\';
			esc[1] = '\\';
			n = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			n = 4;
		} else {
			esc[0] = (char)c;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

const char *
log_hex8(const void *buf, char out[17])
{
	const unsigned char *b = buf;
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[16] = '\0';
	return out;
}

/* A budget's lines at once and interval, its own or the defaults. */
static uint64_t
budget_every_ms(const struct log_budget *b)
{
	return b->every_ms != 0 ? b->every_ms : LOG_BUDGET_EVERY_MS;
}

static uint64_t
budget_burst(const struct log_budget *b)
{
	return b->burst != 0 ? b->burst : LOG_BUDGET_BURST;
}

bool
log_budget_take(struct log_budget *b, uint64_t mono_ms, unsigned long *ret_held)
{
	const uint64_t every = budget_every_ms(b);
	const uint64_t cap = budget_burst(b) * every;

	if (!b->started) {
		b->credit_ms = cap;
		b->at_ms = mono_ms;
		b->started = true;
	} else if (mono_ms > b->at_ms) {
		b->credit_ms += mono_ms - b->at_ms;
		if (b->credit_ms > cap)
			b->credit_ms = cap;
		b->at_ms = mono_ms;
	}
	if (b->credit_ms < every) {
		b->held++;
		return false;
	}
	b->credit_ms -= every;
	*ret_held = b->held;
	b->held = 0;
	return true;
}

void
log_budget_hold(struct log_budget *b)
{
	b->held++;
}

bool
log_budget_due(const struct log_budget *b, uint64_t mono_ms)
{
	uint64_t credit_ms = b->credit_ms;

	if (!b->started || b->held == 0)
		return false;
	if (mono_ms > b->at_ms)
		credit_ms += mono_ms - b->at_ms;
	return credit_ms >= budget_every_ms(b);
}
