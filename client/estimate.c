/*
 * estimate.c - kuska estimate: multiple-systems estimation on a capture-
 * history table in a CSV file (lib/mse): the main-effects and stepwise
 * models with their model-conditional intervals, and on request the
 * bootstrap BCa interval. Rows and columns as the live estimate table
 * (ESTIMATION.md) without its period.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csvcell.h"
#include "progress.h"
#include "mse/mse.h"

#define ESTIMATE_FILE_MAX (1 << 20)
#define ESTIMATE_COLS 8

enum format { FMT_TEXT, FMT_CSV, FMT_JSON };

static const char *const columns[ESTIMATE_COLS] = {
    "lists",	"observed", "method", "interactions",
    "estimate", "low95",    "high95", "note",
};

/* Which columns are numbers: right-aligned, bare in JSON. */
static const bool numeric[ESTIMATE_COLS] = {
    false, true, false, false, true, true, true, false,
};

struct row {
	char cell[ESTIMATE_COLS][MSE_REASON_MAX + 64];
	bool present[ESTIMATE_COLS]; /* false: empty in CSV, null in JSON */
};

static void
set(struct row *r, unsigned col, const char *value)
{
	snprintf(r->cell[col], sizeof(r->cell[col]), "%s", value);
	r->present[col] = true;
}

static void
set_number(struct row *r, unsigned col, double v)
{
	if (isfinite(v)) {
		snprintf(r->cell[col], sizeof(r->cell[col]), "%.1f", v);
		r->present[col] = true;
	} else {
		/* "inf" in text and CSV; JSON has no infinity: null. */
		snprintf(r->cell[col], sizeof(r->cell[col]), "inf");
		r->present[col] = false;
	}
}

/* The columns every row shares: lists and observed. */
static void
row_start(struct row *r, const struct mse_table *t, const char *method)
{
	char buf[MSE_MAX_LISTS * (MSE_NAME_MAX + 1) + 1];

	memset(r, 0, sizeof(*r));
	set(r, 0, mse_format_lists(t, buf, sizeof(buf)));
	snprintf(r->cell[1], sizeof(r->cell[1]), "%" PRIu64,
		 mse_table_observed(t));
	r->present[1] = true;
	set(r, 2, method);
}

/* The model's columns; the interval only when has_interval. */
static void
row_estimate(struct row *r, const struct mse_table *t,
	     const struct mse_estimate *e, bool has_interval, double low,
	     double high, const char *note)
{
	char buf[MSE_MAX_PAIRS * (2 * MSE_NAME_MAX + 2) + 1];

	set(r, 3, mse_format_interactions(t, e, buf, sizeof(buf)));
	if (e->status == MSE_ESTIMATED) {
		set_number(r, 4, e->estimate);
		if (has_interval) {
			set_number(r, 5, low);
			set_number(r, 6, high);
		}
	}
	set(r, 7, note);
}

static void
print_text(const struct row *rows, unsigned n)
{
	size_t w[ESTIMATE_COLS], l;
	unsigned i, j;

	for (j = 0; j < ESTIMATE_COLS; j++)
		w[j] = strlen(columns[j]);
	for (i = 0; i < n; i++)
		for (j = 0; j < ESTIMATE_COLS; j++)
			if ((l = strlen(rows[i].cell[j])) > w[j])
				w[j] = l;
	for (j = 0; j < ESTIMATE_COLS; j++)
		printf("%s%-*s", j ? "  " : "",
		       j + 1 < ESTIMATE_COLS ? (int)w[j] : 0, columns[j]);
	printf("\n");
	for (i = 0; i < n; i++) {
		for (j = 0; j < ESTIMATE_COLS; j++) {
			int width = numeric[j] ? (int)w[j] : -(int)w[j];
			if (j + 1 == ESTIMATE_COLS)
				width = 0;
			printf("%s%*s", j ? "  " : "", width, rows[i].cell[j]);
		}
		printf("\n");
	}
}

