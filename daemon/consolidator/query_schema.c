/*
 * query_schema.c - the columns of each statistics table of EVENTS.md,
 * and which values a key column takes (query_schema in query.h): static
 * data, against which indicator definitions are checked (expr.c,
 * indicators.c).
 */
#include "query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

static bool
valid_inst(const char *v, const char *dep)
{
	(void)dep;
	return institution_from_name(v) != INST_NONE;
}

static bool
valid_inst_or_all(const char *v, const char *dep)
{
	return strcmp(v, "all") == 0 || valid_inst(v, dep);
}

/* A referral goes from one institution to another. */
static bool
valid_to(const char *v, const char *from)
{
	return valid_inst(v, NULL) && (from == NULL || strcmp(v, from) != 0);
}

/* An overlap row: "unlinkable", or institutions joined by "+" in the
 * order pnp, mp, pj, mimp, minsa, each once. */
static bool
valid_inst_set(const char *v, const char *dep)
{
	char name[16];
	int last = 0;

	(void)dep;
	if (strcmp(v, "unlinkable") == 0)
		return true;
	for (;;) {
		size_t n = strcspn(v, "+");
		int i;
		if (n == 0 || n >= sizeof(name))
			return false;
		memcpy(name, v, n);
		name[n] = '\0';
		i = (int)institution_from_name(name);
		if (i <= last)
			return false;
		last = i;
		if (v[n] == '\0')
			return true;
		v += n + 1;
	}
}

static const char *const breakdown_dims[] = {
    "sex", "age_group", "nationality", "region", "exploitation", NULL};

static bool
valid_dimension(const char *v, const char *dep)
{
	size_t i;

	(void)dep;
	for (i = 0; breakdown_dims[i] != NULL; i++)
		if (strcmp(v, breakdown_dims[i]) == 0)
			return true;
	return false;
}

static bool
valid_age_group(const char *v)
{
	int i;

	for (i = 1; i <= AGE_GROUP_COUNT; i++)
		if (strcmp(v, age_group_name((enum age_group)i)) == 0)
			return true;
	return false;
}

static bool
valid_region(const char *v)
{
	return strlen(v) == 2 && v[0] >= '0' && v[0] <= '2' && v[1] >= '0' &&
	       v[1] <= '9' && atoi(v) >= 1 && atoi(v) <= 25;
}

/* A breakdown value, as the table writes it for its dimension. */
static bool
valid_breakdown_value(const char *v, const char *dim)
{
	bool any = dim == NULL;

	if ((any || strcmp(dim, "sex") == 0) && sex_from_name(v) != SEX_NONE)
		return true;
	if ((any || strcmp(dim, "age_group") == 0) && valid_age_group(v))
		return true;
	if ((any || strcmp(dim, "nationality") == 0) && strlen(v) == 2 &&
	    nationality_valid(v))
		return true;
	if ((any || strcmp(dim, "region") == 0) && valid_region(v))
		return true;
	return (any || strcmp(dim, "exploitation") == 0) &&
	       exploitation_from_name(v) != EXPL_NONE;
}

static bool
valid_service(const char *v, const char *dep)
{
	(void)dep;
	return service_from_name(v) != SERVICE_NONE;
}

static bool
valid_stage(const char *v, const char *dep)
{
	(void)dep;
	return stage_from_name(v) != STAGE_NONE;
}

/* durations: the first stage of a consecutive pair of the main line. */
static bool
valid_from_stage(const char *v, const char *dep)
{
	enum stage s = stage_from_name(v);

	(void)dep;
	return s >= STAGE_COMPLAINT && s < STAGE_MAIN_LAST;
}

/* durations: the stage right after from_stage. */
static bool
valid_to_stage(const char *v, const char *from)
{
	enum stage s = stage_from_name(v);

	if (from != NULL)
		return valid_from_stage(from, NULL) &&
		       s == stage_from_name(from) + 1;
	return s > STAGE_COMPLAINT && s <= STAGE_MAIN_LAST;
}

#define INSTS "pnp, mp, pj, mimp, minsa"
#define STAGES                                                                 \
	"complaint, preliminary_investigation, formalized_investigation, "     \
	"accusation, trial, conviction, acquittal, dismissal"
/* Column entries; each is used in braces: {COUNT("victims")}. */
#define PERIOD_COL "period", QCOL_PERIOD, NULL, NULL, NULL
#define KEY(n, f, dep, vals) n, QCOL_KEY, f, dep, vals
#define COUNT(n) n, QCOL_COUNT, NULL, NULL, NULL
#define MEDIAN(n) n, QCOL_MEDIAN, NULL, NULL, NULL
#define DECIMAL(n) n, QCOL_DECIMAL, NULL, NULL, NULL

