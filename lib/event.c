/* event.c - names of the enumerations and range checks; see event.h. */
#include "event.h"

#include <errno.h>
#include <string.h>

#include "date.h"

static const char *const institution_names[] = {
    [INST_PNP] = "pnp",	  [INST_MP] = "mp",	  [INST_PJ] = "pj",
    [INST_MIMP] = "mimp", [INST_MINSA] = "minsa",
};

static const char *const kind_names[] = {
    [KIND_IDENTIFICATION] = "identification",
    [KIND_REFERRAL] = "referral",
    [KIND_REFERRAL_RECEIVED] = "referral_received",
    [KIND_SERVICE] = "service",
    [KIND_CASE_STAGE] = "case_stage",
    [KIND_CORRECTION] = "correction",
    [KIND_WITHDRAWAL] = "withdrawal",
};

static const char *const sex_names[] = {
    [SEX_F] = "F",
    [SEX_M] = "M",
    [SEX_U] = "U",
};

static const char *const age_group_names[] = {
    [AGE_0_5] = "0-5",	   [AGE_6_11] = "6-11",	  [AGE_12_13] = "12-13",
    [AGE_14_17] = "14-17", [AGE_18_PLUS] = "18+",
};

static const char *const exploitation_names[] = {
    [EXPL_SEXUAL] = "sexual",
    [EXPL_LABOUR] = "labour",
    [EXPL_BEGGING] = "begging",
    [EXPL_FORCED_CRIMINALITY] = "forced_criminality",
    [EXPL_DOMESTIC_SERVITUDE] = "domestic_servitude",
    [EXPL_FORCED_MARRIAGE] = "forced_marriage",
    [EXPL_ILLEGAL_ADOPTION] = "illegal_adoption",
    [EXPL_ORGAN_REMOVAL] = "organ_removal",
    [EXPL_OTHER] = "other",
};

static const char *const purpose_names[] = {
    [PURPOSE_PROTECTION] = "protection",
    [PURPOSE_HEALTH] = "health",
    [PURPOSE_JUSTICE] = "justice",
};

static const char *const service_names[] = {
    [SERVICE_RESIDENTIAL_CARE] = "residential_care",
    [SERVICE_SPECIAL_PROTECTION] = "special_protection",
    [SERVICE_MENTAL_HEALTH] = "mental_health",
    [SERVICE_MEDICAL] = "medical",
    [SERVICE_LEGAL_AID] = "legal_aid",
    [SERVICE_REINTEGRATION] = "reintegration",
};

static const char *const doc_type_names[] = {
    [DOC_DNI] = "DNI", [DOC_CE] = "CE",	  [DOC_PASSPORT] = "PASSPORT",
    [DOC_PTP] = "PTP", [DOC_CPP] = "CPP", [DOC_OTHER] = "OTHER",
};

static const char *const stage_names[] = {
    [STAGE_COMPLAINT] = "complaint",
    [STAGE_PRELIMINARY_INVESTIGATION] = "preliminary_investigation",
    [STAGE_FORMALIZED_INVESTIGATION] = "formalized_investigation",
    [STAGE_ACCUSATION] = "accusation",
    [STAGE_TRIAL] = "trial",
    [STAGE_CONVICTION] = "conviction",
    [STAGE_ACQUITTAL] = "acquittal",
    [STAGE_DISMISSAL] = "dismissal",
};

#define NAMES_LEN(t) (sizeof(t) / sizeof((t)[0]))

/*
 * name_of - the name of value v in a table whose index 0 is the NONE
 * value; NULL for NONE or out of range.
 */
static const char *
name_of(const char *const *names, size_t n, int v)
{
	if (v <= 0 || (size_t)v >= n)
		return NULL;
	return names[v];
}

/*
 * value_of - the index of name s in the table, or 0 when s is NULL or not
 * there. Names are compared exactly (case matters).
 */
static int
value_of(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 1; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return 0;
}

const char *
institution_name(enum institution v)
{
	return name_of(institution_names, NAMES_LEN(institution_names), (int)v);
}

enum institution
institution_from_name(const char *s)
{
	return (enum institution)value_of(institution_names,
					  NAMES_LEN(institution_names), s);
}

const char *
kind_name(enum kind v)
{
	return name_of(kind_names, NAMES_LEN(kind_names), (int)v);
}

enum kind
kind_from_name(const char *s)
{
	return (enum kind)value_of(kind_names, NAMES_LEN(kind_names), s);
}

