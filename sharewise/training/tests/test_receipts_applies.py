"""Which policies ask whom, as plain data: properties that hold for any roles."""

from hypothesis import given
from hypothesis import strategies as st

from sharewise.training import applies

ROLES = st.sets(
    st.sampled_from(
        ["care_worker", "team_manager", "safeguarding_lead", "dpo", "auditor", "administrator"]
    )
)
TEXT = st.lists(st.text(alphabet="abc .", min_size=1, max_size=20), max_size=5)


@given(ROLES)
def test_anyone_with_a_case_role_confirms_the_information_sharing_policy(roles):
    kinds = applies.kinds_for(roles)
    assert ("information_sharing" in kinds) == bool(roles & applies.CASE_ROLES)
    assert kinds == [k for k in applies.KINDS if applies.applies(k, roles)]


@given(ROLES)
def test_an_administrator_alone_confirms_nothing_and_auditors_only_the_written_policy(roles):
    assert applies.kinds_for(roles - applies.CASE_ROLES) == []
    if roles & applies.CASE_ROLES == {"auditor"}:
        assert applies.kinds_for(roles) == ["information_sharing"]


def test_the_framework_is_for_deciders_and_the_standards_for_recorders():
    assert applies.kinds_for({"dpo"}) == ["information_sharing", "sharing"]
    assert applies.kinds_for({"care_worker"}) == ["information_sharing", "recording"]
    assert applies.kinds_for({"team_manager"}) == list(applies.KINDS)
    assert not applies.applies("patterns", {"safeguarding_lead"})


@given(TEXT, TEXT)
def test_a_written_policy_unchanged_says_nothing_and_a_changed_one_says_something(a, b):
    before = {"title": "P", "body": "\n\n".join(a)}
    after = {"title": "P", "body": "\n\n".join(b)}
    said = applies.written_changes(before, after)
    same = applies._paragraphs(before["body"]) == applies._paragraphs(after["body"])
    assert (said == []) == same
    assert applies.written_changes(before, before) == []
