/*
 * test_config.c - INI configuration (config.h) and kuska's three config
 * files (settings.h), written to a temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "config.h"
#include "event.h"
#include "settings.h"

struct fixture {
	char dir[PATH_MAX]; /* real path of a fresh temporary directory */
	char file[PATH_MAX + 32];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char tmpl[] = "/tmp/kuska-config-XXXXXX";

	if (fx == NULL || mkdtemp(tmpl) == NULL ||
	    realpath(tmpl, fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Writes text to DIR/name; fx->file is its path. */
static const char *
put(struct fixture *fx, const char *name, const char *text)
{
	FILE *f;

	snprintf(fx->file, sizeof(fx->file), "%s/%s", fx->dir, name);
	f = fopen(fx->file, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return fx->file;
}

static const char node_text[] = "# a node\n"
				"[node]\n"
				"institution = pnp\n"
				"key = keys/pnp.key\n"
				"linkage_key = /etc/kuska/linkage.key\n"
				"ref_key = keys/pnp-ref.key\n"
				"keyholder = tcp://10.0.0.9:7402\n"
				"keyholder_key = keys/keyholder.pub\n"
				"consolidator = tcp://10.0.0.5:7420\n"
				"consolidator_key = ../shared/cons.pub\n"
				"submit = ipc://run/submit.sock\n"
				"data_dir = data\n"
				"network = pe-trata-2026\n"
				"window = 8\n"
				"ack_timeout_s = 3600\n";

static void
test_node_valid(void **state)
{
	struct fixture *fx = *state;
	struct node_config c;
	char err[512] = "", want[PATH_MAX + 64];
	const char *path = put(fx, "node.conf", node_text);

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)), 0);
	assert_int_equal(c.institution, INST_PNP);
	assert_string_equal(c.network, "pe-trata-2026");
	snprintf(want, sizeof(want), "%s/keys/pnp.key", fx->dir);
	assert_string_equal(c.key, want);
	assert_string_equal(c.linkage_key, "/etc/kuska/linkage.key");
	snprintf(want, sizeof(want), "%s/keys/pnp-ref.key", fx->dir);
	assert_string_equal(c.ref_key, want);
	assert_string_equal(c.keyholder[0], "tcp://10.0.0.9:7402");
	snprintf(want, sizeof(want), "%s/keys/keyholder.pub", fx->dir);
	assert_string_equal(c.keyholder_key[0], want);
	/* The other key holders are optional: unset. */
	assert_string_equal(c.keyholder[1], "");
	assert_string_equal(c.keyholder_key[2], "");
	assert_int_equal(c.keyholder_timeout_s, 10);
	assert_int_equal(c.workers, 0);
	assert_string_equal(c.consolidator, "tcp://10.0.0.5:7420");
	snprintf(want, sizeof(want), "%s/../shared/cons.pub", fx->dir);
	assert_string_equal(c.consolidator_key, want);
	snprintf(want, sizeof(want), "ipc://%s/run/submit.sock", fx->dir);
	assert_string_equal(c.submit, want);
	snprintf(want, sizeof(want), "%s/data", fx->dir);
	assert_string_equal(c.data_dir, want);
	/* Given, and defaults. */
	assert_int_equal(c.window, 8);
	assert_int_equal(c.ack_timeout_s, 3600);
	assert_int_equal(c.batch_events, 1024);
	assert_int_equal(c.map_size_mb, 1024);
	assert_int_equal(c.alarm_backlog_hours, 24);
	assert_int_equal(c.alarm_dead_letter_hours, 168);
	/* An optional path left out is empty. */
	assert_string_equal(c.metrics_file, "");
	assert_int_equal(c.metrics_interval_s, 60);
}

/*
 * The key holder's file, and the optional key holders of a node: an
 * endpoint that is given must be a tcp:// one; left empty, it is unset.
 */
