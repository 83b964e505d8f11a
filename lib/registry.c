/*
 * registry.c - the consolidator's registry: its defaults and lookups
 * (registry_load.c reads the file); see registry.h.
 */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

uint32_t
registry_default_kinds(enum institution inst)
{
	uint32_t any = 1u << KIND_CORRECTION | 1u << KIND_WITHDRAWAL;

	switch (inst) {
	case INST_PNP:
		return any | 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
		       1u << KIND_CASE_STAGE;
	case INST_MP:
		return any | 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
		       1u << KIND_REFERRAL_RECEIVED | 1u << KIND_CASE_STAGE;
	case INST_PJ:
		return any | 1u << KIND_REFERRAL_RECEIVED |
		       1u << KIND_CASE_STAGE;
	case INST_MIMP:
	case INST_MINSA:
		return any | 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
		       1u << KIND_REFERRAL_RECEIVED | 1u << KIND_SERVICE;
	default:
		return 0;
	}
}

uint32_t
registry_default_stages(enum institution inst)
{
	switch (inst) {
	case INST_PNP:
		return 1u << STAGE_COMPLAINT |
		       1u << STAGE_PRELIMINARY_INVESTIGATION;
	case INST_MP:
		return 1u << STAGE_COMPLAINT |
		       1u << STAGE_PRELIMINARY_INVESTIGATION |
		       1u << STAGE_FORMALIZED_INVESTIGATION |
		       1u << STAGE_ACCUSATION | 1u << STAGE_DISMISSAL;
	case INST_PJ:
		return 1u << STAGE_TRIAL | 1u << STAGE_CONVICTION |
		       1u << STAGE_ACQUITTAL | 1u << STAGE_DISMISSAL;
	default:
		return 0;
	}
}

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_INSTITUTION:
		return "institution";
	case ROLE_SECRETARIAT:
		return "secretariat";
	case ROLE_ANALYST:
		return "analyst";
	default:
		return "none";
	}
}

void
registry_free(struct registry **r)
{
	if (r == NULL || *r == NULL)
		return;
	free(*r);
	*r = NULL;
}

const struct reg_party *
registry_party(const struct registry *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n_parties; i++)
		if (strcmp(r->parties[i].id, id) == 0)
			return &r->parties[i];
	return NULL;
}

const struct reg_party *
registry_institution(const struct registry *r, enum institution inst)
{
	size_t i;

	for (i = 0; i < r->n_parties; i++)
		if (r->parties[i].node && r->parties[i].inst == inst)
			return &r->parties[i];
	return NULL;
}

/* Whether inst has a node with a key (a section cut off before its key
 * leaves the party without one). */
static bool
has_node(const struct registry *r, enum institution inst)
{
	const struct reg_party *p = registry_institution(r, inst);
	size_t i;

	for (i = 0; p != NULL && i < r->n_keys; i++)
		if (r->keys[i].owner == p)
			return true;
	return false;
}

/* Appends the institutions that have (or lack) a node to out. */
static size_t
nodes_list(const struct registry *r, bool have, char *out, size_t cap,
	   size_t len)
{
	int i, n = 0;

	for (i = 1; i <= INST_COUNT; i++) {
		if (has_node(r, (enum institution)i) != have)
			continue;
		if (len < cap)
			len += (size_t)snprintf(
			    out + len, cap - len, "%s%s", n++ > 0 ? ", " : "",
			    institution_name((enum institution)i));
	}
	return len;
}

const char *
registry_nodes_text(const struct registry *r, char *out, size_t cap)
{
	size_t len, i, have = 0;

	if (cap == 0)
		return out;
	out[0] = '\0';
	for (i = 1; i <= INST_COUNT; i++)
		have += has_node(r, (enum institution)i);
	if (have == INST_COUNT) {
		snprintf(out, cap, "nodes of all %d institutions", INST_COUNT);
		return out;
	}
	if (have == 0) {
		snprintf(out, cap, "no node of any institution");
		return out;
	}
	len = (size_t)snprintf(out, cap, "nodes of ");
	len = nodes_list(r, true, out, cap, len);
	if (len < cap)
		len += (size_t)snprintf(out + len, cap - len, "; none of ");
	(void)nodes_list(r, false, out, cap, len);
	return out;
}

