"""A policy edit that names a setting Sharewise does not have is refused when saved,
rather than dropped in silence with the default left in force."""

import yaml

from sharewise.policy import store
from sharewise.policy.models import PolicyVersion


def test_a_misspelt_setting_is_named_and_the_text_typed_is_kept(cast, as_user):
    _, policy = store.in_force(cast.org.pk, "patterns")
    document = policy.model_dump(mode="json")
    document["escalating_severity"]["concerns_needed"] = 2
    text = yaml.safe_dump(document, sort_keys=False)
    response = as_user(cast.sarah).post(
        "/policy/patterns/", {"document": text, "note": "Two steps are enough"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "escalating_severity › concerns_needed" in page
    assert "no setting called &#x27;concerns_needed&#x27;" in page
    assert "concerns_needed: 2" in page
    assert PolicyVersion.objects.filter(kind="patterns").count() == 1
