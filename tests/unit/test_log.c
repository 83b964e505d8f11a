/* test_log.c - quoting untrusted text and fingerprints (lib/log.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static void
test_quote(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_quote("pnp", 3, out, sizeof(out)), "\"pnp\"");
	assert_string_equal(log_quote("a\"b\\c", 5, out, sizeof(out)),
			    "\"a\\\"b\\\\c\"");
	assert_string_equal(log_quote("\n\x01\xc3\xb1", 4, out, sizeof(out)),
			    "\"\\x0a\\x01\\xc3\\xb1\"");
	/* Too long: cut, marked, still quoted and NUL-ended. */
	log_quote("abcdefghijklmnopqrstuvwxyz", 26, out, 12);
	assert_true(strlen(out) < 12);
	assert_non_null(strstr(out, "..."));
	assert_int_equal(out[strlen(out) - 1], '"');
	assert_string_equal(log_quote("x", 1, out, 2), "");
}

/* LOG_Q: a forged line, quotes, a long value: one fact, capped. */
static void
test_q(void **state)
{
	char long_value[400];
	const char *q;

	(void)state;
	assert_string_equal(LOG_Q("\nkuska-consolidator: event=x"),
			    "\"\\x0akuska-consolidator: event=x\"");
	assert_string_equal(LOG_Q("a\" who=admin x=\""),
			    "\"a\\\" who=admin x=\\\"\"");
	assert_string_equal(LOG_Q(NULL), "\"\"");
	memset(long_value, 'z', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	q = LOG_Q(long_value);
	assert_true(strlen(q) < LOG_QUOTE_MAX);
	assert_non_null(strstr(q, "...\""));
	/* The longest refusal text (a reply's error[256]) is not cut. */
	memset(long_value, 'r', 255);
	long_value[255] = '\0';
	q = LOG_QT(long_value);
	assert_int_equal(strlen(q), 257);
	assert_null(strstr(q, "..."));
	q = LOG_Q(long_value); /* a value a peer or file controls is cut */
	assert_true(strlen(q) < LOG_QUOTE_MAX);
	/* Two in one call each get their own buffer. */
	assert_string_not_equal(LOG_Q("one"), LOG_Q("two"));
}

/* log_escape: for people: no quotes added, control bytes escaped. */
static void
test_escape(void **state)
{
	char out[32];

	(void)state;
	assert_string_equal(log_escape("ref \"A\"", out, sizeof(out)),
			    "ref \"A\"");
	assert_string_equal(log_escape("\x1b[2J\r\\", out, sizeof(out)),
			    "\\x1b[2J\\x0d\\\\");
	log_escape("0123456789012345678901234567890123456789", out,
		   sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	/* An escape is never cut in half. */
	log_escape("0123456789012345678901234567\n", out, sizeof(out));
	assert_string_equal(out, "0123456789012345678901234567");
}

static void
test_hex8(void **state)
{
	static const uint8_t key[8] = {0x00, 0x01, 0xab, 0xcd,
				       0xef, 0x10, 0x99, 0xff};
	char out[17];

	(void)state;
	assert_string_equal(log_hex8(key, out), "0001abcdef1099ff");
}

/* A warning and an info line. */
static void
write_two(void)
{
	log_warnx("event=a");
	log_info("event=b");
}

/*
 * Runs write with stderr on a new file, that file named in
 * JOURNAL_STREAM when journal, else another's; returns what it wrote.
 */
static void
capture(bool journal, void (*write)(void), char *out, size_t cap)
{
	char path[] = "/tmp/kuska-log-XXXXXX", js[64];
	struct stat st;
	int fd, saved;
	FILE *f;
	size_t n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + (journal ? 0 : 1));
	setenv("JOURNAL_STREAM", js, 1);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	log_init("test_log", 0);
	write();
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	close(fd);
	unsetenv("JOURNAL_STREAM");
	log_init("test_log", 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
}

/* On the journal's stream each line starts with its syslog priority. */
static void
test_journal_priority(void **state)
{
	char out[256];

	(void)state;
	capture(true, write_two, out, sizeof(out));
	assert_string_equal(out, "<4>test_log: warning: event=a\n"
				 "<6>test_log: event=b\n");
	/* stderr redirected away from the journal's stream: no prefix. */
	capture(false, write_two, out, sizeof(out));
	assert_string_equal(out, "test_log: warning: event=a\n"
				 "test_log: event=b\n");
}

/* A burst, then one line a second; what was held back is counted. */
static void
test_budget(void **state)
{
	struct log_budget b;
	unsigned long held = 99;
	int i, n = 0;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 1000; i++)
		n += log_budget_take(&b, 5000, &held);
	assert_int_equal(n, LOG_BUDGET_BURST);
	assert_int_equal(held, 0);
	/* Half a second on: nothing yet. */
	assert_false(log_budget_take(&b, 5500, &held));
	assert_true(log_budget_take(&b, 6000, &held));
	assert_int_equal(held, 1000 - LOG_BUDGET_BURST + 1);
	/* A clock that does not move (or goes back) gives nothing. */
	assert_false(log_budget_take(&b, 4000, &held));
	/* Once a second, as a node's keep-alive at its most: every line. */
	for (i = 1; i <= 100; i++) {
		assert_true(
		    log_budget_take(&b, 6000 + 1000 * (uint64_t)i, &held));
		if (i > 1)
			assert_int_equal(held, 0);
	}
	/* A long silence refills the burst, no more. */
	for (n = 0, i = 0; i < 100; i++)
		n += log_budget_take(&b, 10000000, &held);
	assert_int_equal(n, LOG_BUDGET_BURST);
}

/* A budget of its own bounds: its burst, then one each every_ms. */
static void
test_budget_own(void **state)
{
	struct log_budget b;
	unsigned long held = 99;
	int i, n = 0;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.burst = 100;
	b.every_ms = 250;
	for (i = 0; i < 1000; i++)
		n += log_budget_take(&b, 5000, &held);
	assert_int_equal(n, 100);
	assert_false(log_budget_take(&b, 5249, &held));
	assert_false(log_budget_due(&b, 5249));
	assert_true(log_budget_due(&b, 5250));
	assert_true(log_budget_take(&b, 5250, &held));
	assert_int_equal(held, 1000 - 100 + 1);
	/* A long silence refills its burst, no more. */
	for (n = 0, i = 0; i < 1000; i++)
		n += log_budget_take(&b, 10000000, &held);
	assert_int_equal(n, 100);
}

/* Due only when lines were held back and one may go now. */
static void
test_budget_due(void **state)
{
	struct log_budget b;
	unsigned long held;
	int i;

	(void)state;
	memset(&b, 0, sizeof(b));
	assert_false(log_budget_due(&b, 5000));
	for (i = 0; i < LOG_BUDGET_BURST; i++)
		assert_true(log_budget_take(&b, 5000, &held));
	/* Spent, nothing held back: nothing to say. */
	assert_false(log_budget_due(&b, 5000 + LOG_BUDGET_EVERY_MS));
	assert_false(log_budget_take(&b, 5000, &held));
	assert_false(log_budget_due(&b, 5000 + LOG_BUDGET_EVERY_MS - 1));
	assert_true(log_budget_due(&b, 5000 + LOG_BUDGET_EVERY_MS));
	/* Asking took nothing: the line then written counts the one. */
	assert_true(log_budget_take(&b, 5000 + LOG_BUDGET_EVERY_MS, &held));
	assert_int_equal(held, 1);
	assert_false(log_budget_due(&b, 10000000));
}

/*
 * A burst of lines within a budget, then as many held back; a line let
 * through later (its credit given by hand, not waited for) says how many
 * were held back, and the next one nothing.
 */
static void
write_budget(void)
{
	struct log_budget b;
	int i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < 2 * LOG_BUDGET_BURST; i++)
		log_warnx_budget(&b, "event=w n=%d", i);
	b.credit_ms = 2 * LOG_BUDGET_EVERY_MS;
	log_info_budget(&b, "event=i n=%d", i);
	log_warnx_budget(&b, "event=w n=%d", i + 1);
}

