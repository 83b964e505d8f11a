/*
 * csvcell.h - one field of a CSV file that a person opens in a
 * spreadsheet: quoted when it must be, and never read there as a formula.
 */
#ifndef KUSKA_CSVCELL_H
#define KUSKA_CSVCELL_H

#include <stdbool.h>
#include <stdio.h>

/*
 * csvcell_formula - whether s begins as a spreadsheet formula would:
 * with =, +, -, @, a tab or a CR (Excel and LibreOffice evaluate such a
 * cell, so a value copied from input could run as one: CSV injection).
 */
bool csvcell_formula(const char *s);

/*
 * csvcell_write - writes s to f as one CSV field, with no separator:
 * bare, or between double quotes (each one inside doubled) when it holds
 * a comma, a double quote, a CR or a LF. A value that csvcell_formula
 * finds is written quoted with a single quote before it, as OWASP
 * advises: "'=1+2" shows =1+2 as text. So is a value that begins with a
 * ' itself ("''=1+2" is '=1+2), so that a field beginning with ' is
 * always the value after that first ', and no two values read the same.
 * A value that csvcell_misread finds is written between double quotes,
 * so that a spreadsheet told to take quoted fields as text (LibreOffice's
 * "Format quoted field as text") keeps it as written; a CSV reader gets
 * the same value either way.
 * For cells that may hold input text, never numbers (a negative number
 * would become text).
 */
void csvcell_write(FILE *f, const char *s);

/* The significant digits a spreadsheet keeps of a number (Excel's and
 * LibreOffice's precision): a ref of more reads as another number. */
#define CSVCELL_DIGITS_KEPT 15

/*
 * csvcell_misread - whether a spreadsheet would read the text s as a
 * number or a date of another value: digits and + - . / : e E only, from
 * a digit or a point on, and not a number as csvcell_number reads one,
 * or one a spreadsheet does not show as written: of more than
 * CSVCELL_DIGITS_KEPT significant digits, or a fraction ending in 0.
 * A region code 01 (1), an age group 6-11 (a date in Excel) or 18+ (18
 * where LibreOffice detects special numbers), an id 1e5 (100000), a
 * month 2025-11, a ref 12345678901234567 (12345678901234500) or 1.50
 * (1.5). Not 2025 or 15, which read as the same number.
 */
bool csvcell_misread(const char *s);

/*
 * csvcell_write_code - for a cell of a column of codes (a region, an age
 * group, an indicator's id, a case system's ref) or of periods: s
 * always between double quotes, after a ' as csvcell_write puts one, so
 * that a spreadsheet told to take quoted fields as text keeps the whole
 * column text: region 16 as "16" beside "01", not the number 16; the
 * year "2025" beside "2025H2". An empty s is written empty.
 */
void csvcell_write_code(FILE *f, const char *s);

/* csvcell_write_plain - as csvcell_write, without the formula's '. */
void csvcell_write_plain(FILE *f, const char *s);

/*
 * csvcell_number - whether s is a decimal number as kuska writes one:
 * an optional -, digits, and optionally a point and digits (-3, -0.5,
 * 12), with no leading zero before another digit (01 is a code, which a
 * spreadsheet would make 1). A spreadsheet reads such a cell as the
 * number, not a formula.
 */
bool csvcell_number(const char *s);

/*
 * csvcell_write_value - for a cell that holds a number or a text:
 * csvcell_write_plain when csvcell_number finds a number (a negative one
 * stays a number), else csvcell_write.
 */
void csvcell_write_value(FILE *f, const char *s);

#endif
