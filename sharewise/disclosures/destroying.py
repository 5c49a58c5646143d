"""Destroying referrals and disclosures about people past retention (see
sharewise/retention). What was sent goes (its content, its PDF, the sender's typed
words and justifications, the names redacted from it); what it was stays: the row, the
template, which fields were sent, the recipient organisation and role, the channel, the
date and the SHA-256 of what was sent, so the disclosure log and every count stay."""

from django.db.models import QuerySet

from sharewise.audittrail import records
from sharewise.disclosures.models import Delivery, Disclosure, Referral, Response
from sharewise.people.destroying import blank_json, mentioning, redact, words_naming


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    referrals = list(Referral.objects.filter(person_id__in=person_ids))
    for r in referrals:
        r.choices, r.inputs, r.typed = blank_json(r.choices), blank_json(r.inputs), {}
        r.redactions, r.preview_json, r.preview_pdf, r.dpo_note = [], None, None, ""
        r.no_agreement_reason = ""
    Referral.objects.bulk_update(
        referrals,
        [
            "choices",
            "inputs",
            "typed",
            "redactions",
            "preview_json",
            "preview_pdf",
            "dpo_note",
            "no_agreement_reason",
        ],
        batch_size=100,
    )
    # A disclosure is frozen (its save() refuses any change): destroying it past
    # retention is the one sanctioned change, so it is made with the queryset's own
    # update, and its new digest goes in the destruction's trail entry.
    disclosures = list(Disclosure.objects.filter(person_id__in=person_ids))
    for d in disclosures:
        QuerySet.update(
            Disclosure.objects.filter(pk=d.pk),
            content=blank_json(d.content),
            pdf=b"",
            justifications=blank_json(d.justifications),
            redactions=blank_json(d.redactions),
            no_agreement_reason="",
        )
    # What came back keeps its dates, outcome and whether it was achieved (the evidence
    # pack counts them); what the person wanted and the notes go.
    answered = Response.objects.filter(disclosure__person_id__in=person_ids)
    responses = list(answered.values_list("pk", flat=True))
    answered.update(person_wanted="", notes="", correction_reason="", acknowledged_by="")
    failures = list(Delivery.objects.filter(mentioning(("error",), words))) if words else []
    for f in failures:
        f.error = redact(f.error, words)
    Delivery.objects.bulk_update(failures, ["error"])
    records.rewritten(Referral, [r.pk for r in referrals])
    records.rewritten(Disclosure, [d.pk for d in disclosures])
    records.rewritten(Response, responses)
    return {
        "referrals": len(referrals),
        "disclosures": len(disclosures),
        "responses from partners": len(responses),
    }
