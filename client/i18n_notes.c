/*
 * i18n_notes.c - what the consolidator writes that a report shows, in
 * Spanish: the refusals a report can meet and the estimate's notes; see
 * i18n.h.
 */
#include "i18n.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "i18n_int.h"

/*
 * The consolidator's refusals a report can meet (its tables, no
 * --region), in the words the consolidator writes them; anything else
 * stays as it came.
 */
static const struct word reasons[] = {
    {"not authorised to query",
     {"la clave de este cliente no está autorizada para consultar", NULL}},
    {"the overlap table is not open to an institution",
     {"las coincidencias entre instituciones no están abiertas a una "
      "institución",
      NULL}},
    {"the estimate table is not open to an institution (it is computed "
     "from the overlap table)",
     {"la estimación no está abierta a una institución (se calcula a "
      "partir de las coincidencias entre instituciones)",
      NULL}},
    {"the sdg16_2_2 table is not open to an institution (it holds the "
     "estimate)",
     {"el indicador ODS 16.2.2 no está abierto a una institución "
      "(contiene la estimación)",
      NULL}},
    {"no population figures: the consolidator's configuration names no "
     "population file (population = FILE, kuska.conf(5))",
     {"sin cifras de población: la configuración del consolidador no "
      "indica un archivo de población (population = FILE, kuska.conf(5))",
      NULL}},
    {NULL, {NULL, NULL}},
};

/* The population file's missing year, for the country (region 0) or a
 * region, as sdg16_2_2 says it; NULL for any other reason. */
static const char *
population_reason(const char *reason)
{
	static const char head[] = "the population file has no figures for ";
	static char buf[160];
	char en[160];
	unsigned year, region = 0;

	if (sscanf(reason, "the population file has no figures for %4u for "
			   "region %2u",
		   &year, &region) < 1)
		return NULL;
	if (region == 0)
		snprintf(en, sizeof(en), "%s%u for the country (region 00)",
			 head, year);
	else
		snprintf(en, sizeof(en), "%s%u for region %02u", head, year,
			 region);
	if (strcmp(en, reason) != 0)
		return NULL;
	if (region == 0)
		snprintf(buf, sizeof(buf),
			 "el archivo de población no tiene cifras de %u para "
			 "el país (región 00)",
			 year);
	else
		snprintf(buf, sizeof(buf),
			 "el archivo de población no tiene cifras de %u para "
			 "la región %02u",
			 year, region);
	return buf;
}

const char *
i18n_reason(const char *reason)
{
	const char *s;

	if (i18n_lang() == LANG_EN)
		return reason;
	if ((s = i18n_find(reasons, reason)) != NULL ||
	    (s = population_reason(reason)) != NULL)
		return s;
	return reason;
}

/*
 * The estimate's notes, as the consolidator and lib/mse write them: parts
 * joined by "; ", each a fixed text or a pattern with numbers or names.
 * Each part known is said in Spanish; any other stays as it came. A part
 * as an older consolidator wrote it (a path under docs/, jargon) is said
 * in English too, as a newer one writes it.
 */
static const struct word note_parts[] = {
    {"suppressed: computed from overlap counts the secretariat is not "
     "shown",
     {"reservado: se calcula con cifras de coincidencias que la "
      "secretaría no ve",
      NULL}},
    {"suppressed: computed from overlap counts the secretariat is not "
     "shown (docs/DISCLOSURE.md)",
     {"reservado: se calcula con cifras de coincidencias que la "
      "secretaría no ve",
      "suppressed: computed from overlap counts the secretariat is not "
      "shown"}},
    {"model-conditional 95%, log-normal",
     {"95 % condicionado al modelo, log-normal", NULL}},
    {"upper limit infinite", {"límite superior infinito", NULL}},
    {"no acceleration: a jackknife fit failed",
     {"sin aceleración: falló un ajuste jackknife", NULL}},
    {"no estimate: no linkable victim identified in the period",
     {"sin estimación: ninguna víctima enlazable identificada en el "
      "periodo",
      NULL}},
    {"no estimate: fewer than two lists",
     {"sin estimación: menos de dos listas", NULL}},
    {"no estimate: no case was seen",
     {"sin estimación: no se vio ningún caso", NULL}},
    {"no estimate: the Poisson fit did not converge",
     {"sin estimación: el ajuste de Poisson no convergió", NULL}},
    /* sdg16_2_2's own (sdg_table.c) */
    {"no estimate: see the estimate table",
     {"sin estimación: véase la tabla de la estimación", NULL}},
    {"no estimate: not given by region to the secretariat",
     {"sin estimación: no se da por región a la secretaría", NULL}},
    {"withheld from the secretariat whatever the number: no figure it is "
     "given crosses sex with age group",
     {"no se muestra a la secretaría, sea cual sea el número: ninguna cifra "
      "que recibe cruza el sexo con el grupo de edad",
      NULL}},
    {"withheld from the secretariat whatever the number: no figure it is "
     "given splits a region by sex or age group",
     {"no se muestra a la secretaría, sea cual sea el número: ninguna cifra "
      "que recibe divide una región por sexo o grupo de edad",
      NULL}},
    {"withheld from the secretariat whatever the number: it is given a "
     "region's victims by year only",
     {"no se muestra a la secretaría, sea cual sea el número: recibe las "
      "víctimas de una región solo por año",
      NULL}},
    {"sex by age group is in no table under disclosure control: "
     "suppressed for the secretariat",
     {"no se muestra a la secretaría, sea cual sea el número: ninguna cifra "
      "que recibe cruza el sexo con el grupo de edad",
      "withheld from the secretariat whatever the number: no figure it is "
      "given crosses sex with age group"}},
    {"estimate: every victim, detected or not, both sexes and all ages "
     "(stepwise, as the estimate table, which leaves out the unlinkable "
     "identifications)",
     {"estimación: todas las víctimas, detectadas o no, de ambos sexos y "
      "todas las edades (selección por pasos, como en la tabla de la "
      "estimación, "
      "que deja fuera las identificaciones no enlazables)",
      NULL}},
    /* Its estimate, when the victims identified are not shown to
     * the role: the unlinkable ones cannot be added back. */
    {"no estimate: the victims identified, that the unlinkable ones are "
     "added from, are not shown",
     {"sin estimación: no se muestran las víctimas identificadas, de las "
      "que se suman las no enlazables",
      NULL}},
    {"none is made by sex or age group",
     {"no se hace ninguna por sexo ni por grupo de edad", NULL}},
    {NULL, {NULL, NULL}},
};

