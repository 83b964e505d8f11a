/*
 * query.c - kuska query: asks the consolidator for one statistics table
 * and prints it as aligned text (or, for long texts, a block per row),
 * CSV or JSON (columns and row order as EVENTS.md fixes them). What comes
 * back depends on the client's role in the registry: the secretariat's
 * small counts arrive already suppressed. This file reads the arguments
 * and asks; query_print.c writes the text, blocks and CSV (query_json.c
 * the JSON), query_notes.c the notes on standard error (query_int.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "cmd.h"
#include "codec.h"
#include "date.h"
#include "help.h"
#include "period.h"
#include "query_int.h"
#include "query_json.h"
#include "settings.h"

/* The tables, as kuska help query lists them (lib/help_table.c). */
static const struct help_item *
tables(void)
{
	return help_items(help_find("kuska", "query"), "Tables");
}

/* Whether name is one of the tables; if not, says so on stderr, naming
 * them in the order kuska help query does. */
static bool
known_table(const char *name)
{
	const struct help_item *t;

	for (t = tables(); t->text != NULL; t++)
		if (strcmp(name, t->term) == 0)
			return true;
	fprintf(stderr, "kuska query: unknown table \"%s\" (one of", name);
	for (t = tables(); t->text != NULL; t++)
		fprintf(stderr, "%s %s", t == tables() ? "" : ",", t->term);
	fprintf(stderr, ")\n");
	return false;
}

/* kuska query --boot: at most this many resamples (the consolidator
 * allows the same, ESTIMATE_MAX_BOOT, and a budget a minute). */
#define QUERY_MAX_BOOT 10000

/* Whether t holds a text too long for a cell's own room (codec.h). */
static bool
any_long(const struct qtable *t)
{
	size_t i, j;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if (t->rows[i][j].long_text != NULL)
				return true;
	return false;
}

bool
query_timeless(const char *table)
{
	return strcmp(table, "sources") == 0 ||
	       strcmp(table, "deliveries") == 0 ||
	       strcmp(table, "indicator_definitions") == 0;
}

int
cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"region", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"boot", required_argument, NULL, 'b'},
	    {"seed", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	bool has_seed = false;
	char *end;
	struct ask_client ac;
	struct query_req q;
	struct qtable tab, un;
	const char *conf = NULL, *period = NULL;
	char this_year[PERIOD_NAME_MAX], period_buf[PERIOD_NAME_MAX];
	uint32_t code;
	enum format fmt = FMT_TEXT;
	/* Read once: the period checked and the note of one not over or
	 * just over are of the same day. */
	int32_t today = date_today();
	char err[512];
	int ch, r;

	memset(&q, 0, sizeof(q));
	q.seed = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:p:r:f:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'r':
			if (ask_region("query", optarg, &q.region) != 0)
				return 2;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else {
				fprintf(stderr,
					"kuska query: bad format "
					"\"%s\": text, csv or json\n",
					optarg);
				return 2;
			}
			break;
		case 'b':
			errno = 0;
			q.boot = (uint32_t)strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 || strlen(optarg) > 5 ||
			    q.boot < 1 || q.boot > QUERY_MAX_BOOT) {
				fprintf(stderr,
					"kuska query: bad --boot \"%s\": 1 "
					"to %d resamples\n",
					optarg, QUERY_MAX_BOOT);
				return 2;
			}
			break;
		case 's':
			errno = 0;
			q.seed = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0) {
				fprintf(stderr,
					"kuska query: bad --seed \"%s\": a "
					"whole number\n",
					optarg);
				return 2;
			}
			has_seed = true;
			break;
		default:
			goto usage;
		}
	}
	if (conf == NULL || optind + 1 != argc)
		goto usage;
	if ((q.boot != 0 || has_seed) &&
	    strcmp(argv[optind], "estimate") != 0) {
		fprintf(stderr, "kuska query: --boot and --seed are for the "
				"estimate table only\n");
		return 2;
	}
	if (has_seed && q.boot == 0) {
		fprintf(stderr, "kuska query: --seed needs --boot N\n");
		return 2;
	}
	if (!known_table(argv[optind]))
		return 2;
	/* Tables that are the same for every period need none. */
	if (period == NULL && query_timeless(argv[optind])) {
		snprintf(this_year, sizeof(this_year), "%04d",
			 date_year(today));
		period = this_year;
	}
	if (ask_period("query", period, query_timeless(argv[optind]), today,
		       &code, period_buf) != 0)
		return 2;
	period = period_buf;
	snprintf(q.table, sizeof(q.table), "%s", argv[optind]);
	snprintf(q.period, sizeof(q.period), "%s", period);
	if (ask_config("query", conf, &ac) != 0)
		return 2;
	r = ask_table(&ac, &q, &tab, err, sizeof(err));
	if (r != 0) {
		ask_client_clear(&ac);
		fprintf(stderr, "kuska query: %s\n", err);
		/* Up, but still computing or busy past the bound: neither
		 * an answer nor down. */
		return r == -EINPROGRESS ? 3 : 2;
	}
	if (tab.error[0] != '\0') {
		ask_client_clear(&ac);
		query_print_refusal(stderr, tab.error);
		codec_qtable_clear(&tab);
		return 2;
	}
	if (fmt == FMT_CSV)
		query_print_csv(&tab, q.table);
	else if (fmt == FMT_JSON)
		query_json_write(stdout, &tab);
	else if (strcmp(q.table, "indicator_definitions") == 0 ||
		 any_long(&tab))
		query_print_blocks(&tab);
	else if (strcmp(q.table, "indicators") == 0)
		query_print_indicators(&tab);
	else
		query_print_text(&tab);
	/* On standard error: the table itself stays as asked for. */
	fflush(stdout);
	memset(&un, 0, sizeof(un));
	if (strcmp(q.table, "referrals") == 0 ||
	    strcmp(q.table, "prosecution") == 0 ||
	    strcmp(q.table, "funnel") == 0) {
		/* The take-ups no row counts, or the cases no funnel follows,
		 * as the report gives them under the table: the asker's own
		 * answer of referrals_unmatched or cases_unmatched, asked
		 * once the table is out (none said if it fails). */
		struct query_req uq = q;
		snprintf(uq.table, sizeof(uq.table), "%s",
			 strcmp(q.table, "referrals") == 0
			     ? "referrals_unmatched"
			     : "cases_unmatched");
		if (ask_table(&ac, &uq, &un, err, sizeof(err)) != 0)
			codec_qtable_clear(&un);
	}
	ask_client_clear(&ac);
	query_notes(&q, &tab, &un, period, code, today, fmt);
	codec_qtable_clear(&un);
	codec_qtable_clear(&tab);
	return 0;
usage:
	fprintf(stderr, "usage: kuska query -c CLIENT.conf TABLE --period P "
			"[--region RR] [--boot N [--seed S]] "
			"[--format text|csv|json]\n");
	return 2;
}
