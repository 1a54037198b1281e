"""The authorization matrix: every route of the app × every kind of caller × every entry state.

Each row below declares, for one (method, path), the request to send and the status every actor
must get; routes that take an entry (in the path or in the body) are sent once per entry state.
The expectations are written out by hand, never computed with the app's own code. For every cell
the test also checks:

- a refused request (any 4xx, and an anonymous call of a non-public route) changed nothing in
  the database: every table is compared before and after, only the sliding idle timeout of login
  sessions is left out (it moves on any signed-in request);
- no answer carries the words of an entry the actor may not read (each entry has its own marker,
  the private one the CANARY);
- list routes (JSON and pages) name exactly the entries, people, teams, shares, responses,
  appointments or invitations the actor may see.

Unsafe requests carry the actor's valid CSRF token, so a refusal is the authorization decision.
A new route without a row here makes `test_every_route_of_the_app_has_a_row` fail.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import LargeBinary, String, cast, func, literal, union_all
from sqlalchemy import select as sa_select

from app.db import get_engine, metadata
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import PASSWORD, login, make_team, make_user
from tests.passkey_authenticator import new_passkey_for
from tests.sharing.conftest import CANARY

ACTORS = ["anonymous", "owner", "fellow", "stranger", "physio", "psych", "physician", "outsider", "admin"]
# private: never shared; team: shared with the whole team; psych_only: shared with one clinician
# (the psychologist); revoked: shared with the psychologist, then taken back; deleted: shared with
# the team, then moved to the trash.
STATES = ["private", "team", "psych_only", "revoked", "deleted"]

# Whose words each actor may read. The owner reads all of their own (the trash included).
READABLE = {
    "anonymous": set(),
    "owner": {"private", "team", "psych_only", "revoked", "deleted"},
    "fellow": {"fellow_private", "fellow_team"},
    "stranger": {"stranger_team"},
    "physio": {"team", "fellow_team"},
    "psych": {"team", "psych_only", "fellow_team"},
    "physician": {"team", "fellow_team"},
    "outsider": {"stranger_team"},
    "admin": set(),
}
ALL_ENTRIES = ["private", "team", "psych_only", "revoked", "deleted", "fellow_private", "fellow_team"]
ALL_ENTRIES += ["stranger_team"]
# The words of each entry; the owner's private entry carries the CANARY of the sharing tests.
MARKERS = {name: f"marker-{name}-{uuid.uuid4().hex[:10]}" for name in ALL_ENTRIES}
MARKERS["private"] = CANARY
MARKERS["fellow_private"] = f"fellow-canary-{uuid.uuid4().hex[:10]}"
# The owner's story, shared with the psychologist only: nobody else may ever get its words.
STORY_MARKER = f"story-canary-{uuid.uuid4().hex[:10]}"
STORY_READERS = {"owner", "psych"}


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    clients: dict[str, Any]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def id(self, category: str, name: str) -> str:
        return self.ids[category][name]

    def entry(self, name: str) -> str:
        return self.ids["entry"][name]

    def user(self, name: str) -> str:
        return self.ids["user"][name]


def _ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def push_subscription(actor: str) -> dict[str, Any]:
    """What a browser's PushSubscription.toJSON() holds (the keys need only the right shape here)."""
    p256dh = "BA" + "A" * 85  # base64url of 65 bytes, the first 0x04
    return {
        "endpoint": f"https://push.example.test/send/{actor}-{uuid.uuid4().hex}",
        "expirationTime": None,
        "keys": {"p256dh": p256dh, "auth": "A" * 22},
        "label": f"Phone of {actor}",
    }


def in_future(days: int = 2) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def _build_world(db, client_factory) -> World:  # type: ignore[no-untyped-def]
    """Two teams; the owner's entries in every state, the others' entries, responses, reads,
    appointments with agendas and pending invitations, all made through the API."""
    rehab, elsewhere = make_team(db, "Rehab team"), make_team(db, "Elsewhere")
    users = {
        "owner": make_user(db, Role.participant, team=rehab, display_name="Anna"),
        "fellow": make_user(db, Role.participant, team=rehab, display_name="Bram"),
        "stranger": make_user(db, Role.participant, team=elsewhere, display_name="Cor"),
        "physio": make_user(db, Role.clinician, team=rehab, discipline=Discipline.physiotherapist),
        "psych": make_user(db, Role.clinician, team=rehab, discipline=Discipline.psychologist),
        "physician": make_user(db, Role.clinician, team=rehab, discipline=Discipline.physician),
        "outsider": make_user(db, Role.clinician, team=elsewhere, discipline=Discipline.psychologist),
        "admin": make_user(db, Role.admin),
        # in no team yet: the one an admin may add to a team
        "newcomer": make_user(db, Role.clinician, discipline=Discipline.physician),
    }
    clients = {"anonymous": client_factory()}
    for name in ACTORS[1:]:
        clients[name] = client_factory()
        login(clients[name], users[name])
    w = World(clients=clients)
    w.ids = {
        "entry": {},
        "share": {},
        "response": {},
        "appointment": {},
        "invitation": {},
        "reset": {},
        "user": {name: str(user.id) for name, user in users.items()},
        "team": {"rehab": str(rehab.id), "elsewhere": str(elsewhere.id)},
    }

    owner_client = clients["owner"]

    def write(author: str, name: str, kind: str, **fields: Any) -> None:
        body = {"kind": kind, "body": f"{MARKERS[name]} words"} | fields
        w.ids["entry"][name] = _ok(clients[author].post("/api/v1/entries", json=body), 201)["id"]
        w.kinds[name] = kind

    write("owner", "private", "disagreement", topic="diagnosis")
    write("owner", "team", "question")
    write("owner", "psych_only", "feeling", intensity=6)
    write("owner", "revoked", "goal")
    write("owner", "deleted", "disagreement", topic="treatment_plan")
    write("fellow", "fellow_private", "thought")
    write("fellow", "fellow_team", "question")
    write("stranger", "stranger_team", "question")

    def share(author: str, name: str, body: dict[str, Any]) -> None:
        url = f"/api/v1/entries/{w.entry(name)}/shares"
        w.ids["share"][name] = _ok(clients[author].post(url, json=body), 201)[0]["id"]

    psych_only = {"clinician_ids": [w.user("psych")]}
    share("owner", "team", {"audience": "team"})
    share("owner", "psych_only", psych_only)
    share("owner", "revoked", psych_only)
    share("owner", "deleted", {"audience": "team"})
    share("fellow", "fellow_team", {"audience": "team"})
    share("stranger", "stranger_team", {"audience": "team"})

    # The psychologist discussed each entry shared with them, before it was revoked or deleted.
    for name, outcome in (("team", None), ("psych_only", None), ("revoked", "agreed"), ("deleted", "agreed")):
        body = {"kind": "discussed"} | ({"outcome": outcome} if outcome else {})
        url = f"/api/v1/entries/{w.entry(name)}/responses"
        w.ids["response"][name] = _ok(clients["psych"].post(url, json=body), 201)["id"]

    # Reads that the participants' access logs show.
    for clinician, participant in (("psych", "owner"), ("physio", "fellow"), ("outsider", "stranger")):
        _ok(clients[clinician].get(f"/api/v1/clinician/participants/{w.user(participant)}/entries"))

    for clinician, participant, agenda in (
        ("psych", "owner", ["team", "psych_only"]),
        ("physio", "fellow", ["fellow_team"]),
        ("outsider", "stranger", ["stranger_team"]),
    ):
        body = {"participant_id": w.user(participant), "starts_at": in_future()}
        appointment = _ok(clients[clinician].post("/api/v1/appointments", json=body), 201)["id"]
        w.ids["appointment"][participant] = appointment
        agenda_body = {"entry_ids": [w.entry(name) for name in agenda]}
        _ok(clients[participant].put(f"/api/v1/appointments/{appointment}/agenda", json=agenda_body))

    for clinician, team in (("physio", "rehab"), ("outsider", "elsewhere")):
        body = {"team_id": w.id("team", team), "role": "participant"}
        w.ids["invitation"][team] = _ok(clients[clinician].post("/api/v1/invitations", json=body), 201)["id"]

    # The owner's story, shared with the psychologist, who read it once.
    _ok(owner_client.put("/api/v1/me/story", json={"base_version": 0, "sections": {"before": STORY_MARKER}}))
    story_share = {"clinician_ids": [w.user("psych")]}
    w.ids["story_share"] = {
        "owner": _ok(owner_client.post("/api/v1/me/story/shares", json=story_share), 201)[0]["id"]
    }
    _ok(clients["psych"].get(f"/api/v1/clinician/participants/{w.user('owner')}/story"))

    # Password resets under way: the physiotherapist's for the owner, the outsider's for the stranger.
    w.ids["reset"] = {}
    for clinician, participant in (("physio", "owner"), ("outsider", "stranger")):
        url = f"/api/v1/participants/{w.user(participant)}/account-resets"
        w.ids["reset"][participant] = _ok(clients[clinician].post(url), 201)["id"]

    owner = clients["owner"]
    # The owner's passkey, made by the software authenticator of the passkey tests.
    options = _ok(owner.post("/api/v1/me/passkey-options", json={"password": PASSWORD}))["options"]
    credential = new_passkey_for(options).registration(options)
    added = owner.post("/api/v1/me/passkeys", json={"name": "Anna's phone", "credential": credential})
    w.ids["passkey"] = {"owner": _ok(added, 201)["id"]}
    # Reminders on the owner's phone: a push subscription as a browser sends it.
    device = owner.post("/api/v1/me/push-devices", json=push_subscription("owner"))
    w.ids["push_device"] = {"owner": _ok(device, 201)["id"]}
    # The owner's goal (the "revoked" entry): reworded once (both wordings carry its marker), rated.
    goal = w.entry("revoked")
    version = _ok(owner.get(f"/api/v1/entries/{goal}"))["version"]
    reworded = {"body": f"{MARKERS['revoked']} reworded", "version": version}
    _ok(owner.patch(f"/api/v1/entries/{goal}", json=reworded))
    w.ids["rating"] = {
        "owner": _ok(owner.post(f"/api/v1/me/goals/{goal}/ratings", json={"value": 4}), 201)["id"]
    }
    # A task the physiotherapist suggested to the owner: answered and tried (both sent), then
    # tried again (not sent: its note carries the CANARY, which no clinician may ever get).
    task = _ok(
        clients["physio"].post(
            f"/api/v1/clinician/participants/{w.user('owner')}/tasks", json={"body": "Walk"}
        ),
        201,
    )
    w.ids["task"] = {"owner": task["id"]}
    _ok(owner.put(f"/api/v1/me/tasks/{task['id']}/answer", json={"answer": "doubts", "note": "Knee"}))
    tried = _ok(owner.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"outcome": "partly"}), 201)
    w.ids["try"] = {"owner": tried["id"]}
    _ok(owner.post(f"/api/v1/me/tasks/{task['id']}/send"))
    _ok(owner.post(f"/api/v1/me/tasks/{task['id']}/tries", json={"outcome": "did_it", "note": CANARY}), 201)
    # Three appointments of the owner with the physiotherapist that took place: one checked in
    # and sent to the physiotherapist, one checked in and kept private (its note carries the
    # CANARY, which no clinician may ever get), one without a check-in yet.
    from app.models import Appointment

    past = [
        Appointment(
            participant_id=users["owner"].id,
            clinician_id=users["physio"].id,
            starts_at=utcnow() - timedelta(days=d),
        )
        for d in (3, 2, 1)
    ]
    db.add_all(past)
    db.commit()
    w.ids["past_appointment"] = {"open": str(past[2].id)}
    checked = owner.post("/api/v1/me/check-ins", json={"appointment_id": str(past[0].id), "heard": 3})
    w.ids["check_in"] = {"owner": _ok(checked, 201)["id"]}
    kept = {"appointment_id": str(past[1].id), "heard": 2, "note": CANARY}
    _ok(owner.post("/api/v1/me/check-ins", json=kept), 201)
    _ok(owner.post(f"/api/v1/me/check-ins/{w.id('check_in', 'owner')}/send"))
    _ok(owner.delete(f"/api/v1/entries/{w.entry('revoked')}/shares/{w.id('share', 'revoked')}"))
    _ok(owner.delete(f"/api/v1/entries/{w.entry('deleted')}"))
    for name in STATES:
        w.versions[name] = _ok(owner.get(f"/api/v1/entries/{w.entry(name)}"))["version"]
    return w


