/*
 * test_report.c - the page of kuska report (report_page.c) from hand-made
 * answers: every section appears when its table is answered, including
 * the tables that newer consolidators add (indicators, timeliness,
 * estimate, written here with their documented columns); a table the
 * consolidator does not know leaves a note instead; the page loads
 * nothing; suppressed cells stay "<10"; English works.
 *
 * With KUSKA_REPORT_OUT=DIR the pages are also written to DIR (es.html,
 * en.html, analyst.html), to look at them in a browser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "event.h"
#include "i18n.h"
#include "period.h"
#include "report.h"
#include "report_deliveries.h"
#include "report_fixture.h"
#include "report_int.h"

#define ROLE "secretariat"

/* Indicators of one semester, as INDICATORS.md's CSV header has them (or
 * the first CODEC_MAX_COLUMNS of them' worth, while the codec has fewer
 * columns). */
static void
indicators(struct qtable *t, const char *role, const char *period, int step)
{
	static const char *const full =
	    "period,indicator,name,level,component,key,unit,value,baseline,"
	    "target,target_period,progress,status";
	static const char *const short8 =
	    "indicator,name,key,unit,value,baseline,target,status";
	static const char *const rows_full[4][7] = {
	    {"P,takeup-mimp,Referrals to MIMP taken up,outcome,protection,yes,"
	     "percent,61.5,61.5,80,2026H2,,no_data",
	     "P,mental-health,Mental-health care after identif.,outcome,"
	     "protection,yes,percent,20,20,40,2026H2,,no_data",
	     "P,complaint-formalized,Complaints formalized,outcome,"
	     "prosecution,yes,percent,30,30,45,2026H2,,no_data",
	     "P,days-to-accusation,Days from complaint to accusation,"
	     "outcome,prosecution,yes,days,210,210,150,2026H2,,no_data",
	     "P,seen-by-several,Victims seen by several institutions,"
	     "outcome,governance,yes,count,,40,80,2026H2,,suppressed",
	     "P,timeliness-pnp,PNP records within 30 days,assumption,"
	     "governance,no,percent,80,80,95,2026H2,,no_data",
	     NULL},
	    {"P,takeup-mimp,Referrals to MIMP taken up,outcome,protection,yes,"
	     "percent,63.2,61.5,80,2026H2,0.092,limited",
	     "P,mental-health,Mental-health care after identif.,outcome,"
	     "protection,yes,percent,23.4,20,40,2026H2,0.170,limited",
	     "P,complaint-formalized,Complaints formalized,outcome,"
	     "prosecution,yes,percent,24,30,45,2026H2,-0.400,deteriorating",
	     "P,days-to-accusation,Days from complaint to accusation,"
	     "outcome,prosecution,yes,days,190,210,150,2026H2,0.333,on_track",
	     "P,seen-by-several,Victims seen by several institutions,"
	     "outcome,governance,yes,count,55,40,80,2026H2,0.375,on_track",
	     "P,timeliness-pnp,PNP records within 30 days,assumption,"
	     "governance,no,percent,86,80,95,2026H2,0.400,on_track",
	     NULL},
	    {"P,takeup-mimp,Referrals to MIMP taken up,outcome,protection,yes,"
	     "percent,,61.5,80,2026H2,,no_data",
	     "P,mental-health,Mental-health care after identif.,outcome,"
	     "protection,yes,percent,25.8,20,40,2026H2,0.290,"
	     "acceleration_needed",
	     "P,complaint-formalized,Complaints formalized,outcome,"
	     "prosecution,yes,percent,17.8,30,45,2026H2,-0.813,deteriorating",
	     "P,days-to-accusation,Days from complaint to accusation,"
	     "outcome,prosecution,yes,days,170,210,150,2026H2,0.667,on_track",
	     "P,seen-by-several,Victims seen by several institutions,"
	     "outcome,governance,yes,count,,40,80,2026H2,,suppressed",
	     "P,timeliness-pnp,PNP records within 30 days,assumption,"
	     "governance,no,percent,92.5,80,95,2026H2,0.833,on_track",
	     NULL},
	    {"P,takeup-mimp,Referrals to MIMP taken up,outcome,protection,yes,"
	     "percent,64,61.5,80,2026H2,0.135,limited",
	     "P,mental-health,Mental-health care after identif.,outcome,"
	     "protection,yes,percent,41,20,40,2026H2,1.050,achieved",
	     "P,complaint-formalized,Complaints formalized,outcome,"
	     "prosecution,yes,percent,17.8,30,45,2026H2,-0.813,deteriorating",
	     "P,days-to-accusation,Days from complaint to accusation,"
	     "outcome,prosecution,yes,days,170,210,150,2026H2,0.667,on_track",
	     "P,seen-by-several,Victims seen by several institutions,"
	     "outcome,governance,yes,count,,40,80,2026H2,,suppressed",
	     "P,timeliness-pnp,PNP records within 30 days,assumption,"
	     "governance,no,percent,92.5,80,95,2026H2,0.833,on_track",
	     NULL},
	};
	char rows[7][600];
	const char *ptrs[7];
	size_t i;

	for (i = 0; rows_full[step][i] != NULL; i++) {
		const char *r = rows_full[step][i] + 2; /* after "P," */
		if (CODEC_MAX_COLUMNS >= 13) {
			snprintf(rows[i], sizeof(rows[i]), "%s,%s", period, r);
		} else {
			/* indicator,name,level,component,key,unit,value,
			 * baseline,target,... -> the eight of short8 */
			char f[13][64];
			const char *s = r;
			size_t n = 0;
			while (n < 12) {
				const char *e = strchr(s, ',');
				size_t l = e ? (size_t)(e - s) : strlen(s);
				snprintf(f[n++], sizeof(f[0]), "%.*s", (int)l,
					 s);
				if (e == NULL)
					break;
				s = e + 1;
			}
			snprintf(rows[i], sizeof(rows[i]),
				 "%s,%s,%s,%s,%s,%s,%s,%s", f[0], f[1], f[4],
				 f[5], f[6], f[7], f[8], f[11]);
		}
		ptrs[i] = rows[i];
	}
	ptrs[i] = NULL;
	fixture_table(t, role, 10, CODEC_MAX_COLUMNS >= 13 ? full : short8,
		      ptrs);
}

/* The answers of a small national picture for 2025H2. */
static void
fill(struct report_data *d, const char *role, bool newer_tables)
{
	static const char *const id[] = {"2025H2,pnp,156",
					 "2025H2,mp,113",
					 "2025H2,pj,0",
					 "2025H2,mimp,87",
					 "2025H2,minsa,86",
					 "2025H2,all,298",
					 NULL};
	static const char *const overlap[] = {"2025H2,pnp,70",
					      "2025H2,mp,42",
					      "2025H2,mimp,23",
					      "2025H2,minsa,24",
					      "2025H2,pnp+mp,20",
					      "2025H2,pnp+mimp,15",
					      "2025H2,pnp+minsa,20",
					      "2025H2,mp+mimp,15",
					      "2025H2,mp+minsa,10",
					      "2025H2,mimp+minsa,<10",
					      "2025H2,pnp+mp+mimp,<10",
					      "2025H2,pnp+mp+minsa,<10",
					      "2025H2,pnp+mimp+minsa,<10",
					      "2025H2,mp+mimp+minsa,<10",
					      "2025H2,pnp+mp+mimp+minsa,0",
					      "2025H2,unlinkable,23",
					      NULL};
	static const char *const referrals[] = {
	    "2025H2,pnp,mp,63,49,14,6",	      "2025H2,pnp,mimp,75,48,27,6",
	    "2025H2,pnp,minsa,65,46,19,6",    "2025H2,mp,pj,<10,<10,0,",
	    "2025H2,mp,mimp,31,<10,<10,",     "2025H2,mimp,minsa,18,<10,<10,",
	    "2025H2,minsa,mimp,<10,<10,<10,", NULL};
	static const char *const protection[] = {
	    "2025H2,legal_aid,26,20",
	    "2025H2,medical,105,11",
	    "2025H2,mental_health,77,27",
	    "2025H2,reintegration,26,185",
	    "2025H2,residential_care,37,14",
	    "2025H2,special_protection,83,16",
	    NULL};
	static const char *const funnel[] = {
	    "2025H2,complaint,101,",
	    "2025H2,preliminary_investigation,76,0.248",
	    "2025H2,formalized_investigation,18,0.763",
	    "2025H2,accusation,<10,",
	    "2025H2,trial,0,",
	    "2025H2,conviction,0,",
	    "2025H2,acquittal,0,",
	    "2025H2,dismissal,<10,",
	    NULL};
	static const char *const prosecution[] = {
	    "2025H2,complaint,101,194",
	    "2025H2,preliminary_investigation,84,151",
	    "2025H2,formalized_investigation,51,94",
	    "2025H2,accusation,42,70",
	    "2025H2,trial,31,48",
	    "2025H2,conviction,16,23",
	    "2025H2,acquittal,<10,15",
	    "2025H2,dismissal,51,90",
	    NULL};
	static const char *const durations[] = {
	    "2025H2,complaint,preliminary_investigation,17",
	    "2025H2,preliminary_investigation,formalized_investigation,101",
	    "2025H2,formalized_investigation,accusation,170",
	    "2025H2,accusation,trial,100",
	    "2025H2,trial,conviction,",
	    NULL};
	static const char *const timeliness[] = {"2025H2,pnp,512,4,96.1",
						 "2025H2,mp,498,9,88.0",
						 "2025H2,pj,41,35,46.3",
						 "2025H2,mimp,402,12,79.9",
						 "2025H2,minsa,355,21,61.4",
						 "2025H2,all,1808,9,84.2",
						 NULL};
	static const char *const estimate[] = {
	    "2025H2,pnp+mp+mimp+minsa,275,main,,512,431,622,23 unlinkable "
	    "left out",
	    "2025H2,pnp+mp+mimp+minsa,275,stepwise,pnp:mimp,468,402,561,23 "
	    "unlinkable left out",
	    "2025H2,pnp+mp+mimp+minsa,275,bootstrap,pnp:mimp,468,391,590,"
	    "BCa 95% 1000 resamples of stepwise seed 1",
	    NULL};
	static const char *const sdg[] = {
	    "2025H2,F,0-17,5012345,<10,,,,withheld from the secretariat "
	    "whatever the number: no figure it is given crosses sex with age "
	    "group",
	    "2025H2,F,18+,12034567,<10,,,,withheld from the secretariat "
	    "whatever the number: no figure it is given crosses sex with age "
	    "group",
	    "2025H2,F,all,17046912,181,1.06,,,",
	    "2025H2,M,0-17,5198765,<10,,,,withheld from the secretariat "
	    "whatever the number: no figure it is given crosses sex with age "
	    "group",
	    "2025H2,M,18+,11876543,<10,,,,withheld from the secretariat "
	    "whatever the number: no figure it is given crosses sex with age "
	    "group",
	    "2025H2,M,all,17075308,94,0.55,,,",
	    "2025H2,all,0-17,10211110,232,2.27,,,",
	    "2025H2,all,18+,23911086,43,0.18,,,",
	    "2025H2,all,all,34122196,275,0.81,470,1.38,estimate of all victims",
	    NULL};
	/* The identification's 298 victims by age group: row 5 is 18+. */
	static const char *const breakdown[] = {
	    "2025H2,sex,F,190",	       "2025H2,sex,M,108",
	    "2025H2,age_group,6-11,21", "2025H2,age_group,12-13,64",
	    "2025H2,age_group,14-17,170", "2025H2,age_group,18+,43",
	    NULL};
	static const char *const sources[] = {
	    "pnp,1692", "mp,1649", "pj,127", "mimp,1378", "minsa,1162", NULL};
	/* Against the end of 2025H2: pnp and mimp fresh, mp exactly 30
	 * days before (not flagged), pj silent since September, minsa
	 * never heard from. */
	static const char *const deliveries[] = {
	    "pnp,2025-12-30T09:15Z,1692", "mp,2025-12-01T00:00Z,1649",
	    "pj,2025-09-14T16:40Z,127", "mimp,2026-01-10T08:00Z,1378",
	    "minsa,,0", NULL};
	static const char *const periods[] = {"2024H1", "2024H2", "2025H1",
					      "2025H2"};
	size_t i;

	memset(d, 0, sizeof(*d));
	d->period = "2025H2";
	d->code = 20256;
	/* An institution's officers' key is named for them, not for it. */
	snprintf(d->client_id, sizeof(d->client_id), "%s",
		 strcmp(role, "institution") == 0 ? "pnp-stats" : role);
	snprintf(d->consolidator, sizeof(d->consolidator),
		 "tcp://127.0.0.1:7401");
	snprintf(d->cons_id, sizeof(d->cons_id), "consolidator");
	snprintf(d->cons_fp, sizeof(d->cons_fp), "3ba6b14c3c1a2c0d");
	d->made = 1780000000;
	/* The page judges a period open or just over as of d->today, which
	 * cmd_report reads once; the tests that want a day set their own. */
	d->today = date_today();
	fixture_table(&d->t[RT_SOURCES], role, 10, "institution,events",
		      sources);
	fixture_table(&d->t[RT_IDENTIFICATION], role, 10,
		      "period,institution,victims", id);
	fixture_table(&d->t[RT_OVERLAP], role, 10,
		      "period,institutions,victims", overlap);
	fixture_table(&d->t[RT_BREAKDOWN], role, 10,
		      "period,dimension,value,victims", breakdown);
	fixture_table(&d->t[RT_REFERRALS], role, 10,
		      "period,from,to,sent,taken_up,pending,median_days",
		      referrals);
	fixture_table(&d->t[RT_PROTECTION], role, 10,
		      "period,service,victims,median_days", protection);
	fixture_table(&d->t[RT_FUNNEL], role, 10,
		      "period,stage,cases,attrition", funnel);
	fixture_table(&d->t[RT_PROSECUTION], role, 10,
		      "period,stage,cases,persons", prosecution);
	fixture_table(&d->t[RT_DURATIONS], role, 10,
		      "period,from_stage,to_stage,median_days", durations);
	if (!newer_tables) {
		fixture_error(&d->t[RT_INDICATORS], role,
			      "unknown table \"indicators\"");
		fixture_error(&d->t[RT_TIMELINESS], role,
			      "unknown table \"timeliness\"");
		fixture_error(&d->t[RT_ESTIMATE], role,
			      "unknown table \"estimate\"");
		fixture_error(&d->t[RT_SDG], role,
			      "unknown table \"sdg16_2_2\"");
		fixture_error(&d->t[RT_DELIVERIES], role,
			      "unknown table \"deliveries\"");
		return;
	}
	indicators(&d->t[RT_INDICATORS], role, "2025H2", 3);
	for (i = 0; i < 4; i++) {
		indicators(&d->trend[i], role, periods[i], (int)i);
		snprintf(d->trend_period[i], sizeof(d->trend_period[i]), "%s",
			 periods[i]);
	}
	d->n_trend = 4;
	fixture_table(
	    &d->t[RT_TIMELINESS], role, 10,
	    "period,institution,records,median_days,within_30_days_pct",
	    timeliness);
	fixture_table(&d->t[RT_ESTIMATE], role, 10,
		      "period,lists,observed,method,interactions,estimate,"
		      "low95,high95,note",
		      estimate);
	fixture_table(&d->t[RT_SDG], role, 10,
		      "period,sex,age_group,population,victims,"
		      "victims_per_100k,estimate,estimate_per_100k,note",
		      sdg);
	fixture_table(&d->t[RT_DELIVERIES], role, 10,
		      "institution,last_delivery,events", deliveries);
}

static void
clear(struct report_data *d)
{
	size_t i;

	for (i = 0; i < RT_COUNT; i++)
		codec_qtable_clear(&d->t[i]);
	for (i = 0; i < d->n_trend; i++)
		codec_qtable_clear(&d->trend[i]);
	for (i = 0; i < d->n_year; i++)
		codec_qtable_clear(&d->year[i]);
}

/* The page for d, as a string (the caller frees), kept in
 * KUSKA_REPORT_OUT/name when that is set. */
