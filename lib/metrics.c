/* metrics.c - Prometheus text format; see metrics.h. */
#include "metrics.h"

#include "file.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const double metrics_bucket_le[METRICS_BUCKETS - 1] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

void
metrics_observe(struct mhist *h, double seconds)
{
	int i;

	for (i = 0; i < METRICS_BUCKETS - 1; i++)
		if (seconds <= metrics_bucket_le[i])
			break;
	h->bucket[i]++;
	h->sum += seconds;
	h->count++;
}

static void append(struct mtext *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
append(struct mtext *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->cap == 0) {
		m->buf = malloc(4096);
		if (m->buf == NULL)
			return;
		m->cap = 4096;
		m->len = 0;
		m->buf[0] = '\0';
	}
	if (m->buf == NULL)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(m->buf + m->len, m->cap - m->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < m->cap - m->len) {
			m->len += (size_t)n;
			return;
		}
		{
			char *nb = realloc(m->buf, m->cap * 2 + (size_t)n);
			if (nb == NULL) {
				free(m->buf);
				m->buf = NULL;
				return;
			}
			m->buf = nb;
			m->cap = m->cap * 2 + (size_t)n;
		}
	}
}

void
metrics_family(struct mtext *m, const char *name, const char *type,
	       const char *help)
{
	append(m, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_sample(struct mtext *m, const char *name, const char *labels,
	       double value)
{
	if (labels != NULL && labels[0] != '\0')
		append(m, "%s{%s} %.15g\n", name, labels, value);
	else
		append(m, "%s %.15g\n", name, value);
}

void
metrics_one(struct mtext *m, const char *name, const char *type,
	    const char *help, const char *labels, double value)
{
	metrics_family(m, name, type, help);
	metrics_sample(m, name, labels, value);
}

const char *
metrics_label(char *out, size_t cap, const char *name, const char *value)
{
	char v[2 * METRICS_LABEL_VALUE_MAX + 1];
	size_t o = 0, len = strlen(out), i;
	int n;

	for (i = 0; value[i] != '\0' && i < METRICS_LABEL_VALUE_MAX; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c == '\\' || c == '"' || c == '\n') {
			v[o++] = '\\';
			v[o++] = c == '\n' ? 'n' : (char)c;
		} else {
			v[o++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
		}
	}
	v[o] = '\0';
	if (len >= cap)
		return out;
	n = snprintf(out + len, cap - len, "%s%s=\"%s\"", len > 0 ? "," : "",
		     name, v);
	if (n < 0 || (size_t)n >= cap - len)
		out[len] = '\0'; /* it did not fit: none of it */
	return out;
}

void
metrics_histogram(struct mtext *m, const char *name, const char *labels,
		  const struct mhist *h)
{
	const char *sep = labels != NULL && labels[0] != '\0' ? "," : "";
	const char *l = labels != NULL ? labels : "";
	uint64_t cum = 0;
	int i;

	for (i = 0; i < METRICS_BUCKETS; i++) {
		cum += h->bucket[i];
		if (i < METRICS_BUCKETS - 1)
			append(m, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, l,
			       sep, metrics_bucket_le[i],
			       (unsigned long long)cum);
		else
			append(m, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, l,
			       sep, (unsigned long long)cum);
	}
	if (l[0] != '\0') {
		append(m, "%s_sum{%s} %.15g\n", name, l, h->sum);
		append(m, "%s_count{%s} %llu\n", name, l,
		       (unsigned long long)h->count);
	} else {
		append(m, "%s_sum %.15g\n", name, h->sum);
		append(m, "%s_count %llu\n", name,
		       (unsigned long long)h->count);
	}
}

void
metrics_clear(struct mtext *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int
metrics_write_file(const struct mtext *m, const char *path)
{
	if (m->buf == NULL)
		return -ENOMEM;
	/* The units' UMask=0077 would take the group's read away: the
	 * monitoring's group (the directory's, set-group-ID) reads it. */
	/* A directory not synced is no failure: the file is in place, and
	 * written again at the next interval. */
	return file_replace(path, m->buf, m->len, METRICS_FILE_MODE, NULL);
}

bool
metrics_dir_unshared(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (path[0] == '\0')
		return false;
	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else if ((size_t)(slash - path) >= cap)
		return false;
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	return (st.st_mode & S_ISGID) == 0;
}

void
metrics_export(const char *path, unsigned long interval_s, uint64_t *last_ms,
	       uint64_t now_ms, void (*render)(void *arg, struct mtext *m),
	       void *arg)
{
	struct mtext m = {0};
	char dir[4096];
	int r;

	if (path[0] == '\0' || now_ms - *last_ms < interval_s * 1000)
		return;
	/* Once, at start: a file nobody can read fails no write. */
	if (*last_ms == 0 && metrics_dir_unshared(path, dir, sizeof(dir)))
		log_warnx("event=metrics_dir_not_setgid file=%s dir=%s "
			  "hint=\"" METRICS_DIR_HINT "\"",
			  LOG_Q(path), LOG_Q(dir));
	*last_ms = now_ms;
	render(arg, &m);
	r = metrics_write_file(&m, path);
	if (r != 0)
		log_warnx("event=metrics_not_written file=%s error=%s",
			  LOG_Q(path), LOG_Q(strerror(-r)));
	metrics_clear(&m);
}
