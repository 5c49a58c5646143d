"""Small-number suppression: the promise made to commissioners that no person can be
identified from an evidence pack. Plain functions of counts, with no database in sight,
so the promise can be read and property-tested alone.

Any count from 1 to threshold - 1 is shown as "<5" (for a threshold of 5); a rate or
median worked out from fewer than threshold records is not shown, nor is a percentage
that would give away a count under threshold of the records it counts or leaves out.
Where a hidden count could be worked out by taking the others from a total shown beside
it, a second count is hidden too ("Not shown")."""

HIDDEN = "Not shown"


def suppress(n: int, threshold: int) -> str:
    """A count as it may be shown: "<5" (for a threshold of 5) for 1 to threshold - 1,
    so a handful of people cannot be picked out. Zero is shown as "0": it says that
    nothing happened, which is about nobody, and hiding it would make a period with
    no concerns look like one with a few."""
    if n < 0:
        raise ValueError("a count cannot be negative")
    if 0 < n < threshold:
        return f"<{threshold}"
    return f"{n:,}"


def too_few(threshold: int) -> str:
    return f"Not shown: fewer than {threshold}"


GIVES_AWAY = "Not shown: it would give away a count under {}"


def rate_text(value: float | None, n: int, unit: str, threshold: int) -> str:
    """A percentage or a median in days, or why it is not shown: one from fewer than
    threshold records could give away a small count, and so could a percentage of n
    records shown beside n when what it counts, or what it leaves out, is 1 to
    threshold - 1 (80% of 5 is 4 of them, and 1 not)."""
    if n == 0 or value is None:
        return "No records"
    if n < threshold:
        return too_few(threshold)
    if unit == "%":
        return GIVES_AWAY.format(threshold) if small_share(value, n, threshold) else f"{value:.1f}%"
    if unit == "points":  # a mean practice score out of 100
        return f"{value:.1f} points"
    return f"{value:.1f} days"


def small_share(percent: float, n: int, threshold: int) -> bool:
    counted = round(percent * n / 100)
    return 0 < counted < threshold or 0 < n - counted < threshold


class Cells:
    """Counts that appear together, with the totals they add up to, so that a hidden
    count cannot be worked out from the others: where a total is shown and only one
    of its parts is hidden, the smallest other non-zero part is hidden too (a zero if
    there is none, the total if nothing else is left); where a hidden total's parts
    are all shown, one of them is hidden. Repeated until nothing changes (each part
    can itself be a total)."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.values: dict[str, int] = {}
        self.groups: list[tuple[str, list[str]]] = []
        self._solved: dict[str, tuple[int | None, str]] | None = None

    def add(self, key: str, value: int) -> str:
        self.values[key] = int(value)
        return key

    def group(self, total: str, parts: list[str]) -> None:
        self.groups.append((total, list(parts)))

    def solve(self) -> dict[str, tuple[int | None, str]]:
        t = self.threshold
        hidden = {k for k, v in self.values.items() if 0 < v < t}
        secondary: set[str] = set()
        changed = True
        while changed:
            changed = False
            for total, parts in self.groups:
                parts_hidden = [p for p in parts if p in hidden]
                exposed = (total not in hidden and len(parts_hidden) == 1) or (
                    total in hidden and not parts_hidden
                )
                if not exposed:
                    continue
                # Rather a count than a zero, and a zero than the total.
                candidates = sorted(
                    (p for p in parts if p not in hidden),
                    key=lambda p: (self.values[p] == 0, self.values[p], p),
                )
                pick = candidates[0] if candidates else total
                hidden.add(pick)
                secondary.add(pick)
                changed = True
        self._solved = {
            k: (None, HIDDEN if k in secondary else suppress(v, t))
            if k in hidden
            else (v, suppress(v, t))
            for k, v in self.values.items()
        }
        return self._solved

    def shown(self, key: str) -> str:
        if self._solved is None:
            self.solve()
        return self._solved[key][1]

    def bar(self, key: str, label: str) -> tuple[str, int | None, str]:
        if self._solved is None:
            self.solve()
        value, shown = self._solved[key]
        return (label, value, shown)
