/* region.c - INEI department codes and names; see region.h. */
#include "region.h"

#include <errno.h>
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

uint32_t
region_from_name(const char *s, size_t len)
{
	char want[NORM_MAX], have[NORM_MAX];
	uint32_t code;
	int n;

	if (norm_name(s, len, want, sizeof(want)) < 0)
		return 0;
	for (code = 1; code <= REGION_COUNT; code++) {
		n = norm_name(names[code], strlen(names[code]), have,
			      sizeof(have));
		if (n > 0 && strncmp(want, have, (size_t)n) == 0 &&
		    (want[n] == '\0' || want[n] == ' '))
			return code;
	}
	return 0;
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
