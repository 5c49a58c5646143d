"""Shared plumbing: bootstrapping Django for a benchmark process, and the throwaway
databases each benchmark runs against."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = ROOT / "var" / "bench"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def bootstrap() -> None:
    """Make `sharewise` and `bench` importable and set Django up. DATABASE_URL must be
    set before this: settings read it once."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharewise.settings")
    # Benchmarks time queries, not the debug toolbar's query log.
    os.environ.setdefault("DEBUG", "0")
    import warnings

    import django

    # Whitenoise warns when collectstatic has not run; benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # alert emails


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def sqlite_database(name: str):
    """A fresh SQLite file under var/bench/, removed afterwards."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / f"{name}.sqlite3"
    _remove_sqlite(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        _remove_sqlite(path)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def postgres_database(name: str, fast: bool = False):
    """A throwaway PostgreSQL cluster (durable unless fast), stopped and removed
    afterwards."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    directory = WORK_DIR / f"pg-{name}"
    script = str(ROOT / "scripts" / "throwaway-postgres")
    subprocess.run([script, "stop", str(directory)], check=False, capture_output=True)
    args = [script, "start", str(directory)] + (["fast"] if fast else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    url = out.strip().split("DATABASE_URL=", 1)[1]
    try:
        yield url
    finally:
        subprocess.run([script, "stop", str(directory)], check=False, capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000
