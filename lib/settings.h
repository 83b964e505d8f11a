/*
 * settings.h - kuska's configuration files: a node's, the consolidator's,
 * a key holder's and a query client's. Every key is documented in
 * docs/kuska.conf.5.
 */
#ifndef KUSKA_SETTINGS_H
#define KUSKA_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

#define SETTINGS_PATH_MAX 512

#define SETTINGS_MAX_KEYHOLDERS 3

/* The least max_batch a key holder may take: a node refuses a lower
 * bound told, since the least any holder tells sizes its requests to
 * every holder, and each request spends 2 check elements. */
#define SETTINGS_MIN_MAX_BATCH 64

struct node_config {
	int institution;		     /* enum institution */
	char network[32];		     /* the registry's network */
	char key[SETTINGS_PATH_MAX];	     /* secret key file */
	char linkage_key[SETTINGS_PATH_MAX]; /* linkage key file */
	char ref_key[SETTINGS_PATH_MAX];     /* this node's ref key file */
	/* "" or a directory of the .pub files of this node's earlier
	 * signing keys (--recover checks what they signed) */
	char previous_keys[SETTINGS_PATH_MAX];
	/* The key holders: endpoint and .pub file; [0] required, the
	 * others "" when unset. */
	char keyholder[SETTINGS_MAX_KEYHOLDERS][SETTINGS_PATH_MAX];
	char keyholder_key[SETTINGS_MAX_KEYHOLDERS][SETTINGS_PATH_MAX];
	unsigned long keyholder_timeout_s;
	unsigned long workers; /* threads for blinding; 0: every CPU */
	char consolidator[SETTINGS_PATH_MAX];	  /* tcp:// endpoint */
	char consolidator_key[SETTINGS_PATH_MAX]; /* its .pub file */
	char submit[SETTINGS_PATH_MAX];		  /* ipc:// endpoint */
	char data_dir[SETTINGS_PATH_MAX];
	unsigned long batch_events;  /* envelopes per batch */
	unsigned long window;	     /* unacknowledged batches in flight */
	unsigned long ack_timeout_s; /* resend after this long unanswered */
	unsigned long map_size_mb;   /* LMDB map size */
	unsigned long alarm_backlog_hours;
	unsigned long alarm_silent_s;	      /* the consolidator unanswering */
	/* A dead letter refused less than this long ago needs attention;
	 * 0: any dead letter held, whatever its age. */
	unsigned long alarm_dead_letter_hours;
	char metrics_file[SETTINGS_PATH_MAX]; /* "" or a .prom file */
	unsigned long metrics_interval_s;
};

struct consolidator_config {
	char key[SETTINGS_PATH_MAX];
	char registry[SETTINGS_PATH_MAX];
	char listen[SETTINGS_PATH_MAX];	      /* tcp://, nodes */
	char query_listen[SETTINGS_PATH_MAX]; /* tcp://, query clients */
	char control[SETTINGS_PATH_MAX];      /* ipc://, local status */
	char data_dir[SETTINGS_PATH_MAX];
	unsigned long map_size_mb;
	unsigned long max_map_size_mb;
	unsigned long k; /* disclosure threshold */
	unsigned long alarm_silent_hours;
	unsigned long max_connections;	       /* peers that spoke */
	unsigned long max_connections_per_key; /* ... with one key */
	unsigned long max_pending;	       /* anonymous connections */
	unsigned long max_pending_per_address; /* ... from one address */
	char metrics_file[SETTINGS_PATH_MAX];
	unsigned long metrics_interval_s;
	char indicators[SETTINGS_PATH_MAX]; /* "" or the indicator file */
	char population[SETTINGS_PATH_MAX]; /* "" or the population file */
	unsigned long workers; /* threads verifying ingest; 0: every CPU */
	/* Ingest quiet this long: the secretariat's releases of the years
	 * it changed are made (0: never before it asks). */
	unsigned long prepare_quiet_s;
	/* No hello said an institution's outbox diverged for this long:
	 * a proof of being in step clears its mark (past
	 * SETTINGS_DIVERGED_HELLO_S, or a live clone of its key can). */
	unsigned long diverged_quiet_s;
	/* What one child may cost: the records of her plain component (an
	 * institution's own at most half); and one referral or case: the
	 * facts of one institution. Refused past them (TOO_LARGE). */
	unsigned long max_victim_records;
	unsigned long max_case_records;
};

/* A node whose outbox diverged says so in a hello this often (seconds);
 * the consolidator's diverged_quiet_s must exceed it. */
#define SETTINGS_DIVERGED_HELLO_S 60

struct keyholder_config {
	char key[SETTINGS_PATH_MAX];	  /* its transport key pair */
	char share[SETTINGS_PATH_MAX];	  /* its OPRF key share file */
	char registry[SETTINGS_PATH_MAX]; /* which node keys it admits */
	char listen[SETTINGS_PATH_MAX];	  /* tcp://, nodes */
	char control[SETTINGS_PATH_MAX];  /* ipc://, local status */
	unsigned long rate_per_day;	  /* evaluations per node per day */
	unsigned long max_batch;	  /* elements in one request */
	unsigned long workers;		  /* threads; 0: every CPU */
	unsigned long max_connections;	       /* peers that spoke */
	unsigned long max_connections_per_key; /* ... with one key */
	unsigned long max_pending;	       /* anonymous connections */
	unsigned long max_pending_per_address; /* ... from one address */
	char metrics_file[SETTINGS_PATH_MAX];
	unsigned long metrics_interval_s;
	char accounts[SETTINGS_PATH_MAX]; /* allowances kept; "": none */
};

struct client_config {
	char key[SETTINGS_PATH_MAX];
	char consolidator[SETTINGS_PATH_MAX]; /* tcp:// query endpoint */
	char consolidator_key[SETTINGS_PATH_MAX];
};

extern const struct config_schema settings_node_schema;
extern const struct config_schema settings_consolidator_schema;
extern const struct config_schema settings_client_schema;
extern const struct config_schema settings_keyholder_schema;

/*
 * settings_section - the section name of the first [section] line of a
 * config file ("node", "consolidator", "client") into out; lets `kuska
 * status -c FILE` tell which kind of file it was given. Returns 0 or
 * -EINVAL/-errno.
 */
int settings_section(const char *path, char *out, size_t cap);

/*
 * settings_wrong_kind - the sentence for a config of another kind than a
 * command takes (a node's given to kuska query): "PATH: a [SECTION] file;
 * give WANTED", into out, so that every command says it alike.
 */
void settings_wrong_kind(const char *path, const char *section,
			 const char *wanted, char *out, size_t cap);

/*
 * settings_placeholder - whether endpoint's host is a placeholder of the
 * example configs left as shipped: capitals, digits and underscores ending in
 * _HOST (CONSOLIDATOR_HOST, KEYHOLDER_HOST), which no resolver answers.
 */
bool settings_placeholder(const char *endpoint);

/*
 * settings_same_port - whether binding the tcp://HOST:PORT endpoints a
 * and b would take one port twice: the same port, and the same host or
 * either host a wildcard (*, 0.0.0.0; [::] too, though the config
 * refuses IPv6 hosts). Anything else is false.
 */
bool settings_same_port(const char *a, const char *b);

#endif