static void
test_keyholder(void **state)
{
	struct fixture *fx = *state;
	struct keyholder_config k;
	struct node_config c;
	char err[512] = "", text[2048];
	const char *path;

	path = put(fx, "kh.conf",
		   "[keyholder]\nkey = k.key\nshare = k.share\n"
		   "registry = registry.conf\nlisten = tcp://*:7402\n"
		   "control = ipc://run/kh.sock\nrate_per_day = 5000\n");
	memset(&k, 0x5a, sizeof(k));
	assert_int_equal(
	    config_load(path, &settings_keyholder_schema, &k, err, sizeof(err)),
	    0);
	assert_int_equal(k.rate_per_day, 5000);
	assert_int_equal(k.max_batch, 65536);
	assert_int_equal(k.workers, 0);
	assert_string_equal(k.listen, "tcp://*:7402");
	assert_int_equal(k.max_connections, 256);
	assert_int_equal(k.max_connections_per_key, 16);
	assert_int_equal(k.max_pending, 256);
	assert_int_equal(k.max_pending_per_address, 32);
	path = put(fx, "kh.conf",
		   "[keyholder]\nkey = k.key\nshare = k.share\n"
		   "registry = r\nlisten = tcp://*:7402\n"
		   "control = ipc://run/kh.sock\nmax_pending_per_address = 0\n");
	assert_int_equal(
	    config_load(path, &settings_keyholder_schema, &k, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(
	    strstr(err, ":7: max_pending_per_address: must be a whole number"));
	path = put(fx, "kh.conf",
		   "[keyholder]\nkey = k.key\nshare = k.share\n"
		   "registry = r\nlisten = tcp://*:7402\n"
		   "control = ipc://run/kh.sock\nmax_batch = 65537\n");
	assert_int_equal(
	    config_load(path, &settings_keyholder_schema, &k, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, ":7: max_batch: must be a whole number"));
	/* Below the least a node works with. */
	path = put(fx, "kh.conf",
		   "[keyholder]\nkey = k.key\nshare = k.share\n"
		   "registry = r\nlisten = tcp://*:7402\n"
		   "control = ipc://run/kh.sock\nmax_batch = 63\n");
	assert_int_equal(
	    config_load(path, &settings_keyholder_schema, &k, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "kh.conf:7: max_batch: must be a whole "
				    "number from 64 to 65536"));
	path = put(fx, "kh.conf",
		   "[keyholder]\nkey = k.key\nshare = k.share\n"
		   "registry = r\nlisten = tcp://*:7402\n"
		   "control = ipc://run/kh.sock\nmax_batch = 64\n");
	assert_int_equal(
	    config_load(path, &settings_keyholder_schema, &k, err, sizeof(err)),
	    0);
	assert_int_equal(k.max_batch, SETTINGS_MIN_MAX_BATCH);

	snprintf(text, sizeof(text), "%skeyholder2 =\nkeyholder2_key =\n",
		 node_text);
	path = put(fx, "n.conf", text);
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)), 0);
	assert_string_equal(c.keyholder[1], "");
	snprintf(text, sizeof(text),
		 "%skeyholder2 = tcp://h2:7402\nkeyholder2_key = h2.pub\n",
		 node_text);
	path = put(fx, "n.conf", text);
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)), 0);
	assert_string_equal(c.keyholder[1], "tcp://h2:7402");
	snprintf(text, sizeof(text), "%skeyholder3 = http://h3\n", node_text);
	path = put(fx, "n.conf", text);
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "keyholder3: must be tcp://"));
}

