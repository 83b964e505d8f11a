/*
 * tally.c - kuska submit's counts of one file and its summary; see
 * tally.h.
 */
#include "tally.h"

/*
 * Whether a refusal says another institution made the line: a kind or
 * case stage this one may not emit (the registry's grants), a referral
 * to itself or one received from itself. A file of such lines is likely
 * that institution's export sent to this node by mistake, whose other
 * lines are taken as this institution's. Told by the node's code, not
 * its words: a node too old to send one gets no question asked.
 */
static bool
foreign_refusal(const struct line_result *res)
{
	return res->why == LINE_NOT_GRANTED || res->why == LINE_OWN_INSTITUTION;
}

bool
tally_add(struct tally *t, const struct line_result *res)
{
	t->lines++;
	switch (res->status) {
	case LINE_ACCEPTED:
		t->accepted++;
		break;
	case LINE_HELD:
		t->held++;
		if (res->dead_warning[0] != '\0')
			t->dead_warned++;
		break;
	case LINE_REKEYED:
		t->rekeyed++;
		break;
	case LINE_BLANK:
		t->blank++;
		break;
	case LINE_REFUSED:
		t->refused++;
		if (foreign_refusal(res))
			t->foreign++;
		if (res->why == LINE_NOT_GRANTED)
			t->ungranted++;
		if (res->why == LINE_REF_REUSED)
			t->reused++;
		break;
	default:
		break;
	}
	if (res->status != LINE_REFUSED && res->warning[0] != '\0')
		t->stage_warned++;
	if (line_warns_age(res))
		t->age_warned++;
	if (line_warns_placeholder(res))
		t->placeholder_warned++;
	if (line_warns_ref(res))
		t->ref_warned++;
	if (line_warns_unlinkable(res)) {
		t->unlinkable++;
		return true;
	}
	return false;
}

/* Why the lines from t->stopped on are not in a file's counts. */
static const char *
stopped_why(const struct tally *t)
{
	if (t->node_stopped)
		return "the node stopped before it answered them, and may "
		       "have stored some of them";
	if (t->maybe_stored)
		return "no answer came for them, and the node may still "
		       "store them";
	return "the node took none of them";
}

/* "line" for one, "N lines" for more, into out. Returns out. */
static const char *
lines_text(unsigned long n, char *out, size_t cap)
{
	if (n == 1)
		snprintf(out, cap, "line");
	else
		snprintf(out, cap, "%lu lines", n);
	return out;
}

/* The summary's line of n lines warned of (what: its words), only when
 * some, saying when only the first were listed. */
static void
warned_line(FILE *out, const struct tally_run *run, const char *name,
	    unsigned long n, const char *what)
{
	if (n == 0)
		return;
	fprintf(out, "%s: %lu line%s %s%s\n", name, n, n == 1 ? "" : "s", what,
		!run->verbose && n > TALLY_WARN_SHOWN
		    ? ": the first five listed (--verbose lists them all, "
		      "--report FILE writes them all)"
		    : "");
}

