"""The keyed hash chain on its own: any edit, deletion, reordering or truncation is
named, and seals recomputed without the key do not pass."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.audittrail import chain

KEY = chain.Key(b"k" * 32)
OTHER_KEY = chain.Key(b"another key, guessed or stolen from nowhere")

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


def entries_from(raw):
    """Entries in FIELDS order with ids 1..n."""
    return [
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
        for i, (at, actor_id, actor, action, person_id, reason, detail) in enumerate(raw, start=1)
    ]


def rows_for(entries, hashes):
    return [(pos, h, e[0], e) for pos, (h, e) in enumerate(zip(hashes, entries, strict=True), 1)]


def build(raw, key=KEY):
    """Entries and their sealed rows."""
    entries = entries_from(raw)
    return entries, rows_for(entries, chain.seal(key, chain.GENESIS, entries))


def unkeyed_seal(entries):
    hashes, previous = [], chain.GENESIS
    for entry in entries:
        previous = chain.unkeyed_link(previous, entry)
        hashes.append(previous)
    return hashes


def at_checkpoint(rows, keyed_from=1):
    position, head = (rows[-1][0], rows[-1][1]) if rows else (0, chain.GENESIS)
    return chain.checkpoint(KEY, position, head, keyed_from, datetime(2026, 11, 25, tzinfo=UTC))


def check(rows, point, keyed_from=1):
    """What verify and the checkpoint say about stored rows, as the trail does."""
    _, broken, _ = chain.verify(rows, KEY, keyed_from=keyed_from)
    top = rows[-1][0] if rows else 0
    there = next((h for pos, h, _, _ in rows if pos == point.position), None)
    if point.position == 0:
        there = chain.GENESIS
    return broken, chain.against_checkpoint(point, top, there, keyed_from)


@given(entries_strategy)
def test_an_untouched_chain_verifies_and_holds_its_checkpoint(raw):
    _, rows = build(raw)
    checked, broken, _ = chain.verify(rows, KEY)
    assert broken is None
    assert checked == len(rows)
    assert check(rows, at_checkpoint(rows)) == (None, None)


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
    _, broken, _ = chain.verify(rows, KEY)
    assert broken is not None
    assert broken.position == position
    assert broken.entry_id == entry_id


@given(entries_strategy, st.data())
def test_rewriting_an_entry_and_recomputing_every_seal_without_the_key_is_named(raw, data):
    entries, rows = build(raw)
    point = at_checkpoint(rows)
    index = data.draw(st.integers(0, len(entries) - 1))
    rewritten = list(entries)
    rewritten[index] = (*entries[index][:3], None, *entries[index][4:])
    # Without the key: the old unkeyed SHA-256, or HMAC under any other key.
    how = data.draw(st.sampled_from(["unkeyed", "other key"]))
    hashes = (
        unkeyed_seal(rewritten)
        if how == "unkeyed"
        else chain.seal(OTHER_KEY, chain.GENESIS, rewritten)
    )
    broken, _ = check(rows_for(rewritten, hashes), point)
    # Every seal was recomputed, so the first one no longer matches.
    assert broken is not None and broken.position == 1


@given(entries_strategy, st.data())
def test_resealing_everything_as_unkeyed_is_named_by_the_checkpoint(raw, data):
    """Claiming the whole trail was sealed before keying began (moving keyed_from past
    the end) and recomputing plain SHA-256 seals passes the links, not the checkpoint."""
    entries, rows = build(raw)
    point = at_checkpoint(rows)
    rewritten = [(*e[:3], None, *e[4:]) for e in entries]
    resealed = rows_for(rewritten, unkeyed_seal(rewritten))
    broken, problem = check(resealed, point, keyed_from=len(rows) + 1)
    assert broken is None
    assert problem.startswith("rewritten") or problem.startswith("resealed")


@given(entries_strategy, st.data())
def test_an_unkeyed_start_verifies_as_far_as_it_goes(raw, data):
    """A trail sealed before keying began: plain links up to keyed_from, keyed after."""
    entries = entries_from(raw)
    keyed_from = data.draw(st.integers(1, len(entries) + 1))
    old = unkeyed_seal(entries[: keyed_from - 1])
    new = chain.seal(KEY, old[-1] if old else chain.GENESIS, entries[keyed_from - 1 :])
    rows = rows_for(entries, old + new)
    checked, broken, _ = chain.verify(rows, KEY, keyed_from=keyed_from)
    assert (checked, broken) == (len(rows), None)
    if keyed_from <= len(rows):
        # Checked as keyed from the start, the first keyed seal does not pass as plain.
        _, broken, _ = chain.verify(rows, KEY, keyed_from=len(rows) + 1)
        assert broken.position == keyed_from


@given(entries_strategy, st.data())
def test_deleting_an_entry_is_named(raw, data):
    _, rows = build(raw)
    index = data.draw(st.integers(0, len(rows) - 1))
    position, stored, entry_id, _ = rows[index]
    rows[index] = (position, stored, entry_id, None)
    _, broken, _ = chain.verify(rows, KEY)
    assert (broken.position, broken.entry_id) == (position, entry_id)
    assert "deleted" in broken.problem


@given(entries_strategy, st.data())
def test_deleting_an_entry_and_its_seal_is_named(raw, data):
    _, rows = build(raw)
    point = at_checkpoint(rows)
    index = data.draw(st.integers(0, len(rows) - 1))
    position = rows[index][0]
    del rows[index]
    broken, problem = check(rows, point)
    if index == len(rows):
        # The newest entry and its seal gone together leave a shorter, valid chain:
        # only the checkpoint shows it.
        assert broken is None
        assert problem.startswith("cut short") or problem.startswith("the trail is empty")
        return
    assert broken.position == position


@given(entries_strategy, st.data())
def test_cutting_off_the_newest_entries_is_named_by_the_checkpoint(raw, data):
    _, rows = build(raw)
    point = at_checkpoint(rows)
    kept = data.draw(st.integers(0, len(rows) - 1))
    broken, problem = check(rows[:kept], point)
    assert broken is None
    gone = len(rows) - kept
    if kept == 0:
        assert problem.startswith("the trail is empty")
    else:
        assert f"the newest {gone:,} " in problem


@given(entries_strategy, st.data())
def test_a_chain_that_grew_after_its_checkpoint_still_holds_it(raw, data):
    entries, rows = build(raw)
    cut = data.draw(st.integers(0, len(rows)))
    point = at_checkpoint(rows[:cut])
    assert check(rows, point) == (None, None)
    # But cut and regrown with other entries, it does not.
    if 0 < cut:
        regrown = [(*e[:3], None, *e[4:]) for e in entries[cut - 1 :]]
        hashes = chain.seal(KEY, rows[cut - 2][1] if cut > 1 else chain.GENESIS, regrown)
        rows = rows[: cut - 1] + rows_for(regrown, hashes)
        rows = [(pos, h, e[0], e) for pos, (_, h, _, e) in enumerate(rows, 1)]
        _, problem = check(rows, point)
        assert problem.startswith("rewritten")


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
    _, broken, _ = chain.verify(rows, KEY)
    assert broken.position == rows[i][0]


@given(entries_strategy.filter(lambda r: len(r) >= 2), st.data())
def test_reordering_seals_is_named(raw, data):
    _, rows = build(raw)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    # Give two seals each other's positions: the chain order changes.
    pi, pj = rows[i][0], rows[j][0]
    rows[i], rows[j] = (pi, *rows[j][1:]), (pj, *rows[i][1:])
    _, broken, _ = chain.verify(rows, KEY)
    assert broken.position == pi


@settings(max_examples=50)
@given(entries_strategy)
def test_sealing_in_two_runs_equals_sealing_at_once(raw):
    entries = entries_from(raw)
    cut = len(entries) // 2
    first = chain.seal(KEY, chain.GENESIS, entries[:cut])
    rest = chain.seal(KEY, first[-1] if first else chain.GENESIS, entries[cut:])
    assert first + rest == chain.seal(KEY, chain.GENESIS, entries)


@given(st.binary(min_size=32, max_size=200), st.binary(max_size=300))
def test_the_key_computes_hmac_sha256(secret, message):
    assert chain.Key(secret).mac(message) == hmac.new(secret, message, hashlib.sha256).hexdigest()


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        chain.Key(b"too short")


@given(
    st.integers(0, 10**9),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.integers(1, 10**9),
    st.data(),
)
def test_a_checkpoint_changed_in_any_way_or_marked_with_another_key_is_not_genuine(
    position, head, keyed_from, data
):
    point = chain.checkpoint(KEY, position, head, keyed_from, datetime(2026, 11, 25, tzinfo=UTC))
    assert chain.is_genuine(KEY, point)
    assert not chain.is_genuine(OTHER_KEY, point)
    field = data.draw(st.sampled_from(["position", "hash", "keyed_from", "at", "key_id"]))
    changed = point.as_dict()
    changed[field] = data.draw(
        (
            st.integers(0, 10**9) if field in ("position", "keyed_from") else st.text(max_size=70)
        ).filter(lambda v: v != changed[field])
    )
    assert not chain.is_genuine(KEY, chain.Checkpoint(**changed))


def test_canonical_form_and_keyed_link_are_fixed():
    """The canonical bytes and the link are part of every stored hash: they must never
    drift."""
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
    message = chain.GENESIS.encode() + b"\n" + chain.canonical(entry)
    assert (
        chain.link(KEY, chain.GENESIS, entry) == hmac.new(b"k" * 32, message, "sha256").hexdigest()
    )
    assert chain.unkeyed_link(chain.GENESIS, entry) == hashlib.sha256(message).hexdigest()
    assert chain.link(KEY, chain.GENESIS, entry) == chain.link(KEY, chain.GENESIS, list(entry))


def digested(entries):
    """The same entries as written since they carry digests of their reason and detail."""
    return [(*e, chain.text_digest(e[-2]), chain.detail_digest(e[-1])) for e in entries]


@given(entries_strategy, st.data())
def test_erasing_a_digested_entrys_text_keeps_the_chain_but_altering_it_is_named(raw, data):
    entries = digested(entries_from(raw))
    rows = rows_for(entries, chain.seal(KEY, chain.GENESIS, entries))
    index = data.draw(st.integers(0, len(rows) - 1))
    position, stored, entry_id, entry = rows[index]
    erased = list(entry)
    erased[10], erased[11] = "", {}
    rows[index] = (position, stored, entry_id, tuple(erased))
    assert chain.verify(rows, KEY)[1] is None

    altered = list(entry)
    altered[10] = data.draw(st.text(min_size=1).filter(lambda t: t != entry[10]))
    rows[index] = (position, stored, entry_id, tuple(altered))
    broken = chain.verify(rows, KEY)[1]
    assert broken is not None and broken.position == position

    # Pretending a digested entry was written before digests (dropping them) breaks it.
    rows[index] = (position, stored, entry_id, tuple(entry[:12]))
    assert chain.verify(rows, KEY)[1] is not None
