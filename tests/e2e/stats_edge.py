#!/usr/bin/env python3
"""Writes DIR/{pnp,mp,pj,mimp,minsa}.jsonl: a few dozen hand-made records,
all dated in 2023 (before anything `kuska sim` writes), that exercise the
corners of EVENTS.md "Statistics" the synthetic data rarely reaches: ties,
corrections that move a record to another period or region or victim,
withdrawals, unlinkable victims, an institution identifying only unlinkable
victims, take-ups by the wrong institution, a take-up dated before its
referral, a repeated referral number, a service before the identification,
skipped stages, an acquittal without a trial, stages dated out of order (a
later stage dated before an earlier one, in another region); victims linked through
alternating keys, across institutions and through a case's victims list, two
children under one name (an ambiguous name key), a victim split by a
withdrawal and two joined by a correction, a referral number sent to two
destinations, placeholder document numbers (99999999, 12345678) that join
no one. With --today, a few records dated from that day back to 400
days before it, for the timeliness table's 30-day line. test_stats.sh submits
them after the synthetic files and compares every table with reference.py.

    stats_edge.py DIR [--today YYYY-MM-DD]
"""
import datetime
import json
import os
import sys

OUT = {i: [] for i in ("pnp", "mp", "pj", "mimp", "minsa")}
SEQ = {i: 0 for i in OUT}


def v(doc=None, g=None, s=None, bd=None, age=None, sex="F", nat="PE"):
    o = {}
    if doc:
        o["document"] = {"type": doc[0], "number": doc[1]}
    if g:
        o["given_names"] = g
    if s:
        o["surnames"] = s
    if bd:
        o["birth_date"] = bd
    if age is not None:
        o["age"] = age
    o["sex"] = sex
    o["nationality"] = nat
    return o


def rec(inst, kind, d, region, **body):
    """Appends a record; returns its ref."""
    SEQ[inst] += 1
    ref = "EDGE-%s-%03d" % (inst.upper(), SEQ[inst])
    r = {"kind": kind, "ref": ref, "date": d, "region": region}
    r.update(body)
    OUT[inst].append(r)
    return ref


def body(kind, d, region, **b):
    r = {"kind": kind, "date": d, "region": region}
    r.update(b)
    return r


def correct(inst, target, record):
    SEQ[inst] += 1
    ref = "EDGE-%s-%03d" % (inst.upper(), SEQ[inst])
    OUT[inst].append({"kind": "correction", "ref": ref, "target_ref": target,
                      "record": record})


def withdraw(inst, target):
    SEQ[inst] += 1
    ref = "EDGE-%s-%03d" % (inst.upper(), SEQ[inst])
    OUT[inst].append({"kind": "withdrawal", "ref": ref, "target_ref": target})


def ident(inst, d, region, victim, expl=("sexual",)):
    return rec(inst, "identification", d, region, victim=victim,
               exploitation=list(expl))


def case(inst, d, region, number, stage, persons=1, victims=None):
    return rec(inst, "case_stage", d, region, case_number=number, stage=stage,
               victims=victims if victims is not None else [VA],
               persons=persons, article="129-A")


# --- identifications -------------------------------------------------------
VA = v(("DNI", "11110001"), "Rosa", "Quispe", "2010-06-01")
VA_mimp = v(("DNI", "1111-0001"), "ROSA", "QUISPE", "2010-06-01", nat="VE")
# A: pnp and mimp the same day: attributes are pnp's (tie: institution order).
ident("pnp", "2023-02-10", "15", VA)
ident("mimp", "2023-02-10", "16", VA_mimp, ("labour",))
# B: linked by name across spellings; turns 12 on the day pnp identifies her.
VB = v(None, "María José", "Ñahui-Quispe", "2011-03-15")
ident("pnp", "2023-03-15", "15", VB)
ident("minsa", "2023-05-01", "15",
      v(None, " MARIA  JOSE", "Nahui Quispe", "2011-03-15"), ("labour",))
# C: a CE written two ways links; the same girl by name only is another victim.
ident("pnp", "2023-04-03", "16", v(("CE", "ab-12345"), "Carla", "Ruiz",
                                   "2008-01-01", nat="VE"))
ident("mimp", "2023-04-04", "16", v(("CE", "AB 12345"), "Carla", "Ruiz",
                                    "2008-01-01", nat="VE"))
