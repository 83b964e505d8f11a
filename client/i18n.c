/*
 * i18n.c - Spanish and English words of kuska report: the language set,
 * and the names of columns and values; see i18n.h. The report's
 * sentences are i18n_msg.c's, the consolidator's refusals and notes in
 * Spanish i18n_notes.c's.
 */
#include "i18n.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "i18n_int.h"

static enum lang lang = LANG_ES;

void
i18n_set(enum lang l)
{
	lang = l < LANG_COUNT ? l : LANG_ES;
}

int
i18n_parse(const char *s, enum lang *ret)
{
	if (strcmp(s, "es") == 0)
		*ret = LANG_ES;
	else if (strcmp(s, "en") == 0)
		*ret = LANG_EN;
	else
		return -EINVAL;
	return 0;
}

enum lang
i18n_lang(void)
{
	return lang;
}

static const struct word columns[] = {
    {"institution", {"Institución", "Institution"}},
    {"institutions", {"Instituciones", "Institutions"}},
    {"victims", {"Víctimas", "Victims"}},
    {"from", {"Desde", "From"}},
    {"to", {"Hacia", "To"}},
    {"sent", {"Enviadas", "Sent"}},
    {"taken_up", {"Aceptadas", "Taken up"}},
    {"pending", {"Pendientes", "Pending"}},
    {"median_days", {"Mediana (días)", "Median (days)"}},
    {"service", {"Servicio", "Service"}},
    {"stage", {"Etapa", "Stage"}},
    {"cases", {"Casos", "Cases"}},
    {"persons", {"Personas", "Persons"}},
    {"attrition", {"Pérdida", "Attrition"}},
    {"from_stage", {"Desde la etapa", "From stage"}},
    {"to_stage", {"Hasta la etapa", "To stage"}},
    {"records", {"Registros", "Records"}},
    {"within_30_days_pct", {"En 30 días (%)", "Within 30 days (%)"}},
    {"indicator", {"Código", "Code"}},
    {"name", {"Indicador", "Indicator"}},
    {"level", {"Nivel", "Level"}},
    {"component", {"Componente", "Component"}},
    {"key", {"Clave", "Key"}},
    {"unit", {"Unidad", "Unit"}},
    {"value", {"Valor", "Value"}},
    {"baseline", {"Línea de base", "Baseline"}},
    {"target", {"Meta", "Target"}},
    {"target_period", {"Plazo", "By"}},
    {"progress", {"Avance", "Progress"}},
    {"status", {"Estado", "Status"}},
    {"expression",
     {"Expresión (medio de verificación)",
      "Expression (means of verification)"}},
    {"lists", {"Listas", "Lists"}},
    {"observed", {"Observadas", "Observed"}},
    {"method", {"Método", "Method"}},
    {"interactions", {"Interacciones", "Interactions"}},
    {"estimate", {"Estimación", "Estimate"}},
    {"low95", {"IC 95 % inferior", "95% CI low"}},
    {"high95", {"IC 95 % superior", "95% CI high"}},
    {"note", {"Nota", "Note"}},
    {"events", {"Eventos aceptados", "Events accepted"}},
    {"sex", {"Sexo", "Sex"}},
    {"age_group", {"Edad", "Age"}},
    {"population", {"Población", "Population"}},
    {"victims_per_100k", {"Víctimas por 100\u00a0000", "Victims per 100,000"}},
    {"estimate_per_100k",
     {"Estimación por 100\u00a0000", "Estimate per 100,000"}},
    {"source", {"Fuente", "Source"}},
    {NULL, {NULL, NULL}},
};

static const struct word sexes[] = {
    {"F", {"Mujeres", "Female"}},
    {"M", {"Hombres", "Male"}},
    {"all", {"Ambos sexos", "Both sexes"}},
    {NULL, {NULL, NULL}},
};

static const struct word ages[] = {
    {"0-17", {"0-17 años", "aged 0-17"}},
    {"18+", {"18+ años", "aged 18+"}},
    {"all", {"todas las edades", "all ages"}},
    {NULL, {NULL, NULL}},
};

static const struct word stages[] = {
    {"complaint", {"Denuncia", "Complaint"}},
    {"preliminary_investigation",
     {"Investigación preliminar", "Preliminary investigation"}},
    {"formalized_investigation",
     {"Investigación preparatoria formalizada", "Formalized investigation"}},
    {"accusation", {"Acusación", "Accusation"}},
    {"trial", {"Juicio oral", "Trial"}},
    {"conviction", {"Sentencia condenatoria", "Conviction"}},
    {"acquittal", {"Sentencia absolutoria", "Acquittal"}},
    {"dismissal", {"Archivo o sobreseimiento", "Dismissal"}},
    {NULL, {NULL, NULL}},
};

static const struct word stages_short[] = {
    {"complaint", {"Denuncia", "Complaint"}},
    {"preliminary_investigation", {"Inv. preliminar", "Preliminary inv."}},
    {"formalized_investigation", {"Inv. preparatoria", "Formalized inv."}},
    {"accusation", {"Acusación", "Accusation"}},
    {"trial", {"Juicio", "Trial"}},
    {"conviction", {"Condena", "Conviction"}},
    {"acquittal", {"Absolución", "Acquittal"}},
    {"dismissal", {"Archivo", "Dismissal"}},
    {NULL, {NULL, NULL}},
};