static void
print_csv(const struct row *rows, unsigned n)
{
	unsigned i, j;

	for (j = 0; j < ESTIMATE_COLS; j++)
		printf("%s%s", j ? "," : "", columns[j]);
	printf("\n");
	for (i = 0; i < n; i++) {
		for (j = 0; j < ESTIMATE_COLS; j++) {
			if (j)
				putchar(',');
			/* The lists' names are the file's: never a
			 * formula (csvcell.h); numbers stay numbers. */
			if (numeric[j])
				csvcell_write_plain(stdout, rows[i].cell[j]);
			else
				csvcell_write(stdout, rows[i].cell[j]);
		}
		printf("\n");
	}
}

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
print_json(const struct row *rows, unsigned n)
{
	unsigned i, j;

	printf("[");
	for (i = 0; i < n; i++) {
		printf("%s\n  {", i ? "," : "");
		for (j = 0; j < ESTIMATE_COLS; j++) {
			printf("%s", j ? ", " : "");
			json_string(columns[j]);
			printf(": ");
			if (!rows[i].present[j])
				printf("null");
			else if (numeric[j])
				printf("%s", rows[i].cell[j]);
			else
				json_string(rows[i].cell[j]);
		}
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

/* Reads path ("-": standard input) whole into a malloc'd buffer. */
static int
read_input(const char *path, char **ret_buf, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t len;
	int r = 0;

	if (f == NULL)
		return -errno;
	buf = malloc(ESTIMATE_FILE_MAX + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	len = fread(buf, 1, ESTIMATE_FILE_MAX + 1, f);
	if (ferror(f))
		r = -EIO;
	else if (len > ESTIMATE_FILE_MAX)
		r = -EFBIG;
	if (r != 0) {
		free(buf);
		goto out;
	}
	*ret_buf = buf;
	*ret_len = len;
out:
	if (f != stdin)
		fclose(f);
	return r;
}

struct options {
	const char *path;
	int method; /* -1: both */
	unsigned boot;	/* 0: no bootstrap */
	uint64_t seed;
	bool has_seed;
	enum format format;
};

static int
usage(void)
{
	fprintf(stderr, "usage: kuska estimate FILE.csv [--method "
			"stepwise|main] [--boot N [--seed S]] [--format "
			"text|csv|json]\n");
	return 2;
}

/* A whole number in [min, max] from s, or false. */
static bool
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"method", required_argument, NULL, 'm'},
	    {"boot", required_argument, NULL, 'b'},
	    {"seed", required_argument, NULL, 's'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->method = -1;
	o->seed = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "stepwise") == 0)
				o->method = MSE_STEPWISE;
			else if (strcmp(optarg, "main") == 0)
				o->method = MSE_MAIN;
			else
				return usage();
			break;
		case 'b':
			if (!parse_uint(optarg, 1, MSE_MAX_BOOT, &v)) {
				fprintf(stderr,
					"kuska estimate: --boot takes 1 to "
					"%d resamples\n",
					MSE_MAX_BOOT);
				return 2;
			}
			o->boot = (unsigned)v;
			break;
		case 's':
			if (!parse_uint(optarg, 0, UINT64_MAX, &v)) {
				fprintf(stderr, "kuska estimate: --seed takes "
						"a whole number\n");
				return 2;
			}
			o->seed = v;
			o->has_seed = true;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				o->format = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = FMT_JSON;
			else
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	/* A seed without resamples would be ignored, and the analyst would
	 * believe it set one: refused, as kuska query refuses it. */
	if (o->has_seed && o->boot == 0) {
		fprintf(stderr, "kuska estimate: --seed needs --boot N\n");
		return 2;
	}
	o->path = argv[optind];
	return 0;
}

/* Reads and parses the file; 0, or an exit code with the error said. */
static int
load(const char *path, struct mse_table *t)
{
	struct mse_csv_error err;
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_input(path, &buf, &len);
	if (r != 0) {
		fprintf(stderr, "kuska estimate: %s: %s\n", path,
			r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
		return r == -ENOENT || r == -EACCES ? 2 : 1;
	}
	r = mse_csv_parse(buf, len, t, &err);
	free(buf);
	if (r == 0)
		return 0;
	if (err.line > 0)
		fprintf(stderr, "kuska estimate: %s:%u: %s\n", path, err.line,
			err.reason);
	else
		fprintf(stderr, "kuska estimate: %s: %s\n", path, err.reason);
	return 1;
}

/* The method's row; *ret_ok false when it has no estimate. */
static int
method_row(const struct mse_table *t, enum mse_method m, struct row *row,
	   bool *ret_ok)
{
	struct mse_estimate e;
	char note[MSE_REASON_MAX];
	int r;

	r = mse_estimate(t, m, &e);
	if (r != 0)
		return r;
	row_start(row, t, mse_format_method(m));
	row_estimate(row, t, &e, true, e.low95, e.high95,
		     mse_format_note(t, &e, note, sizeof(note)));
	*ret_ok = *ret_ok && e.status == MSE_ESTIMATED;
	return 0;
}

/* The resamples drawn so far, on a terminal's progress line. */
static void
boot_progress(void *arg, unsigned done, unsigned total)
{
	progress_show(arg, done == 1, "kuska estimate: bootstrap %u of %u",
		      done, total);
}

static int
boot_row(const struct mse_table *t, enum mse_method m, const struct options *o,
	 struct row *row, bool *ret_ok)
{
	struct mse_boot b;
	struct progress prog;
	char note[MSE_REASON_MAX];
	int r;

	progress_start(&prog);
	r = mse_bootstrap_watched(t, m, o->boot, o->seed, &b, NULL,
				  prog.on ? boot_progress : NULL, &prog);
	progress_clear(&prog);
	if (r != 0)
		return r;
	row_start(row, t, "bootstrap");
	/* The point estimate may exist while the interval does not. */
	row_estimate(row, t, &b.point, b.status == MSE_ESTIMATED, b.low95,
		     b.high95, mse_format_boot_note(t, &b, note, sizeof(note)));
	*ret_ok = *ret_ok && b.status == MSE_ESTIMATED;
	return 0;
}

int
cmd_estimate(int argc, char **argv)
{
	struct options o;
	struct mse_table t;
	struct row rows[3];
	unsigned n = 0;
	bool ok = true;
	int r;

	if ((r = parse_options(argc, argv, &o)) != 0)
		return r;
	if ((r = load(o.path, &t)) != 0)
		return r;
	if (o.method != MSE_STEPWISE)
		r = method_row(&t, MSE_MAIN, &rows[n++], &ok);
	if (r == 0 && o.method != MSE_MAIN)
		r = method_row(&t, MSE_STEPWISE, &rows[n++], &ok);
	if (r == 0 && o.boot > 0)
		r = boot_row(&t, o.method == MSE_MAIN ? MSE_MAIN : MSE_STEPWISE,
			     &o, &rows[n++], &ok);
	if (r != 0) {
		fprintf(stderr, "kuska estimate: %s\n", strerror(-r));
		return 1;
	}
	if (o.format == FMT_CSV)
		print_csv(rows, n);
	else if (o.format == FMT_JSON)
		print_json(rows, n);
	else
		print_text(rows, n);
	return ok ? 0 : 1;
}
