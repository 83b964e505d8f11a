#!/usr/bin/env bash
# End to end: a year of case stages written by hand as the police's, the
# public prosecutor's and the judiciary's case systems export them, next
# to the police's identifications, and the prosecution, funnel, durations,
# timeliness and prosecution indicators EVENTS.md and INDICATORS.md say
# they must give, for the year, its semesters and its quarters, cell by
# cell against the figures worked out by hand below. The case numbers are
# retyped at court (lower case, spaces at the ends: the same case; spaces
# or slashes for dashes: another case), a case's later stage arrives
# before its complaint, a complaint is recorded by two institutions, a
# stage twice, corrections change a stage, a case number and the
# victims, a complaint is withdrawn, and each institution sends a stage
# its registry does not grant. Then the prosecutor withdraws a complaint
# and an accusation and the court corrects a retyped number, and convicts
# under article 129-Ñ. An institution's own funnel (query and report)
# says it counts its own records only; a report of case stages and no
# identification says nothing of every count being 0. A dry run of the
# lines such exports get wrong names the line, the field and the reason.
. "$(dirname "$0")/lib.sh"

net_init
cat >"$N/indicators.conf" <<'EOF'
[indicator prosecution-formalized]
name = Complaints that reach a formalized investigation (%)
level = outcome
component = prosecution
key = yes
value = 100 * funnel.cases[stage=formalized_investigation]
  / funnel.cases[stage=complaint]
unit = percent
direction = increase
baseline = 2024: 35
target = 2026H2: 50
frequency = semester
basis = a test's

[indicator prosecution-days-to-accusation]
name = Days from complaint to accusation
level = outcome
component = prosecution
key = yes
value = durations.median_days[from_stage=complaint,
  to_stage=preliminary_investigation]
  + durations.median_days[from_stage=preliminary_investigation,
  to_stage=formalized_investigation]
  + durations.median_days[from_stage=formalized_investigation,
  to_stage=accusation]
unit = days
direction = decrease
baseline = 2024: 400
target = 2026H2: 300
frequency = semester
basis = a test's

[indicator prosecution-convictions]
name = Persons convicted
level = outcome
component = prosecution
key = yes
value = prosecution.persons[stage=conviction]
unit = count
direction = increase
baseline = 2024: 100
target = 2026: 130
frequency = year
basis = a test's
EOF
echo "indicators = $N/indicators.conf" >>"$N/consolidator.conf"
start_all

