/*
 * deliver_int.h - what deliver.c (hellos, batches, the tick),
 * deliver_answer.c (the consolidator's Welcomes, Acks and refusals),
 * deliver_refusals.c (the refusals a Welcome acknowledged unsaid, asked
 * for) and deliver_conn.c (the connection's events, redials) share:
 * internal to the four.
 */
#ifndef KUSKA_DELIVER_INT_H
#define KUSKA_DELIVER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "deliver.h"
#include "settings.h"

#define HELLO_INTERVAL_MS 1000
#define DIVERGED_HELLO_MS (SETTINGS_DIVERGED_HELLO_S * 1000)

/* deliver.c: m encoded and sent on d->sock; 0 or -errno (-EAGAIN: not
 * connected yet, or a flood's new socket not made yet). */
int deliver_send_msg(struct deliver *d, const struct msg *m);
/* Empties the queue of batches in flight, remembered as gone. */
void deliver_drop_queue(struct deliver *d);
/* Not welcomed, the queue dropped: the next hello at due_ms. */
void deliver_go_idle(struct deliver *d, uint64_t due_ms);

/* deliver_conn.c: dials the consolidator again, when due. */
void deliver_redial(struct deliver *d, uint64_t now_ms);
/* A new socket (and monitor) in place of d->sock (d->mon) after a flood,
 * or at reopen_due_ms when that failed. */
void deliver_reopen(struct deliver *d, uint64_t now_ms);

/* deliver_refusals.c: asks for the refusals from the outbox's
 * refusals_from on. */
void deliver_ask_refusals(struct deliver *d, uint64_t now_ms);
/* Their answer m; returns whether it was taken (may have written the
 * outbox). */
bool deliver_on_refusals(struct deliver *d, const struct msg *m,
			 uint64_t now_ms);
/* The ask refused (m a store error): asked again later, backing off. */
void deliver_refusals_refused(struct deliver *d, const struct msg *m,
			      uint64_t now_ms);
/* A new connection: the ask under way is forgotten. */
void deliver_forget_ask(struct deliver *d);

#endif
