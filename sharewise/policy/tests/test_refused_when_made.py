"""A policy file that names a setting Sharewise does not have is refused when
uploaded, rather than dropped in silence with the default left in force."""

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from sharewise.policy import store
from sharewise.policy.models import PolicyVersion


def test_a_misspelt_setting_is_named(cast, as_user):
    _, policy = store.in_force(cast.org.pk, "patterns")
    document = policy.model_dump(mode="json")
    document["escalating_severity"]["concerns_needed"] = 2
    text = yaml.safe_dump(document, sort_keys=False)
    response = as_user(cast.sarah).post(
        "/policy/patterns/import/", {"file": SimpleUploadedFile("patterns.yaml", text.encode())}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Concerns getting more severe: Sharewise has no setting called &#x27;concerns_needed&#x27;: "
        "check the spelling" in page
    )
    assert PolicyVersion.objects.filter(kind="patterns").count() == 1