V_A='{"document":{"type":"DNI","number":"45678912"},"given_names":"María Rosa","surnames":"Ñahui Quispe","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_A2='{"document":{"type":"DNI","number":"4567 8912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_B='{"document":{"type":"DNI","number":"70112233"},"given_names":"Luz","surnames":"Mamani Condori","birth_date":"2010-07-21","sex":"F","nationality":"PE"}'
V_C='{"document":{"type":"CE","number":"VE-001234"},"given_names":"Yusbelis","surnames":"Pérez Rojas","birth_date":"2009-01-30","sex":"F","nationality":"VE"}'
V_D='{"given_names":"José Luis","surnames":"Huamán Ccori","birth_date":"2012-11-02","sex":"M","nationality":"PE"}'
V_U='{"age":15,"sex":"F","nationality":"PE"}'

# The cases, as they stand once the three files are in (earliest live
# event of each stage: date, persons; r region):
#   FPE-2025-0101 complaint 02-08 3 (mp; pnp's 02-10 2 is later), prelim
#     03-01 3, formalized 07-15 2, accusation 10-01 2 (all r15, mp),
#     trial 11-20 2 (pj, "fpe-2025-0101", sent twice), conviction
#     2026-01-15 1 (pj, "Fpe-2025-0101 ")
#   FPE-2025-0102 complaint 03-05 1 (pnp, "fpe-2025-0102"), prelim 04-03
#     2 (mp, corrected from 04-01 1), dismissal 06-30 1 (" FPE-2025-0102 ")
#   FPE-2025-0103 complaint 05-20 0 (pnp, r16; its trial is refused: pnp
#     may not emit it), acquittal 12-15 0 (pj, "fpe-2025-0103")
#   FPE/2025/0103 acquittal 12-10 1 (pj, r16): another case
#   FPE-2025-0104 complaint 07-01 4 (mp, r17, sent after its
#     formalization), formalized 08-01 4 (08-05 5 later); its conviction
#     is refused: mp may not emit it
#   FPE 2025 0104 trial 12-01 4 (pj, r17): another case
#   FPE-2025-0105 complaint 09-10 1 (corrected from FPE-2025-0199),
#     formalized 09-25 1 (corrected from a prelim of 09-20)
#   FPE-2025-0106 complaint withdrawn
#   FPE-2025-0107 complaint 11-05 100000 (corrected from 0 and one victim)
cat >"$T/pnp.jsonl" <<EOF
{"kind":"identification","ref":"PNP-ID-1","date":"2025-02-07","region":"15","victim":$V_A,"exploitation":["sexual"]}
{"kind":"identification","ref":"PNP-ID-2","date":"2025-03-04","region":"15","victim":$V_B,"exploitation":["labour"]}
{"kind":"case_stage","ref":"PNP-CS-1","date":"2025-02-10","region":"15","case_number":"FPE-2025-0101","stage":"complaint","victims":[$V_A],"persons":2,"article":"129-A"}
{"kind":"case_stage","ref":"PNP-CS-2","date":"2025-03-05","region":"15","case_number":"fpe-2025-0102","stage":"complaint","victims":[$V_B,$V_C],"persons":1,"article":"153"}
{"kind":"case_stage","ref":"PNP-CS-3","date":"2025-05-20","region":"16","case_number":"FPE-2025-0103","stage":"complaint","victims":[$V_A2],"persons":0,"article":"153-A"}
{"kind":"case_stage","ref":"PNP-CS-4","date":"2025-05-21","region":"16","case_number":"FPE-2025-0103","stage":"trial","victims":[],"persons":1,"article":"153-A"}
EOF
cat >"$T/mp.jsonl" <<EOF
{"kind":"case_stage","ref":"MP-CS-1","date":"2025-02-08","region":"15","case_number":"FPE-2025-0101","stage":"complaint","victims":[$V_A],"persons":3,"article":"129-A"}
{"kind":"case_stage","ref":"MP-CS-2","date":"2025-03-01","region":"15","case_number":"FPE-2025-0101","stage":"preliminary_investigation","victims":[],"persons":3,"article":"129A"}
{"kind":"case_stage","ref":"MP-CS-3","date":"2025-07-15","region":"15","case_number":"FPE-2025-0101","stage":"formalized_investigation","victims":[],"persons":2,"article":"129-a"}
{"kind":"case_stage","ref":"MP-CS-4","date":"2025-10-01","region":"15","case_number":"FPE-2025-0101","stage":"accusation","victims":[$V_A],"persons":2,"article":"Art. 129-A"}
{"kind":"case_stage","ref":"MP-CS-5","date":"2025-04-01","region":"15","case_number":"FPE-2025-0102","stage":"preliminary_investigation","victims":[],"persons":1,"article":"153"}
{"kind":"case_stage","ref":"MP-CS-6","date":"2025-06-30","region":"15","case_number":" FPE-2025-0102 ","stage":"dismissal","victims":[],"persons":1,"article":"153"}
{"kind":"case_stage","ref":"MP-CS-7","date":"2025-08-01","region":"17","case_number":"FPE-2025-0104","stage":"formalized_investigation","victims":[],"persons":4,"article":"153-B"}
{"kind":"case_stage","ref":"MP-CS-8","date":"2025-07-01","region":"17","case_number":"FPE-2025-0104","stage":"complaint","victims":[$V_D,$V_U,$V_A],"persons":4,"article":"153 B"}
{"kind":"case_stage","ref":"MP-CS-9","date":"2025-08-05","region":"17","case_number":"FPE-2025-0104","stage":"formalized_investigation","victims":[],"persons":5,"article":"153-B"}
{"kind":"case_stage","ref":"MP-CS-10","date":"2025-09-01","region":"17","case_number":"FPE-2025-0104","stage":"conviction","victims":[],"persons":5,"article":"153-B"}
{"kind":"correction","ref":"MP-CO-1","target_ref":"MP-CS-5","record":{"kind":"case_stage","date":"2025-04-03","region":"15","case_number":"FPE-2025-0102","stage":"preliminary_investigation","victims":[],"persons":2,"article":"153"}}
{"kind":"case_stage","ref":"MP-CS-11","date":"2025-09-10","region":"15","case_number":"FPE-2025-0199","stage":"complaint","victims":[$V_C],"persons":1,"article":"153-A"}
{"kind":"correction","ref":"MP-CO-2","target_ref":"MP-CS-11","record":{"kind":"case_stage","date":"2025-09-10","region":"15","case_number":"FPE-2025-0105","stage":"complaint","victims":[$V_C],"persons":1,"article":"153-A"}}
{"kind":"case_stage","ref":"MP-CS-12","date":"2025-09-20","region":"15","case_number":"FPE-2025-0105","stage":"preliminary_investigation","victims":[],"persons":1,"article":"153-A"}
{"kind":"correction","ref":"MP-CO-3","target_ref":"MP-CS-12","record":{"kind":"case_stage","date":"2025-09-25","region":"15","case_number":"FPE-2025-0105","stage":"formalized_investigation","victims":[],"persons":1,"article":"153-A"}}
{"kind":"case_stage","ref":"MP-CS-13","date":"2025-11-01","region":"15","case_number":"FPE-2025-0106","stage":"complaint","victims":[$V_B],"persons":1,"article":"129-B"}
{"kind":"withdrawal","ref":"MP-WD-1","target_ref":"MP-CS-13"}
{"kind":"case_stage","ref":"MP-CS-14","date":"2025-11-05","region":"15","case_number":"FPE-2025-0107","stage":"complaint","victims":[$V_B],"persons":0,"article":"129-b"}
{"kind":"correction","ref":"MP-CO-4","target_ref":"MP-CS-14","record":{"kind":"case_stage","date":"2025-11-05","region":"15","case_number":"FPE-2025-0107","stage":"complaint","victims":[$V_C,$V_B],"persons":100000,"article":"129-B"}}
EOF
cat >"$T/pj.jsonl" <<EOF
{"kind":"case_stage","ref":"PJ-CS-1","date":"2025-11-20","region":"15","case_number":"fpe-2025-0101","stage":"trial","victims":[],"persons":2,"article":"129-A"}
{"kind":"case_stage","ref":"PJ-CS-2","date":"2026-01-15","region":"15","case_number":"Fpe-2025-0101 ","stage":"conviction","victims":[$V_A],"persons":1,"article":"129-A"}
{"kind":"case_stage","ref":"PJ-CS-3","date":"2025-12-01","region":"17","case_number":"FPE 2025 0104","stage":"trial","victims":[],"persons":4,"article":"153-B"}
{"kind":"case_stage","ref":"PJ-CS-4","date":"2025-12-10","region":"16","case_number":"FPE/2025/0103","stage":"acquittal","victims":[],"persons":1,"article":"153-A"}
{"kind":"case_stage","ref":"PJ-CS-5","date":"2025-12-15","region":"16","case_number":"fpe-2025-0103","stage":"acquittal","victims":[],"persons":0,"article":"153-a"}
{"kind":"case_stage","ref":"PJ-CS-6","date":"2025-11-25","region":"15","case_number":"FPE-2025-0105","stage":"accusation","victims":[],"persons":1,"article":"153-A"}
{"kind":"case_stage","ref":"PJ-CS-1","date":"2025-11-20","region":"15","case_number":"FPE-2025-0101","stage":"trial","victims":[],"persons":2,"article":"129-A"}
EOF

# tables WHO PERIOD [OPTION...]: the rows of prosecution, funnel and
# durations in WHO's view, without the header and the period, joined by
# spaces, one table a line.
tables() {
	local who=$1 p=$2 t
	shift 2
	for t in prosecution funnel durations; do
		"$KUSKA" query -c "$N/$who.conf" "$t" --period "$p" \
			--format csv "$@" 2>/dev/null | tail -n +2 |
			cut -d, -f2- | paste -sd' '
	done
}
# rows WHO TABLE PERIOD: TABLE's CSV rows without the header.
rows() {
	"$KUSKA" query -c "$N/$1.conf" "$2" --period "$3" --format csv \
		2>/dev/null | tail -n +2
}

submit_in_t pnp pnp.jsonl
submit_in_t mp mp.jsonl
submit_in_t pj pj.jsonl
is "pnp: a trial refused, the rest taken" \
	"$(grep -v 'warning: 1 line\|if it is pnp' "$T/submit-pnp.out")" \
	"pnp.jsonl:6: refused: stage: pnp may not emit case stage trial
pnp.jsonl: 5 accepted, 0 already held, 1 refused, 0 with unlinkable victims"
is "mp: a conviction refused, a victim unlinkable, the second formalization of 0104 warned of" \
	"$(grep -v 'warning: 1 line\|if it is mp' "$T/submit-mp.out")" \
	"mp.jsonl:8: warning: 1 victim(s) cannot be linked (no document, and no full name with birth date): counted for this institution only
mp.jsonl:9: warning: case stage formalized_investigation already held for this case (ref MP-CS-7 seq 7): a second record counts for nothing; to change the first send a correction with target_ref MP-CS-7
mp.jsonl:10: refused: stage: mp may not emit case stage conviction
mp.jsonl: 18 accepted, 0 already held, 1 refused, 1 with unlinkable victims
mp.jsonl: 1 line with a case stage warning (a stage the case has already, or dated out of order)"
is "pj: an accusation refused, the trial retyped in capitals already held" \
	"$(grep -v 'warning: 1 line\|if it is pj' "$T/submit-pj.out")" \
	"pj.jsonl:6: refused: stage: pj may not emit case stage accusation
pj.jsonl: 5 accepted, 1 already held, 1 refused, 0 with unlinkable victims"
check "delivered" wait_delivered 120

# 2025: complaints 0101 0102 0103 0104 0105 0107, persons 3+1+0+4+1+
# 100000; prelims 0101 (3) 0102 (2); formalized 0101 (2) 0104 (4) 0105
# (1); accusation 0101; trials 0101 (2) and "FPE 2025 0104" (4); the
# conviction is 2026's; acquittals 0103 (0) and FPE/2025/0103 (1);
# dismissal 0102. Funnel: of the 6 complaints 4 reached the prelim (0101,
# 0102; 0104 and 0105 by their formalization), 3 the formalization, 1
# (0101) the accusation, the trial and, in 2026, the conviction; 0103
# acquitted, 0102 dismissed. Durations: 0101 21 days to its prelim and
# 0102 29 (the lower middle, 21), 0101 136 to formalization, 78 to
# accusation, 50 to trial.
is "2025: the hand-worked figures" "$(tables analyst 2025)" \
	"complaint,6,100009 preliminary_investigation,2,5 formalized_investigation,3,7 accusation,1,2 trial,2,6 conviction,0,0 acquittal,2,1 dismissal,1,1
complaint,6, preliminary_investigation,4,0.333 formalized_investigation,3,0.250 accusation,1,0.667 trial,1,0.000 conviction,1,0.000 acquittal,1, dismissal,1,
complaint,preliminary_investigation,21 preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation,78 accusation,trial,50 trial,conviction,"
# H1: complaints 0101 (3) 0102 (1) 0103 (0); 0102's dismissal.
is "2025H1" "$(tables analyst 2025H1)" \
	"complaint,3,4 preliminary_investigation,2,5 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,0,0 acquittal,0,0 dismissal,1,1
complaint,3, preliminary_investigation,2,0.333 formalized_investigation,1,0.500 accusation,1,0.000 trial,1,0.000 conviction,1,0.000 acquittal,1, dismissal,1,
complaint,preliminary_investigation,21 preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
# H2: complaints 0104 (4) 0105 (1) 0107 (100000), none accused yet.
is "2025H2" "$(tables analyst 2025H2)" \
	"complaint,3,100005 preliminary_investigation,0,0 formalized_investigation,3,7 accusation,1,2 trial,2,6 conviction,0,0 acquittal,2,1 dismissal,0,0
complaint,3, preliminary_investigation,2,0.333 formalized_investigation,2,0.000 accusation,0,1.000 trial,0, conviction,0, acquittal,0, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation,78 accusation,trial,50 trial,conviction,"
# Q1: complaints 0101 0102; only 0101's prelim is in Q1 (0102's after
# its correction is 04-03).
is "2025Q1" "$(tables analyst 2025Q1)" \
	"complaint,2,4 preliminary_investigation,1,3 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,0,0 acquittal,0,0 dismissal,0,0
complaint,2, preliminary_investigation,2,0.000 formalized_investigation,1,0.500 accusation,1,0.000 trial,1,0.000 conviction,1,0.000 acquittal,0, dismissal,1,
complaint,preliminary_investigation,21 preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
# Q2: 0103's complaint (its acquittal is no main-line stage).
is "2025Q2" "$(tables analyst 2025Q2)" \
	"complaint,1,0 preliminary_investigation,1,2 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,0,0 acquittal,0,0 dismissal,1,1
complaint,1, preliminary_investigation,0,1.000 formalized_investigation,0, accusation,0, trial,0, conviction,0, acquittal,1, dismissal,0,
complaint,preliminary_investigation,29 preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "2025Q3" "$(tables analyst 2025Q3)" \
	"complaint,2,5 preliminary_investigation,0,0 formalized_investigation,3,7 accusation,0,0 trial,0,0 conviction,0,0 acquittal,0,0 dismissal,0,0
complaint,2, preliminary_investigation,2,0.000 formalized_investigation,2,0.000 accusation,0,1.000 trial,0, conviction,0, acquittal,0, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "2025Q4" "$(tables analyst 2025Q4)" \
	"complaint,1,100000 preliminary_investigation,0,0 formalized_investigation,0,0 accusation,1,2 trial,2,6 conviction,0,0 acquittal,2,1 dismissal,0,0
complaint,1, preliminary_investigation,0,1.000 formalized_investigation,0, accusation,0, trial,0, conviction,0, acquittal,0, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation, formalized_investigation,accusation,78 accusation,trial,50 trial,conviction,"
# 2026: 0101's conviction, 56 days after its trial.
is "2026" "$(tables analyst 2026)" \
	"complaint,0,0 preliminary_investigation,0,0 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,1,1 acquittal,0,0 dismissal,0,0
complaint,0, preliminary_investigation,0, formalized_investigation,0, accusation,0, trial,0, conviction,0, acquittal,0, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,56"
# By region: a stage where its earliest event is, a funnel where its
# complaint is, a duration where its later stage is. Lima (15): 0101
# 0102 0105 0107; Madre de Dios (17): 0104 and "FPE 2025 0104".
is "2025 in Lima" "$(tables analyst 2025 --region 15)" \
	"complaint,4,100005 preliminary_investigation,2,5 formalized_investigation,2,3 accusation,1,2 trial,1,2 conviction,0,0 acquittal,0,0 dismissal,1,1
complaint,4, preliminary_investigation,3,0.250 formalized_investigation,2,0.333 accusation,1,0.500 trial,1,0.000 conviction,1,0.000 acquittal,0, dismissal,1,
complaint,preliminary_investigation,21 preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation,78 accusation,trial,50 trial,conviction,"
is "2025 in Madre de Dios" "$(tables analyst 2025 --region 17)" \
	"complaint,1,4 preliminary_investigation,0,0 formalized_investigation,1,4 accusation,0,0 trial,1,4 conviction,0,0 acquittal,0,0 dismissal,0,0
complaint,1, preliminary_investigation,1,0.000 formalized_investigation,1,0.000 accusation,0,1.000 trial,0, conviction,0, acquittal,0, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
# An institution's own view: its own events, the stages it may record.
# mp: complaints 0101 (3) 0104 0105 0107 (0102's is the police's).
is "mp's own view" "$(tables mp-stats 2025)" \
	"complaint,4,100008 preliminary_investigation,2,5 formalized_investigation,3,7 accusation,1,2 trial,, conviction,, acquittal,, dismissal,1,1
complaint,4, preliminary_investigation,3,0.250 formalized_investigation,3,0.000 accusation,1,0.667 trial,, conviction,, acquittal,, dismissal,0,
complaint,preliminary_investigation,21 preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation,78 accusation,trial, trial,conviction,"
is "pj's own view: no complaint, no funnel" "$(tables pj-stats 2025)" \
	"complaint,, preliminary_investigation,, formalized_investigation,, accusation,, trial,2,6 conviction,0,0 acquittal,2,1 dismissal,0,0
complaint,, preliminary_investigation,, formalized_investigation,, accusation,, trial,, conviction,, acquittal,, dismissal,,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "pnp's own view: its complaints 0101 (2) 0102 (1) 0103 (0)" \
	"$(tables pnp-stats 2025 | head -1)" \
	"complaint,3,3 preliminary_investigation,0,0 formalized_investigation,, accusation,, trial,, conviction,, acquittal,, dismissal,,"

# The police's funnel reads 1.000 attrition into the prelims that the
# prosecutor recorded, and the court's is empty: a note says why.
"$KUSKA" query -c "$N/pnp-stats.conf" funnel --period 2025 >/dev/null \
	2>"$T/pnp-funnel.err"
check "pnp's funnel: a note that a stage counts by its own records only" \
	grep -q "^kuska query: note: over your institution's own events a case reaches a stage by its own records only" \
	"$T/pnp-funnel.err"
"$KUSKA" query -c "$N/pj-stats.conf" funnel --period 2025 >/dev/null \
	2>"$T/pj-funnel.err"
check "pj's funnel: a note that it records no complaint" \
	grep -q "^kuska query: note: your institution records no complaint" \
	"$T/pj-funnel.err"
"$KUSKA" query -c "$N/analyst.conf" funnel --period 2025 >/dev/null \
	2>"$T/analyst-funnel.err"
# Nor a note of its own: only the court's two cases no complaint names
# ("FPE 2025 0104"'s trial, "FPE/2025/0103"'s acquittal).
is "the analyst's funnel: only the note of the cases no complaint names" \
	"$(cat "$T/analyst-funnel.err")" \
	"kuska query: note: cases no complaint names (pj 2, by the institution of their earliest stage) count in the prosecution's stages and in no funnel: a court stage under a case number written otherwise is one, and so is a prosecutor's stage whose complaint the police sent under another number; compare each institution's numbers with those of the one before it (the court's with the prosecutor's, the prosecutor's with the police's); kuska query cases_unmatched --period 2025 counts them per institution"

"$KUSKA" report -c "$N/pnp-stats.conf" --period 2025 --lang en \
	-o "$T/pnp.html" 2>/dev/null
check "pnp's report: the funnel says a stage counts by its own records" \
	grep -q "A case reaches a stage by PNP&#39;s own records only" "$T/pnp.html"
"$KUSKA" report -c "$N/analyst.conf" --period 2025 --lang en \
	-o "$T/analyst.html" 2>/dev/null
check "the analyst's report: no such note" \
	sh -c "test -s '$T/analyst.html' && ! grep -q 'reaches a stage by' '$T/analyst.html'"

# Timeliness counts every live record once: mp's 14 stages less the
# withdrawn one and the refused one, the corrected at their new dates.
is "timeliness 2025: records" \
	"$(rows analyst timeliness 2025 | cut -d, -f2,3)" \
	"pnp,5
mp,12
pj,4
mimp,0
minsa,0
all,21"
is "timeliness 2025H1: records" \
	"$(rows analyst timeliness 2025H1 | cut -d, -f2,3 | paste -sd' ')" \
	"pnp,5 mp,4 pj,0 mimp,0 minsa,0 all,9"
is "timeliness 2025Q4: records" \
	"$(rows analyst timeliness 2025Q4 | cut -d, -f2,3 | paste -sd' ')" \
	"pnp,0 mp,2 pj,4 mimp,0 minsa,0 all,6"
is "identification: case victims are not identifications" \
	"$(rows analyst identification 2025 | paste -sd' ')" \
	'"2025",pnp,2 "2025",mp,0 "2025",pj,0 "2025",mimp,0 "2025",minsa,0 "2025",all,2'

# Indicators: formalized 100*3/6 = 50 (the target: achieved), H1 100*1/3
# (below the baseline 35), H2 100*2/3; days 21+136+78 = 235, none in a
# semester lacking a median; convictions 0 in 2025, 1 in 2026.
is "indicators 2025" \
	"$(rows analyst indicators 2025 | cut -d, -f2,8-)" \
	"\"prosecution-formalized\",50,35,50,\"2026H2\",1.000,achieved
\"prosecution-days-to-accusation\",235,400,300,\"2026H2\",1.650,achieved
\"prosecution-convictions\",0,100,130,\"2026\",-3.333,deteriorating"
is "indicators 2025H1" \
	"$(rows analyst indicators 2025H1 | cut -d, -f2,8- | head -2)" \
	"\"prosecution-formalized\",33.33,35,50,\"2026H2\",-0.111,deteriorating
\"prosecution-days-to-accusation\",,400,300,\"2026H2\",,no_data"
is "indicators 2025H2" \
	"$(rows analyst indicators 2025H2 | cut -d, -f2,8- | head -2)" \
	"\"prosecution-formalized\",66.67,35,50,\"2026H2\",2.111,achieved
\"prosecution-days-to-accusation\",,400,300,\"2026H2\",,no_data"
is "indicators 2026" \
	"$(rows analyst indicators 2026 | cut -d, -f2,8-)" \
	"\"prosecution-formalized\",,35,50,\"2026H2\",,no_data
\"prosecution-days-to-accusation\",,400,300,\"2026H2\",,no_data
\"prosecution-convictions\",1,100,130,\"2026\",-3.300,deteriorating"

# A report of a year of case stages, in the prosecutor's own view (no
# identification of its own) and the analyst's 2026 (a conviction, no
# identification): no note that every count is 0.
"$KUSKA" report -c "$N/mp-stats.conf" --period 2025 -o "$T/mp.html" \
	2>"$T/report-mp.err"
check "mp's report: written" test -s "$T/mp.html"
check "mp's report: no note that every count is 0" \
	sh -c "! grep -q 'every count is 0' '$T/report-mp.err'"
"$KUSKA" report -c "$N/analyst.conf" --period 2026 -o "$T/2026.html" \
	2>"$T/report-2026.err"
check "2026's report: written" test -s "$T/2026.html"
check "2026's report: no note that every count is 0" \
	sh -c "! grep -q 'every count is 0' '$T/report-2026.err'"
# Madre de Dios (17) holds mp's case stages and no identification: its
# report is not said empty, whether judged on its records of every kind
# (the analyst's) or not judged (the secretariat gets no timeliness by
# region); a query of its identifications is all 0, and the note says
# of which region, pointing to the whole country's records.
for who in analyst secretariat; do
	"$KUSKA" report -c "$N/$who.conf" --period 2025 --region 17 \
		-o "$T/$who-17.html" 2>"$T/report-$who-17.err"
	check "$who's report of region 17: written" test -s "$T/$who-17.html"
	check "$who's report of region 17: no note that every count is 0" \
		sh -c "! grep -q 'every count is 0' '$T/report-$who-17.err'"
done
"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
	--region 17 >/dev/null 2>"$T/query-17.err"
check "identification of region 17: the note names the region" grep -q \
	"^kuska query: note: every count is 0 in region 17; .* kuska query timeliness --period 2025 counts them by institution, for the whole country " \
	"$T/query-17.err"
# An institution's regional report: its estimate section says once that
# the figures are not in its view (the SDG figure, closed too, not again).
"$KUSKA" report -c "$N/mp-stats.conf" --period 2025 --region 17 --lang en \
	-o "$T/mp-17.html" 2>/dev/null
check "mp's report of region 17: written" test -s "$T/mp-17.html"
is "mp's report of region 17: the estimate section's one closed note" \
	"$(python3 -c "import re, sys
page = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'<section[^>]*id=\"estimate\".*?</section>', page, re.S)
print(m.group(0).count('No figures in this view') if m else 'no section')" \
		"$T/mp-17.html")" "1"
"$KUSKA" report -c "$N/analyst.conf" --period 2024 -o "$T/2024.html" \
	2>"$T/report-2024.err"
check "2024's report, of no record: the note" \
	grep -q '^kuska report: note: every count is 0' "$T/report-2024.err"

# The prosecutor withdraws its complaint and accusation of 0101: the
# police's complaint of 02-10 (2 persons) counts, 19 days before the
# prelim; 0101 still reaches the accusation by its trial. The court
# corrects its retyped number: 0104 reaches accusation and trial.
cat >"$T/mp2.jsonl" <<EOF
{"kind":"withdrawal","ref":"MP-WD-2","target_ref":"MP-CS-1"}
{"kind":"withdrawal","ref":"MP-WD-3","target_ref":"MP-CS-4"}
EOF
cat >"$T/pj2.jsonl" <<EOF
{"kind":"correction","ref":"PJ-CO-1","target_ref":"PJ-CS-3","record":{"kind":"case_stage","date":"2025-12-01","region":"17","case_number":"FPE-2025-0104","stage":"trial","victims":[],"persons":4,"article":"153-B"}}
EOF
submit_in_t mp mp2.jsonl
check "mp's withdrawals accepted" submitted_ok mp
submit_in_t pj pj2.jsonl
check "pj's correction accepted" submitted_ok pj
check "delivered" wait_delivered 120
is "2025 after: earliest live complaint, reach by a later stage" \
	"$(tables analyst 2025)" \
	"complaint,6,100008 preliminary_investigation,2,5 formalized_investigation,3,7 accusation,0,0 trial,2,6 conviction,0,0 acquittal,2,1 dismissal,1,1
complaint,6, preliminary_investigation,4,0.333 formalized_investigation,3,0.250 accusation,2,0.333 trial,2,0.000 conviction,1,0.500 acquittal,1, dismissal,1,
complaint,preliminary_investigation,19 preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "2025H2 after" "$(tables analyst 2025H2 | sed -n 2p)" \
	"complaint,3, preliminary_investigation,2,0.333 formalized_investigation,2,0.000 accusation,1,0.500 trial,1,0.000 conviction,0,1.000 acquittal,0, dismissal,0,"
is "2025Q1 after" "$(tables analyst 2025Q1 | sed -n '1p;3p')" \
	"complaint,2,3 preliminary_investigation,1,3 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,0,0 acquittal,0,0 dismissal,0,0
complaint,preliminary_investigation,19 preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "mp's own view after" "$(tables mp-stats 2025)" \
	"complaint,3,100005 preliminary_investigation,2,5 formalized_investigation,3,7 accusation,0,0 trial,, conviction,, acquittal,, dismissal,1,1
complaint,3, preliminary_investigation,2,0.333 formalized_investigation,2,0.000 accusation,0,1.000 trial,, conviction,, acquittal,, dismissal,0,
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation,136 formalized_investigation,accusation, accusation,trial, trial,conviction,"
is "indicators 2025 after: no median to accusation, no value" \
	"$(rows analyst indicators 2025 | cut -d, -f2,8- | sed -n 2p)" \
	"\"prosecution-days-to-accusation\",,400,300,\"2026H2\",,no_data"
is "timeliness 2025 after: mp's two withdrawn" \
	"$(rows analyst timeliness 2025 | cut -d, -f2,3 | paste -sd' ')" \
	"pnp,5 mp,10 pj,4 mimp,0 minsa,0 all,19"

# The court convicts in 0104 under article 129-Ñ (slavery), typed with a
# small ñ and a space: taken, and counted by the consolidator. 2026:
# convictions of 0101 (1) and 0104 (4), 56 and 63 days after the trials.
cat >"$T/pj3.jsonl" <<EOF
{"kind":"case_stage","ref":"PJ-CS-7","date":"2026-02-02","region":"17","case_number":"FPE-2025-0104","stage":"conviction","victims":[],"persons":4,"article":"129 ñ"}
EOF
submit_in_t pj pj3.jsonl
check "pj: article 129-Ñ accepted" submitted_ok pj
check "delivered" wait_delivered 120
is "2026: a conviction under 129-Ñ counts" \
	"$(tables analyst 2026 | sed -n '1p;3p')" \
	"complaint,0,0 preliminary_investigation,0,0 formalized_investigation,0,0 accusation,0,0 trial,0,0 conviction,2,5 acquittal,0,0 dismissal,0,0
complaint,preliminary_investigation, preliminary_investigation,formalized_investigation, formalized_investigation,accusation, accusation,trial, trial,conviction,56"
is "2025's funnel: both tried cases convicted" \
	"$(tables analyst 2025 | sed -n 2p | cut -d' ' -f5-6)" \
	"trial,2,0.000 conviction,2,0.000"

# What a prosecutor's or court's export gets wrong, in a dry run.
V='{"age":15,"sex":"F","nationality":"PE"}'
H='"kind":"case_stage","date":"2025-05-01","region":"15"'
cat >"$T/bad.jsonl" <<EOF
{$H,"ref":"B1","stage":"complaint","victims":[$V],"persons":1,"article":"153"}
{$H,"ref":"B2","case_number":101,"stage":"complaint","victims":[$V],"persons":1,"article":"153"}
{$H,"ref":"B3","case_number":"  ","stage":"complaint","victims":[$V],"persons":1,"article":"153"}
{$H,"ref":"B4","case_number":"N° 101","stage":"complaint","victims":[$V],"persons":1,"article":"153"}
{$H,"ref":"B5","case_number":"X1","stage":"Complaint","victims":[$V],"persons":1,"article":"153"}
{$H,"ref":"B6","case_number":"X1","stage":"complaint","victims":[],"persons":1,"article":"153"}
{$H,"ref":"B7","case_number":"X1","stage":"complaint","victims":[$V,{"age":3,"nationality":"PE"}],"persons":1,"article":"153"}
{$H,"ref":"B8","case_number":"X1","stage":"complaint","victims":[$V],"persons":"2","article":"153"}
{$H,"ref":"B9","case_number":"X1","stage":"complaint","victims":[$V],"persons":100001,"article":"153"}
{$H,"ref":"B10","case_number":"X1","stage":"complaint","victims":[$V],"persons":1,"article":"129-ABC"}
{$H,"ref":"B11","case_number":"X1","stage":"complaint","victim":$V,"persons":1,"article":"153"}
{$H,"ref":"B12","case_number":"X1","stage":"conviction","victims":[],"persons":1,"article":"153"}
{"kind":"correction","ref":"B13","target_ref":"MP-CS-2","record":{$H,"case_number":"X1","stage":"conviction","victims":[],"persons":1,"article":"153"}}
{"kind":"correction","ref":"B14","target_ref":"MP-CS-8","record":{$H,"case_number":"X1","stage":"complaint","victims":[],"persons":1,"article":"153"}}
{"kind":"withdrawal","ref":"B15","target_ref":"MP-CS-13"}
{"kind":"correction","ref":"B16","target_ref":"PNP-CS-1","record":{$H,"case_number":"X1","stage":"complaint","victims":[$V],"persons":1,"article":"153"}}
EOF
submit_in_t mp bad.jsonl -n
is "dry run: each line's field and reason" \
	"$(grep ': refused: ' "$T/submit-mp.out")" \
	"bad.jsonl:1: refused: case_number: required
bad.jsonl:2: refused: case_number: must be a string in quotes written as on the document
bad.jsonl:3: refused: case_number: is empty: write the number as the document shows it (not only spaces)
bad.jsonl:4: refused: case_number: must be printable ASCII: character 2 is the sign of numero after an N: write the number alone without the N and its sign
bad.jsonl:5: refused: stage: must be one of the case stages mp may emit: complaint, preliminary_investigation, formalized_investigation, accusation, dismissal (in lower case)
bad.jsonl:6: refused: victims: a complaint names at least one victim
bad.jsonl:7: refused: victims[1].sex: required
bad.jsonl:8: refused: persons: must be a whole number written without quotes
bad.jsonl:9: refused: persons: must be from 0 to 100000
bad.jsonl:10: refused: article: must be an article number: 1 to 3 digits then perhaps one or two letters (153 or 129-A or Art. 153-B); nothing else: no name or document number
bad.jsonl:11: refused: victim: not a field of a case_stage record
bad.jsonl:12: refused: stage: mp may not emit case stage conviction
bad.jsonl:13: refused: record.stage: mp may not emit case stage conviction
bad.jsonl:14: refused: record.victims: a complaint names at least one victim
bad.jsonl:15: refused: target_ref: that record was withdrawn by seq 16 (its ref withheld)
bad.jsonl:16: refused: target_ref: no earlier record of mp has this ref: name a record mp sent by its own ref"
# Its conviction lines are left out, not corrected: the court records
# them; the other refused lines are corrected.
check "dry run: says what to do" grep -qF \
	"bad.jsonl: if it is mp's own export, leave out the 2 lines of what mp may not emit (another institution records them), correct the other refused lines and submit the file again" \
	"$T/submit-mp.out"
finish
