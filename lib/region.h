/*
 * region.h - Peru's regions as every event and table names them: INEI
 * department codes, two digits 01 to 25 (08 Cusco, 15 Lima, 16 Loreto,
 * ...), and their names.
 */
#ifndef KUSKA_REGION_H
#define KUSKA_REGION_H

#include <stdint.h>

#define REGION_COUNT 25
/* A region's code and name, for messages and titles: "16 Loreto". */
#define REGION_LABEL_MAX 32

/*
 * region_parse - the code of s, exactly two digits from "01" to "25"
 * ("16" is 16; "6", "016", "26", "00" and " 16" are not codes). Returns
 * 0, or -EINVAL (and leaves *ret_code alone). Every --region a client
 * reads (kuska query, kuska report) goes through it.
 */
int region_parse(const char *s, uint32_t *ret_code)
    __attribute__((warn_unused_result));

/*
 * region_name - the department's name ("Loreto", "Áncash", in UTF-8) of
 * code 1 to 25, as INEI writes it; NULL for any other code. A constant
 * string.
 */
const char *region_name(uint32_t code);

/*
 * region_label - "16 Loreto" for code 16, into out (REGION_LABEL_MAX
 * bytes); "" for a code that is no region. Returns out.
 */
char *region_label(uint32_t code, char out[REGION_LABEL_MAX]);

#endif