const char *
sex_name(enum sex v)
{
	return name_of(sex_names, NAMES_LEN(sex_names), (int)v);
}

enum sex
sex_from_name(const char *s)
{
	return (enum sex)value_of(sex_names, NAMES_LEN(sex_names), s);
}

const char *
age_group_name(enum age_group v)
{
	return name_of(age_group_names, NAMES_LEN(age_group_names), (int)v);
}

const char *
exploitation_name(enum exploitation v)
{
	return name_of(exploitation_names, NAMES_LEN(exploitation_names),
		       (int)v);
}

enum exploitation
exploitation_from_name(const char *s)
{
	return (enum exploitation)value_of(exploitation_names,
					   NAMES_LEN(exploitation_names), s);
}

const char *
purpose_name(enum purpose v)
{
	return name_of(purpose_names, NAMES_LEN(purpose_names), (int)v);
}

enum purpose
purpose_from_name(const char *s)
{
	return (enum purpose)value_of(purpose_names, NAMES_LEN(purpose_names),
				      s);
}

const char *
service_name(enum service v)
{
	return name_of(service_names, NAMES_LEN(service_names), (int)v);
}

enum service
service_from_name(const char *s)
{
	return (enum service)value_of(service_names, NAMES_LEN(service_names),
				      s);
}

const char *
doc_type_name(enum doc_type v)
{
	return name_of(doc_type_names, NAMES_LEN(doc_type_names), (int)v);
}

enum doc_type
doc_type_from_name(const char *s)
{
	return (enum doc_type)value_of(doc_type_names,
				       NAMES_LEN(doc_type_names), s);
}

const char *
stage_name(enum stage v)
{
	return name_of(stage_names, NAMES_LEN(stage_names), (int)v);
}

enum stage
stage_from_name(const char *s)
{
	return (enum stage)value_of(stage_names, NAMES_LEN(stage_names), s);
}

enum age_group
age_group_of(unsigned years)
{
	if (years <= 5)
		return AGE_0_5;
	if (years <= 11)
		return AGE_6_11;
	if (years <= 13)
		return AGE_12_13;
	if (years <= 17)
		return AGE_14_17;
	return AGE_18_PLUS;
}

