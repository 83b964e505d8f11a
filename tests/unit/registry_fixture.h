/*
 * registry_fixture.h - a registry of a few institutions, one signing and
 * transport key each, written to DIR/registry.conf and loaded, for the
 * unit tests that feed the consolidator's ingest (test_ingest.c,
 * test_pipeline.c).
 */
#ifndef KUSKA_REGISTRY_FIXTURE_H
#define KUSKA_REGISTRY_FIXTURE_H

#include <stdio.h>
#include <unistd.h>

#include "keys.h"
#include "registry.h"

/* One institution of the fixture: its id, its kinds, its only key. */
struct fixture_party {
	const char *id; /* "pnp"; its key is named "pnp-1" */
	const char *kinds;
	const struct secret_key *key;
};

/*
 * fixture_registry - writes DIR/registry.conf (network test-net) with the
 * n parties and loads it into *ret. Returns 0 or -1.
 */
static int __attribute__((unused))
fixture_registry(const char *dir, const struct fixture_party *parties,
		 size_t n, struct registry **ret)
{
	char path[128], spk[64], cpk[64], err[512];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/registry.conf", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "[network test-net]\n");
	for (i = 0; i < n; i++) {
		const struct fixture_party *p = &parties[i];
		keys_b64(p->key->sign_pk, SIGN_PK_LEN, spk, sizeof(spk));
		keys_b64(p->key->curve_pk, CURVE_KEY_LEN, cpk, sizeof(cpk));
		fprintf(f,
			"[institution %s]\nkinds = %s\n[key %s-1]\nowner = %s\n"
			"sign_public = %s\ntransport_public = %s\n",
			p->id, p->kinds, p->id, p->id, spk, cpk);
	}
	if (fclose(f) != 0)
		return -1;
	return registry_load(path, ret, err, sizeof(err)) == 0 ? 0 : -1;
}

/* fixture_registry_remove - removes what fixture_registry wrote, and dir. */
static void __attribute__((unused))
fixture_registry_remove(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/registry.conf", dir);
	unlink(path);
	rmdir(dir);
}

#endif