def _dump() -> dict[str, list[dict[str, Any]]]:
    with get_engine().connect() as connection:
        return {
            table.name: [dict(row) for row in connection.execute(table.select()).mappings().all()]
            for table in metadata.sorted_tables
        }


def _restore(dump: dict[str, list[dict[str, Any]]]) -> None:
    with get_engine().begin() as connection:
        for table in metadata.sorted_tables:
            if dump[table.name]:
                connection.execute(table.insert(), dump[table.name])


@pytest.fixture(autouse=True)
def _empty_tables(database_url: str) -> Iterator[None]:
    """Overrides the suite's TRUNCATE with DELETE: on a few rows it is many times faster on
    PostgreSQL, and this module empties the tables once per route."""
    yield
    with get_engine().begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


# The world is built through the API once per run and copied back, row for row, for every
# test after that (the suite empties all tables after each test). The signed-in clients come
# back with the same session cookie and CSRF token: their login sessions are restored too.
_BUILT: dict[str, Any] = {}


@pytest.fixture
def world(db, client_factory) -> World:
    if not _BUILT:
        w = _build_world(db, client_factory)
        _BUILT["dump"] = _dump()
        _BUILT["world"] = w
        _BUILT["sessions"] = {
            name: (client.cookies.get("stem_session"), client.headers.get("X-CSRF-Token"))
            for name, client in w.clients.items()
        }
        return w
    _restore(_BUILT["dump"])
    built: World = _BUILT["world"]
    clients = {}
    for name, (cookie, token) in _BUILT["sessions"].items():
        clients[name] = client_factory()
        if cookie is not None:
            clients[name].cookies.set("stem_session", cookie)
            clients[name].headers["X-CSRF-Token"] = token
    return World(clients=clients, ids=built.ids, versions=built.versions, kinds=built.kinds)


# --- how a row is written -------------------------------------------------------------------

Expect = dict[str, int | dict[str, int]]


def E(**codes: int | dict[str, int]) -> Expect:  # noqa: N802
    """The status for each of the nine actors (all must be named)."""
    assert sorted(codes) == sorted(ACTORS), sorted(set(ACTORS) ^ set(codes))
    return codes


def S(private: int, team: int, psych_only: int, revoked: int, deleted: int) -> dict[str, int]:  # noqa: N802
    """One status per entry state, in the order of STATES."""
    return dict(zip(STATES, (private, team, psych_only, revoked, deleted), strict=True))


def role_gate(*, participant: int | dict[str, int], staff: int, anon: int = 401, owner: Any = None) -> Expect:
    """Most participant-only routes: other participants by `participant`, everyone else by role."""
    return E(
        anonymous=anon,
        owner=participant if owner is None else owner,
        fellow=participant,
        stranger=participant,
        physio=staff,
        psych=staff,
        physician=staff,
        outsider=staff,
        admin=staff,
    )


Body = Callable[[World, str, str | None], Any]


@dataclass
class Row:
    method: str
    path: str
    expect: Expect
    entry: bool = False  # sent once per entry state
    json: Body | None = None
    form: Body | None = None
    # (category, {actor: {names}} or {actor: {state: {names}}}): exactly these ids of the
    # category appear in a successful answer
    lists: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    public: bool = False
    # tables a refused request may write: a failed sign-in is counted and logged
    may_write: frozenset[str] = frozenset()
    # which appointment {appointment_id} means for this actor (default: the owner's)
    appointment_of: Callable[[str], str] = lambda actor: "owner"

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def _entry_of(w: World, state: str | None) -> str:
    assert state is not None
    return w.entry(state)


def _share_of(w: World, state: str) -> str:
    # The private entry has no share: its cell tries the team entry's share through it.
    return w.id("share", "team" if state == "private" else state)


def _response_of(w: World, state: str) -> str:
    # The private entry has no response: its cell tries the team entry's response through it.
    return w.id("response", "team" if state == "private" else state)


def _future_day() -> str:
    return (utcnow() + timedelta(days=3)).date().isoformat()