/* Relative paths follow the file, not the working directory. */
static void
test_relative_to_file(void **state)
{
	struct fixture *fx = *state;
	struct node_config c;
	char err[512], sub[PATH_MAX + 8], want[PATH_MAX + 64];
	char cwd[PATH_MAX];
	const char *path;

	snprintf(sub, sizeof(sub), "%s/etc", fx->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	path = put(fx, "etc/node.conf", node_text);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/etc/keys/pnp.key", fx->dir);
	assert_string_equal(c.key, want);
	snprintf(want, sizeof(want), "ipc://%s/etc/run/submit.sock", fx->dir);
	assert_string_equal(c.submit, want);

	/* config_resolve itself. */
	assert_int_equal(config_resolve(path, "/abs/x", want, sizeof(want)), 0);
	assert_string_equal(want, "/abs/x");
	assert_int_equal(config_resolve(path, "x", want, sizeof(want)), 0);
	snprintf(sub, sizeof(sub), "%s/etc/x", fx->dir);
	assert_string_equal(want, sub);
	assert_int_equal(config_resolve(path, "x", want, 4), -ENAMETOOLONG);
	assert_int_equal(config_resolve(path, "/abs/x", want, 6),
			 -ENAMETOOLONG);
}

static const char cons_text[] = "[consolidator]\n"
				"key = cons.key\n"
				"registry = registry.conf\n"
				"listen = tcp://*:7420\n"
				"query_listen = tcp://127.0.0.1:7421\n"
				"control = ipc:///run/kuska/control.sock\n"
				"data_dir = /var/lib/kuska\n"
				"k = 5\n"
				"max_map_size_mb = 16777216\n";

/* An optional path: empty is unset, anything else is made absolute. */
static void
test_optional_path(void **state)
{
	struct fixture *fx = *state;
	struct consolidator_config c;
	char text[2048], err[512], want[PATH_MAX + 64];
	const char *path;

	snprintf(text, sizeof(text), "%smetrics_file = m/kuska.prom\n",
		 cons_text);
	path = put(fx, "m.conf", text);
	memset(&c, 0, sizeof(c));
	assert_int_equal(config_load(path, &settings_consolidator_schema, &c,
				     err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/m/kuska.prom", fx->dir);
	assert_string_equal(c.metrics_file, want);
	snprintf(text, sizeof(text), "%smetrics_file =\n", cons_text);
	path = put(fx, "m.conf", text);
	memset(&c, 0x41, sizeof(c));
	assert_int_equal(config_load(path, &settings_consolidator_schema, &c,
				     err, sizeof(err)),
			 0);
	assert_string_equal(c.metrics_file, "");
}

static void
test_consolidator_client_valid(void **state)
{
	struct fixture *fx = *state;
	struct consolidator_config c;
	struct client_config cl;
	char err[512], want[PATH_MAX + 64];
	const char *path = put(fx, "cons.conf", cons_text);

	memset(&c, 0, sizeof(c));
	assert_int_equal(config_load(path, &settings_consolidator_schema, &c,
				     err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/cons.key", fx->dir);
	assert_string_equal(c.key, want);
	snprintf(want, sizeof(want), "%s/registry.conf", fx->dir);
	assert_string_equal(c.registry, want);
	assert_string_equal(c.listen, "tcp://*:7420");
	assert_string_equal(c.query_listen, "tcp://127.0.0.1:7421");
	assert_string_equal(c.control, "ipc:///run/kuska/control.sock");
	assert_string_equal(c.data_dir, "/var/lib/kuska");
	assert_int_equal(c.k, 5);
	assert_int_equal(c.max_map_size_mb, 16777216);
	assert_int_equal(c.map_size_mb, 1024);
	assert_int_equal(c.alarm_silent_hours, 72);
	assert_int_equal(c.max_connections, 256);
	assert_int_equal(c.max_connections_per_key, 16);

	path = put(fx, "client.conf",
		   "[client]\nkey = me.key\nconsolidator = "
		   "tcp://cons.example:7421\nconsolidator_key = /k/c.pub\n");
	memset(&cl, 0, sizeof(cl));
	assert_int_equal(
	    config_load(path, &settings_client_schema, &cl, err, sizeof(err)),
	    0);
	snprintf(want, sizeof(want), "%s/me.key", fx->dir);
	assert_string_equal(cl.key, want);
	assert_string_equal(cl.consolidator, "tcp://cons.example:7421");
	assert_string_equal(cl.consolidator_key, "/k/c.pub");
}

/*
 * Loads text as a node config and expects -EINVAL with "FILE:LINE:" and
 * every one of the given words in the message.
 */
static void
expect_error(struct fixture *fx, const char *text, int line, const char *w1,
	     const char *w2)
{
	struct node_config c;
	char err[512] = "", want[PATH_MAX + 64];
	const char *path = put(fx, "bad.conf", text);
	int r;

	memset(&c, 0, sizeof(c));
	r = config_load(path, &settings_node_schema, &c, err, sizeof(err));
	if (r != -EINVAL)
		fail_msg("returned %d for:\n%s", r, text);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", err, want);
	if (w1 != NULL && strstr(err, w1) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err, w1);
	if (w2 != NULL && strstr(err, w2) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err, w2);
}

#define HEAD                                                                   \
	"[node]\n"                                                             \
	"institution = mp\n"                                                   \
	"key = k\n"                                                            \
	"linkage_key = l\n"                                                    \
	"ref_key = r\n"                                                        \
	"keyholder = tcp://h:2\n"                                              \
	"keyholder_key = h.pub\n"                                              \
	"consolidator = tcp://c:1\n"                                           \
	"consolidator_key = c.pub\n"                                           \
	"submit = ipc://s\n"                                                   \
	"data_dir = d\n"                                                       \
	"network = kuska-test\n"
/* HEAD is 12 lines: the next line is 13. */

static void
test_errors(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, HEAD "colour = blue\n", 13, "colour", "unknown key");
	expect_error(fx, HEAD "window = 2\nwindow = 3\n", 14, "window",
		     "twice");
	expect_error(fx, HEAD "key = again\n", 13, "key", "twice");
	/* A key in the wrong section, and before any section. */
	expect_error(fx, HEAD "[client]\nkey = x\n", 14, "[client]", "section");
	expect_error(fx, "window = 2\n" HEAD, 1, "section", NULL);
	/* A mistyped section with no key below it, at its own line. */
	expect_error(fx, HEAD "[nodes]\n", 13, "unknown section [nodes]",
		     "expected [node]");
	expect_error(fx, HEAD "# more\n[client]\n# key = x\n", 14,
		     "unknown section [client]", NULL);
	/* Numbers. */
	expect_error(fx, HEAD "window = ten\n", 13, "window", "number");
	expect_error(fx, HEAD "window = 4x\n", 13, "window", "number");
	expect_error(fx, HEAD "window = -1\n", 13, "window", "number");
	expect_error(fx, HEAD "window = 0x10\n", 13, "window", "number");
	expect_error(fx, HEAD "window = +4\n", 13, "window", "number");
	expect_error(fx, HEAD "window =\n", 13, "window", "number");
	expect_error(fx, HEAD "window = 99999999999999999999999\n", 13,
		     "window", "1 to 64");
	/* Out of range. */
	expect_error(fx, HEAD "window = 65\n", 13, "window", "1 to 64");
	expect_error(fx, HEAD "window = 0\n", 13, "window", "1 to 64");
	expect_error(fx, HEAD "batch_events = 1025\n", 13, "batch_events",
		     "1024");
	expect_error(fx, HEAD "alarm_dead_letter_hours = 8761\n", 13,
		     "alarm_dead_letter_hours", "0 to 8760");
	/* Whole hours: the parser takes no fractions. */
	expect_error(fx, HEAD "alarm_dead_letter_hours = 0.5\n", 13,
		     "alarm_dead_letter_hours", "number");
	/* Endpoints. */
	{
		static const char *const bad_tcp[] = {"http://c:1", "tcp://c",
						      "tcp:/c:1",   "TCP://c:1",
						      "c:1",	    ""};
		static const char *const bad_ipc[] = {"ipc://", "unix:/s",
						      "tcp://s:1", ""};
		char text[1024];
		size_t i;
		for (i = 0; i < sizeof(bad_tcp) / sizeof(bad_tcp[0]); i++) {
			snprintf(text, sizeof(text),
				 "[node]\nconsolidator = %s\n", bad_tcp[i]);
			expect_error(fx, text, 2, "consolidator", "tcp://");
		}
		for (i = 0; i < sizeof(bad_ipc) / sizeof(bad_ipc[0]); i++) {
			snprintf(text, sizeof(text), "[node]\nsubmit = %s\n",
				 bad_ipc[i]);
			expect_error(fx, text, 2, "submit", "ipc://");
		}
	}
	/* Institutions. */
	expect_error(fx, "[node]\ninstitution = PNP\n", 2, "institution",
		     "PNP");
	expect_error(fx, "[node]\ninstitution = police\n", 2, "institution",
		     NULL);
	expect_error(fx, "[node]\ninstitution =\n", 2, "institution", NULL);
	/* An empty value is shown as "", not as nothing. */
	expect_error(fx, "[node]\ninstitution =\n", 2,
		     "institution: \"\" is not one of", NULL);
	expect_error(fx, "[node]\nnetwork =\n", 2,
		     "network: \"\" is not a name", NULL);
	/* An empty path. */
	expect_error(fx, "[node]\nkey =\n", 2, "key", "path");
	/* Network names. */
	expect_error(fx, "[node]\nnetwork = PE-Trata\n", 2, "network",
		     "not a name");
	expect_error(fx, "[node]\nnetwork = pe trata\n", 2, "network", NULL);
	expect_error(fx,
		     "[node]\nnetwork = "
		     "a-network-name-longer-than-31-chars\n",
		     2, "network", "31");
	/* A comment after a value, which inih would keep in it: refused,
	 * naming its line, rather than a path naming another file. */
	expect_error(fx, HEAD "window = 4 # more\n", 13, "window", "comment");
	expect_error(fx, HEAD "batch_events =\t# none\n", 13,
		     "batch_events", "comment");
	expect_error(fx, "[node]\ndata_dir = /var/lib/kuska/pnp  # outbox\n", 2,
		     "data_dir", "comment");
	expect_error(fx, "[node]\nmetrics_file = #\n", 2, "metrics_file",
		     "comment");
	/* A line that is not INI. */
	expect_error(fx, HEAD "just words\n", 13, "syntax", NULL);
	expect_error(fx, "[node\n", 1, NULL, NULL);
}

/* A required key that is missing is named (there is no line). */
static void
test_missing_required(void **state)
{
	struct fixture *fx = *state;
	static const char *const required[] = {
	    "institution",  "key",	    "linkage_key",
	    "ref_key",	    "keyholder",    "keyholder_key",
	    "consolidator", "consolidator_key", "submit",
	    "data_dir",	    "network"};
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *p = HEAD;
		char *q = text;
		/* HEAD without the line of required[i]. */
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t n = (size_t)(nl - p) + 1;
			size_t klen = strlen(required[i]);
			if (!(strncmp(p, required[i], klen) == 0 &&
			      p[klen] == ' ')) {
				memcpy(q, p, n);
				q += n;
			}
			p += n;
		}
		*q = '\0';
		expect_error(fx, text, 0, required[i], "missing");
	}
	/* An empty file is missing everything. */
	expect_error(fx, "", 0, "institution", "missing");
}

static void
test_file_errors(void **state)
{
	struct fixture *fx = *state;
	struct node_config c;
	char err[512], path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/absent.conf", fx->dir);
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)),
	    -ENOENT);
	assert_non_null(strstr(err, path));
	/* A directory. */
	assert_int_equal(
	    config_load(fx->dir, &settings_node_schema, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, fx->dir));
	/* Over CONFIG_MAX_FILE. */
	snprintf(path, sizeof(path), "%s/big.conf", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[node]\n", f);
	while (ftell(f) <= CONFIG_MAX_FILE)
		fputs("# padding padding padding padding padding\n", f);
	fclose(f);
	assert_int_equal(
	    config_load(path, &settings_node_schema, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, path));
}

