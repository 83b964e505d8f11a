/*
 * control.h - the consolidator's local control socket: status and metrics
 * for "kuska status" and "kuska metrics", and the metrics text the daemon
 * also writes to metrics_file.
 */
#ifndef KUSKA_CONTROL_H
#define KUSKA_CONTROL_H

#include "cons.h"
#include "metrics.h"

/*
 * query_refusal_name - "node_key", ...: why a query was refused, as its
 * log line's reason= and its metric's label say; r is in range.
 */
const char *query_refusal_name(enum query_refusal r);

/*
 * render_metrics - appends the consolidator's metrics (arg is the struct
 * cons) to m in the Prometheus text format; a metrics_export callback.
 */
void render_metrics(void *arg, struct mtext *m);

/*
 * handle_control - answers one request req read from the control socket
 * (arg is the struct cons): the status, the metrics text, or an error for
 * anything else; a daemon_control_serve callback. Returns 0, or -EBADMSG
 * for a malformed request.
 */
int handle_control(void *arg, const struct tframes *req);

#endif
