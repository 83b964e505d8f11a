/*
 * stats_live.c - what a record gives the statistics (its fact, the
 * referral or case it is a fact of, its victims' match keys) and how the
 * LIVE table stores it, in layout STATS_FORMAT; see stats_int.h.
 */
#include "stats_int.h"

#include <errno.h>
#include <string.h>

static void
fact_decode(const uint8_t *p, struct fact *f)
{
	f->type = p[0];
	f->inst = p[1];
	f->seq = store_get64(p + 2);
	f->date = (int32_t)(store_get32(p + 10) ^ DAYS_OFFSET);
	f->region = p[14];
	f->a = p[15];
	f->b = p[16];
	f->nat[0] = (char)p[17];
	f->nat[1] = (char)p[18];
	f->x = store_get32(p + 19);
}

/*
 * What a record gives, for its origin (inst, seq): its fact and, for a
 * referral, a take-up or a case stage, the entity it is a fact of
 * (*ret_entity set) - or, for an identification or a service, a fact
 * about its victim.
 */
void
stats_fact_of(enum institution inst, uint64_t seq, const struct record *rec,
	      uint8_t key[ENTITY_KEY_LEN], bool *ret_entity, struct fact *f)
{
	const struct victim *v = &rec->victim;

	memset(f, 0, sizeof(*f));
	memset(key, 0, ENTITY_KEY_LEN);
	f->inst = (uint8_t)inst;
	f->seq = seq;
	f->date = rec->date;
	f->region = rec->region;
	*ret_entity = true;
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		*ret_entity = false;
		f->type = F_IDENT;
		f->a = (uint8_t)v->sex;
		f->b = (uint8_t)v->age_group;
		f->nat[0] = v->nationality[0];
		f->nat[1] = v->nationality[1];
		f->x = rec->exploitation;
		break;
	case KIND_SERVICE:
		*ret_entity = false;
		f->type = F_SERVICE;
		f->a = (uint8_t)rec->service;
		break;
	case KIND_REFERRAL:
	case KIND_REFERRAL_RECEIVED:
		key[0] = E_REFERRAL;
		key[1] =
		    (uint8_t)(rec->kind == KIND_REFERRAL ? inst : rec->other);
		key[2] =
		    (uint8_t)(rec->kind == KIND_REFERRAL ? rec->other : inst);
		memcpy(key + 3, rec->referral, PSEUDONYM_LEN);
		f->type = rec->kind == KIND_REFERRAL ? F_SENT : F_RECEIVED;
		f->a = (uint8_t)rec->other;
		break;
	default: /* KIND_CASE_STAGE */
		key[0] = E_CASE;
		memcpy(key + 3, rec->case_id, PSEUDONYM_LEN);
		f->type = F_STAGE;
		f->a = (uint8_t)rec->stage;
		f->x = rec->persons;
		break;
	}
}

/* One victim's match keys, for the graph; false when it has none. */
static bool
obj_of(const struct victim *v, struct link_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->doc_type = (uint8_t)v->doc_type;
	if (v->doc_type != DOC_NONE)
		memcpy(o->doc, v->doc_key, LINK_KEY_LEN);
	if (v->has_name_key) {
		o->has_name = true;
		memcpy(o->name, v->name_key, LINK_KEY_LEN);
	} else if (v->has_v1_key) {
		/* An old event's one key (schema version 2) comes alone: a
		 * key of its own, no document. */
		o->has_name = true;
		memcpy(o->name, v->v1_key, LINK_KEY_LEN);
	}
	return o->doc_type != DOC_NONE || o->has_name;
}

/* The victim objects of rec that have keys, into objs; returns how many. */
size_t
stats_objs_of(const struct record *rec, struct link_obj *objs)
{
	size_t i, n = 0;

	if (rec->kind != KIND_CASE_STAGE)
		return obj_of(&rec->victim, &objs[0]) ? 1 : 0;
	for (i = 0; i < rec->n_victims && i < EVENT_MAX_CASE_VICTIMS; i++)
		if (obj_of(&rec->victims[i], &objs[n]))
			n++;
	return n;
}

/* Encodes lv into out (LIVE_MAX bytes); returns the length. */
size_t
stats_live_encode(const struct live *lv, uint8_t *out)
{
	size_t len = 0, i;

	fact_encode(&lv->f, out);
	len = FACT_LEN;
	store_be32(out + len, (uint32_t)lv->accepted ^ DAYS_OFFSET);
	len += 4;
	if (lv->has_entity) {
		memcpy(out + len, lv->entity, ENTITY_KEY_LEN);
		len += ENTITY_KEY_LEN;
	}
	out[len++] = (uint8_t)(lv->n >> 8);
	out[len++] = (uint8_t)lv->n;
	for (i = 0; i < lv->n; i++) {
		const struct link_obj *o = &lv->objs[i];
		out[len++] = (uint8_t)(o->doc_type | (o->has_name ? 8 : 0));
		if (o->doc_type != DOC_NONE) {
			memcpy(out + len, o->doc, LINK_KEY_LEN);
			len += LINK_KEY_LEN;
		}
		if (o->has_name) {
			memcpy(out + len, o->name, LINK_KEY_LEN);
			len += LINK_KEY_LEN;
		}
	}
	return len;
}

/* Decodes a LIVE value into *lv; -EIO when it does not fit the layout. */
int
stats_live_decode(const uint8_t *p, size_t len, struct live *lv)
{
	size_t at, i;

	if (len < FACT_LEN + 4 + 2)
		return -EIO;
	fact_decode(p, &lv->f);
	lv->accepted = (int32_t)(store_get32(p + FACT_LEN) ^ DAYS_OFFSET);
	at = FACT_LEN + 4;
	lv->has_entity = lv->f.type == F_SENT || lv->f.type == F_RECEIVED ||
			 lv->f.type == F_STAGE;
	if (lv->has_entity) {
		if (len < at + ENTITY_KEY_LEN + 2)
			return -EIO;
		memcpy(lv->entity, p + at, ENTITY_KEY_LEN);
		at += ENTITY_KEY_LEN;
	}
	lv->n = (size_t)p[at] << 8 | p[at + 1];
	at += 2;
	if (lv->n > EVENT_MAX_CASE_VICTIMS)
		return -EIO;
	for (i = 0; i < lv->n; i++) {
		struct link_obj *o = &lv->objs[i];
		if (at >= len)
			return -EIO;
		memset(o, 0, sizeof(*o));
		o->doc_type = p[at] & 7;
		o->has_name = (p[at] & 8) != 0;
		at++;
		if (o->doc_type > DOC_TYPE_COUNT ||
		    (o->doc_type == DOC_NONE && !o->has_name))
			return -EIO;
		if (o->doc_type != DOC_NONE) {
			if (at + LINK_KEY_LEN > len)
				return -EIO;
			memcpy(o->doc, p + at, LINK_KEY_LEN);
			at += LINK_KEY_LEN;
		}
		if (o->has_name) {
			if (at + LINK_KEY_LEN > len)
				return -EIO;
			memcpy(o->name, p + at, LINK_KEY_LEN);
			at += LINK_KEY_LEN;
		}
	}
	return at == len ? 0 : -EIO;
}

void
stats_live_key(enum institution inst, uint64_t origin, uint8_t k[9])
{
	k[0] = (uint8_t)inst;
	store_be64(k + 1, origin);
}
