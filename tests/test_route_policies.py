"""Every route declares who may call it: it needs a signed-in user, or it is on the public list."""

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.accounts.deps import PUBLIC_ROUTES, authenticated
from app.main import ROUTERS


def _depends_on(dependant: Dependant, target: object) -> bool:
    return any(sub.call is target or _depends_on(sub, target) for sub in dependant.dependencies)


def _routes() -> list[tuple[str, str, APIRoute]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), f"unexpected route type {route!r}"
            for method in sorted(route.methods or ()):
                found.append((method, route.path, route))
    return found


def test_every_route_requires_a_session_or_is_declared_public():
    undeclared = [
        f"{method} {path}"
        for method, path, route in _routes()
        if not _depends_on(route.dependant, authenticated) and (method, path) not in PUBLIC_ROUTES
    ]
    assert undeclared == [], "routes without an access policy: " + ", ".join(undeclared)


def test_public_list_names_only_real_routes():
    real = {(method, path) for method, path, _ in _routes()}
    assert real >= PUBLIC_ROUTES, PUBLIC_ROUTES - real


def test_public_routes_do_not_also_require_a_session():
    """A route on the public list that needs a session is a stale entry that hides mistakes."""
    both = [
        f"{method} {path}"
        for method, path, route in _routes()
        if (method, path) in PUBLIC_ROUTES and _depends_on(route.dependant, authenticated)
    ]
    assert both == []


def test_the_inventory_check_can_fail():
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/api/v1/unguarded")
    def unguarded() -> dict[str, str]:
        return {}

    route = router.routes[0]
    assert isinstance(route, APIRoute)
    assert not _depends_on(route.dependant, authenticated)
    assert ("GET", "/api/v1/unguarded") not in PUBLIC_ROUTES


def test_api_routes_reject_anonymous_callers(client):
    """Walk every non-public API route as an anonymous caller: each answers 401, never data."""
    import re
    import uuid

    for method, path, _route in _routes():
        if (method, path) in PUBLIC_ROUTES or not path.startswith("/api/"):
            continue
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = client.request(method, concrete, json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"


def test_every_get_route_that_records_is_marked_as_writing(client_factory, db):
    """A GET that records (an audit event of who read what) must be marked @records_access: in a
    reading session recording fails every time (on SQLite it used to fail only when someone else
    was writing, so `GET /my-data` answered 500 now and then). Each GET route without a path id,
    as each role: none may fail. (Routes with ids are walked by the authorization matrix.)"""
    from app.models.enums import Role
    from tests.factories import login, make_team, make_user

    team = make_team(db)
    paths = sorted(
        {path for method, path, _ in _routes() if method == "GET" and "{" not in path and path != "/logout"}
    )
    assert "/my-data" in paths
    failed = []
    for role in (Role.participant, Role.clinician, Role.admin):
        client = client_factory()
        login(client, make_user(db, role, team=team))
        for path in paths:
            response = client.get(path)
            if response.status_code >= 500:
                failed.append(f"GET {path} as {role.value}: {response.status_code}")
    assert failed == []


def test_recording_in_a_reading_session_fails_every_time(db):
    from app.audit import service as audit
    from app.db import READS_ONLY, open_session

    with open_session(write=False) as session:
        session.info[READS_ONLY] = True
        with pytest.raises(RuntimeError, match="records_access"):
            audit.record(session, action="entry.read")