static const struct qcolumn s_identification[] = {
    {PERIOD_COL},
    {KEY("institution", valid_inst_or_all, NULL, INSTS ", all")},
    {COUNT("victims")},
};
static const struct qcolumn s_overlap[] = {
    {PERIOD_COL},
    {KEY("institutions", valid_inst_set, NULL,
	 "institutions joined by + in the order " INSTS ", or unlinkable")},
    {COUNT("victims")},
};
static const struct qcolumn s_breakdown[] = {
    {PERIOD_COL},
    {KEY("dimension", valid_dimension, NULL,
	 "sex, age_group, nationality, region, exploitation")},
    {KEY("value", valid_breakdown_value, "dimension",
	 "a value of the dimension: F, M, U; 0-5 .. 18+; PE, VE, ..; "
	 "01 .. 25; sexual, labour, ..")},
    {COUNT("victims")},
};
static const struct qcolumn s_referrals[] = {
    {PERIOD_COL},
    {KEY("from", valid_inst, NULL, INSTS)},
    {KEY("to", valid_to, "from", INSTS " (not from itself)")},
    {COUNT("sent")},
    {COUNT("taken_up")},
    {COUNT("pending")},
    {MEDIAN("median_days")},
};
static const struct qcolumn s_referrals_unmatched[] = {
    {PERIOD_COL},
    {KEY("from", valid_inst, NULL, INSTS)},
    {KEY("to", valid_to, "from", INSTS " (not from itself)")},
    {COUNT("takeups_unmatched")},
};
static const struct qcolumn s_protection[] = {
    {PERIOD_COL},
    {KEY("service", valid_service, NULL,
	 "residential_care, special_protection, mental_health, medical, "
	 "legal_aid, reintegration")},
    {COUNT("victims")},
    {MEDIAN("median_days")},
};
static const struct qcolumn s_prosecution[] = {
    {PERIOD_COL},
    {KEY("stage", valid_stage, NULL, STAGES)},
    {COUNT("cases")},
    {COUNT("persons")},
};
static const struct qcolumn s_cases_unmatched[] = {
    {PERIOD_COL},
    {KEY("institution", valid_inst, NULL, INSTS)},
    {COUNT("cases")},
};
static const struct qcolumn s_funnel[] = {
    {PERIOD_COL},
    {KEY("stage", valid_stage, NULL, STAGES)},
    {COUNT("cases")},
    {DECIMAL("attrition")},
};
static const struct qcolumn s_durations[] = {
    {PERIOD_COL},
    {KEY("from_stage", valid_from_stage, NULL,
	 "complaint, preliminary_investigation, formalized_investigation, "
	 "accusation, trial")},
    {KEY("to_stage", valid_to_stage, "from_stage",
	 "the stage right after from_stage on the main line")},
    {MEDIAN("median_days")},
};
static const struct qcolumn s_timeliness[] = {
    {PERIOD_COL},
    {KEY("institution", valid_inst_or_all, NULL, INSTS ", all")},
    {COUNT("records")},
    {MEDIAN("median_days")},
    {DECIMAL("within_30_days_pct")},
};

#define SCHEMA(t, total) #t, s_##t, sizeof(s_##t) / sizeof(s_##t[0]), total

static const struct qschema schemas[] = {
    {SCHEMA(identification, "institution")},
    {SCHEMA(overlap, NULL)},
    {SCHEMA(breakdown, NULL)},
    {SCHEMA(referrals, NULL)},
    {SCHEMA(referrals_unmatched, NULL)},
    {SCHEMA(protection, NULL)},
    {SCHEMA(prosecution, NULL)},
    {SCHEMA(cases_unmatched, NULL)},
    {SCHEMA(funnel, NULL)},
    {SCHEMA(durations, NULL)},
    {SCHEMA(timeliness, "institution")},
};

const struct qschema *
query_schema(const char *table)
{
	size_t i;

	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++)
		if (strcmp(table, schemas[i].table) == 0)
			return &schemas[i];
	return NULL;
}

const char *
query_schema_names(void)
{
	return "identification, overlap, breakdown, referrals, "
	       "referrals_unmatched, protection, prosecution, "
	       "cases_unmatched, funnel, durations, timeliness";
}

int
query_schema_column(const struct qschema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_cols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}