void
tally_print(FILE *out, const struct tally_run *run, const struct tally *t)
{
	char n[32];
	const char *name = run->name;
	/* A dry run stored nothing: "accepted" would say it had. */
	const char *would = run->dry_run ? "would be " : "";

	fprintf(out,
		"%s: %lu %saccepted, %lu already held, %lu refused, %lu "
		"with unlinkable victims",
		name, t->accepted, would, t->held, t->refused, t->unlinkable);
	/* Only after a key rotation: held under the old key epoch,
	 * re-sent with the new pseudonyms. */
	if (t->rekeyed > 0)
		fprintf(out, ", %lu %sre-keyed", t->rekeyed, would);
	/* So that the counts add up to the file's lines (wc -l). */
	if (t->blank > 0)
		fprintf(out, ", %lu blank line%s skipped", t->blank,
			t->blank == 1 ? "" : "s");
	fprintf(out, "%s%s\n", run->stopped_early ? " (stopped early)" : "",
		run->dry_run ? " (dry run: nothing stored)" : "");
	/* Else the counts look like the whole file's. */
	if (t->stopped > 0)
		fprintf(out,
			"%s: the lines from %lu on are not in these counts: "
			"%s\n",
			name, t->stopped, stopped_why(t));
	/* Line by line, such refusals are easily read as a few mistakes
	 * among the records taken; the dry run is where to catch it. */
	if (t->foreign > 0) {
		fprintf(out,
			"%s: warning: %lu line%s refused as what %s may not "
			"emit (a kind or case stage not granted to it, a "
			"referral to or from %s itself): is this another "
			"institution's export? ",
			name, t->foreign, t->foreign == 1 ? "" : "s", run->inst,
			run->inst);
		if (run->dry_run)
			fprintf(out,
				"If so, do not submit it to this node: its "
				"other lines would be stored as %s's "
				"records\n",
				run->inst);
		else if (t->accepted == 0)
			fprintf(out, "If so, none of its lines was stored\n");
		else
			fprintf(out,
				"If so, the lines accepted (%lu) were stored "
				"as %s's records: withdraw them "
				"(docs/INPUT.md section 8)\n",
				t->accepted, run->inst);
	}
	if (!run->verbose && t->unlinkable > TALLY_WARN_SHOWN)
		fprintf(out,
			"%s: %lu more warnings \"cannot be linked\" not listed "
			"(--verbose lists them, --report FILE writes them "
			"all)\n",
			name, t->unlinkable - TALLY_WARN_SHOWN);
	/* A line of its own, only when some: the counts above read as
	 * before. */
	warned_line(out, run, name, t->stage_warned,
		    "with a case stage warning (a stage the case has "
		    "already, or dated out of order)");
	warned_line(out, run, name, t->age_warned,
		    "with a victim's age that the birth date contradicts "
		    "(the birth date is used)");
	warned_line(out, run, name, t->placeholder_warned,
		    "with a victim's document number that is a placeholder "
		    "(not used to link: leave the document out when it is "
		    "not known)");
	/* Counted among those "already held", which reads as taken: each
	 * is warned of above, and sending it again changes nothing. */
	if (t->dead_warned > 0)
		fprintf(out,
			"%s: %lu held but refused earlier: see above (the "
			"consolidator refused %s; sent again %s only "
			"\"already held\": docs/INPUT.md section 9)\n",
			name, t->dead_warned,
			t->dead_warned == 1 ? "it as a dead letter"
					    : "them as dead letters",
			t->dead_warned == 1 ? "it is" : "they are");
	/* Taken before the node refused such refs: the refs stay on its
	 * disk until the records are withdrawn. A count, never a ref. */
	warned_line(out, run, name, t->ref_warned,
		    "held under a ref that holds a victim's identity (stored "
		    "before the node refused such refs): withdraw those "
		    "records and send them again under the case system's "
		    "record key (docs/INPUT.md section 7)");
	/* Sent again, such a line is refused again (EVENTS.md: a ref
	 * names one record): what changes a record is a correction of it,
	 * or its withdrawal. */
	if (t->reused > 0)
		fprintf(out,
			"%s: %lu line%s refused as %s ref is already used for "
			"a different record: submitted again, %s refused "
			"again. Where such a line changes the record sent "
			"before under its ref, send it as a correction (kind "
			"correction, a new ref of its own, target_ref the "
			"original record's ref), or withdraw that record if it "
			"should no longer count (docs/INPUT.md section 8); "
			"where it is another record, it needs a ref of its "
			"own: tell the team that maintains the case system's "
			"export\n",
			name, t->reused, t->reused == 1 ? "" : "s",
			t->reused == 1 ? "its" : "their",
			t->reused == 1 ? "it is" : "they are");
	/* The way out: resubmitting is safe (refs), so the whole file
	 * corrected will do; nobody need cut the refused lines out. Not
	 * for another institution's export, which the question above says
	 * not to submit here at all; and a line of a kind or stage this
	 * institution may not emit is no mistake to correct in its own
	 * export: another institution records it (a conviction is the
	 * court's). The same words in a dry run and a real one. */
	if (t->ungranted > 0 && t->refused > t->reused + t->ungranted)
		fprintf(out,
			"%s: if it is %s's own export, leave out the %s of "
			"what %s may not emit (another institution records "
			"%s), correct the other refused lines and submit the "
			"file again: the records the node holds are skipped "
			"as \"already held\"\n",
			name, run->inst, lines_text(t->ungranted, n, sizeof(n)),
			run->inst, t->ungranted == 1 ? "it" : "them");
	else if (t->ungranted > 0)
		fprintf(out,
			"%s: if it is %s's own export, leave out the %s of "
			"what %s may not emit: another institution records "
			"%s\n",
			name, run->inst, lines_text(t->ungranted, n, sizeof(n)),
			run->inst, t->ungranted == 1 ? "it" : "them");
	else if (t->refused > t->reused && t->foreign > 0)
		fprintf(out,
			"%s: if it is %s's own export, correct the %srefused "
			"lines and submit the file again: the records the "
			"node holds are skipped as \"already held\"\n",
			name, run->inst, t->reused > 0 ? "other " : "");
	else if (t->refused > t->reused)
		fprintf(out,
			"%s: correct the %srefused lines and submit the file "
			"again: the records the node holds are skipped as "
			"\"already held\"\n",
			name, t->reused > 0 ? "other " : "");
}
