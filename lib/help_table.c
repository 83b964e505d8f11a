/*
 * help_table.c - the usage and options of every program and subcommand
 * (help.h). A new subcommand or daemon is one entry; a new option is one
 * line in its entry. The man pages (docs/kuska.1, kuska-node.8,
 * kuska-consolidator.8, kuska-keyholder.8) list the same options:
 * tests/e2e/test_help.sh compares them, and the bash completion
 * (completion/kuska.bash) reads "kuska help COMMAND".
 */
#include <stddef.h>

#include "help.h"
#include "region.h"

/* The -c option of the commands that talk to a node, a consolidator or
 * a key holder. */
#define OPT_DAEMON_CONF                                                        \
	{                                                                      \
		'c', NULL, "NODE.conf|CONSOLIDATOR.conf|KEYHOLDER.conf",       \
		    "the daemon's configuration (kuska.conf(5))",              \
		    .required = true                                           \
	}

#define OPT_FORMAT(short)                                                      \
	{                                                                      \
		short, "format", "text|csv|json",                              \
		    "aligned columns (the default), CSV or JSON"               \
	}

/* The regions of --region (kuska query, kuska report): INEI's codes and
 * names, from region.h's one list. */
#define REGION_ITEM(code, name) {code, name},
static const struct help_item regions[] = {REGION_TABLE(REGION_ITEM){0}};
#undef REGION_ITEM