ident("mp", "2023-04-05", "16", v(None, "Carla", "Ruiz", "2008-01-01", nat="VE"))
# E: minsa's only identification in 2023Q3 in region 16 is unlinkable.
ident("minsa", "2023-08-01", "16", v(age=15, nat="XX"), ("begging",))
ident("pnp", "2023-08-02", "16", v(("DNI", "11110006"), bd="2009-09-09"))
# Two unlinkable records of the same-looking girl (no birth date): two victims.
ident("pnp", "2023-08-03", "15", v(None, "Killa", "Mamani", age=13))
ident("mp", "2023-08-04", "15", v(None, "Killa", "Mamani", age=13))
# G: corrected twice, to another quarter and region; the latest wins.
g = ident("pnp", "2023-03-20", "15", v(("DNI", "11110007"), bd="2012-01-01"))
correct("pnp", g, body("identification", "2023-04-20", "16",
                       victim=v(("DNI", "11110007"), bd="2012-01-01"),
                       exploitation=["sexual"]))
correct("pnp", g, body("identification", "2023-04-25", "16",
                       victim=v(("DNI", "11110007"), bd="2012-01-01", sex="M"),
                       exploitation=["labour", "begging"]))
# H: its only identification is withdrawn: in no table.
h = ident("mp", "2023-06-01", "15", v(("DNI", "11110008"), bd="2001-01-01"))
withdraw("mp", h)
# A correction that changes the victim.
x = ident("mimp", "2023-06-02", "15", v(("DNI", "11110009"), bd="2015-01-01"))
correct("mimp", x, body("identification", "2023-06-02", "15",
                        victim=v(("DNI", "11110010"), bd="2015-02-02",
                                 sex="M", nat="BO"),
                        exploitation=["forced_criminality"]))
# I: twice by pnp on one day: the first in file order gives the attributes.
ident("pnp", "2023-09-09", "15", v(("DNI", "11110011"), age=16))
ident("pnp", "2023-09-09", "16", v(("DNI", "11110011"), age=16, sex="U"),
      ("domestic_servitude",))
# J: birth date and age both given: the birth date decides (17, not 5).
ident("mp", "2023-09-30", "15", v(("DNI", "11110012"), bd="2005-10-01", age=5))
# K: age only; L: born the day before.
ident("mimp", "2023-10-10", "16", v(("PTP", "k-77"), age=5, nat="VE"))
ident("minsa", "2023-01-02", "16", v(("DNI", "11110013"), bd="2023-01-01"))

# --- referrals ---------------------------------------------------------------
rec("pnp", "referral", "2023-02-10", "15", victim=VA, to="mimp",
    purpose="protection", referral_number="EDGE-R1")
# Two take-ups, the later one first in the file: the earliest counts.
rec("mimp", "referral_received", "2023-03-01", "16", victim=VA_mimp,
    **{"from": "pnp"}, referral_number="  edge-r1 ")
rec("mimp", "referral_received", "2023-02-20", "16", victim=VA_mimp,
    **{"from": "pnp"}, referral_number="EDGE-R1")
# The same number from another sender is another referral.
rec("mp", "referral", "2023-02-12", "15", victim=VA, to="mimp",
    purpose="protection", referral_number="EDGE-R1")
rec("mimp", "referral_received", "2023-02-13", "15", victim=VA_mimp,
    **{"from": "mp"}, referral_number="edge-r1")
# Taken up by an institution it was not sent to: pending.
rec("pnp", "referral", "2023-02-11", "15", victim=VB, to="mp",
    purpose="justice", referral_number="EDGE-R2")
rec("minsa", "referral_received", "2023-02-12", "15", victim=VB,
    **{"from": "pnp"}, referral_number="EDGE-R2")
# Taken up the next year.
rec("pnp", "referral", "2023-05-05", "16", victim=VB, to="mp",
    purpose="justice", referral_number="EDGE-R3")
rec("mp", "referral_received", "2024-01-10", "15", victim=VB,
    **{"from": "pnp"}, referral_number="EDGE-R3")
# One number sent twice by the same sender.
rec("mp", "referral", "2023-06-01", "15", victim=VB, to="pj",
    purpose="justice", referral_number="EDGE-R4")
rec("mp", "referral", "2023-07-01", "15", victim=VB, to="pj",
    purpose="justice", referral_number="edge-r4 ")
rec("pj", "referral_received", "2023-07-05", "15", victim=VB,
    **{"from": "mp"}, referral_number="EDGE-R4")
# Take-up dated two days before the sending.
rec("mimp", "referral", "2023-08-10", "16", victim=VA_mimp, to="minsa",
    purpose="health", referral_number="EDGE-R5")
rec("minsa", "referral_received", "2023-08-08", "16", victim=VA,
    **{"from": "mimp"}, referral_number="EDGE-R5")