static char *
page(const struct report_data *d, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *dir = getenv("KUSKA_REPORT_OUT");

	assert_non_null(f);
	assert_int_equal(report_page(f, d), 0);
	assert_int_equal(fclose(f), 0);
	if (dir != NULL) {
		char path[512];
		FILE *o;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		o = fopen(path, "w");
		assert_non_null(o);
		fwrite(buf, 1, len, o);
		fclose(o);
	}
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static bool figure_says(const char *p, const char *id, const char *s);
static size_t part_count(const char *p, const char *open, const char *close,
			 const char *s);

static void
test_every_section(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "es.html");
	assert_non_null(strstr(p, "<html lang=\"es\">"));
	assert_non_null(strstr(p, " \u00b7 Vista <span class=\"role\">"
				  "secretaría</span> \u00b7 "));
	assert_non_null(strstr(p, "id=\"f-key\""));
	assert_non_null(strstr(p, "id=\"f-trend\""));
	assert_non_null(strstr(p, "id=\"f-other\""));
	assert_non_null(strstr(p, "id=\"f-overlap\""));
	assert_non_null(strstr(p, "id=\"f-timeliness\""));
	assert_non_null(strstr(p, "id=\"f-estimate\""));
	assert_non_null(strstr(p, "id=\"f-sdg\""));
	assert_null(strstr(p, "class=\"notice\""));
	/* The estimate says what it assumes and which interval to publish;
	 * SDG 16.2.2 has its rates, and the estimate's. */
	assert_non_null(strstr(p, "Qué supone la estimación"));
	/* The time the page was made, in Peru and in UTC, as the
	 * deliveries beside it are. */
	assert_non_null(strstr(p, "Generado el 2026-05-28 15:26 (hora de "
				  "Perú, UTC\u22125; 2026-05-28 20:26 UTC)"));
	/* The unlinkable victims left out are counted where every view
	 * shows them: a suppressed estimate's note does not. */
	assert_non_null(strstr(p, "quedan fuera del modelo (la fila «Sin "
				  "enlace» de la tabla de coincidencias dice "
				  "cuántas)."));
	assert_non_null(strstr(p, "con 1000 remuestreos (semilla 1)"));
	assert_non_null(strstr(p, "<code>kuska query estimate --boot 1000 "
				  "--seed 1 --period 2025H2</code>"));
	assert_non_null(strstr(p, "data-q=\"sdg16_2_2 2025H2 8 "
				  "estimate_per_100k\">1.38</td>"));
	assert_non_null(strstr(p, "Mujeres, 0-17 años"));
	/* A population of eight digits is read in groups of three (with
	 * no break), as the page writes 100 000; data-v keeps the digits. */
	assert_non_null(strstr(p, "data-q=\"sdg16_2_2 2025H2 8 population\" "
				  "data-v=\"34122196\">34\u00a0122\u00a0196<"));
	assert_non_null(strstr(p, "misma población, 34\u00a0122\u00a0196 "
				  "personas de todas las edades."));
	/* A count of four digits stays as it is. */
	assert_non_null(strstr(p, "data-q=\"sources 2025H2 0 events\">1692<"));
	/* Girls, boys, women and men are withheld from the secretariat
	 * whatever their number: "Reservado", with the row's note, not
	 * "<10", which says 1 to 9 or one that would give such away. */
	assert_non_null(strstr(p, "<td class=\"alt\" data-q=\"sdg16_2_2 "
				  "2025H2 0 victims\" data-v=\"&lt;10\">"
				  "Reservado</td>"));
	assert_int_equal(count(p, "victims\" data-v=\"&lt;10\">Reservado"),
			 4);
	assert_false(figure_says(p, "f-sdg", "&lt;10</td>"));
	/* Their rates are withheld with them: the chart's bar reads as
	 * the table beside it does, not "–" (no data), and its note says
	 * why. */
	assert_int_equal(part_count(p, "id=\"f-sdg\"", "</svg>",
				    "class=\"v hid\">Reservado</text>"),
			 4);
	assert_false(figure_says(p, "f-sdg", "class=\"v\">\u2013</text>"));
	assert_true(figure_says(p, "f-sdg",
				"En el gráfico, un valor que descansa en una "
				"cifra reservada (una tasa o una proporción "
				"de ella) lleva la marca de esa cifra en la "
				"tabla, sin barra."));
	/* ... and the legend under the figure says it too, as the other
	 * figures' legends say what their marks mean. */
	assert_true(figure_says(p, "f-sdg",
				"«Reservado»: las víctimas de un sexo y un "
				"grupo de edad a la vez no se muestran a "
				"la secretaría, sea cual sea su número"));
	/* A row with no note has a blank one, not "–" (no data or
	 * withheld), nor one of the estimate's. */
	assert_non_null(strstr(p, "data-q=\"sdg16_2_2 2025H2 2 note\"></td>"));
	assert_non_null(strstr(p, "data-q=\"estimate 2025H2 0 note\""));
	assert_null(strstr(p, "note\">\u2013</td>"));
	/* A semester's rates are not the yearly SDG figure: the figure
	 * says so, and where that one is. */
	assert_true(figure_says(p, "f-sdg",
				"Las tasas son de las víctimas de este "
				"periodo, no de un año, sobre la población "
				"del año: el ODS 16.2.2 es una tasa anual y se "
				"publica con el informe de 2025."));
	/* ... and not in its small print only: its title, how to read it
	 * and the estimate's sentence name the semester, not SDG 16.2.2
	 * (it was titled as the yearly rate). 100 000 does not break
	 * between its groups. */
	assert_true(figure_says(p, "f-sdg",
				"</span> Víctimas identificadas en el segundo "
				"semestre de 2025 por cada 100\u00a0000 "
				"habitantes: no es el ODS 16.2.2, una tasa "
				"anual</figcaption>"));
	assert_false(figure_says(p, "f-sdg", "ODS 16.2.2: víctimas por cada"));
	assert_true(figure_says(p, "f-sdg",
				"Cada barra son las víctimas identificadas en "
				"el segundo semestre de 2025 por cada "
				"100\u00a0000 personas del grupo"));
	assert_true(figure_says(p, "f-sdg",
				"no se compara con la tasa anual del ODS "
				"16.2.2, que da el informe de 2025."));
	assert_true(figure_says(p, "f-sdg", "Víctimas por 100\u00a0000</th>"));
	assert_non_null(strstr(p, "La estimación del segundo semestre de 2025 "
				  "por cada 100\u00a0000 habitantes, 1.38, "
				  "tiene un intervalo BCa del 95 % de "));
	assert_null(strstr(p, "100 000"));
	/* Numbers of the newer tables, each tied to its query cell. */
	assert_non_null(
	    strstr(p, "data-q=\"timeliness 2025H2 2 within_30_days_pct\">"
		      "46.3</td>"));
	/* Its chart writes a share as the table does: 88.0, not 88. */
	assert_non_null(strstr(p, "data-q=\"timeliness 2025H2 1 "
				  "within_30_days_pct\">88.0</td>"));
	assert_true(figure_says(p, "f-timeliness", "class=\"v\">88.0%<"));
	assert_false(figure_says(p, "f-timeliness", "class=\"v\">88%<"));
	assert_non_null(strstr(p, "data-q=\"estimate 2025H2 1 estimate\">"
				  "468</td>"));
	assert_non_null(strstr(p, "data-q=\"indicators 2024H2 0 value\">"
				  "63.2</td>"));
	/* A suppressed indicator is a badge, not a number, and the key
	 * indicators' figure says what the badge means. */
	assert_non_null(strstr(p, "b-suppressed"));
	assert_true(figure_says(p, "f-key",
				"«Reservado»: valor reservado por "
				"confidencialidad"));
	/* Status badges keep the raw status for scripts. */
	assert_non_null(strstr(p, "data-v=\"deteriorating\""));
	/* Suppressed cells, small or hidden to protect a small one, read
	 * the same "x", not "<10", which a reader takes for 1 to 9 (one
	 * hidden beside a small one may be a hundred): in cells marked as
	 * such, the answer's "<10" in data-v; and in the charts. */
	assert_non_null(strstr(p, "<td class=\"sup\" data-q=\"overlap 2025H2 "
				  "9 victims\" data-v=\"&lt;10\">x</td>"));
	assert_int_equal(count(p, "&lt;10"), count(p, "data-v=\"&lt;10\""));
	assert_true(figure_says(p, "f-overlap", "class=\"v hid\" "));
	assert_false(figure_says(p, "f-overlap", "&lt;10</text>"));
	/* The notes say that it may be any size, never that it is 1 to 9. */
	assert_non_null(strstr(p,
			       "«x»: una cifra reservada por "
			       "confidencialidad, que puede ser de cualquier "
			       "tamaño: de 1 a 9, o mayor"));
	assert_non_null(strstr(p, "las cifras de 1 a 9, y otras que "
				  "permitirían deducirlas de los totales, se "
				  "reservan y todas se muestran igual, como "
				  "«x»"));
	assert_null(strstr(p, "una cifra de 1 a 9"));
	/* A withheld median or share arrives empty, as one with nothing
	 * to take: the secretariat's "–" may be either. */
	assert_non_null(strstr(p, "«\u2013»: sin dato, o un valor reservado "
				  "por confidencialidad (una mediana, "
				  "proporción o estimación"));
	/* The funnel's line on how to read it writes its example as the
	 * table (0.250) and the chart (−25.0%) do, not with a comma, and
	 * says it is one: a bare number there read as the table's first
	 * attrition, which it is not (0.248 here). */
	assert_non_null(strstr(p, "por ejemplo, 0.250 en la tabla es "
				  "\u221225.0% en el gráfico."));
	assert_null(strstr(p, "0,250"));
	assert_null(strstr(p, "(0.209)"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "en-sdg.html");
	assert_true(figure_says(p, "f-sdg",
				"The rates are of this period&#39;s victims, "
				"not a year&#39;s, over the year&#39;s "
				"population: SDG "
				"16.2.2 is a yearly rate, published with the "
				"report of 2025."));
	assert_true(figure_says(p, "f-sdg",
				"</span> Victims identified in the second half "
				"of 2025 per 100,000 population: not SDG "
				"16.2.2, a yearly rate</figcaption>"));
	assert_non_null(strstr(p, "The estimate for the second half of 2025 "
				  "per 100,000 inhabitants, 1.38, has a 95% "
				  "BCa interval of "));
	assert_true(figure_says(p, "f-sdg",
				"\u201cWithheld\u201d: the victims of one sex "
				"and one age group together are withheld"));
	assert_int_equal(part_count(p, "id=\"f-sdg\"", "</svg>",
				    "class=\"v hid\">Withheld</text>"),
			 4);
	assert_true(figure_says(p, "f-sdg",
				"In the chart, a value that rests on a "
				"withheld count (a rate or a share of it) "
				"bears that count&#39;s mark in the table, "
				"with no bar."));
	assert_non_null(strstr(p, "counts from 1 to 9, and others that "
				  "would let them be worked out from the "
				  "totals, are withheld and all shown alike, "
				  "as \u201cx\u201d"));
	assert_non_null(strstr(p, "Made on 2026-05-28 15:26 (Peru time, "
				  "UTC\u22125; 2026-05-28 20:26 UTC)"));
	free(p);
	i18n_set(LANG_ES);
	/* The year's report is the yearly figure. */
	d.period = "2025";
	d.code = 20250;
	p = page(&d, "sdg-2025.html");
	assert_true(strstr(p, "id=\"f-sdg\"") != NULL);
	assert_false(figure_says(p, "f-sdg", "Las tasas son de las víctimas "
					     "de este periodo"));
	/* ... titled as SDG 16.2.2. */
	assert_true(figure_says(p, "f-sdg",
				"</span> ODS 16.2.2: víctimas por cada "
				"100\u00a0000 habitantes</figcaption>"));
	assert_true(figure_says(p, "f-sdg",
				"Cada barra es la tasa de víctimas "
				"identificadas en el periodo por cada "
				"100\u00a0000 personas"));
	assert_non_null(strstr(p,
			       "La estimación por cada 100\u00a0000 "
			       "habitantes, 1.38, tiene un intervalo BCa del "
			       "95 % de "));
	assert_non_null(strstr(p, "el que se publica con ella"));
	clear(&d);
	free(p);
}

static void
test_unknown_tables_leave_notes(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, false);
	p = page(&d, "older.html");
	assert_int_equal(count(p, "class=\"notice\""), 3);
	assert_null(strstr(p, "id=\"f-sdg\""));
	assert_non_null(strstr(p, "tabla «timeliness»"));
	assert_null(strstr(p, "id=\"f-timeliness\""));
	assert_null(strstr(p, "id=\"f-key\""));
	/* The rest is there. */
	assert_non_null(strstr(p, "id=\"f-funnel\""));
	clear(&d);
	free(p);
}

/* A quarter's page says, in its own language, that indicators go by
 * semester or year, instead of the consolidator's English refusal. */
static void
test_quarter_has_no_indicators(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	d.period = "2025Q3";
	d.code = 20253;
	codec_qtable_clear(&d.t[RT_INDICATORS]);
	fixture_error(&d.t[RT_INDICATORS], ROLE,
		      "bad period \"2025Q3\": indicators are measured by "
		      "year (2025) or semester (2025H1)");
	p = page(&d, "quarter.html");
	assert_non_null(strstr(p, "Los indicadores se miden por semestre o "
				  "por año, no por trimestre: véanse en el "
				  "informe de 2025H2 o de 2025."));
	assert_null(strstr(p, "measured by"));
	assert_null(strstr(p, "id=\"f-key\""));
	assert_non_null(strstr(p, "id=\"f-referrals\""));
	/* Its title names it with an ordinal ("in the third quarter of
	 * 2025" reads; "in the quarter 3 of 2025" did not). */
	assert_non_null(strstr(p, "seguimiento, tercer trimestre de 2025"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "quarter-en.html");
	assert_non_null(strstr(p, "monitoring report, third quarter of 2025"));
	free(p);
	i18n_set(LANG_ES);
	/* A consolidator too old to have indicators: that is what is said. */
	codec_qtable_clear(&d.t[RT_INDICATORS]);
	fixture_error(&d.t[RT_INDICATORS], ROLE,
		      "unknown table \"indicators\"");
	p = page(&d, "quarter-old.html");
	assert_null(strstr(p, "no por trimestre"));
	assert_non_null(strstr(p, "todavía no la conoce"));
	clear(&d);
	free(p);
}

/* The consolidator's refusals a report meets are said in the page's
 * language; one it does not know stays as it came. */
static void
test_refusals_in_spanish(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	codec_qtable_clear(&d.t[RT_SDG]);
	fixture_error(&d.t[RT_SDG], ROLE,
		      "the population file has no figures for 2025 for the "
		      "country (region 00)");
	codec_qtable_clear(&d.t[RT_OVERLAP]);
	fixture_error(&d.t[RT_OVERLAP], ROLE,
		      "the overlap table is not open to an institution");
	codec_qtable_clear(&d.t[RT_TIMELINESS]);
	fixture_error(&d.t[RT_TIMELINESS], ROLE, "a reason of tomorrow");
	p = page(&d, "refused.html");
	assert_non_null(strstr(p, "tabla «sdg16_2_2»: el archivo de población "
				  "no tiene cifras de 2025 para el país "
				  "(región 00)"));
	assert_non_null(strstr(p, "tabla «overlap»: las coincidencias entre "
				  "instituciones no están abiertas a una "
				  "institución"));
	assert_non_null(strstr(p, "tabla «timeliness»: a reason of tomorrow"));
	assert_null(strstr(p, "not open"));
	assert_null(strstr(p, "has no figures"));
	clear(&d);
	free(p);
	/* In English, as the consolidator wrote them. */
	i18n_set(LANG_EN);
	assert_string_equal(i18n_reason("not authorised to query"),
			    "not authorised to query");
	i18n_set(LANG_ES);
	assert_string_equal(
	    i18n_reason("the population file has no figures for 2025 for "
			"region 15"),
	    "el archivo de población no tiene cifras de 2025 para la región "
	    "15");
	assert_string_equal(
	    i18n_reason("the population file has no figures for 2025 for "
			"region 15, and more"),
	    "the population file has no figures for 2025 for region 15, and "
	    "more");
}

/* Nothing in the page can make a browser fetch anything. */
static void
test_loads_nothing(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "es.html");
	assert_non_null(strstr(p,
			       "<meta http-equiv=\"Content-Security-Policy\" "
			       "content=\"default-src 'none'; style-src "
			       "'unsafe-inline'"));
	assert_null(strstr(p, "http:"));
	assert_null(strstr(p, "https:"));
	assert_null(strstr(p, "src="));
	assert_null(strstr(p, "url("));
	assert_null(strstr(p, "@import"));
	assert_null(strstr(p, "<script"));
	assert_null(strstr(p, "<link"));
	assert_int_equal(count(p, "href=\""), count(p, "href=\"#"));
	clear(&d);
	free(p);
}

