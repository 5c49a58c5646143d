"""Run the benchmarks and print a table; results also go to bench/results/latest.json.

    python bench/run.py            full sizes (about 10 minutes on 2 cores)
    python bench/run.py --quick    small sizes (about a minute)
    python bench/run.py --only person-page
    python bench/run.py --only load   50 users on gunicorn (bench/load.py has the options)

Each benchmark runs in a child process (this script again, with --child) against its
own fresh database, because Django reads DATABASE_URL once at start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402  (needs the path above)
    RESULTS_DIR,
    ROOT,
    bootstrap,
    postgres_database,
    sqlite_database,
)

# Benchmark name -> the database it gets (verify only reads, so fsync may be off).
DATABASES = {
    "generate-people": "sqlite",
    "trail-append-pg-1": "postgres",
    "trail-append-pg-8": "postgres",
    "verify-trail-sqlite": "sqlite",
    "verify-trail-pg": "postgres-fast",
    "verify-trail-plain-sqlite": "sqlite",
    "verify-trail-plain-pg": "postgres-fast",
    "verify-records-sqlite": "sqlite",
    "verify-records-pg": "postgres-fast",
    "person-page": "sqlite",
    "concerns": "sqlite",
    "referrals": "sqlite",
    "governance": "sqlite",
    "record-floor-sqlite": "sqlite",
    "record-floor-pg": "postgres",
    "sign-in-checks-sqlite": "sqlite",
    "sign-in-checks-pg": "postgres",
    "load": "postgres-fast",
    "training-sqlite": "sqlite",
    "training-pg": "postgres",
}
NAMES = list(DATABASES)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument(
        "--only",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(NAMES)}",
    )
    parser.add_argument("--child", choices=NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.quick, args.out)

    rows, started = [], time.perf_counter()
    for name in args.only or NAMES:
        print(f"running {name}{' (quick)' if args.quick else ''}…", file=sys.stderr, flush=True)
        rows.extend(_run_in_child(name, args.quick))
    total = time.perf_counter() - started
    _print_table(rows)
    print(f"\n{sum(r['passed'] for r in rows)}/{len(rows)} passed in {total:.0f} s")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    report = {
        "quick": args.quick,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seconds": total,
        "results": rows,
    }
    (RESULTS_DIR / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(r["passed"] for r in rows) else 1


def _run_in_child(name: str, quick: bool) -> list[dict]:
    database = DATABASES[name]
    if database == "sqlite":
        db = sqlite_database(name)
    else:
        db = postgres_database(name, fast=database == "postgres-fast")
    with (
        db as url,
        tempfile.NamedTemporaryFile(suffix=".json") as out,
        tempfile.TemporaryDirectory() as var,
    ):
        # Checkpoints vouch for one database: the benchmark's own, not the demo's.
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SHAREWISE_TRAIL_CHECKPOINT_FILE": str(Path(var) / "trail-checkpoints.jsonl"),
        }
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            name,
            "--out",
            out.name,
        ]
        completed = subprocess.run(command + (["--quick"] if quick else []), env=env, cwd=ROOT)
        text = Path(out.name).read_text()
    if completed.returncode != 0 or not text:
        return [_failed(name, f"exited with {completed.returncode}")]
    return json.loads(text)


def _child(name: str, quick: bool, out: str) -> int:
    bootstrap()
    from bench.benchmarks import BY_NAME

    results = BY_NAME[name](quick)
    Path(out).write_text(json.dumps([r.as_dict() for r in results]))
    return 0


def _failed(name: str, why: str) -> dict:
    return {
        "name": name,
        "size": "",
        "result": why,
        "target": "",
        "passed": False,
        "value": None,
        "unit": "",
        "details": {},
    }


def _print_table(rows: list[dict]) -> None:
    headers = ["benchmark", "data size", "result", "target", ""]
    table = [
        [r["name"], r["size"], r["result"], r["target"], "pass" if r["passed"] else "FAIL"]
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [headers, *table]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in table:
        print(line.format(*row))


if __name__ == "__main__":
    sys.exit(main())
