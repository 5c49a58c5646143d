"""Virtual users for the load benchmark: threads with plain http.client, no Django.

Each user signs in as a real account of the data loaded (a session cookie for pages, a
bearer token for the API), then repeats its role's rounds with think time between
requests until the run's end. Every request is kept as (route, status, seconds, ok)."""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Identity:
    """One account as a virtual user sees it: what it may ask for and with what."""

    role: str  # carer, manager, lead
    cookie: str
    token: str
    team_id: int = 0
    person_ids: list[int] = field(default_factory=list)


@dataclass
class Sample:
    route: str
    status: int
    seconds: float
    ok: bool


class Server:
    """Where requests go, and the headers every one of them carries."""

    def __init__(self, port: int, cookie_name: str, https_proxy: bool):
        self.port = port
        self.cookie_name = cookie_name
        # Production settings redirect plain HTTP unless a proxy says it was HTTPS.
        self.base_headers = {"X-Forwarded-Proto": "https"} if https_proxy else {}

    def request(self, method, path, identity, *, api=False, body=None) -> tuple[int, bytes]:
        headers = dict(self.base_headers)
        if api:
            headers["Authorization"] = f"Bearer {identity.token}"
        else:
            headers["Cookie"] = f"{self.cookie_name}={identity.cookie}"
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class Run:
    """One run of virtual users; samples are shared between their threads."""

    def __init__(self, server: Server, think: float, seconds: float, seed: int = 17):
        self.server, self.think, self.seconds = server, think, seconds
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.reviewed: set[int] = set()
        self.seed = seed
        self.deadline = 0.0

    def timed(self, route, method, path, identity, *, api=False, body=None, expect=(200,)):
        started = time.perf_counter()
        try:
            status, content = self.server.request(method, path, identity, api=api, body=body)
        except (OSError, http.client.HTTPException):
            status, content = 0, b""
        seconds = time.perf_counter() - started
        with self.lock:
            self.samples.append(Sample(route, status, seconds, status in expect))
        return status, content

    def go(self, identities: list[Identity]) -> float:
        """Run every identity as one virtual user until the time is up; the seconds
        it took."""
        started = time.perf_counter()
        self.deadline = started + self.seconds
        threads = [
            threading.Thread(target=self._user, args=(identity, i), daemon=True)
            for i, identity in enumerate(identities)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    def _user(self, identity: Identity, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        rounds = {"carer": self._carer, "manager": self._manager, "lead": self._lead}
        if self.think:  # users arrive spread over one think time, not all at once
            time.sleep(rng.uniform(0, self.think))
        while time.perf_counter() < self.deadline:
            rounds[identity.role](identity, rng)

    def _pause(self, rng: random.Random) -> bool:
        """Think, then say whether there is time for another request."""
        if self.think:
            time.sleep(self.think * rng.uniform(0.5, 1.5))
        return time.perf_counter() < self.deadline

    def _carer(self, identity: Identity, rng: random.Random) -> None:
        """A care worker records a concern about someone in their team, and reads
        chronologies by page and by API."""
        action = rng.choices(["record", "page", "api"], weights=[4, 4, 2])[0]
        person_id = rng.choice(identity.person_ids)
        if action == "record":
            self.timed(
                "POST /api/v1/concerns",
                "POST",
                "/api/v1/concerns",
                identity,
                api=True,
                body=concern(person_id, identity.team_id, rng),
                expect=(201,),
            )
        elif action == "page":
            path = f"/people/{person_id}/chronology/"
            self.timed("GET /people/<id>/chronology/", "GET", path, identity)
        else:
            path = f"/api/v1/people/{person_id}/chronology"
            self.timed("GET /api/v1/people/<id>/chronology", "GET", path, identity, api=True)
        self._pause(rng)

    def _manager(self, identity: Identity, rng: random.Random) -> None:
        """A team manager opens the review queue, picks the soonest concern nobody else
        is reviewing, opens it and reviews it by API."""
        self.timed("GET /reviews/", "GET", "/reviews/", identity)
        if not self._pause(rng):
            return
        status, content = self.timed(
            "GET /api/v1/concerns/awaiting-review",
            "GET",
            "/api/v1/concerns/awaiting-review",
            identity,
            api=True,
        )
        concern_id = self._claim(content) if status == 200 else None
        if concern_id is None or not self._pause(rng):
            self._pause(rng)
            return
        path = f"/concerns/{concern_id}/review/"
        self.timed("GET /concerns/<id>/review/", "GET", path, identity)
        if not self._pause(rng):
            return
        body = {"outcome": "monitor", "rationale": "Read with the chronology; keep watching."}
        path = f"/api/v1/concerns/{concern_id}/review"
        self.timed(
            "POST /api/v1/concerns/<id>/review",
            "POST",
            path,
            identity,
            api=True,
            body=body,
            expect=(201,),
        )
        self._pause(rng)

    def _claim(self, content: bytes) -> int | None:
        with self.lock:
            for item in json.loads(content).get("results", []):
                if item["id"] not in self.reviewed:
                    self.reviewed.add(item["id"])
                    return item["id"]
        return None

    def _lead(self, identity: Identity, rng: random.Random) -> None:
        """The safeguarding lead opens the oversight dashboard, the alerts and the
        review queue."""
        for route in ("/oversight/", "/alerts/", "/reviews/"):
            self.timed(f"GET {route}", "GET", route, identity)
            if not self._pause(rng):
                return


def concern(person_id: int, team_id: int, rng: random.Random) -> dict:
    return {
        "person_ids": [person_id],
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=rng.randint(5, 600))).isoformat(),
        "team_id": team_id,
        "categories": [rng.choice(["neglect", "psychological", "financial", "physical"])],
        "risk_indicators": ["none"],
        "information_source": "observed",
        "facts": "Found without a drink at the evening round.",
        "persons_wishes": "Wants drinks left in reach.",
        "sharing_view": "agrees",
        "immediate_action": "Gave a drink and told the nurse in charge.",
        "who_was_told": "Nurse in charge",
        "severity": rng.choice(["low", "low", "moderate"]),
    }


def summary(samples: list[Sample], seconds: float) -> dict:
    """Per route and overall: requests, errors, p50/p95/max in ms, and throughput."""
    routes = {}
    for route in sorted({s.route for s in samples}):
        routes[route] = _stats([s for s in samples if s.route == route])
    overall = _stats(samples)
    overall["per_second"] = len(samples) / seconds if seconds else 0.0
    overall["seconds"] = seconds
    statuses: dict[str, int] = {}
    for s in samples:
        if not s.ok:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    overall["error_statuses"] = statuses
    return {"overall": overall, "routes": routes}


def _stats(samples: list[Sample]) -> dict:
    times = sorted(s.seconds * 1000 for s in samples)
    if not times:
        return {"requests": 0, "errors": 0, "p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    return {
        "requests": len(times),
        "errors": sum(not s.ok for s in samples),
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        "max_ms": times[-1],
    }


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of an ordered list."""
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]
