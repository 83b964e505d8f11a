/*
 * test_holders.c - holders_new's errors name the config's file, line and
 * key: a key holder's public key file read again at connect time (gone
 * since the start's check, say) is named as the start names it,
 * "FILE:LINE: [node] keyholder2_key: ...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "holders.h"
#include "keys.h"
#include "transport.h"

/* holders_new's error for cfg read from the file conf (keyholder_key's
 * file missing), written into err. */
static void
holders_error(const struct node_config *cfg, const char *conf, char *err,
	      size_t errlen)
{
	struct secret_key *key = NULL;
	struct transport *t;

	assert_int_equal(keys_init(), 0);
	assert_int_equal(keys_generate("node", &key), 0);
	t = transport_new();
	assert_non_null(t);
	err[0] = '\0';
	assert_null(holders_new(t, cfg, conf, key, err, errlen));
	transport_free(&t);
	keys_free(&key);
}

static void
test_missing_key_names_config_line(void **state)
{
	struct node_config *cfg;
	char dir[64], conf[128], want[256], err[1024];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-holders-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/node.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"[node]\n"
		"keyholder = tcp://127.0.0.1:1\n"
		"keyholder_key = %s/kh1.pub\n"
		"\n"
		"keyholder2 = tcp://127.0.0.1:2\n"
		"keyholder2_key = %s/kh2.pub\n",
		dir, dir);
	assert_int_equal(fclose(f), 0);
	cfg = calloc(1, sizeof(*cfg));
	assert_non_null(cfg);
	cfg->keyholder_timeout_s = 1;

	/* The second holder alone: keyholder2_key, line 6. */
	snprintf(cfg->keyholder[1], sizeof(cfg->keyholder[1]),
		 "tcp://127.0.0.1:2");
	snprintf(cfg->keyholder_key[1], sizeof(cfg->keyholder_key[1]),
		 "%s/kh2.pub", dir);
	holders_error(cfg, conf, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:6: [node] keyholder2_key: ", conf);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "kh2.pub"));

	/* The first: keyholder_key (no "1"), line 3. */
	snprintf(cfg->keyholder[0], sizeof(cfg->keyholder[0]),
		 "tcp://127.0.0.1:1");
	snprintf(cfg->keyholder_key[0], sizeof(cfg->keyholder_key[0]),
		 "%s/kh1.pub", dir);
	holders_error(cfg, conf, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:3: [node] keyholder_key: ", conf);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "kh1.pub"));

	free(cfg);
	unlink(conf);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_key_names_config_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