# Withdrawn referral.
r6 = rec("pnp", "referral", "2023-08-11", "16", victim=VA, to="minsa",
         purpose="health", referral_number="EDGE-R6")
withdraw("pnp", r6)
# A correction that changes the destination.
r7 = rec("pnp", "referral", "2023-10-01", "15", victim=VA, to="mimp",
         purpose="protection", referral_number="EDGE-R7")
correct("pnp", r7, body("referral", "2023-10-01", "15", victim=VA, to="minsa",
                        purpose="health", referral_number="EDGE-R7"))
rec("minsa", "referral_received", "2023-10-03", "15", victim=VA,
    **{"from": "pnp"}, referral_number="edge-r7")
# Take-ups no referral record matches (referrals_unmatched): a referral
# pnp never recorded, taken up twice (counted once, at the earlier take-up's
# quarter and region); a number written otherwise by the destination; a
# take-up of a withdrawn referral; and one whose sender (minsa, submitted
# after mimp) records the referral later, which moves it to taken_up.
rec("mimp", "referral_received", "2023-09-05", "16", victim=VA_mimp,
    **{"from": "pnp"}, referral_number="EDGE-U1")
rec("mimp", "referral_received", "2023-06-30", "15", victim=VA_mimp,
    **{"from": "pnp"}, referral_number="edge-u1")
rec("pnp", "referral", "2023-09-10", "15", victim=VA, to="mimp",
    purpose="protection", referral_number="EDGE-U2")
rec("mimp", "referral_received", "2023-09-12", "15", victim=VA_mimp,
    **{"from": "pnp"}, referral_number="EDGE-U2B")
rec("minsa", "referral_received", "2023-08-20", "16", victim=VA,
    **{"from": "pnp"}, referral_number="EDGE-R6")
rec("mimp", "referral_received", "2023-11-02", "16", victim=VA_mimp,
    **{"from": "minsa"}, referral_number="EDGE-U3")
rec("minsa", "referral", "2023-11-01", "16", victim=VA, to="mimp",
    purpose="protection", referral_number="EDGE-U3")
# An unmatched take-up withdrawn (counted nowhere); one corrected to the
# number of pnp's referral (moves to taken_up); one corrected to another
# quarter and region (moves with its date).
u4 = rec("mimp", "referral_received", "2023-04-04", "15", victim=VA_mimp,
         **{"from": "pj"}, referral_number="EDGE-U4")
withdraw("mimp", u4)
rec("pnp", "referral", "2023-12-01", "15", victim=VA, to="mimp",
    purpose="protection", referral_number="EDGE-U5")
u5 = rec("mimp", "referral_received", "2023-12-03", "15", victim=VA_mimp,
         **{"from": "pnp"}, referral_number="EDGE-U5X")
correct("mimp", u5, body("referral_received", "2023-12-03", "15",
                         victim=VA_mimp, **{"from": "pnp"},
                         referral_number="EDGE-U5"))
u6 = rec("mimp", "referral_received", "2023-02-02", "15", victim=VA_mimp,
         **{"from": "mp"}, referral_number="EDGE-U6")
correct("mimp", u6, body("referral_received", "2023-08-02", "16",
                         victim=VA_mimp, **{"from": "mp"},
                         referral_number="EDGE-U6"))

# --- services ------------------------------------------------------------------
rec("mimp", "service", "2023-02-20", "15", victim=VA_mimp,
    service="special_protection")
rec("mimp", "service", "2023-02-15", "16", victim=VA_mimp,
    service="special_protection")
rec("mimp", "service", "2023-05-01", "16", victim=VA_mimp,
    service="special_protection")
# Before the first identification (-14 days).
rec("minsa", "service", "2023-03-01", "15", victim=VB, service="medical")
# Unlinkable; and never identified: counted, not in the median.
rec("mimp", "service", "2023-03-02", "15", victim=v(age=14), service="legal_aid")
rec("mimp", "service", "2023-03-03", "15", victim=v(age=14), service="legal_aid")
rec("minsa", "service", "2023-03-04", "16",
    victim=v(("DNI", "11110099"), bd="2010-01-01"), service="mental_health")
s5 = rec("mimp", "service", "2023-03-05", "15", victim=VA_mimp,
         service="reintegration")
withdraw("mimp", s5)
# G's identification was moved to 2023-04-25: 10 days.
rec("mimp", "service", "2023-05-05", "16",
    victim=v(("DNI", "11110007"), bd="2012-01-01"), service="residential_care")

