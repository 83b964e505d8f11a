/*
 * fuzz_config.c - the INI readers on arbitrary bytes, written to a file
 * in a temporary directory: config_load() with each of the three schemas
 * of settings.h (node, consolidator, client), registry_load() and
 * settings_section().
 *
 * Invariants (abort() when broken): every refusal carries a message; a
 * config that loads prints (config_print) in a form that loads again and
 * prints the same, as `-n` promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"
#include "registry.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_dir[64];
static char in_path[128], out_path[128];

static void
cleanup(void)
{
	unlink(in_path);
	unlink(out_path);
	if (tmp_dir[0] != '\0')
		rmdir(tmp_dir);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	/* A registry's public_key = FILE reads a key file (sodium_malloc). */
	if (keys_init() != 0)
		abort();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/kuska-fuzz-XXXXXX",
		 t != NULL && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		tmp_dir[0] = '\0';
		abort();
	}
	atexit(cleanup);
	snprintf(in_path, sizeof(in_path), "%s/kuska.conf", tmp_dir);
	snprintf(out_path, sizeof(out_path), "%s/printed.conf", tmp_dir);
}

static void
write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0)
		abort();
}

/* Prints cfg into a malloc'd string (the caller frees). */
static char *
print_config(const struct config_schema *schema, const void *cfg,
	     size_t *ret_len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, ret_len);

	if (f == NULL)
		abort();
	config_print(f, schema, cfg);
	if (fclose(f) != 0)
		abort();
	return buf;
}

/*
 * Loads the input with schema into cfg; when it loads, its printed form
 * must load into cfg2 and print the same.
 */
static void
try_schema(const struct config_schema *schema, void *cfg, void *cfg2,
	   size_t cfg_size)
{
	char err[1024], *p1, *p2;
	size_t l1, l2;

	memset(cfg, 0, cfg_size);
	err[0] = '\0';
	if (config_load(in_path, schema, cfg, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	p1 = print_config(schema, cfg, &l1);
	write_file(out_path, (const uint8_t *)p1, l1);
	memset(cfg2, 0, cfg_size);
	if (config_load(out_path, schema, cfg2, err, sizeof(err)) != 0) {
		fprintf(stderr, "printed [%s] does not load again: %s\n%s",
			schema->section, err, p1);
		abort();
	}
	p2 = print_config(schema, cfg2, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "printed [%s] prints differently:\n%s---\n%s",
			schema->section, p1, p2);
		abort();
	}
	free(p1);
	free(p2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct node_config n1, n2;
	static struct consolidator_config c1, c2;
	static struct client_config k1, k2;
	struct registry *reg = NULL;
	char err[1024], section[64];

	if (tmp_dir[0] == '\0')
		setup();
	write_file(in_path, data, size);
	try_schema(&settings_node_schema, &n1, &n2, sizeof(n1));
	try_schema(&settings_consolidator_schema, &c1, &c2, sizeof(c1));
	try_schema(&settings_client_schema, &k1, &k2, sizeof(k1));
	err[0] = '\0';
	if (registry_load(in_path, &reg, err, sizeof(err)) == 0)
		registry_free(&reg);
	else if (err[0] == '\0')
		abort();
	if (settings_section(in_path, section, sizeof(section)) == 0 &&
	    memchr(section, '\0', sizeof(section)) == NULL)
		abort();
	return 0;
}
