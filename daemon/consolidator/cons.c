/*
 * cons.c - the shared reply path of the consolidator's sockets, and the
 * freeing of its state; see cons.h.
 */
#include "cons.h"

#include <stdlib.h>
#include <string.h>

#include "indfile.h"
#include "ingest_net.h"
#include "log.h"
#include "pipeline.h"
#include "popfile.h"
#include "query_net.h"
#include "sdg_table.h"
#include "starting.h"

void
send_to(struct tsock *s, const struct tframes *req, const uint8_t *buf,
	size_t len)
{
	const void *data[2] = {req->data[0], buf};
	size_t lens[2] = {req->len[0], len};
	int r = tsock_send(s, data, lens, 2);

	if (r != 0)
		log_debug("event=reply_not_delivered error=%s",
			  LOG_Q(strerror(-r)));
}

/* pipeline_free's discard: what was run is still answered. */
static void
finish_job(struct pipeline_job *job, void *arg)
{
	ingest_finish(arg, job);
}

void
cons_free_retired(struct cons *c, bool all)
{
	struct retired_reg **pr = &c->retired, *r;
	/* A question reads those in force in pin: what was replaced
	 * before pin is no longer in its hands. */
	uint64_t pin = atomic_load(&c->query_pin);

	while ((r = *pr) != NULL) {
		if (!all && (r->users > 0 || (pin != 0 && r->gen >= pin))) {
			pr = &r->next;
			continue;
		}
		*pr = r->next;
		registry_free(&r->reg);
		indset_free(&r->indicators);
		popset_free(&r->population);
		free(r);
	}
}

void
cons_free(struct cons *c)
{
	size_t i;

	/* Its thread uses c->control (a start that failed). */
	(void)starting_end();
	query_net_stop(c);
	ingest_drop_waiting(c);
	pipeline_free(&c->pipe, finish_job, c);
	cons_free_retired(c, true);
	for (i = 0; i <= INST_COUNT; i++)
		unmatched_memo_clear(&c->unmatched_memo[i]);
	admit_free(&c->admit);
	/* Each listener before its monitor, as libzmq's own tests close
	 * them: a monitor closed first left one of the listener's last
	 * events (75 bytes) unfreed inside libzmq (test_transport). */
	tsock_free(&c->query);
	tsock_free(&c->query_mon);
	tsock_free(&c->control);
	tsock_free(&c->ingest);
	tsock_free(&c->ingest_mon);
	tsock_free(&c->zap);
	transport_free(&c->t);
	ingest_close(&c->ig);
	store_close(&c->st);
	query_set_indicators(NULL);
	indset_free(&c->indicators);
	sdg_set_population(NULL);
	popset_free(&c->population);
	registry_free(&c->reg);
	keys_free(&c->key);
}
