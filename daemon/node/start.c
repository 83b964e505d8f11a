/*
 * start.c - kuska-node's checks before it works from its outbox (its
 * lock, soundness, owner and ref key) and --recover, which rebuilds it
 * from the consolidator's copy; see node.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "daemon.h"
#include "lockdir.h"
#include "log.h"
#include "node.h"
#include "recover.h"

#define RECOVER_TIMEOUT_MS 30000

int
node_check_outbox(struct outbox_checking **chk, const char *dir,
		  const char *conf)
{
	struct outbox_report rep;
	size_t i;
	int r;

	r = outbox_check_finish(chk, &rep);
	if (r != 0 && rep.why[0] != '\0') {
		/* Not damage (no memory, an I/O error, the check killed):
		 * exit 1, and systemd tries again. */
		log_warnx("event=outbox_check_failed dir=%s text=%s",
			  LOG_Q(dir), LOG_QT(rep.why));
		fatalx_status(daemon_exit_status(r),
			      "%s: %s; the outbox was "
			      "not found damaged",
			      dir, rep.why);
	}
	if (r != 0)
		fatalx_status(daemon_exit_status(r),
			      "%s: cannot check the outbox: %s%s", dir,
			      daemon_store_error(r), daemon_open_hint(r));
	if (rep.unchecked)
		log_warnx("event=outbox_unchecked dir=%s (written by an "
			  "earlier kuska, without checksums: damage cannot be "
			  "found; kuska-node --recover rewrites it with them)",
			  dir);
	if (outbox_sound(&rep)) {
		outbox_report_clear(&rep);
		return 0;
	}
	if (rep.unreadable)
		log_warnx("event=outbox_damaged dir=%s text=\"%s\"", dir,
			  rep.why);
	else
		log_warnx("event=outbox_damaged dir=%s entries=%llu", dir,
			  (unsigned long long)rep.n_damaged);
	for (i = 0; i < rep.n_listed && i < 20; i++) {
		const struct outbox_damage *d = &rep.damaged[i];
		if (d->has_seq)
			log_warnx("damaged: seq %llu (%s)",
				  (unsigned long long)d->seq,
				  strcmp(d->table, "outbox") == 0 ? "envelope"
				  : strcmp(d->table, "seqref") == 0
				      ? "the case system's ref"
				      : "dead letter");
		else
			log_warnx("damaged: an entry of the %s index",
				  d->table);
	}
	if (rep.n_damaged > rep.n_listed || rep.n_listed > 20)
		log_warnx("damaged: %llu entries in all",
			  (unsigned long long)rep.n_damaged);
	log_warnx("%s: the outbox is damaged; the node does not work from it. "
		  "Rebuild it from the consolidator's copy: kuska-node "
		  "--recover -c %s",
		  dir, conf);
	outbox_report_clear(&rep);
	return 1;
}

void
node_check_owner(struct node *n, const char *conf)
{
	const char *inst = institution_name((enum institution)n->cfg.institution);
	const char *whose;
	enum institution first;
	char net[CODEC_MAX_NETWORK + 1];
	int origin;

	origin = outbox_first_origin(n->ob, &first, net, sizeof(net));
	if (origin == -EBADMSG) {
		/* Whose it is cannot be told: not taken as this node's (its
		 * ref key pinned into it, its first envelope sent and
		 * refused as bad_envelope for ever, nothing behind it
		 * delivered). The checksums do not catch it: an outbox of
		 * an earlier kuska has none, and they say only that the
		 * bytes are those written. The file is left as it is, so a
		 * restart finds the same: 78, like another node's outbox. */
		log_warnx("event=outbox_undecodable dir=%s seq=1",
			  LOG_Q(n->cfg.data_dir));
		fatalx_config(
		    "%s: this outbox's first envelope does not decode, so "
		    "whose it is cannot be told (a damaged outbox, or not "
		    "a node's): the node does not work from it, and it is "
		    "unchanged. Correct [node] data_dir in %s, or restore "
		    "this node's own data.mdb; if it has none, "
		    "kuska-node --recover -c %s rebuilds it from the "
		    "consolidator's copy (this file is kept aside)",
		    n->cfg.data_dir, conf, conf);
	}
	if (origin != 0)
		return; /* empty, or unreadable: check_outbox's to say */
	whose = institution_name(first);
	if (whose == NULL)
		whose = "an unknown institution";
	if (first == (enum institution)n->cfg.institution) {
		if (net[0] != '\0' && strcmp(net, n->cfg.network) != 0)
			log_warnx("event=outbox_other_network dir=%s "
				  "network=%s first_network=%s (this outbox's "
				  "first events were signed for another "
				  "network: if network = %s is mistyped in "
				  "%s, correct it; events signed for another "
				  "network are refused by the consolidator as "
				  "wrong_network dead letters)",
				  LOG_Q(n->cfg.data_dir), LOG_Q(n->cfg.network),
				  LOG_Q(net), n->cfg.network, conf);
		return;
	}
	log_warnx("event=outbox_foreign dir=%s institution=%s network=%s",
		  LOG_Q(n->cfg.data_dir), whose, LOG_Q(net[0] ? net : "-"));
	fatalx_config(
	    "%s: this outbox holds the events of %s, not of %s (the "
	    "data_dir of another node, copied or restored here?): the "
	    "node does not work from it. Correct [node] data_dir in %s, "
	    "or restore this node's own data.mdb; if it has none, "
	    "kuska-node --recover -c %s rebuilds it from the "
	    "consolidator's copy (this file is kept aside)",
	    n->cfg.data_dir, whose, inst, conf, conf);
}