const struct help_cmd help_table[] = {
    /* ---- kuska ---- */
    {
	.prog = "kuska",
	.synopsis = "COMMAND [OPTION]... [ARGUMENT]...",
	.summary = "client of the kuska child-trafficking data exchange",
	.max_args = HELP_ANY,
    },
    {
	.prog = "kuska",
	.name = "keygen",
	.synopsis = "NAME [--dir DIR]\n--linkage FILE [--epoch N]\n"
		    "--ref-key FILE\n--oprf-share FILE [--epoch N]",
	.summary = "make a party's key pair, or a pseudonym key",
	.max_args = 1,
	.opts =
	    (const struct help_opt[]){
		{'d', "dir", "DIR",
		 "where NAME.key and NAME.pub go (default: here)"},
		{0, "linkage", "FILE",
		 "make the nodes' linkage key instead, into FILE (mode 0600)"},
		{0, "ref-key", "FILE",
		 "make a node's own key for event ids, into FILE (mode 0600)"},
		{0, "oprf-share", "FILE",
		 "make a key holder's OPRF key share, into FILE (mode 0600)"},
		{0, "epoch", "N",
		 "the key epoch of a linkage key or share (default 1)"},
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Arguments",
		 (const struct help_item[]){
		     {"NAME", "the party: 1-31 of a-z, 0-9, _ and -"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "submit",
	.synopsis = "-c NODE.conf [--dry-run] [--verbose] [--report FILE] "
		    "[--timeout SECONDS] FILE...",
	.summary = "send case records to the institution's node",
	.min_args = 1,
	.max_args = HELP_ANY,
	.opts =
	    (const struct help_opt[]){
		{'c', NULL, "NODE.conf", "the node's configuration",
		 .required = true},
		{'n', "dry-run", NULL,
		 "check every line as the node would, store nothing"},
		{'v', "verbose", NULL,
		 "list every warning, not a count and the first few"},
		{'r', "report", "FILE",
		 "also write every refusal and warning to FILE as CSV"},
		{'t', "timeout", "SECONDS",
		 "wait so long for the node's answer to each piece "
		 "(default 120)"},
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Arguments",
		 (const struct help_item[]){
		     {"FILE", "JSON Lines of case records (docs/INPUT.md); "
			      "- reads standard input"},
		     {0},
		 }},
		{"Records sent before (docs/INPUT.md sections 7 and 8)",
		 (const struct help_item[]){
		     {"the file again", "safe: what the node holds is "
					"\"already held\", not stored twice"},
		     {"to change one", "send a correction record: a ref of its "
				       "own, target_ref, the whole record"},
		     {"to withdraw one", "send a withdrawal record: a ref of "
					 "its own, target_ref"},
		     {0},
		 }},
		{"Exit status",
		 (const struct help_item[]){
		     {"0", "no line refused (warnings do not count)"},
		     {"1", "a line refused; a file that cannot be read or is "
			   "not JSON Lines; a piece the node refused whole"},
		     {"2", "the node not reached, or gone or not answering; "
			   "a usage or configuration error"},
		     {"3", "the node is starting: nothing stored; submit "
			   "again once it has started (kuska status)"},
		     {"130", "interrupted (143 by SIGTERM)"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "status",
	.synopsis = "-c NODE.conf|CONSOLIDATOR.conf|KEYHOLDER.conf",
	.summary = "ask a running daemon how it is doing",
	.opts = (const struct help_opt[]){OPT_DAEMON_CONF, {0}},
	.sections =
	    (const struct help_section[]){
		{"Exit status",
		 (const struct help_item[]){
		     {"0", "healthy"},
		     {"1", "needs attention (see what it printed)"},
		     {"2", "the daemon cannot be reached, or a usage error"},
		     {"3", "the consolidator or a node is starting (the "
			   "checks of its store or outbox, a statistics "
			   "rebuild): neither up nor down"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "metrics",
	.synopsis = "-c NODE.conf|CONSOLIDATOR.conf|KEYHOLDER.conf",
	.summary = "print a running daemon's metrics (Prometheus text)",
	.opts = (const struct help_opt[]){OPT_DAEMON_CONF, {0}},
    },
    {
	.prog = "kuska",
	.name = "query",
	.synopsis = "-c CLIENT.conf TABLE --period P [--region RR] "
		    "[--boot N [--seed S]] [--format text|csv|json]",
	.summary = "ask the consolidator for a table of statistics",
	.min_args = 1,
	.max_args = 1,
	.opts =
	    (const struct help_opt[]){
		{'c', NULL, "CLIENT.conf",
		 "the client's configuration (its key decides what it sees)",
		 .required = true},
		{'p', "period", "P", "the period (see Periods)"},
		{'r', "region", "RR",
		 "one region only: an INEI department code (see Regions)"},
		{0, "boot", "N",
		 "estimate: add the bootstrap interval, N resamples "
		 "(1-10000)"},
		{0, "seed", "S",
		 "estimate: the bootstrap's seed (default 1; needs --boot)"},
		OPT_FORMAT('f'),
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Arguments",
		 (const struct help_item[]){
		     {"TABLE", "one of the tables below"},
		     {0},
		 }},
		{"Tables",
		 (const struct help_item[]){
		     {"identification",
		      "victims identified, per institution and in all"},
		     {"overlap", "victims by the set of institutions that "
				 "identified them"},
		     {"breakdown", "victims by sex, age group, nationality, "
				   "region, exploitation"},
		     {"referrals",
		      "referrals sent, taken up, pending; days to take-up"},
		     {"referrals_unmatched",
		      "take-ups naming a referral the sender has no record "
		      "of (or a number typed otherwise), by the earliest "
		      "take-up's date: why uptake may look low"},
		     {"protection",
		      "victims per service; days from identification"},
		     {"prosecution", "cases and persons at each stage, by the "
				     "stage's date"},
		     {"cases_unmatched",
		      "cases no complaint names (a court's stage under a "
		      "case number written otherwise), per institution of "
		      "the earliest stage, by its date: not in the funnel"},
		     {"funnel", "cases with a complaint in the period: the "
				"stages reached by now, the attrition"},
		     {"durations", "median days between consecutive stages, "
				   "by the later one's date"},
		     {"timeliness", "records per institution; days from their "
				    "date to their arrival, share within 30"},
		     {"indicators", "the Commission's outcome indicators "
				    "(a year or a semester)"},
		     {"indicator_definitions",
		      "what each indicator is: expression, basis, baseline "
		      "and target periods (no --period needed)"},
		     {"sources", "events accepted per institution, all periods "
				 "and regions together (no --period needed)"},
		     {"deliveries", "per institution: when it last delivered "
				    "(UTC), events accepted, when its node was "
				    "last heard from (no --period needed)"},
		     {"estimate", "victims nobody identified: multiple-systems "
				  "estimation over the overlap"},
		     {"sdg16_2_2", "SDG 16.2.2: victims per 100,000 by sex and "
				   "age group, and the estimate's rate"},
		     {0},
		 }},
		{"Periods",
		 (const struct help_item[]){
		     {"2026", "a year"},
		     {"2026H1, 2026H2",
		      "a semester: January-June, July-December"},
		     {"2026Q1 ... 2026Q4",
		      "a quarter (2026Q3: July-September)"},
		     {"2026h1, 2026q3", "the same, in lower case"},
		     {0},
		 }},
		{"Regions", regions},
		{"Exit status",
		 (const struct help_item[]){
		     {"0", "the table printed"},
		     {"2", "the consolidator not reached, not answering or "
			   "stopping, or the table refused; a usage or "
			   "configuration error"},
		     {"3", "the consolidator busy, or computing the "
			   "secretariat's release, past 5 minutes of "
			   "asking again"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "estimate",
	.synopsis = "FILE.csv [--method stepwise|main] [--boot N [--seed S]] "
		    "[--format text|csv|json]",
	.summary = "estimate the victims no institution identified",
	.min_args = 1,
	.max_args = 1,
	.opts =
	    (const struct help_opt[]){
		{0, "method", "stepwise|main", "print only that model's row"},
		{0, "boot", "N", "add a bootstrap interval from N resamples"},
		{0, "seed", "S",
		 "the bootstrap's seed (default 1; needs --boot)"},
		OPT_FORMAT(0),
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Arguments",
		 (const struct help_item[]){
		     {"FILE.csv", "a 0/1 column per list and a count column; "
				  "a line starting # is a comment; "
				  "- reads standard input"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "report",
	.synopsis = "-c CLIENT.conf --period P [--region RR] [--lang es|en] "
		    "[-o FILE]",
	.summary = "write the Commission's report as one HTML page",
	.opts =
	    (const struct help_opt[]){
		{'c', NULL, "CLIENT.conf",
		 "the client's configuration (its key decides what it sees)",
		 .required = true},
		{'p', "period", "P", "the period, as for query"},
		{'r', "region", "RR",
		 "one region's report: an INEI department code (see "
		 "Regions; the secretariat: years only)"},
		{'l', "lang", "es|en", "Spanish (the default) or English"},
		{'o', "output", "FILE",
		 "write FILE (replaced whole); - or none: standard output"},
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Regions", regions},
		{"Exit status",
		 (const struct help_item[]){
		     {"0", "the page written"},
		     {"1", "the page could not be written"},
		     {"2", "the consolidator not reached, not answering or "
			   "stopping, or every table refused; a usage or "
			   "configuration error"},
		     {"3", "the consolidator busy, or computing the "
			   "secretariat's release, past 5 minutes of "
			   "asking again: the report's tables together, "
			   "not each"},
		     {0},
		 }},
		{0},
	    },
	.lacks =
	    (const struct help_item[]){
		{"format", "the report is one HTML page; a table as CSV or "
			   "JSON is kuska query TABLE --period P --format "
			   "csv"},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "demo",
	.synopsis = "init DIR [--port BASE]",
	.summary = "write keys, configs and indicators for a network on "
		   "127.0.0.1",
	.min_args = 2,
	.max_args = 2,
	.opts =
	    (const struct help_opt[]){
		{'p', "port", "BASE",
		 "the consolidator's port, queries on BASE+1, the key holder "
		 "on BASE+2 (1024-65533, default 7400)"},
		{0},
	    },
	.sections =
	    (const struct help_section[]){
		{"Arguments",
		 (const struct help_item[]){
		     {"init", "the only action"},
		     {"DIR", "where the files go (at most 60 characters)"},
		     {0},
		 }},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "sim",
	.synopsis = "--out DIR [--victims N] [--seed S] [--truth FILE]",
	.summary = "write invented case records of the five institutions",
	.opts =
	    (const struct help_opt[]){
		{0, "out", "DIR", "where pnp.jsonl ... minsa.jsonl go",
		 .required = true},
		{0, "victims", "N", "how many victims (default 1000)"},
		{0, "seed", "S", "the generator's seed (default 1)"},
		{0, "truth", "FILE",
		 "also write the true counts of victims, which only the "
		 "generator knows"},
		{0},
	    },
    },
    {
	.prog = "kuska",
	.name = "help",
	.synopsis = "[COMMAND]",
	.summary = "list the commands, or a command's options",
	.max_args = 1,
    },
    {
	.prog = "kuska",
	.name = "version",
	.synopsis = "",
	.summary = "print the version",
    },

    /* ---- the daemons ---- */
    {
	.prog = "kuska-node",
	.synopsis = "[-dn] -c FILE\n--recover -c FILE",
	.summary = "an institution's node: pseudonymise, sign, deliver",
	.opts =
	    (const struct help_opt[]){
		{0, "recover", NULL,
		 "rebuild the outbox from the consolidator's copy, then exit"},
		{'c', NULL, "FILE", "the configuration (kuska.conf(5))",
		 .required = true},
		{'d', NULL, NULL, "also log debug lines"},
		{'n', NULL, NULL,
		 "check the configuration and keys, print it, exit"},
		{0},
	    },
    },
    {
	.prog = "kuska-consolidator",
	.synopsis = "[-dn] -c FILE\n--audit -c FILE\n--rebuild -c FILE\n"
		    "--repair -c FILE\n--refetch INST:SEQ -c FILE",
	.summary = "the consolidator: verify, store and count the events",
	.opts =
	    (const struct help_opt[]){
		{0, "audit", NULL, "verify everything stored again, then exit"},
		{0, "rebuild", NULL,
		 "recompute the statistics from the store, then exit"},
		{0, "repair", NULL,
		 "make a damaged store sound (the nodes send again what it "
		 "drops), then exit"},
		{0, "refetch", "INST:SEQ",
		 "drop INST's events from SEQ on for its node to send again, "
		 "then exit"},
		{'c', NULL, "FILE", "the configuration (kuska.conf(5))",
		 .required = true},
		{'d', NULL, NULL, "also log debug lines"},
		{'n', NULL, NULL,
		 "check the configuration, key and registry, print it, exit"},
		{0},
	    },
    },
    {
	.prog = "kuska-keyholder",
	.synopsis = "[-dn] -c FILE",
	.summary = "a key holder: evaluate the nodes' blinded identities",
	.opts =
	    (const struct help_opt[]){
		{'c', NULL, "FILE", "the configuration (kuska.conf(5))",
		 .required = true},
		{'d', NULL, NULL, "also log debug lines"},
		{'n', NULL, NULL,
		 "check the configuration, key, share and registry, print it, "
		 "exit"},
		{0},
	    },
    },
    {0},
};
