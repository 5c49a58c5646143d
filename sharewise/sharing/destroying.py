"""Destroying sharing records about people past retention (see sharewise/retention):
capacity assessments, consent records, sharing decisions and their amendments, drafts
and questions to the lead. Each keeps its row, dates, outcome, grounds, lawful bases,
recipient organisation and channel (what the audits and evidence pack count); the words
the staff wrote about the person go, and the wizard's answers keep their choices with
the person's names taken out."""

from sharewise.audittrail import records
from sharewise.people.destroying import blank_json, redact_json, words_naming
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    DecisionAmendment,
    Draft,
    SharingDecision,
)

CAPACITY_TEXT = (
    "decision",
    "help_given",
    "impairment_detail",
    "evidence",
    "best_interests_reasons",
    "persons_wishes",
    "consulted",
)
CONSENT_TEXT = ("purpose", "explained_how", "persons_words")
DECISION_TEXT = (
    "question",
    "purpose",
    "lead_review_reason",
    "necessity",
    "what_shared",
    "not_told_reason",
    "departure_rationale",
    "contradiction_reason",
    "advised_by",
    "countersign_because",
    "countersign_note",
)
DECISION_JSON = ("answers", "facts", "recommendation_reasons")


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    assessments = CapacityAssessment.objects.filter(person_id__in=person_ids)
    consents = ConsentRecord.objects.filter(person_id__in=person_ids)
    decisions = list(SharingDecision.objects.filter(person_id__in=person_ids))
    counts = {
        "capacity assessments": assessments.update(**dict.fromkeys(CAPACITY_TEXT, "")),
        "consent records": consents.update(**dict.fromkeys(CONSENT_TEXT, "")),
    }
    for d in decisions:
        for field in DECISION_TEXT:
            setattr(d, field, "")
        for field in DECISION_JSON:
            setattr(d, field, redact_json(getattr(d, field), words))
    # A decision is never edited once made; destruction is the one sanctioned change,
    # written to the trail with the records' new digests.
    SharingDecision.objects.bulk_update(decisions, [*DECISION_TEXT, *DECISION_JSON], batch_size=200)
    amendments = list(DecisionAmendment.objects.filter(decision__in=decisions))
    for a in amendments:
        a.reason, a.changes = "", blank_json(a.changes)
    DecisionAmendment.objects.bulk_update(amendments, ["reason", "changes"], batch_size=500)
    counts["sharing decisions"] = len(decisions)
    counts["sharing decision amendments"] = len(amendments)
    counts["sharing drafts"] = Draft.objects.filter(person_id__in=person_ids).update(answers={})
    counts["questions to the lead"] = AdviceRequest.objects.filter(person_id__in=person_ids).update(
        question="", answer=""
    )
    records.rewritten(CapacityAssessment, assessments.values_list("pk", flat=True))
    records.rewritten(ConsentRecord, consents.values_list("pk", flat=True))
    records.rewritten(SharingDecision, [d.pk for d in decisions])
    records.rewritten(DecisionAmendment, [a.pk for a in amendments])
    return counts