static void
test_budget_line(void **state)
{
	char out[1024], want[1024];
	size_t o = 0;
	int i;

	(void)state;
	capture(false, write_budget, out, sizeof(out));
	for (i = 0; i < LOG_BUDGET_BURST; i++)
		o += (size_t)snprintf(want + o, sizeof(want) - o,
				      "test_log: warning: event=w n=%d\n", i);
	snprintf(want + o, sizeof(want) - o,
		 "test_log: event=i n=%d unlogged=%d\n"
		 "test_log: warning: event=w n=%d\n",
		 2 * LOG_BUDGET_BURST, LOG_BUDGET_BURST,
		 2 * LOG_BUDGET_BURST + 1);
	assert_string_equal(out, want);
}

/* A line as long as the buffer, after lines held back: still says so. */
static void
write_long(void)
{
	struct log_budget b;
	char v[1100];
	int i;

	memset(&b, 0, sizeof(b));
	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	for (i = 0; i < 2 * LOG_BUDGET_BURST; i++)
		log_warnx_budget(&b, "event=w n=%d", i);
	b.credit_ms = 2 * LOG_BUDGET_EVERY_MS;
	log_info_budget(&b, "event=long v=%s", v);
}

static void
test_budget_long(void **state)
{
	char out[8192], want[32];
	size_t n;

	(void)state;
	capture(false, write_long, out, sizeof(out));
	snprintf(want, sizeof(want), " unlogged=%d\n", LOG_BUDGET_BURST);
	n = strlen(out);
	assert_true(n > strlen(want));
	assert_string_equal(out + n - strlen(want), want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_priority),
	    cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_q),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_hex8),
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_budget_own),
	    cmocka_unit_test(test_budget_due),
	    cmocka_unit_test(test_budget_line),
	    cmocka_unit_test(test_budget_long),
	};

	log_init("test_log", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
