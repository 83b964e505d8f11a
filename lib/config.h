/*
 * config.h - INI configuration files. This module owns inih.
 *
 * A program describes its file as a schema (one section, a table of
 * typed keys with limits and defaults); config_load fills a plain struct
 * from it, refusing unknown keys, repeated keys, bad values and missing
 * required keys with "FILE:LINE: key: reason". config_print writes the
 * struct back in canonical form, which config_load reads again.
 *
 * Relative paths (CONFIG_PATH, and ipc:// endpoints) are taken relative
 * to the directory of the config file, and stored absolute.
 */
#ifndef KUSKA_CONFIG_H
#define KUSKA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_VALUE 1024
/* Longest path once made absolute: a canonical print (-n) must stay
 * within the 197-character lines the parser reads. */
#define CONFIG_MAX_PATH 170
#define CONFIG_MAX_FILE (1024 * 1024) /* bigger files are refused */

enum config_type {
	CONFIG_STRING,		 /* char[size] */
	CONFIG_PATH,		 /* char[size], made absolute */
	CONFIG_OPT_PATH,	 /* like CONFIG_PATH, but may be empty: unset */
	CONFIG_ENDPOINT_TCP,	 /* char[size], "tcp://host:port" */
	CONFIG_OPT_ENDPOINT_TCP, /* like CONFIG_ENDPOINT_TCP, or empty: unset */
	CONFIG_PEER_TCP,	 /* like CONFIG_ENDPOINT_TCP, to connect to: its
				    host begins with a letter or digit */
	CONFIG_OPT_PEER_TCP,	 /* like CONFIG_PEER_TCP, or empty: unset */
	CONFIG_ENDPOINT_IPC, /* char[size], "ipc://path", path made absolute */
	CONFIG_UINT,	     /* unsigned long, within [min, max] */
	CONFIG_INSTITUTION,  /* int, an institution id such as "pnp" */
	CONFIG_NAME,	     /* char[size], 1-31 of a-z 0-9 _ - (a network) */
};

struct config_field {
	const char *name;
	enum config_type type;
	size_t offset; /* of the member in the config struct */
	size_t size;   /* of char[] members */
	unsigned long min, max;
	const char *def; /* default as text; NULL: the key is required */
};

struct config_schema {
	const char *section;
	const struct config_field *fields;
	size_t n_fields;
};

/*
 * config_load - reads path into out (a struct the schema describes).
 * Returns 0, or -EINVAL/-ENOENT/-errno with a one-line message naming
 * file, line and key in errbuf.
 */
int config_load(const char *path, const struct config_schema *schema, void *out,
		char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* config_print - writes cfg in canonical form (reads back identically). */
void config_print(FILE *f, const struct config_schema *schema, const void *cfg);

/*
 * config_changed - names, comma-separated into out (cut to fit cap), each
 * key of schema whose value differs between a and b (two structs the
 * schema describes), but for those listed in skip (NULL-ended): after a
 * reload, the changed keys it does not apply. Returns how many it found.
 */
size_t config_changed(const struct config_schema *schema, const void *a,
		      const void *b, const char *const *skip, char *out,
		      size_t cap);

/*
 * A raw line handler: called for each "name = value" with its section.
 * Returns 0 to go on, or -EINVAL with a reason in why to stop (the line
 * is then named in the error).
 */
typedef int (*config_line_fn)(void *arg, const char *section, const char *name,
			      const char *value, char *why, size_t whylen);

/*
 * config_parse_raw - runs fn over every key of an INI file. Returns 0 or
 * -errno with "FILE:LINE: reason" in errbuf.
 */
int config_parse_raw(const char *path, config_line_fn fn, void *arg,
		     char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * One line of an INI text, as config_parse_text hands it over:
 *	a [section] line   name NULL, error NULL, section the text in [ ]
 *	a name = value     name and value, section the one in force ("" if
 *	                   none yet)
 *	an indented line   continued, name and value: it goes on with the
 *	right below a key  value of the key above (the caller joins them)
 *	a bad line         error the reason (name NULL)
 * The strings live until the callback returns.
 */
struct config_item {
	unsigned line; /* 1-based */
	const char *section;
	const char *name;
	const char *value; /* inline comments (" ;") and spaces trimmed */
	const char *error;
	bool continued;
};

typedef void (*config_item_fn)(void *arg, const struct config_item *it);

/*
 * config_parse_text - runs fn over every section line, key and bad line
 * of the INI text (len bytes, no NUL needed), in order, and goes on past
 * bad lines, so that a caller can report every error at its line. Lines
 * follow config_load's rules (at most 197 bytes, no NUL byte, no
 * indented line but one right below a key or another such line: a long
 * value goes on there), and also refuse "name: value" and text after
 * "[section]". Returns 0 or -ENOMEM.
 */
int config_parse_text(const char *text, size_t len, config_item_fn fn,
		      void *arg) __attribute__((warn_unused_result));

/*
 * config_key_line - the line (1-based) of the key name in [section] of
 * the INI file path, or 0 when the file does not give it (its default
 * is in force) or cannot be read. Continuation lines are not keys.
 */
unsigned config_key_line(const char *path, const char *section,
			 const char *name);

/*
 * config_key_error - an error about the value of key name in [section]
 * of the config file path (the key file it names cannot be read, say),
 * as config_load words its own: "FILE:LINE: [section] name: reason", or
 * "FILE: [section] name: reason" when the file does not give the key.
 * Writes errbuf (cut to errlen) and returns it.
 */
char *config_key_error(const char *path, const char *section, const char *name,
		       const char *reason, char *errbuf, size_t errlen);

/*
 * config_resolve - writes into out the path p made absolute relative to
 * the directory of base_file. Returns 0 or -ENAMETOOLONG.
 */
int config_resolve(const char *base_file, const char *p, char *out, size_t cap);

#endif
