/* test_metrics.c - the Prometheus text format (lib/metrics.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fail_fsync.h"
#include "metrics.h"

static void
test_family_and_samples(void **state)
{
	struct mtext m = {0};

	(void)state;
	metrics_family(&m, "kuska_x_total", "counter", "Things.");
	metrics_sample(&m, "kuska_x_total", "institution=\"pnp\"", 3);
	metrics_sample(&m, "kuska_x_total", NULL, 1795939334.541);
	assert_non_null(m.buf);
	assert_string_equal(m.buf, "# HELP kuska_x_total Things.\n"
				   "# TYPE kuska_x_total counter\n"
				   "kuska_x_total{institution=\"pnp\"} 3\n"
				   "kuska_x_total 1795939334.541\n");
	metrics_clear(&m);
	assert_null(m.buf);
}

/* metrics_one is the family and its one sample, with or without labels. */
static void
test_one(void **state)
{
	struct mtext m = {0};

	(void)state;
	metrics_one(&m, "kuska_y", "gauge", "One thing.", NULL, 2);
	metrics_one(&m, "kuska_z_total", "counter", "Others.",
		    "institution=\"mp\"", 7);
	assert_string_equal(m.buf, "# HELP kuska_y One thing.\n"
				   "# TYPE kuska_y gauge\n"
				   "kuska_y 2\n"
				   "# HELP kuska_z_total Others.\n"
				   "# TYPE kuska_z_total counter\n"
				   "kuska_z_total{institution=\"mp\"} 7\n");
	metrics_clear(&m);
}

/* Label values are escaped as the text format wants, and capped. */
static void
test_label(void **state)
{
	char l[400], small[24], big[300];

	(void)state;
	l[0] = '\0';
	metrics_label(l, sizeof(l), "institution", "pnp");
	metrics_label(l, sizeof(l), "table", "a\"b\\c\nd\x1b\xc3");
	assert_string_equal(l, "institution=\"pnp\","
			       "table=\"a\\\"b\\\\c\\nd??\"");
	/* A label that does not fit is left out whole. */
	small[0] = '\0';
	metrics_label(small, sizeof(small), "institution", "pnp");
	metrics_label(small, sizeof(small), "reason", "bad_signature");
	assert_string_equal(small, "institution=\"pnp\"");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	l[0] = '\0';
	metrics_label(l, sizeof(l), "x", big);
	assert_int_equal(strlen(l), strlen("x=\"\"") + METRICS_LABEL_VALUE_MAX);
}

static void
test_histogram(void **state)
{
	struct mhist h = {0};
	struct mtext m = {0};

	(void)state;
	metrics_observe(&h, 0.0005);
	metrics_observe(&h, 0.02);
	metrics_observe(&h, 30);
	assert_int_equal(h.count, 3);
	metrics_histogram(&m, "kuska_b_seconds", NULL, &h);
	assert_non_null(
	    strstr(m.buf, "kuska_b_seconds_bucket{le=\"0.001\"} 1\n"));
	assert_non_null(
	    strstr(m.buf, "kuska_b_seconds_bucket{le=\"0.025\"} 2\n"));
	assert_non_null(
	    strstr(m.buf, "kuska_b_seconds_bucket{le=\"2.5\"} 2\n"));
	assert_non_null(
	    strstr(m.buf, "kuska_b_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(m.buf, "kuska_b_seconds_count 3\n"));
	metrics_clear(&m);
}

static void
test_grows(void **state)
{
	struct mtext m = {0};
	int i;

	(void)state;
	for (i = 0; i < 2000; i++)
		metrics_sample(&m, "kuska_many", "i=\"x\"", i);
	assert_non_null(m.buf);
	assert_int_equal(strlen(m.buf), m.len);
	assert_non_null(strstr(m.buf, "kuska_many{i=\"x\"} 1999\n"));
	metrics_clear(&m);
}

static int renders;

static void
render(void *arg, struct mtext *m)
{
	(void)arg;
	renders++;
	metrics_sample(m, "kuska_up", NULL, 1);
}

static void
test_export_file(void **state)
{
	char dir[] = "/tmp/kuska-metrics-XXXXXX", path[64], buf[64];
	uint64_t last = 0;
	struct stat st;
	mode_t mask;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kuska.prom", dir);
	/* 0640 whatever the umask: the units' 0077 as the usual 022. */
	mask = umask(077);
	fail_fsync(0);
	metrics_export(path, 60, &last, 100000, render, NULL);
	assert_int_equal(renders, 1);
	/* Synced, file and directory (file_replace): before, neither. */
	assert_int_equal(fsynced_files(), 1);
	assert_int_equal(fsynced_dirs(), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, METRICS_FILE_MODE);
	umask(022);
	metrics_export(path, 60, &last, 200000, render, NULL);
	umask(mask);
	assert_int_equal(renders, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	last = 100000;
	metrics_export(path, 60, &last, 130000, render, NULL); /* not due */
	assert_int_equal(renders, 2);
	metrics_export("", 60, &last, 900000, render, NULL); /* no file */
	assert_int_equal(renders, 2);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "kuska_up 1\n");
	unlink(path);
	rmdir(dir);
}

/* A directory that does not hand its group down to the file is told. */
static void
test_dir_unshared(void **state)
{
	char dir[] = "/tmp/kuska-metrics-XXXXXX", path[64], got[64];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kuska.prom", dir);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(stat(dir, &st), 0);
	if ((st.st_mode & S_ISGID) != 0) /* /tmp handing it down: take it */
		assert_int_equal(chmod(dir, st.st_mode & 0755), 0);
	assert_true(metrics_dir_unshared(path, got, sizeof(got)));
	assert_string_equal(got, dir);
	/* The docs' setup: mode 2770, node_exporter's group. */
	assert_int_equal(chmod(dir, 02770), 0);
	assert_int_equal(stat(dir, &st), 0);
	if ((st.st_mode & S_ISGID) != 0) /* else not ours to set: untold */
		assert_false(metrics_dir_unshared(path, got, sizeof(got)));
	/* No file set, or no directory yet (the write says so): nothing. */
	assert_false(metrics_dir_unshared("", got, sizeof(got)));
	snprintf(path, sizeof(path), "%s/none/kuska.prom", dir);
	assert_false(metrics_dir_unshared(path, got, sizeof(got)));
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_family_and_samples),
	    cmocka_unit_test(test_one),
	    cmocka_unit_test(test_label),
	    cmocka_unit_test(test_histogram),
	    cmocka_unit_test(test_grows),
	    cmocka_unit_test(test_export_file),
	    cmocka_unit_test(test_dir_unshared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