/* ISO 3166-1 alpha-2, the 249 officially assigned codes, in order. */
static const char iso_codes[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBY"
    "BZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFK"
    "FMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIR"
    "ISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMK"
    "MLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPM"
    "PNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTF"
    "TGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

bool
nationality_valid(const char *code)
{
	size_t lo = 0, hi = (sizeof(iso_codes) - 1) / 2;

	if (code[0] == 'X' && code[1] == 'X')
		return true; /* unknown */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(iso_codes + 2 * mid, code, 2);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool
victim_linkable(const struct victim *v)
{
	return v->doc_type != DOC_NONE || v->has_name_key || v->has_v1_key;
}

/*
 * check_victim - range checks of one victim: document type known, no
 * one key of linking version 1 beside two keys, sex and age group known, age at
 * most 120 and in its group, nationality two upper-case ASCII letters and
 * a NUL. Returns 0 or -EINVAL with *why naming the field.
 */
static int
check_victim(const struct victim *v, const char **why)
{
	const char *n = v->nationality;

	if (v->doc_type < DOC_NONE || v->doc_type > DOC_OTHER) {
		*why = "victim document type";
		return -EINVAL;
	}
	if (v->has_v1_key && (v->doc_type != DOC_NONE || v->has_name_key)) {
		*why = "victim keys of two schema versions";
		return -EINVAL;
	}

	if (v->sex < SEX_F || v->sex > SEX_U) {
		*why = "victim sex";
		return -EINVAL;
	}
	if (v->age_years > 120) {
		*why = "victim age";
		return -EINVAL;
	}
	if (v->age_group != age_group_of(v->age_years)) {
		*why = "victim age group";
		return -EINVAL;
	}
	if (n[2] != '\0' || !nationality_valid(n)) {
		*why = "victim nationality";
		return -EINVAL;
	}
	return 0;
}

/*
 * check_article - a case's article: 1 to EVENT_MAX_ARTICLE - 1 bytes of
 * printable ASCII or of a capital Ñ in UTF-8 (slavery is article 129-Ñ),
 * NUL-ended within the array.
 */
static int
check_article(const char *a)
{
	size_t i;

	for (i = 0; i < EVENT_MAX_ARTICLE; i++) {
		if (a[i] == '\0')
			return i > 0 ? 0 : -EINVAL;
		if (event_enye_at(a, i, EVENT_MAX_ARTICLE)) {
			i++;
			continue;
		}
		if (a[i] < 0x20 || a[i] > 0x7e)
			return -EINVAL;
	}
	return -EINVAL;
}

/*
 * check_record - range checks of a record of kind IDENTIFICATION to
 * CASE_STAGE: the date not before DATE_MIN_YEAR, the region, then the
 * fields of its kind. Returns 0 or -EINVAL with *why set.
 */
static int
check_record(const struct record *r, const char **why)
{
	const uint32_t expl_all = ((1u << (EXPL_COUNT + 1)) - 1) & ~1u;
	size_t i;

	if (r->kind < KIND_IDENTIFICATION || r->kind > KIND_CASE_STAGE) {
		*why = "record kind";
		return -EINVAL;
	}
	if (r->date < date_from_ymd(DATE_MIN_YEAR, 1, 1) ||
	    r->date > date_from_ymd(9999, 12, 31)) {
		*why = "date";
		return -EINVAL;
	}
	if (r->region < 1 || r->region > 25) {
		*why = "region";
		return -EINVAL;
	}
	if (r->kind != KIND_CASE_STAGE && check_victim(&r->victim, why) < 0)
		return -EINVAL;
	switch (r->kind) {
	case KIND_IDENTIFICATION:
		if (r->exploitation == 0 || (r->exploitation & ~expl_all)) {
			*why = "exploitation";
			return -EINVAL;
		}
		break;
	case KIND_REFERRAL:
		if (r->purpose < PURPOSE_PROTECTION ||
		    r->purpose > PURPOSE_JUSTICE) {
			*why = "purpose";
			return -EINVAL;
		}
		/* FALLTHROUGH */
	case KIND_REFERRAL_RECEIVED:
		if (r->other < INST_PNP || r->other > INST_MINSA) {
			*why = "referral institution";
			return -EINVAL;
		}
		break;
	case KIND_SERVICE:
		if (r->service < SERVICE_RESIDENTIAL_CARE ||
		    r->service > SERVICE_REINTEGRATION) {
			*why = "service";
			return -EINVAL;
		}
		break;
	case KIND_CASE_STAGE:
		if (r->stage < STAGE_COMPLAINT || r->stage > STAGE_DISMISSAL) {
			*why = "stage";
			return -EINVAL;
		}
		if (r->persons > EVENT_MAX_PERSONS) {
			*why = "persons";
			return -EINVAL;
		}
		if (check_article(r->article) < 0) {
			*why = "article";
			return -EINVAL;
		}
		if (r->n_victims > EVENT_MAX_CASE_VICTIMS) {
			*why = "number of case victims";
			return -EINVAL;
		}
		for (i = 0; i < r->n_victims; i++)
			if (check_victim(&r->victims[i], why) < 0)
				return -EINVAL;
		break;
	default:
		break;
	}
	return 0;
}

int
event_check(const struct event *ev, const char **ret_why)
{
	const char *why = NULL;
	int r = 0;

	switch (ev->kind) {
	case KIND_IDENTIFICATION:
	case KIND_REFERRAL:
	case KIND_REFERRAL_RECEIVED:
	case KIND_SERVICE:
	case KIND_CASE_STAGE:
		if (ev->rec.kind != ev->kind) {
			why = "record kind";
			r = -EINVAL;
			break;
		}
		r = check_record(&ev->rec, &why);
		break;
	case KIND_CORRECTION:
		r = check_record(&ev->rec, &why);
		break;
	case KIND_WITHDRAWAL:
		break;
	default:
		why = "kind";
		r = -EINVAL;
		break;
	}
	if (r < 0 && ret_why != NULL)
		*ret_why = why;
	return r;
}

/* victim_fits - whether v carries only keys of schema version. */
static bool
victim_fits(const struct victim *v, unsigned version)
{
	if (version == 1 || version == 2)
		return v->doc_type == DOC_NONE && !v->has_name_key;
	return version == 3 && !v->has_v1_key;
}

bool
event_fits_version(const struct event *ev, unsigned version)
{
	const struct record *r = &ev->rec;
	size_t i;

	if (version < 1 || version > 3)
		return false;
	if (ev->kind == KIND_WITHDRAWAL)
		return true;
	if (r->kind != KIND_CASE_STAGE)
		return victim_fits(&r->victim, version);
	for (i = 0; i < r->n_victims && i < EVENT_MAX_CASE_VICTIMS; i++)
		if (!victim_fits(&r->victims[i], version))
			return false;
	return true;
}