/*
 * lib/mse's reasons after "no estimate: ": "MODEL has no finite
 * maximum-likelihood estimate[: WHY]" or "MODEL is not identifiable",
 * MODEL "the main-effects model" or "the model with a:b c:d". Returns
 * false, writing nothing, for any other.
 */
static bool
mse_reason(const char *s, char *out, size_t cap)
{
	static const char nofinite[] =
	    " has no finite maximum-likelihood estimate";
	static const char notid[] = " is not identifiable";
	static const char with[] = "the model with ";
	char model[256], why[128] = "", list[64];
	const char *p, *rest;
	int end = -1;
	bool unidentifiable;

	if ((p = strstr(s, nofinite)) != NULL) {
		unidentifiable = false;
		rest = p + strlen(nofinite);
	} else if ((p = strstr(s, notid)) != NULL && p[strlen(notid)] == '\0') {
		unidentifiable = true;
		rest = "";
	} else
		return false;
	if ((size_t)(p - s) == strlen("the main-effects model") &&
	    strncmp(s, "the main-effects model", (size_t)(p - s)) == 0)
		snprintf(model, sizeof(model),
			 "el modelo de efectos principales");
	else if (strncmp(s, with, strlen(with)) == 0 &&
		 p - s < (ptrdiff_t)sizeof(model) - 20)
		snprintf(model, sizeof(model), "el modelo con %.*s",
			 (int)(p - s - (ptrdiff_t)strlen(with)),
			 s + strlen(with));
	else
		return false;
	if (strcmp(rest, ": no case was seen by more than one list") == 0)
		snprintf(why, sizeof(why),
			 ": ninguna lista comparte un caso con otra");
	else if (sscanf(rest, ": list %63s saw no case%n", list, &end) == 1 &&
		 end >= 0 && rest[end] == '\0')
		snprintf(why, sizeof(why), ": la lista %s no vio ningún caso",
			 i18n_institutions(list));
	else if (sscanf(rest, ": list %63s saw every case%n", list, &end) ==
		     1 &&
		 end >= 0 && rest[end] == '\0')
		snprintf(why, sizeof(why), ": la lista %s vio todos los casos",
			 i18n_institutions(list));
	else if (rest[0] != '\0')
		return false;
	snprintf(out, cap, "sin estimación: %s %s%s", model,
		 unidentifiable ? "no es identificable"
			: "no tiene estimación de máxima verosimilitud finita",
		 why);
	return true;
}

/* lib/mse's "sparse: N case[s] seen by more than one list (under M): too
 * few to trust the estimate", its N and M; false for any other part. */
static bool
sparse_part(const char *part, unsigned long long *n, unsigned long long *m)
{
	static const char *const forms[] = {
	    "sparse: %llu cases seen by more than one list (under %llu): too "
	    "few to trust the estimate%n",
	    "sparse: %llu case seen by more than one list (under %llu): too "
	    "few to trust the estimate%n",
	};
	size_t i;
	int end;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		end = -1;
		if (sscanf(part, forms[i], n, m, &end) == 2 && end >= 0 &&
		    part[end] == '\0')
			return true;
	}
	return false;
}