# Shorthands for readable tables.
PAGE_ANON = 303  # a page sends an anonymous caller to the sign-in page
EVERYONE = {actor: 200 for actor in ACTORS}
ANY_SIGNED_IN_200 = {actor: 200 for actor in ACTORS} | {"anonymous": 401}
ANY_SIGNED_IN_303 = {actor: 303 for actor in ACTORS}  # a form, sent back (anonymous: to sign in)
ADMIN_ONLY = {actor: 403 for actor in ACTORS} | {"anonymous": 401}
NEW_PASSWORD = "a new and long passphrase 42"
# Well-formed answers of a passkey ceremony that no challenge of the caller's browser expects.
BOGUS_NEW_PASSKEY = {
    "id": "AAAA",
    "rawId": "AAAA",
    "type": "public-key",
    "response": {"clientDataJSON": "AAAA", "attestationObject": "AAAA"},
}
BOGUS_ASSERTION = {
    "id": "AAAA",
    "rawId": "AAAA",
    "type": "public-key",
    "response": {"clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA"},
}
ONLY_THE_OWNER_404 = {actor: 404 for actor in ACTORS if actor not in ("anonymous", "owner")}

USERS = ["owner", "fellow", "stranger", "physio", "psych", "physician", "outsider", "admin", "newcomer"]
REHAB = {"owner", "fellow", "physio", "psych", "physician"}
REHAB_CLINICIANS = {"physio", "psych", "physician"}
CLINICIANS_SEE_PARTICIPANTS = {
    "physio": {"owner", "fellow"},
    "psych": {"owner", "fellow"},
    "physician": {"owner", "fellow"},
    "outsider": {"stranger"},
}
OWNER_LIVE = {"private", "team", "psych_only", "revoked"}
OWNER_ALL = OWNER_LIVE | {"deleted"}
FELLOW_ALL = {"fellow_private", "fellow_team"}


def _by_actor(**sets: set[str]) -> dict[str, set[str]]:
    return sets


def per_state(
    private: set[str], team: set[str], psych_only: set[str], revoked: set[str], deleted: set[str]
) -> dict[str, set[str]]:
    """One expected set per entry state, in the order of STATES."""
    return dict(zip(STATES, (private, team, psych_only, revoked, deleted), strict=True))


