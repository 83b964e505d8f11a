/*
 * region.h - Peru's regions as every event and table names them: INEI
 * department codes, two digits 01 to 25 (08 Cusco, 15 Lima, 16 Loreto,
 * ...), and their names.
 */
#ifndef KUSKA_REGION_H
#define KUSKA_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGION_COUNT 25

/*
 * REGION_TABLE(X) - X(code, name) for each region in order of code, the
 * code as a string of two digits, the name as INEI writes it (UTF-8):
 * the one list that region.c and kuska help's list of regions are made
 * from.
 */
#define REGION_TABLE(X)                                                        \
	X("01", "Amazonas")                                                    \
	X("02", "Áncash")                                                      \
	X("03", "Apurímac")                                                    \
	X("04", "Arequipa")                                                    \
	X("05", "Ayacucho")                                                    \
	X("06", "Cajamarca")                                                   \
	X("07", "Callao")                                                      \
	X("08", "Cusco")                                                       \
	X("09", "Huancavelica")                                                \
	X("10", "Huánuco")                                                     \
	X("11", "Ica")                                                         \
	X("12", "Junín")                                                       \
	X("13", "La Libertad")                                                 \
	X("14", "Lambayeque")                                                  \
	X("15", "Lima")                                                        \
	X("16", "Loreto")                                                      \
	X("17", "Madre de Dios")                                               \
	X("18", "Moquegua")                                                    \
	X("19", "Pasco")                                                       \
	X("20", "Piura")                                                       \
	X("21", "Puno")                                                        \
	X("22", "San Martín")                                                  \
	X("23", "Tacna")                                                       \
	X("24", "Tumbes")                                                      \
	X("25", "Ucayali")
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
 * region_from_name - the code of the department whose name s (len bytes
 * of UTF-8) is, accents, case and spacing aside ("LIMA", "Ancash",
 * "MADRE DE DIOS"), or begins with before a space ("LIMA
 * METROPOLITANA"), after any of the words a case system writes before
 * it ("REGION", "DEPARTAMENTO DE", "GOBIERNO REGIONAL DE", "PROVINCIA
 * CONSTITUCIONAL DEL"); an older spelling ("CUZCO") too; 0 for any
 * other text. For hints only: the name is never taken for the code.
 */
uint32_t region_from_name(const char *s, size_t len);

/*
 * region_name - the department's name ("Loreto", "Áncash", in UTF-8) of
 * code 1 to 25, as INEI writes it; NULL for any other code. A constant
 * string.
 */
const char *region_name(uint32_t code);

/*
 * region_name_word - whether w (len bytes, no NUL needed) is a word of a
 * department's name as norm_name() folds it (LORETO, ANCASH, the MADRE,
 * DE and DIOS of Madre de Dios, the MARTIN of San Martín). The words are
 * folded once, in the source: no name is folded at each call.
 */
bool region_name_word(const char *w, size_t len);

/*
 * region_label - "16 Loreto" for code 16, into out (REGION_LABEL_MAX
 * bytes); "" for a code that is no region. Returns out.
 */
char *region_label(uint32_t code, char out[REGION_LABEL_MAX]);

#endif
