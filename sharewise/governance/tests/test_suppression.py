"""The small-number suppression promised to commissioners: no count shown is between
zero and the threshold, and no hidden count can be worked out from the counts and totals
shown beside it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharewise.governance import suppression

# Small numbers


@given(st.integers(0, 10_000), st.integers(1, 50))
def test_suppress_hides_exactly_the_counts_under_the_threshold(n, threshold):
    shown = suppression.suppress(n, threshold)
    if n == 0:
        assert shown == "0"
    elif n < threshold:
        assert shown == f"<{threshold}"
    else:
        assert shown.replace(",", "") == str(n)


def test_suppress_refuses_a_negative_count():
    with pytest.raises(ValueError):
        suppression.suppress(-1, 5)


@given(
    st.lists(st.integers(0, 40), min_size=2, max_size=6),
    st.lists(st.integers(0, 40), min_size=2, max_size=6),
)
def test_no_hidden_count_can_be_worked_out_from_a_table_and_its_totals(row_a, row_b):
    """Two rows by several columns, with row, column and grand totals: after
    protection, every group whose total is shown hides none or at least two of its
    parts, and a hidden total never has all its parts shown."""
    width = min(len(row_a), len(row_b))
    grid = [row_a[:width], row_b[:width]]
    cells = suppression.Cells(5)
    keys = [[cells.add(f"{r}:{c}", v) for c, v in enumerate(row)] for r, row in enumerate(grid)]
    rows = [cells.add(f"row:{r}", sum(row)) for r, row in enumerate(grid)]
    cols = [cells.add(f"col:{c}", grid[0][c] + grid[1][c]) for c in range(width)]
    grand = cells.add("all", sum(map(sum, grid)))
    for r in range(2):
        cells.group(rows[r], keys[r])
    for c in range(width):
        cells.group(cols[c], [keys[0][c], keys[1][c]])
    cells.group(grand, rows)
    cells.group(grand, cols)
    solved = cells.solve()
    for total, parts in cells.groups:
        hidden = [p for p in parts if solved[p][0] is None]
        if solved[total][0] is not None:
            assert len(hidden) != 1
        elif parts:
            assert hidden
    for key, value in cells.values.items():
        value_shown, text = solved[key]
        if 0 < value < 5:
            assert (value_shown, text) == (None, "<5")
        elif value_shown is not None:
            assert text == str(value)


def test_rates_from_few_records_are_not_shown():
    assert suppression.rate_text(80.0, 4, "%", 5) == "Not shown: fewer than 5"
    assert suppression.rate_text(50.0, 10, "%", 5) == "50.0%"
    assert suppression.rate_text(100.0, 5, "%", 5) == "100.0%"
    # 80% of 5 is 4 counted and 1 not; 2.5% of 200 is 5.
    assert suppression.rate_text(80.0, 5, "%", 5) == "Not shown: it would give away a count under 5"
    assert (
        suppression.rate_text(98.0, 200, "%", 5) == "Not shown: it would give away a count under 5"
    )
    assert suppression.rate_text(2.5, 200, "%", 5) == "2.5%"
    assert suppression.rate_text(2.25, 12, "days", 5) == "2.2 days"
    assert suppression.rate_text(None, 0, "days", 5) == "No records"


@given(st.integers(1, 3_000), st.data(), st.integers(2, 20))
def test_a_percentage_shown_never_gives_away_a_small_count(n, data, threshold):
    """Whatever the records, a percentage shown beside its number of records leaves
    both what it counts and what it leaves out at 0 or at least the threshold, to
    within the rounding of what is shown."""
    counted = data.draw(st.integers(0, n))
    percent = round(100 * counted / n, 1)  # as the measures round it
    text = suppression.rate_text(percent, n, "%", threshold)
    if n < threshold:
        assert text.startswith("Not shown")
    elif not text.startswith("Not shown"):
        # Up to 1,000 records a percentage to one decimal place names its count exactly;
        # beyond, it stands for several counts, and the one it seems to name is checked.
        named = counted if n <= 1000 else round(percent * n / 100)
        for part in (named, n - named):
            assert part == 0 or part >= threshold


@given(
    st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=5), min_size=1, max_size=4),
    st.integers(2, 10),
)
def test_no_count_shown_is_above_zero_and_under_the_threshold(groups, threshold):
    """Counts grouped under subtotals and one grand total, as the pack's tables are:
    every count shown is 0 or at least the threshold, every count under it is hidden,
    and each group whose total is shown hides none or at least two of its parts."""
    cells = suppression.Cells(threshold)
    subtotals = []
    for g, parts in enumerate(groups):
        keys = [cells.add(f"{g}:{i}", v) for i, v in enumerate(parts)]
        subtotals.append(cells.add(f"{g}", sum(parts)))
        cells.group(subtotals[-1], keys)
    cells.group(cells.add("all", sum(map(sum, groups))), subtotals)
    solved = cells.solve()
    for key, value in cells.values.items():
        shown, text = solved[key]
        if shown is not None:
            assert shown == value and (value == 0 or value >= threshold)
            assert text.replace(",", "") == str(value)
        else:
            assert text in (f"<{threshold}", suppression.HIDDEN)
            assert (text == f"<{threshold}") == (0 < value < threshold)
    for total, parts in cells.groups:
        hidden = [p for p in parts if solved[p][0] is None]
        if solved[total][0] is not None:
            assert len(hidden) != 1, "a shown total less the shown parts gives the hidden one"
        else:
            assert hidden, "a hidden total is the sum of its parts if they are all shown"


@given(st.integers(0, 10_000), st.integers(1, 50))
def test_a_count_shown_is_never_between_zero_and_the_threshold(n, threshold):
    shown = suppression.suppress(n, threshold)
    if shown.startswith("<"):
        assert 0 < n < threshold
    else:
        value = int(shown.replace(",", ""))
        assert value == 0 or value >= threshold
