"""Sharewise as it runs in production: several gunicorn web processes and background
workers on one PostgreSQL, with the database restarted and workers killed under load.

Each test here starts real processes against a cluster of its own (so restarting it
disturbs no other test), made once for the module: PostgreSQL only, run in CI's
PostgreSQL pass."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from glob import glob
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production runs on PostgreSQL"),
]

SEED = """
import json
from django.utils import timezone
from conftest import build_cast, record_concern
from sharewise.organisations.models import ApiToken

c = build_cast()
record_concern(c, days_ago=30)
c.sarah.email = "sarah@example.org"
c.sarah.save()
tokens = {u.username: ApiToken.issue(u, "processes", confirmed_at=timezone.now())[1]
          for u in (c.nia, c.tom, c.sarah)}
print(json.dumps({"tokens": tokens, "alice": c.alice.pk, "night": c.night.pk,
                  "day": c.day.pk}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(args):
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def cluster():
    # Not under pytest's own temporary folder: PostgreSQL's user must reach it.
    place = Path(tempfile.mkdtemp(prefix="sharewise-cluster-"))
    started = subprocess.run(
        [str(ROOT / "scripts/throwaway-postgres"), "start", str(place)],
        capture_output=True,
        text=True,
        check=True,
    )
    url = started.stdout.strip().split("DATABASE_URL=", 1)[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "sharewise.settings",
        "SHAREWISE_DEVELOPMENT": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "SHAREWISE_TRAIL_CHECKPOINT_FILE": str(place / "checkpoints.jsonl"),
        "PYTHONUNBUFFERED": "1",
    }
    try:
        manage(env, "migrate", "--noinput", "-v0")
        seed = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        yield SimpleNamespace(place=place, url=url, env=env, **seed)
    finally:
        subprocess.run([str(ROOT / "scripts/throwaway-postgres"), "stop", str(place)], check=False)


def manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Processes:
    """Web servers and workers started for one test, all stopped at its end."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.running: list[subprocess.Popen] = []

    def web(self, workers: int = 1) -> str:
        port = _free_port()
        process = self._start(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "2",
                "sharewise.wsgi:application",
            ]
        )
        address = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if urllib.request.urlopen(f"{address}/healthz", timeout=10).status == 200:
                    return address
            except OSError:  # not listening yet, or still loading
                pass
            assert process.poll() is None, "the web server stopped"
            time.sleep(0.2)
        raise AssertionError("the web server did not start")

    def worker(self) -> subprocess.Popen:
        return self._start([sys.executable, "manage.py", "worker", "--interval", "0.1"])

    def _start(self, args) -> subprocess.Popen:
        log = open(self.cluster.place / f"process-{len(self.running)}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.cluster.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append(process)
        return process

    def kill(self, process) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait()  # reaped: a zombie would still look alive

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)


@pytest.fixture
def processes(cluster):
    started = Processes(cluster)
    yield started
    started.stop_all()


def call(address, token, method, path, body=None):
    request = urllib.request.Request(
        address + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError):  # no answer at all: counted as refused
        return 0, None


def concern(cluster, team):
    return {
        "person_ids": [cluster.alice],
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "team_id": team,
        "categories": ["neglect"],
        "risk_indicators": ["none"],
        "information_source": "observed",
        "facts": "The call bell was out of reach for the whole night.",
        "persons_wishes": "She wants the bell left by her hand.",
        "sharing_view": "agrees",
        "injury": "none",
        "source_kind": "unknown",
        "immediate_action": "Put the bell in reach and checked on her hourly.",
        "who_was_told": "Nurse in charge",
        "severity": "low",
    }


def sql(cluster, query, params=()):
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as db:
        return db.execute(query, params).fetchall()


def wait_until(check, timeout=60.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def queue_empty(cluster) -> bool:
    return not sql(
        cluster,
        "SELECT 1 FROM django_tasks_database_dbtaskresult"
        " WHERE status IN ('READY', 'RUNNING') LIMIT 1",
    )


def test_two_web_processes_and_two_workers_make_one_alert_and_lose_no_concern(cluster, processes):
    webs = [processes.web(), processes.web()]
    processes.worker()
    processes.worker()
    start = threading.Barrier(4)
    answers = []

    def post(address, token, team):
        start.wait()
        answers.append(call(address, token, "POST", "/api/v1/concerns", concern(cluster, team)))

    senders = [
        threading.Thread(target=post, args=(webs[i % 2], cluster.tokens[who], team))
        for i, (who, team) in enumerate([("nia", cluster.night), ("sarah", cluster.day)] * 2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert [status for status, _ in answers] == [201] * 4, answers
    posted = {body["id"] for _, body in answers}

    for rule in ("cumulative", "cross_team"):
        assert sql(
            cluster,
            "SELECT count(*) FROM patterns_alert WHERE subject = %s AND rule = %s",
            (f"person:{cluster.alice}", rule),
        ) == [(1,)], rule
    assert wait_until(lambda: queue_empty(cluster)), "the workers emptied the queue"
    emails = sql(
        cluster,
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
        ("%send_alert_emails",),
    )
    assert emails and {status for (status,) in emails} == {"SUCCESSFUL"}

    status, chronology = call(
        webs[1], cluster.tokens["sarah"], "GET", f"/api/v1/people/{cluster.alice}/chronology"
    )
    assert status == 200
    assert posted <= {entry["concern_id"] for entry in chronology["entries"]}
    assert chronology["concerns"] == 5
    manage(cluster.env, "seal_trail")
    manage(cluster.env, "verify_trail")  # exits non-zero on any break in the chain


def test_a_database_restart_loses_no_acknowledged_write_and_needs_no_app_restart(
    cluster, processes
):
    web = processes.web(workers=2)
    processes.worker()
    acknowledged, after_restart, refused = [], [], []
    restarted = threading.Event()
    stop = threading.Event()

    def write(token, team):
        while not stop.is_set():
            status, body = call(web, token, "POST", "/api/v1/concerns", concern(cluster, team))
            if status == 201:
                acknowledged.append(body["id"])
                if restarted.is_set():
                    after_restart.append(body["id"])
            else:
                refused.append(status)

    writers = [
        threading.Thread(target=write, args=(cluster.tokens["nia"], cluster.night), daemon=True),
        threading.Thread(target=write, args=(cluster.tokens["sarah"], cluster.day), daemon=True),
    ]
    for writer in writers:
        writer.start()
    time.sleep(2)
    pg_ctl = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    subprocess.run(
        _as_owner(
            [pg_ctl, "-D", str(cluster.place / "data"), "-l", str(cluster.place / "log")]
            + ["-m", "immediate", "-w", "restart"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,  # the server keeps what it inherits open
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    restarted.set()
    try:
        assert wait_until(lambda: len(after_restart) >= 4, timeout=30), (
            f"no writes after the restart: {refused[-5:]}"
        )
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=40)

    kept = {row[0] for row in sql(cluster, "SELECT id FROM concerns_concern")}
    assert set(acknowledged) <= kept, "an acknowledged concern was lost"
    # Only while it was down: a server error or no answer, never a 4xx or a false 201.
    assert all(status == 0 or status >= 500 for status in refused), refused
    assert wait_until(lambda: queue_empty(cluster)), "the worker carried on after the restart"
    print(
        f"\n{len(acknowledged)} concerns acknowledged, all kept; {len(refused)} refused "
        f"while the database restarted; {len(after_restart)} after it"
    )


def test_an_audit_whose_worker_is_killed_completes_on_the_next_worker(cluster, processes):
    today = timezone.localdate()
    status, run = call(
        processes.web(),
        cluster.tokens["sarah"],
        "POST",
        "/api/v1/audits",
        {"period_from": str(today - timedelta(days=60)), "period_to": str(today)},
    )
    assert status == 202, run
    audit = "SELECT status FROM governance_auditrun WHERE id = %s"
    task = (
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
        " WHERE task_path LIKE '%%run_audit' ORDER BY enqueued_at DESC LIMIT 1"
    )
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as holder:
        # Hold the run's row, so the worker is caught part-way through the audit.
        holder.execute("SELECT id FROM governance_auditrun WHERE id = %s FOR UPDATE", [run["id"]])
        first = processes.worker()
        assert wait_until(lambda: sql(cluster, task)[0][0] == "RUNNING", timeout=30)
        time.sleep(0.5)
        processes.kill(first)
        holder.rollback()
    assert sql(cluster, audit, [run["id"]])[0][0] != "done"
    processes.worker()
    assert wait_until(lambda: sql(cluster, audit, [run["id"]])[0][0] == "done", timeout=60)
    status, worker_ids = sql(cluster, task)[0]
    assert status == "SUCCESSFUL" and len(worker_ids) == 2, "run again by a second worker"


def test_a_thousand_tasks_run_once_in_effect_while_workers_are_killed_at_random(cluster, processes):
    sql_setup = (
        "from django.db import connection\n"
        "from tests.fault_tasks import leave_a_mark\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE IF NOT EXISTS fault_marks (n int PRIMARY KEY)')\n"
        "for n in range(1000):\n"
        "    leave_a_mark.enqueue(n)\n"
    )
    manage(cluster.env, "shell", "-c", sql_setup)
    workers = [processes.worker() for _ in range(3)]
    marks = "SELECT count(*), count(DISTINCT n) FROM fault_marks"
    killed = 0
    rng = random.Random(17)
    deadline = time.monotonic() + 180
    while not queue_empty(cluster) and time.monotonic() < deadline:
        time.sleep(rng.uniform(0.5, 1.5))
        victim = workers.pop(rng.randrange(len(workers)))
        processes.kill(victim)
        killed += 1
        workers.append(processes.worker())
        if killed >= 12:
            break
    assert wait_until(lambda: queue_empty(cluster), timeout=120)
    assert sql(cluster, marks) == [(1000, 1000)]
    outcomes = dict(
        sql(
            cluster,
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%%leave_a_mark' GROUP BY status",
        )
    )
    assert outcomes == {"SUCCESSFUL": 1000}, outcomes
    again = sql(
        cluster,
        "SELECT count(*) FROM django_tasks_database_dbtaskresult"
        " WHERE task_path LIKE '%%leave_a_mark' AND jsonb_array_length(worker_ids) > 1",
    )[0][0]
    print(f"\n{killed} workers killed; {again} tasks run again; 1000 marks, each once")