/* One part of a note, len bytes at s, in Spanish onto out. */
static void
note_part(const char *s, size_t len, char *out, size_t cap)
{
	char part[512], name[2][64], method[32];
	unsigned long long n, seed;
	size_t o = strlen(out);
	const char *es;
	int end = -1;

	snprintf(part, sizeof(part), "%.*s", (int)len, s);
	if ((es = i18n_find(note_parts, part)) != NULL) {
		snprintf(out + o, cap - o, "%s", es);
		return;
	}
	if (i18n_lang() == LANG_EN) {
		snprintf(out + o, cap - o, "%s", part);
		return;
	}
	if (strncmp(part, "no estimate: ", 13) == 0 &&
	    mse_reason(part + 13, out + o, cap - o))
		return;
	if (sscanf(part, "BCa 95%%, %llu resamples of %31[a-z], seed %llu%n",
		   &n, method, &seed, &end) == 3 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "BCa 95 %%, %llu remuestreos de %s, semilla %llu", n,
			 strcmp(method, "main") == 0 ? "efectos principales"
			 : strcmp(method, "stepwise") == 0
			     ? "selección por pasos"
			     : method,
			 seed);
		return;
	}
	end = -1;
	if (sscanf(part, "%llu unlinkable victims left out (not in the "
			 "overlap)%n", &n, &end) == 1 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "%llu víctimas sin enlace fuera del modelo (no "
			 "están en las coincidencias)",
			 n);
		return;
	}
	end = -1;
	if (sscanf(part, "%llu unlinkable victim left out (not in the "
			 "overlap)%n", &n, &end) == 1 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "%llu víctima sin enlace fuera del modelo (no está en "
			 "las coincidencias)", n);
		return;
	}
	end = -1;
	if (sscanf(part, "the unlinkable victims added back: %llu%n", &n,
		   &end) == 1 &&
	    end >= 0 && part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "víctimas sin enlace sumadas de nuevo: %llu", n);
		return;
	}
	end = -1;
	if (sscanf(part, "%llu without an estimate, counted as infinite%n",
		   &n, &end) == 1 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "%llu sin estimación, contados como infinitos", n);
		return;
	}
	end = -1;
	if (sparse_part(part, &n, &seed)) {
		/* The report's lists are institutions, its cases victims,
		 * as the notice under the figure says. */
		snprintf(out + o, cap - o,
			 "datos escasos: %llu víctima%s vista%s por más de una "
			 "institución (menos de %llu): demasiado pocas para "
			 "fiarse de la estimación",
			 n, n == 1 ? "" : "s", n == 1 ? "" : "s", seed);
		return;
	}
	end = -1;
	if (sscanf(part, "%63s and %63s never overlap (effect -inf)%n",
		   name[0], name[1], &end) == 2 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "%s y %s nunca coinciden (efecto \u2212inf)",
			 i18n_institutions(name[0]),
			 i18n_institutions(name[1]));
		return;
	}
	end = -1;
	if (strcmp(part, "1 more pair never overlaps (effect -inf)") == 0) {
		snprintf(out + o, cap - o,
			 "1 par más nunca coincide (efecto \u2212inf)");
		return;
	}
	if (sscanf(part, "%llu more pairs never overlap (effect -inf)%n", &n,
		   &end) == 1 &&
	    end >= 0 && part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "%llu pares más nunca coinciden (efecto \u2212inf)",
			 n);
		return;
	}
	end = -1;
	if (sscanf(part, "not computed: the consolidator draws at most %llu "
			 "bootstrap resamples a minute%n", &n, &end) == 1 &&
	    end >= 0 && part[end] == '\0') {
		snprintf(out + o, cap - o,
			 "no calculado: el consolidador hace como mucho %llu "
			 "remuestreos por minuto", n);
		return;
	}
	end = -1;
	if (sscanf(part, "ask again in %llu s%n", &n, &end) == 1 && end >= 0 &&
	    part[end] == '\0') {
		snprintf(out + o, cap - o, "vuelva a pedirla en %llu s", n);
		return;
	}
	snprintf(out + o, cap - o, "%s", part);
}

/* Whether note holds a part said otherwise in English. */
static bool
has_english_part(const char *note)
{
	const struct word *w;

	for (w = note_parts; w->value != NULL; w++)
		if (w->name[LANG_EN] != NULL && strstr(note, w->value) != NULL)
			return true;
	return false;
}

const char *
i18n_note(const char *note)
{
	static char out[1024];
	const char *s, *e;

	if (note == NULL || (i18n_lang() == LANG_EN && !has_english_part(note)))
		return note;
	out[0] = '\0';
	for (s = note;; s = e + 2) {
		e = strstr(s, "; ");
		note_part(s, e != NULL ? (size_t)(e - s) : strlen(s), out,
			  sizeof(out));
		if (e == NULL)
			break;
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "; ");
	}
	return out;
}