static const struct word services[] = {
    {"residential_care",
     {"Acogimiento residencial (CAR)", "Residential care (CAR)"}},
    {"special_protection",
     {"Unidad de Protección Especial (UPE)", "Special protection (UPE)"}},
    {"mental_health", {"Salud mental", "Mental-health care"}},
    {"medical", {"Atención médica", "Medical care"}},
    {"legal_aid", {"Asistencia legal", "Legal aid"}},
    {"reintegration", {"Reintegración", "Reintegration"}},
    {NULL, {NULL, NULL}},
};

static const struct word statuses[] = {
    {"achieved", {"Meta alcanzada", "Achieved"}},
    {"on_track", {"En camino", "On track"}},
    {"acceleration_needed", {"Requiere acelerar", "Needs acceleration"}},
    {"limited", {"Avance limitado", "Limited progress"}},
    {"deteriorating", {"Retroceso", "Deteriorating"}},
    {"no_data", {"Sin datos", "No data"}},
    {"suppressed", {"Reservado", "Withheld"}},
    /* Not the consolidator's: the report's, for a count of a year in
     * a semester's report (INDICATORS.md: read counts by year). */
    {"by_year", {"Se lee por año", "Read by year"}},
    /* The report's too, for a count in the report of a period not over
     * yet: it grows until the period ends. */
    {"period_open", {"Se lee al cierre", "Read when the period ends"}},
    /* The report's too, for a value before the end of the baseline
     * period, whose status is no_data (INDICATORS.md). */
    {"baseline_period", {"Periodo de línea de base", "Baseline period"}},
    {NULL, {NULL, NULL}},
};

static const struct word others[] = {
    /* level */
    {"output", {"Producto", "Output"}},
    {"outcome", {"Resultado", "Outcome"}},
    {"purpose", {"Propósito", "Purpose"}},
    {"assumption", {"Supuesto", "Assumption"}},
    /* component (and level "component") */
    {"component", {"Componente", "Component"}},
    {"prosecution", {"Persecución", "Prosecution"}},
    {"protection", {"Protección", "Protection"}},
    {"prevention", {"Prevención", "Prevention"}},
    {"governance", {"Gobernanza", "Governance"}},
    /* unit */
    {"count", {"número", "count"}},
    {"percent", {"%", "%"}},
    {"days", {"días", "days"}},
    {"rate", {"tasa", "rate"}},
    /* key */
    {"yes", {"sí", "yes"}},
    {"no", {"no", "no"}},
    /* method */
    {"main", {"Efectos principales", "Main effects"}},
    {"stepwise", {"Selección por pasos", "Stepwise"}},
    {"bootstrap", {"Bootstrap", "Bootstrap"}},
    {NULL, {NULL, NULL}},
};

const char *
i18n_find(const struct word *w, const char *value)
{
	for (; w->value != NULL; w++)
		if (strcmp(w->value, value) == 0)
			return w->name[lang];
	return NULL;
}

const char *
i18n_column(const char *col)
{
	const char *s = i18n_find(columns, col);

	return s != NULL ? s : col;
}

/* A ring of buffers for words made on the fly. */
static char *
ring(void)
{
	static char bufs[8][96];
	static unsigned next;

	return bufs[next++ % 8];
}

/* "pnp+mimp" as "PNP + MIMP"; "all" and "unlinkable" by name. */
const char *
i18n_institutions(const char *value)
{
	char *out;
	size_t o = 0;
	const char *s;

	if (strcmp(value, "all") == 0)
		return lang == LANG_ES ? "Todas" : "All";
	if (strcmp(value, "unlinkable") == 0)
		return lang == LANG_ES ? "Sin enlace" : "Unlinkable";
	out = ring();
	for (s = value; *s && o + 4 < 96; s++) {
		if (*s == '+') {
			memcpy(out + o, " + ", 3);
			o += 3;
		} else {
			out[o++] =
			    (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
		}
	}
	out[o] = '\0';
	return out;
}

const char *
i18n_word(const char *col, const char *value)
{
	const char *s = NULL;

	if (value == NULL)
		return "";
	if (strcmp(col, "note") == 0)
		return i18n_note(value);
	if (strcmp(col, "institution") == 0 ||
	    strcmp(col, "institutions") == 0 || strcmp(col, "from") == 0 ||
	    strcmp(col, "to") == 0 || strcmp(col, "lists") == 0)
		return i18n_institutions(value);
	if (strcmp(col, "stage") == 0 || strcmp(col, "from_stage") == 0 ||
	    strcmp(col, "to_stage") == 0)
		s = i18n_find(stages, value);
	else if (strcmp(col, "service") == 0)
		s = i18n_find(services, value);
	else if (strcmp(col, "status") == 0 || strcmp(col, "progress") == 0 ||
		 strcmp(col, "value") == 0 || strcmp(col, "victims") == 0)
		/* progress: "by_year", "period_open", "baseline_period";
		 * value and progress: "suppressed"; victims (sdg16_2_2's
		 * by sex and age group): "suppressed" */
		s = i18n_find(statuses, value);
	else if (strcmp(col, "sex") == 0)
		s = i18n_find(sexes, value);
	else if (strcmp(col, "age_group") == 0)
		s = i18n_find(ages, value);
	else if (strcmp(col, "level") == 0 || strcmp(col, "component") == 0 ||
		 strcmp(col, "unit") == 0 || strcmp(col, "key") == 0 ||
		 strcmp(col, "method") == 0)
		s = i18n_find(others, value);
	return s != NULL ? s : value;
}

const char *
i18n_short(const char *col, const char *value)
{
	const char *s = NULL;

	if (strcmp(col, "stage") == 0 || strcmp(col, "from_stage") == 0 ||
	    strcmp(col, "to_stage") == 0)
		s = i18n_find(stages_short, value);
	return s != NULL ? s : i18n_word(col, value);
}
