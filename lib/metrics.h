/*
 * metrics.h - the Prometheus text exposition format, written into a
 * growing buffer, and written atomically to a file for node_exporter's
 * textfile collector.
 */
#ifndef KUSKA_METRICS_H
#define KUSKA_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mtext {
	char *buf; /* NUL-ended; owned; NULL after an allocation failure */
	size_t len, cap;
};

/* Latency buckets of histograms, in seconds (the last is +Inf). */
#define METRICS_BUCKETS 12
extern const double metrics_bucket_le[METRICS_BUCKETS - 1];

struct mhist {
	uint64_t bucket[METRICS_BUCKETS]; /* not cumulative */
	double sum;
	uint64_t count;
};

/* Adds one observation (seconds) to a histogram. */
void metrics_observe(struct mhist *h, double seconds);

/* Appends "# HELP" and "# TYPE" lines for a metric family. */
void metrics_family(struct mtext *m, const char *name, const char *type,
		    const char *help);

/*
 * Appends one sample. labels is the text inside the braces (e.g.
 * `institution="pnp",reason="bad_signature"`) or NULL for none.
 */
void metrics_sample(struct mtext *m, const char *name, const char *labels,
		    double value);

/* A family of one sample: metrics_family, then metrics_sample of the same
 * name, so that the two cannot name it differently. */
void metrics_one(struct mtext *m, const char *name, const char *type,
		 const char *help, const char *labels, double value);

/* The longest label value metrics_label writes, before escaping. */
#define METRICS_LABEL_VALUE_MAX 128

/*
 * metrics_label - appends name="value" to the label set in out (cap
 * bytes, NUL-ended, "" to start; a comma goes between labels). The value
 * is untrusted: backslash, double quote and line feed are escaped as the
 * text format wants (\\, \", \n), any other control byte or byte past
 * ASCII becomes '?', and it is cut at METRICS_LABEL_VALUE_MAX. A label
 * that does not fit is left out whole. Returns out.
 */
const char *metrics_label(char *out, size_t cap, const char *name,
			  const char *value);

/* Appends a whole histogram family's samples (buckets, sum, count). */
void metrics_histogram(struct mtext *m, const char *name, const char *labels,
		       const struct mhist *h);

/* Frees the buffer. */
void metrics_clear(struct mtext *m);

/* The metrics file's mode, whatever the umask: its group may read it. */
#define METRICS_FILE_MODE 0640

/*
 * metrics_write_file - writes the text to path whole (file_replace), so
 * a reader never sees half of it; the file is METRICS_FILE_MODE. Returns
 * 0 or -errno.
 */
int metrics_write_file(const struct mtext *m, const char *path)
    __attribute__((warn_unused_result));

/*
 * metrics_dir_unshared - whether the directory of the metrics file path
 * lacks the set-group-ID bit; the directory goes into dir (cap bytes).
 * Without the bit the file (METRICS_FILE_MODE) gets the daemon's own
 * group, under DynamicUser= one made at its start, and node_exporter
 * silently cannot read it. False when path is "" or its directory cannot
 * be looked at (the write says why).
 */
bool metrics_dir_unshared(const char *path, char *dir, size_t cap);

/* What a directory without the bit does, and what to do about it. */
#define METRICS_DIR_HINT                                                       \
	"the metrics file gets the daemon's own group, which node_exporter "   \
	"cannot read: give the directory node_exporter's group and mode 2770 " \
	"(docs/OPERATIONS.md section 4)"

/*
 * metrics_export - when path is set and interval_s have passed since
 * *last_ms (a monotonic clock, like now_ms), renders the metrics with
 * render(arg, m) and writes them to path (logging a failure once per
 * attempt). For the daemons' textfile-collector output. The first
 * attempt (*last_ms 0: at start) also warns when metrics_dir_unshared.
 */
void metrics_export(const char *path, unsigned long interval_s,
		    uint64_t *last_ms, uint64_t now_ms,
		    void (*render)(void *arg, struct mtext *m), void *arg);

#endif
