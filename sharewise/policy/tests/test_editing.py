"""The pure logic behind the policy forms: answers go back where they came from, a
change is said once per setting changed and never when nothing changed, and every
refused value names the setting it belongs to."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sharewise.policy import documents, editing


def _shipped(kind):
    return documents.default(kind).model_dump(mode="json")


def _as_stored(kind, document):
    return documents.KINDS[kind].model_validate(document).model_dump(mode="json")


@pytest.mark.parametrize("kind", editing.EDITABLE)
def test_every_answer_goes_back_where_it_came_from(kind):
    document = _shipped(kind)
    answers = {}
    for s in editing.settings(kind, document):
        value = editing.answer(s, document)
        answers[s.path] = editing.lines(value) if s.kind == "lines" else value
    assert _as_stored(kind, editing.apply(document, answers)) == document
    assert editing.changes(kind, document, document) == []


PATTERN_NUMBERS = [
    s for s in editing.settings("patterns", _shipped("patterns")) if s.kind in ("whole", "number")
]


def _valid_number(s):
    low = s.minimum if s.minimum is not None else (s.above or 0) + 1
    high = s.maximum if s.maximum is not None else 1000
    if s.kind == "whole":
        return st.integers(int(low), int(high))
    return st.integers(int(low), int(high)).map(float)


@st.composite
def pattern_edits(draw):
    chosen = draw(st.lists(st.sampled_from(PATTERN_NUMBERS), unique_by=lambda s: s.path))
    return {s.path: draw(_valid_number(s)) for s in chosen}


@settings(max_examples=60, deadline=None)
@given(pattern_edits())
def test_a_change_is_said_once_for_each_setting_changed_and_only_then(edits):
    before = _shipped("patterns")
    after = _as_stored("patterns", editing.apply(before, edits))
    said = editing.changes("patterns", before, after)
    changed = [s for s in PATTERN_NUMBERS if editing.answer(s, before) != editing.answer(s, after)]
    assert [c.what for c in said] == [f"{s.group} › {s.label}" for s in changed]
    assert (said == []) == (before == after)
    # Undoing says the same changes the other way round.
    back = editing.changes("patterns", after, before)
    assert [(c.what, c.before, c.after) for c in back] == [
        (c.what, c.after, c.before) for c in said
    ]


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 11), max_size=11), st.booleans())
def test_categories_added_or_removed_are_named_by_their_titles(removed, add_one):
    before = _shipped("recording")
    after = _shipped("recording")
    after["categories"] = [c for n, c in enumerate(after["categories"]) if n not in removed]
    if add_one:
        after["categories"].append({"code": "cuckooing", "label": "Cuckooing", "weight": 1.5})
    said = [str(c) for c in editing.changes("recording", before, after)]
    expected = [
        f"Categories › {c['label']}: removed"
        for n, c in enumerate(before["categories"])
        if n in removed
    ]
    if add_one:
        expected.append("Categories › Cuckooing: added")
    assert said == expected
    assert not any("_" in line for line in said)  # titles, never codes


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PATTERN_NUMBERS), st.integers(0, 1000))
def test_a_value_under_the_limit_is_refused_naming_its_setting(setting, under):
    # Every number a pattern rule reads has a lowest value it may take.
    limit = setting.minimum - 1 if setting.minimum is not None else setting.above
    value = limit - under
    document = editing.apply(_shipped("patterns"), {setting.path: value})
    with pytest.raises(ValidationError) as refused:
        documents.PatternPolicy.model_validate(document)
    [problem] = editing.problems("patterns", refused.value, document)
    assert problem.path == setting.path
    assert problem.message.startswith(f"{setting.group}: {setting.label[0].lower()}")
    assert "must be" in problem.message


def test_choices_are_shown_by_their_titles():
    access = editing.settings("access", _shipped("access"))
    roles = next(s for s in access if s.path == ("privileged_roles",))
    assert ("dpo", "Data protection officers") in roles.choices
    sharing = editing.settings("sharing", _shipped("sharing"))
    bases = next(s for s in sharing if s.path == ("article_6_default",))
    assert ("e", "UK GDPR Article 6(1)(e): public task") in bases.choices
