/*
 * demo.c - kuska demo init: a whole kuska network on 127.0.0.1 in one
 * directory: keys, the registry, and working configs for the
 * consolidator, the key holder, the five institution nodes and seven
 * query clients: the secretariat, the analysts and each institution's
 * statistics officers (ID-stats, with a key apart from the node's, which
 * cannot query), and the example indicators kuska ships
 * (indicators.conf), so that the demo's report opens with them. Ports:
 * BASE (nodes to the consolidator), BASE+1 (queries), BASE+2 (nodes to
 * the key holder).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "demo_indicators.h"
#include "event.h"
#include "keys.h"

/* The demo's network name: its registry's [network] and nodes' network. */
#define DEMO_NETWORK "kuska-demo"

static const char *const parties[] = {
    "consolidator", "pnp",	   "mp",	  "pj",	       "mimp",
    "minsa",	    "secretariat", "analyst",	  "pnp-stats", "mp-stats",
    "pj-stats",	    "mimp-stats",  "minsa-stats", "keyholder"};

/* parties[QUERY_FIRST..QUERY_END): the query clients, each with a config;
 * the key holder comes last. */
#define QUERY_FIRST 6
#define QUERY_END (sizeof(parties) / sizeof(parties[0]) - 1)

/* The kinds and stages of DESIGN.md, written out so they can be edited. */
static const struct {
	const char *id, *kinds, *stages;
} grants[] = {
    {"pnp", "identification referral case_stage correction withdrawal",
     "complaint preliminary_investigation"},
    {"mp",
     "identification referral referral_received case_stage correction "
     "withdrawal",
     "complaint preliminary_investigation formalized_investigation "
     "accusation dismissal"},
    {"pj", "referral_received case_stage correction withdrawal",
     "trial conviction acquittal dismissal"},
    {"mimp",
     "identification referral referral_received service correction "
     "withdrawal",
     ""},
    {"minsa",
     "identification referral referral_received service correction "
     "withdrawal",
     ""},
};

/* Writes DIR/NAME, which must not exist, with the text head then body. */
static int
write_parts(const char *dir, const char *name, const char *head,
	    const char *body)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wx");
	if (f == NULL) {
		fprintf(stderr, "kuska demo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fputs(head, f) != EOF && fputs(body, f) != EOF;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "kuska demo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	return write_parts(dir, name, text, "");
}

/* indicators.conf: the example indicators kuska ships, which the
 * consolidator's config names, so that kuska report on the demo opens
 * with the key indicators the Commission asked for. */
static int
write_indicators(const char *dir)
{
	return write_parts(
	    dir, "indicators.conf",
	    "; The demo network's indicators: written by kuska demo init, a "
	    "copy of the\n; example indicators kuska ships "
	    "(config/indicators.conf, installed as\n; "
	    "/etc/kuska/indicators.conf). Its consolidator.conf names it "
	    "(indicators =\n; indicators.conf). Their baselines and targets "
	    "are examples, as below: not\n; official figures.\n;\n",
	    demo_indicators_conf);
}

static int
write_registry(const char *dir)
{
	char buf[8192];
	size_t i, o = 0;

	o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			      "# kuska registry of the demo network: who may "
			      "speak, with which keys,\n# and what each "
			      "institution may emit.\n[network %s]\n",
			      DEMO_NETWORK);
	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      "[institution %s]\nkinds = %s\n",
				      grants[i].id, grants[i].kinds);
		if (grants[i].stages[0] != '\0')
			o +=
			    (size_t)snprintf(buf + o, sizeof(buf) - o,
					     "stages = %s\n", grants[i].stages);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      "\n[key %s-1]\nowner = %s\n"
				      "public_key = keys/%s.pub\n\n",
				      grants[i].id, grants[i].id, grants[i].id);
	}
	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++)
		o += (size_t)snprintf(
		    buf + o, sizeof(buf) - o,
		    "# %s's statistics officers: its own tables, with a key "
		    "apart from the node's\n"
		    "[client %s-stats]\nrole = institution\ninstitution = "
		    "%s\n\n"
		    "[key %s-stats-1]\nowner = %s-stats\n"
		    "public_key = keys/%s-stats.pub\n\n",
		    grants[i].id, grants[i].id, grants[i].id, grants[i].id,
		    grants[i].id, grants[i].id);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			      "[client secretariat]\nrole = secretariat\n\n"
			      "[key secretariat-1]\nowner = secretariat\n"
			      "public_key = keys/secretariat.pub\n\n"
			      "[client analyst]\nrole = analyst\n\n"
			      "[key analyst-1]\nowner = analyst\n"
			      "public_key = keys/analyst.pub\n");
	return write_file(dir, "registry.conf", buf);
}