static void
test_english_and_analyst(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "analyst", true);
	p = page(&d, "analyst.html");
	assert_non_null(strstr(p, "<html lang=\"en\">"));
	assert_non_null(strstr(p, "Analyst view: exact counts"));
	/* The page's role in English order ("View analyst" read as an
	 * order). */
	assert_non_null(strstr(p, " \u00b7 <span class=\"role exact\">analyst"
				  "</span> view</p>"));
	assert_null(strstr(p, "View "));
	assert_non_null(strstr(p, "The prosecution funnel"));
	/* Spelt as the stage (formalized_investigation) and the shipped
	 * indicators name it. */
	assert_non_null(strstr(p, "Formalized investigation"));
	assert_null(strstr(p, "Formalised"));
	assert_null(strstr(p, "Cómo leerla"));
	/* Nothing is withheld from an analyst: "–" is no data. */
	assert_non_null(strstr(p, "“\u2013”: no data."));
	assert_null(strstr(p, "no data, or a value withheld"));
	/* A population in groups of three, as "100,000" is written. */
	assert_non_null(strstr(p, "data-v=\"34122196\">34,122,196<"));
	assert_non_null(strstr(p, "same population, 34,122,196 people"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* The indicators answer with the expression column report.c adds from
 * indicator_definitions: row 0's as long as the shipped sum of medians
 * (a long_text cell), the others short. */
static void
add_expressions(struct qtable *t)
{
	static const char *const sum =
	    "durations.median_days[from_stage=complaint, "
	    "to_stage=preliminary_investigation] + "
	    "durations.median_days[from_stage=preliminary_investigation, "
	    "to_stage=formalized_investigation]";
	size_t col = t->n_cols++, i;

	assert_true(col < CODEC_MAX_COLUMNS);
	snprintf(t->cols[col], sizeof(t->cols[col]), "expression");
	for (i = 0; i < t->n_rows; i++) {
		struct cell *c = &t->rows[i][col];
		memset(c, 0, sizeof(*c));
		c->kind = CELL_TEXT;
		if (i == 0)
			c->long_text = strdup(sum);
		else
			snprintf(c->text, sizeof(c->text),
				 "referrals.median_days[from=pnp,to=mimp]");
	}
}

/* On a screen and printed on A4, the indicators' table fits: its expressions
 * wrap between their terms (spaces, operators, before a reference's
 * filters and after their commas and equals signs), never inside a name,
 * and a figure taller than what is left of a page breaks between its
 * chart and its table or between the table's rows instead of leaving the
 * page before it blank. */
static void
test_indicators_print(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_expressions(&d.t[RT_INDICATORS]);
	p = page(&d, "print.html");
	/* No figure is kept whole on a page, only its charts: a figure that
	 * does not fit breaks (test_report measures the printed pages). */
	assert_non_null(strstr(p, "<figure id=\"f-key\">"));
	assert_non_null(strstr(p, "<figure id=\"f-other\">"));
	assert_null(strstr(p, "figure{margin:1.2em 0 2em;break-inside:avoid"));
	assert_non_null(strstr(p, "svg.chart{break-inside:avoid;"));
	assert_null(strstr(p, "break-before:page"));
	/* Printed, a table's first and last rows each go over with two
	 * neighbours: the key indicators' last row was alone on page 2,
	 * under its repeated head, then its last two (and SDG 16.2.2's). */
	assert_true(strstr(p,
			   "tbody tr:nth-child(2),tbody tr:nth-child(3),"
			   "tbody tr:nth-last-child(-n+2)"
			   "{break-before:avoid;") > strstr(p, "@media print"));
	/* A caption and head went to a page's foot with no row under them,
	 * a table of six rows was cut 4+2, a section's heading was left at
	 * the foot (test_report prints them): the head goes with its first
	 * row, a short table whole, a heading with its section. */
	assert_true(strstr(p, "tbody tr:first-child{break-before:avoid;") >
		    strstr(p, "@media print"));
	assert_true(strstr(p,
			   "table:not(:has(tbody>tr:nth-child(9)))"
			   "{break-inside:avoid;") > strstr(p, "@media print"));
	assert_true(strstr(p, "h2+p{break-after:avoid;") >
		    strstr(p, "@media print"));
	assert_true(strstr(p, "section::before,footer::before{content:\"\";"
			      "display:block}") > strstr(p, "@media print"));
	/* A figure's title was left at a page's foot, its chart on the
	 * next (SDG 16.2.2's, the secretariat's 2025H2 in English). */
	assert_true(strstr(p, "figure:not(h2+figure,h2+p+figure)::before"
			      "{content:\"\";display:block}") >
		    strstr(p, "@media print"));
	/* On a phone, a chart or table wider than the screen scrolls
	 * sideways: a shadow on the edge with more says so, with no
	 * script (the page's policy allows none). */
	assert_true(strstr(p, ".cw,.tw{background:linear-gradient(") >
		    strstr(p, "@media (max-width:600px)"));
	assert_non_null(strstr(p, "background-attachment:local,local,"
				  "scroll,scroll}"));
	assert_null(strstr(p, "<script"));
	assert_non_null(strstr(p, "td.x{white-space:normal;"
				  "overflow-wrap:normal;word-break:normal;"));
	/* On a screen too: not in the print rules only. */
	assert_true(strstr(p, "td.x{") < strstr(p, "@media print"));
	/* No rule lets a name break anywhere, save in a <code>. */
	assert_int_equal(count(p, "overflow-wrap:anywhere"), 1);
	assert_non_null(strstr(p, "code{font-family:"));
	/* The breaks are between terms. */
	assert_non_null(strstr(
	    p, "<td class=\"x\" data-q=\"indicators 2025H2 1 expression\">"
	       "referrals.median_days<wbr>[from=<wbr>pnp,<wbr>to=<wbr>mimp]"
	       "</td>"));
	assert_non_null(strstr(
	    p, "expression\">durations.median_days<wbr>[from_stage=<wbr>"
	       "complaint, to_stage=<wbr>preliminary_investigation] + "
	       "durations.median_days<wbr>[from_stage=<wbr>"));
	assert_non_null(strstr(p, "tr{break-inside:avoid;"));
	/* A long expression is text like a short one, not an empty cell
	 * (class "na": grey, right-aligned). */
	assert_non_null(strstr(p, "<td class=\"x\" data-q=\"indicators "
				  "2025H2 0 expression\">durations."));
	assert_null(strstr(p, "class=\"na\" data-q=\"indicators 2025H2 0 "
			      "expression"));
	clear(&d);
	free(p);
}

/* The estimate's notes as the consolidator writes them (long texts,
 * parts joined by "; "). */
static void
real_notes(struct qtable *t)
{
	static const char *const notes[] = {
	    "suppressed: computed from overlap counts the secretariat is not "
	    "shown",
	    "model-conditional 95%, log-normal; pnp and pj never overlap "
	    "(effect -inf); 2 more pairs never overlap (effect -inf); 1 more "
	    "pair never overlaps (effect -inf); 129 unlinkable victims left "
	    "out (not in the overlap)",
	    "BCa 95%, 1000 resamples of stepwise, seed 1; 3 without an "
	    "estimate, counted as infinite; a part kuska does not know",
	};
	size_t col, i;

	for (col = 0; col < t->n_cols; col++)
		if (strcmp(t->cols[col], "note") == 0)
			break;
	assert_true(col < t->n_cols);
	for (i = 0; i < t->n_rows && i < 3; i++) {
		struct cell *c = &t->rows[i][col];
		memset(c, 0, sizeof(*c));
		c->kind = CELL_TEXT;
		c->long_text = strdup(notes[i]);
	}
}

/* The Spanish page says the estimate's notes in Spanish, part by part,
 * keeping the consolidator's words in data-v; a part it does not know
 * stays as it came. The English page shows them as they came. */
static void
test_estimate_notes(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	real_notes(&d.t[RT_ESTIMATE]);
	p = page(&d, "notes.html");
	assert_non_null(strstr(p, "\">reservado: se calcula con cifras de "
				  "coincidencias que la secretaría no "
				  "ve</td>"));
	assert_non_null(strstr(p, "data-v=\"suppressed: computed from"));
	assert_non_null(strstr(
	    p, ">95 % condicionado al modelo, log-normal; "
	       "PNP y PJ nunca coinciden (efecto \u2212inf); "
	       "2 pares más nunca coinciden (efecto "
	       "\u2212inf); 1 par más nunca coincide (efecto "
	       "\u2212inf); 129 víctimas sin enlace fuera del modelo (no "
	       "están en las coincidencias)</td>"));
	assert_non_null(strstr(p, ">BCa 95 %, 1000 remuestreos de selección "
				  "por pasos, semilla 1; 3 sin estimación, "
				  "contados como infinitos; a part kuska does "
				  "not know</td>"));
	clear(&d);
	free(p);
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	real_notes(&d.t[RT_ESTIMATE]);
	p = page(&d, "notes-en.html");
	assert_non_null(strstr(p, ">suppressed: computed from overlap counts "
				  "the secretariat is not shown</td>"));
	assert_non_null(strstr(p, "data-v=\"suppressed: computed from"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* The page's text as its reader sees it: tags, and the style sheet
 * between them, left out (the caller frees). */
static char *
visible_text(const char *p)
{
	char *t = malloc(strlen(p) + 1), *o = t;
	const char *style;

	assert_non_null(t);
	while (*p != '\0') {
		if (strncmp(p, "<style", 6) == 0 &&
		    (style = strstr(p, "</style>")) != NULL)
			p = style + 8;
		else if (*p == '<') {
			p = strchr(p, '>');
			assert_non_null(p);
			p++;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return t;
}

/*
 * The page's reader has the page, not kuska's source: no sentence, in
 * either language or role, points to a file of it (docs/..., ....md) or
 * names a table or a column of the consolidator's as a word. The
 * indicator expressions and the kuska query commands stay: they are how
 * a figure is checked.
 */
static void
test_no_source_names(void **state)
{
	static const char *const roles[] = {"secretariat", "analyst"};
	static const char *const words[] = {"docs/",
					    ".md",
					    "(funnel.)",
					    "(referrals.",
					    "(timeliness.",
					    "tabla breakdown",
					    "table breakdown",
					    "tabla deliveries",
					    "deliveries table",
					    "tabla timeliness",
					    "timeliness table",
					    "tabla estimate",
					    "tabla overlap",
					    "age_group"};
	static struct report_data d;
	char *p, *t;
	size_t r, l, w;

	(void)state;
	for (r = 0; r < 2; r++)
		for (l = 0; l < 2; l++) {
			i18n_set(l == 0 ? LANG_ES : LANG_EN);
			fill(&d, roles[r], true);
			real_notes(&d.t[RT_ESTIMATE]);
			p = page(&d, "source-names.html");
			t = visible_text(p);
			for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
				if (strstr(t, words[w]) != NULL)
					fail_msg("%s, %s: \"%s\" in \"%.80s\"",
						 roles[r], l == 0 ? "es" : "en",
						 words[w],
						 strstr(t, words[w]) - 40);
			free(t);
			free(p);
			clear(&d);
		}
	i18n_set(LANG_ES);
}

/*
 * The bootstrap interval is the one to publish, its seed and size stated
 * (ESTIMATION.md): said when the bootstrap row has one. When it has none
 * (not computed within the consolidator's budget, one-sided, no
 * estimate, suppressed) the page says there is none to publish, not that
 * its empty limits are; and that the model-conditional intervals do not
 * stand in for it only where a row has one (none when the figures are
 * suppressed for the secretariat).
 */
static void
test_estimate_without_interval(void **state)
{
	static struct report_data d;
	size_t col, row = 2; /* fill's bootstrap row, its last */
	struct qtable *t = &d.t[RT_ESTIMATE];
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	p = page(&d, "boot.html");
	assert_non_null(strstr(p, "The interval to publish is the Bootstrap "
				  "row&#39;s: a 95% BCa interval from 1000 "
				  "resamples (seed 1)"));
	assert_null(strstr(p, "no interval to publish"));
	free(p);
	assert_int_equal(t->n_rows, row + 1);
	for (col = 0; col < t->n_cols; col++)
		if (strcmp(t->cols[col], "low95") == 0 ||
		    strcmp(t->cols[col], "high95") == 0)
			t->rows[row][col].kind = CELL_EMPTY;
	p = page(&d, "boot-none.html");
	assert_null(strstr(p, "The interval to publish is"));
	assert_non_null(strstr(p, "The Bootstrap row gives no interval this "
				  "time (its note says why): there is no "
				  "interval to publish. Those of the Main "
				  "effects and Stepwise rows are conditional "
				  "on the model"));
	free(p);
	/* Hidden from the secretariat: every row without figures. */
	for (row = 0; row < t->n_rows; row++)
		for (col = 0; col < t->n_cols; col++)
			if (strcmp(t->cols[col], "estimate") == 0 ||
			    strcmp(t->cols[col], "low95") == 0 ||
			    strcmp(t->cols[col], "high95") == 0)
				t->rows[row][col].kind = CELL_EMPTY;
	p = page(&d, "boot-hidden.html");
	assert_non_null(strstr(p, "there is no interval to publish.</p>"));
	assert_null(strstr(p, "Main effects and Stepwise rows"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/*
 * A figure with nothing to draw says so instead of drawing empty axes
 * (walk56b): the secretariat's estimate suppressed, its observed counts
 * withheld, drew a scale of 0 to 1 under three rows of "–"; a period with
 * no victim, an UpSet frame with no column. Where some row has a figure,
 * the chart is drawn.
 */
static void
test_nothing_to_draw(void **state)
{
	static const char *const unlinkable[] = {"2025H2,unlinkable,0", NULL};
	static struct report_data d;
	struct qtable *t = &d.t[RT_ESTIMATE];
	size_t row, col;
	char *p;

	(void)state;
	fill(&d, ROLE, true);
	p = page(&d, "drawn.html");
	assert_true(figure_says(p, "f-estimate", "<svg"));
	assert_false(figure_says(p, "f-estimate", "Sin gráfico"));
	assert_true(figure_says(p, "f-overlap", "<svg"));
	assert_false(figure_says(p, "f-overlap", "Sin gráfico"));
	free(p);
	for (row = 0; row < t->n_rows; row++)
		for (col = 0; col < t->n_cols; col++)
			if (strcmp(t->cols[col], "observed") == 0)
				t->rows[row][col].kind = CELL_SUPPRESSED;
			else if (strcmp(t->cols[col], "estimate") == 0 ||
				 strcmp(t->cols[col], "low95") == 0 ||
				 strcmp(t->cols[col], "high95") == 0)
				t->rows[row][col].kind = CELL_EMPTY;
	codec_qtable_clear(&d.t[RT_OVERLAP]);
	fixture_table(&d.t[RT_OVERLAP], ROLE, 10, "period,institutions,victims",
		      unlinkable);
	p = page(&d, "nothing-es.html");
	assert_false(figure_says(p, "f-estimate", "<svg"));
	assert_true(figure_says(p, "f-estimate",
				"<p>Sin gráfico: ningún método da una cifra "
				"que dibujar; la nota de cada fila de la tabla "
				"dice por qué.</p>"));
	assert_false(figure_says(p, "f-overlap", "<svg"));
	assert_true(figure_says(p, "f-overlap",
				"<p>Sin gráfico: ninguna víctima identificada "
				"en el periodo entra en una combinación de "
				"instituciones.</p>"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "nothing-en.html");
	assert_true(figure_says(p, "f-estimate",
				"<p>No chart: no method gives a figure to "
				"draw; each row&#39;s note in the table says "
				"why.</p>"));
	assert_true(figure_says(p, "f-overlap",
				"<p>No chart: no victim identified in the "
				"period falls in a combination of "
				"institutions.</p>"));
	free(p);
	i18n_set(LANG_ES);
	/* An observed count with no estimate is a bar to draw. */
	for (row = 0; row < t->n_rows; row++)
		for (col = 0; col < t->n_cols; col++)
			if (strcmp(t->cols[col], "observed") == 0) {
				t->rows[row][col].kind = CELL_NUMBER;
				t->rows[row][col].number = 120;
			}
	p = page(&d, "observed-only.html");
	assert_true(figure_says(p, "f-estimate", "<svg"));
	free(p);
	clear(&d);
}

/* The estimate's figure of page p, from its <figure> to its </figure>,
 * allocated. */
static char *
estimate_figure(const char *p)
{
	const char *id = strstr(p, "id=\"estimate\""), *start, *end;

	assert_non_null(id);
	for (start = id; start > p && strncmp(start, "<figure", 7) != 0;
	     start--)
		;
	end = strstr(id, "</figure>");
	assert_true(strncmp(start, "<figure", 7) == 0 && end != NULL);
	return strndup(start, (size_t)(end - start));
}

/*
 * A bootstrap upper limit that is infinite arrives empty beside a lower
 * limit (ESTIMATION.md). The page read it "–" with the legend "“–”: no
 * data"; it reads "∞" in the table as a number reads (data-v still
 * empty, as sent) and in the chart's label, its whisker runs past the
 * end of the scale to an arrow, no cap there (test_svg), and the
 * figure's legend says what "∞" is, in English and Spanish, with no "–"
 * legend for it: the figure has no other empty cell
 * (its main row's interactions are given one), so the "–" legend would
 * be the ∞'s alone.
 */
static void
test_estimate_infinite(void **state)
{
	static const char *const dash[] = {"\u201c\u2013\u201d",
					   "\u00ab\u2013\u00bb"};
	static const char *const legend[] = {
	    "\u201c\u221e\u201d: no upper limit: the interval cannot be "
	    "bounded, from a very uncertain fit or, in a bootstrap interval, "
	    "from too many resamples without an estimate (the note of its row "
	    "says so).",
	    "\u00ab\u221e\u00bb: sin límite superior: el intervalo no puede "
	    "acotarse, por un ajuste muy incierto o, en un intervalo "
	    "bootstrap, "
	    "por demasiados remuestreos sin estimación (la nota de la fila lo "
	    "dice)."};
	static struct report_data d;
	size_t col, row = 2; /* fill's bootstrap row, its last */
	struct qtable *t;
	size_t whiskers;
	char *p, *fig;
	int l;

	(void)state;
	for (l = 0; l < 2; l++) {
		i18n_set(l == 0 ? LANG_EN : LANG_ES);
		fill(&d, ROLE, true);
		t = &d.t[RT_ESTIMATE];
		assert_int_equal(t->n_rows, row + 1);
		for (col = 0; col < t->n_cols; col++)
			if (strcmp(t->cols[col], "interactions") == 0 &&
			    t->rows[0][col].kind == CELL_EMPTY) {
				t->rows[0][col].kind = CELL_TEXT;
				snprintf(t->rows[0][col].text,
					 sizeof(t->rows[0][col].text),
					 "pnp:mp");
			}
		p = page(&d, l == 0 ? "finite-en.html" : "finite.html");
		fig = estimate_figure(p);
		assert_null(strstr(fig, "\u221e"));
		assert_null(strstr(fig, dash[l]));
		whiskers = count(fig, "class=\"whisker\"");
		assert_int_equal(whiskers, 9); /* three rows, two caps each */
		assert_null(strstr(fig, "class=\"arrow\""));
		free(fig);
		free(p);
		for (col = 0; col < t->n_cols; col++)
			if (strcmp(t->cols[col], "high95") == 0)
				t->rows[row][col].kind = CELL_EMPTY;
		p = page(&d, l == 0 ? "infinite-en.html" : "infinite.html");
		fig = estimate_figure(p);
		/* A number's cell (right-aligned, not the muted words'). */
		assert_non_null(strstr(fig, "<td class=\"n\" data-q=\"estimate "
					    "2025H2 2 high95\" data-v=\"\">"
					    "\u221e</td>"));
		assert_non_null(strstr(fig, "\u2013\u221e)</text>"));
		/* The bootstrap's whisker: its line and the low cap, and an
		 * arrow where the high cap was: it goes on. */
		assert_int_equal(count(fig, "class=\"whisker\""), whiskers - 1);
		assert_int_equal(count(fig, "class=\"arrow\""), 1);
		assert_int_equal(count(fig, legend[l]), 1);
		assert_null(strstr(fig, dash[l]));
		assert_null(strstr(fig, legend[1 - l]));
		free(fig);
		free(p);
		clear(&d);
	}
	i18n_set(LANG_ES);
}

/* Every row's note of the estimate answer t set to note. */
static void
set_notes(struct qtable *t, const char *note)
{
	size_t col, i;

	for (col = 0; col < t->n_cols; col++)
		if (strcmp(t->cols[col], "note") == 0)
			break;
	assert_true(col < t->n_cols);
	for (i = 0; i < t->n_rows; i++) {
		struct cell *c = &t->rows[i][col];
		free(c->long_text);
		memset(c, 0, sizeof(*c));
		c->kind = CELL_TEXT;
		c->long_text = strdup(note);
	}
}

/*
 * A table too sparse to trust (lib/mse's "sparse: " part: fewer than 7
 * victims on more than one list) is said under the figure in words, in
 * Spanish and English, and its rows' notes in Spanish; the demo's region
 * 02 in 2025Q1 (3 victims, 1 on two lists) read 5 (3 to 45) unwarned.
 */
static void
test_estimate_sparse(void **state)
{
	static const char sparse[] =
	    "model-conditional 95%, log-normal; sparse: 1 case seen by more "
	    "than one list (under 7): too few to trust the estimate; 1 "
	    "unlinkable victim left out (not in the overlap)";
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "dense.html");
	assert_null(strstr(p, "Pocas víctimas fueron vistas"));
	free(p);
	set_notes(&d.t[RT_ESTIMATE], sparse);
	p = page(&d, "sparse.html");
	assert_non_null(strstr(p, "<p class=\"notice\">Pocas víctimas fueron "
				  "vistas por más de una institución (menos "
				  "de 7: la nota de cada fila dice cuántas)"));
	assert_non_null(strstr(p, ">95 % condicionado al modelo, log-normal; "
				  "datos escasos: 1 víctima vista por más de "
				  "una institución (menos de 7): demasiado "
				  "pocas para fiarse de la estimación; 1 "
				  "víctima sin enlace"));
	free(p);
	clear(&d);
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	set_notes(&d.t[RT_ESTIMATE], sparse);
	p = page(&d, "sparse-en.html");
	assert_non_null(strstr(p, "<p class=\"notice\">Few victims were seen "
				  "by more than one institution (under 7: "
				  "each row&#39;s note says how many)"));
	assert_non_null(strstr(p, "must not be published without this "
				  "warning.</p>"));
	assert_null(strstr(p, ", sparse:"));
	free(p);
	clear(&d);
	i18n_set(LANG_ES);
	/* Plural as lib/mse writes it. */
	assert_string_equal(i18n_note("sparse: 6 cases seen by more than one "
				      "list (under 7): too few to trust the "
				      "estimate"),
			    "datos escasos: 6 víctimas vistas por más de una "
			    "institución (menos de 7): demasiado pocas para "
			    "fiarse de la estimación");
}

/* The notes of sdg16_2_2 and lib/mse's reasons for no estimate, in
 * Spanish; a reason of another shape stays as it came. */
static void
test_sdg_and_mse_notes(void **state)
{
	(void)state;
	i18n_set(LANG_ES);
	/* The estimate's sparse part, which the SDG row carries. */
	assert_non_null(strstr(
	    i18n_note("estimate: every victim, detected or not, both sexes "
		      "and all ages (stepwise, as the estimate table, which "
		      "leaves out the unlinkable identifications); sparse: 3 "
		      "cases seen by more than one list (under 7): too few to "
		      "trust the estimate; none is made by sex or age group"),
	    "; datos escasos: 3 víctimas vistas por más de una institución "
	    "(menos de 7): demasiado pocas para fiarse de la estimación; "));
	assert_string_equal(
	    i18n_note("estimate: every victim, detected or not, both sexes "
		      "and all ages (stepwise, as the estimate table, which "
		      "leaves out the unlinkable identifications); none is "
		      "made by sex or age group"),
	    "estimación: todas las víctimas, detectadas o no, de ambos sexos "
	    "y todas las edades (selección por pasos, como en la tabla "
	    "de la estimación, que deja fuera las identificaciones no "
	    "enlazables); "
	    "no se hace ninguna por sexo ni por grupo de edad");
	/* With the unlinkable victims added back, and without an estimate
	 * when the victims they come from are not shown. */
	assert_string_equal(
	    i18n_note("estimate: every victim, detected or not, both sexes "
		      "and all ages (stepwise, as the estimate table, which "
		      "leaves out the unlinkable identifications); the "
		      "unlinkable victims added back: 129; none is made by "
		      "sex or age group"),
	    "estimación: todas las víctimas, detectadas o no, de ambos sexos "
	    "y todas las edades (selección por pasos, como en la tabla "
	    "de la estimación, que deja fuera las identificaciones no "
	    "enlazables); víctimas sin enlace sumadas de nuevo: 129; "
	    "no se hace ninguna por sexo ni por grupo de edad");
	assert_string_equal(
	    i18n_note("no estimate: the victims identified, that the "
		      "unlinkable ones are added from, are not shown"),
	    "sin estimación: no se muestran las víctimas identificadas, de "
	    "las que se suman las no enlazables");
	assert_string_equal(
	    i18n_note("withheld from the secretariat whatever the number: no "
		      "figure it is given crosses sex with age group"),
	    "no se muestra a la secretaría, sea cual sea el número: ninguna "
	    "cifra que recibe cruza el sexo con el grupo de edad");
	/* As an older consolidator wrote them: in the same words, in
	 * Spanish and in English, without the jargon or the path. */
	assert_string_equal(
	    i18n_note("sex by age group is in no table under disclosure "
		      "control: suppressed for the secretariat"),
	    "no se muestra a la secretaría, sea cual sea el número: ninguna "
	    "cifra que recibe cruza el sexo con el grupo de edad");
	assert_string_equal(
	    i18n_note("suppressed: computed from overlap counts the "
		      "secretariat is not shown (docs/DISCLOSURE.md)"),
	    "reservado: se calcula con cifras de coincidencias que la "
	    "secretaría no ve");
	i18n_set(LANG_EN);
	assert_string_equal(
	    i18n_note("sex by age group is in no table under disclosure "
		      "control: suppressed for the secretariat"),
	    "withheld from the secretariat whatever the number: no figure it "
	    "is given crosses sex with age group");
	assert_string_equal(
	    i18n_note("suppressed: computed from overlap counts the "
		      "secretariat is not shown (docs/DISCLOSURE.md)"),
	    "suppressed: computed from overlap counts the secretariat is not "
	    "shown");
	i18n_set(LANG_ES);
	assert_string_equal(
	    i18n_note("withheld from the secretariat whatever the number: it "
		      "is given a region's victims by year only; no estimate: "
		      "not given by region to the secretariat"),
	    "no se muestra a la secretaría, sea cual sea el número: recibe "
	    "las víctimas de una región solo por año; sin estimación: no se "
	    "da por región a la secretaría");
	assert_string_equal(
	    i18n_note("withheld from the secretariat whatever the number: no "
		      "figure it is given splits a region by sex or age group"),
	    "no se muestra a la secretaría, sea cual sea el número: ninguna "
	    "cifra que recibe divide una región por sexo o grupo de edad");
	assert_string_equal(i18n_note("no estimate: see the estimate table"),
			    "sin estimación: véase la tabla de la estimación");
	assert_string_equal(
	    i18n_note("no estimate: not given by region to the secretariat"),
	    "sin estimación: no se da por región a la secretaría");
	assert_string_equal(
	    i18n_note("no estimate: the main-effects model has no finite "
		      "maximum-likelihood estimate: list pj saw no case"),
	    "sin estimación: el modelo de efectos principales no tiene "
	    "estimación de máxima verosimilitud finita: la lista PJ no vio "
	    "ningún caso");
	assert_string_equal(
	    i18n_note("no estimate: the main-effects model has no finite "
		      "maximum-likelihood estimate: no case was seen by more "
		      "than one list"),
	    "sin estimación: el modelo de efectos principales no tiene "
	    "estimación de máxima verosimilitud finita: ninguna lista "
	    "comparte un caso con otra");
	assert_string_equal(
	    i18n_note("no estimate: the model with pnp:mp mp:pj is not "
		      "identifiable"),
	    "sin estimación: el modelo con pnp:mp mp:pj no es identificable");
	assert_string_equal(
	    i18n_note("no estimate: the model with pnp:mp has no finite "
		      "maximum-likelihood estimate: something new"),
	    "no estimate: the model with pnp:mp has no finite "
	    "maximum-likelihood estimate: something new");
	i18n_set(LANG_EN);
	assert_string_equal(
	    i18n_note("no estimate: the model with pnp:mp is not "
		      "identifiable"),
	    "no estimate: the model with pnp:mp is not identifiable");
	i18n_set(LANG_ES);
}

/* The SDG 16.2.2 chart's last bar is the estimate, as how to read it
 * says, even when there is none to show (the secretariat's while its
 * overlap hides a cell): "–", its row's note saying why. It was left
 * out, the last bar then being both sexes and all ages. */
static void
test_sdg_estimate_bar(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	/* row 8: both sexes, all ages; columns 6 and 7, the estimate and
	 * its rate */
	d.t[RT_SDG].rows[8][6].kind = CELL_SUPPRESSED;
	d.t[RT_SDG].rows[8][7].text[0] = '\0';
	p = page(&d, "sdg-no-estimate.html");
	assert_true(figure_says(p, "f-sdg", "La última es la estimación"));
	assert_true(figure_says(p, "f-sdg",
				">Estimación, todas las víctimas</text>\n"
				"<text x="));
	assert_true(figure_says(p, "f-sdg",
				"class=\"v\">\u2013</text>\n"
				"</svg>"));
	free(p);
	/* With one, its rate. */
	clear(&d);
	fill(&d, ROLE, true);
	p = page(&d, "sdg-estimate.html");
	assert_true(figure_says(p, "f-sdg",
				"class=\"v\">1.38</text>\n"
				"</svg>"));
	clear(&d);
	free(p);
}

/* A share of records withheld with them (the secretariat's timeliness)
 * reads in the chart as the records do in the table beside it, "x", not
 * "–" (no data), and the note says why. */
static void
test_timeliness_withheld(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	/* rows: pnp, mp, pj, mimp, minsa, all; columns 2 to 4 are records,
	 * median_days and within_30_days_pct */
	d.t[RT_TIMELINESS].rows[2][2].kind = CELL_SUPPRESSED;
	d.t[RT_TIMELINESS].rows[2][4].text[0] = '\0';
	p = page(&d, "timeliness-withheld.html");
	assert_true(figure_says(p, "f-timeliness",
				">PJ</text>\n<text x=\"57.0\" y=\"68.0\" "
				"class=\"v hid\">x<"));
	assert_int_equal(
	    part_count(p, "id=\"f-timeliness\"", "</svg>", "class=\"v hid\""),
	    1);
	assert_int_equal(
	    part_count(p, "id=\"f-timeliness\"", "</svg>", ">\u2013<"), 0);
	assert_true(figure_says(p, "f-timeliness",
				"En el gráfico, un valor que descansa en una "
				"cifra reservada"));
	free(p);
	/* Not where no bar stands on a withheld count. */
	d.t[RT_TIMELINESS].rows[2][2].kind = CELL_NUMBER;
	p = page(&d, "timeliness-shown.html");
	assert_true(figure_says(p, "f-timeliness",
				">PJ</text>\n<text x=\"57.0\" y=\"68.0\" "
				"class=\"v\">\u2013<"));
	assert_false(figure_says(p, "f-timeliness", "En el gráfico, un valor"));
	clear(&d);
	free(p);
}

/* The page names the institutions that sent nothing dated in the period
 * (timeliness records 0), or says that all five did; a count withheld
 * as <10 is not silence. */
static void
test_silent_institutions(void **state)
{
	static struct report_data d;
	size_t row;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "silent-none.html");
	assert_non_null(strstr(p, "<p id=\"silent\">Las cinco instituciones "
				  "tienen registros fechados en el periodo"));
	free(p);
	/* rows: pnp, mp, pj, mimp, minsa, all; column 2 is records */
	d.t[RT_TIMELINESS].rows[2][2].number = 0;
	d.t[RT_TIMELINESS].rows[4][2].kind = CELL_SUPPRESSED;
	p = page(&d, "silent-pj.html");
	assert_non_null(strstr(p, "<p id=\"silent\">Sin ningún registro "
				  "fechado en el periodo"));
	assert_non_null(strstr(p, "falta de datos, no ceros: PJ.</p>"));
	assert_null(strstr(p, "id=\"all-silent\""));
	free(p);
	/* None of the five has a record: every figure reads 0, which the
	 * footer alone said was no count; the title says so too. */
	for (row = 0; row < 5; row++) {
		d.t[RT_TIMELINESS].rows[row][2].kind = CELL_NUMBER;
		d.t[RT_TIMELINESS].rows[row][2].number = 0;
	}
	p = page(&d, "silent-all.html");
	assert_non_null(strstr(p, "<p class=\"warn\" id=\"all-silent\">"
				  "Ninguna institución tiene registros "
				  "fechados en el periodo: las cifras del "
				  "periodo de este informe son falta de datos, "
				  "no ceros.</p>\n"));
	assert_true(strstr(p, "id=\"all-silent\"") < strstr(p, "</header>"));
	free(p);
	d.region = 16;
	i18n_set(LANG_EN);
	p = page(&d, "silent-all-region.html");
	assert_non_null(strstr(p, "id=\"all-silent\">No institution has a "
				  "record dated in the period in region 16 "
				  "Loreto: this report&#39;s figures for the "
				  "period are zero or missing data.</p>"));
	free(p);
	i18n_set(LANG_ES);
	d.t[RT_TIMELINESS].rows[0][2].number = 156;
	d.t[RT_TIMELINESS].rows[1][2].number = 113;
	d.t[RT_TIMELINESS].rows[3][2].number = 87;
	d.t[RT_TIMELINESS].rows[4][2].number = 86;
	d.t[RT_TIMELINESS].rows[4][2].kind = CELL_SUPPRESSED;
	/* In a region (the analyst's report of one) an institution may
	 * have no case at all: its zeros are not surely missing data. */
	d.region = 16;
	p = page(&d, "silent-pj-region.html");
	assert_non_null(strstr(p, "<p id=\"silent\">Sin ningún registro "
				  "fechado en el periodo en la región 16 "
				  "Loreto, así que sus cifras de la región son "
				  "cero o falta de datos (una institución "
				  "puede no tener casos allí): PJ.</p>"));
	assert_null(strstr(p, "no ceros"));
	free(p);
	d.t[RT_TIMELINESS].rows[2][2].number = 5;
	d.t[RT_TIMELINESS].rows[4][2].kind = CELL_NUMBER;
	p = page(&d, "silent-none-region.html");
	assert_non_null(strstr(p, "<p id=\"silent\">Las cinco instituciones "
				  "tienen registros fechados en el periodo en "
				  "la región 16 Loreto.</p>"));
	free(p);
	d.region = 0;
	/* An institution's client gets its own row only: that it has
	 * records says nothing of the other four. */
	d.t[RT_TIMELINESS].rows[2][2].number = 5;
	d.t[RT_TIMELINESS].rows[4][2].kind = CELL_NUMBER;
	memcpy(d.t[RT_TIMELINESS].rows[0], d.t[RT_TIMELINESS].rows[3],
	       sizeof(d.t[RT_TIMELINESS].rows[0]));
	d.t[RT_TIMELINESS].n_rows = 1;
	p = page(&d, "silent-own.html");
	assert_non_null(strstr(p, "<footer"));
	assert_null(strstr(p, "<p id=\"silent\">"));
	free(p);
	/* Its own row at 0 is said. */
	d.t[RT_TIMELINESS].rows[0][2].number = 0;
	p = page(&d, "silent-own-none.html");
	assert_non_null(strstr(p, "falta de datos, no ceros: MIMP.</p>"));
	clear(&d);
	free(p);
}

/* The footer says when each institution last delivered and names the
 * one silent for more than REPORT_STALE_DAYS before the report's end, in
 * both languages; a consolidator without the table: unknown, said. */
static void
test_deliveries(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	p = page(&d, "deliveries-en.html");
	assert_non_null(strstr(p, "by the report&#39;s end, 2025-12-31, is "
				  "flagged:"));
	/* Printed, the signing line (the footer's last paragraph) does not
	 * go over to a sheet of its own, parted from the deliveries. */
	assert_non_null(strstr(p, "footer>p:last-child{break-before:avoid"));
	assert_non_null(strstr(p, "#deliveries{break-inside:avoid"));
	{
		const char *made = strstr(p, "<p>Made on ");
		assert_non_null(made);
		assert_non_null(strstr(made, "</p>\n</footer>"));
		assert_null(strstr(made + 1, "<p"));
	}
	assert_non_null(strstr(p, "<li>PNP: last delivered on 2025-12-30 at "
				  "09:15.</li>"));
	assert_non_null(strstr(p, "<li>MP: last delivered on 2025-12-01"));
	assert_non_null(strstr(p, "<li class=\"stale\">PJ: nothing received "
				  "since 2025-09-14; its figures after that "
				  "date are missing, not zero.</li>"));
	assert_non_null(strstr(p, "<li>MIMP: last delivered on 2026-01-10"));
	assert_non_null(strstr(p, "<li class=\"stale\">MINSA: nothing ever "
				  "received"));
	assert_int_equal(count(p, "class=\"stale\""), 2);
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "deliveries-es.html");
	assert_non_null(strstr(p, "<li class=\"stale\">PJ: nada recibido "
				  "desde el 2025-09-14; sus cifras "
				  "posteriores a esa fecha faltan, no son "
				  "cero.</li>"));
	assert_non_null(strstr(p, "<li>PNP: última entrega el 2025-12-30"));
	free(p);
	/* Events but no time kept (a --repair, an older store): the date
	 * is unknown, not "never received". */
	snprintf(d.t[RT_DELIVERIES].rows[2][1].text,
		 sizeof(d.t[RT_DELIVERIES].rows[2][1].text), "%s", "");
	d.t[RT_DELIVERIES].rows[2][1].kind = CELL_EMPTY;
	d.t[RT_DELIVERIES].rows[3][1].kind = CELL_EMPTY;
	d.t[RT_DELIVERIES].rows[3][2].kind = CELL_SUPPRESSED;
	p = page(&d, "deliveries-undated-es.html");
	assert_non_null(strstr(p, "<li>PJ: se recibieron eventos, pero se "
				  "desconoce la fecha de su última entrega"));
	assert_non_null(strstr(p, "<li>MIMP: se recibieron eventos"));
	assert_non_null(strstr(p, "<li class=\"stale\">MINSA: nunca se "
				  "recibió nada"));
	assert_int_equal(count(p, "class=\"stale\""), 1);
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "deliveries-undated-en.html");
	assert_non_null(strstr(p, "<li>PJ: events were received, but the date "
				  "of its last delivery is unknown"));
	free(p);
	i18n_set(LANG_ES);
	clear(&d);
	fill(&d, ROLE, true);
	/* A period still running is measured to the day the page is made
	 * (d.made: 2026-05-28): pnp's December is stale by then. */
	d.period = "2026";
	d.code = 20260;
	p = page(&d, "deliveries-open.html");
	assert_non_null(strstr(p, "al cierre del informe, 2026-05-28:"));
	assert_non_null(strstr(p, "PNP: nada recibido desde el 2025-12-30"));
	free(p);
	d.period = "2025H2";
	d.code = 20256;
	/* An older consolidator: the page is made, and says it does not
	 * know. */
	codec_qtable_clear(&d.t[RT_DELIVERIES]);
	fixture_error(&d.t[RT_DELIVERIES], ROLE,
		      "unknown table \"deliveries\"");
	p = page(&d, "deliveries-old.html");
	assert_non_null(strstr(p, "<p id=\"deliveries\" class=\"warn\">Se "
				  "desconoce cuándo entregó por última vez "
				  "cada institución"));
	assert_null(strstr(p, "class=\"stale\""));
	assert_non_null(strstr(p, "</footer>"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "deliveries-old-en.html");
	assert_non_null(strstr(p, "When each institution last delivered is "
				  "unknown: the consolidator does not give "
				  "the deliveries (it predates"));
	i18n_set(LANG_ES);
	clear(&d);
	free(p);
}

/* An institution's counts are measured against the national baseline
 * and target: its page says so beside its indicators, in both
 * languages; a national view has nothing to say. */
static void
test_institution_national_targets(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1;
	d.t[RT_DELIVERIES].n_rows = 1;
	p = page(&d, "national-en.html");
	assert_non_null(strstr(p, "Baselines and targets are national: "
				  "PNP&#39;s counts are measured against the "
				  "whole country&#39;s"));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "national-es.html");
	assert_non_null(strstr(p, "Las líneas de base y las metas son "
				  "nacionales: los conteos de PNP se miden"));
	free(p);
	clear(&d);
	fill(&d, "analyst", true);
	p = page(&d, "national-analyst.html");
	assert_null(strstr(p, "son nacionales"));
	clear(&d);
	free(p);
}

/* An institution's page names it from its answers (its own row), not
 * from its key's id (pnp-stats); with no such answer, names none. */
static void
test_institution_named(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1;
	d.t[RT_DELIVERIES].n_rows = 1;
	p = page(&d, "institution-en.html");
	assert_non_null(
	    strstr(p, "Institution view: only PNP&#39;s own events."));
	assert_null(strstr(p, "PNP-STATS"));
	/* ... and so does its title, the printed page's header. */
	assert_non_null(
	    strstr(p, "<title>kuska report 2025H2 (institution, PNP)</title>"));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "institution-es.html");
	assert_non_null(strstr(
	    p, "<title>Informe kuska 2025H2 (institución, PNP)</title>"));
	assert_non_null(strstr(p, "Vista de institución: solo los eventos "
				  "propios de PNP."));
	free(p);
	/* Neither table given: no name. */
	codec_qtable_clear(&d.t[RT_SOURCES]);
	fixture_error(&d.t[RT_SOURCES], "institution", "unknown table");
	codec_qtable_clear(&d.t[RT_DELIVERIES]);
	fixture_error(&d.t[RT_DELIVERIES], "institution",
		      "unknown table \"deliveries\"");
	p = page(&d, "institution-none.html");
	assert_non_null(strstr(p, "solo los eventos propios de la "
				  "institución."));
	assert_null(strstr(p, "PNP-STATS"));
	assert_non_null(
	    strstr(p, "<title>Informe kuska 2025H2 (institución)</title>"));
	clear(&d);
	free(p);
}

/* A column report.c adds from indicator_definitions, one value a row. */
static void
add_column(struct qtable *t, const char *name, const char *const *values)
{
	size_t col = t->n_cols++, i;

	assert_true(col < CODEC_MAX_COLUMNS);
	snprintf(t->cols[col], sizeof(t->cols[col]), "%s", name);
	for (i = 0; i < t->n_rows; i++) {
		struct cell *c = &t->rows[i][col];
		memset(c, 0, sizeof(*c));
		c->kind = CELL_TEXT;
		snprintf(c->text, sizeof(c->text), "%s", values[i]);
	}
}

/* The expression column of fill's indicators (rows: takeup-mimp,
 * mental-health, complaint-formalized, days-to-accusation,
 * seen-by-several (key), timeliness-pnp), timeliness-pnp's given. */
static void
add_expression(struct qtable *ind, const char *timeliness)
{
	const char *const expr[] = {
	    "100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]",
	    "protection.median_days[service=mental_health]",
	    "100 * funnel.cases[stage=formalized_investigation] / "
	    "funnel.cases[stage=complaint]",
	    "durations.median_days[from_stage=complaint, "
	    "to_stage=accusation]",
	    "identification.victims[institution=all]",
	    timeliness};

	add_column(ind, "expression", expr);
}

/* Sets the text of the cell of row under column col. */
static void
set_text(struct qtable *t, size_t row, const char *col, const char *text)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], col) == 0)
			break;
	assert_true(j < t->n_cols && row < t->n_rows);
	snprintf(t->rows[row][j].text, sizeof(t->rows[row][j].text), "%s",
		 text);
}

/* With last_contact (a newer consolidator): one silent in deliveries
 * for more than REPORT_STALE_DAYS but heard from within them (an idle
 * node's hellos) is said neutrally, with what to check, not flagged;
 * one not heard from either is flagged as before. */
static void
test_deliveries_contact(void **state)
{
	static const char *const contact[] = {
	    "2025-12-30T09:15Z", "2025-12-01T00:00Z", "2025-12-20T10:00Z",
	    "2026-01-10T08:00Z", ""};
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	add_column(&d.t[RT_DELIVERIES], "last_contact", contact);
	d.t[RT_DELIVERIES].rows[4][3].kind = CELL_EMPTY;
	p = page(&d, "deliveries-contact-en.html");
	assert_non_null(strstr(p, "one whose node had not been heard from for "
				  "more than 30 days by the report&#39;s end, "
				  "2025-12-31, is flagged:"));
	assert_non_null(strstr(p, "<li class=\"quiet\">PJ: in contact on "
				  "2025-12-20; last events received on "
				  "2025-09-14. Its node is running but sent "
				  "nothing new for more than 30 days"));
	assert_null(strstr(p, "PJ: nothing received"));
	assert_non_null(strstr(p, "<li class=\"stale\">MINSA: nothing ever "
				  "received"));
	assert_non_null(strstr(p, "<li>PNP: last delivered on 2025-12-30"));
	assert_int_equal(count(p, "class=\"stale\""), 1);
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "deliveries-contact-es.html");
	assert_non_null(strstr(p, "<li class=\"quiet\">PJ: en contacto el "
				  "2025-12-20; últimos eventos recibidos el "
				  "2025-09-14."));
	free(p);
	/* Not heard from for more than 30 days either: flagged. */
	snprintf(d.t[RT_DELIVERIES].rows[2][3].text,
		 sizeof(d.t[RT_DELIVERIES].rows[2][3].text), "%s",
		 "2025-11-30T23:59Z");
	p = page(&d, "deliveries-contact-stale.html");
	assert_non_null(strstr(p, "<li class=\"stale\">PJ: nada recibido "
				  "desde el 2025-09-14; sus cifras "
				  "posteriores a esa fecha faltan, no son "
				  "cero.</li>"));
	assert_int_equal(count(p, "class=\"stale\""), 2);
	free(p);
	/* Never delivered but heard from (a node with nothing ever to
	 * send): said neutrally, not "its figures are missing". */
	snprintf(d.t[RT_DELIVERIES].rows[4][3].text,
		 sizeof(d.t[RT_DELIVERIES].rows[4][3].text), "%s",
		 "2025-12-29T08:00Z");
	d.t[RT_DELIVERIES].rows[4][3].kind = CELL_TEXT;
	p = page(&d, "deliveries-contact-idle-es.html");
	assert_non_null(strstr(p, "<li class=\"quiet\">MINSA: en contacto el "
				  "2025-12-29; aún no se recibió ningún "
				  "evento."));
	assert_null(strstr(p, "MINSA: nunca se recibió nada"));
	assert_int_equal(count(p, "class=\"stale\""), 1);
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "deliveries-contact-idle-en.html");
	assert_non_null(strstr(p, "<li class=\"quiet\">MINSA: in contact on "
				  "2025-12-29; no events received yet."));
	clear(&d);
	free(p);
}

