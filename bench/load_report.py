"""What a load run came to: rows for the results table, and the table of routes."""

from __future__ import annotations

HEAVY = 5_000


def results(args, report) -> list[dict]:
    data = report["data"]
    size = f"{data['kind']}: {data['people']:,} people, {data['concerns']:,} concerns"
    rows = []
    if "users" in report:
        rows.append(_users(args, report["users"], size))
    if "saturation" in report:
        rows.append(_saturation(args, report["saturation"], size))
    if "chronology" in report:
        rows.append(_chronology(report["chronology"], size))
    return [r.as_dict() for r in rows]


def _users(args, users: dict, size: str):
    from bench.benchmarks import Result

    overall = users["overall"]
    return Result(
        name="load-users",
        size=f"{size}; {args.users} users, {args.think:g} s think, {args.seconds:g} s, "
        f"{args.workers} workers",
        result=f"p95 {overall['p95_ms']:.0f} ms, p50 {overall['p50_ms']:.0f} ms, "
        f"{overall['errors']} errors in {overall['requests']:,} requests "
        f"({overall['per_second']:.1f}/s)",
        target="p95 <= 300 ms, 0 errors",
        passed=overall["p95_ms"] <= 300 and overall["errors"] == 0,
        value=overall["p95_ms"],
        unit="ms",
        details=users,
    )


def _saturation(args, saturation: dict, size: str):
    from bench.benchmarks import Result

    one, two = saturation[1], saturation[2]
    ratio = two["per_second"] / one["per_second"] if one["per_second"] else 0.0
    return Result(
        name="load-saturation",
        size=f"{size}; {args.saturation_users} users, no think time, "
        f"{args.saturation_seconds:g} s each",
        result=f"1 worker {one['per_second']:.1f} req/s (p95 {one['p95_ms']:.0f} ms), "
        f"2 workers {two['per_second']:.1f} req/s (p95 {two['p95_ms']:.0f} ms): {ratio:.2f}x; "
        f"errors {one['errors']} and {two['errors']}",
        target="reported; 0 errors",
        passed=one["errors"] == 0 and two["errors"] == 0,
        value=ratio,
        unit="x",
        details=saturation,
    )


def _chronology(chronology: dict, size: str):
    from bench.benchmarks import Result

    page, api = chronology["page"], chronology["api"]
    worst = max(page["p50_ms"], api["p50_ms"])
    return Result(
        name="load-chronology-5000",
        size=f"{size}; one more person with {HEAVY:,} concerns, nearly all reviewed",
        result=f"page p50 {page['p50_ms']:.0f} ms (p95 {page['p95_ms']:.0f}); API p50 "
        f"{api['p50_ms']:.0f} ms (p95 {api['p95_ms']:.0f}); first page, through gunicorn",
        target="p50 <= 150 ms",
        passed=worst <= 150,
        value=worst,
        unit="ms",
        details=chronology,
    )


def print_report(report: dict) -> None:
    if "users" in report:
        _print_routes(report["users"])
    print(f"(sessions {report['sessions']})\n")
    for row in report["results"]:
        print(
            f"{row['name']}: {row['result']}  [{row['size']}]  "
            f"{'pass' if row['passed'] else 'FAIL'} ({row['target']})"
        )


def _print_routes(users: dict) -> None:
    routes = users["routes"]
    width = max((len(r) for r in routes), default=10)
    print(
        f"\n{'route':<{width}}  {'requests':>8}  {'errors':>6}  {'p50':>7}  {'p95':>7}  {'max':>7}"
    )
    for route, s in routes.items():
        print(
            f"{route:<{width}}  {s['requests']:>8}  {s['errors']:>6}  {s['p50_ms']:>5.0f}ms  "
            f"{s['p95_ms']:>5.0f}ms  {s['max_ms']:>5.0f}ms"
        )
    overall = users["overall"]
    print(
        f"{'all':<{width}}  {overall['requests']:>8}  {overall['errors']:>6}  "
        f"{overall['p50_ms']:>5.0f}ms  {overall['p95_ms']:>5.0f}ms  {overall['max_ms']:>5.0f}ms"
    )
    if overall["error_statuses"]:
        print(f"errors by status (0: no answer): {overall['error_statuses']}")
