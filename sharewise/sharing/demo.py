"""The demo's consent and policies: Margaret Hale (the seed's Example 1) refused any
referral, with capacity presumed, weeks ago; that refusal now meets rising risk and
waits for the lead's decision. The written policies are adopted, as a real
organisation's would be."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.policy.documents import WRITTEN
from sharewise.sharing import decisions


def extend_demo(org, today):
    lead = get_user_model().objects.get(username="lead")
    for kind in WRITTEN:
        version, document = store.in_force(org.pk, kind)
        if not document.adopted:
            store.save_version(
                org.pk,
                kind,
                {**document.model_dump(), "adopted": True},
                lead,
                "Reviewed and adopted by the safeguarding lead",
            )
    margaret = Person.objects.get(organisation=org, given_name="Margaret", family_name="Hale")
    carer = get_user_model().objects.get(username="carer.day")
    as_carer = SimpleNamespace(user=carer, META={"REMOTE_ADDR": "127.0.0.1"})
    decisions.record_consent(
        as_carer,
        margaret,
        {
            "purpose": "Telling the local authority adult safeguarding team what her son says to her",
            "outcome": "refused",
            "explained_how": "Sat with her after lunch and explained who we would tell and why.",
            "persons_words": "Please don't. He's all I've got and he'll stop coming.",
            "capacity": "presumed",
            "asked_at": timezone.now() - timedelta(days=45),
        },
        via="demo",
    )
    return "Margaret Hale's refusal recorded; sharing policies adopted"