/* Empties cell col of t's row, as a value with no data arrives. */
static void
empty_cell(struct qtable *t, size_t row, const char *col)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], col) == 0) {
			t->rows[row][j].kind = CELL_EMPTY;
			t->rows[row][j].text[0] = '\0';
		}
}

/* The tables closed to every institution (overlap, estimate) are said to
 * have no figures in its view, not to have been withheld by the
 * consolidator. */
static void
test_institution_closed_tables(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1;
	d.t[RT_DELIVERIES].n_rows = 1;
	codec_qtable_clear(&d.t[RT_OVERLAP]);
	fixture_error(&d.t[RT_OVERLAP], "institution",
		      "the overlap table is not open to an institution");
	codec_qtable_clear(&d.t[RT_ESTIMATE]);
	fixture_error(&d.t[RT_ESTIMATE], "institution",
		      "the estimate table is not open to an institution (it "
		      "is computed from the overlap table)");
	p = page(&d, "institution-closed.html");
	assert_non_null(strstr(p, "No figures in this view: the overlap table "
				  "is not open to an institution.</p>"));
	assert_non_null(strstr(p, "No figures in this view: the estimate "
				  "table is not open to an institution (it is "
				  "computed from the overlap table).</p>"));
	assert_null(strstr(p, "did not give"));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "institution-closed-es.html");
	assert_non_null(strstr(p, "Sin cifras en esta vista: las coincidencias "
				  "entre instituciones no están abiertas a "
				  "una institución.</p>"));
	assert_null(strstr(p, "no entregó"));
	clear(&d);
	free(p);
}

/* A region's report (kuska report --region 16): its title and the page's
 * name the region, every source line and data-q carry it; the
 * secretariat's tables not given by region (the consolidator's refusals,
 * in its words) are left out with one sentence each saying where they
 * are, never as a refusal; SDG 16.2.2 is shown without the estimate; the
 * indicators say their targets are national. The same answers for the
 * whole country name no region. */
static void
test_region(void **state)
{
	static const char *const national_only[] = {"overlap", "breakdown",
						    "timeliness", "estimate"};
	static struct report_data d;
	const char *at;
	char err[256], want[256], *p;
	size_t i;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	d.code = 20250;
	d.period = "2025";
	d.n_trend = 0; /* the secretariat gets no semester by region */
	p = page(&d, "national-2025.html");
	assert_null(strstr(p, "--region"));
	assert_null(strstr(p, "id=\"region\""));
	assert_null(strstr(p, "Loreto"));
	assert_null(strstr(p, "recibe los indicadores de una región"));
	free(p);

	d.region = 16;
	for (i = 0; i < sizeof(national_only) / sizeof(national_only[0]); i++) {
		enum report_table t = i == 0   ? RT_OVERLAP
				      : i == 1 ? RT_BREAKDOWN
				      : i == 2 ? RT_TIMELINESS
					       : RT_ESTIMATE;
		codec_qtable_clear(&d.t[t]);
		snprintf(err, sizeof(err),
			 "the secretariat gets the %s table for the whole "
			 "country only: ask without --region",
			 national_only[i]);
		fixture_error(&d.t[t], ROLE, err);
	}
	codec_qtable_clear(&d.t[RT_FUNNEL]);
	fixture_error(&d.t[RT_FUNNEL], ROLE,
		      "the secretariat gets the funnel table for the whole "
		      "country only: ask without --region, or for the "
		      "region's prosecution table (prosecution --period 2025 "
		      "--region 16)");
	p = page(&d, "region-16.html");
	assert_non_null(strstr(p, "<title>Informe kuska 2025, 16 Loreto ("));
	assert_non_null(strstr(p, "informe de seguimiento, año 2025, región "
				  "16 Loreto</h1>"));
	assert_non_null(strstr(p, "<p class=\"warn\" id=\"region\">Cifras "
				  "de la región 16 Loreto: cada tabla se pidió "
				  "con --region 16"));
	/* Every source line, every cell. */
	for (at = p; (at = strstr(at, "<code>kuska query ")) != NULL; at++)
		assert_memory_equal(strstr(at, "</code>") - 12, " --region 16",
				    12);
	assert_true(count(p, "data-q=\"") > 50);
	for (at = p; (at = strstr(at, "data-q=\"")) != NULL; at++) {
		const char *end = strchr(at + 8, '"');
		assert_non_null(end);
		assert_true(end - at > 11 && strncmp(end - 3, " 16", 3) == 0);
	}
	assert_non_null(strstr(p, "data-q=\"identification 2025 0 victims "
				  "16\""));
	for (i = 0; i < sizeof(national_only) / sizeof(national_only[0]); i++) {
		snprintf(want, sizeof(want),
			 "<p class=\"notice\">La secretaría no recibe la "
			 "tabla «%s» por región: está en el informe del país "
			 "(kuska report --period 2025, sin --region).</p>",
			 national_only[i]);
		assert_int_equal(count(p, want), 1);
		snprintf(want, sizeof(want), "data-q=\"%s ", national_only[i]);
		assert_null(strstr(p, want));
	}
	assert_int_equal(count(p, "La secretaría no recibe el embudo"), 1);
	assert_null(strstr(p, "data-q=\"funnel "));
	assert_null(strstr(p, "no entregó"));
	/* The region's SDG 16.2.2, given where its estimate is not. */
	assert_non_null(strstr(p, "data-q=\"sdg16_2_2 2025 0 "));
	assert_non_null(strstr(p, "Las líneas de base y las metas son "
				  "nacionales: los conteos de la región 16 "
				  "Loreto se miden contra las del país"));
	assert_non_null(strstr(p, "La secretaría recibe los indicadores de "
				  "una región por año, no semestre a "
				  "semestre"));
	free(p);
	/* Refused for want of the region's population, it says why, as
	 * the country's does; the page said nothing of it. */
	codec_qtable_clear(&d.t[RT_SDG]);
	fixture_error(&d.t[RT_SDG], ROLE,
		      "the population file has no figures for 2025 for "
		      "region 16");
	p = page(&d, "region-16-no-sdg.html");
	assert_int_equal(count(p, "tabla «sdg16_2_2»: el archivo de "
				  "población no tiene cifras de 2025 para la "
				  "región 16"),
			 1);
	free(p);
	/* Closed to an institution with the estimate: said once, by the
	 * estimate's note. */
	codec_qtable_clear(&d.t[RT_SDG]);
	fixture_error(&d.t[RT_SDG], ROLE,
		      "the sdg16_2_2 table is not open to an institution");
	p = page(&d, "region-16-sdg-closed.html");
	assert_null(strstr(p, "«sdg16_2_2»"));
	free(p);

	/* Its years, asked when the consolidator refused the region's
	 * semesters (report.c's fetch_year_trend): every key indicator's
	 * card and table year by year, each cell its year's query with the
	 * region, a withheld value said so, and one sentence saying why
	 * instead of the one that there is no trend. */
	indicators(&d.year[0], ROLE, "2024", 0);
	indicators(&d.year[1], ROLE, "2025", 1);
	snprintf(d.year_period[0], sizeof(d.year_period[0]), "2024");
	snprintf(d.year_period[1], sizeof(d.year_period[1]), "2025");
	d.n_year = 2;
	d.trend_refused = true;
	p = page(&d, "region-16-years.html");
	assert_int_equal(count(p, "<p class=\"notice\" id=\"trend-years\">La "
				  "evolución de la región va año por año"),
			 1);
	assert_null(strstr(p, "La secretaría recibe los indicadores de "
			      "una región por año, no semestre a semestre"));
	assert_non_null(strstr(p, "Evolución anual de los indicadores clave"));
	assert_non_null(strstr(p, "<th scope=\"col\">2024</th><th "
				  "scope=\"col\">2025</th></tr>"));
	assert_non_null(strstr(p, "<td class=\"sup\" data-q=\"indicators "
				  "2024 4 value 16\" data-v=\"\">Reservado"
				  "</td>"));
	assert_non_null(strstr(p, "data-q=\"indicators 2025 4 value 16\">55"
				  "</td>"));
	assert_non_null(strstr(p, "<code>kuska query indicators --period Y "
				  "--region 16</code> para cada año Y de 2024 "
				  "a 2025."));
	assert_null(strstr(p, "--period S"));
	free(p);
	codec_qtable_clear(&d.year[0]);
	codec_qtable_clear(&d.year[1]);
	d.n_year = 0;
	d.trend_refused = false;

	i18n_set(LANG_EN);
	p = page(&d, "region-16-en.html");
	assert_non_null(strstr(p, "monitoring report, year 2025, region 16 "
				  "Loreto</h1>"));
	assert_non_null(strstr(p, "The secretariat does not get the overlap "
				  "table by region: it is in the whole "
				  "country&#39;s report"));
	assert_null(strstr(p, "did not give"));
	free(p);
	i18n_set(LANG_ES);
	d.region = 0;
	clear(&d);
}