/* Loads text with schema, prints it, loads the print: the same bytes. */
static void
canonical_round_trip(struct fixture *fx, const struct config_schema *schema,
		     size_t size, const char *text)
{
	void *a = calloc(1, size), *b = calloc(1, size);
	char err[512] = "", printed[PATH_MAX + 32], *buf = NULL;
	size_t blen = 0;
	const char *path = put(fx, "canon.conf", text);
	FILE *f;

	assert_non_null(a);
	assert_non_null(b);
	if (config_load(path, schema, a, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	f = open_memstream(&buf, &blen);
	assert_non_null(f);
	config_print(f, schema, a);
	fclose(f);
	/* An empty value is "key =": no line ends in a space. */
	if (strstr(buf, " \n") != NULL)
		fail_msg("a line ends in a space:\n%s", buf);
	/* Printed to another directory: nothing relative is left. */
	snprintf(printed, sizeof(printed), "%s/printed", fx->dir);
	mkdir(printed, 0700);
	snprintf(printed, sizeof(printed), "printed/canon.conf");
	path = put(fx, printed, buf);
	if (config_load(path, schema, b, err, sizeof(err)) != 0)
		fail_msg("%s\n--- printed:\n%s", err, buf);
	assert_memory_equal(a, b, size);
	/* And printing again gives the same text. */
	{
		char *buf2 = NULL;
		size_t blen2 = 0;
		f = open_memstream(&buf2, &blen2);
		assert_non_null(f);
		config_print(f, schema, b);
		fclose(f);
		assert_string_equal(buf, buf2);
		free(buf2);
	}
	free(buf);
	free(a);
	free(b);
}

static void
test_canonical_round_trip(void **state)
{
	struct fixture *fx = *state;

	canonical_round_trip(fx, &settings_node_schema,
			     sizeof(struct node_config), node_text);
	canonical_round_trip(fx, &settings_node_schema,
			     sizeof(struct node_config), HEAD);
	canonical_round_trip(fx, &settings_consolidator_schema,
			     sizeof(struct consolidator_config), cons_text);
	canonical_round_trip(fx, &settings_client_schema,
			     sizeof(struct client_config),
			     "[client]\nkey = a\nconsolidator = tcp://h:1\n"
			     "consolidator_key = b\n");
	canonical_round_trip(fx, &settings_node_schema,
			     sizeof(struct node_config),
			     HEAD "metrics_file = prom/node.prom\n"
				  "metrics_interval_s = 86400\n");
	/* Every limit value. */
	canonical_round_trip(fx, &settings_node_schema,
			     sizeof(struct node_config),
			     HEAD "batch_events = 1\nwindow = 64\n"
				  "ack_timeout_s = 1\nmap_size_mb = 1048576\n"
				  "alarm_backlog_hours = 8760\n"
				  "alarm_dead_letter_hours = 8760\n");
	/* 0: the dead letter alarm for as long as any is held. */
	canonical_round_trip(fx, &settings_node_schema,
			     sizeof(struct node_config),
			     HEAD "alarm_dead_letter_hours = 0\n");
}

/*
 * alarm_dead_letter_hours: a week unless said; 0 (the alarm for as long
 * as any dead letter is held) and a year are taken as given.
 */
static void
test_dead_letter_hours(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *line;
		unsigned long want;
	} cases[] = {{"", 168},
		     {"alarm_dead_letter_hours = 0\n", 0},
		     {"alarm_dead_letter_hours = 1\n", 1},
		     {"alarm_dead_letter_hours = 8760\n", 8760}};
	char text[1024], err[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct node_config c;
		const char *path;

		snprintf(text, sizeof(text), HEAD "%s", cases[i].line);
		path = put(fx, "dead.conf", text);
		memset(&c, 0x5a, sizeof(c));
		if (config_load(path, &settings_node_schema, &c, err,
				sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(c.alarm_dead_letter_hours, cases[i].want);
	}
}

/* A path of some length made of short components under DIR. */
static void
long_path(char *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = i % 10 == 9 ? '/' : 'p';
	out[len] = '\0';
}

/*
 * inih reads lines of at most INI_MAX_LINE (200) bytes: a longer line
 * would be cut and its tail read as a line of its own. It is refused
 * first, at its own line.
 */
static void
test_long_path(void **state)
{
	struct fixture *fx = *state;
	struct node_config c;
	char text[4096], p[400], err[512], want[PATH_MAX + 512];
	const char *path;
	int r;

	long_path(p, 300);
	snprintf(text, sizeof(text),
		 "[node]\ninstitution = mp\nkey = k\nlinkage_key = l\n"
		 "ref_key = r\nkeyholder = tcp://h:2\n"
		 "keyholder_key = h.pub\n"
		 "consolidator = tcp://c:1\nconsolidator_key = c.pub\n"
		 "submit = ipc://s\ndata_dir = /%s\n",
		 p);
	path = put(fx, "long.conf", text);
	memset(&c, 0, sizeof(c));
	/* The parser reads lines of at most 197 characters: a longer one
	 * is refused at its own line, with the reason, not cut short. */
	r = config_load(path, &settings_node_schema, &c, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	snprintf(want, sizeof(want), "%s:11: line longer than 197 characters",
		 path);
	assert_string_equal(err, want);
}

/*
 * With a syntax error on one line and a bad key on a later one, inih
 * reports the first line but the message is the later line's reason.
 */
static void
test_error_line_matches_reason(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, HEAD "just words\ncolour = blue\n", 13, "syntax",
		     NULL);
}

/*
 * A tcp:// endpoint is checked only for "tcp://" and a colon: no port, a
 * port that is not a number or out of range are all accepted, and the
 * daemon only finds out when it binds or connects.
 */
static void
test_endpoint_port_checked(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, "[node]\nconsolidator = tcp://host:\n", 2,
		     "consolidator", NULL);
	expect_error(fx, "[node]\nconsolidator = tcp://host:http\n", 2,
		     "consolidator", NULL);
	expect_error(fx, "[node]\nconsolidator = tcp://host:99999\n", 2,
		     "consolidator", NULL);
	expect_error(fx, "[node]\nconsolidator = tcp://:7420\n", 2,
		     "consolidator", NULL);
	/* An IPv6 address passed -n and then could not be bound (or was
	 * dialled for ever): the sockets do not enable IPv6. */
	expect_error(fx, "[node]\nconsolidator = tcp://[::1]:7400\n", 2,
		     "consolidator: an IPv6 address",
		     "an IPv4 address or a host name");
}

/*
 * An address the node connects to must name a host: a star for the host
 * (the key holder's listen, copied) passed -n, and libzmq then refused to
 * connect to it (EINVAL), so the node exited 1 at each start, restarted for
 * ever. A listen address keeps its star (test_keyholder).
 */
static void
test_peer_names_a_host(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, "[node]\nkeyholder = tcp://*:7421\n", 2,
		     "keyholder: tcp://*:7421 is no address to connect to",
		     "* is for listen");
	expect_error(fx, "[node]\nkeyholder2 = tcp://-h:7421\n", 2,
		     "keyholder2: tcp://-h:7421 is no address", NULL);
	expect_error(fx, "[node]\nkeyholder3 = tcp://.h:7421\n", 2,
		     "keyholder3: tcp://.h:7421 is no address", NULL);
	expect_error(fx, "[node]\nconsolidator = tcp://*:7420\n", 2,
		     "consolidator: tcp://*:7420 is no address", NULL);
}

static void
test_section(void **state)
{
	struct fixture *fx = *state;
	char out[32];

	assert_int_equal(
	    settings_section(put(fx, "a.conf", node_text), out, sizeof(out)),
	    0);
	assert_string_equal(out, "node");
	assert_int_equal(
	    settings_section(put(fx, "b.conf", "; c\n\n  [consolidator]\n"),
			     out, sizeof(out)),
	    0);
	assert_string_equal(out, "consolidator");
	/* A file a Windows editor saved with a byte order mark. */
	assert_int_equal(settings_section(put(fx, "bom.conf",
					      "\xef\xbb\xbf# n\n[node]\n"),
					  out, sizeof(out)),
			 0);
	assert_string_equal(out, "node");
	assert_int_equal(
	    settings_section(put(fx, "c.conf", "key = x\n"), out, sizeof(out)),
	    -EINVAL);
	assert_int_equal(
	    settings_section(put(fx, "d.conf", ""), out, sizeof(out)), -EINVAL);
	assert_int_equal(
	    settings_section("/nonexistent/kuska.conf", out, sizeof(out)),
	    -ENOENT);
}

/* config_parse_raw passes section, name and value, and stops on error. */
struct raw_seen {
	int n;
	char last[128];
};

static int
raw_fn(void *arg, const char *section, const char *name, const char *value,
       char *why, size_t whylen)
{
	struct raw_seen *s = arg;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s/%s=%s", section, name, value);
	if (strcmp(name, "stop") == 0) {
		snprintf(why, whylen, "stopped here");
		return -EINVAL;
	}
	return 0;
}

static void
test_parse_raw(void **state)
{
	struct fixture *fx = *state;
	struct raw_seen s = {0};
	char err[512], want[PATH_MAX + 64];
	const char *path;

	path = put(fx, "raw.conf",
		   "[a b]\nx = 1\n; comment\n[c]\ny =  two words  \n");
	assert_int_equal(config_parse_raw(path, raw_fn, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.last, "c/y=two words");
	/* A byte order mark opening the file is not a syntax error of line
	 * 1 (inih skips it), whether a comment or a section follows it; a
	 * "#" not after a space is part of a value. */
	memset(&s, 0, sizeof(s));
	path = put(fx, "raw.conf", "\xef\xbb\xbf# n\n[a]\nx = p#1\n");
	assert_int_equal(config_parse_raw(path, raw_fn, &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.last, "a/x=p#1");
	memset(&s, 0, sizeof(s));
	path = put(fx, "raw.conf", "\xef\xbb\xbf[a]\nx = 1\n");
	assert_int_equal(config_parse_raw(path, raw_fn, &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.last, "a/x=1");
	memset(&s, 0, sizeof(s));
	path = put(fx, "raw.conf", "[a]\nx = 1\nstop = now\nz = 3\n");
	assert_int_equal(config_parse_raw(path, raw_fn, &s, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(s.n, 2); /* not called after the failure */
	snprintf(want, sizeof(want), "%s:3: stopped here", path);
	assert_string_equal(err, want);
}

/*
 * A key file's error (config_key_error) names the config file, the key's
 * line and the key, as config_load names a bad value: the key in its
 * section, not a key of that name in another, nor the line a long value
 * goes on over; a key the file does not give (its default in force) is
 * named with no line, and so is a key of a file that cannot be read.
 */
static void
test_key_error(void **state)
{
	struct fixture *fx = *state;
	char err[1024], want[PATH_MAX + 256];
	const char *path;

	path = put(fx, "keys.conf",
		   "# a node\n[other]\nkey = elsewhere\n[node]\n"
		   "institution = pnp\nprevious_keys = a\n  key = b\n"
		   "key = keys/pnp.key\n");
	assert_int_equal(config_key_line(path, "node", "key"), 8);
	assert_int_equal(config_key_line(path, "other", "key"), 3);
	assert_int_equal(config_key_line(path, "node", "ref_key"), 0);
	snprintf(want, sizeof(want),
		 "%s:8: [node] key: keys/pnp.key: Permission denied", path);
	assert_string_equal(config_key_error(path, "node", "key",
					     "keys/pnp.key: Permission denied",
					     err, sizeof(err)),
			    want);
	snprintf(want, sizeof(want), "%s: [node] ref_key: r: gone", path);
	assert_string_equal(config_key_error(path, "node", "ref_key", "r: gone",
					     err, sizeof(err)),
			    want);
	snprintf(want, sizeof(want), "%s/none.conf: [client] key: k: x",
		 fx->dir);
	snprintf(fx->file, sizeof(fx->file), "%s/none.conf", fx->dir);
	assert_string_equal(config_key_error(fx->file, "client", "key", "k: x",
					     err, sizeof(err)),
			    want);
}

/* config_parse_text: every section, key and bad line, with its line,
 * going on past the bad ones. */
struct text_seen {
	int n;
	char all[1024];
};

static void
text_fn(void *arg, const struct config_item *it)
{
	struct text_seen *s = arg;
	size_t used = strlen(s->all);

	s->n++;
	if (it->error != NULL)
		snprintf(s->all + used, sizeof(s->all) - used, "%u!%s|",
			 it->line, it->error);
	else if (it->name == NULL)
		snprintf(s->all + used, sizeof(s->all) - used, "%u[%s]|",
			 it->line, it->section);
	else
		snprintf(s->all + used, sizeof(s->all) - used, "%u%c%s:%s=%s|",
			 it->line, it->continued ? '+' : ' ', it->section,
			 it->name, it->value);
}

/* The example configs' placeholders are told from real host names. */
static void
test_placeholder(void **state)
{
	(void)state;
	assert_true(settings_placeholder("tcp://CONSOLIDATOR_HOST:7400"));
	assert_true(settings_placeholder("tcp://KEYHOLDER_HOST:7402"));
	assert_true(settings_placeholder("tcp://KEYHOLDER2_HOST:7402"));
	assert_true(settings_placeholder("tcp://CONSOLIDATOR_HOST"));
	assert_false(
	    settings_placeholder("tcp://consolidator.mimp.gob.pe:7400"));
	assert_false(settings_placeholder("tcp://10.0.0.5:7400"));
	assert_false(settings_placeholder("tcp://MY_host:7400"));
	assert_false(settings_placeholder("tcp://HOST:7400"));
	assert_false(settings_placeholder("ipc:///run/kuska/pnp.sock"));
	assert_false(settings_placeholder("CONSOLIDATOR_HOST"));
	assert_false(settings_placeholder(""));
}

/* Two endpoints to bind that would take one port twice. */
static void
test_same_port(void **state)
{
	(void)state;
	assert_true(settings_same_port("tcp://*:7400", "tcp://*:7400"));
	assert_true(settings_same_port("tcp://*:7400", "tcp://10.0.0.5:7400"));
	assert_true(settings_same_port("tcp://10.0.0.5:7400", "tcp://*:7400"));
	assert_true(
	    settings_same_port("tcp://0.0.0.0:7400", "tcp://127.0.0.1:7400"));
	assert_true(settings_same_port("tcp://[::]:7400", "tcp://[::1]:7400"));
	assert_true(
	    settings_same_port("tcp://10.0.0.5:7400", "tcp://10.0.0.5:7400"));
	assert_false(settings_same_port("tcp://*:7400", "tcp://*:7401"));
	assert_false(
	    settings_same_port("tcp://10.0.0.5:7400", "tcp://10.0.0.6:7400"));
	assert_false(settings_same_port("ipc:///run/a", "ipc:///run/a"));
	assert_false(settings_same_port("tcp://*", "tcp://*"));
	assert_false(settings_same_port("", ""));
}

static void
test_parse_text(void **state)
{
	static const char text[] = "\xef\xbb\xbf; comment\r\n"
				   "early = 1\n"
				   "[a b]\n"
				   "x = 1 ; trailing comment\n"
				   "no separator\n"
				   "  indented\n"
				   "y: 2\n"
				   "[c] ; fine\n"
				   "[d] junk\n"
				   "z = a;b\n"
				   "\tgoes on ; with a comment\n"
				   "[unclosed\n"
				   "w = x\0y\n"
				   "last = yes";
	struct text_seen s = {0};

	(void)state;
	assert_int_equal(config_parse_text(text, sizeof(text) - 1, text_fn, &s),
			 0);
	assert_string_equal(
	    s.all, "2 :early=1|3[a b]|4 a b:x=1|"
		   "5!syntax error (expected [section] or name = value)|"
		   "6!indented line (a value cannot go on over lines; remove "
		   "the leading spaces)|"
		   "7!syntax error (expected [section] or name = value)|"
		   "8[c]|9!text after [section]|10 c:z=a;b|11+c:z=goes on|"
		   "12!unclosed [section]|13!NUL byte in the line|"
		   "14 c:last=yes|");
	memset(&s, 0, sizeof(s));
	assert_int_equal(config_parse_text("", 0, text_fn, &s), 0);
	assert_int_equal(s.n, 0);
}

/*
 * config_changed names the keys whose values differ, in schema order,
 * but the skipped ones; a name that does not fit is cut, still counted.
 */
static void
test_changed(void **state)
{
	static const char *const skip[] = {"rate_per_day", NULL};
	struct keyholder_config a, b;
	char out[64], tiny[8];

	(void)state;
	memset(&a, 0, sizeof(a));
	memcpy(&b, &a, sizeof(b));
	assert_int_equal(config_changed(&settings_keyholder_schema, &a, &b,
					skip, out, sizeof(out)),
			 0);
	assert_string_equal(out, "");
	b.workers = 4;
	b.rate_per_day = 9;
	strcpy(b.share, "/x/share");
	assert_int_equal(config_changed(&settings_keyholder_schema, &a, &b,
					skip, out, sizeof(out)),
			 2);
	assert_string_equal(out, "share,workers");
	assert_int_equal(config_changed(&settings_keyholder_schema, &a, &b,
					NULL, tiny, sizeof(tiny)),
			 3);
	assert_string_equal(tiny, "share,r");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_node_valid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keyholder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_optional_path, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_relative_to_file, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_consolidator_client_valid,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_required, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_canonical_round_trip, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_long_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_letter_hours, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_error_line_matches_reason,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_endpoint_port_checked, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_peer_names_a_host, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_raw, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_error, setup, teardown),
	    cmocka_unit_test(test_parse_text),
	    cmocka_unit_test(test_placeholder),
	    cmocka_unit_test(test_same_port),
	    cmocka_unit_test(test_changed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