static int
write_configs(const char *dir, unsigned port)
{
	char buf[4096];
	size_t i;

	snprintf(buf, sizeof(buf),
		 "# kuska-consolidator of the demo network\n"
		 "[consolidator]\n"
		 "key = keys/consolidator.key\n"
		 "registry = registry.conf\n"
		 "listen = tcp://127.0.0.1:%u\n"
		 "query_listen = tcp://127.0.0.1:%u\n"
		 "control = ipc://run/consolidator.sock\n"
		 "data_dir = data/consolidator\n"
		 "# The Commission's outcome indicators (kuska query "
		 "indicators, the key\n# indicators kuska report opens with): "
		 "the examples kuska ships, their\n# baselines and targets "
		 "not official\n"
		 "indicators = indicators.conf\n",
		 port, port + 1);
	if (write_file(dir, "consolidator.conf", buf) != 0)
		return -1;
	snprintf(buf, sizeof(buf),
		 "# kuska-keyholder of the demo network (one holder: its "
		 "share is the whole\n# OPRF key)\n"
		 "[keyholder]\n"
		 "key = keys/keyholder.key\n"
		 "share = keys/keyholder.share\n"
		 "registry = registry.conf\n"
		 "listen = tcp://127.0.0.1:%u\n"
		 "control = ipc://run/keyholder.sock\n"
		 "accounts = data/keyholder.accounts\n",
		 port + 2);
	if (write_file(dir, "keyholder.conf", buf) != 0)
		return -1;
	for (i = 1; i <= INST_COUNT; i++) {
		const char *id = institution_name((enum institution)i);
		char name[64];
		snprintf(buf, sizeof(buf),
			 "# kuska-node of %s in the demo network\n"
			 "[node]\n"
			 "institution = %s\n"
			 "key = keys/%s.key\n"
			 "linkage_key = keys/linkage.key\n"
			 "consolidator = tcp://127.0.0.1:%u\n"
			 "consolidator_key = keys/consolidator.pub\n"
			 "submit = ipc://run/%s.sock\n"
			 "data_dir = data/%s\n"
			 "network = %s\n"
			 "ref_key = keys/%s-ref.key\n"
			 "keyholder = tcp://127.0.0.1:%u\n"
			 "keyholder_key = keys/keyholder.pub\n",
			 id, id, id, port, id, id, DEMO_NETWORK, id, port + 2);
		snprintf(name, sizeof(name), "%s.conf", id);
		if (write_file(dir, name, buf) != 0)
			return -1;
	}
	for (i = QUERY_FIRST; i < QUERY_END; i++) {
		char name[64];
		snprintf(buf, sizeof(buf),
			 "# kuska query client \"%s\" of the demo network\n"
			 "[client]\n"
			 "key = keys/%s.key\n"
			 "consolidator = tcp://127.0.0.1:%u\n"
			 "consolidator_key = keys/consolidator.pub\n",
			 parties[i], parties[i], port + 1);
		snprintf(name, sizeof(name), "%s.conf", parties[i]);
		if (write_file(dir, name, buf) != 0)
			return -1;
	}
	return 0;
}

static int
mkdirs(const char *dir)
{
	static const char *const subs[] = {"", "/keys", "/data", "/run"};
	char path[4096];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, subs[i]);
		if (mkdir(path, 0700) != 0 && !(i == 0 && errno == EEXIST)) {
			fprintf(stderr, "kuska demo: %s: %s\n", path,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
demo_init(const char *dir, unsigned port)
{
	char keys[1024], path[4096];
	size_t i;
	int r;

	if (strlen(dir) > 60) {
		fprintf(stderr,
			"kuska demo: %s: keep the directory path under "
			"60 characters (ipc socket paths are short)\n",
			dir);
		return 2;
	}
	if (mkdirs(dir) != 0)
		return 1;
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	for (i = 0; i < sizeof(parties) / sizeof(parties[0]); i++) {
		struct secret_key *k = NULL;
		r = keys_generate(parties[i], &k);
		if (r == 0)
			r = keys_write(k, keys, parties[i]);
		keys_free(&k);
		if (r != 0) {
			fprintf(stderr, "kuska demo: %s/%s.key: %s\n", keys,
				parties[i], strerror(-r));
			return 1;
		}
	}
	for (i = 0; i <= INST_COUNT + 1; i++) {
		enum key32_kind kind = KEY32_REF;
		if (i == 0) {
			kind = KEY32_LINKAGE;
			snprintf(path, sizeof(path), "%s/linkage.key", keys);
		} else if (i == INST_COUNT + 1) {
			kind = KEY32_OPRF_SHARE;
			snprintf(path, sizeof(path), "%s/keyholder.share",
				 keys);
		} else {
			snprintf(path, sizeof(path), "%s/%s-ref.key", keys,
				 institution_name((enum institution)i));
		}
		r = keys_key32_write(path, kind, 1);
		if (r != 0) {
			fprintf(stderr, "kuska demo: %s: %s\n", path,
				strerror(-r));
			return 1;
		}
	}
	if (write_registry(dir) != 0 || write_configs(dir, port) != 0 ||
	    write_indicators(dir) != 0)
		return 1;
	printf("demo network in %s: consolidator on 127.0.0.1:%u (queries "
	       "%u), key holder on %u\n"
	       "  kuska-consolidator -c %s/consolidator.conf\n"
	       "  kuska-keyholder -c %s/keyholder.conf\n"
	       "  kuska-node -c %s/pnp.conf   (and mp, pj, mimp, minsa)\n",
	       dir, port, port + 1, port + 2, dir, dir, dir);
	return 0;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long port = 7400;
	char *end;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		if (ch != 'p')
			goto usage;
		port = strtoul(optarg, &end, 10);
		if (*end != '\0' || port < 1024 || port > 65533)
			goto usage;
	}
	if (optind + 2 != argc || strcmp(argv[optind], "init") != 0)
		goto usage;
	return demo_init(argv[optind + 1], (unsigned)port);
usage:
	fprintf(stderr, "usage: kuska demo init DIR [--port BASE]   (BASE "
			"1024-65533, default 7400; BASE+1 and BASE+2 are "
			"used too)\n");
	return 2;
}