/* A key indicator with no value in any semester of its trend (an
 * institution's of another's records): its card says so, in words, with
 * no empty chart; one withheld in some says that too. */
static void
test_card_without_values(void **state)
{
	static struct report_data d;
	size_t s;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1;
	d.t[RT_DELIVERIES].n_rows = 1;
	for (s = 0; s < d.n_trend; s++) {
		empty_cell(&d.trend[s], 0, "value"); /* takeup-mimp */
		empty_cell(&d.trend[s], 4, "value"); /* seen-by-several, */
	}					     /* withheld in three */
	p = page(&d, "card-without-values.html");
	assert_null(strstr(p, "aria-labelledby=\"trend-0-t\""));
	assert_null(strstr(p, "aria-labelledby=\"trend-4-t\""));
	assert_non_null(strstr(p, "<p class=\"none\">No value to draw from "
				  "2024H1 to 2025H2.</p>"));
	assert_non_null(strstr(p, "<p class=\"none\">No value to draw from "
				  "2024H1 to 2025H2: withheld or no data (the "
				  "table says which).</p>"));
	/* The others keep their charts. */
	assert_non_null(strstr(p, "aria-labelledby=\"trend-1-t\""));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "card-without-values-es.html");
	assert_non_null(strstr(p, "Sin valor que dibujar de 2024H1 a 2025H2."));
	clear(&d);
	free(p);
}

/* Counts read by year (frequency year) in a semester's report: their
 * value is about half a year's, so their progress and status against a
 * year's target would mislead. They say they are read by year, in the
 * tables and the trend cards, and no "deteriorating" shows; a withheld
 * one stays withheld. The year's report judges them as usual. */
static void
test_counts_read_by_year(void **state)
{
	/* rows: takeup-mimp, mental-health, complaint-formalized
	 * (deteriorating, key), days-to-accusation, seen-by-several
	 * (suppressed), timeliness-pnp (not key, on_track) */
	static const char *const freq[] = {"semester", "semester", "year",
					   "semester", "year",	   "year"};
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_column(&d.t[RT_INDICATORS], "frequency", freq);
	p = page(&d, "by-year.html");
	assert_non_null(strstr(p, "<td class=\"alt\" data-q=\"indicators "
				  "2025H2 2 progress\" "
				  "data-v=\"-0.813\">Se lee por año</td>"));
	assert_non_null(strstr(p,
			       "data-q=\"indicators 2025H2 2 status\" "
			       "data-v=\"deteriorating\"><span class=\"badge "
			       "b-by_year\">Se lee por año</span></td>"));
	assert_non_null(strstr(p, "data-q=\"indicators 2025H2 5 progress\" "
				  "data-v=\"0.833\">Se lee por año</td>"));
	/* Neither the table nor the trend card reads it as a setback. */
	assert_null(strstr(p, "badge b-deteriorating"));
	assert_null(strstr(p, "Retroceso"));
	/* Its trend card says so: a badge, and the note why. */
	assert_true(
	    figure_says(p, "f-trend", "<span class=\"badge b-by_year\">"));
	assert_true(figure_says(p, "f-trend",
				"«Se lee por año»: un total del semestre"));
	/* In a semester's report a semester's card ends at that semester. */
	assert_null(strstr(p, "Semestre a semestre; el valor de arriba"));
	assert_null(strstr(p, "Año completo"));
	/* Each table of indicators says why, after its figure. */
	assert_int_equal(count(p, "su avance y su estado se leen en el "
				  "informe de 2025."),
			 3);
	/* A withheld one stays withheld. */
	assert_non_null(strstr(p, "data-q=\"indicators 2025H2 4 status\" "
				  "data-v=\"suppressed\"><span class=\"badge "
				  "b-suppressed\">"));
	free(p);
	/* One without a value says so, not that it is read by year. */
	set_text(&d.t[RT_INDICATORS], 2, "status", "no_data");
	empty_cell(&d.t[RT_INDICATORS], 2, "value");
	empty_cell(&d.t[RT_INDICATORS], 2, "progress");
	p = page(&d, "by-year-nodata.html");
	assert_non_null(strstr(p, "data-q=\"indicators 2025H2 2 status\" "
				  "data-v=\"no_data\"><span class=\"badge "
				  "b-no_data\">Sin datos</span>"));
	free(p);
	clear(&d);
	fill(&d, ROLE, true);
	add_column(&d.t[RT_INDICATORS], "frequency", freq);
	/* In English. */
	i18n_set(LANG_EN);
	p = page(&d, "by-year-en.html");
	assert_non_null(strstr(p, "b-by_year\">Read by year</span>"));
	assert_non_null(strstr(p, "are read in the report of 2025."));
	free(p);
	i18n_set(LANG_ES);
	/* The year's report compares a year with a year's target. */
	d.period = "2025";
	d.code = 20250;
	p = page(&d, "by-year-2025.html");
	/* A card of semesters says its headline is the year's, not the
	 * last semester's its line ends with. */
	assert_true(figure_says(p, "f-trend",
				"<p>Semestre a semestre; el valor de arriba es "
				"el del año 2025 completo, no el de su último "
				"semestre.</p>"));
	/* ... and the headline names its period where the eye lands,
	 * before the value. */
	assert_true(figure_says(p, "f-trend",
				"<strong class=\"per\">Año completo</strong> "
				"2025: "));
	assert_null(strstr(p, "badge b-by_year"));
	assert_null(strstr(p, "Se lee por año"));
	assert_non_null(strstr(p,
			       "data-q=\"indicators 2025 2 status\" "
			       "data-v=\"deteriorating\"><span class=\"badge "
			       "b-deteriorating\">Retroceso</span>"));
	clear(&d);
	free(p);
}

/* Whether the part of page p that runs from the first open to the close
 * after it (both there, or the test fails) says s. */
static bool
part_says(const char *p, const char *open, const char *close, const char *s)
{
	const char *part, *end, *at;

	part = strstr(p, open);
	assert_non_null(part);
	end = strstr(part, close);
	assert_non_null(end);
	at = strstr(part, s);
	return at != NULL && at < end;
}

/* How many times the part of page p from open to the close after it
 * (both there, or the test fails) says s. */
static size_t
part_count(const char *p, const char *open, const char *close, const char *s)
{
	const char *at, *end;
	size_t n = 0;

	at = strstr(p, open);
	assert_non_null(at);
	end = strstr(at, close);
	assert_non_null(end);
	while ((at = strstr(at, s)) != NULL && at < end) {
		n++;
		at++;
	}
	return n;
}

/* Whether figure id of page p says s. */
static bool
figure_says(const char *p, const char *id, const char *s)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "id=\"%s\"", id);
	return part_says(p, attr, "</figure>", s);
}

/* Whether page p holds the text fmt makes. */
static bool __attribute__((format(printf, 2, 3)))
says_f(const char *p, const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	return strstr(p, want) != NULL;
}

/*
 * SDG 16.2.2's estimate of every victim adds back the unlinkable ones the
 * estimate table leaves out (the row's victims less the stepwise row's
 * observed): so does the interval printed under it, each bootstrap limit
 * plus them over the population, and the sentence says so. Here 298
 * victims, 275 observed: 23 unlinkable, an estimate of 468 + 23.
 */
static void
test_sdg_interval_adds_unlinkable(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	d.period = "2025";
	d.code = 20250;
	/* row 8: both sexes, all ages; columns 4, 6 and 7: the victims,
	 * the estimate and its rate */
	d.t[RT_SDG].rows[8][4].number = 298;
	d.t[RT_SDG].rows[8][6].number = 491;
	snprintf(d.t[RT_SDG].rows[8][7].text,
		 sizeof(d.t[RT_SDG].rows[8][7].text), "1.44");
	p = page(&d, "sdg-unlinkable.html");
	/* (391 + 23) and (590 + 23) per 100,000 of 34,122,196. */
	assert_true(says_f(p,
			   "The estimate per 100,000 inhabitants, 1.44, has a "
			   "95%% BCa interval of %.2f to %.2f, the one to "
			   "publish with it: the estimate&#39;s bootstrap "
			   "interval (391 to 590 victims; 1000 resamples, seed "
			   "1) plus the unlinkable victims (23), divided by "
			   "the same population, 34,122,196 people of all "
			   "ages.",
			   414 * 1e5 / 34122196, 613 * 1e5 / 34122196));
	free(p);
	/* None added (a consolidator that adds none): the limits alone. */
	d.t[RT_SDG].rows[8][6].number = 468;
	p = page(&d, "sdg-unlinkable-none.html");
	assert_true(says_f(p,
			   "has a 95%% BCa interval of %.2f to %.2f, the one "
			   "to publish with it: the estimate&#39;s bootstrap "
			   "interval (391 to 590 victims; 1000 resamples, seed "
			   "1) divided by",
			   391 * 1e5 / 34122196, 590 * 1e5 / 34122196));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* The answers of fill() asked for the period code, named name. */
static void
fill_period(struct report_data *d, uint32_t code, char name[PERIOD_NAME_MAX])
{
	fill(d, ROLE, true);
	d->code = code;
	d->period = period_name(code, name);
}

/* Counts (unit count) in the report of a period not over yet: a total
 * that only grows until the period ends and its records arrive, so its
 * progress and status against a whole period's target would read the
 * calendar as a setback. They say they are read when the period ends, in
 * the tables and the trend cards, with the period's last day, and no
 * "deteriorating" shows; a percent is judged as before, a withheld count
 * stays withheld, a count read by year in a semester's report is read by
 * year, and a period that is over judges its counts as usual. The period
 * is today's, so that it is never over when the test runs. */
static void
test_counts_read_when_over(void **state)
{
	/* rows: takeup-mimp (percent, limited, key), mental-health,
	 * complaint-formalized (deteriorating, key: made a count here),
	 * days-to-accusation, seen-by-several (count, suppressed),
	 * timeliness-pnp (not key) */
	static const char *const freq[] = {"semester", "semester", "year",
					   "semester", "year",	   "semester"};
	static struct report_data d;
	uint32_t now[PERIODS_PER_DAY];
	char name[PERIOD_NAME_MAX], want[200], last[11];
	char *p;

	(void)state;
	period_codes_of(date_today(), now);
	i18n_set(LANG_ES);
	fill_period(&d, now[0], name);
	set_text(&d.t[RT_INDICATORS], 2, "unit", "count");
	p = page(&d, "period-open.html");
	assert_true(says_f(
	    p,
	    "<td class=\"alt\" data-q=\"indicators %s 2 progress\" "
	    "data-v=\"-0.813\">Se lee al cierre</td>",
	    name));
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 2 status\" data-v=\"deteriorating\">"
	    "<span class=\"badge b-period_open\">Se lee al cierre</span>"
	    "</td>",
	    name));
	/* Neither the table nor the trend card reads it as a setback. */
	assert_null(strstr(p, "badge b-deteriorating"));
	assert_null(strstr(p, "Retroceso"));
	/* A percent is judged as before. */
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 0 status\" data-v=\"limited\">"
	    "<span class=\"badge b-limited\">Avance limitado</span>",
	    name));
	/* A withheld count stays withheld. */
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 4 status\" data-v=\"suppressed\">"
	    "<span class=\"badge b-suppressed\">",
	    name));
	/* Its trend card says so: a badge, and the note why. */
	assert_true(figure_says(p, "f-trend",
				"<span class=\"badge b-period_open\">"
				"Se lee al cierre</span>"));
	assert_true(figure_says(p, "f-trend",
				"«Se lee al cierre»: un total de un "
				"periodo que aún no termina"));
	/* The key indicators' table and the trend say why, with the last
	 * day; the other indicators' table, with no count, does not. */
	snprintf(want, sizeof(want),
		 "que crece hasta su cierre, el %s, y mientras lleguen sus "
		 "registros: su avance y su estado se leen cuando el periodo "
		 "haya terminado.",
		 date_format(period_last_day(now[0]), last));
	assert_int_equal(count(p, want), 2);
	free(p);
	/* In English. */
	i18n_set(LANG_EN);
	p = page(&d, "period-open-en.html");
	assert_non_null(strstr(p, "<span class=\"badge b-period_open\">Read "
				  "when the period ends</span>"));
	assert_non_null(strstr(p, "its progress and status are read once the "
				  "period is over."));
	assert_null(strstr(p, "Deteriorating"));
	assert_non_null(strstr(p, "b-limited\">Limited progress</span>"));
	free(p);
	i18n_set(LANG_ES);
	/* A count past a target above its baseline has reached it for
	 * good; one below its baseline (fewer is better) may still pass it
	 * back before the period ends. */
	set_text(&d.t[RT_INDICATORS], 2, "status", "achieved");
	set_text(&d.t[RT_INDICATORS], 3, "unit", "count");
	set_text(&d.t[RT_INDICATORS], 3, "status", "achieved");
	p = page(&d, "period-open-achieved.html");
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 2 status\" data-v=\"achieved\">"
	    "<span class=\"badge b-achieved\">",
	    name));
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 3 status\" data-v=\"achieved\">"
	    "<span class=\"badge b-period_open\">Se lee al cierre",
	    name));
	free(p);
	/* A count read by year in the report of a semester not over yet is
	 * read by year: the year's report is where it is judged. */
	clear(&d);
	fill_period(&d, now[1], name);
	set_text(&d.t[RT_INDICATORS], 2, "unit", "count");
	add_column(&d.t[RT_INDICATORS], "frequency", freq);
	p = page(&d, "period-open-semester.html");
	assert_true(says_f(
	    p,
	    "data-q=\"indicators %s 2 status\" data-v=\"deteriorating\">"
	    "<span class=\"badge b-by_year\">Se lee por año</span>",
	    name));
	assert_null(strstr(p, "Se lee al cierre"));
	/* The year's report reads that count when the year is over: the
	 * note says so, not that its report judges it now. */
	assert_true(says_f(p,
			   "su avance y su estado se leen en el informe de "
			   "%u una vez terminado el año, el %s.",
			   (unsigned)(now[0] / 10),
			   date_format(period_last_day(now[0]), last)));
	assert_false(says_f(p, "se leen en el informe de %u.",
			    (unsigned)(now[0] / 10)));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "period-open-semester-en.html");
	assert_true(says_f(p,
			   "its progress and status are read in the report "
			   "of %u once the year is over, on %s.",
			   (unsigned)(now[0] / 10),
			   date_format(period_last_day(now[0]), last)));
	free(p);
	i18n_set(LANG_ES);
	/* A period that is over compares its count with the target. */
	clear(&d);
	fill(&d, ROLE, true);
	set_text(&d.t[RT_INDICATORS], 2, "unit", "count");
	d.period = "2025";
	d.code = 20250;
	p = page(&d, "period-over-2025.html");
	assert_null(strstr(p, "Se lee al cierre"));
	assert_non_null(strstr(p,
			       "data-q=\"indicators 2025 2 status\" "
			       "data-v=\"deteriorating\"><span class=\"badge "
			       "b-deteriorating\">Retroceso</span>"));
	clear(&d);
	free(p);
}

/* The trend card of a withheld indicator says its value is withheld, in
 * words, not "–" (no data); so do its value and progress in the key
 * indicators' table, whose note then has no "–" to explain (every other
 * key indicator has a value), while the other indicators' table, where
 * one has no value, explains its own. */
