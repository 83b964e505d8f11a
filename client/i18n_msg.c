/*
 * i18n_msg.c - the sentences of kuska report, by number, in Spanish and
 * English; see i18n.h.
 */
#include "i18n.h"

#include <stddef.h>

#include "i18n_int.h"

/*
 * Sentences with a %s or %u are printf formats; report.c fills them. The
 * Spanish follows the Peruvian usage of the Commission's own documents
 * (denuncia, investigación preparatoria, CAR, UPE).
 */
static const char *const msgs[M_COUNT][LANG_COUNT] = {
    [M_LANG_CODE] = {"es", "en"},
    [M_KICKER] = {"Comisión Multisectorial Permanente contra la Trata de "
		  "Personas \u00b7 datos de kuska",
		  "Permanent Multisectoral Commission against Trafficking in "
		  "Persons \u00b7 kuska data"},
    [M_TITLE] = {"Trata de niñas, niños y adolescentes: informe de "
		 "seguimiento, %s",
		 "Trafficking in children and adolescents: monitoring "
		 "report, %s"},
    [M_PAGE_TITLE] = {"Informe kuska %s (%s)", "kuska report %s (%s)"},
    /* Between groups of three digits of a count of five or more, as
     * the sentences write 100 000 and 100,000 (no break in Spanish). */
    [M_THOUSANDS] = {"\u00a0", ","},
    [M_PERIOD_YEAR] = {"año %d", "year %d"},
    [M_PERIOD_SEMESTER_1] = {"primer semestre de %d", "first half of %d"},
    [M_PERIOD_SEMESTER_2] = {"segundo semestre de %d", "second half of %d"},
    /* Ordinals, so that "the victims identified in the %s" reads. */
    [M_PERIOD_QUARTER_1] = {"primer trimestre de %d", "first quarter of %d"},
    [M_PERIOD_QUARTER_2] = {"segundo trimestre de %d", "second quarter of %d"},
    [M_PERIOD_QUARTER_3] = {"tercer trimestre de %d", "third quarter of %d"},
    [M_PERIOD_QUARTER_4] = {"cuarto trimestre de %d", "fourth quarter of %d"},
    [M_PERIOD_RANGE] = {"Periodo %s: del %s al %s", "Period %s: %s to %s"},
    [M_PERIOD_OPEN] = {"El periodo aún no termina: las cifras llegan hasta "
		       "hoy, %s, y cambiarán a medida que lleguen registros.",
		       "The period is not over: the figures run to today, "
		       "%s, and will change as records arrive."},
    /* %s: the period's last day, today, the first day past 30 days. */
    [M_PERIOD_RECENT] = {"El periodo terminó el %s, hace 30 días o menos: "
			 "aún llegan registros de sus últimos días, y todas "
			 "sus cifras (víctimas, derivaciones, etapas, la "
			 "estimación) pueden cambiar; las de este informe "
			 "son las recibidas hasta hoy, %s. Publique el "
			 "informe generado desde el %s, no este: dos "
			 "informes publicados de un periodo con datos "
			 "distintos dejan deducir, por diferencia, cifras "
			 "reservadas.",
			 "The period ended on %s, 30 days ago or less: "
			 "records of its last days are still arriving, and "
			 "all its figures (victims, referrals, stages, the "
			 "estimate) may change; this report's are those "
			 "received by today, %s. Publish the report made "
			 "from %s on, not this one: two reports of a period "
			 "published from different data let a reader work "
			 "out withheld figures from their differences."},
    /* %s: the role's word, set apart (a printf format of one %s). */
    [M_VIEW] = {"Vista %s", "%s view"},
    [M_ROLE_SECRETARIAT] = {"secretaría", "secretariat"},
    [M_ROLE_ANALYST] = {"analista", "analyst"},
    [M_ROLE_INSTITUTION] = {"institución", "institution"},
    [M_SECRETARIAT_RULE] = {"las cifras de 1 a %u, y otras que permitirían "
			    "deducirlas de los totales, se reservan y todas "
			    "se muestran igual, como «%s»",
			    "counts from 1 to %u, and others that would let "
			    "them be worked out from the totals, are withheld "
			    "and all shown alike, as “%s”"},
    [M_HIDDEN] = {"x", "x"},
    [M_HIDDEN_VICTIMS] = {"un número reservado de víctimas",
			  "a withheld number of victims"},
    [M_ANALYST_WARNING] = {"Vista de analista: cifras exactas, incluidas las "
			   "menores de %u, que pueden identificar a una "
			   "víctima. Uso interno: no publique ni comparta "
			   "este archivo; para publicar, genere el informe "
			   "con la clave de la secretaría.",
			   "Analyst view: exact counts, including those below "
			   "%u, which can identify a victim. Internal use: do "
			   "not publish or share this file; to publish, make "
			   "the report with the secretariat's key."},
    [M_INSTITUTION_NOTE] = {"Vista de institución: solo los eventos propios "
			    "de %s.",
			    "Institution view: only %s's own events."},
    [M_INSTITUTION_NOTE_ANY] = {"Vista de institución: solo los eventos "
				"propios de la institución.",
				"Institution view: only the institution's "
				"own events."},
    [M_CONTENTS] = {"Contenido", "Contents"},
    [M_FIGURE] = {"Figura %u.", "Figure %u."},
    [M_HOW] = {"Cómo leerla:", "How to read it:"},
    [M_SOURCE] = {"Fuente:", "Source:"},
    [M_TABLE_CAPTION] = {"Cifras de la figura %u", "Numbers of figure %u"},
    [M_TABLE_CAPTION_YEARS] = {"Cifras de la figura %u: los conteos que se "
			       "leen por año, año por año",
			       "Numbers of figure %u: the counts read by "
			       "year, year by year"},
    [M_SUPPRESSED_NOTE] = {"«%s»: una cifra reservada por "
			   "confidencialidad, que puede ser de cualquier "
			   "tamaño: de 1 a %u, o mayor, reservada para que "
			   "ninguna así se pueda deducir de los totales; "
			   "nunca se dibuja como barra.",
			   "“%s”: a count withheld for confidentiality, which "
			   "may be of any size: from 1 to %u, or larger, "
			   "withheld so that no such count can be worked out "
			   "from the totals; never drawn as a bar."},
    [M_EMPTY_NOTE] = {"«\u2013»: sin dato.", "“\u2013”: no data."},
    [M_EMPTY_OWN_NOTE] = {"«\u2013»: sin dato, o lo que %s no registra (una "
			  "etapa, un servicio o una identificación que el "
			  "registro de la red asigna a otras instituciones).",
			  "“\u2013”: no data, or what %s does not record (a "
			  "stage, a service or an identification the "
			  "network's registry gives to other institutions)."},
    [M_NOT_RECORDED] = {"Sin cifras: %s no registra %s: según el registro "
			"de la red corresponden a otras instituciones, y esta "
			"vista solo cuenta sus eventos propios.",
			"No figures: %s does not record %s: the network's "
			"registry gives them to other institutions, and this "
			"view counts its own events only."},
    [M_WHAT_IDENTIFICATIONS] = {"identificaciones de víctimas",
				"identifications of victims"},
    [M_WHAT_SERVICES] = {"servicios de protección", "protection services"},
    [M_WHAT_COMPLAINTS] = {"denuncias, de las que parte el embudo",
			   "complaints, where the funnel starts"},
    [M_WHAT_STAGES] = {"etapas de los casos", "case stages"},
    [M_THE_INSTITUTION] = {"la institución", "the institution"},
    [M_EMPTY_WITHHELD_NOTE] = {"«\u2013»: sin dato, o un valor reservado por "
			       "confidencialidad (una mediana, proporción o "
			       "estimación que descansa en una cifra "
			       "reservada, o una mediana de menos de %u "
			       "valores).",
			       "“\u2013”: no data, or a value withheld for "
			       "confidentiality (a median, share or estimate "
			       "resting on a withheld count, or a median of "
			       "fewer than %u values)."},
    [M_WITHHELD_NOTE] = {"«%s»: valor reservado por confidencialidad, pues "
			 "descansa en una cifra reservada por la misma "
			 "razón.",
			 "“%s”: a value withheld for confidentiality, as it "
			 "rests on a figure withheld for the same reason."},
    [M_SEX_AGE_WITHHELD_NOTE] = {"«%s»: las víctimas de un sexo y un grupo "
				 "de edad a la vez no se muestran a la "
				 "secretaría, sea cual sea su número, pues "
				 "ninguna cifra que recibe cruza el sexo "
				 "con el grupo de edad.",
				 "“%s”: the victims of one sex and one age "
				 "group together are withheld from the "
				 "secretariat whatever their number, as no "
				 "figure it is given crosses sex with age "
				 "group."},
    [M_MARKED_BAR_NOTE] = {"En el gráfico, un valor que descansa en una "
			   "cifra reservada (una tasa o una proporción de "
			   "ella) lleva la marca de esa cifra en la tabla, "
			   "sin barra.",
			   "In the chart, a value that rests on a withheld "
			   "count (a rate or a share of it) bears that "
			   "count's mark in the table, with no bar."},
    [M_BY_YEAR_NOTE] = {"«%s»: un total del semestre, cerca de la mitad del "
			"de un año, y su meta es anual: su avance y su "
			"estado se leen en el informe de %d.",
			"“%s”: a total over the semester, about half a "
			"year's, and its target is a year's: its progress "
			"and status are read in the report of %d."},
    [M_BY_YEAR_OPEN_NOTE] = {"«%s»: un total del semestre, cerca de la "
			     "mitad del de un año, y su meta es anual: su "
			     "avance y su estado se leen en el informe de "
			     "%d una vez terminado el año, el %s.",
			     "“%s”: a total over the semester, about half a "
			     "year's, and its target is a year's: its "
			     "progress and status are read in the report of "
			     "%d once the year is over, on %s."},
    [M_PERIOD_OPEN_NOTE] = {"«%s»: un total de un periodo que aún no "
			    "termina, que crece hasta su cierre, el %s, y "
			    "mientras lleguen sus registros: su avance y su "
			    "estado se leen cuando el periodo haya "
			    "terminado.",
			    "“%s”: a total over a period not over yet, which "
			    "grows until it ends, on %s, and as its records "
			    "arrive: its progress and status are read once "
			    "the period is over."},
    [M_BASELINE_NOTE] = {"«%s»: el periodo termina antes que el periodo de la "
			 "línea de base del indicador: su valor se mide, y "
			 "su avance hacia la meta se cuenta desde el final "
			 "de ese periodo.",
			 "“%s”: the period ends before the indicator's "
			 "baseline period does: its value is measured, and "
			 "its progress towards the target counts from the "
			 "end of that period."},
    [M_NATIONAL_NOTE] = {"Las líneas de base y las metas son nacionales: "
			 "los conteos de %s se miden contra las del país "
			 "entero, no contra una meta propia.",
			 "Baselines and targets are national: %s's counts "
			 "are measured against the whole country's, not "
			 "against a target of its own."},
    [M_FOLLOWED_NOTE] = {"Los indicadores sobre el embudo de la persecución "
			 "penal o sobre las derivaciones aceptadas siguen "
			 "hasta hoy las denuncias "
			 "y las derivaciones del periodo: los periodos más "
			 "recientes se leen bajos, y su estado puede decir "
			 "«%s», hasta que sus casos avancen y lleguen sus "
			 "aceptaciones.",
			 "Indicators on the prosecution funnel or on the "
			 "referrals taken up follow the period's complaints "
			 "and referrals up to "
			 "today: the latest periods read low, and their status "
			 "may say “%s”, until their cases advance and their "
			 "take-ups arrive."},
    [M_ARRIVED_NOTE] =
	{"Los indicadores sobre la mediana de días hasta la "
	 "aceptación de las derivaciones o sobre la "
	 "oportunidad de los datos (días hasta llegar al "
	 "consolidador, porcentaje llegado en 30 días) cuentan solo las "
	 "aceptaciones y los registros llegados hasta hoy: "
	 "los periodos más recientes se leen más breves y "
	 "oportunos de lo que serán, y su estado puede decir "
	 "«%s», hasta que lleguen los tardíos.",
	 "Indicators on the median days to take-up or on the "
	 "timeliness of the data (days to reach the "
	 "consolidator, share reaching it within 30 days) count only the "
	 "take-ups and records that have arrived by today: "
	 "the latest periods read shorter and fresher than "
	 "they will, and their status may say “%s”, until "
	 "the late ones arrive."},
    [M_CLOSED] = {"Sin cifras en esta vista: %s.",
		  "No figures in this view: %s."},
    [M_NOT_YET] = {"Esta sección aparecerá cuando el consolidador ofrezca la "
		   "tabla «%s»; todavía no la conoce.",
		   "This section will appear once the consolidator offers "
		   "the table “%s”; it does not know it yet."},
    [M_REFUSED] = {"El consolidador no entregó la tabla «%s»: %s",
		   "The consolidator did not give the table “%s”: %s"},
    [M_NO_ROWS] = {"Sin datos para este periodo.", "No data for this period."},
    [M_SEC_INDICATORS] = {"Indicadores clave", "Key indicators"},
    [M_SEC_IDENTIFICATION] = {"Identificación de víctimas",
			      "Identification of victims"},
    [M_SEC_REFERRALS] = {"Derivaciones", "Referrals"},
    [M_SEC_PROTECTION] = {"Protección", "Protection"},
    [M_SEC_PROSECUTION] = {"Persecución penal", "Prosecution"},
    [M_SEC_TIMELINESS] = {"Oportunidad de los datos", "Timeliness of the data"},
    [M_SEC_ESTIMATE] = {"Víctimas no detectadas", "Undetected victims"},
    [M_SEC_SOURCES] = {"Origen de las cifras", "Where the numbers come from"},
    [M_FIG_KEY] = {"Indicadores clave: valor del periodo frente a la línea de "
		   "base y la meta",
		   "Key indicators: the period's value against baseline and "
		   "target"},
    [M_HOW_KEY] = {"«Avance» es el camino recorrido de la línea de base (0) a "
		   "la meta (1); el estado lo compara con el tiempo "
		   "transcurrido hacia el plazo de la meta.",
		   "“Progress” is the way travelled from the baseline (0) to "
		   "the target (1); the status compares it with the time "
		   "elapsed towards the target's deadline."},
    [M_FIG_TREND] = {"Evolución semestral de los indicadores clave",
		     "The key indicators, semester by semester"},
    [M_FIG_TREND_YEARS] = {"Evolución de los indicadores clave, semestre a "
			   "semestre o año a año",
			   "The key indicators, semester by semester or year "
			   "by year"},
    [M_HOW_TREND] = {"Cada panel sigue un indicador semestre a semestre; la "
		     "línea discontinua es la meta y la punteada, la línea "
		     "de base. Un semestre sin valor, o con el valor "
		     "reservado, deja un hueco; la tabla dice cuál.",
		     "Each panel follows one indicator semester by semester; "
		     "the dashed line is the target, the dotted one the "
		     "baseline. A semester with no value, or with its value "
		     "withheld, leaves a gap; the table says which."},
    [M_HOW_TREND_YEARS] = {"Cada panel sigue un indicador semestre a "
			   "semestre, salvo los conteos que se leen por año: "
			   "esos siguen años completos, como su meta, pues "
			   "un semestre es cerca de la mitad de un año. La "
			   "línea discontinua es la meta y la punteada, la "
			   "línea de base. Un periodo sin valor, o con el "
			   "valor reservado, deja un hueco; las tablas dicen "
			   "cuál.",
			   "Each panel follows one indicator semester by "
			   "semester, but for the counts read by year: those "
			   "follow whole years, as their target does, a "
			   "semester being about half a year. The dashed line "
			   "is the target, the dotted one the baseline. A "
			   "period with no value, or with its value withheld, "
			   "leaves a gap; the tables say which."},
    [M_FIG_OTHER] = {"Los demás indicadores", "The other indicators"},
    [M_HOW_OTHER] = {"Indicadores no marcados como clave, con la misma "
		     "lectura que la figura de indicadores clave.",
		     "Indicators not marked as key, read like the key "
		     "indicators' figure."},
    [M_FIG_IDENTIFICATION] = {"Víctimas identificadas, por institución",
			      "Victims identified, by institution"},
    [M_HOW_IDENTIFICATION] = {"Cada barra cuenta las víctimas distintas que "
			      "esa institución identificó en el periodo; "
			      "quien fue visto por dos instituciones cuenta en "
			      "ambas, por eso el total es menor que la suma. "
			      "El PJ no identifica víctimas (registra las "
			      "etapas judiciales de los casos): su 0 no es "
			      "una falta.",
			      "Each bar counts the distinct victims that "
			      "institution identified in the period; one seen "
			      "by two institutions counts in both, so the "
			      "total is less than the sum. PJ identifies no "
			      "victims (it records the court stages of cases): "
			      "its 0 is not a gap."},
    [M_HOW_IDENTIFICATION_OWN] = {"La barra cuenta las víctimas distintas "
				  "que esta institución identificó en el "
				  "periodo.",
				  "The bar counts the distinct victims this "
				  "institution identified in the period."},
    [M_FIG_OVERLAP] = {"Coincidencias entre instituciones",
		       "Overlap between institutions"},
    [M_HOW_OVERLAP] = {"Cada columna es una combinación exacta de "
		       "instituciones (los puntos unidos debajo) y su barra, "
		       "las víctimas identificadas por esas y ninguna otra; a "
		       "la izquierda, el total de cada institución.",
		       "Each column is one exact combination of institutions "
		       "(the joined dots below) and its bar the victims "
		       "identified by those and no other; on the left, each "
		       "institution's total."},
    [M_FIG_REFERRALS] = {"Derivaciones entre instituciones y su aceptación",
			 "Referrals between institutions and their take-up"},
    [M_HOW_REFERRALS] = {"La barra clara son las derivaciones enviadas en el "
			 "periodo y la oscura, las que el destino aceptó "
			 "(aceptadas / enviadas); luego, la mediana de días "
			 "hasta la aceptación. Una derivación es un número de "
			 "oficio de un remitente a un destino, no una "
			 "víctima: un oficio que deriva a varias víctimas "
			 "cuenta como una derivación, aceptada en cuanto el "
			 "destino registra la aceptación de una de ellas.",
			 "The light bar is the referrals sent in the period, "
			 "the dark one those the destination took up (taken "
			 "up / sent); then the median days to take-up. A "
			 "referral is one document number from a sender to a "
			 "destination, not a victim: a document referring "
			 "several victims counts once, and as taken up as "
			 "soon as the destination records the take-up of one "
			 "of them."},
    [M_FIG_PROTECTION] = {"Víctimas que iniciaron cada servicio",
			  "Victims who began each service"},
    [M_HOW_PROTECTION] = {"Cada barra cuenta las víctimas que empezaron ese "
			  "servicio en el periodo; a su lado, la mediana de "
			  "días desde su primera identificación.",
			  "Each bar counts the victims who began that service "
			  "in the period; beside it, the median days since "
			  "they were first identified."},
    [M_FIG_FUNNEL] = {"Embudo de la persecución penal",
		      "The prosecution funnel"},
    [M_HOW_FUNNEL] = {"De los casos denunciados en el periodo, cuántos han "
		      "llegado hasta hoy a cada etapa. La pérdida es la "
		      "proporción de los casos de la etapa anterior que no "
		      "llegaron a esta: la tabla la da de 0 a 1 y el gráfico "
		      "en porcentaje, con signo menos; por ejemplo, 0.250 en "
		      "la tabla es \u221225.0% en el gráfico. Por región, un "
		      "caso cuenta, con todas sus etapas, en la región de su "
		      "denuncia.",
		      "Of the cases whose complaint falls in the period, how "
		      "many have reached each stage by now. Attrition is the "
		      "share of the previous stage's cases that did not reach "
		      "this one: the table gives it from 0 to 1, the chart as "
		      "a percentage with a minus sign; for example, 0.250 in "
		      "the table is \u221225.0% in the chart. By region, a "
		      "case counts, with all its stages, in the region of its "
		      "complaint."},
    [M_FIG_PROSECUTION] = {"Casos en cada etapa del proceso",
			   "Cases at each stage"},
    [M_HOW_PROSECUTION] = {"Cada barra cuenta los casos que llegaron a esa "
			   "etapa con fecha en el periodo (no son una "
			   "cohorte); a su lado, las personas involucradas.",
			   "Each bar counts the cases that reached that stage "
			   "with a date in the period (not a cohort); beside "
			   "it, the persons involved."},
    [M_FIG_DURATIONS] = {"Duración entre etapas consecutivas",
			 "Time between consecutive stages"},
    [M_HOW_DURATIONS] = {"Mediana de días entre una etapa y la siguiente, en "
			 "los casos que tienen ambas y cuya etapa posterior "
			 "cae en el periodo y, por región, en la región de "
			 "la etapa posterior. Un caso cuya etapa posterior "
			 "tiene fecha anterior a la de la etapa previa "
			 "(fechas desordenadas en el sistema de casos) "
			 "cuenta con días negativos, que bajan la mediana; "
			 "una mediana negativa lleva signo menos (\u22123) y "
			 "no tiene barra.",
			 "Median days from one stage to the next, over the "
			 "cases that have both and whose later stage falls in "
			 "the period and, by region, in the region of the "
			 "later stage. A case whose later stage is dated "
			 "before the earlier one (dates out of order in the "
			 "case system) counts with negative days, which pull "
			 "the median down; a negative median has a minus "
			 "sign (\u22123) and no bar."},
    [M_FIG_TIMELINESS] = {"Oportunidad de los datos, por institución",
			  "Timeliness of the data, by institution"},
    [M_HOW_TIMELINESS] = {"Cada barra es el porcentaje de registros del "
			  "periodo que llegaron al consolidador en 30 días o "
			  "menos; a su lado, la mediana de días de demora.",
			  "Each bar is the share of the period's records that "
			  "reached the consolidator within 30 days; beside it, "
			  "the median days of delay."},
    [M_FIG_ESTIMATE] = {"Estimación de víctimas, detectadas y no detectadas",
			"Estimated victims, detected and undetected"},
    [M_FIG_SDG] = {"ODS 16.2.2: víctimas por cada 100\u00a0000 habitantes",
		   "SDG 16.2.2: victims per 100,000 population"},
    [M_HOW_SDG] =
	{"Cada barra es la tasa de víctimas identificadas en el "
	 "periodo por cada 100\u00a0000 personas del grupo (población "
	 "del año, del archivo de población que se dio al "
	 "consolidador). "
	 "La última es la estimación de todas las víctimas, "
	 "detectadas o no, de ambos sexos y todas las edades (la "
	 "de la estimación, que deja fuera las identificaciones no "
	 "enlazables, más ellas); no se estima por sexo ni por edad.",
	 "Each bar is the rate of victims identified in the period "
	 "per 100,000 people of the group (the year's population, "
	 "from the population file the consolidator was given). The "
	 "last "
	 "is the estimate of all victims, detected or not, of both "
	 "sexes and all ages (the estimate's, which leaves out the "
	 "unlinkable identifications, plus them); none is made by sex "
	 "or age."},
    /* A semester's or quarter's victims per 100,000 are a part of a
     * year's: titled as SDG 16.2.2, the yearly rate, they read as a
     * fall beside it. */
    [M_FIG_SDG_PART] = {"Víctimas identificadas en el %s por cada "
			"100\u00a0000 habitantes: no es el ODS 16.2.2, una "
			"tasa anual",
			"Victims identified in the %s per 100,000 "
			"population: not SDG 16.2.2, a yearly rate"},
    [M_HOW_SDG_PART] = {"Cada barra son las víctimas identificadas en el "
			"%s por cada 100\u00a0000 personas del grupo "
			"(población del año, del archivo de población que se "
			"dio al consolidador), no en un año entero: no se "
			"compara "
			"con la tasa anual del ODS 16.2.2, que da el informe "
			"de %d. La última es la estimación de todas las "
			"víctimas, detectadas o no, de ambos sexos y todas "
			"las edades (la de la estimación, que deja fuera las "
			"identificaciones no enlazables, más ellas); no se "
			"estima por sexo ni por edad.",
			"Each bar is the victims identified in the %s per "
			"100,000 people of the group (the year's population, "
			"from the population file the consolidator was "
			"given), not "
			"in a whole year: it does not compare with SDG "
			"16.2.2's yearly rate, which the report of %d gives. "
			"The last is the estimate of all victims, detected or "
			"not, of both sexes and all ages (the estimate's, "
			"which leaves out the unlinkable identifications, "
			"plus them); none is made by sex or age."},
    /* The population file's own "# source:" line (popfile.h): the
     * figures are said to be whose they are, never assumed INEI's. */
    [M_SDG_SOURCE] = {" El archivo de población dice de dónde vienen sus "
		      "cifras: \u201c%s\u201d.",
		      " The population file says where its figures come "
		      "from: \u201c%s\u201d."},
    [M_HOW_ESTIMATE] = {"La barra clara son las víctimas observadas; el "
			"punto, la población estimada por sistemas múltiples "
			"con su intervalo del 95 %. Es el resultado de un "
			"modelo, no un conteo.",
			"The light bar is the victims observed; the dot, the "
			"population estimated by multiple-systems estimation "
			"with its 95% interval. It is a model's output, not a "
			"count."},
    [M_NO_INDICATORS] = {"El consolidador no tiene indicadores configurados "
			 "(clave «indicators» de su configuración).",
			 "The consolidator has no indicators configured (the "
			 "“indicators” key of its configuration)."},
    [M_IND_NOT_QUARTER] = {"Los indicadores se miden por semestre o por "
			   "año, no por trimestre: véanse en el informe de "
			   "%s o de %d.",
			   "Indicators are measured by semester or year, not "
			   "by quarter: see them in the report for %s or %d."},
    [M_NO_KEY] = {"Ningún indicador está marcado como clave: se muestran "
		  "todos.",
		  "No indicator is marked as key: all are shown."},
    [M_TREND_FROM] = {"para cada semestre S de %s a %s",
		      "for each semester S from %s to %s"},
    [M_YEARS_FROM] = {"para cada año Y de %s a %s",
		      "for each year Y from %s to %s"},
    [M_YEARLY_CARD] = {"Año por año, como su meta.",
		       "Year by year, as its target."},
    [M_CARD_NONE] = {"Sin valor que dibujar de %s a %s.",
		     "No value to draw from %s to %s."},
    [M_CARD_NONE_WITHHELD] = {"Sin valor que dibujar de %s a %s: "
			      "reservado o sin dato (la tabla dice cuál).",
			      "No value to draw from %s to %s: withheld or "
			      "no data (the table says which)."},
    /* Empty axes read as a broken chart, as an empty card's. */
    [M_ESTIMATE_NO_CHART] = {"Sin gráfico: ningún método da una cifra que "
			     "dibujar; la nota de cada fila de la tabla dice "
			     "por qué.",
			     "No chart: no method gives a figure to draw; "
			     "each row's note in the table says why."},
    [M_OVERLAP_NO_CHART] = {"Sin gráfico: ninguna víctima identificada en el "
			    "periodo entra en una combinación de "
			    "instituciones.",
			    "No chart: no victim identified in the period "
			    "falls in a combination of institutions."},
    [M_SEMESTER_CARD] = {"Semestre a semestre; el valor de arriba es el del "
			 "año %d completo, no el de su último semestre.",
			 "Semester by semester; the value above is the whole "
			 "year %d's, not its last semester's."},
    [M_WHOLE_YEAR] = {"Año completo", "Whole year"},
    [M_YEAR_NOT_OVER] = {"%d, aún en curso, no se muestra.",
			 "%d, not over yet, is not shown."},
    [M_YEAR_PAST_REPORT] = {"%d no se muestra: este informe llega a %s.",
			    "%d is not shown: this report ends at %s."},
    [M_BASELINE_SHORT] = {"base", "base"},
    [M_TARGET_SHORT] = {"meta", "target"},
    [M_VALUE_LINE] = {"%s: %s; meta %s", "%s: %s; target %s"},
    [M_WITHHELD_VALUE] = {"reservado", "withheld"},
    [M_BY_PERIOD] = {" para %s", " by %s"},
    [M_OVERLAP_SETS] = {"Total por institución", "Total per institution"},
    [M_OVERLAP_HEADING] = {"Víctimas por combinación exacta",
			   "Victims per exact combination"},
    [M_UNLINKABLE_NOTE] = {"Las identificaciones sin datos para enlazarlas "
			   "(fila «sin enlace» de la tabla) no entran en "
			   "ninguna combinación.",
			   "Identifications without the data to link them "
			   "(the table's “unlinkable” row) join no "
			   "combination."},
    /* The counts of these sentences stand after a colon, where one
     * and many read alike (no singular to choose: "1 identificadas"). */
    [M_ADULTS_NOTE] = {"Las víctimas contadas aquí incluyen las "
		       "identificadas con 18 años o más: %s (desglose por "
		       "grupo de edad).",
		       "The victims counted here include those identified at "
		       "18 or older: %s (the breakdown by age group)."},
    /* The victims identified, of whom children: the under-18 age groups
     * of the breakdown summed, or with one of them withheld the total
     * less 18+ (the age groups partition the victims; the consolidator
     * gives the same role that figure as sdg16_2_2's 0-17), withheld
     * only when 18+ is too. */
    [M_CHILDREN] = {"Víctimas identificadas en el periodo: %s; niñas, "
		    "niños y adolescentes entre ellas (menores de 18 años en "
		    "su primera identificación del periodo): %s (desglose "
		    "por grupo de edad).",
		    "Victims identified in the period: %s; children among "
		    "them (under 18 at their first identification in the "
		    "period): %s (the breakdown by age group)."},
    [M_CHILDREN_DERIVED] =
	{"Víctimas identificadas en el periodo: %s; niñas, niños y "
	 "adolescentes entre ellas (menores de 18 años en su primera "
	 "identificación del periodo): %s (el total menos las de 18 años o "
	 "más del desglose por grupo de edad).",
	 "Victims identified in the period: %s; children among them (under "
	 "18 at their first identification in the period): %s (the total "
	 "less those 18 or older in the breakdown by age group)."},
    [M_CHILDREN_WITHHELD] = {"Víctimas identificadas en el periodo: %s; el "
			     "número de niñas, niños y adolescentes entre "
			     "ellas (menores de 18 años) se reserva por "
			     "confidencialidad: una cifra de su desglose por "
			     "grupo de edad está reservada, y también la de "
			     "18 años o más.",
			     "Victims identified in the period: %s; the "
			     "number of children among them (under 18) is "
			     "withheld for confidentiality: a count of their "
			     "breakdown by age group is withheld, and so is "
			     "that of those 18 or older."},
    [M_CHILDREN_CARD] = {"De ellas, menores de 18 años: %s.",
			 "Of them, under 18: %s."},
    [M_CHILDREN_CARD_WITHHELD] = {"De ellas, menores de 18 años: "
				  "reservado.",
				  "Of them, under 18: withheld."},
    [M_SENT] = {"enviadas", "sent"},
    [M_TAKEN_UP] = {"aceptadas", "taken up"},
    [M_MEDIAN_DAYS] = {"mediana %s d", "median %s d"},
    [M_OWN_MEDIANS_NOTE] = {"Los días hasta un servicio se cuentan solo desde "
			    "las identificaciones propias de %s: una víctima "
			    "atendida a la que solo otra institución "
			    "identificó queda fuera de la mediana, y un "
			    "servicio sin otra víctima no tiene mediana "
			    "(«\u2013»).",
			    "The days to a service count from %s's own "
			    "identifications only: a victim served whom only "
			    "another institution identified is left out of "
			    "the median, and a service with no other victim "
			    "has no median (“\u2013”)."},
    [M_NEGATIVE_SERVICE_NOTE] =
	{"Una mediana negativa: al menos la mitad de esas víctimas empezó el "
	 "servicio antes de ser identificada (una atención dada primero, "
	 "como la de un puesto de salud que atendió a una niña antes de que "
	 "se la identificara como víctima, o una fecha que revisar: la del "
	 "servicio o la de la identificación), no días hasta el servicio.",
	 "A negative median: at least half of those victims began the "
	 "service before they were identified (care given first, as by a "
	 "health post that treated a girl before she was identified as a "
	 "victim, or a date to check: the service's or the "
	 "identification's), not days to the service."},
    [M_OWN_FUNNEL_NOTE] = {"Un caso llega a una etapa solo por los registros "
			   "propios de %s: una etapa que registró otra "
			   "institución (la investigación fiscal de una "
			   "denuncia policial, el juicio de un juzgado) no se "
			   "cuenta y se lee como pérdida; la vista nacional "
			   "sigue cada caso por los registros de todas.",
			   "A case reaches a stage by %s's own records only: "
			   "a stage another institution recorded (the "
			   "prosecutor's investigation of a police complaint, "
			   "a court's trial) is not counted and reads as "
			   "attrition; the national view follows each case "
			   "through every institution's records."},
    [M_NEGATIVE_DURATION_NOTE] =
	{"Una mediana negativa: en al menos la mitad de "
	 "esos casos la etapa posterior tiene una "
	 "fecha anterior a la de la etapa previa (una "
	 "sentencia fechada antes del juicio, por "
	 "ejemplo). Es una fecha por corregir en la "
	 "institución que envió el registro, no una "
	 "duración.",
	 "A negative median: in at least half of those cases "
	 "the later stage is dated before the earlier "
	 "one (a sentence dated before its trial, say). "
	 "It is a date for the institution that sent "
	 "the record to correct, not a duration."},
    [M_CASES_UNMATCHED_NOTE] =
	{"Casos que ninguna denuncia nombra, por la institución de su "
	 "primera etapa (%s): %s. Cuentan en esta tabla en sus etapas y en "
	 "ningún embudo: una etapa judicial con el número de caso escrito "
	 "de otro modo es uno de ellos, y también una etapa fiscal cuya "
	 "denuncia la policía envió con otro número. Compárense los "
	 "números de cada institución con los de la anterior: los del "
	 "Poder Judicial con los de la fiscalía, los de la fiscalía con "
	 "los de la policía.",
	 "Cases no complaint names, by the institution of their earliest "
	 "stage (%s): %s. They count in this table at their stages and in "
	 "no funnel: a court stage under a case number written otherwise "
	 "is one, and so is a prosecutor's stage whose complaint the "
	 "police sent under another number. Compare each institution's "
	 "numbers with those of the one before it: the court's with the "
	 "prosecutor's, the prosecutor's with the police's."},
    [M_TAKE_UP_DAYS_NOTE] = {"La mediana de días cuenta solo las derivaciones "
			     "aceptadas hasta hoy: en un periodo reciente aún "
			     "faltan las aceptaciones más lentas, y se lee "
			     "corta.",
			     "The median days count only the referrals taken "
			     "up by today: in a recent period the slower "
			     "take-ups are still to come, so it reads short."},
    [M_NO_TAKEUPS_NOTE] = {"No hay registrada ninguna aceptación "
			   "(referral_received) de %s, de ninguna fecha: las "
			   "derivaciones enviadas allí se leen 0 aceptadas y "
			   "todas pendientes por falta de datos (un sistema de "
			   "casos que no envía aceptaciones, o un nodo aún no "
			   "conectado), no porque quedaran sin atender.",
			   "No take-up (referral_received) of any date is on "
			   "record from %s: the referrals sent there read 0 "
			   "taken up and all pending for want of data (a case "
			   "system that sends no take-ups, or a node not yet "
			   "connected), not because they were left "
			   "unattended."},
    [M_UNMATCHED_NOTE] = {"Aceptaciones que el destino registró y que no "
			  "coinciden con ninguna derivación de su remitente "
			  "(%s): %s. No cuentan en esta tabla, y una "
			  "derivación que nombran con su número escrito de "
			  "otro modo se lee pendiente: compárense los números "
			  "con los del remitente.",
			  "Take-ups the destination recorded that match no "
			  "referral of their sender (%s): %s. They count in "
			  "no row of this table, and a referral they name "
			  "with its number written otherwise reads pending: "
			  "compare the numbers with the sender's."},
    [M_NEGATIVE_TAKEUP_NOTE] = {"Una mediana negativa: al menos la mitad de "
				"esas aceptaciones tiene una fecha anterior "
				"a la de su derivación. Son fechas que las "
				"dos instituciones deben revisar (el día en "
				"que llegó la víctima, la fecha del oficio), "
				"no días hasta la aceptación.",
				"A negative median: at least half of those "
				"take-ups are dated before their referral. "
				"They are dates for the two institutions to "
				"check (the day the victim arrived, the "
				"oficio's date), not days to take-up."},
    [M_HIDDEN_TAKEUPS] = {"un número reservado", "a withheld number"},
    [M_NO_TAKEUPS_IND_NOTE] = {"Los indicadores sobre las derivaciones "
			       "aceptadas por %s muestran un vacío de los "
			       "datos, no una falla de la protección: no hay "
			       "registrada ninguna aceptación "
			       "(referral_received) suya, de ninguna fecha (un "
			       "sistema de casos que no envía aceptaciones, o "
			       "un nodo aún no conectado).",
			       "Indicators on the referrals taken up by %s "
			       "show a gap in the data, not a failure of "
			       "protection: no take-up (referral_received) of "
			       "any date is on record from there (a case "
			       "system that sends no take-ups, or a node not "
			       "yet connected)."},
    [M_NO_TAKEUPS_OWN] = {"%s (de las derivaciones que %s envió o recibió)",
			  "%s (of the referrals %s sent or received)"},
    [M_RATE_OVER_100_NOTE] =
	{"Por encima de 100 por cada 100: %s. No es un error: una tasa cuenta "
	 "un grupo de víctimas por cada 100 de otro, y las del primero no "
	 "están todas en el segundo (como en la atención en salud mental, "
	 "donde las víctimas identificadas antes del periodo cuya atención "
	 "empieza en él cuentan solo en el primero), así que puede pasar de "
	 "100.",
	 "Above 100 per 100: %s. That is no error: a rate counts one group "
	 "of victims per 100 of another, and the first are not all among "
	 "the second (as with mental-health care, where victims identified "
	 "before the period whose care begins in it count in the first "
	 "only), so it can pass 100."},
    [M_QUOTED] = {"«%s»", "“%s”"},
    [M_TIMELINESS_NOTE] = {"Solo cuentan los registros que llegaron al "
			   "consolidador hasta hoy: el periodo no lleva 30 "
			   "días cerrado, así que aún pueden llegar registros "
			   "de sus últimos días, a tiempo o tarde, y la "
			   "mediana y el porcentaje en 30 días pueden cambiar.",
			   "Only the records that have reached the "
			   "consolidator by today count: the period has not "
			   "been over for 30 days, so records of its last days "
			   "may still arrive, on time or late, and the median "
			   "and the share within 30 days may change."},
    [M_TIMELINESS_CLOSED_NOTE] = {"Solo cuentan los registros que llegaron "
				  "al consolidador hasta hoy, %s días "
				  "después del fin del periodo: uno que "
				  "llegue después contará fuera de los 30 "
				  "días.",
				  "Only the records that have reached the "
				  "consolidator by today count, %s days after "
				  "the period ended: any that arrives later "
				  "counts as beyond 30 days."},
    [M_TIMELINESS_ZERO_NOTE] =
	{"En 0 %%: %s. Un porcentaje de registros llegados en 30 días cuenta "
	 "los registros del periodo que llegaron al consolidador 30 días o "
	 "menos después de su fecha (el día del hecho que registran); en 0, "
	 "ninguno llegó así: todos se enviaron más de 30 días después, como "
	 "cuando una institución carga de una vez los registros de meses "
	 "atrás o su nodo no envió nada durante semanas. Mide la demora en "
	 "enviar los registros, no en atender a las víctimas.",
	 "At 0%%: %s. A share of records within 30 days counts the period's "
	 "records that reached the consolidator 30 days or less after their "
	 "date (the day of the event they record); at 0, none did: all were "
	 "submitted more than 30 days after it, as when an institution loads "
	 "months of past records at once or its node sent nothing for weeks. "
	 "It measures the delay in sending the records, not in caring for "
	 "the victims."},
    [M_TIMELINESS_ZERO_TABLE_NOTE] =
	{"Ningún registro del periodo llegó al consolidador 30 días o menos "
	 "después de su fecha (el día del hecho que registra): todos se "
	 "enviaron más de 30 días después, como cuando una institución carga "
	 "de una vez los registros de meses atrás o su nodo no envió nada "
	 "durante semanas. Es la demora en enviar los registros, no en "
	 "atender a las víctimas.",
	 "None of the period's records reached the consolidator 30 days or "
	 "less after its date (the day of the event it records): all were "
	 "submitted more than 30 days after it, as when an institution loads "
	 "months of past records at once or its node sent nothing for weeks. "
	 "That is the delay in sending the records, not in caring for the "
	 "victims."},
    [M_PERSONS] = {"%s personas", "%s persons"},
    [M_DAYS_UNIT] = {" d", " d"},
    [M_OBSERVED] = {"observadas", "observed"},
    [M_ESTIMATE_CI] = {"estimación e intervalo del 95 %",
		       "estimate and 95% interval"},
    [M_ESTIMATE_NOTE] = {"modelo log-lineal de Poisson sobre la tabla de "
			 "coincidencias, como en kuska estimate (kuska(1))",
			 "a Poisson log-linear model over the overlap table, "
			 "as in kuska estimate (kuska(1))"},
    [M_ESTIMATE_ASSUMES] =
	{"Qué supone la estimación: que, tenidas en cuenta las interacciones "
	 "elegidas, las listas de las instituciones son independientes entre "
	 "sí; que la población es cerrada dentro del periodo (las mismas "
	 "víctimas de principio a fin); y que cada víctima se cuenta una sola "
	 "vez, lo que el enlace de registros entre instituciones hace cierto. "
	 "Las víctimas sin datos para enlazarlas quedan fuera del modelo (la "
	 "fila «Sin enlace» de la tabla de coincidencias dice cuántas).",
	 "What the estimate assumes: that, once the chosen interactions are "
	 "allowed for, the institutions' lists are independent of each other; "
	 "that the population is closed within the period (the same victims "
	 "throughout); and that each victim is counted once, which the linking "
	 "of records across institutions makes true. Victims with nothing to "
	 "link them by are left out of the model (the “Unlinkable” row of "
	 "the overlap table says how many)."},
    [M_ESTIMATE_ADULTS] =
	{"Las listas cuentan víctimas de todas las edades, y la estimación "
	 "también (identificadas en el periodo con 18 años o más: %s; "
	 "desglose por grupo de edad).",
	 "The lists count victims of all ages, and so does the estimate "
	 "(those identified at 18 or older in the period: %s; the breakdown by "
	 "age group)."},
    [M_ESTIMATE_INTERVAL] =
	{"El intervalo que se publica es el de la fila Bootstrap: intervalo "
	 "BCa del 95 %% con %u remuestreos (semilla %u), que incluye la "
	 "incertidumbre de elegir el modelo. Los de las filas Efectos "
	 "principales y Selección por pasos son intervalos del 95 %% "
	 "condicionados al modelo, más estrechos porque lo dan por conocido.",
	 "The interval to publish is the Bootstrap row's: a 95%% BCa interval "
	 "from %u resamples (seed %u), which includes the uncertainty of "
	 "choosing the model. Those of the Main effects and Stepwise rows are "
	 "95%% intervals conditional on the model, narrower because they take "
	 "it as known."},
    [M_ESTIMATE_NO_BOOT] =
	{"La fila Bootstrap no da intervalo esta vez (su nota dice por qué): "
	 "no hay intervalo que publicar.",
	 "The Bootstrap row gives no interval this time (its note says why): "
	 "there is no interval to publish."},
    [M_ESTIMATE_MODEL_ONLY] =
	{"Los de las filas Efectos principales y Selección por pasos están "
	 "condicionados al modelo, más estrechos porque lo dan por conocido, "
	 "y no lo sustituyen.",
	 "Those of the Main effects and Stepwise rows are conditional on the "
	 "model, narrower because they take it as known, and do not stand in "
	 "for it."},
    [M_ESTIMATE_SPARSE] =
	{"Pocas víctimas fueron vistas por más de una institución (menos "
	 "de %u: la nota de cada fila dice cuántas): con tan pocas "
	 "coincidencias la estimación es inestable y su intervalo muy "
	 "ancho o sin límite superior. No debe publicarse sin esta "
	 "advertencia.",
	 "Few victims were seen by more than one institution (under %u: each "
	 "row's note says how many): with so few in common the estimate is "
	 "unstable and its interval very wide or without an upper limit. It "
	 "must not be published without this warning."},
    [M_INFINITE_NOTE] = {"«\u221e»: sin límite superior: el intervalo no "
			 "puede acotarse, por un ajuste muy incierto o, en "
			 "un intervalo bootstrap, por demasiados "
			 "remuestreos sin estimación (la nota de la fila lo "
			 "dice).",
			 "“\u221e”: no upper limit: the interval cannot be "
			 "bounded, from a very uncertain fit or, in a "
			 "bootstrap interval, from too many resamples "
			 "without an estimate (the note of its row says so)."},
    [M_SDG_ESTIMATE_BAR] = {"Estimación, todas las víctimas",
			    "Estimate, all victims"},
    [M_SDG_NOTE] = {"población: archivo del consolidador (population, "
		    "kuska.conf(5))",
		    "population: the consolidator's file (population, "
		    "kuska.conf(5))"},
    [M_SDG_PERIOD_NOTE] = {"Las tasas son de las víctimas de este periodo, "
			   "no de un año, sobre la población del año: el "
			   "ODS 16.2.2 es una tasa anual y se publica con "
			   "el informe de %d.",
			   "The rates are of this period's victims, not a "
			   "year's, over the year's population: SDG 16.2.2 "
			   "is a yearly rate, published with the report of "
			   "%d."},
    [M_SDG_RATE_CI] =
	{"La estimación por cada 100\u00a0000 habitantes, %s, tiene un "
	 "intervalo "
	 "BCa del 95 %% de %s a %s, el que se publica con ella: el intervalo "
	 "bootstrap de la estimación (de %s a %s víctimas; %u remuestreos, "
	 "semilla %u)%s dividido entre la misma población, %s personas de "
	 "todas las edades.",
	 "The estimate per 100,000 inhabitants, %s, has a 95%% BCa interval "
	 "of %s to %s, the one to publish with it: the estimate's bootstrap "
	 "interval (%s to %s victims; %u resamples, seed %u)%s divided by the "
	 "same population, %s people of all ages."},
    [M_SDG_RATE_NO_CI] =
	{"La estimación por cada 100\u00a0000 habitantes, %s, no tiene "
	 "intervalo "
	 "que publicar: la fila Bootstrap de la estimación no lo da.",
	 "The estimate per 100,000 inhabitants, %s, has no interval to "
	 "publish: the estimate's Bootstrap row gives none."},
    [M_SDG_RATE_CI_PART] =
	{"La estimación del %s por cada 100\u00a0000 habitantes, %s, tiene un "
	 "intervalo BCa del 95 %% de %s a %s, el que se publica con ella: el "
	 "intervalo bootstrap de la estimación (de %s a %s víctimas; %u "
	 "remuestreos, semilla %u)%s dividido entre la misma población, %s "
	 "personas de todas las edades.",
	 "The estimate for the %s per 100,000 inhabitants, %s, has a 95%% BCa "
	 "interval of %s to %s, the one to publish with it: the estimate's "
	 "bootstrap interval (%s to %s victims; %u resamples, seed %u)%s "
	 "divided by the same population, %s people of all ages."},
    [M_SDG_RATE_NO_CI_PART] =
	{"La estimación del %s por cada 100\u00a0000 habitantes, %s, no tiene "
	 "intervalo: la fila Bootstrap de la estimación no lo da.",
	 "The estimate for the %s per 100,000 inhabitants, %s, has no "
	 "interval: the estimate's Bootstrap row gives none."},
    /* The unlinkable victims the SDG row adds to the estimate, added to
     * its interval's limits too. */
    [M_SDG_PLUS_UNLINKED] = {" más las víctimas sin enlace (%s),",
			     " plus the unlinkable victims (%s),"},
    [M_NO_UPPER] = {"sin límite superior", "no upper limit"},
    [M_INDICATOR_SOURCE] = {"cada valor se calcula con la expresión del "
			    "indicador en el archivo de indicadores del "
			    "consolidador",
			    "each value is computed by the indicator's "
			    "expression in the consolidator's indicator file"},
    [M_COMPUTED_BY] = {"Calculado por el consolidador %s (clave «%s», huella "
		       "%s), a partir de los eventos firmados que aceptó de "
		       "cada institución, de todos los periodos:",
		       "Computed by the consolidator at %s (key “%s”, "
		       "fingerprint %s), from the signed events it accepted "
		       "from each institution, all periods together:"},
    [M_GENERATED] = {"Generado el %s (hora de Perú, UTC\u22125; %s UTC) por "
		     "kuska %s con la clave «%s», rol %s, umbral de reserva "
		     "k = %u.",
		     "Made on %s (Peru time, UTC\u22125; %s UTC) by kuska %s "
		     "with the key “%s”, role %s, disclosure threshold "
		     "k = %u."},
    [M_HOW_TO_CHECK] = {"Cada cifra puede comprobarse con",
			"Check any number with"},
    [M_SILENT] = {"Sin ningún registro fechado en el periodo, así que sus "
		  "cifras del periodo son falta de "
		  "datos, no ceros: %s.",
		  "No record dated in the period, so their "
		  "figures for the period are missing data, not zeros: %s."},
    [M_ALL_SILENT] = {"Ninguna institución tiene registros fechados en el "
		      "periodo: las cifras del periodo de este informe son "
		      "falta de datos, no ceros.",
		      "No institution has a record dated in the period: this "
		      "report's figures for the period are missing data, not "
		      "zeros."},
    [M_REGION_ALL_SILENT] = {"Ninguna institución tiene registros fechados "
			     "en el periodo en la región %s: las cifras del "
			     "periodo de este informe son cero o falta de "
			     "datos.",
			     "No institution has a record dated in the "
			     "period in region %s: this report's figures for "
			     "the period are zero or missing data."},
    [M_NONE_SILENT] = {"Las cinco instituciones tienen registros fechados "
		       "en el periodo.",
		       "All five institutions have records dated in the "
		       "period."},
    [M_DELIV_INTRO] = {"Última entrega de cada institución (hora "
		       "UTC); se señala la que llevaba más "
		       "de %d días sin entregar al cierre del informe, %s:",
		       "Last delivery from each institution (UTC); "
		       "one that had delivered nothing for more "
		       "than %d days by the report's end, %s, is flagged:"},
    [M_DELIV_INTRO_CONTACT] = {"Última entrega de cada institución (hora "
			       "UTC); se señala aquella cuyo "
			       "nodo llevaba más de %d días sin dar señales "
			       "al cierre del informe, %s:",
			       "Last delivery from each institution "
			       "(UTC); one whose node had "
			       "not been heard from for more than %d days by "
			       "the report's end, %s, is flagged:"},
    [M_DELIV_LAST] = {"%s: última entrega el %s a las %s.",
		      "%s: last delivered on %s at %s."},
    [M_DELIV_STALE] = {"%s: nada recibido desde el %s; sus cifras "
		       "posteriores a esa fecha faltan, no son cero.",
		       "%s: nothing received since %s; its figures after "
		       "that date are missing, not zero."},
    [M_DELIV_QUIET] = {"%s: en contacto el %s; últimos eventos recibidos "
		       "el %s. Su nodo funciona pero no envió nada nuevo en "
		       "más de %d días: o no tenía nada que enviar, o su "
		       "sistema de casos dejó de exportarle registros; "
		       "compruebe que siguen llegando al nodo (kuska status "
		       "en él).",
		       "%s: in contact on %s; last events received on %s. "
		       "Its node is running but sent nothing new for more "
		       "than %d days: either it had nothing to send, or its "
		       "case system stopped exporting records to it; check "
		       "that they still reach the node (kuska status on "
		       "it)."},
    [M_DELIV_NEVER] = {"%s: nunca se recibió nada; sus cifras faltan, no "
		       "son cero.",
		       "%s: nothing ever received; its figures are missing, "
		       "not zero."},
    [M_DELIV_IDLE] = {"%s: en contacto el %s; aún no se recibió ningún "
		      "evento. Su nodo funciona pero no envió nada: o no "
		      "tenía nada que enviar, o su sistema de casos aún no "
		      "le exporta registros; compruebe que llegan al nodo "
		      "(kuska status en él).",
		      "%s: in contact on %s; no events received yet. Its "
		      "node is running but has sent nothing: either it had "
		      "nothing to send, or its case system does not export "
		      "records to it yet; check that they reach the node "
		      "(kuska status on it)."},
    [M_DELIV_UNDATED] = {"%s: se recibieron eventos, pero se desconoce la "
			 "fecha de su última entrega (el almacén del "
			 "consolidador no la guarda).",
			 "%s: events were received, but the date of its last "
			 "delivery is unknown (the consolidator's store does "
			 "not hold it)."},
    [M_DELIV_UNKNOWN] = {"Se desconoce cuándo entregó por última vez cada "
			 "institución: el consolidador no da las "
			 "entregas (es anterior a esta versión de kuska); "
			 "una cifra baja puede ser una entrega que falta.",
			 "When each institution last delivered is unknown: "
			 "the consolidator does not give the deliveries "
			 "(it predates this version of kuska); a low "
			 "figure may be a delivery that is missing."},
    [M_DELIV_REFUSED] = {"Se desconoce cuándo entregó por última vez cada "
			 "institución: el consolidador negó las "
			 "entregas (%s).",
			 "When each institution last delivered is unknown: "
			 "the consolidator refused the deliveries "
			 "(%s)."},
    /* A region's report (kuska report --region): the period's words,
     * then the region's code and name. */
    [M_REGION_TITLE] = {"%s, región %s", "%s, region %s"},
    [M_REGION_WORDS] = {"la región %s", "region %s"},
    [M_REGION_NOTE] = {"Cifras de la región %s: cada tabla se pidió con "
		       "--region %s y cuenta lo registrado en ella (la "
		       "región de cada registro; en el embudo, un caso "
		       "cuenta en la de su denuncia, y la duración entre "
		       "dos etapas, en la de la posterior). Los eventos "
		       "recibidos y las entregas del final son de todo el "
		       "país.",
		       "Figures of region %s: every table was asked with "
		       "--region %s and counts what was recorded there "
		       "(each record's region; in the funnel a case counts "
		       "in its complaint's, and the time between two "
		       "stages in the later one's). The events accepted "
		       "and the deliveries at the end are the whole "
		       "country's."},
    [M_REGION_REFUSED] = {"La secretaría no recibe la tabla «%s» por "
			  "región: está en el informe del país "
			  "(kuska report --period %s, sin --region).",
			  "The secretariat does not get the %s table by "
			  "region: it is in the whole country's report "
			  "(kuska report --period %s, without --region)."},
    [M_REGION_REFUSED_FUNNEL] = {"La secretaría no recibe el embudo "
				 "(«funnel») por región: está en el informe "
				 "del país (kuska report --period %s, sin "
				 "--region); los casos de la región en cada "
				 "etapa están en la figura siguiente.",
				 "The secretariat does not get the funnel "
				 "by region: it is in the whole country's "
				 "report (kuska report --period %s, without "
				 "--region); the region's cases at each "
				 "stage are in the next figure."},
    [M_REGION_NO_TREND] = {"La secretaría recibe los indicadores de una "
			   "región por año, no semestre a semestre: su "
			   "evolución por semestre está en el informe del "
			   "país (kuska report --period %s, sin --region).",
			   "The secretariat gets a region's indicators by "
			   "year, not semester by semester: their trend by "
			   "semester is in the whole country's report (kuska "
			   "report --period %s, without --region)."},
    /* Where the consolidator refuses the role a region's semesters,
     * the trend is of whole years: said once, above it. */
    [M_REGION_TREND_YEARS] = {"La evolución de la región va año por año: el "
			      "consolidador no da a este rol sus "
			      "indicadores semestre a semestre; la "
			      "evolución por semestre del país está en su "
			      "informe (kuska report --period %s, sin "
			      "--region).",
			      "The region's trend goes year by year: the "
			      "consolidator does not give this role its "
			      "indicators semester by semester; the "
			      "country's trend by semester is in its report "
			      "(kuska report --period %s, without --region)."},
    [M_FIG_TREND_BY_YEAR] = {"Evolución anual de los indicadores clave",
			     "The key indicators, year by year"},
    [M_HOW_TREND_BY_YEAR] = {"Cada panel sigue un indicador año a año; la "
			     "línea discontinua es la meta y la punteada, "
			     "la línea de base. Un año sin valor, o con el "
			     "valor reservado, deja un hueco; la tabla dice "
			     "cuál.",
			     "Each panel follows one indicator year by year; "
			     "the dashed line is the target, the dotted one "
			     "the baseline. A year with no value, or with its "
			     "value withheld, leaves a gap; the table says "
			     "which."},
    [M_YEARS_CARD] = {"Año por año.", "Year by year."},
    /* An institution may have nothing in a region: its zeros there are
     * not missing data as surely as the country's. */
    [M_REGION_SILENT] = {"Sin ningún registro fechado en el periodo en la "
			 "región %s, así que sus cifras de la región son "
			 "cero o falta de datos (una institución puede no "
			 "tener casos allí): %s.",
			 "No record dated in the period in region %s, so "
			 "their figures for the region are zero or missing "
			 "data (an institution may have no cases there): "
			 "%s."},
    [M_REGION_NONE_SILENT] = {"Las cinco instituciones tienen registros "
			      "fechados en el periodo en la región %s.",
			      "All five institutions have records dated in "
			      "the period in region %s."},
};

const char *
tr(enum i18n_msg m)
{
	if (m >= M_COUNT || msgs[m][i18n_lang()] == NULL)
		return "?";
	return msgs[m][i18n_lang()];
}
