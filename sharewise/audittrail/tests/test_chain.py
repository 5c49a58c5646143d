"""The hash chain on its own: any edit, deletion or reordering is named."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.audittrail import chain

texts = st.text(max_size=30)
entries_strategy = st.lists(
    st.tuples(
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
        st.one_of(st.none(), st.integers(1, 10_000)),
        texts,
        st.sampled_from(["viewed record", "added person", "break-glass access"]),
        st.one_of(st.none(), st.integers(1, 10_000)),
        texts,
        st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), texts), max_size=3),
    ),
    min_size=1,
    max_size=25,
)


def build(raw):
    """Entries in FIELDS order with ids 1..n, and their sealed rows."""
    entries = []
    for i, (at, actor_id, actor, action, person_id, reason, detail) in enumerate(raw, start=1):
        entries.append(
            (
                i,
                at.replace(tzinfo=UTC),
                actor_id,
                actor,
                action,
                "person",
                str(person_id or ""),
                person_id,
                1,
                "127.0.0.1",
                reason,
                detail,
            )
        )
    hashes = chain.seal(chain.GENESIS, entries)
    return entries, [
        (pos, h, e[0], e) for pos, (h, e) in enumerate(zip(hashes, entries, strict=True), 1)
    ]


@given(entries_strategy)
def test_an_untouched_chain_verifies(raw):
    _, rows = build(raw)
    checked, broken, _ = chain.verify(rows)
    assert broken is None
    assert checked == len(rows)


@given(entries_strategy, st.data())
def test_altering_any_field_of_any_entry_is_named(raw, data):
    entries, rows = build(raw)
    index = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.integers(1, len(chain.FIELDS) - 1))
    position, stored, entry_id, entry = rows[index]
    altered = list(entry)
    original = altered[field]
    values = (
        st.datetimes(timezones=st.just(UTC))
        if field == 1
        else st.one_of(st.text(max_size=10), st.integers(), st.none())
    )
    altered[field] = data.draw(values.filter(lambda v: v != original))
    if chain.canonical(altered) == chain.canonical(entry):
        return  # e.g. a datetime given back as the same string
    rows[index] = (position, stored, entry_id, tuple(altered))
    _, broken, _ = chain.verify(rows)
    assert broken is not None
    assert broken.position == position
    assert broken.entry_id == entry_id


@given(entries_strategy, st.data())
def test_deleting_an_entry_is_named(raw, data):
    _, rows = build(raw)
    index = data.draw(st.integers(0, len(rows) - 1))
    position, stored, entry_id, _ = rows[index]
    rows[index] = (position, stored, entry_id, None)
    _, broken, _ = chain.verify(rows)
    assert (broken.position, broken.entry_id) == (position, entry_id)
    assert "deleted" in broken.problem


@given(entries_strategy, st.data())
def test_deleting_an_entry_and_its_seal_is_named(raw, data):
    _, rows = build(raw)
    index = data.draw(st.integers(0, len(rows) - 1))
    position = rows[index][0]
    del rows[index]
    checked, broken, _ = chain.verify(rows)
    if index == len(rows):
        # The newest entry and its seal gone together leave a shorter, valid chain:
        # only the count can show it, which is why seals are written right away.
        assert broken is None
        return
    assert broken.position == position
    assert checked == index


@given(entries_strategy.filter(lambda r: len(r) >= 2), st.data())
def test_swapping_two_entries_is_named(raw, data):
    _, rows = build(raw)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    # Swap the entries' contents but keep their ids, as an UPDATE would.
    a, b = rows[i][3], rows[j][3]
    if chain.canonical((0, *a[1:])) == chain.canonical((0, *b[1:])):
        return
    rows[i] = (*rows[i][:3], (a[0], *b[1:]))
    rows[j] = (*rows[j][:3], (b[0], *a[1:]))
    _, broken, _ = chain.verify(rows)
    assert broken.position == rows[i][0]


@given(entries_strategy.filter(lambda r: len(r) >= 2), st.data())
def test_reordering_seals_is_named(raw, data):
    _, rows = build(raw)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    # Give two seals each other's positions: the chain order changes.
    pi, pj = rows[i][0], rows[j][0]
    rows[i], rows[j] = (pi, *rows[j][1:]), (pj, *rows[i][1:])
    _, broken, _ = chain.verify(rows)
    assert broken.position == pi


@settings(max_examples=50)
@given(entries_strategy)
def test_sealing_in_two_runs_equals_sealing_at_once(raw):
    entries, _ = build(raw)
    cut = len(entries) // 2
    first = chain.seal(chain.GENESIS, entries[:cut])
    rest = chain.seal(first[-1] if first else chain.GENESIS, entries[cut:])
    assert first + rest == chain.seal(chain.GENESIS, entries)


def test_canonical_form_is_fixed():
    """The canonical bytes are part of every stored hash: they must never drift."""
    entry = (
        1,
        datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        7,
        "nia",
        "viewed record",
        "person",
        "12",
        12,
        1,
        "127.0.0.1",
        "",
        {"via": "page"},
    )
    assert chain.canonical(entry) == (
        b'[1,"2026-11-25T09:30:00.000000+00:00",7,"nia","viewed record","person","12",12,1,'
        b'"127.0.0.1","",{"via":"page"}]'
    )
    assert chain.link(chain.GENESIS, entry) == chain.link(chain.GENESIS, list(entry))
