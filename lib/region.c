/* region.c - INEI department codes and names; see region.h. */
#include "region.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "norm.h"

#define REGION_NAME(code, name) name,
static const char *const names[REGION_COUNT + 1] = {NULL,
						    REGION_TABLE(REGION_NAME)};
#undef REGION_NAME

int
region_parse(const char *s, uint32_t *ret_code)
{
	uint32_t code;

	if (strlen(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
	    s[1] > '9')
		return -EINVAL;
	code = (uint32_t)(s[0] - '0') * 10 + (uint32_t)(s[1] - '0');
	if (code < 1 || code > REGION_COUNT)
		return -EINVAL;
	*ret_code = code;
	return 0;
}

/* The words a case system writes before a department's name, normalised
 * (norm_name), the longest of each family first. */
static const char *const prefixes[] = {
    "GOBIERNO REGIONAL DEL ",
    "GOBIERNO REGIONAL DE ",
    "GOBIERNO REGIONAL ",
    "DEPARTAMENTO DEL ",
    "DEPARTAMENTO DE ",
    "DEPARTAMENTO ",
    "REGION DEL ",
    "REGION DE ",
    "REGION ",
    "PROVINCIA CONSTITUCIONAL DEL ",
    "PROV CONST DEL ",
};

/* Other spellings of a department's name, normalised, and its code. */
static const struct {
	const char *name;
	uint32_t code;
} aliases[] = {
    {"CUZCO", 8}, /* the older spelling of Cusco */
};

/* Whether want is name (both normalised) or begins with it before a
 * space ("LIMA METROPOLITANA"). */
static bool
is_named(const char *want, const char *name)
{
	size_t n = strlen(name);

	return n > 0 && strncmp(want, name, n) == 0 &&
	       (want[n] == '\0' || want[n] == ' ');
}

uint32_t
region_from_name(const char *s, size_t len)
{
	char norm[NORM_MAX], have[NORM_MAX];
	const char *want = norm;
	uint32_t code;
	size_t i, n;

	if (norm_name(s, len, norm, sizeof(norm)) < 0)
		return 0;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(want, prefixes[i], n) == 0) {
			want += n;
			break;
		}
	}
	for (code = 1; code <= REGION_COUNT; code++)
		if (norm_name(names[code], strlen(names[code]), have,
			      sizeof(have)) > 0 &&
		    is_named(want, have))
			return code;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (is_named(want, aliases[i].name))
			return aliases[i].code;
	return 0;
}

/* The words of names[], as norm_name folds them (accents off, upper
 * case), in order of code: test_region checks them against names[]. */
static const char *const name_words[] = {
    "AMAZONAS", "ANCASH",   "APURIMAC",	    "AREQUIPA", "AYACUCHO", "CAJAMARCA",
    "CALLAO",	"CUSCO",    "HUANCAVELICA", "HUANUCO",	"ICA",	    "JUNIN",
    "LA",	"LIBERTAD", "LAMBAYEQUE",   "LIMA",	"LORETO",   "MADRE",
    "DE",	"DIOS",	    "MOQUEGUA",	    "PASCO",	"PIURA",    "PUNO",
    "SAN",	"MARTIN",   "TACNA",	    "TUMBES",	"UCAYALI",
};

bool
region_name_word(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(name_words) / sizeof(name_words[0]); i++)
		if (strlen(name_words[i]) == len &&
		    memcmp(name_words[i], w, len) == 0)
			return true;
	return false;
}

const char *
region_name(uint32_t code)
{
	return code >= 1 && code <= REGION_COUNT ? names[code] : NULL;
}

char *
region_label(uint32_t code, char out[REGION_LABEL_MAX])
{
	const char *name = region_name(code);

	if (name == NULL)
		out[0] = '\0';
	else
		snprintf(out, REGION_LABEL_MAX, "%02u %s", (unsigned)code,
			 name);
	return out;
}
