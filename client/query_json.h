/*
 * query_json.h - an answer of kuska query as JSON (--format json): an
 * array of rows, each an object of its columns in order.
 */
#ifndef KUSKA_QUERY_JSON_H
#define KUSKA_QUERY_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "codec.h"

/*
 * query_json_number - whether s is a number as JSON writes one (RFC 8259
 * section 6) without an exponent, as the consolidator writes a decimal:
 * an optional -, 0 or digits not beginning with 0, and optionally a point
 * and digits (-0.5, 12, 66.67; not 012, .5, 1., nan, "").
 */
bool query_json_number(const char *s);

/*
 * query_json_write - writes t to f: "[", a row per line as {"column":
 * value, ...}, "]" and a line end. A count is a number; a withheld or an
 * empty cell null; a text a string (", \ and control characters
 * escaped, a byte of no well-formed UTF-8 character written U+FFFD); a
 * decimal a number when query_json_number finds one, else the string it
 * is: the consolidator's text, faulty or hostile, never makes the JSON
 * invalid.
 */
void query_json_write(FILE *f, const struct qtable *t);

#endif
