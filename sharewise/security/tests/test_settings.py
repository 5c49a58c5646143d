"""Safe defaults: development only when asked for, a secret per installation, production
refusing to start half-configured, and `check --deploy` clean."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.views.debug import get_default_exception_reporter_filter

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k3y-" + "x1Y2z3W4v5" * 6


def python(code, env=None, tmp_path=None):
    """Run code in a fresh interpreter with only the environment given (and PATH)."""
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    if tmp_path is not None:
        clean["SHAREWISE_VAR_DIR"] = str(tmp_path)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path, **extra):
    key_file = tmp_path / "trail.key"
    key_file.write_text("t" * 16 + "0123456789abcdef" * 2)
    return {
        "DJANGO_SETTINGS_MODULE": "sharewise.settings_production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "sharewise.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHAREWISE_TRAIL_KEY_FILE": str(key_file),
        **extra,
    }


SHOW = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SECRET_KEY)"
)


def test_debug_is_off_unless_development_is_asked_for(tmp_path):
    plain = python(SHOW, {"DJANGO_SETTINGS_MODULE": "sharewise.settings"}, tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split()[:2] == ["sharewise.settings", "False"]

    asked = python(
        SHOW,
        {"DJANGO_SETTINGS_MODULE": "sharewise.settings", "SHAREWISE_DEVELOPMENT": "1"},
        tmp_path,
    )
    assert asked.stdout.split()[1] == "True"
    # The old switch no longer turns debug pages on.
    old = python(SHOW, {"DJANGO_SETTINGS_MODULE": "sharewise.settings", "DEBUG": "1"}, tmp_path)
    assert old.stdout.split()[1] == "False"


def test_each_installation_makes_its_own_secret_key_once_readable_by_its_owner_only(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "sharewise.settings"}
    first = python(SHOW, env, tmp_path / "one").stdout.split()[2]
    again = python(SHOW, env, tmp_path / "one").stdout.split()[2]
    other = python(SHOW, env, tmp_path / "two").stdout.split()[2]

    assert first == again != other
    assert first != "dev-only-not-secret-sharewise" and len(first) >= 50
    key_file = tmp_path / "one" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first


def test_a_secret_key_given_is_used_and_no_file_is_made(tmp_path):
    shown = python(
        SHOW, {"DJANGO_SETTINGS_MODULE": "sharewise.settings", "SECRET_KEY": GOOD_KEY}, tmp_path
    )
    assert shown.stdout.split()[2] == GOOD_KEY
    assert not (tmp_path / "secret.key").exists()


@pytest.mark.parametrize(
    "missing, says",
    [
        ("SECRET_KEY", "Set SECRET_KEY: at least 50 random characters"),
        ("ALLOWED_HOSTS", "Set ALLOWED_HOSTS"),
        ("SHAREWISE_TRAIL_KEY_FILE", "Set SHAREWISE_TRAIL_KEY_FILE"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(tmp_path, missing, says):
    env = production_env(tmp_path)
    del env[missing]
    started = python(SHOW, env, tmp_path)
    assert started.returncode != 0
    assert says in started.stderr


def test_production_refuses_the_old_known_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="dev-only-not-secret-sharewise")
    started = python(SHOW, env, tmp_path)
    assert started.returncode != 0
    assert "SECRET_KEY is too short or too simple" in started.stderr


def test_the_wsgi_application_runs_production_settings_unless_told_otherwise(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SETTINGS_MODULE"]
    started = python(
        "import sharewise.wsgi; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        env,
        tmp_path,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["sharewise.settings_production", "False", "True"]

    refused = python("import sharewise.wsgi", {}, tmp_path)
    assert "Set SECRET_KEY" in refused.stderr


def test_check_deploy_finds_nothing_to_fix_in_production_settings(tmp_path):
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **production_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout
    assert "WARNINGS" not in checked.stdout + checked.stderr


def test_error_reports_hide_the_database_address_and_api_tokens(rf):
    request = rf.get(
        "/",
        HTTP_AUTHORIZATION="Bearer sw_secret",
        DATABASE_URL="postgres://app:hunter2@db/sharewise",
    )
    meta = get_default_exception_reporter_filter().get_safe_request_meta(request)
    assert "hunter2" not in meta["DATABASE_URL"]
    assert "sw_secret" not in meta["HTTP_AUTHORIZATION"]
    safe = get_default_exception_reporter_filter().get_safe_settings()
    assert safe["DATABASES"] == "********************"


def test_production_keeps_checked_connections_and_sessions_in_the_database(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], settings.SESSION_ENGINE)"
    )
    shown = python(show, production_env(tmp_path), tmp_path)
    assert shown.stdout.split() == ["60", "True", "django.contrib.sessions.backends.db"]
    assert python(show, production_env(tmp_path, CONN_MAX_AGE="0"), tmp_path).stdout[:2] == "0 "

    refused = python(show, production_env(tmp_path, CONN_MAX_AGE="a minute"), tmp_path)
    assert "CONN_MAX_AGE must be a whole number of seconds, not 'a minute'" in refused.stderr


def gunicorn_config(**env):
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('workers', 'bind', 'access_log_format')}))"
    )
    return python(code, env)


def test_gunicorn_workers_come_from_the_cores_unless_web_concurrency_says(tmp_path):
    import json

    default = json.loads(gunicorn_config().stdout)
    assert default["workers"] == os.cpu_count() * 2 + 1
    assert default["bind"] == ["127.0.0.1:8000"]
    # The access log has the path without the query string, which can carry a name.
    assert "%(U)s" in default["access_log_format"]
    assert "%(r)s" not in default["access_log_format"]
    assert "%(q)s" not in default["access_log_format"]

    given = json.loads(gunicorn_config(WEB_CONCURRENCY="3", SHAREWISE_BIND="0.0.0.0:9000").stdout)
    assert (given["workers"], given["bind"]) == (3, ["0.0.0.0:9000"])
    refused = gunicorn_config(WEB_CONCURRENCY="lots")
    assert refused.returncode != 0
    assert "WEB_CONCURRENCY must be a whole number of workers, 1 or more, not 'lots'" in (
        refused.stderr
    )


def test_gunicorn_refuses_to_start_before_the_static_files_are_collected(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        **production_env(tmp_path),
        "SHAREWISE_STATIC_ROOT": str(tmp_path / "static"),
        "SHAREWISE_BIND": "127.0.0.1:0",
    }
    refused = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert f"No static files in {tmp_path / 'static'}: run `manage.py collectstatic" in (
        refused.stderr
    )
