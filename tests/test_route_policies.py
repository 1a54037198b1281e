"""Every route declares who may call it: it needs a signed-in user, or it is on the public list."""

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