/* What the outbox keeps of the ref key: a keyed hash, not the key. */
static void
ref_key_fp(const struct node *n, uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
{
	static const char label[] = "kuska ref key check";

	crypto_generichash(fp, OUTBOX_REF_KEY_FP_LEN,
			   (const unsigned char *)label, sizeof(label) - 1,
			   n->ref_key->key, sizeof(n->ref_key->key));
}

void
node_check_ref_key(struct node *n, const char *conf)
{
	uint8_t fp[OUTBOX_REF_KEY_FP_LEN];
	int r;

	ref_key_fp(n, fp);
	r = outbox_pin_ref_key(n->ob, fp);
	if (r < 0)
		fatalx_status(
		    daemon_exit_status(r), "%s: cannot read the outbox: %s%s",
		    n->cfg.data_dir, strerror(-r), daemon_open_hint(r));
	if (r == 0)
		return;
	log_warnx("event=ref_key_mismatch dir=%s ref_key=%s",
		  LOG_Q(n->cfg.data_dir), LOG_Q(n->cfg.ref_key));
	fatalx_config(
	    "%s: [node] ref_key %s is not the key this outbox's records "
	    "were named with: with it every record submitted again would "
	    "be stored, and counted, twice. Put back the ref key backed "
	    "up with this outbox; if it is lost for good, OPERATIONS.md "
	    "section 2 says how to go on with a new one",
	    conf, n->cfg.ref_key);
}

void
node_lock_outbox(struct node *n, const char *conf, bool recovering)
{
	char why[2 * SETTINGS_PATH_MAX + 128];
	bool made;
	int r;

	r = daemon_lock(n->cfg.data_dir, "kuska-node", "outbox", &made, why,
			sizeof(why));
	if (r != 0)
		fatalx_status(daemon_exit_status(r), "%s: [node] data_dir: %s",
			      conf, why);
	/* --recover fills a new outbox: nothing to say then. */
	if (made && !recovering)
		log_warnx("event=outbox_created dir=%s hint=\"there was "
			  "none: a new, empty outbox was created. If this "
			  "node delivered before, data_dir is mistyped: the "
			  "consolidator's copy came from another outbox, and "
			  "the node stops as diverged (see OPERATIONS.md)\"",
			  LOG_Q(n->cfg.data_dir));
}

int
node_recover(struct node *n)
{
	uint8_t fp[OUTBOX_REF_KEY_FP_LEN];
	struct recover_params p = {
	    .dir = n->cfg.data_dir,
	    .map_size = n->cfg.map_size_mb << 20,
	    .inst = (enum institution)n->cfg.institution,
	    .consolidator = n->cfg.consolidator,
	    .network = n->cfg.network,
	    .key = n->key,
	    .old_keys = n->old_keys,
	    .n_old_keys = n->n_old_keys,
	    .cons_key = &n->consolidator,
	    .timeout_ms = RECOVER_TIMEOUT_MS,
	    .ref_fp = fp,
	};
	int r;

	ref_key_fp(n, fp);
	r = recover_run(&p, stdout);
	if (r == 0)
		daemon_keep();

	/* Made by root for the daemon's user: keep them the daemon's (a
	 * refused run too: lock.mdb of root's would stop the service). */
	(void)lockdir_own(n->cfg.data_dir, "kuska.lock");
	(void)lockdir_own(n->cfg.data_dir, "data.mdb");
	(void)lockdir_own(n->cfg.data_dir, "lock.mdb");
	keys_free(&n->key);
	keys_key32_free(&n->linkage);
	keys_key32_free(&n->ref_key);
	return r == 0 ? 0 : 1;
}