bool
registry_key_valid_at(const struct reg_key *k, uint64_t ms)
{
	return ms >= k->valid_from_ms && ms < k->valid_until_ms &&
	       ms < k->revoked_ms;
}

bool
registry_key_admits(const struct reg_key *k, uint64_t now_ms)
{
	return registry_key_valid_at(k, now_ms) &&
	       k->revoked_after_seq == UINT64_MAX;
}

bool
registry_key_signs(const struct reg_key *k, uint64_t created_ms, uint64_t seq)
{
	/* Revoked after a sequence: the revocation time is for the record.
	 * It is when the key may have been taken, often before the genuine
	 * node's last event; refusing by it would drop genuine events at
	 * the next --rebuild. */
	if (k->revoked_after_seq != UINT64_MAX)
		return created_ms >= k->valid_from_ms &&
		       created_ms < k->valid_until_ms &&
		       seq <= k->revoked_after_seq;
	return registry_key_valid_at(k, created_ms);
}

const struct reg_key *
registry_key_by_name(const struct registry *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (strcmp(r->keys[i].name, name) == 0)
			return &r->keys[i];
	return NULL;
}

void
registry_user_id(const struct reg_key *k, char *out, size_t cap)
{
	char fp[17];

	snprintf(out, cap, "%s/%s/%s", k->owner->id, k->name,
		 log_hex8(k->curve_pk, fp));
}

_Static_assert(KEYS_ID_MAX == 32, "user_split reads ids of 31 characters");

/* Splits user_id; fp gets its fingerprint (17 bytes). */
static int
user_split(const char *user_id, struct reg_user *ret, char *fp)
{
	if (sscanf(user_id, "%31[^/]/%31[^/]/%16s", ret->party, ret->key, fp) !=
	    3) {
		snprintf(ret->party, sizeof(ret->party), "?");
		snprintf(ret->key, sizeof(ret->key), "?");
		return -1;
	}
	return 0;
}

int
registry_user_name(const char *user_id, struct reg_user *ret)
{
	char fp[17];

	return user_split(user_id, ret, fp);
}

const struct reg_key *
registry_by_user_id(const struct registry *r, const char *user_id,
		    uint64_t now_ms, struct reg_user *ret_name)
{
	char fp[17], want[17];
	const struct reg_key *k;

	if (user_split(user_id, ret_name, fp) != 0)
		return NULL;
	k = registry_key_by_name(r, ret_name->key);
	if (k == NULL || strcmp(k->owner->id, ret_name->party) != 0 ||
	    strcmp(log_hex8(k->curve_pk, want), fp) != 0 ||
	    !registry_key_admits(k, now_ms))
		return NULL;
	return k;
}

const struct reg_key *
registry_by_transport(const struct registry *r, const uint8_t pk[CURVE_KEY_LEN],
		      uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (memcmp(r->keys[i].curve_pk, pk, CURVE_KEY_LEN) == 0 &&
		    registry_key_admits(&r->keys[i], now_ms))
			return &r->keys[i];
	return NULL;
}

const char *
registry_transport_name(const struct registry *r,
			const uint8_t pk[CURVE_KEY_LEN])
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (memcmp(r->keys[i].curve_pk, pk, CURVE_KEY_LEN) == 0)
			return r->keys[i].name;
	return NULL;
}

const struct reg_key *
registry_by_key_id(const struct registry *r, const struct reg_party *owner,
		   const uint8_t key_id[KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (r->keys[i].owner == owner &&
		    memcmp(r->keys[i].key_id, key_id, KEY_ID_LEN) == 0)
			return &r->keys[i];
	return NULL;
}