static void
test_withheld_card(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true); /* seen-by-several: suppressed, target 80 */
	empty_cell(&d.t[RT_INDICATORS], 5, "value"); /* timeliness-pnp, */
	empty_cell(&d.t[RT_INDICATORS], 5, "progress"); /* not key */
	p = page(&d, "withheld-card.html");
	assert_non_null(strstr(p, "<span class=\"badge b-suppressed\">"
				  "Reservado</span> 2025H2: reservado; meta 80 "
				  "para 2026H2</p>"));
	assert_null(strstr(p, "2025H2: \u2013;"));
	assert_true(
	    figure_says(p, "f-key",
			"<td class=\"alt\" data-q=\"indicators 2025H2 4 "
			"value\" data-v=\"\">Reservado</td>"));
	assert_true(
	    figure_says(p, "f-key",
			"<td class=\"alt\" data-q=\"indicators 2025H2 4 "
			"progress\" data-v=\"\">Reservado</td>"));
	assert_false(figure_says(p, "f-key", "\u00ab\u2013\u00bb: sin dato"));
	assert_true(figure_says(p, "f-other", "\u00ab\u2013\u00bb: sin dato"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "withheld-card-en.html");
	assert_non_null(strstr(p, "<span class=\"badge b-suppressed\">"
				  "Withheld</span> 2025H2: withheld; target 80 "
				  "by 2026H2</p>"));
	assert_non_null(strstr(p, "<td class=\"alt\" data-q=\"indicators "
				  "2025H2 4 value\" data-v=\"\">Withheld</td>"));
	assert_non_null(strstr(p, "<td class=\"alt\" data-q=\"indicators "
				  "2025H2 4 progress\" data-v=\"\">Withheld"
				  "</td>"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* An indicator with a value in a period that ends before its baseline
 * period does is no_data (INDICATORS.md), its progress empty: its status
 * and progress, in the table and its trend card, say it is in its
 * baseline period, not "No data" beside its value, and a note says what
 * that means; its progress is no "–" to explain. One without a value
 * still reads "No data". */
static void
test_baseline_period(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	set_text(&d.t[RT_INDICATORS], 0, "status", "no_data"); /* 64 */
	empty_cell(&d.t[RT_INDICATORS], 0, "progress");
	set_text(&d.t[RT_INDICATORS], 5, "status", "no_data"); /* not key */
	empty_cell(&d.t[RT_INDICATORS], 5, "value");
	empty_cell(&d.t[RT_INDICATORS], 5, "progress");
	p = page(&d, "baseline.html");
	assert_true(figure_says(p, "f-key",
				"data-q=\"indicators 2025H2 0 status\" "
				"data-v=\"no_data\"><span class=\"badge "
				"b-baseline_period\">Periodo de línea de "
				"base</span></td>"));
	assert_true(
	    figure_says(p, "f-key",
			"<td class=\"alt\" data-q=\"indicators 2025H2 0 "
			"progress\" data-v=\"\">Periodo de línea de "
			"base</td>"));
	assert_true(figure_says(p, "f-key",
				"\u00abPeriodo de línea de base\u00bb: el "
				"periodo termina antes que el periodo de la "
				"línea de base del indicador"));
	assert_false(figure_says(p, "f-key", "\u00ab\u2013\u00bb: sin dato"));
	assert_false(figure_says(p, "f-key", "b-no_data"));
	assert_true(figure_says(p, "f-trend",
				"<span class=\"badge b-baseline_period\">"
				"Periodo de línea de base</span> 2025H2: 64"));
	assert_true(figure_says(p, "f-trend",
				"\u00abPeriodo de línea de base\u00bb: el "
				"periodo termina"));
	assert_true(figure_says(p, "f-other",
				"data-q=\"indicators 2025H2 5 status\" "
				"data-v=\"no_data\"><span class=\"badge "
				"b-no_data\">Sin datos</span></td>"));
	assert_false(figure_says(p, "f-other", "Periodo de línea de base"));
	assert_true(figure_says(p, "f-other", "\u00ab\u2013\u00bb: sin dato"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "baseline-en.html");
	assert_non_null(strstr(p, "data-q=\"indicators 2025H2 0 status\" "
				  "data-v=\"no_data\"><span class=\"badge "
				  "b-baseline_period\">Baseline period</span>"));
	assert_non_null(strstr(p, "data-v=\"\">Baseline period</td>"));
	assert_non_null(strstr(p, "<span class=\"badge b-baseline_period\">"
				  "Baseline period</span> 2025H2: 64"));
	assert_non_null(strstr(p, "\u201cBaseline period\u201d: the period "
				  "ends before the indicator&#39;s baseline "
				  "period does: its value is measured, and its "
				  "progress towards the target counts from the "
				  "end of that period."));
	assert_non_null(strstr(p, "data-q=\"indicators 2025H2 5 status\" "
				  "data-v=\"no_data\"><span class=\"badge "
				  "b-no_data\">No data</span>"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* Indicators on the prosecution funnel or on the referrals taken up
 * count the period's cases and referrals as they stand today: each figure
 * that shows one (the key indicators' table, their trend) says that the
 * latest periods read low until their cases advance and their take-ups
 * arrive; one that shows none (the other indicators') does not, nor does
 * a page whose expressions only name other columns of referrals. */
static void
test_followed_to_today(void **state)
{
	/* rows: takeup-mimp, mental-health, complaint-formalized,
	 * days-to-accusation, seen-by-several (key), timeliness-pnp */
	static const char *const expr[] = {
	    "100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]",
	    "100 * protection.victims[service=mental_health]",
	    "100 * funnel.cases[stage=formalized_investigation] / "
	    "funnel.cases[stage=complaint]",
	    "durations.median_days[from_stage=complaint, "
	    "to_stage=accusation]",
	    "identification.victims[institution=all]",
	    "timeliness.within_30_days_pct[institution=pnp]"};
	static const char *const other[] = {
	    "100 * referrals.pending[to=mimp] / referrals.sent[to=mimp]",
	    "100 * protection.victims[service=mental_health]",
	    "100 * prosecution.cases[stage=formalized_investigation]",
	    "referrals.median_days[from=pnp,to=mimp]",
	    "identification.victims[institution=all]",
	    "timeliness.within_30_days_pct[institution=pnp]"};
	static const char *const es = "siguen hasta hoy las denuncias y las "
				      "derivaciones del periodo: los periodos "
				      "más recientes se leen bajos, y su "
				      "estado puede decir «Retroceso», hasta "
				      "que sus casos avancen y lleguen sus "
				      "aceptaciones.";
	static const char *const figs[] = {"f-key", "f-trend", "f-other"};
	static struct report_data d;
	char *p;
	size_t i;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_column(&d.t[RT_INDICATORS], "expression", expr);
	p = page(&d, "followed.html");
	for (i = 0; i < 3; i++) {
		assert_true(figure_says(p, figs[i], es) == (i < 2));
	}
	assert_int_equal(count(p, "Los indicadores sobre el embudo de la "
				  "persecución penal o sobre las derivaciones "
				  "aceptadas siguen "),
			 2);
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "followed-en.html");
	assert_int_equal(
	    count(p, "Indicators on the prosecution funnel or on the "
		     "referrals taken up follow the "
		     "period&#39;s complaints and referrals up to today: the "
		     "latest periods read low, and their status may say "
		     "\u201cDeteriorating\u201d, until their cases advance and "
		     "their take-ups arrive."),
	    2);
	free(p);
	clear(&d);
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_column(&d.t[RT_INDICATORS], "expression", other);
	p = page(&d, "followed-none.html");
	assert_null(strstr(p, "Los indicadores sobre el embudo"));
	clear(&d);
	free(p);
}

/* A median of the days to take-up or the timeliness counts only the
 * take-ups and records that have arrived by today: each figure showing
 * an indicator on one (the other indicators' with timeliness.median_days,
 * then the key indicators' and their trend with referrals.median_days;
 * timeliness.within_30_days_pct too) says that the latest periods read
 * shorter and fresher; one showing only medians of what has happened by
 * its period (durations, protection) or a count of records does not. The
 * referrals' and the timeliness' figures say it of their own medians and
 * shares, not when they show none. */
static void
test_arrived_by_today(void **state)
{
	static const char *const es = "cuentan solo las aceptaciones y los "
				      "registros llegados hasta hoy: los "
				      "periodos más recientes se leen más "
				      "breves y oportunos de lo que serán, y "
				      "su estado puede decir «Meta "
				      "alcanzada», hasta que lleguen los "
				      "tardíos.";
	static const char *const take_up = "La mediana de días cuenta solo "
					   "las derivaciones aceptadas hasta "
					   "hoy: en un periodo reciente aún "
					   "faltan las aceptaciones más "
					   "lentas, y se lee corta.";
	static const char *const fresh = "Solo cuentan los registros que "
					 "llegaron al consolidador hasta hoy";
	static struct report_data d;
	struct qtable *ind = &d.t[RT_INDICATORS];
	char *p;
	size_t i;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_expression(ind, "timeliness.median_days[institution=pnp]");
	p = page(&d, "arrived.html");
	assert_false(figure_says(p, "f-key", es));
	assert_false(figure_says(p, "f-trend", es));
	assert_true(figure_says(p, "f-other", es));
	assert_true(figure_says(p, "f-referrals", take_up));
	assert_true(figure_says(p, "f-timeliness", fresh));
	assert_int_equal(count(p, take_up), 1);
	assert_int_equal(count(p, fresh), 1);
	free(p);
	set_text(ind, 3, "expression",
		 "referrals. median_days[from=pnp,to=mimp]");
	set_text(ind, 5, "expression", "timeliness.records[institution=pnp]");
	p = page(&d, "arrived-key.html");
	assert_true(figure_says(p, "f-key", es));
	assert_true(figure_says(p, "f-trend", es));
	assert_false(figure_says(p, "f-other", es));
	free(p);
	set_text(ind, 3, "expression", "referrals.median_days_x[from=pnp]");
	set_text(ind, 5, "expression",
		 "timeliness.within_30_days_pct[institution=pnp]");
	p = page(&d, "arrived-share.html");
	assert_false(figure_says(p, "f-key", es));
	assert_true(figure_says(p, "f-other", es));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "arrived-en.html");
	assert_non_null(strstr(
	    p, "Indicators on the median days to take-up or on the timeliness "
	       "of the data (days to reach the consolidator, share reaching "
	       "it within 30 days) count "
	       "only the take-ups and records that have arrived by today: the "
	       "latest periods read shorter and fresher than they will, and "
	       "their status may say \u201cAchieved\u201d, until the late ones "
	       "arrive."));
	assert_non_null(strstr(
	    p, "The median days count only the referrals taken up by today: "
	       "in a recent period the slower take-ups are still to come, so "
	       "it reads short."));
	assert_non_null(strstr(
	    p, "Only the records that have reached the consolidator by today "
	       "count, "));
	free(p);
	i18n_set(LANG_ES);
	for (i = 0; i < d.t[RT_REFERRALS].n_rows; i++)
		empty_cell(&d.t[RT_REFERRALS], i, "median_days");
	for (i = 0; i < d.t[RT_TIMELINESS].n_rows; i++) {
		empty_cell(&d.t[RT_TIMELINESS], i, "median_days");
		empty_cell(&d.t[RT_TIMELINESS], i, "within_30_days_pct");
	}
	p = page(&d, "arrived-none.html");
	assert_null(strstr(p, take_up));
	assert_null(strstr(p, fresh));
	clear(&d);
	free(p);
}

/* A destination with no take-up on record at all, of any date (the
 * consolidator's no_takeups): the referrals' figure names it, in both
 * languages, when a row is of referrals to it (MIMP; not PNP, to which no
 * row is), and so does each figure of an indicator reading take-ups (the
 * key takeup-mimp), not the others; with none, no note. */
static void
test_no_takeups(void **state)
{
	static const char *const ref_es =
	    "No hay registrada ninguna aceptación (referral_received) de "
	    "MIMP, de ninguna fecha: las derivaciones enviadas allí se leen 0 "
	    "aceptadas y todas pendientes por falta de datos";
	static const char *const ind_es =
	    "Los indicadores sobre las derivaciones aceptadas por MIMP "
	    "muestran un vacío de los datos, no una falla de la protección";
	static const char *const ref_en =
	    "No take-up (referral_received) of any date is on record from "
	    "MIMP: the referrals sent there read 0 taken up and all pending "
	    "for want of data";
	static const char *const ind_en =
	    "Indicators on the referrals taken up by MIMP show a gap in the "
	    "data, not a failure of protection";
	static struct report_data d;
	struct qtable *ind = &d.t[RT_INDICATORS];
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_expression(ind, "timeliness.median_days[institution=pnp]");
	p = page(&d, "takeups-none.html");
	assert_null(strstr(p, "referral_received"));
	free(p);
	d.t[RT_REFERRALS].no_takeups = 1u << INST_MIMP | 1u << INST_PNP;
	ind->no_takeups = 1u << INST_MIMP;
	p = page(&d, "takeups.html");
	assert_true(figure_says(p, "f-referrals", ref_es));
	assert_true(figure_says(p, "f-key", ind_es));
	assert_true(figure_says(p, "f-trend", ind_es));
	assert_false(figure_says(p, "f-other", ind_es));
	assert_null(strstr(p, "de PNP, de ninguna fecha"));
	assert_null(strstr(p, "MIMP, PNP"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "takeups-en.html");
	assert_true(figure_says(p, "f-referrals", ref_en));
	assert_true(figure_says(p, "f-key", ind_en));
	free(p);
	/* No indicator reads take-ups: the indicators say nothing. */
	set_text(ind, 0, "expression", "referrals.sent[to=mimp]");
	p = page(&d, "takeups-sent.html");
	assert_true(figure_says(p, "f-referrals", ref_en));
	assert_false(figure_says(p, "f-key", ind_en));
	assert_false(figure_says(p, "f-trend", ind_en));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* A note of the report from a table of its own (take-ups or cases no
 * record of another matches): the table, its columns and rows, the
 * figure the note is under, its query, its texts, and the pages' names. */
struct note_case {
	enum report_table rt;
	const char *cols;
	const char *const *zero; /* rows that each count 0 */
	const char *const *rows; /* rows that give the note below */
	const char *figure;
	const char *query; /* the table's name, which the note quotes */
	const char *es, *en;
	const char *not_named; /* a row of 0 the note must not name, or NULL */
	const char *refusal;   /* the consolidator's, refusing the table */
	const char *pages;     /* what each page's name starts with */
};

/* The page of d named pages-what.html. */
static char *
note_page(const struct report_data *d, const struct note_case *c,
	  const char *what)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s.html", c->pages, what);
	return page(d, name);
}

/* c's note: none with no table or with rows of 0; under its figure, in
 * both languages, with rows that count some; none with the table refused. */
static void
check_note(const struct note_case *c)
{
	static struct report_data d;
	struct qtable *t = &d.t[c->rt];
	char *p;

	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = note_page(&d, c, "-none");
	assert_null(strstr(p, c->query));
	free(p);
	fixture_table(t, ROLE, 10, c->cols, c->zero);
	p = note_page(&d, c, "-zero");
	assert_null(strstr(p, c->query));
	free(p);
	codec_qtable_clear(t);
	fixture_table(t, ROLE, 10, c->cols, c->rows);
	p = note_page(&d, c, "");
	assert_true(figure_says(p, c->figure, c->es));
	if (c->not_named != NULL)
		assert_null(strstr(p, c->not_named));
	free(p);
	i18n_set(LANG_EN);
	p = note_page(&d, c, "-en");
	assert_true(figure_says(p, c->figure, c->en));
	free(p);
	codec_qtable_clear(t);
	fixture_error(t, ROLE, c->refusal);
	p = note_page(&d, c, "-refused");
	assert_null(strstr(p, c->query));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* Take-ups that match no referral of their sender (referrals_unmatched):
 * the referrals' figure names each pair that has some, a withheld count
 * in words, and the query that counts them, in both languages; a pair of
 * 0 is not named, and with none, or the table refused, no note. */
static void
test_unmatched(void **state)
{
	static const char *const rows[] = {"2025H2,pnp,mimp,2",
					   "2025H2,mp,mimp,0",
					   "2025H2,minsa,mimp,<10", NULL};
	static const char *const zero[] = {"2025H2,mp,mimp,0", NULL};
	static const struct note_case c = {
	    .rt = RT_UNMATCHED,
	    .cols = "period,from,to,takeups_unmatched",
	    .zero = zero,
	    .rows = rows,
	    .figure = "f-referrals",
	    .query = "referrals_unmatched",
	    .es = "Aceptaciones que el destino registró y que no coinciden "
		  "con ninguna derivación de su remitente (kuska query "
		  "referrals_unmatched --period 2025H2): PNP \u2192 MIMP: 2, "
		  "MINSA \u2192 MIMP: un número reservado. No cuentan en esta "
		  "tabla",
	    .en = "Take-ups the destination recorded that match no referral "
		  "of their sender (kuska query referrals_unmatched --period "
		  "2025H2): PNP \u2192 MIMP: 2, MINSA \u2192 MIMP: a withheld "
		  "number. They count in no row of this table",
	    .not_named = "MP \u2192 MIMP: 0",
	    .refusal = "not open to this role",
	    .pages = "unmatched",
	};

	(void)state;
	check_note(&c);
}

/* Cases no complaint names (cases_unmatched): the prosecution's figure
 * names each institution that has some, a withheld count in words, and
 * the query that counts them, in both languages; an institution of 0 is
 * not named, and with none, or the table refused (an older
 * consolidator), no note. */
static void
test_cases_unmatched(void **state)
{
	static const char *const rows[] = {"2025H2,mp,<10", "2025H2,pj,3",
					   NULL};
	static const char *const zero[] = {"2025H2,pj,0", NULL};
	static const struct note_case c = {
	    .rt = RT_CASES_UNMATCHED,
	    .cols = "period,institution,cases",
	    .zero = zero,
	    .rows = rows,
	    .figure = "f-prosecution",
	    .query = "cases_unmatched",
	    .es = "Casos que ninguna denuncia nombra, por la institución de "
		  "su primera etapa (kuska query cases_unmatched --period "
		  "2025H2): MP: un número reservado, PJ: 3. Cuentan en esta "
		  "tabla en sus etapas y en ningún embudo",
	    .en = "Cases no complaint names, by the institution of their "
		  "earliest stage (kuska query cases_unmatched --period "
		  "2025H2): MP: a withheld number, PJ: 3. They count in this "
		  "table at their stages and in no funnel",
	    .not_named = NULL,
	    .refusal = "unknown table \"cases_unmatched\"",
	    .pages = "cases-unmatched",
	};

	(void)state;
	check_note(&c);
}

/* How to read the referrals: a referral is a document number, not a
 * victim, so one oficio referring three siblings counts once (walk44). */
static void
test_referral_is_document(void **state)
{
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "referral-document.html");
	assert_true(figure_says(
	    p, "f-referrals",
	    "Una derivación es un número de oficio de un remitente a un "
	    "destino, no una víctima: un oficio que deriva a varias víctimas "
	    "cuenta como una derivación, aceptada en cuanto el destino "
	    "registra la aceptación de una de ellas"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "referral-document-en.html");
	assert_true(figure_says(
	    p, "f-referrals",
	    "A referral is one document number from a sender to a "
	    "destination, not a victim: a document referring several victims "
	    "counts once"));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* Sets cell col of t's row from its CSV text, as report_fixture.h reads
 * it ("<10": suppressed). */
static void
set_cell(struct qtable *t, size_t row, const char *col, const char *csv)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], col) == 0)
			break;
	assert_true(j < t->n_cols && row < t->n_rows);
	fixture_cell(&t->rows[row][j], csv, strlen(csv));
}

/* A negative median of days to take-up (take-ups dated before their
 * referral): the referrals' figure says they are dates to check, in both
 * languages; with none negative, nothing (walk44). */
static void
test_negative_takeup(void **state)
{
	static const char es[] = "Una mediana negativa: al menos la mitad de "
				 "esas aceptaciones tiene una fecha anterior "
				 "a la de su derivación.";
	static const char en[] = "A negative median: at least half of those "
				 "take-ups are dated before their referral.";
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "takeup-positive.html");
	assert_false(figure_says(p, "f-referrals", es));
	free(p);
	set_cell(&d.t[RT_REFERRALS], 0, "median_days", "-3");
	p = page(&d, "takeup-negative.html");
	assert_true(figure_says(p, "f-referrals", es));
	assert_false(figure_says(p, "f-protection", es));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "takeup-negative-en.html");
	assert_true(figure_says(p, "f-referrals", en));
	clear(&d);
	free(p);
	i18n_set(LANG_ES);
}

/* The page of d named name does not say s. */
static void
page_lacks(const struct report_data *d, const char *name, const char *s)
{
	char *p = page(d, name);

	assert_null(strstr(p, s));
	free(p);
}

/* The page of d named name says a, and b unless NULL, under its figure
 * id. */
static void
page_figure_says(const struct report_data *d, const char *name, const char *id,
		 const char *a, const char *b)
{
	char *p = page(d, name);

	assert_true(figure_says(p, id, a));
	if (b != NULL)
		assert_true(figure_says(p, id, b));
	free(p);
}

/*
 * An indicator per 100 (unit rate) that reads more than 100 - the
 * mental-health care begun per 100 victims identified, whose numerator
 * is not part of its denominator - says why that is no error, under the
 * figures that show it, in both languages, naming it; at 100 or below,
 * or a percentage above 100, nothing is said.
 */
static void
test_rate_over_100(void **state)
{
	static const char *const es =
	    "Por encima de 100 por cada 100: «Mental-health care after "
	    "identif.». No es un error: una tasa cuenta un grupo de víctimas "
	    "por cada 100 de otro";
	static const char *const en =
	    "Above 100 per 100: “Mental-health care after identif.”. That is "
	    "no error: a rate counts one group of victims per 100 of another";
	/* Its example is said to be one: a rate of other victims (victims
	 * identified per 100 identified by PNP) has no care to begin. */
	static const char *const example_es =
	    "en el segundo (como en la atención en salud mental, donde las "
	    "víctimas identificadas antes del periodo";
	static const char *const example_en =
	    "among the second (as with mental-health care, where victims "
	    "identified before the period";
	static const char *const any_es = "Por encima de 100 por cada 100";
	static const char *const any_en = "Above 100 per 100";
	static struct report_data d;
	struct qtable *ind = &d.t[RT_INDICATORS];
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	/* row 1: mental-health, a key indicator */
	set_text(ind, 1, "unit", "rate");
	set_cell(ind, 1, "value", "130");
	p = page(&d, "rate-over.html");
	assert_true(figure_says(p, "f-key", es));
	assert_true(figure_says(p, "f-key", example_es));
	assert_false(figure_says(p, "f-other", any_es));
	free(p);
	i18n_set(LANG_EN);
	page_figure_says(&d, "rate-over-en.html", "f-key", en, example_en);
	set_cell(ind, 1, "value", "100");
	page_lacks(&d, "rate-100.html", any_en);
	set_text(ind, 1, "unit", "percent");
	set_cell(ind, 1, "value", "130");
	page_lacks(&d, "percent-over.html", any_en);
	clear(&d);
	i18n_set(LANG_ES);
}

/*
 * An indicator that is a share of records within 30 days and reads 0 (a
 * demo's or an institution's records all submitted long after their
 * dates: walk56b's 0.0%) says under the figure that shows it what it
 * counts and why it may read 0, in both languages, naming it; at 0.5, or
 * an expression that is more than the share, nothing is said.
 */
static void
test_timeliness_zero(void **state)
{
	static const char *const es =
	    "En 0 %: «PNP records within 30 days». Un porcentaje de registros "
	    "llegados en 30 días cuenta los registros del periodo que "
	    "llegaron al consolidador 30 días o menos después de su fecha (el "
	    "día del hecho que registran); en 0, ninguno llegó así: todos se "
	    "enviaron más de 30 días después";
	static const char *const en =
	    "At 0%: “PNP records within 30 days”. A share of records within "
	    "30 days counts the period";
	static const char *const why_en =
	    "at 0, none did: all were submitted more than 30 days after it, "
	    "as when an institution loads months of past records at once";
	static const char *const any_es = "En 0 %";
	static struct report_data d;
	struct qtable *ind = &d.t[RT_INDICATORS];
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	add_expression(ind, "timeliness.within_30_days_pct [institution=pnp]");
	page_lacks(&d, "timeliness-positive.html", any_es);
	set_cell(ind, 5, "value", "0");
	p = page(&d, "timeliness-zero.html");
	assert_true(figure_says(p, "f-other", es));
	assert_false(figure_says(p, "f-key", any_es));
	assert_int_equal(count(p, any_es), 1);
	free(p);
	i18n_set(LANG_EN);
	page_figure_says(&d, "timeliness-zero-en.html", "f-other", en, why_en);
	i18n_set(LANG_ES);
	set_cell(ind, 5, "value", "0.5");
	page_lacks(&d, "timeliness-half.html", any_es);
	set_cell(ind, 5, "value", "0");
	set_text(ind, 5, "expression",
		 "100 - timeliness.within_30_days_pct[institution=pnp]");
	page_lacks(&d, "timeliness-more.html", any_es);
	clear(&d);
}

/*
 * A negative median of days between two stages (a court's sentence dated
 * before its trial, in at least half of the cases of a pair) is a date to
 * correct, not a duration: the durations figure says so under it, in both
 * languages, and its chart writes the minus sign as its table does; with
 * no negative median nothing is said.
 */
static void
test_negative_duration(void **state)
{
	static const char *const es =
	    "Una mediana negativa: en al menos la mitad de esos casos la "
	    "etapa posterior tiene una fecha anterior a la de la etapa "
	    "previa";
	static const char *const en =
	    "A negative median: in at least half of those cases the later "
	    "stage is dated before the earlier one";
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	p = page(&d, "durations.html");
	assert_false(figure_says(p, "f-durations", es));
	free(p);
	/* row 4: trial to conviction */
	set_cell(&d.t[RT_DURATIONS], 4, "median_days", "-16");
	p = page(&d, "durations-negative.html");
	assert_true(figure_says(p, "f-durations", es));
	assert_non_null(strstr(p, "class=\"v\">\u221216 d"));
	assert_null(strstr(p, "class=\"v\">-16"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "durations-negative-en.html");
	assert_true(figure_says(p, "f-durations", en));
	free(p);
	clear(&d);
	i18n_set(LANG_ES);
}

/* Its title is on children and adolescents, but the page's counts of
 * victims include those identified at 18 or older: the identification
 * and overlap figures (the overlap's rows share out the same victims) say
 * how many, and the estimate (made from the overlap) says it is of victims
 * of all ages, each as the table breakdown's age_group 18+ cell shows it
 * (said in words: the page's reader has no table names)
 * ("<10" when withheld, never the number under it); nothing when that
 * cell is 0 or that table is not answered. What the estimate assumes is
 * that each victim, not each child, is counted once. */
static void
test_adults_counted(void **state)
{
	static const char *const es =
	    "Las víctimas contadas aquí incluyen las identificadas con 18 "
	    "años o más: 43 (desglose por grupo de edad).";
	static const char *const es_est =
	    "Las listas cuentan víctimas de todas las edades, y la estimación "
	    "también (identificadas en el periodo con 18 años o más: 43; "
	    "desglose por grupo de edad).";
	static const char *const es_any = "con 18 años o más";
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true); /* breakdown row 5: age_group 18+, 43 */
	p = page(&d, "adults.html");
	assert_true(figure_says(p, "f-identification", es));
	assert_true(figure_says(p, "f-overlap", es));
	assert_true(figure_says(p, "f-estimate", es_est));
	assert_int_equal(count(p, es_any), 3);
	assert_non_null(strstr(p, "y que cada víctima se cuenta una sola vez"));
	assert_null(strstr(p, "niño, niña"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "adults-en.html");
	assert_true(figure_says(p, "f-overlap",
				"The victims counted here include those "
				"identified at 18 or older: 43 (the "
				"breakdown by age group)."));
	assert_true(
	    figure_says(p, "f-estimate",
			"The lists count victims of all ages, and so does "
			"the estimate (those identified at 18 or older in "
			"the period: 43; the breakdown by age group)."));
	assert_int_equal(count(p, "identified at 18 or older"), 3);
	assert_non_null(strstr(p, "and that each victim is counted once"));
	assert_null(strstr(p, "each child"));
	free(p);
	i18n_set(LANG_ES);
	set_cell(&d.t[RT_BREAKDOWN], 5, "victims", "<10");
	p = page(&d, "adults-withheld.html");
	assert_true(figure_says(p, "f-overlap",
				"Las víctimas contadas aquí incluyen las "
				"identificadas con 18 años o más: un número "
				"reservado de víctimas"));
	assert_true(figure_says(p, "f-estimate",
				"en el periodo con 18 años o más: un número "
				"reservado de víctimas;"));
	assert_int_equal(count(p, es_any), 3);
	free(p);
	/* One reads as many do: no "1 identificadas" (their counts stand
	 * after a colon). */
	set_cell(&d.t[RT_BREAKDOWN], 5, "victims", "1");
	p = page(&d, "adults-one.html");
	assert_true(figure_says(p, "f-overlap",
				"incluyen las identificadas con 18 años o "
				"más: 1 (desglose"));
	assert_null(strstr(p, "1 identificadas"));
	free(p);
	set_cell(&d.t[RT_BREAKDOWN], 5, "victims", "0");
	p = page(&d, "adults-none.html");
	assert_null(strstr(p, es_any));
	free(p);
	/* Without a population file (no SDG 16.2.2) the notes stay. */
	set_cell(&d.t[RT_BREAKDOWN], 5, "victims", "43");
	codec_qtable_clear(&d.t[RT_SDG]);
	fixture_error(&d.t[RT_SDG], ROLE,
		      "the population file has no figures for 2025 for the "
		      "country (region 00)");
	p = page(&d, "adults-no-sdg.html");
	assert_true(figure_says(p, "f-identification", es));
	assert_true(figure_says(p, "f-overlap", es));
	assert_true(figure_says(p, "f-estimate", es_est));
	free(p);
	codec_qtable_clear(&d.t[RT_BREAKDOWN]);
	fixture_error(&d.t[RT_BREAKDOWN], ROLE,
		      "unknown table \"breakdown\"");
	p = page(&d, "adults-no-breakdown.html");
	assert_null(strstr(p, es_any));
	clear(&d);
	free(p);
}

/* Whether section id of page p says s. */
static bool
section_says(const char *p, const char *id, const char *s)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "<section id=\"%s\">", id);
	return part_says(p, attr, "</section>", s);
}

/*
 * fill()'s answers with the key indicator seen-by-several (row 4) made
 * the count of victims identified, as config/indicators.conf's
 * identification-victims is: 298, the identification's total (an
 * institution's: its own row, 298 too).
 */
static void
fill_identified(struct report_data *d, const char *role)
{
	static const char *const expr[] = {
	    "referrals.taken_up[to=mimp]",
	    "protection.victims",
	    "funnel.cases",
	    "durations.median_days",
	    "identification.victims [institution=all]",
	    "timeliness.records"};

	static const char *const own[] = {"2025H2,pnp,298", NULL};

	fill(d, role, true);
	/* An institution's identification has its own row, no "all". */
	if (strcmp(role, "institution") == 0) {
		codec_qtable_clear(&d->t[RT_IDENTIFICATION]);
		fixture_table(&d->t[RT_IDENTIFICATION], role, 10,
			      "period,institution,victims", own);
	}
	add_column(&d->t[RT_INDICATORS], "expression", expr);
	set_cell(&d->t[RT_INDICATORS], 4, "value", "298");
	set_text(&d->t[RT_INDICATORS], 4, "status", "on_track");
}

/*
 * The page is on children, and its number of victims identified (the
 * headline indicator, its card, the identification section) counts
 * victims of every age: each of them says how many were under 18, the
 * breakdown's under-18 age groups summed (fill(): 21 + 64 + 170 of 298,
 * 43 being 18 or older), for every role and in both languages. With one
 * of those groups withheld, it is the total less 18+ (298 - 43 = 255),
 * as sdg16_2_2 gives the same role its 0-17, and the sentence says so;
 * with 18+ withheld too, the number of children is said to be withheld.
 */
static void
test_children_counted(void **state)
{
	static const char *const roles[] = {"secretariat", "analyst",
					    "institution"};
	static const char *const es =
	    "Víctimas identificadas en el periodo: 298; niñas, niños y "
	    "adolescentes entre ellas (menores de 18 años en su primera "
	    "identificación del periodo): 255 (desglose por grupo de edad).";
	static const char *const en =
	    "Victims identified in the period: 298; children among them "
	    "(under 18 at their first identification in the period): 255 "
	    "(the breakdown by age group).";
	static const char *const es_derived =
	    "Víctimas identificadas en el periodo: 298; niñas, niños y "
	    "adolescentes entre ellas (menores de 18 años en su primera "
	    "identificación del periodo): 255 (el total menos las de 18 años "
	    "o más del desglose por grupo de edad).";
	static const char *const en_derived =
	    "Victims identified in the period: 298; children among them "
	    "(under 18 at their first identification in the period): 255 "
	    "(the total less those 18 or older in the breakdown by age "
	    "group).";
	static const char *const es_withheld =
	    "Víctimas identificadas en el periodo: 298; el número de niñas, "
	    "niños y adolescentes entre ellas (menores de 18 años) se reserva "
	    "por confidencialidad: una cifra de su desglose por grupo de edad "
	    "está reservada, y también la de 18 años o más.";
	static const char *const en_withheld =
	    "Victims identified in the period: 298; the number of children "
	    "among them (under 18) is withheld for confidentiality: a count of "
	    "their breakdown by age group is withheld, and so is that of those "
	    "18 or older.";
	static struct report_data d;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		i18n_set(LANG_ES);
		fill_identified(&d, roles[i]);
		p = page(&d, "children.html");
		assert_true(section_says(p, "identification", es));
		assert_true(figure_says(p, "f-key", es));
		assert_true(figure_says(p, "f-trend",
					"De ellas, menores de 18 años: 255."));
		free(p);
		i18n_set(LANG_EN);
		p = page(&d, "children-en.html");
		assert_true(section_says(p, "identification", en));
		assert_true(figure_says(p, "f-key", en));
		assert_true(
		    figure_says(p, "f-trend", "Of them, under 18: 255."));
		free(p);
		clear(&d);
	}

	/* 12-13 withheld: 298 less 18+'s 43, the 0-17 of the same page's
	 * sdg16_2_2, and the sentence says how it was worked out. */
	fill_identified(&d, ROLE);
	set_cell(&d.t[RT_BREAKDOWN], 3, "victims", "<10");
	i18n_set(LANG_ES);
	p = page(&d, "children-derived.html");
	assert_true(section_says(p, "identification", es_derived));
	assert_true(figure_says(p, "f-key", es_derived));
	assert_true(
	    figure_says(p, "f-trend", "De ellas, menores de 18 años: 255."));
	assert_non_null(strstr(p, "data-v=\"255\""));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "children-derived-en.html");
	assert_true(section_says(p, "identification", en_derived));
	assert_true(figure_says(p, "f-key", en_derived));
	assert_true(figure_says(p, "f-trend", "Of them, under 18: 255."));
	free(p);

	/* No 18+ row (the consolidator leaves out a group of no victims):
	 * none 18 or over, all 298 children, as sdg16_2_2 counts it. */
	set_cell(&d.t[RT_BREAKDOWN], 5, "value", "not-an-age-group");
	p = page(&d, "children-no-adults.html");
	assert_non_null(strstr(p, "data-v=\"298\""));
	free(p);
	set_cell(&d.t[RT_BREAKDOWN], 5, "value", "18+");

	/* 18+ withheld too: no 255 said of children, and it says why. */
	set_cell(&d.t[RT_BREAKDOWN], 5, "victims", "<10");
	i18n_set(LANG_ES);
	p = page(&d, "children-withheld.html");
	assert_true(section_says(p, "identification", es_withheld));
	assert_true(figure_says(p, "f-key", es_withheld));
	assert_true(figure_says(p, "f-trend",
				"De ellas, menores de 18 años: reservado."));
	assert_null(strstr(p, "255 eran"));
	assert_null(strstr(p, "255 menores"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "children-withheld-en.html");
	assert_true(section_says(p, "identification", en_withheld));
	assert_true(figure_says(p, "f-key", en_withheld));
	assert_true(figure_says(p, "f-trend", "Of them, under 18: withheld."));
	assert_null(strstr(p, "255 were"));
	assert_null(strstr(p, "255 under"));
	free(p);
	i18n_set(LANG_ES);

	/* Without the breakdown, nothing is said of children. */
	codec_qtable_clear(&d.t[RT_BREAKDOWN]);
	fixture_error(&d.t[RT_BREAKDOWN], ROLE, "unknown table \"breakdown\"");
	p = page(&d, "children-no-breakdown.html");
	assert_null(strstr(p, "menores de 18 años"));
	free(p);
	clear(&d);
}

/*
 * The timeliness note says what the records still to come do to the
 * table. Of 2025H2, long over (fill(); its figures may read 435 days and
 * 0.0% within 30), any still to come is late: the note says that, with
 * how many days the period has been over, and not that the median reads
 * short and the share high. Of today's period, not over 30 days yet,
 * records of its last days may still arrive on time or late.
 */
static void
test_timeliness_note(void **state)
{
	static const char *const recent =
	    "Solo cuentan los registros que llegaron al consolidador hasta "
	    "hoy: el periodo no lleva 30 días cerrado, así que aún pueden "
	    "llegar registros de sus últimos días, a tiempo o tarde, y la "
	    "mediana y el porcentaje en 30 días pueden cambiar.";
	static struct report_data d;
	uint32_t now[PERIODS_PER_DAY];
	char name[PERIOD_NAME_MAX], closed[300];
	int32_t over = date_today() - period_last_day(20256);
	char *p;
	size_t i;

	(void)state;
	i18n_set(LANG_ES);
	assert_true(over > 30 && over < 10000);
	snprintf(closed, sizeof(closed),
		 "Solo cuentan los registros que llegaron al consolidador "
		 "hasta hoy, %d días después del fin del periodo: uno que "
		 "llegue después contará fuera de los 30 días.",
		 (int)over);
	fill(&d, ROLE, true);
	set_cell(&d.t[RT_TIMELINESS], 5, "median_days", "435");
	set_cell(&d.t[RT_TIMELINESS], 5, "within_30_days_pct", "0.0");
	p = page(&d, "timeliness-closed.html");
	assert_true(figure_says(p, "f-timeliness", closed));
	assert_false(figure_says(p, "f-timeliness", recent));
	assert_null(strstr(p, "la mediana se lee corta"));
	free(p);
	i18n_set(LANG_EN);
	snprintf(closed, sizeof(closed),
		 "Only the records that have reached the consolidator by "
		 "today count, %d days after the period ended: any that "
		 "arrives later counts as beyond 30 days.",
		 (int)over);
	p = page(&d, "timeliness-closed-en.html");
	assert_true(figure_says(p, "f-timeliness", closed));
	assert_null(strstr(p, "the median reads short"));
	assert_null(strstr(p, "None of the period"));
	free(p);
	/* Every institution's share 0 (records all submitted long after
	 * their dates, as the demo's without libfaketime): the note says
	 * what that 0 counts and why it may read so, after the closed one;
	 * one share above 0 and it says nothing of it (above). */
	for (i = 0; i < d.t[RT_TIMELINESS].n_rows; i++)
		set_cell(&d.t[RT_TIMELINESS], i, "within_30_days_pct", "0.0");
	page_figure_says(
	    &d, "timeliness-zero-en.html", "f-timeliness",
	    "counts as beyond 30 days. None of the period&#39;s records "
	    "reached the consolidator 30 days or less after its date (the day "
	    "of the event it records): all were submitted more than 30 days "
	    "after it, as when an institution loads months of past records at "
	    "once or its node sent nothing for weeks. That is the delay in "
	    "sending the records, not in caring for the victims.",
	    NULL);
	i18n_set(LANG_ES);
	page_figure_says(&d, "timeliness-zero.html", "f-timeliness",
			 "Ningún registro del periodo llegó al consolidador "
			 "30 días o menos después de su fecha (el día del "
			 "hecho que registra)",
			 NULL);
	clear(&d);

	i18n_set(LANG_ES);
	period_codes_of(date_today(), now);
	fill_period(&d, now[0], name);
	p = page(&d, "timeliness-recent.html");
	assert_true(figure_says(p, "f-timeliness", recent));
	assert_null(strstr(p, "días después del fin del periodo"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "timeliness-recent-en.html");
	assert_true(figure_says(
	    p, "f-timeliness",
	    "Only the records that have reached the consolidator by today "
	    "count: the period has not been over for 30 days, so records of "
	    "its last days may still arrive, on time or late, and the median "
	    "and the share within 30 days may change."));
	free(p);
	i18n_set(LANG_ES);
	clear(&d);
}

/*
 * The timeliness note's 30 days, on days of our choosing: 2025H2 ended
 * on 31 December, so on 30 January a record of its last day is still
 * within 30 days (days <= 30, EVENTS.md) and the figures may move either
 * way; on 31 January any record still to come is late.
 */
static void
test_timeliness_note_30_days(void **state)
{
	uint32_t code;
	int32_t jan30, jan31;
	char out[400];

	(void)state;
	i18n_set(LANG_EN);
	assert_int_equal(period_parse("2025H2", &code), 0);
	assert_int_equal(date_parse("2026-01-30", 10, &jan30), 0);
	assert_int_equal(date_parse("2026-01-31", 10, &jan31), 0);
	assert_string_equal(rp_timeliness_note(code, jan30, out, sizeof(out)),
			    tr(M_TIMELINESS_NOTE));
	assert_string_equal(rp_timeliness_note(code, jan31, out, sizeof(out)),
			    "Only the records that have reached the "
			    "consolidator by today count, 31 days after the "
			    "period ended: any that arrives later counts as "
			    "beyond 30 days.");
	i18n_set(LANG_ES);
}

/*
 * The warning under the title of a period just over, on days of our
 * choosing: none while 2025H2 runs (its own warning says so), from 1
 * January to 30 January that its figures may still change, with the day
 * to make it again, and none from 31 January, as the timeliness note.
 */
static void
test_recent_note_30_days(void **state)
{
	uint32_t code;
	int32_t dec31, jan1, jan30, jan31;
	char out[512]; /* header()'s */
	int l;

	(void)state;
	i18n_set(LANG_EN);
	assert_int_equal(period_parse("2025H2", &code), 0);
	assert_int_equal(date_parse("2025-12-31", 10, &dec31), 0);
	assert_int_equal(date_parse("2026-01-01", 10, &jan1), 0);
	assert_int_equal(date_parse("2026-01-30", 10, &jan30), 0);
	assert_int_equal(date_parse("2026-01-31", 10, &jan31), 0);
	assert_null(rp_recent_note(code, dec31, out, sizeof(out)));
	assert_non_null(rp_recent_note(code, jan1, out, sizeof(out)));
	assert_string_equal(rp_recent_note(code, jan30, out, sizeof(out)),
			    "The period ended on 2025-12-31, 30 days ago or "
			    "less: records of its last days are still "
			    "arriving, and all its figures (victims, "
			    "referrals, stages, the estimate) may change; "
			    "this report's are those received by today, "
			    "2026-01-30. Publish the report made from "
			    "2026-01-31 on, not this one: two reports of a "
			    "period published from different data let a "
			    "reader work out withheld figures from their "
			    "differences.");
	assert_null(rp_recent_note(code, jan31, out, sizeof(out)));
	i18n_set(LANG_ES);
	assert_non_null(strstr(rp_recent_note(code, jan1, out, sizeof(out)),
			       "Publique el informe generado desde el "
			       "2026-01-31, no este"));
	/* The header's buffer holds the longest language's whole: cut
	 * short, the sentence would lose its end, or a character in two. */
	assert_int_equal(period_parse("2999Q4", &code), 0);
	for (l = 0; l < LANG_COUNT; l++) {
		i18n_set((enum lang)l);
		assert_non_null(rp_recent_note(code, period_last_day(code) + 1,
					       out, sizeof(out)));
		assert_true(strlen(out) < sizeof(out) - 1);
		assert_int_equal(out[strlen(out) - 1], '.');
	}
	i18n_set(LANG_ES);
}

/*
 * The page judges its period as of d->today, the one day cmd_report
 * reads, not the clock: a report made across midnight says one thing.
 * 2025H2 on 20 December is not over (the header's day, its counts read
 * when it ends), on 10 January just over (the header's warning, the
 * timeliness note of a period not 30 days over), on 1 March over for 60
 * days; and its year is whole for the trend from 1 January only.
 */
static void
test_one_today(void **state)
{
	static struct report_data d;
	int32_t dec20, dec31, jan1, jan10, mar1;
	char *p;

	(void)state;
	assert_int_equal(date_parse("2025-12-20", 10, &dec20), 0);
	assert_int_equal(date_parse("2025-12-31", 10, &dec31), 0);
	assert_int_equal(date_parse("2026-01-01", 10, &jan1), 0);
	assert_int_equal(date_parse("2026-01-10", 10, &jan10), 0);
	assert_int_equal(date_parse("2026-03-01", 10, &mar1), 0);
	assert_false(report_year_whole(20256, 2025, dec31));
	assert_true(report_year_whole(20256, 2025, jan1));
	i18n_set(LANG_EN);
	fill(&d, ROLE, true);
	set_text(&d.t[RT_INDICATORS], 2, "unit", "count");

	d.today = dec20;
	p = page(&d, "today-open.html");
	assert_non_null(strstr(p, "The period is not over: the figures run "
				  "to today, 2025-12-20, and will change"));
	assert_non_null(strstr(p, "badge b-period_open"));
	assert_null(strstr(p, "id=\"recent\""));
	free(p);

	d.today = jan10;
	p = page(&d, "today-recent.html");
	assert_null(strstr(p, "The period is not over"));
	assert_null(strstr(p, "badge b-period_open"));
	assert_non_null(strstr(p, "<p class=\"warn\" id=\"recent\">The "
				  "period ended on 2025-12-31, 30 days ago"));
	assert_non_null(strstr(p, "received by today, 2026-01-10. Publish the "
				  "report made from 2026-01-31 on"));
	assert_true(figure_says(p, "f-timeliness", tr(M_TIMELINESS_NOTE)));
	free(p);

	d.today = mar1;
	p = page(&d, "today-over.html");
	assert_null(strstr(p, "The period is not over"));
	assert_null(strstr(p, "id=\"recent\""));
	assert_true(figure_says(p, "f-timeliness",
				"by today count, 60 days after the period "
				"ended"));
	free(p);
	clear(&d);
	i18n_set(LANG_ES);
}

/*
 * In a semester's report, the card of the count read by year shows the
 * last whole year's: its children are that year's breakdown's (the
 * report asks it), not the semester's.
 */
static void
test_children_of_year_card(void **state)
{
	static const char *const freq[] = {"semester", "semester", "semester",
					   "semester", "year",	   "semester"};
	static const char *const y2025[] = {
	    "2025,identification-victims,Presumed victims identified,yes,"
	    "count,612,500,600,2026,0.900,on_track",
	    NULL};
	static const char *const bd2025[] = {
	    "2025,sex,F,400",		"2025,sex,M,212",
	    "2025,age_group,0-5,30",	"2025,age_group,6-11,50",
	    "2025,age_group,12-13,120", "2025,age_group,14-17,300",
	    "2025,age_group,18+,112",	NULL};
	static struct report_data d;
	const char *card, *end, *at;
	char *p;

	(void)state;
	i18n_set(LANG_ES);
	fill_identified(&d, ROLE);
	set_text(&d.t[RT_INDICATORS], 4, "indicator", "identification-victims");
	add_column(&d.t[RT_INDICATORS], "frequency", freq);
	fixture_table(&d.year[0], ROLE, 10,
		      "period,indicator,name,key,unit,value,baseline,target,"
		      "target_period,progress,status",
		      y2025);
	snprintf(d.year_period[0], sizeof(d.year_period[0]), "2025");
	d.n_year = 1;
	fixture_table(&d.year_breakdown, ROLE, 10,
		      "period,dimension,value,victims", bd2025);
	snprintf(d.year_breakdown_period, sizeof(d.year_breakdown_period),
		 "2025");
	p = page(&d, "children-year.html");
	card = strstr(p, "<div class=\"card\"><h3>Victims seen by several");
	assert_non_null(card);
	end = strstr(card, "</div>");
	assert_non_null(end);
	at = strstr(card, "2025: 612;");
	assert_true(at != NULL && at < end);
	at = strstr(card, "De ellas, menores de 18 años: 500.");
	assert_true(at != NULL && at < end);
	/* The semester's own table still says the semester's. */
	assert_true(figure_says(p, "f-key",
				"Víctimas identificadas en el periodo: 298;"));
	free(p);
	/* Without the year's breakdown, the card says nothing of them. */
	codec_qtable_clear(&d.year_breakdown);
	d.year_breakdown_period[0] = '\0';
	p = page(&d, "children-year-none.html");
	card = strstr(p, "<div class=\"card\"><h3>Victims seen by several");
	assert_non_null(card);
	end = strstr(card, "</div>");
	at = strstr(card, "menores de 18");
	assert_true(at == NULL || at > end);
	free(p);
	clear(&d);
}

/* The chart of trend card id in page p, as a string (the caller frees). */
static char *
card_svg(const char *p, const char *id)
{
	char needle[64];
	const char *s, *e;

	snprintf(needle, sizeof(needle), "aria-labelledby=\"%s-t\"", id);
	s = strstr(p, needle);
	assert_non_null(s);
	e = strstr(s, "</svg>");
	assert_non_null(e);
	return strndup(s, (size_t)(e - s));
}

/*
 * The chart of figure id in page p, from its "<svg" to its "</svg>", as a
 * string (the caller frees). The chart must be the figure's own, not the
 * next figure's.
 */
static char *
figure_svg(const char *p, const char *id)
{
	char attr[64];
	const char *fig, *end, *s, *e;

	snprintf(attr, sizeof(attr), "id=\"%s\"", id);
	fig = strstr(p, attr);
	assert_non_null(fig);
	end = strstr(fig, "</figure>");
	s = strstr(fig, "<svg");
	assert_non_null(s);
	assert_true(end == NULL || s < end);
	e = strstr(s, "</svg>");
	assert_non_null(e);
	return strndup(s, (size_t)(e - s));
}

/* The card of a card of a count read by year: from 'from' to the end of
 * its card. */
static const char *
card_of(const char *p, const char *title)
{
	char needle[128];
	const char *s;

	snprintf(needle, sizeof(needle), "<div class=\"card\"><h3>%s</h3>",
		 title);
	s = strstr(p, needle);
	assert_non_null(s);
	return s;
}

/*
 * A count read by year (frequency year) has a year's baseline and target,
 * and a semester's count is about half a year's: its trend card plots
 * whole years, the indicators answer of each, and the trend's table gives
 * them in a table of their own; a year the report does not run to the
 * end of is left out, and the card says so. The cards of the indicators
 * read by semester are as they were.
 */
static void
test_yearly_trend(void **state)
{
	/* rows: takeup-mimp, mental-health, complaint-formalized,
	 * days-to-accusation (read by year here), seen-by-several,
	 * timeliness-pnp */
	static const char *const freq[] = {"semester", "semester", "semester",
					   "year",     "semester", "semester"};
	static const char *const y2024[] = {
	    "2024,days-to-accusation,Days from complaint to accusation,yes,"
	    "days,333,210,150,2026H2,0.500,on_track",
	    NULL};
	static const char *const y2025[] = {
	    "2025,takeup-mimp,Referrals to MIMP taken up,yes,percent,62,61.5,"
	    "80,2026H2,0.030,limited",
	    "2025,days-to-accusation,Days from complaint to accusation,yes,"
	    "days,377,210,150,2026H2,0.500,on_track",
	    NULL};
	static const char *const header =
	    "period,indicator,name,key,unit,value,baseline,target,"
	    "target_period,progress,status";
	static struct report_data d;
	char *before, *p, *a, *b;
	const char *card, *end, *at;

	(void)state;
	i18n_set(LANG_ES);
	fill(&d, ROLE, true);
	before = page(&d, "yearly-before.html");
	add_column(&d.t[RT_INDICATORS], "frequency", freq);
	fixture_table(&d.year[0], ROLE, 10, header, y2024);
	fixture_table(&d.year[1], ROLE, 10, header, y2025);
	snprintf(d.year_period[0], sizeof(d.year_period[0]), "2024");
	snprintf(d.year_period[1], sizeof(d.year_period[1]), "2025");
	d.n_year = 2;
	p = page(&d, "yearly.html");

	/* Its card plots 2024 and 2025, not the semesters. */
	a = card_svg(p, "trend-3");
	assert_non_null(strstr(a, ">2024<"));
	assert_non_null(strstr(a, ">2025<"));
	assert_null(strstr(a, "H1<"));
	assert_null(strstr(a, "H2<"));
	assert_non_null(strstr(a, ">333 d<"));
	assert_non_null(strstr(a, ">377 d<"));
	assert_null(strstr(a, ">170 d<")); /* 2025H2's */
	free(a);
	/* It tells the last whole year, and that it follows years. */
	card = card_of(p, "Days from complaint to accusation");
	end = strstr(card + 1, "<div class=\"card\">");
	assert_non_null(end);
	at = strstr(card, "2025: 377 d; meta 150 d para 2026H2");
	assert_non_null(at);
	assert_true(at < end);
	at = strstr(card, "<p>Año por año, como su meta.</p>");
	assert_non_null(at);
	assert_true(at < end);
	assert_true(strstr(card, "no se muestra") == NULL ||
		    strstr(card, "no se muestra") > end);

	/* The cards read by semester are as they were. */
	a = card_svg(before, "trend-0");
	b = card_svg(p, "trend-0");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = card_svg(before, "trend-2");
	b = card_svg(p, "trend-2");
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* In the tables: no semesters for it, its years in one of their
	 * own, each cell the query's. */
	assert_null(strstr(p, "data-q=\"indicators 2025H1 3 value\""));
	assert_non_null(strstr(before, "data-q=\"indicators 2025H1 3 value\""));
	assert_non_null(strstr(p, "data-q=\"indicators 2025H1 0 value\""));
	assert_non_null(strstr(p, "<caption>Cifras de la figura 2: los "
				  "conteos que se leen por año, año por "
				  "año</caption>"));
	assert_non_null(strstr(p, "data-q=\"indicators 2024 0 value\""));
	assert_non_null(strstr(p, "data-q=\"indicators 2025 1 value\""));
	assert_non_null(strstr(p, "<code>kuska query indicators --period "
				  "Y</code> para cada año Y de 2024 a 2025."));
	assert_non_null(strstr(p, "salvo los conteos que se leen por año"));
	assert_null(strstr(before, "salvo los conteos que se leen por año"));
	assert_non_null(strstr(p, "clave, semestre a semestre o año a año"));
	free(p);

	/* English. */
	i18n_set(LANG_EN);
	p = page(&d, "yearly-en.html");
	assert_non_null(strstr(p, "2025: 377 d; target 150 d by 2026H2"));
	assert_non_null(strstr(p, "<p>Year by year, as its target.</p>"));
	assert_non_null(strstr(p, "Numbers of figure 2: the counts read by "
				  "year, year by year"));
	free(p);

	/* The report of 2025H1 does not run to 2025's end: 2025 is left
	 * out, and the card says why. */
	i18n_set(LANG_ES);
	d.period = "2025H1";
	d.code = 20255;
	d.n_trend = 3;
	d.n_year = 1;
	p = page(&d, "yearly-2025H1.html");
	a = card_svg(p, "trend-3");
	assert_null(strstr(a, ">2025<"));
	assert_non_null(strstr(a, ">2024<"));
	free(a);
	assert_non_null(strstr(p, "2024: 333 d; meta 150 d para 2026H2"));
	assert_non_null(strstr(p, "<p>Año por año, como su meta. 2025 no se "
				  "muestra: este informe llega a 2025H1.</p>"));
	free(p);
	i18n_set(LANG_EN);
	p = page(&d, "yearly-2025H1-en.html");
	assert_non_null(strstr(p, "<p>Year by year, as its target. 2025 is "
				  "not shown: this report ends at "
				  "2025H1.</p>"));
	free(p);
	i18n_set(LANG_ES);
	d.n_trend = 4;
	d.n_year = 2;
	clear(&d);
	free(before);
}

/*
 * An institution's page (PNP's) does not draw what its own view cannot
 * hold: a table that is all empty (its protection, as the consolidator
 * answers an institution that records no service) is one line saying
 * why, not a figure of dashes; its funnel keeps the stages it records
 * (its chart no bar for the others), the dashes explained; the identification
 * figure does not speak of PJ's zero or of a total below the sum, which its one
 * row has not.
 */
static void
test_institution_not_recorded(void **state)
{
	static const char *const id[] = {"2025H2,pnp,156", NULL};
	static const char *const protection[] = {"2025H2,legal_aid,,",
						 "2025H2,medical,,",
						 "2025H2,mental_health,,",
						 "2025H2,reintegration,,",
						 "2025H2,residential_care,,",
						 "2025H2,special_protection,,",
						 NULL};
	static const char *const funnel[] = {
	    "2025H2,complaint,101,",
	    "2025H2,preliminary_investigation,76,0.248",
	    "2025H2,formalized_investigation,,",
	    "2025H2,accusation,,",
	    "2025H2,trial,,",
	    "2025H2,conviction,,",
	    "2025H2,acquittal,,",
	    "2025H2,dismissal,,",
	    NULL};
	static const char *const prosecution[] = {
	    "2025H2,complaint,87,161",
	    "2025H2,preliminary_investigation,16,26",
	    "2025H2,formalized_investigation,,",
	    "2025H2,accusation,,",
	    "2025H2,trial,,",
	    "2025H2,conviction,,",
	    "2025H2,acquittal,,",
	    "2025H2,dismissal,,",
	    NULL};
	static struct report_data d;
	char *p, *svg;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1;
	d.t[RT_DELIVERIES].n_rows = 1;
	codec_qtable_clear(&d.t[RT_IDENTIFICATION]);
	fixture_table(&d.t[RT_IDENTIFICATION], "institution", 10,
		      "period,institution,victims", id);
	codec_qtable_clear(&d.t[RT_PROTECTION]);
	fixture_table(&d.t[RT_PROTECTION], "institution", 10,
		      "period,service,victims,median_days", protection);
	codec_qtable_clear(&d.t[RT_FUNNEL]);
	fixture_table(&d.t[RT_FUNNEL], "institution", 10,
		      "period,stage,cases,attrition", funnel);
	codec_qtable_clear(&d.t[RT_PROSECUTION]);
	fixture_table(&d.t[RT_PROSECUTION], "institution", 10,
		      "period,stage,cases,persons", prosecution);
	p = page(&d, "institution-not-recorded.html");
	assert_non_null(strstr(p, "No figures: PNP does not record protection "
				  "services: the network&#39;s registry"));
	assert_null(strstr(p, "id=\"f-protection\""));
	assert_non_null(strstr(p, "id=\"f-funnel\""));
	/* Its chart draws the stages it records, no bar of dashes. */
	svg = figure_svg(p, "f-funnel");
	assert_non_null(strstr(svg, ">Complaint<"));
	assert_null(strstr(svg, "Formalized inv."));
	assert_null(strstr(svg, ">Trial<"));
	free(svg);
	/* The stages chart too: no "– – persons" for a stage it does not
	 * record. */
	svg = figure_svg(p, "f-prosecution");
	assert_non_null(strstr(svg, ">161 persons<"));
	assert_null(strstr(svg, "\u2013 persons"));
	assert_null(strstr(svg, ">Trial<"));
	free(svg);
	assert_non_null(strstr(p, "no data, or what PNP does not record"));
	assert_null(strstr(p, "PJ identifies no victims"));
	assert_non_null(strstr(p, "The bar counts the distinct victims this "
				  "institution identified"));
	free(p);
	/* In Spanish, of services (masculine) and of complaints and stages
	 * (feminine) alike: no pronoun to agree with them ("los asigna"
	 * read of the complaints). */
	i18n_set(LANG_ES);
	p = page(&d, "institution-not-recorded-es.html");
	assert_non_null(strstr(p, "Sin cifras: PNP no registra servicios de "
				  "protección: según el registro de la red "
				  "corresponden a otras instituciones"));
	assert_null(strstr(p, "los asigna"));
	free(p);
	i18n_set(LANG_EN);
	clear(&d);
	/* The analyst's page, its tables whole, is as it was. */
	fill(&d, "analyst", true);
	p = page(&d, "analyst-recorded.html");
	assert_non_null(strstr(p, "PJ identifies no victims"));
	assert_non_null(strstr(p, "id=\"f-protection\""));
	assert_null(strstr(p, "No figures:"));
	assert_null(strstr(p, "what PNP does not record"));
	free(p);
	clear(&d);
}

/*
 * The signs of the prosecution's figures. No attrition reads "0.0%", not
 * "\u22120.0%"; a gain (more cases at a stage than at the one before,
 * which EVENTS.md's funnel cannot give) "+10.0%", not "\u2212-10.0%"; a
 * loss keeps its minus sign. A negative median of days (a case system's
 * dates out of order) has the minus sign the tables write, not a hyphen,
 * and how to read the figures says what such days do and in which
 * region a case counts.
 */
static void
test_prosecution_signs(void **state)
{
	static const char *const funnel[] = {
	    "2025H2,complaint,40,",
	    "2025H2,preliminary_investigation,40,0.000",
	    "2025H2,formalized_investigation,44,-0.100",
	    "2025H2,accusation,20,0.545",
	    "2025H2,trial,20,0.000",
	    "2025H2,conviction,19,0.050",
	    "2025H2,acquittal,0,",
	    "2025H2,dismissal,12,",
	    NULL};
	static const char *const durations[] = {
	    "2025H2,complaint,preliminary_investigation,-3",
	    "2025H2,preliminary_investigation,formalized_investigation,101",
	    "2025H2,formalized_investigation,accusation,0",
	    "2025H2,accusation,trial,100",
	    "2025H2,trial,conviction,",
	    NULL};
	static struct report_data d;
	char *p, *svg;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "analyst", true);
	codec_qtable_clear(&d.t[RT_FUNNEL]);
	fixture_table(&d.t[RT_FUNNEL], "analyst", 10,
		      "period,stage,cases,attrition", funnel);
	codec_qtable_clear(&d.t[RT_DURATIONS]);
	fixture_table(&d.t[RT_DURATIONS], "analyst", 10,
		      "period,from_stage,to_stage,median_days", durations);
	p = page(&d, "signs.html");
	svg = figure_svg(p, "f-funnel");
	assert_int_equal(count(svg, ">0.0%<"), 2);
	assert_null(strstr(svg, "\u22120.0%"));
	assert_non_null(strstr(svg, ">+10.0%<"));
	assert_null(strstr(svg, "\u2212-"));
	assert_non_null(strstr(svg, ">\u221254.5%<"));
	assert_non_null(strstr(svg, ">\u22125.0%<"));
	free(svg);
	/* The table keeps the answer's number, with a minus sign. */
	assert_non_null(strstr(p, "data-q=\"funnel 2025H2 2 attrition\" "
				  "data-v=\"-0.100\">\u22120.100</td>"));
	svg = figure_svg(p, "f-durations");
	assert_non_null(strstr(svg, ">\u22123 d<"));
	assert_null(strstr(svg, ">-3"));
	free(svg);
	assert_true(figure_says(p, "f-durations",
				"counts with negative days, which pull the "
				"median down; a negative median has a minus "
				"sign (\u22123) and no bar."));
	assert_true(figure_says(p, "f-durations",
				"by region, in the region of the later "
				"stage."));
	assert_true(figure_says(p, "f-funnel",
				"By region, a case counts, with all its "
				"stages, in the region of its complaint."));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "signos.html");
	assert_true(figure_says(p, "f-durations",
				"cuenta con días negativos, que bajan la "
				"mediana"));
	assert_true(figure_says(p, "f-funnel",
				"Por región, un caso cuenta, con todas sus "
				"etapas, en la región de su denuncia."));
	free(p);
	clear(&d);
}

/*
 * A ministry serves victims the police identified: in its own view their
 * days to the service count from nothing, so a service with victims has
 * no median. Its page says why under the protection figure, in both
 * languages; a service whose victims it identified itself has its median,
 * and the analyst's page, every median there, says nothing of it.
 */
static void
test_institution_own_medians(void **state)
{
	static const char *const protection[] = {
	    "2025H2,legal_aid,0,",
	    "2025H2,medical,0,",
	    "2025H2,mental_health,0,",
	    "2025H2,reintegration,0,",
	    "2025H2,residential_care,12,",
	    "2025H2,special_protection,14,3",
	    NULL};
	static const char *const identified[] = {
	    "2025H2,legal_aid,0,",
	    "2025H2,medical,0,",
	    "2025H2,mental_health,0,",
	    "2025H2,reintegration,0,",
	    "2025H2,residential_care,12,5",
	    "2025H2,special_protection,14,3",
	    NULL};
	static struct report_data d;
	char *p;

	(void)state;
	i18n_set(LANG_EN);
	fill(&d, "institution", true);
	d.t[RT_SOURCES].n_rows = 1; /* its own row: PNP's page */
	d.t[RT_DELIVERIES].n_rows = 1;
	codec_qtable_clear(&d.t[RT_PROTECTION]);
	fixture_table(&d.t[RT_PROTECTION], "institution", 10,
		      "period,service,victims,median_days", protection);
	p = page(&d, "institution-own-medians.html");
	assert_non_null(strstr(p, "id=\"f-protection\""));
	assert_non_null(
	    strstr(p, "The days to a service count from PNP&#39;s own "
		      "identifications only: a victim served whom only another "
		      "institution identified is left out of the median"));
	free(p);
	i18n_set(LANG_ES);
	p = page(&d, "institution-own-medians-es.html");
	assert_non_null(strstr(p, "Los días hasta un servicio se cuentan "
				  "solo desde las identificaciones propias "
				  "de PNP"));
	free(p);
	/* Every service with victims has its median: nothing to say. */
	i18n_set(LANG_EN);
	codec_qtable_clear(&d.t[RT_PROTECTION]);
	fixture_table(&d.t[RT_PROTECTION], "institution", 10,
		      "period,service,victims,median_days", identified);
	p = page(&d, "institution-own-medians-all.html");
	assert_null(strstr(p, "own identifications only"));
	free(p);
	clear(&d);
	fill(&d, "analyst", true);
	p = page(&d, "analyst-medians.html");
	assert_null(strstr(p, "own identifications only"));
	free(p);
	clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_section),
	    cmocka_unit_test(test_prosecution_signs),
	    cmocka_unit_test(test_no_takeups),
	    cmocka_unit_test(test_unmatched),
	    cmocka_unit_test(test_cases_unmatched),
	    cmocka_unit_test(test_referral_is_document),
	    cmocka_unit_test(test_negative_takeup),
	    cmocka_unit_test(test_rate_over_100),
	    cmocka_unit_test(test_timeliness_zero),
	    cmocka_unit_test(test_unknown_tables_leave_notes),
	    cmocka_unit_test(test_quarter_has_no_indicators),
	    cmocka_unit_test(test_refusals_in_spanish),
	    cmocka_unit_test(test_loads_nothing),
	    cmocka_unit_test(test_english_and_analyst),
	    cmocka_unit_test(test_indicators_print),
	    cmocka_unit_test(test_estimate_notes),
	    cmocka_unit_test(test_no_source_names),
	    cmocka_unit_test(test_estimate_without_interval),
	    cmocka_unit_test(test_estimate_sparse),
	    cmocka_unit_test(test_estimate_infinite),
	    cmocka_unit_test(test_nothing_to_draw),
	    cmocka_unit_test(test_sdg_and_mse_notes),
	    cmocka_unit_test(test_silent_institutions),
	    cmocka_unit_test(test_timeliness_withheld),
	    cmocka_unit_test(test_sdg_estimate_bar),
	    cmocka_unit_test(test_sdg_interval_adds_unlinkable),
	    cmocka_unit_test(test_deliveries),
	    cmocka_unit_test(test_institution_named),
	    cmocka_unit_test(test_institution_national_targets),
	    cmocka_unit_test(test_institution_not_recorded),
	    cmocka_unit_test(test_institution_own_medians),
	    cmocka_unit_test(test_deliveries_contact),
	    cmocka_unit_test(test_counts_read_by_year),
	    cmocka_unit_test(test_counts_read_when_over),
	    cmocka_unit_test(test_withheld_card),
	    cmocka_unit_test(test_baseline_period),
	    cmocka_unit_test(test_followed_to_today),
	    cmocka_unit_test(test_arrived_by_today),
	    cmocka_unit_test(test_adults_counted),
	    cmocka_unit_test(test_children_counted),
	    cmocka_unit_test(test_timeliness_note),
	    cmocka_unit_test(test_timeliness_note_30_days),
	    cmocka_unit_test(test_recent_note_30_days),
	    cmocka_unit_test(test_one_today),
	    cmocka_unit_test(test_children_of_year_card),
	    cmocka_unit_test(test_yearly_trend),
	    cmocka_unit_test(test_card_without_values),
	    cmocka_unit_test(test_institution_closed_tables),
	    cmocka_unit_test(test_region),
	    cmocka_unit_test(test_negative_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
