/*
 * reload.h - kuska-consolidator's configuration, registry, indicator and
 * population files: read at start (reload_init) and again on SIGHUP
 * (reload_apply), where what fails to load keeps what is in force.
 */
#ifndef KUSKA_RELOAD_H
#define KUSKA_RELOAD_H

#include <stdbool.h>

#include "admit.h"
#include "cons.h"
#include "settings.h"

/*
 * reload_init - at start: reads the config at path, the key, the registry
 * and the indicator and population files into c, and puts the last two in
 * force; a failure is fatal. The registry's warnings and the files'
 * messages go to the log, or with check (-n) to the standard error.
 */
void reload_init(struct cons *c, const char *path, bool check);

/* reload_limits - the connection bounds of the config. */
struct admit_limits reload_limits(const struct consolidator_config *cfg);

/*
 * reload_apply - SIGHUP: reads the config and the registry again. Either
 * both are good and the reloadable settings and the registry take effect,
 * or nothing changes. Any other key changed (endpoints, keys, data_dir,
 * map_size_mb, workers) is named as needing a restart. Connections whose
 * keys the new registry no longer admits are closed at once. The indicator
 * and population files are read again then, each on its own: a bad one
 * keeps what it held in force and lets the rest take effect. What it
 * replaces is freed once no job and no question uses it
 * (cons_free_retired): it takes effect at once, even while a question's
 * audit reads the registry it replaced. Called with conf_lock held for
 * writing.
 */
void reload_apply(struct cons *c);

/*
 * reload_try - at each pass of the main loop: a SIGHUP asked since the
 * last (service_reload_requested) is applied (reload_apply), conf_lock
 * taken for writing. The query thread holds it only while it judges a
 * request, or answers one during an audit (a few ms at most), never
 * through an audit: the main thread waits that long at most, and goes on
 * reading the nodes and the control socket and pinging the watchdog.
 */
void reload_try(struct cons *c);

#endif
