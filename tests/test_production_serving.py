"""The documented production path works on a clean checkout: with production settings
from the environment, `make serve`'s script runs `collectstatic` and `migrate`, then
gunicorn with the checked-in config serves the health check, a page and its hashed
stylesheet, beside a worker and the scheduler, and all three stop together.

Once per CI run, on PostgreSQL (production's database): a copy of the migrated test
database, so `migrate` has nothing to apply and nothing written here reaches other tests."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.postgres,
    # Asks for the test database even when run alone (it is copied, never written).
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production runs PostgreSQL"),
]


@pytest.fixture
def fresh_database(django_db_setup, django_db_blocker):
    """A database of its own, copied from the migrated test database."""
    import psycopg

    settings = connection.settings_dict
    name = f"serving_{secrets.token_hex(4)}"
    where = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with django_db_blocker.unblock():
        connection.close()  # a template database must have no one connected
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        for attempt in range(20):  # a connection closed a moment ago may linger
            try:
                admin.execute(f'CREATE DATABASE {name} TEMPLATE "{settings["NAME"]}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.25)
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    yield f"postgres://{user}@{settings['HOST']}:{settings['PORT']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(tmp_path, database_url, port):
    key_file = tmp_path / "trail.key"
    key_file.write_text(secrets.token_hex(32))
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "sharewise.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "SHAREWISE_TRAIL_KEY_FILE": str(key_file),
        "SHAREWISE_STATIC_ROOT": str(tmp_path / "static"),
        "SHAREWISE_VAR_DIR": str(tmp_path / "var"),
        "SHAREWISE_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }


def fetch(port, path, **headers):
    """(status, headers, body) without following redirects."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.build_opener(Stay).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


def wait_until_serving(server, port, output):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, output.read_text()
        try:
            return fetch(port, "/healthz")
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered within 2 minutes:\n{output.read_text()}")


def test_make_serve_collects_migrates_serves_and_stops_web_worker_and_scheduler_together(
    tmp_path, fresh_database
):
    """scripts/serve, which `make serve` runs after setting up: check --deploy,
    collectstatic, migrate, then gunicorn (2 workers), a worker and the scheduler."""
    port = free_port()
    env = {**production_env(tmp_path, fresh_database, port), "PY": sys.executable}
    output = tmp_path / "serve.log"
    with output.open("w") as log:
        serve = subprocess.Popen(
            ["scripts/serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status, headers, body = wait_until_serving(serve, port, output)
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert b'"status": "ok"' in body and b'"task_queue"' in body
        serves_a_page_and_its_hashed_stylesheet(port)
        started = children(serve.pid)
        assert len(started) == 3, started

        # One of them ending (here the scheduler, killed) stops the others.
        [scheduler] = [pid for pid, command in started.items() if "scheduler" in command]
        os.kill(scheduler, signal.SIGKILL)
        serve.wait(timeout=60)
        deadline = time.monotonic() + 30
        while group_alive(serve.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_alive(serve.pid), output.read_text()
    finally:
        if group_alive(serve.pid):
            os.killpg(serve.pid, signal.SIGKILL)

    logged = output.read_text()
    assert "No migrations to apply" in logged
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", logged))) == 2
    # The access log has the path, never the query string; each request's JSON line too.
    assert '"GET /sign-in/ HTTP/1.1" 200' in logged
    assert '"route": "login"' in logged
    assert "Ottoline" not in logged and "next=" not in logged


def serves_a_page_and_its_hashed_stylesheet(port):
    # Plain HTTP is sent to HTTPS; through the TLS proxy the sign-in page answers.
    status, headers, _ = fetch(port, "/sign-in/")
    assert status == 301 and headers["Location"] == f"https://127.0.0.1:{port}/sign-in/"
    through_proxy = {"X-Forwarded-Proto": "https"}
    status, _, page = fetch(port, "/sign-in/?next=/people/&who=Ottoline", **through_proxy)
    assert status == 200 and b"Sign in" in page

    stylesheet = re.search(rb'href="(/static/build/sharewise\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links its stylesheet by hashed name"
    status, headers, _ = fetch(
        port, stylesheet[1].decode(), **through_proxy, **{"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]


def children(pid: int) -> dict[int, str]:
    """The processes pid started, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(stat.parent.name)] = (stat.parent / "cmdline").read_text()
        except (OSError, IndexError, ValueError):
            continue
    return found


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
