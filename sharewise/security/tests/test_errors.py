"""Server errors are logged (path, type, traceback; never the query string, the body or
the exception's words) and counted on /healthz, for pages and the API alike."""

import io
import logging

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import include, path

from sharewise.security import views

NAMED = "Margaret Hale, NHS number 943 476 5919"


def boom(request):
    raise ValueError(f"could not save {NAMED}")


urlpatterns = [path("boom/", boom), path("", include("sharewise.urls"))]


@pytest.fixture
def error_log():
    """What the configured handler of "django.request" writes."""
    handler = logging.getLogger("django.request").handlers[0]
    written = io.StringIO()
    old = handler.setStream(written)
    yield written
    handler.setStream(old)


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


@pytest.mark.urls(__name__)
def test_a_page_that_fails_is_logged_without_personal_data_and_counted(db, browser, error_log):
    _, before = health(browser)

    response = browser.post("/boom/?name=Margaret+Hale", {"notes": "Her son shouts at her"})

    assert response.status_code == 500
    logged = error_log.getvalue()
    assert "Internal Server Error: /boom/" in logged
    assert "builtins.ValueError (message withheld)" in logged
    assert "Traceback (most recent call last)" in logged and "in boom" in logged
    for private in ("Margaret", "943 476 5919", "Her son", "name="):
        assert private not in logged

    _, after = health(browser)
    assert after["server_errors"]["since_start"] == before["server_errors"]["since_start"] + 1
    assert after["server_errors"]["last_hour"] == before["server_errors"]["last_hour"] + 1


def test_an_api_failure_answers_json_and_is_logged_and_counted_the_same_way(
    cast, api, client, error_log, monkeypatch
):
    client.raise_request_exception = False  # the client the api fixture calls with

    def fails(user):
        raise ValueError(f"scope of {NAMED}")

    monkeypatch.setattr("sharewise.api.organisations.structure.scope_for", fails)
    _, before = health(Client())
    caller = api(cast.sarah)

    response = caller.get("/api/v1/me?q=Margaret")

    assert response.status_code == 500
    assert response.json() == {"message": "Something went wrong on our side. It has been logged."}
    assert "Traceback" not in response.content.decode()
    logged = error_log.getvalue()
    assert "Internal Server Error: /api/v1/me" in logged
    assert "builtins.ValueError (message withheld)" in logged
    assert "Margaret" not in logged and caller.secret not in logged
    _, after = health(Client())
    assert after["server_errors"]["since_start"] == before["server_errors"]["since_start"] + 1


def test_the_health_check_needs_no_sign_in_and_says_nothing_about_anyone(cast, client):
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "reachable"
    assert set(body["server_errors"]) == {"since_start", "last_hour", "started_seconds_ago"}
    assert "no-store" in client.get("/healthz")["Cache-Control"]


def test_the_health_check_fails_when_the_database_cannot_be_reached(db, client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Unreachable())
    status, body = health(client)
    assert status == 503
    assert body["status"] == "unavailable" and body["database"] == "unreachable"


def test_the_last_hour_forgets_errors_older_than_an_hour(monkeypatch):
    from sharewise.security import errors

    clock = [1_800_000_000.0]
    monkeypatch.setattr(errors, "_now", lambda: clock[0])
    monkeypatch.setattr(errors, "_per_minute", errors.deque())
    for _ in range(3):
        errors.count_server_error()
    clock[0] += 30 * 60
    errors.count_server_error()
    assert errors.counts()["last_hour"] == 4
    clock[0] += 31 * 60
    assert errors.counts()["last_hour"] == 1
    clock[0] += 60 * 60
    assert errors.counts()["last_hour"] == 0
