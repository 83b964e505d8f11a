/*
 * log.h - one line per message on stderr (journald picks it up): an
 * "event=NAME" and KEY=VALUE facts.
 *
 * Library code logs only at debug level; the caller that decides logs
 * once. Never pass a secret or an identity: log key fingerprints and
 * pseudonym prefixes.
 *
 * Every value a peer or a file controls (a table name, a config path, a
 * refusal text from the other side) goes through LOG_Q, which quotes it,
 * escapes what could end or fake a fact and caps its length:
 *
 *	log_info("event=query table=%s", LOG_Q(q.table));
 *
 * As a last defence a line is written with every control or non-ASCII
 * byte escaped, so no value can ever start a line of its own.
 */
#ifndef KUSKA_LOG_H
#define KUSKA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Sets the program name printed before each line and the debug switch;
 * when stderr is the journal (JOURNAL_STREAM), lines get their priority.
 */
void log_init(const char *progname, int debug);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": " and strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal and fatalx log, then exit(1); only daemons' main paths use them. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
/*
 * fatalx_config logs like fatalx, then exits LOG_EXIT_CONFIG: for a
 * configuration a daemon cannot use at start (its config file, a key file,
 * the registry, the indicator or population file), or one that does not
 * fit the data it points at (another node's outbox, one whose owner
 * cannot be told, another ref key, another deployment's store). Starting it
 * again cannot help, and the systemd units do not (RestartPreventExitStatus=);
 * every other failure keeps exit status 1.
 */
#define LOG_EXIT_CONFIG 78 /* EX_CONFIG of sysexits.h */
void fatalx_config(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
/* fatalx_status logs like fatalx, then exits status (1 or LOG_EXIT_CONFIG,
 * as the caller judged what failed). */
void fatalx_status(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/*
 * log_quote - writes s (len bytes, untrusted) into out as a double-quoted
 * string with non-printable bytes (\xNN), quotes and backslashes escaped,
 * truncated to fit cap and then ending in "...". Returns out.
 */
const char *log_quote(const char *s, size_t len, char *out, size_t cap);

/* log_quote_str - log_quote of a NUL-ended string (NULL: ""). */
const char *log_quote_str(const char *s, char *out, size_t cap);

/*
 * log_escape - s (untrusted, NUL-ended) into out without quotes, with
 * control bytes, bytes past ASCII and backslashes escaped as in
 * log_quote, cut to fit cap: for text shown to a person (kuska status).
 */
const char *log_escape(const char *s, char *out, size_t cap);

/* The longest value LOG_Q writes, quotes, "..." and NUL included. */
#define LOG_QUOTE_MAX 160

/*
 * The longest refusal text LOG_QT writes: a reply's char error[256], 255
 * bytes at most, fits whole with room for some escapes, so "submit again
 * later" is not cut; well inside the 1024-byte line of log.c.
 */
#define LOG_QUOTE_TEXT_MAX 320

/*
 * LOG_Q - s quoted for a log fact, in a buffer that lives until the end
 * of the enclosing block (a compound literal): use it inside the
 * log_*() call's argument list.
 */
#define LOG_Q(s) log_quote_str((s), (char[LOG_QUOTE_MAX]){0}, LOG_QUOTE_MAX)

/* LOG_QT - as LOG_Q, for a refusal text the daemon sends (up to 255). */
#define LOG_QT(s)                                                              \
	log_quote_str((s), (char[LOG_QUOTE_TEXT_MAX]){0}, LOG_QUOTE_TEXT_MAX)

/*
 * A budget for a line a peer can make the daemon write as often as it
 * sends something (a hello): LOG_BUDGET_BURST lines at once, then one
 * every LOG_BUDGET_EVERY_MS, so that one peer cannot flood the log (and
 * make journald's rate limit drop everyone else's lines). Zeroed: full,
 * with these bounds; burst and every_ms, set before first use, give a
 * budget bounds of its own.
 */
#define LOG_BUDGET_BURST 10
#define LOG_BUDGET_EVERY_MS 1000

struct log_budget {
	uint64_t credit_ms, at_ms;
	unsigned long held; /* lines held back since the last written */
	bool started;
	unsigned burst;	   /* lines at once; 0: LOG_BUDGET_BURST */
	unsigned every_ms; /* then one each; 0: LOG_BUDGET_EVERY_MS */
};

/*
 * log_budget_take - whether a line may be written now (mono_ms, a
 * monotonic clock); when it may, *ret_held is the number of lines held
 * back since the last one written (to say so in it), and the count
 * starts again.
 */
bool log_budget_take(struct log_budget *b, uint64_t mono_ms,
		     unsigned long *ret_held);

/*
 * log_budget_due - whether b holds lines back and would let one through
 * now (mono_ms); changes nothing. A caller whose lines tell of a state
 * that changes (the last one held back, its journal's last word would be
 * a state gone) asks on its timer and, when due, states the current
 * state through b: that line says how many were held back.
 */
bool log_budget_due(const struct log_budget *b, uint64_t mono_ms);

/*
 * log_budget_hold - counts a line the caller chose not to write (it
 * says nothing new) among those held back, for the next line written
 * through b to count in its unlogged=N.
 */
void log_budget_hold(struct log_budget *b);

/*
 * log_warnx_budget, log_info_budget - log_warnx, log_info within budget
 * b (on date_mono_ms()): nothing when b holds the line back, else the
 * line, ended with " unlogged=N" when N lines were held back before it.
 * The caller serialises the use of one budget. log_info_budget returns
 * whether it wrote the line (a caller that notes what the journal last
 * said notes only a line written).
 */
void log_warnx_budget(struct log_budget *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool log_info_budget(struct log_budget *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first 8 bytes of buf as 16 lower-case hex digits, into out[17]. */
const char *log_hex8(const void *buf, char out[17]);

#endif