# The table. One row per (method, path); E(...) names the status for each actor, S(...) one
# status per entry state in the order private, team, psych_only, revoked, deleted.
# fmt: off
ROWS: list[Row] = [
    # --- public: the same for everyone ---------------------------------------------------------
    Row("GET", "/healthz", dict(EVERYONE), public=True),
    Row("GET", "/readyz", dict(EVERYONE), public=True),
    Row("GET", "/sw.js", dict(EVERYONE), public=True),
    Row("GET", "/manifest.webmanifest", dict(EVERYONE), public=True),
    Row("GET", "/offline", dict(EVERYONE), public=True),
    Row("GET", "/help", dict(EVERYONE), public=True),
    Row("GET", "/openapi.json", dict(EVERYONE), public=True),
    Row("HEAD", "/openapi.json", dict(EVERYONE), public=True),
    Row("GET", "/docs", dict(EVERYONE), public=True),
    Row("HEAD", "/docs", dict(EVERYONE), public=True),
    Row("GET", "/docs/oauth2-redirect", dict(EVERYONE), public=True),
    Row("HEAD", "/docs/oauth2-redirect", dict(EVERYONE), public=True),
    Row("GET", "/redoc", dict(EVERYONE), public=True),
    Row("HEAD", "/redoc", dict(EVERYONE), public=True),
    Row("GET", "/join", dict(EVERYONE), public=True),
    Row("GET", "/login", public=True,
        expect=E(anonymous=200, owner=303, fellow=303, stranger=303, physio=303, psych=303,
                 physician=303, outsider=303, admin=303)),
    Row("GET", "/", public=True,
        expect=E(anonymous=303, owner=200, fellow=200, stranger=200, physio=200, psych=200,
                 physician=200, outsider=200, admin=200),
        # a participant's home: the three most recent entries
        lists=[("entry", _by_actor(owner={"team", "psych_only", "revoked"},
                                   fellow={"fellow_private", "fellow_team"}, stranger={"stranger_team"},
                                   physio=set(), psych=set(), physician=set(), outsider=set(),
                                   admin=set()))]),
    # A failed sign-in is refused alike for everyone (and counted: throttling and audit).
    Row("POST", "/api/v1/auth/login", {actor: 401 for actor in ACTORS}, public=True,
        json=lambda w, a, s: {"username": f"nobody-{a}", "password": "wrong password"},
        may_write=frozenset({"login_throttles", "audit_events"})),
    Row("POST", "/login", {actor: 401 for actor in ACTORS}, public=True,
        form=lambda w, a, s: {"username": f"nobody-{a}", "password": "wrong password"},
        may_write=frozenset({"login_throttles", "audit_events"})),
    Row("POST", "/api/v1/auth/register", {actor: 422 for actor in ACTORS}, public=True,
        json=lambda w, a, s: {"invitation_code": "NOPE", "username": f"new-{a}",
                              "display_name": "New", "password": PASSWORD}),
    Row("POST", "/join", {actor: 422 for actor in ACTORS}, public=True,
        form=lambda w, a, s: {"invitation_code": "NOPE", "username": f"new-{a}",
                              "display_name": "New", "password": PASSWORD}),
    # A forgotten password: a wrong recovery code is refused alike for everyone (and counted).
    Row("POST", "/api/v1/auth/recover", {actor: 401 for actor in ACTORS}, public=True,
        json=lambda w, a, s: {"username": f"nobody-{a}", "recovery_code": "AAAA-BBBB",
                              "new_password": NEW_PASSWORD},
        may_write=frozenset({"login_throttles", "audit_events"})),
    Row("GET", "/recover", public=True,
        expect=E(anonymous=200, owner=303, fellow=303, stranger=303, physio=303, psych=303,
                 physician=303, outsider=303, admin=303)),
    Row("POST", "/recover", {actor: 401 for actor in ACTORS}, public=True,
        form=lambda w, a, s: {"username": f"nobody-{a}", "recovery_code": "AAAA-BBBB",
                              "new_password": NEW_PASSWORD},
        may_write=frozenset({"login_throttles", "audit_events"})),
    # Signing in with a passkey: options for anyone; an answer to no challenge of this browser is
    # refused alike for everyone (and counted per address, and logged).
    Row("POST", "/api/v1/auth/passkey-options", dict(EVERYONE), public=True),
    Row("POST", "/api/v1/auth/passkey", {actor: 401 for actor in ACTORS}, public=True,
        json=lambda w, a, s: {"credential": BOGUS_ASSERTION},
        may_write=frozenset({"login_throttles", "audit_events"})),
    Row("POST", "/language", {actor: 303 for actor in ACTORS}, public=True,
        form=lambda w, a, s: {"locale": "en", "next": "/",
                              "csrf_token": w.clients[a].headers.get("X-CSRF-Token", "")}),
    # --- one's own account: every signed-in user, for themselves only ----------------------------
    Row("GET", "/api/v1/me", ANY_SIGNED_IN_200),
    Row("PATCH", "/api/v1/me", ANY_SIGNED_IN_200, json=lambda w, a, s: {"display_name": f"Renamed {a}"}),
    Row("POST", "/api/v1/me/password",
        E(anonymous=401, owner=204, fellow=204, stranger=204, physio=204, psych=204, physician=204,
          outsider=204, admin=204),
        json=lambda w, a, s: {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    Row("POST", "/api/v1/me/sessions/revoke-all", ANY_SIGNED_IN_200),
    Row("POST", "/api/v1/auth/logout",
        E(anonymous=401, owner=204, fellow=204, stranger=204, physio=204, psych=204, physician=204,
          outsider=204, admin=204)),
    Row("GET", "/account",
        E(anonymous=PAGE_ANON, owner=200, fellow=200, stranger=200, physio=200, psych=200,
          physician=200, outsider=200, admin=200)),
    Row("POST", "/account/profile", ANY_SIGNED_IN_303,
        form=lambda w, a, s: {"display_name": f"Renamed {a}", "locale": "en", "time_zone": "Europe/Amsterdam"}),
    Row("POST", "/account/password", ANY_SIGNED_IN_303,
        form=lambda w, a, s: {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    Row("POST", "/account/sessions/revoke-all", ANY_SIGNED_IN_303),
    Row("GET", "/api/v1/me/recovery-codes", ANY_SIGNED_IN_200),
    Row("POST", "/api/v1/me/recovery-codes",
        E(anonymous=401, owner=201, fellow=201, stranger=201, physio=201, psych=201, physician=201,
          outsider=201, admin=201),
        json=lambda w, a, s: {"password": PASSWORD}),
    Row("POST", "/account/recovery-codes",
        E(anonymous=PAGE_ANON, owner=200, fellow=200, stranger=200, physio=200, psych=200,
          physician=200, outsider=200, admin=200),
        form=lambda w, a, s: {"password": PASSWORD}),
    # Passkeys: one's own only. {passkey_id} is the owner's; for anyone else it does not exist.
    Row("GET", "/api/v1/me/passkeys", ANY_SIGNED_IN_200,
        lists=[("passkey", _by_actor(owner={"owner"}, fellow=set(), stranger=set(), physio=set(), psych=set(),
                                     physician=set(), outsider=set(), admin=set()))]),
    Row("POST", "/api/v1/me/passkey-options", ANY_SIGNED_IN_200, json=lambda w, a, s: {"password": PASSWORD}),
    # no challenge of this browser and session: refused alike for everyone signed in
    Row("POST", "/api/v1/me/passkeys", {actor: 422 for actor in ACTORS} | {"anonymous": 401},
        json=lambda w, a, s: {"name": "Mine", "credential": BOGUS_NEW_PASSKEY}),
    Row("DELETE", "/api/v1/me/passkeys/{passkey_id}", E(anonymous=401, owner=204, **ONLY_THE_OWNER_404)),
    Row("GET", "/account/passkeys/{passkey_id}/remove", E(anonymous=PAGE_ANON, owner=200, **ONLY_THE_OWNER_404)),
    Row("POST", "/account/passkeys/{passkey_id}/remove", E(anonymous=PAGE_ANON, owner=303, **ONLY_THE_OWNER_404)),
    # Reminders (Web Push): one's own devices and settings only. {device_id} is the owner's phone.
    Row("GET", "/api/v1/me/push-key", ANY_SIGNED_IN_200),
    Row("GET", "/api/v1/me/push-devices", ANY_SIGNED_IN_200,
        lists=[("push_device", _by_actor(owner={"owner"}, fellow=set(), stranger=set(), physio=set(),
                                         psych=set(), physician=set(), outsider=set(), admin=set()))]),
    Row("POST", "/api/v1/me/push-devices",
        E(anonymous=401, owner=201, fellow=201, stranger=201, physio=201, psych=201, physician=201,
          outsider=201, admin=201),
        json=lambda w, a, s: push_subscription(a)),
    Row("DELETE", "/api/v1/me/push-devices/{device_id}", E(anonymous=401, owner=204, **ONLY_THE_OWNER_404)),
    Row("POST", "/account/push-devices/{device_id}/remove",
        E(anonymous=PAGE_ANON, owner=303, **ONLY_THE_OWNER_404)),
    Row("GET", "/api/v1/me/reminder-settings", ANY_SIGNED_IN_200),
    Row("PATCH", "/api/v1/me/reminder-settings", ANY_SIGNED_IN_200,
        json=lambda w, a, s: {"appointment_tomorrow_at": "19:30"}),
    Row("POST", "/account/reminders", ANY_SIGNED_IN_303,
        form=lambda w, a, s: {"appointment_tomorrow": "on", "appointment_tomorrow_at": "19:30",
                              "quiet_from": "22:00", "quiet_until": "07:00"}),
    Row("POST", "/logout", ANY_SIGNED_IN_303),
    # --- "My story": the participant's own; shared with the psychologist only -----------------
    Row("GET", "/api/v1/me/story", role_gate(participant=200, staff=403)),
    Row("PUT", "/api/v1/me/story", role_gate(participant=200, staff=403),
        json=lambda w, a, s: {"base_version": 1 if a == "owner" else 0, "sections": {"hope": "new words"}}),
    Row("GET", "/api/v1/me/story/versions", role_gate(participant=200, staff=403)),
    Row("GET", "/api/v1/me/story/versions/{number}", role_gate(participant=404, staff=403, owner=200)),
    # the others have no story to share
    Row("POST", "/api/v1/me/story/shares", role_gate(participant=409, staff=403, owner=201),
        json=lambda w, a, s: {"audience": "team"}),
    Row("DELETE", "/api/v1/me/story/shares/{story_share_id}", role_gate(participant=404, staff=403, owner=200)),
    Row("GET", "/api/v1/me/story/readers", role_gate(participant=200, staff=403)),
    Row("GET", "/story", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("POST", "/story", role_gate(participant=303, staff=403, anon=PAGE_ANON),
        form=lambda w, a, s: {"version": "1" if a == "owner" else "0", "hope": "new words"}),
    Row("GET", "/story/versions", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("GET", "/story/versions/{number}", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=200)),
    Row("POST", "/story/share", role_gate(participant=409, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"audience": "team"}),
    Row("POST", "/story/shares/{story_share_id}/revoke",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    # --- goals of my own: {goal_id} is the owner's goal (the revoked entry), {rating_id} its rating ---
    Row("GET", "/api/v1/me/goals", role_gate(participant=200, staff=403)),
    Row("PUT", "/api/v1/me/goal-order", role_gate(participant=200, staff=403),
        json=lambda w, a, s: {"ids": []}),
    Row("GET", "/api/v1/me/goals/{goal_id}", role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/api/v1/me/goals/{goal_id}/ratings", role_gate(participant=404, staff=403, owner=201),
        json=lambda w, a, s: {"value": 7}),
    Row("DELETE", "/api/v1/me/goals/{goal_id}/ratings/{rating_id}",
        role_gate(participant=404, staff=403, owner=204)),
    Row("GET", "/goals", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("POST", "/goals/{goal_id}/ratings", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"value": "7"}),
    Row("POST", "/goals/{goal_id}/ratings/{rating_id}/delete",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/goals/{goal_id}/move", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"direction": "down"}),
    # --- tasks: {task_id} is the physiotherapist's task for the owner, {try_id} the owner's sent try ---
    Row("GET", "/api/v1/clinician/participants/{participant_id}/tasks",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=404, admin=403)),
    Row("POST", "/api/v1/clinician/participants/{participant_id}/tasks",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=201, psych=201, physician=201,
          outsider=404, admin=403),
        json=lambda w, a, s: {"body": "Stretch in the morning"}),
    Row("PATCH", "/api/v1/clinician/tasks/{task_id}",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=404, physician=404,
          outsider=404, admin=403),
        json=lambda w, a, s: {"body": "Walk a little", "version": 1}),
    Row("POST", "/api/v1/clinician/tasks/{task_id}/withdraw",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=404, physician=404,
          outsider=404, admin=403)),
    Row("GET", "/api/v1/me/tasks", role_gate(participant=200, staff=403)),
    Row("GET", "/api/v1/me/tasks/{task_id}", role_gate(participant=404, staff=403, owner=200)),
    Row("PUT", "/api/v1/me/tasks/{task_id}/answer", role_gate(participant=404, staff=403, owner=200),
        json=lambda w, a, s: {"answer": "fits"}),
    Row("POST", "/api/v1/me/tasks/{task_id}/tries", role_gate(participant=404, staff=403, owner=201),
        json=lambda w, a, s: {"outcome": "did_it"}),
    Row("DELETE", "/api/v1/me/tasks/{task_id}/tries/{try_id}", role_gate(participant=404, staff=403, owner=204)),
    Row("POST", "/api/v1/me/tasks/{task_id}/send", role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/api/v1/me/tasks/{task_id}/unsend", role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/api/v1/me/tasks/{task_id}/raise", role_gate(participant=404, staff=403, owner=201),
        json=lambda w, a, s: {"body": "About the walking"}),
    Row("GET", "/plan", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("GET", "/plan/{task_id}", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=200)),
    Row("POST", "/plan/{task_id}/answer", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"answer": "fits"}),
    Row("POST", "/plan/{task_id}/tries", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"outcome": "did_it"}),
    Row("POST", "/plan/{task_id}/tries/{try_id}/delete",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/plan/{task_id}/send", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/plan/{task_id}/unsend", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/plan/{task_id}/raise", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"body": "About the walking"}),
    Row("POST", "/clinician/participants/{participant_id}/tasks",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=303, psych=303,
          physician=303, outsider=404, admin=403),
        form=lambda w, a, s: {"body": "Stretch in the morning"}),
    Row("POST", "/clinician/tasks/{task_id}/edit",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=303, psych=404,
          physician=404, outsider=404, admin=403),
        form=lambda w, a, s: {"body": "Walk a little", "version": "1"}),
    Row("POST", "/clinician/tasks/{task_id}/withdraw",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=303, psych=404,
          physician=404, outsider=404, admin=403)),
    # --- check-ins: {check_in_id} is the owner's (about the physiotherapist, sent to them) ---
    Row("GET", "/api/v1/me/check-ins", role_gate(participant=200, staff=403)),
    Row("GET", "/api/v1/me/check-ins-due", role_gate(participant=200, staff=403)),
    Row("POST", "/api/v1/me/check-ins", role_gate(participant=422, staff=403, owner=201),
        json=lambda w, a, s: {"appointment_id": w.id("past_appointment", "open"), "heard": 6}),
    Row("GET", "/api/v1/me/check-ins/{check_in_id}", role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/api/v1/me/check-ins/{check_in_id}/send", role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/api/v1/me/check-ins/{check_in_id}/unsend", role_gate(participant=404, staff=403, owner=200)),
    Row("DELETE", "/api/v1/me/check-ins/{check_in_id}", role_gate(participant=404, staff=403, owner=204)),
    Row("GET", "/api/v1/clinician/participants/{participant_id}/check-ins",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=404, admin=403)),
    Row("GET", "/check-ins", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("GET", "/check-ins/new", role_gate(participant=404, staff=403, anon=PAGE_ANON)),
    Row("POST", "/check-ins", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303),
        form=lambda w, a, s: {"appointment_id": w.id("past_appointment", "open"), "heard": "6"}),
    Row("GET", "/check-ins/{check_in_id}", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=200)),
    Row("POST", "/check-ins/{check_in_id}/send", role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/check-ins/{check_in_id}/unsend",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/check-ins/{check_in_id}/delete",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    # FHIR: the participant's own record; a clinician's summary of what is shared with them
    Row("GET", "/api/v1/me/export/fhir", role_gate(participant=200, staff=403)),
    Row("GET", "/api/v1/clinician/participants/{participant_id}/fhir",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=404, admin=403)),
    Row("GET", "/api/v1/clinician/participants/{participant_id}/story",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=404, psych=200, physician=404,
          outsider=404, admin=403)),
    # --- a care-team assisted password reset: {reset_id} is the physiotherapist's for the owner ---
    # (one is under way already, so the owner's team is told so when starting another)
    Row("POST", "/api/v1/participants/{participant_id}/account-resets",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=409, psych=409, physician=409,
          outsider=404, admin=403)),
    Row("POST", "/clinician/participants/{participant_id}/account-reset",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=409, psych=409,
          physician=409, outsider=404, admin=403)),
    Row("GET", "/api/v1/account-resets",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=200, admin=200),
        lists=[("reset", _by_actor(physio={"owner"}, psych={"owner"}, physician={"owner"},
                                   outsider={"stranger"}, admin={"owner", "stranger"}))]),
    Row("GET", "/api/v1/account-resets/{reset_id}",
        E(anonymous=401, owner=200, fellow=404, stranger=404, physio=200, psych=200, physician=200,
          outsider=404, admin=200)),
    Row("GET", "/account-resets/{reset_id}",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=200, psych=200,
          physician=200, outsider=404, admin=200)),
    # a second person approves: never the one who started it
    Row("POST", "/api/v1/account-resets/{reset_id}/approve",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=403, psych=200, physician=200,
          outsider=404, admin=200)),
    Row("POST", "/account-resets/{reset_id}/approve",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=403, psych=303,
          physician=303, outsider=404, admin=303)),
    # only the one who started it makes the code, and only after approval (not yet here)
    Row("POST", "/api/v1/account-resets/{reset_id}/code",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=409, psych=403, physician=403,
          outsider=404, admin=403)),
    Row("POST", "/account-resets/{reset_id}/code",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=409, psych=403,
          physician=403, outsider=404, admin=403)),
    Row("POST", "/api/v1/account-resets/{reset_id}/cancel",
        E(anonymous=401, owner=200, fellow=404, stranger=404, physio=200, psych=200, physician=200,
          outsider=404, admin=200)),
    Row("POST", "/account-resets/{reset_id}/cancel",
        E(anonymous=PAGE_ANON, owner=303, fellow=404, stranger=404, physio=303, psych=303,
          physician=303, outsider=404, admin=303)),
    Row("GET", "/api/v1/me/account-resets", role_gate(participant=200, staff=403),
        lists=[("reset", _by_actor(owner={"owner"}, fellow=set(), stranger={"stranger"}))]),
    Row("POST", "/api/v1/me/account-resets/{reset_id}/read", role_gate(participant=404, staff=403, owner=204)),
    Row("POST", "/account-resets/{reset_id}/read",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    # --- a participant's own data ----------------------------------------------------------------
    Row("DELETE", "/api/v1/me", role_gate(participant=204, staff=403),
        json=lambda w, a, s: {"password": PASSWORD, "confirm": True}),
    Row("POST", "/my-data/erase", role_gate(participant=303, staff=403, anon=PAGE_ANON),
        form=lambda w, a, s: {"password": PASSWORD, "confirm": "yes"}),
    Row("GET", "/api/v1/me/export", role_gate(participant=200, staff=403),
        lists=[("entry", _by_actor(owner=OWNER_ALL, fellow=FELLOW_ALL, stranger={"stranger_team"}))]),
    # the page shows the words, without links: the words of all of one's entries, the trash included
    Row("GET", "/my-data", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("words", _by_actor(owner=OWNER_ALL, fellow=FELLOW_ALL, stranger={"stranger_team"}))]),
    # what was read before it was revoked or deleted stays in the log
    Row("GET", "/api/v1/me/access-log", role_gate(participant=200, staff=403),
        lists=[("entry", _by_actor(owner={"team", "psych_only", "revoked", "deleted"},
                                   fellow={"fellow_team"}, stranger={"stranger_team"}))]),
    # clinicians who joined the team later (in this world nobody joined after a team share)
    Row("GET", "/api/v1/me/team-joiners", role_gate(participant=200, staff=403)),
    # {clinician_id}: the psychologist, who joined the team after the owner and the fellow
    Row("PUT", "/api/v1/me/team-joiners/{clinician_id}",
        role_gate(participant=200, staff=403) | {"stranger": 404},
        json=lambda w, a, s: {"allowed": True}),
    Row("POST", "/team-joiners/{clinician_id}",
        role_gate(participant=303, staff=403, anon=PAGE_ANON) | {"stranger": 404},
        form=lambda w, a, s: {"allowed": "yes"}),
    # (the page links no entry that is in the trash)
    Row("GET", "/access-log", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("entry", _by_actor(owner={"team", "psych_only", "revoked"},
                                   fellow={"fellow_team"}, stranger={"stranger_team"}))]),
    # --- the journal -----------------------------------------------------------------------------
    Row("POST", "/api/v1/entries", role_gate(participant=201, staff=403),
        json=lambda w, a, s: {"kind": "thought", "body": "new words"}),
    Row("POST", "/write", role_gate(participant=303, staff=403, anon=PAGE_ANON),
        form=lambda w, a, s: {"id": str(uuid.uuid4()), "kind": "thought", "body": "new words"}),
    Row("GET", "/write", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("GET", "/api/v1/entries", role_gate(participant=200, staff=403),
        lists=[("entry", _by_actor(owner=OWNER_LIVE, fellow=FELLOW_ALL, stranger={"stranger_team"}))]),
    Row("GET", "/journal", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("entry", _by_actor(owner=OWNER_LIVE, fellow=FELLOW_ALL, stranger={"stranger_team"}))]),
    Row("GET", "/trash", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("entry", _by_actor(owner={"deleted"}, fellow=set(), stranger=set()))]),
    # --- one entry: sent once per entry state ----------------------------------------------------
    #                                                                 private team psych revoked deleted
    Row("GET", "/api/v1/entries/{entry_id}", entry=True,
        expect=role_gate(participant=404, staff=403, owner=200)),
    Row("GET", "/entries/{entry_id}", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=200),
        # live shares can be taken back from the page; the page of an entry in the trash shows
        # no sharing and no responses
        lists=[("share", {"owner": per_state(set(), {"team"}, {"psych_only"}, set(), set())}),
               ("response", {"owner": per_state(set(), {"team"}, {"psych_only"}, {"revoked"}, set())})]),
    Row("PATCH", "/api/v1/entries/{entry_id}", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(200, 200, 200, 200, 409)),
        json=lambda w, a, s: {"body": "overwritten", "version": w.versions[s]}),
    Row("GET", "/entries/{entry_id}/edit", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(200, 200, 200, 200, 303))),
    Row("POST", "/entries/{entry_id}/edit", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(303, 303, 303, 303, 409)),
        form=lambda w, a, s: {"version": str(w.versions[s]), "kind": w.kinds[s], "body": "overwritten"}),
    # deleting and restoring are idempotent for the owner
    Row("DELETE", "/api/v1/entries/{entry_id}", entry=True,
        expect=role_gate(participant=404, staff=403, owner=200)),
    Row("GET", "/entries/{entry_id}/delete", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(200, 200, 200, 200, 303))),
    Row("POST", "/entries/{entry_id}/delete", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("POST", "/api/v1/entries/{entry_id}/restore", entry=True,
        expect=role_gate(participant=404, staff=403, owner=200)),
    Row("POST", "/entries/{entry_id}/restore", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("GET", "/api/v1/entries/{entry_id}/shares", entry=True,
        expect=role_gate(participant=404, staff=403, owner=200),
        lists=[("share", {"owner": per_state(set(), {"team"}, {"psych_only"}, {"revoked"}, {"deleted"})})]),
    Row("POST", "/api/v1/entries/{entry_id}/shares", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(201, 201, 201, 201, 409)),
        json=lambda w, a, s: {"audience": "team"}),
    Row("POST", "/entries/{entry_id}/share", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(303, 303, 303, 303, 409)),
        form=lambda w, a, s: {"audience": "team"}),
    Row("POST", "/api/v1/shares", entry=True,  # the entry is in the body
        expect=role_gate(participant=404, staff=403, owner=S(201, 201, 201, 201, 409)),
        json=lambda w, a, s: {"entry_ids": [w.entry(s)], "audience": "team"}),
    Row("POST", "/share", entry=True,  # the entry is in the form
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(303, 303, 303, 303, 409)),
        form=lambda w, a, s: {"entry_ids": [w.entry(s)], "audience": "team"}),
    # {share_id}: the entry's own share; the private entry has none, so the team entry's is tried
    Row("DELETE", "/api/v1/entries/{entry_id}/shares/{share_id}", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(404, 200, 200, 200, 200))),
    Row("POST", "/entries/{entry_id}/shares/{share_id}/revoke", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(404, 303, 303, 303, 303))),
    # responses: a clinician answers what they can see now; nobody else answers at all
    Row("POST", "/api/v1/entries/{entry_id}/responses", entry=True,
        expect=E(anonymous=401, owner=404, fellow=404, stranger=404,
                 physio=S(404, 201, 404, 404, 404), psych=S(404, 201, 201, 404, 404),
                 physician=S(404, 201, 404, 404, 404), outsider=404, admin=404),
        json=lambda w, a, s: {"kind": "seen"}),
    Row("POST", "/clinician/entries/{entry_id}/responses", entry=True,
        expect=E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403,
                 physio=S(404, 303, 404, 404, 404), psych=S(404, 303, 303, 404, 404),
                 physician=S(404, 303, 404, 404, 404), outsider=404, admin=403),
        form=lambda w, a, s: {"kind": "seen"}),
    Row("GET", "/api/v1/entries/{entry_id}/responses", entry=True,
        expect=E(anonymous=401, owner=S(200, 200, 200, 200, 404), fellow=404, stranger=404,
                 physio=S(404, 200, 404, 404, 404), psych=S(404, 200, 200, 404, 404),
                 physician=S(404, 200, 404, 404, 404), outsider=404, admin=404),
        lists=[("response", {
            "owner": per_state(set(), {"team"}, {"psych_only"}, {"revoked"}, set()),
            "physio": {"team": {"team"}}, "psych": {"team": {"team"}, "psych_only": {"psych_only"}},
            "physician": {"team": {"team"}},
        })]),
    # {response_id}: the psychologist's "discussed" on this entry (the private one: the team entry's)
    Row("POST", "/api/v1/entries/{entry_id}/responses/{response_id}/view", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(404, 200, 200, 200, 200)),
        json=lambda w, a, s: {"view": "matches"}),
    Row("POST", "/entries/{entry_id}/responses/{response_id}/view", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(404, 303, 303, 303, 303)),
        form=lambda w, a, s: {"view": "matches"}),
    # the participant answers in the thread of their own entry while someone can read it
    Row("POST", "/api/v1/entries/{entry_id}/messages", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(409, 201, 201, 409, 409)),
        json=lambda w, a, s: {"body": "my answer"}),
    Row("POST", "/entries/{entry_id}/messages", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(409, 303, 303, 409, 409)),
        form=lambda w, a, s: {"body": "my answer"}),
    # "raise at my next session": the owner shares their live entry with a clinician of their team
    Row("POST", "/api/v1/entries/{entry_id}/raise", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(200, 200, 200, 200, 409)),
        json=lambda w, a, s: {"clinician_id": w.user("psych")}),
    Row("POST", "/entries/{entry_id}/raise", entry=True,
        expect=role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=S(303, 303, 303, 303, 409)),
        form=lambda w, a, s: {"with": f"clinician:{w.user('psych')}"}),
    # The agenda holds only the participant's own entries that this clinician can see now.
    Row("PUT", "/api/v1/appointments/{appointment_id}/agenda", entry=True,
        expect=role_gate(participant=404, staff=403, owner=S(422, 200, 200, 422, 422)),
        json=lambda w, a, s: {"entry_ids": [w.entry(s)]}),
    # On the page, the other participants try to put the owner's entry on their OWN appointment
    # (the fellow's is with the physiotherapist, who can read the owner's team entry).
    Row("POST", "/appointments/{appointment_id}/agenda", entry=True,
        expect=role_gate(participant=422, staff=403, anon=PAGE_ANON, owner=S(422, 303, 303, 422, 422)),
        form=lambda w, a, s: {"candidate": [w.entry(s)], "position": ["1"], "entry_ids": [w.entry(s)]},
        appointment_of=lambda actor: actor if actor in ("owner", "fellow", "stranger") else "owner"),
    # --- appointments ----------------------------------------------------------------------------
    Row("GET", "/api/v1/appointments",
        E(anonymous=401, owner=200, fellow=200, stranger=200, physio=200, psych=200, physician=200,
          outsider=200, admin=403),
        lists=[
            ("appointment", _by_actor(owner={"owner"}, fellow={"fellow"}, stranger={"stranger"},
                                      physio={"fellow"}, psych={"owner"}, physician=set(),
                                      outsider={"stranger"})),
            ("entry", _by_actor(owner={"team", "psych_only"}, fellow={"fellow_team"},
                                stranger={"stranger_team"}, physio={"fellow_team"},
                                psych={"team", "psych_only"}, physician=set(),
                                outsider={"stranger_team"})),
        ]),
    # booking the owner with the psychologist: only these two may
    Row("POST", "/api/v1/appointments",
        E(anonymous=401, owner=201, fellow=422, stranger=422, physio=422, psych=201, physician=422,
          outsider=422, admin=403),
        json=lambda w, a, s: {"participant_id": w.user("owner"), "clinician_id": w.user("psych"),
                              "starts_at": in_future()}),
    Row("GET", "/api/v1/appointments/{appointment_id}",
        E(anonymous=401, owner=200, fellow=404, stranger=404, physio=404, psych=200, physician=404,
          outsider=404, admin=404),
        lists=[("entry", _by_actor(owner={"team", "psych_only"}, psych={"team", "psych_only"}))]),
    # Either side cancels: the owner their appointment with the psychologist, the outsider theirs with
    # the stranger; the psychologist tries the fellow's (with the physiotherapist), everyone else the owner's.
    Row("DELETE", "/api/v1/appointments/{appointment_id}",
        E(anonymous=401, owner=204, fellow=404, stranger=404, physio=404, psych=404, physician=404,
          outsider=204, admin=404),
        appointment_of=lambda actor: {"outsider": "stranger", "psych": "fellow"}.get(actor, "owner")),
    # the page's cancel, the participant's side: the owner's appointment (with the psychologist)
    Row("POST", "/appointments/{appointment_id}/cancel",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=303)),
    Row("GET", "/appointments", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("appointment", _by_actor(owner={"owner"}, fellow={"fellow"}, stranger={"stranger"})),
               ("entry", _by_actor(owner={"team", "psych_only"}, fellow={"fellow_team"},
                                   stranger={"stranger_team"}))]),
    # a participant books themselves with the psychologist: not from another team
    Row("POST", "/appointments",
        E(anonymous=PAGE_ANON, owner=303, fellow=303, stranger=422, physio=403, psych=403,
          physician=403, outsider=403, admin=403),
        form=lambda w, a, s: {"clinician_id": w.user("psych"), "date": _future_day(), "time": "10:00"}),
    # --- appointments in the participant's own calendar: files, and the private link -------------
    Row("GET", "/appointments/calendar.ics", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("appointment", _by_actor(owner={"owner"}, fellow={"fellow"}, stranger={"stranger"}))]),
    # the owner's appointment (with the psychologist): nobody else gets its file
    Row("GET", "/appointments/{appointment_id}/calendar.ics",
        role_gate(participant=404, staff=403, anon=PAGE_ANON, owner=200),
        lists=[("appointment", _by_actor(owner={"owner"}))]),
    # each participant makes (or replaces) their own link, shown once on the answer; or turns it off
    Row("POST", "/appointments/calendar-link", role_gate(participant=200, staff=403, anon=PAGE_ANON)),
    Row("POST", "/appointments/calendar-link/stop", role_gate(participant=303, staff=403, anon=PAGE_ANON)),
    # the feed needs no session: a link that does not exist is a bare 404 for everyone (and counted)
    Row("GET", "/calendar/{token}.ics", {actor: 404 for actor in ACTORS}, public=True,
        may_write=frozenset({"login_throttles"})),
    # --- the participant's other pages -----------------------------------------------------------
    Row("GET", "/share", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("entry", _by_actor(owner=OWNER_LIVE, fellow=FELLOW_ALL, stranger={"stranger_team"}))]),
    Row("GET", "/team-said", role_gate(participant=200, staff=403, anon=PAGE_ANON),
        lists=[("entry", _by_actor(owner={"team", "psych_only", "revoked"}, fellow=set(), stranger=set()))]),
    # --- clinicians ------------------------------------------------------------------------------
    Row("GET", "/api/v1/clinician/participants",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=200, admin=403),
        lists=[("user", CLINICIANS_SEE_PARTICIPANTS)]),
    Row("GET", "/clinician",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=200, psych=200,
          physician=200, outsider=200, admin=403),
        # (the page names the signed-in clinician too)
        lists=[("user", {name: seen | {name} for name, seen in CLINICIANS_SEE_PARTICIPANTS.items()})]),
    Row("GET", "/api/v1/clinician/participants/{participant_id}/entries",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=404, admin=403),
        lists=[("entry", _by_actor(physio={"team"}, psych={"team", "psych_only"}, physician={"team"}))]),
    Row("GET", "/clinician/participants/{participant_id}",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=200, psych=200,
          physician=200, outsider=404, admin=403),
        lists=[("entry", _by_actor(physio={"team"}, psych={"team", "psych_only"}, physician={"team"}))]),
    Row("POST", "/clinician/participants/{participant_id}/appointments",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=303, psych=303,
          physician=303, outsider=404, admin=403),
        form=lambda w, a, s: {"date": _future_day(), "time": "10:00"}),
    # the page's cancel, the clinician's side: the owner's appointment is the psychologist's
    Row("POST", "/clinician/participants/{participant_id}/appointments/{appointment_id}/cancel",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=404, psych=303,
          physician=404, outsider=404, admin=403)),
    # --- teams, accounts, invitations ------------------------------------------------------------
    Row("GET", "/api/v1/teams", ANY_SIGNED_IN_200,
        lists=[("team", _by_actor(owner={"rehab"}, fellow={"rehab"}, stranger={"elsewhere"},
                                  physio={"rehab"}, psych={"rehab"}, physician={"rehab"},
                                  outsider={"elsewhere"}, admin={"rehab", "elsewhere"}))]),
    Row("POST", "/api/v1/teams", ADMIN_ONLY | {"admin": 201},
        json=lambda w, a, s: {"name": f"New team of {a}"}),
    # a participant sees the team's clinicians, not the other participants
    Row("GET", "/api/v1/teams/{team_id}/members",
        E(anonymous=401, owner=200, fellow=200, stranger=404, physio=200, psych=200, physician=200,
          outsider=404, admin=200),
        lists=[("user", _by_actor(owner=REHAB_CLINICIANS, fellow=REHAB_CLINICIANS, physio=REHAB,
                                  psych=REHAB, physician=REHAB, admin=REHAB))]),
    Row("POST", "/api/v1/teams/{team_id}/members", ADMIN_ONLY | {"admin": 201},
        json=lambda w, a, s: {"user_id": w.user("newcomer")}),
    Row("DELETE", "/api/v1/teams/{team_id}/members/{user_id}", ADMIN_ONLY | {"admin": 204}),  # the fellow
    Row("PATCH", "/api/v1/teams/{team_id}", ADMIN_ONLY | {"admin": 200},
        json=lambda w, a, s: {"help_phone": "020 123 4567", "help_hours": "Mon-Fri 9-17"}),
    Row("GET", "/api/v1/users", ADMIN_ONLY | {"admin": 200},
        lists=[("user", {"admin": set(USERS)})]),
    Row("PATCH", "/api/v1/users/{user_id}", ADMIN_ONLY | {"admin": 200},  # the owner
        json=lambda w, a, s: {"is_active": False}),
    Row("GET", "/admin", ADMIN_ONLY | {"anonymous": PAGE_ANON, "admin": 200},
        lists=[("user", {"admin": set(USERS)}), ("invitation", {"admin": {"rehab", "elsewhere"}}),
               ("entry", {"admin": set()})]),
    Row("POST", "/admin/teams", ADMIN_ONLY | {"anonymous": PAGE_ANON, "admin": 303},
        form=lambda w, a, s: {"name": f"New team of {a}"}),
    Row("POST", "/admin/teams/{team_id}/help", ADMIN_ONLY | {"anonymous": PAGE_ANON, "admin": 303},
        form=lambda w, a, s: {"help_phone": "020 123 4567", "reading_habit": "Within two days"}),
    Row("POST", "/admin/users/{user_id}/active", ADMIN_ONLY | {"anonymous": PAGE_ANON, "admin": 303},
        form=lambda w, a, s: {"is_active": "false"}),  # the owner
    # invitations to the owner's team: its clinicians may invite participants, an admin anyone
    Row("POST", "/api/v1/invitations",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=201, psych=201, physician=201,
          outsider=404, admin=201),
        json=lambda w, a, s: {"team_id": w.id("team", "rehab"), "role": "participant"}),
    Row("POST", "/invite",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=200, psych=200,
          physician=200, outsider=404, admin=200),
        form=lambda w, a, s: {"team_id": w.id("team", "rehab"), "role": "participant"}),
    Row("GET", "/api/v1/invitations",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=200, admin=200),
        lists=[("invitation", _by_actor(physio={"rehab"}, psych={"rehab"}, physician={"rehab"},
                                        outsider={"elsewhere"}, admin={"rehab", "elsewhere"}))]),
    # the pending invitation to the owner's team (withdrawing it again changes nothing)
    Row("DELETE", "/api/v1/invitations/{invitation_id}",
        E(anonymous=401, owner=403, fellow=403, stranger=403, physio=200, psych=200, physician=200,
          outsider=404, admin=200)),
    Row("POST", "/invitations/{invitation_id}/revoke",
        E(anonymous=PAGE_ANON, owner=403, fellow=403, stranger=403, physio=303, psych=303,
          physician=303, outsider=404, admin=303)),
]
# fmt: on