# --- cases -------------------------------------------------------------------
# C1: mp's complaint is earlier than pnp's: its date and persons count.
case("pnp", "2023-01-10", "15", "edge-c1", "complaint", 2)
case("mp", "2023-01-05", "15", "EDGE-C1", "complaint", 3)
case("mp", "2023-02-01", "15", "EDGE-C1", "preliminary_investigation", 3, [])
case("mp", "2023-04-01", "15", "EDGE-C1", "formalized_investigation", 2, [])
case("mp", "2023-07-01", "15", "EDGE-C1", "accusation", 2, [])
case("pj", "2023-09-01", "16", "EDGE-C1", "trial", 2)
case("pj", "2023-10-01", "16", "EDGE-C1", "conviction", 1, [])
# C2: same-day complaints (pnp's persons), preliminary skipped, dismissed
# twice (pj's earlier one counts).
case("mp", "2023-01-10", "15", " EDGE-C2 ", "complaint", 4)
case("pnp", "2023-01-10", "16", "edge-c2", "complaint", 1)
case("mp", "2023-03-01", "15", "EDGE-C2", "formalized_investigation", 1, [])
case("mp", "2023-05-01", "15", "EDGE-C2", "dismissal", 1, [])
case("pj", "2023-04-20", "16", "EDGE-C2", "dismissal", 2)
# C3: acquitted without a trial event.
case("pnp", "2023-02-01", "16", "EDGE-C3", "complaint", 1)
case("pj", "2023-06-01", "16", "EDGE-C3", "acquittal", 1)
# C4: no complaint at all.
case("mp", "2023-04-04", "16", "EDGE-C4", "preliminary_investigation", 2)
case("mp", "2023-05-05", "16", "EDGE-C4", "formalized_investigation", 2, [])
# C5: the earliest complaint is withdrawn; the next one counts.
c5 = case("pnp", "2023-03-03", "16", "EDGE-C5", "complaint", 1)
withdraw("pnp", c5)
case("mp", "2023-03-10", "15", "EDGE-C5", "complaint", 2)
# C6: a complaint corrected from 2023Q2/15 to 2023Q3/16.
c6 = case("pnp", "2023-06-30", "15", "EDGE-C6", "complaint", 1)
correct("pnp", c6, body("case_stage", "2023-07-02", "16", case_number="EDGE-C6",
                        stage="complaint", victims=[VB], persons=3,
                        article="129-A"))
case("pnp", "2023-07-20", "16", "EDGE-C6", "preliminary_investigation", 3, [])
# C7: a trial dated before its accusation.
case("pnp", "2023-01-20", "16", "EDGE-C7", "complaint", 1)
case("mp", "2023-04-01", "16", "EDGE-C7", "accusation", 1)
case("pj", "2023-03-01", "16", "EDGE-C7", "trial", 1)
# C9: a preliminary investigation in region 16 dated 14 days before the
# complaint in 15: -14 days, in the preliminary's region (16), while the
# case is in 15's funnel (its complaint's). test_stats.sh pins it.
case("pnp", "2023-11-20", "15", "EDGE-C9", "complaint", 1)
case("mp", "2023-11-06", "16", "EDGE-C9", "preliminary_investigation", 1, [])
# C10: the court's trial of C1 under its number written with spaces: a case
# of its own that no complaint names (cases_unmatched, pj), in 15.
case("pj", "2023-09-02", "15", "EDGE C1", "trial", 1)


# --- linking (version 2) -------------------------------------------------------
# P: pnp has her DNI only, minsa her name only; mimp's service carries both.
ident("pnp", "2023-05-10", "21", v(("DNI", "22220001"), age=12))
rec("mimp", "service", "2023-05-12", "21",
    victim=v(("DNI", "2222-0001"), "Sumaq", "Huamán", "2011-02-02"),
    service="mental_health")
ident("minsa", "2023-05-20", "21", v(None, "SUMAQ", "HUAMAN", "2011-02-02"),
      ("labour",))
# Two girls with one name and birth date, different DNIs: the name key is
# ambiguous. pnp's and mp's are two children; minsa's and mimp's records,
# with the name alone, one more.
ident("pnp", "2023-06-10", "15", v(("DNI", "22220002"), "Luz", "Mamani",
                                   "2012-05-01"))
ident("mp", "2023-06-11", "15", v(("DNI", "22220003"), "Luz", "Mamani",
                                  "2012-05-01"))
ident("minsa", "2023-06-12", "15", v(None, "LUZ", "MAMANI", "2012-05-01"))
ident("mimp", "2023-06-13", "15", v(None, "Luz", "Mamani", "2012-05-01"))
# A passport and a CE under one name: two documents of one child, not two
# children.
ident("pnp", "2023-06-20", "16", v(("PASSPORT", "x9182"), "Wendy", "Blanco",
                                   "2009-12-12", nat="VE"))
