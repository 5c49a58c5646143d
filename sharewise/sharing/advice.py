"""Asking the safeguarding lead for advice, with or without naming the person, and
answering it: the answer becomes part of the decision it advised."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.sharing.models import AdviceRequest
from sharewise.sharing.writes import words


@transaction.atomic
def ask_advice(request, organisation_id, question, *, person=None, draft=None, step="", via="page"):
    if words(question) < 4:
        raise ValidationError({"question": ["Write your question (at least 4 words)"]})
    advice = AdviceRequest.objects.create(
        organisation_id=organisation_id,
        person=person,
        draft=draft,
        step=step,
        question=question.strip(),
        name_withheld=person is None,
        asked_by=request.user,
    )
    to = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SAFEGUARDING_LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {request.user.pk}
    link = reverse("advice", args=[advice.pk])
    Notification.objects.bulk_create(
        Notification(recipient_id=u, message="A colleague asks for safeguarding advice", link=link)
        for u in sorted(to)
    )
    trail.record_request(
        request,
        "asked for advice",
        object_type="advicerequest",
        object_id=advice.pk,
        person_id=person.pk if person else None,
        organisation_id=organisation_id,
        detail={"via": via, "step": step},
    )
    return advice


@transaction.atomic
def answer_advice(request, advice, answer: str, *, via="page") -> AdviceRequest:
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    if advice.answered:
        raise ValidationError({"answer": ["This question has already been answered"]})
    if words(answer) < 4:
        raise ValidationError({"answer": ["Write your advice (at least 4 words)"]})
    advice.answer = answer.strip()
    advice.answered_by = request.user
    advice.answered_at = timezone.now()
    advice.save(update_fields=["answer", "answered_by", "answered_at"])
    Notification.objects.create(
        recipient=advice.asked_by,
        message="Your question has been answered",
        link=reverse("advice", args=[advice.pk]),
    )
    trail.record_request(
        request,
        "answered advice",
        object_type="advicerequest",
        object_id=advice.pk,
        person_id=advice.person_id,
        organisation_id=advice.organisation_id,
        detail={"via": via},
    )
    return advice
