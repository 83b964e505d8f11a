/* settings.c - the schemas of kuska's config files; see settings.h. */
#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define S(T, m) offsetof(struct T, m), sizeof(((struct T *)0)->m)
#define U(T, m) offsetof(struct T, m), 0

static const struct config_field node_fields[] = {
    {"institution", CONFIG_INSTITUTION, U(node_config, institution), 0, 0,
     NULL},
    {"network", CONFIG_NAME, S(node_config, network), 0, 0, NULL},
    {"key", CONFIG_PATH, S(node_config, key), 0, 0, NULL},
    {"linkage_key", CONFIG_PATH, S(node_config, linkage_key), 0, 0, NULL},
    {"ref_key", CONFIG_PATH, S(node_config, ref_key), 0, 0, NULL},
    {"previous_keys", CONFIG_OPT_PATH, S(node_config, previous_keys), 0, 0, ""},
    {"keyholder", CONFIG_PEER_TCP, S(node_config, keyholder[0]), 0, 0, NULL},
    {"keyholder_key", CONFIG_PATH, S(node_config, keyholder_key[0]), 0, 0,
     NULL},
    {"keyholder2", CONFIG_OPT_PEER_TCP, S(node_config, keyholder[1]), 0, 0, ""},
    {"keyholder2_key", CONFIG_OPT_PATH, S(node_config, keyholder_key[1]), 0, 0,
     ""},
    {"keyholder3", CONFIG_OPT_PEER_TCP, S(node_config, keyholder[2]), 0, 0, ""},
    {"keyholder3_key", CONFIG_OPT_PATH, S(node_config, keyholder_key[2]), 0, 0,
     ""},
    {"keyholder_timeout_s", CONFIG_UINT, U(node_config, keyholder_timeout_s), 1,
     600, "10"},
    {"workers", CONFIG_UINT, U(node_config, workers), 0, 16, "0"},
    {"consolidator", CONFIG_PEER_TCP, S(node_config, consolidator), 0, 0, NULL},
    {"consolidator_key", CONFIG_PATH, S(node_config, consolidator_key), 0, 0,
     NULL},
    {"submit", CONFIG_ENDPOINT_IPC, S(node_config, submit), 0, 0, NULL},
    {"data_dir", CONFIG_PATH, S(node_config, data_dir), 0, 0, NULL},
    {"batch_events", CONFIG_UINT, U(node_config, batch_events), 1, 1024,
     "1024"},
    {"window", CONFIG_UINT, U(node_config, window), 1, 64, "4"},
    {"ack_timeout_s", CONFIG_UINT, U(node_config, ack_timeout_s), 1, 3600,
     "20"},
    {"map_size_mb", CONFIG_UINT, U(node_config, map_size_mb), 1, 1048576,
     "1024"},
    {"alarm_backlog_hours", CONFIG_UINT, U(node_config, alarm_backlog_hours), 1,
     8760, "24"},
    {"alarm_silent_s", CONFIG_UINT, U(node_config, alarm_silent_s), 1, 604800,
     "900"},
    {"alarm_dead_letter_hours", CONFIG_UINT,
     U(node_config, alarm_dead_letter_hours), 0, 8760, "168"},
    {"metrics_file", CONFIG_OPT_PATH, S(node_config, metrics_file), 0, 0, ""},
    {"metrics_interval_s", CONFIG_UINT, U(node_config, metrics_interval_s), 1,
     86400, "60"},
};

static const struct config_field consolidator_fields[] = {
    {"key", CONFIG_PATH, S(consolidator_config, key), 0, 0, NULL},
    {"registry", CONFIG_PATH, S(consolidator_config, registry), 0, 0, NULL},
    {"listen", CONFIG_ENDPOINT_TCP, S(consolidator_config, listen), 0, 0, NULL},
    {"query_listen", CONFIG_ENDPOINT_TCP, S(consolidator_config, query_listen),
     0, 0, NULL},
    {"control", CONFIG_ENDPOINT_IPC, S(consolidator_config, control), 0, 0,
     NULL},
    {"data_dir", CONFIG_PATH, S(consolidator_config, data_dir), 0, 0, NULL},
    {"map_size_mb", CONFIG_UINT, U(consolidator_config, map_size_mb), 1,
     1048576, "1024"},
    {"max_map_size_mb", CONFIG_UINT, U(consolidator_config, max_map_size_mb), 1,
     16777216, "65536"},
    {"k", CONFIG_UINT, U(consolidator_config, k), 2, 1000, "10"},
    {"alarm_silent_hours", CONFIG_UINT,
     U(consolidator_config, alarm_silent_hours), 1, 8760, "72"},
    {"max_connections", CONFIG_UINT, U(consolidator_config, max_connections), 1,
     100000, "256"},
    {"max_connections_per_key", CONFIG_UINT,
     U(consolidator_config, max_connections_per_key), 1, 100000, "16"},
    {"max_pending", CONFIG_UINT, U(consolidator_config, max_pending), 1, 100000,
     "256"},
    {"max_pending_per_address", CONFIG_UINT,
     U(consolidator_config, max_pending_per_address), 1, 100000, "32"},
    {"metrics_file", CONFIG_OPT_PATH, S(consolidator_config, metrics_file), 0,
     0, ""},
    {"metrics_interval_s", CONFIG_UINT,
     U(consolidator_config, metrics_interval_s), 1, 86400, "60"},
    {"indicators", CONFIG_OPT_PATH, S(consolidator_config, indicators), 0, 0,
     ""},
    {"population", CONFIG_OPT_PATH, S(consolidator_config, population), 0, 0,
     ""},
    {"workers", CONFIG_UINT, U(consolidator_config, workers), 0, 16, "0"},
    {"prepare_quiet_s", CONFIG_UINT, U(consolidator_config, prepare_quiet_s), 0,
     3600, "5"},
    {"diverged_quiet_s", CONFIG_UINT, U(consolidator_config, diverged_quiet_s),
     1, 3600, "120"},
    {"max_victim_records", CONFIG_UINT,
     U(consolidator_config, max_victim_records), 2, 1000000, "1000"},
    {"max_case_records", CONFIG_UINT, U(consolidator_config, max_case_records),
     1, 1000000, "200"},
};