ident("mimp", "2023-06-21", "16", v(("CE", "000918273"), "Wendy", "Blanco",
                                    "2009-12-12", nat="VE"))
# Split: pnp's referral is the only record with both keys; withdrawn, it
# leaves two victims.
ident("pnp", "2023-07-01", "17", v(("DNI", "22220004"), age=14))
r9 = rec("pnp", "referral", "2023-07-01", "17",
         victim=v(("DNI", "22220004"), "Illari", "Condori", "2009-01-01"),
         to="mimp", purpose="protection", referral_number="EDGE-R9")
ident("mimp", "2023-07-03", "17", v(None, "Illari", "Condori", "2009-01-01"))
withdraw("pnp", r9)
# Join: mp sent the wrong DNI, and corrects it to minsa's.
j = ident("mp", "2023-07-10", "15", v(("DNI", "22220005"), age=16))
ident("minsa", "2023-07-12", "15", v(("DNI", "22220006"), "Yuraq", "Puma",
                                     "2007-07-07"))
correct("mp", j, body("identification", "2023-07-10", "15",
                      victim=v(("DNI", "22220006"), age=16),
                      exploitation=["sexual"]))
# A case's victims list bridges pnp's DNI and mimp's name.
case("mp", "2023-07-20", "16", "EDGE-C8", "complaint", 1,
     [v(("DNI", "22220007"), "Kusi", "Ccori", "2010-10-10"), v(age=9)])
ident("pnp", "2023-07-21", "16", v(("DNI", "22220007"), age=12))
ident("mimp", "2023-07-22", "16", v(None, "Kusi", "Ccori", "2010-10-10"))
# Placeholder DNIs (INPUT.md section 4) join no one: two girls with
# 99999999 and different names are two victims; one with 12345678 and
# mimp's name for her joins mimp's record by that name; one with
# 8765-4321 and no name is unlinkable; minsa's CE 999999999 too.
ident("pnp", "2023-10-02", "15", v(("DNI", "99999999"), "Wayta", "Apaza",
                                   "2012-04-04"))
ident("pnp", "2023-10-03", "15", v(("DNI", "99999999"), "Killa", "Ticona",
                                   "2013-05-05"))
ident("pnp", "2023-10-04", "16", v(("DNI", "12345678"), "Chaska", "Yupanqui",
                                   "2011-03-03"))
ident("mimp", "2023-10-05", "16", v(None, "Chaska", "Yupanqui", "2011-03-03"))
ident("pnp", "2023-10-06", "15", v(("DNI", "8765-4321"), age=14))
ident("minsa", "2023-10-07", "15", v(("CE", "999999999"), age=15, nat="VE"))
# One number sent to two destinations: two referrals.
rec("pnp", "referral", "2023-08-20", "15", victim=v(age=15), to="mimp",
    purpose="protection", referral_number="EDGE-R8")
rec("pnp", "referral", "2023-08-21", "15", victim=v(age=15), to="minsa",
    purpose="health", referral_number="edge-r8")
rec("minsa", "referral_received", "2023-08-25", "15", victim=v(age=15),
    **{"from": "pnp"}, referral_number="EDGE-R8")


def timeliness(today):
    """Records dated from today back: the 30-day line from both sides."""
    def ago(n):
        return (today - datetime.timedelta(days=n)).isoformat()
    for n in (0, 5, 30, 31):
        ident("pnp", ago(n), "15", v(age=10 + n % 7))
    case("mp", ago(45), "16", "EDGE-T1", "complaint", 1, [v(age=30)])
    case("mp", ago(400), "16", "EDGE-T2", "complaint", 1, [v(age=30)])
    rec("minsa", "service", ago(29), "15", victim=v(age=8), service="medical")
    # Moved from 3 to 60 days ago: counted once, 60 days old.
    t = ident("mimp", ago(3), "15", v(age=13))
    correct("mimp", t, body("identification", ago(60), "15",
                            victim=v(age=13), exploitation=["sexual"]))
    w = ident("mimp", ago(2), "15", v(age=13))
    withdraw("mimp", w)


def main():
    d = sys.argv[1]
    if len(sys.argv) > 3 and sys.argv[2] == "--today":
        timeliness(datetime.date.fromisoformat(sys.argv[3]))
    os.makedirs(d, exist_ok=True)
    for inst, recs in OUT.items():
        with open(os.path.join(d, inst + ".jsonl"), "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