ROW_BY_KEY = {row.key: row for row in ROWS}
# Routes that take entries in their body rather than their path.
ENTRY_IN_BODY = {
    ("POST", "/api/v1/shares"),
    ("POST", "/share"),
    ("PUT", "/api/v1/appointments/{appointment_id}/agenda"),
    ("POST", "/appointments/{appointment_id}/agenda"),
}
# {user_id} in these paths names the fellow (removing a member); elsewhere the owner.
USER_IN_PATH = {("DELETE", "/api/v1/teams/{team_id}/members/{user_id}"): "fellow"}


# --- running a cell ---------------------------------------------------------------------------


def _url(w: World, row: Row, actor: str, state: str | None) -> str:
    values = {
        "participant_id": lambda: w.user("owner"),
        "team_id": lambda: w.id("team", "rehab"),
        "user_id": lambda: w.user(USER_IN_PATH.get(row.key, "owner")),
        "clinician_id": lambda: w.user("psych"),
        "invitation_id": lambda: w.id("invitation", "rehab"),
        "reset_id": lambda: w.id("reset", "owner"),
        "story_share_id": lambda: w.id("story_share", "owner"),
        "number": lambda: "1",
        "appointment_id": lambda: w.id("appointment", row.appointment_of(actor)),
        "entry_id": lambda: _entry_of(w, state),
        "share_id": lambda: _share_of(w, state or ""),
        "response_id": lambda: _response_of(w, state or ""),
        "passkey_id": lambda: w.id("passkey", "owner"),
        "device_id": lambda: w.id("push_device", "owner"),
        "goal_id": lambda: w.entry("revoked"),
        "rating_id": lambda: w.id("rating", "owner"),
        "task_id": lambda: w.id("task", "owner"),
        "try_id": lambda: w.id("try", "owner"),
        "check_in_id": lambda: w.id("check_in", "owner"),
        "token": lambda: "no-such-calendar-link",
    }
    url = row.path
    for name, value in values.items():
        if "{" + name + "}" in url:
            url = url.replace("{" + name + "}", value())
    assert "{" not in url, url
    return url


