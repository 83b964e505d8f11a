/*
 * popfile.h - the population file that SDG indicator 16.2.2 divides by
 * (`population = FILE` in the consolidator's config; kuska.conf(5)).
 * kuska ships no population figures: INEI publishes them.
 *
 *	year,region,sex,age_group,population
 *	2025,00,F,0-17,5012345
 *	2025,00,F,18+,12034567
 *	2025,00,M,0-17,5198765
 *	2025,00,M,18+,11876543
 *	2025,15,F,0-17,1456789
 *	...
 *
 * CSV, UTF-8 (a byte-order mark is skipped), LF or CRLF line ends. The
 * first line that is not blank or a "#" comment is the header, exactly
 * those five names. A comment "# source: TEXT", once in the file, says
 * where the figures come from (printable UTF-8, less than
 * POPFILE_SOURCE_MAX bytes): the sdg16_2_2 table gives it, and the report
 * names it. Then one line per figure:
 *	year        2000 to 2100
 *	region      00 (or empty) for the whole country, or an INEI
 *	            department code 01 to 25
 *	sex         F or M
 *	age_group   0-17 or 18+
 *	population  a whole number, 1 to POPFILE_MAX_POPULATION
 * Spaces around a field, and double quotes around one, are allowed.
 * Every year and region given must have its four figures (F and M,
 * 0-17 and 18+); a region's figures are never added up into the
 * country's, which has its own lines (INEI's totals are rounded apart).
 * A file with a fault is refused as a whole, every fault named as
 * "FILE:LINE: reason" on a line of its own (a fault about the whole file
 * names no line; at most POPFILE_MAX_FAULTS, then a line counting the
 * rest), so that one reading shows the Commission all it must mend.
 */
#ifndef KUSKA_POPFILE_H
#define KUSKA_POPFILE_H

#include <stddef.h>
#include <stdint.h>

#define POPFILE_MAX_BYTES (1024 * 1024)
#define POPFILE_MAX_LINE 256 /* bytes of one line */
#define POPFILE_MAX_POPULATION 1000000000ULL
#define POPFILE_MIN_YEAR 2000
#define POPFILE_MAX_YEAR 2100
#define POPFILE_ERR_MAX 600 /* bytes of one fault's reason */
#define POPFILE_MAX_FAULTS 20
#define POPFILE_SOURCE_MAX 101 /* bytes of the source, its NUL too */
/* An err buffer that holds every fault told, for a path of up to
 * PATH bytes. */
#define POPFILE_ERRS_MAX(path) (POPFILE_MAX_FAULTS * (200 + (path)) + 64)

enum pop_sex { POP_F, POP_M };
enum pop_age { POP_0_17, POP_18_PLUS };

/* The four figures of one year and region. */
struct pop_entry {
	unsigned year;
	unsigned region;      /* 0: the whole country */
	uint64_t count[2][2]; /* [enum pop_sex][enum pop_age] */
	unsigned line[2][2];  /* where each was given */
};

/* A file's figures, by year and region in file order of first mention. */
struct popset {
	size_t n;
	struct pop_entry *items;
	char source[POPFILE_SOURCE_MAX]; /* "# source: TEXT"; "": none */
};

/*
 * popfile_parse - reads the len bytes of text, a population file that
 * messages call name. Returns 0 and *ret (free with popset_free); -EINVAL
 * with "name:LINE: reason" in err for each fault, one a line, as many
 * whole lines as errlen holds (*ret untouched); -ENOMEM.
 */
int popfile_parse(const char *name, const char *text, size_t len,
		  struct popset **ret, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * popfile_load - popfile_parse on the file at path, a regular file of at
 * most POPFILE_MAX_BYTES. A file that cannot be read is -errno, with
 * "path: reason" in err.
 */
int popfile_load(const char *path, struct popset **ret, char *err,
		 size_t errlen) __attribute__((warn_unused_result));

/* popset_free - frees *s (NULL is fine) and sets it to NULL. */
void popset_free(struct popset **s);

/* popset_find - the figures of year and region (0: the country), or
 * NULL; valid as long as s. */
const struct pop_entry *popset_find(const struct popset *s, unsigned year,
				    unsigned region);

#endif
