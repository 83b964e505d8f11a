/*
 * i18n_int.h - what i18n.c (the language, the words of columns and
 * values), i18n_msg.c (the report's sentences) and i18n_notes.c (the
 * consolidator's refusals and notes) share: internal to the three.
 */
#ifndef KUSKA_I18N_INT_H
#define KUSKA_I18N_INT_H

#include "i18n.h"

/* A value and its name in each language (NULL: none). */
struct word {
	const char *value;
	const char *name[LANG_COUNT];
};

/* i18n_lang - the language i18n_set chose. */
enum lang i18n_lang(void);

/*
 * i18n_find - the name, in the language set, of value in w (ended by a
 * NULL value); NULL when w does not hold it.
 */
const char *i18n_find(const struct word *w, const char *value);

/*
 * i18n_institutions - "pnp+mimp" as "PNP + MIMP"; "all" and "unlinkable"
 * by name. A word made on the fly lives in i18n.c's ring of buffers.
 */
const char *i18n_institutions(const char *value);

#endif