def _send(w: World, row: Row, actor: str, state: str | None):  # type: ignore[no-untyped-def]
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if row.json is not None:
        kwargs["json"] = row.json(w, actor, state)
    if row.form is not None:
        kwargs["data"] = row.form(w, actor, state)
    return w.clients[actor].request(row.method, _url(w, row, actor, state), **kwargs)


def expected_status(row: Row, actor: str, state: str | None) -> int:
    code = row.expect[actor]
    if isinstance(code, dict):
        assert state is not None, (row.key, actor)
        return code[state]
    return code


def _is_refusal(row: Row, actor: str, status: int) -> bool:
    return status >= 400 or (actor == "anonymous" and not row.public)


# Moves on every signed-in request (the sliding idle timeout): not a change made by the request.
_SLIDING_COLUMNS = {"login_sessions": {"last_seen_at", "idle_expires_at"}}


def _as_text(column, dialect: str):  # type: ignore[no-untyped-def]
    if isinstance(column.type, LargeBinary):  # bytes (a passkey's id and key): SQLite reads no blob as text
        return func.hex(column) if dialect == "sqlite" else func.encode(column, "hex")
    return cast(column, String)


def _snapshot_query(dialect: str):  # type: ignore[no-untyped-def]
    """Every row of every table as one text (stored values, encrypted text as stored), in ONE
    statement: a round trip per table per cell would make this test slow on PostgreSQL."""
    parts = []
    for table in metadata.sorted_tables:
        skip = _SLIDING_COLUMNS.get(table.name, set())
        pieces = [func.coalesce(_as_text(c, dialect), "-") for c in table.columns if c.name not in skip]
        text = pieces[0]
        for piece in pieces[1:]:
            text = text.concat("|").concat(piece)
        parts.append(sa_select(literal(table.name).label("name"), text.label("row")).select_from(table))
    return union_all(*parts)


