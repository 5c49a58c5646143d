"""An amendment that would undo what recording a concern requires is refused on the
amendment page, with the field named and what was typed kept."""

from conftest import record_concern
from sharewise.concerns.models import Amendment


def test_blanking_what_happened_is_refused_and_the_reason_typed_is_kept(cast, as_user):
    concern = record_concern(cast, days_ago=2)
    response = as_user(cast.nia).post(
        f"/concerns/{concern.pk}/amend/",
        {
            "reason": "Moved the account to the handover note instead",
            "facts": "",
            "severity": concern.severity,
            "categories": concern.categories,
            "persons_wishes": concern.persons_wishes,
            "immediate_action": concern.immediate_action,
            "who_was_told": concern.who_was_told,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Say what happened, in facts" in page
    assert "Moved the account to the handover note instead" in page
    assert not Amendment.objects.exists()


def test_every_answer_a_recording_standard_may_check_is_one_a_concern_records():
    from sharewise.concerns import recording
    from sharewise.policy import documents

    recorded = {
        *recording.TEXT_FIELDS,
        *recording.CHOICE_FIELDS,
        "alleged_source_detail",
        "risk_indicators",
    }
    assert set(documents.ANSWER_CHECKS) == recorded