static const struct config_field keyholder_fields[] = {
    {"key", CONFIG_PATH, S(keyholder_config, key), 0, 0, NULL},
    {"share", CONFIG_PATH, S(keyholder_config, share), 0, 0, NULL},
    {"registry", CONFIG_PATH, S(keyholder_config, registry), 0, 0, NULL},
    {"listen", CONFIG_ENDPOINT_TCP, S(keyholder_config, listen), 0, 0, NULL},
    {"control", CONFIG_ENDPOINT_IPC, S(keyholder_config, control), 0, 0, NULL},
    {"rate_per_day", CONFIG_UINT, U(keyholder_config, rate_per_day), 1,
     100000000, "300000"},
    {"max_batch", CONFIG_UINT, U(keyholder_config, max_batch),
     SETTINGS_MIN_MAX_BATCH, 65536, "65536"},
    {"workers", CONFIG_UINT, U(keyholder_config, workers), 0, 16, "0"},
    {"max_connections", CONFIG_UINT, U(keyholder_config, max_connections), 1,
     100000, "256"},
    {"max_connections_per_key", CONFIG_UINT,
     U(keyholder_config, max_connections_per_key), 1, 100000, "16"},
    {"max_pending", CONFIG_UINT, U(keyholder_config, max_pending), 1, 100000,
     "256"},
    {"max_pending_per_address", CONFIG_UINT,
     U(keyholder_config, max_pending_per_address), 1, 100000, "32"},
    {"metrics_file", CONFIG_OPT_PATH, S(keyholder_config, metrics_file), 0, 0,
     ""},
    {"metrics_interval_s", CONFIG_UINT, U(keyholder_config, metrics_interval_s),
     1, 86400, "60"},
    {"accounts", CONFIG_OPT_PATH, S(keyholder_config, accounts), 0, 0, ""},
};

static const struct config_field client_fields[] = {
    {"key", CONFIG_PATH, S(client_config, key), 0, 0, NULL},
    {"consolidator", CONFIG_PEER_TCP, S(client_config, consolidator), 0, 0,
     NULL},
    {"consolidator_key", CONFIG_PATH, S(client_config, consolidator_key), 0, 0,
     NULL},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct config_schema settings_node_schema = {"node", node_fields,
						   N(node_fields)};
const struct config_schema settings_consolidator_schema = {
    "consolidator", consolidator_fields, N(consolidator_fields)};
const struct config_schema settings_client_schema = {"client", client_fields,
						     N(client_fields)};
const struct config_schema settings_keyholder_schema = {
    "keyholder", keyholder_fields, N(keyholder_fields)};

int
settings_section(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int r = -EINVAL;
	bool first = true;

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *end;
		/* A UTF-8 byte order mark opening the file (config.c). */
		if (first && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		first = false;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == ';' || *p == '\n' || *p == '\0')
			continue;
		if (*p != '[' || (end = strchr(p, ']')) == NULL)
			break;
		snprintf(out, cap, "%.*s", (int)(end - p - 1), p + 1);
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

void
settings_wrong_kind(const char *path, const char *section,
		    const char *wanted, char *out, size_t cap)
{
	snprintf(out, cap, "%s: a [%s] file; give %s", path, section, wanted);
}

bool
settings_placeholder(const char *endpoint)
{
	const char *host = strstr(endpoint, "://"), *end, *c;

	if (host == NULL)
		return false;
	host += 3;
	end = strchr(host, ':');
	if (end == NULL)
		end = host + strlen(host);
	if (end - host < 5 || memcmp(end - 5, "_HOST", 5) != 0)
		return false;
	for (c = host; c < end; c++)
		if (!(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') &&
		    *c != '_')
			return false;
	return true;
}

/* Splits tcp://HOST:PORT into host (hostlen bytes) and port; false if
 * endpoint is no such thing. */
static bool
split_tcp(const char *endpoint, const char **host, size_t *hostlen,
	  const char **port)
{
	const char *colon;

	if (strncmp(endpoint, "tcp://", 6) != 0)
		return false;
	colon = strrchr(endpoint + 6, ':');
	if (colon == NULL || colon[1] == '\0')
		return false;
	*host = endpoint + 6;
	*hostlen = (size_t)(colon - *host);
	*port = colon + 1;
	return true;
}

static bool
wildcard(const char *host, size_t len)
{
	static const char *const any[] = {"*", "0.0.0.0", "[::]", "::"};
	size_t i;

	for (i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		if (strlen(any[i]) == len && memcmp(host, any[i], len) == 0)
			return true;
	return false;
}

bool
settings_same_port(const char *a, const char *b)
{
	const char *ha, *hb, *pa, *pb;
	size_t la, lb;

	if (!split_tcp(a, &ha, &la, &pa) || !split_tcp(b, &hb, &lb, &pb) ||
	    strcmp(pa, pb) != 0)
		return false;
	return wildcard(ha, la) || wildcard(hb, lb) ||
	       (la == lb && memcmp(ha, hb, la) == 0);
}