_SNAPSHOTS = {dialect: _snapshot_query(dialect) for dialect in ("sqlite", "postgresql")}


def snapshot(connection) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    tables: dict[str, list[str]] = {table.name: [] for table in metadata.sorted_tables}
    for name, row in connection.execute(_SNAPSHOTS[connection.dialect.name]).all():
        tables[name].append(row)
    connection.rollback()  # no transaction stays open while the app writes
    return {name: sorted(rows) for name, rows in tables.items()}


def _changed_tables(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def _found(w: World, category: str, text: str) -> set[str]:
    """Which ids of the category are in the answer; for "words", whose entries' words are."""
    known = MARKERS if category == "words" else w.ids[category]
    return {name for name, value in known.items() if value in text}


def _expected_list(spec: dict[str, Any], actor: str, state: str | None) -> set[str] | None:
    if actor not in spec:
        return None
    chosen = spec[actor]
    if isinstance(chosen, dict):
        return chosen.get(state) if state is not None else None
    return set(chosen)


def _cells(row: Row) -> list[tuple[str | None, str]]:
    states: list[str | None] = list(STATES) if row.entry else [None]
    cells = [(state, actor) for state in states for actor in ACTORS]
    # Refusals first: the allowed requests that change things come after all of them.
    return sorted(
        cells, key=lambda cell: not _is_refusal(row, cell[1], expected_status(row, cell[1], cell[0]))
    )


def cell_count() -> int:
    return sum(len(_cells(row)) for row in ROWS)


# --- the tests --------------------------------------------------------------------------------


def _app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the app answers, including the framework's own (docs, schema)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)  # FastAPI's included routers
        if contexts is not None:
            for context in contexts():
                found |= {(method, context.path) for method in context.original_route.methods}
        elif getattr(route, "methods", None):
            found |= {(method, route.path) for method in route.methods}
        else:
            assert route.path == "/static", f"unexpected route without methods: {route!r}"
    return found


def test_every_route_of_the_app_has_a_row(app):
    routes = _app_routes(app)
    assert len(routes) > 80, "the route walk found too little: FastAPI's router changed?"
    missing = sorted(routes - set(ROW_BY_KEY))
    stale = sorted(set(ROW_BY_KEY) - routes)
    assert not missing, f"routes without a row in the authorization matrix: {missing}"
    assert not stale, f"rows for routes that do not exist: {stale}"
    assert len(ROW_BY_KEY) == len(ROWS), "a route has two rows"


def test_the_table_is_complete_and_consistent():
    for row in ROWS:
        assert sorted(row.expect) == sorted(ACTORS), row.key
        for actor, code in row.expect.items():
            if isinstance(code, dict):
                assert row.entry and sorted(code) == sorted(STATES), (row.key, actor)
        assert row.entry == ("{entry_id}" in row.path or row.key in ENTRY_IN_BODY), row.key
        # every actor that gets a list must have its exact contents declared
        for category, spec in row.lists:
            for state in STATES if row.entry else [None]:
                for actor in ACTORS:
                    if row.method == "GET" and expected_status(row, actor, state) == 200:
                        assert _expected_list(spec, actor, state) is not None, (
                            row.key,
                            category,
                            actor,
                            state,
                        )


def test_matrix_size():
    entry_rows = sum(row.entry for row in ROWS)
    size = cell_count()
    print(
        f"\nauthorization matrix: {len(ROWS)} routes ({entry_rows} × {len(STATES)} entry states, "
        f"{len(ROWS) - entry_rows} without an entry) × {len(ACTORS)} actors = {size} cells"
    )
    assert size == (len(ROWS) - entry_rows) * len(ACTORS) + entry_rows * len(ACTORS) * len(STATES)
    assert size == 2907


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.path}")
def test_authorization_matrix(world, row):
    with get_engine().connect() as connection:
        _run_row(world, row, connection)


