/*
 * report_children.c - how many of the victims identified were children,
 * from the breakdown by age, and the paragraph of kuska report's page
 * that says it (rp_children, rp_children_para: report_int.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "i18n.h"
#include "report_int.h"
#include "svg.h"

/* The breakdown's age groups under 18 (EVENTS.md). */
static const char *const child_groups[] = {"0-5", "6-11", "12-13", "14-17"};

int
rp_children(const struct qtable *bd, struct svg_val total, long long *ret_n)
{
	long long n = 0, adult = 0; /* no 18+ row: none (rows of 0 left out) */
	bool any = false, withheld = false, adult_hidden = false;
	size_t i, g;

	if (bd == NULL || bd->error[0] != '\0')
		return -1;
	for (i = 0; i < bd->n_rows; i++) {
		const struct cell *c = html_cell(bd, i, "victims");
		const char *v = rp_text_of(bd, i, "value");
		if (strcmp(rp_text_of(bd, i, "dimension"), "age_group") != 0)
			continue;
		any = true;
		if (strcmp(v, "18+") == 0) {
			adult_hidden = c == NULL || c->kind != CELL_NUMBER;
			adult = adult_hidden ? 0 : c->number;
		}
		for (g = 0; g < sizeof(child_groups) / sizeof(child_groups[0]);
		     g++)
			if (strcmp(v, child_groups[g]) == 0)
				break;
		if (g == sizeof(child_groups) / sizeof(child_groups[0]))
			continue;
		if (c != NULL && c->kind == CELL_NUMBER)
			n += c->number;
		else if (c != NULL && c->kind == CELL_SUPPRESSED)
			withheld = true;
		else
			return -1;
	}
	if (!any)
		return -1;
	if (!withheld) {
		*ret_n = n;
		return 1;
	}
	/* Age groups partition the victims: the total less 18+, as
	 * sdg_table.c's from_breakdown gives the same role in sdg16_2_2. */
	if (total.kind != SVG_NUM || adult_hidden || total.v < (double)adult)
		return 0;
	*ret_n = (long long)total.v - adult;
	return 2;
}

void
rp_children_para(struct report *r, const struct qtable *bd, const char *period,
		 struct svg_val total, bool card)
{
	char all[48], kids[48] = "";
	long long n = 0;
	int shown;

	if (total.kind != SVG_NUM || total.v < 1)
		return;
	shown = rp_children(bd, total, &n);
	if (shown < 0)
		return;
	if (shown > 0)
		html_group(n, tr(M_THOUSANDS), kids, sizeof(kids));
	html_group((long long)total.v, tr(M_THOUSANDS), all, sizeof(all));
	fprintf(r->f, "<p class=\"children\" data-children=\"");
	html_escape(r->f, period);
	fprintf(r->f, "\" data-v=\"%s\">", shown > 0 ? kids : "");
	if (card && shown == 0)
		html_escape(r->f, tr(M_CHILDREN_CARD_WITHHELD));
	else if (card)
		rp_put(r, tr(M_CHILDREN_CARD), kids);
	else if (shown == 0)
		rp_put(r, tr(M_CHILDREN_WITHHELD), all);
	else if (shown == 2)
		rp_put(r, tr(M_CHILDREN_DERIVED), all, kids);
	else
		rp_put(r, tr(M_CHILDREN), all, kids);
	fprintf(r->f, "</p>\n");
}