def _run_row(world: World, row: Row, connection) -> None:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    before = snapshot(connection)
    for state, actor in _cells(row):
        where = f"{row.method} {row.path} as {actor}" + (f" on the {state} entry" if state else "")
        expected = expected_status(row, actor, state)
        response = _send(world, row, actor, state)
        if response.status_code != expected:
            problems.append(f"{where}: expected {expected}, got {response.status_code}")
        text = response.text
        leaked = [name for name in ALL_ENTRIES if name not in READABLE[actor] and MARKERS[name] in text]
        if actor not in STORY_READERS and STORY_MARKER in text:
            leaked.append("the owner's story")
        if leaked:
            problems.append(f"{where}: the words of {leaked} are in the answer")
        if _is_refusal(row, actor, expected):
            after = snapshot(connection)
            changed = _changed_tables(before, after) - row.may_write
            if changed:
                problems.append(f"{where}: refused, but changed {sorted(changed)}")
            before = after  # (all refusals come before the first allowed request)
        if 200 <= response.status_code < 300:
            for category, spec in row.lists:
                wanted = _expected_list(spec, actor, state)
                if wanted is not None and _found(world, category, text) != wanted:
                    got = sorted(_found(world, category, text))
                    problems.append(f"{where}: lists {category} {got}, expected {sorted(wanted)}")
    assert not problems, "\n".join(problems)
