"""The HTML pages of accounts, through the real app: forms in, pages and redirects out."""

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.i18n import LOCALE_COOKIE
from app.models import Invitation, LoginSession, User
from app.models.enums import Discipline, Role
from app.models.types import utcnow
from tests.factories import PASSWORD, make_invitation, make_team, make_user

NEW_PASSWORD = "quiet river under seven lanterns"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Log in through the login form, as a browser does; returns the page's CSRF token."""
    response = client.post("/login", data={"username": user.username, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account").text)


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def refresh(db: Session, row: object) -> None:
    """Reload a row, then end the transaction: an open one would block the app's writes."""
    db.expire_all()
    db.refresh(row)
    db.commit()


def rows(db: Session, statement: Any) -> list[Any]:
    found = list(db.exec(statement).all())
    db.commit()
    return found


@pytest.fixture
def browser(client: TestClient) -> TestClient:
    """A browser that shows each redirect instead of following it."""
    client.follow_redirects = False
    return client


@pytest.fixture
def new_browser(client_factory: Callable[[], TestClient]) -> Callable[[], TestClient]:
    def make() -> TestClient:
        made = client_factory()
        made.follow_redirects = False
        return made

    return make


# --- logging in -------------------------------------------------------------------------


def test_login_page_renders_an_accessible_form(browser):
    response = browser.get("/login")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="en">' in page
    assert '<label for="login-username">' in page
    assert '<label for="login-password">' in page
    assert 'href="#main"' in page
    assert 'id="main"' in page
    assert 'href="/static/css/stem.css"' in page
    # The CSP allows no inline code or styles: every script is a file.
    import re

    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    assert all(' src="/static/' in tag for tag in scripts)
    assert "onclick" not in page
    assert "style=" not in page
    assert "<style" not in page


def test_wrong_password_shows_the_message_keeps_the_username_not_the_password(browser, db):
    user = make_user(db, Role.participant, username="lotte")
    response = browser.post("/login", data={"username": "lotte", "password": "not-my-password"})
    assert response.status_code == 401
    assert "The username or password is not correct." in response.text
    assert 'role="alert"' in response.text
    assert 'value="lotte"' in response.text
    assert "not-my-password" not in response.text
    assert "stem_session" not in response.headers.get("set-cookie", "")
    assert user.username == "lotte"


def test_empty_login_form_shows_errors_next_to_the_fields(browser):
    response = browser.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert 'id="login-username-error"' in response.text
    assert 'id="login-password-error"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_successful_login_sets_the_cookie_and_redirects(browser, db):
    user = make_user(db, Role.participant, team=make_team(db))
    response = browser.post(
        "/login", data={"username": user.username, "password": PASSWORD, "next": "/account"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("stem_session=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert browser.get("/account").status_code == 200


@pytest.mark.parametrize(
    "unsafe",
    [
        "//evil.example",
        "//evil.example/account",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "account",
        "/\taccount",
    ],
)
def test_login_refuses_to_redirect_off_the_site(browser, db, unsafe):
    user = make_user(db, Role.participant)
    response = browser.post("/login", data={"username": user.username, "password": PASSWORD, "next": unsafe})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_login_page_keeps_only_a_safe_next(browser):
    assert 'name="next" value="/account"' in browser.get("/login?next=/account").text
    assert 'name="next" value="/"' in browser.get("/login?next=//evil.example").text


def test_too_many_attempts_shows_the_wait_and_answers_429(browser, db):
    user = make_user(db, Role.participant)
    for _ in range(5):
        browser.post("/login", data={"username": user.username, "password": "wrong password!"})
    response = browser.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many attempts. Wait" in response.text
    assert "stem_session" not in response.headers.get("set-cookie", "")


def test_anonymous_visitor_of_home_goes_to_login(browser):
    response = browser.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_signed_in_visitor_of_login_page_goes_home(browser, db):
    sign_in(browser, make_user(db, Role.participant))
    response = browser.get("/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/"


# --- joining ----------------------------------------------------------------------------


def test_join_page_with_a_code_names_the_team_and_role(browser, db):
    team = make_team(db, "Pain Team North")
    _invitation, code = make_invitation(db, team, Role.clinician, discipline=Discipline.nurse)
    typed = code.replace("-", " ").lower()
    response = browser.get("/join", params={"code": typed})
    assert response.status_code == 200
    assert "Pain Team North" in response.text
    assert "You join as a clinician: nurse." in text_of(response.text)
    assert f'value="{typed}"' in response.text


def test_join_registers_and_lands_signed_in(browser, db):
    team = make_team(db, "Pain Team South")
    make_user(db, Role.clinician, team=team, display_name="Dr. Visser")
    _invitation, code = make_invitation(db, team)
    response = browser.post(
        "/join",
        data={
            "invitation_code": f"  {code.replace('-', ' ').lower()} ",
            "username": "Sanne",
            "display_name": "Sanne de Vries",
            "password": NEW_PASSWORD,
            "locale": "en",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?done=joined"
    assert "stem_session=" in response.headers["set-cookie"]
    home = browser.get("/?done=joined")
    assert home.status_code == 200
    assert "Welcome, Sanne de Vries" in home.text
    assert "Dr. Visser" in home.text
    # Right after joining, the way never to be locked out is offered (once: not on later visits).
    assert 'href="/account#recovery-title"' in home.text
    assert 'href="/account#recovery-title"' not in browser.get("/").text
    (user,) = rows(db, select(User).where(User.username == "sanne"))
    assert user.role == Role.participant


def test_join_shows_field_problems_and_never_echoes_the_password(browser, db):
    _invitation, code = make_invitation(db, make_team(db))
    response = browser.post(
        "/join",
        data={
            "invitation_code": code,
            "username": "sanne",
            "display_name": "Sanne",
            "password": "password",
            "locale": "en",
        },
    )
    assert response.status_code == 422
    assert 'id="join-password-error"' in response.text
    assert 'value="sanne"' in response.text
    assert 'value="password"' not in response.text
    assert 'role="alert"' in response.text
    assert rows(db, select(User)) == []
    refresh(db, _invitation)
    assert _invitation.used_at is None


def test_join_names_the_field_in_the_summary_and_asks_for_empty_fields(browser, db):
    _invitation, code = make_invitation(db, make_team(db))
    response = browser.post(
        "/join",
        data={"invitation_code": code, "username": "sanne", "display_name": "", "password": ""},
    )
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Your name: This field is required." in text
    assert "Password: This field is required." in text
    assert "at least 1 characters" not in text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"used_at": utcnow()}, "This invitation has already been used."),
        ({"revoked_at": utcnow()}, "This invitation was withdrawn."),
        ({"expires_at": utcnow() - timedelta(minutes=1)}, "This invitation has expired."),
    ],
    ids=["used", "revoked", "expired"],
)
def test_join_with_an_unusable_code_shows_the_reason(browser, db, fields, reason):
    _invitation, code = make_invitation(db, make_team(db, "Closed Team"), **fields)
    page = browser.get("/join", params={"code": code})
    assert page.status_code == 200
    assert reason in page.text
    assert "Closed Team" not in page.text
    response = browser.post(
        "/join",
        data={
            "invitation_code": code,
            "username": "someone",
            "display_name": "Someone",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 410
    assert reason in response.text
    assert rows(db, select(User)) == []


def test_join_with_an_unknown_code_says_so(browser):
    response = browser.get("/join", params={"code": "AAAA-BBBB"})
    assert "We do not know this invitation code." in response.text


# --- home per role ----------------------------------------------------------------------


def test_participant_home_shows_the_clinicians_and_not_other_participants(browser, db):
    team = make_team(db, "Pain Team East")
    make_user(
        db,
        Role.clinician,
        team=team,
        display_name="Anna Bakker",
        discipline=Discipline.psychologist,
    )
    me = make_user(db, Role.participant, team=team, display_name="Noor")
    make_user(db, Role.participant, team=team, display_name="Other Participant")
    sign_in(browser, me)
    page = browser.get("/").text
    text = text_of(page)
    assert "Welcome, Noor" in text
    assert "Pain Team East" in text
    assert "Anna Bakker Psychologist" in text
    assert 'href="/write"' in page
    assert "Other Participant" not in text
    assert 'href="/admin"' not in page
    assert 'action="/invite"' not in page


def test_clinician_home_shows_members_invitations_and_an_invite_form(browser, db):
    team = make_team(db, "Pain Team West")
    clinician = make_user(db, Role.clinician, team=team, display_name="Bram")
    make_user(db, Role.participant, team=team, display_name="Participant Pia")
    other_team = make_team(db, "Someone Else's Team")
    make_user(db, Role.participant, team=other_team, display_name="Stranger")
    make_invitation(db, team, created_by=clinician)
    sign_in(browser, clinician)
    page = browser.get("/").text
    text = text_of(page)
    assert "Pain Team West" in text
    assert "Participant Pia" in text
    assert "Waiting" in text
    assert 'action="/invite"' in page
    assert "Stranger" not in text
    assert "Someone Else" not in text
    assert 'href="/admin"' not in page


def test_admin_home_links_to_administration(browser, db):
    sign_in(browser, make_user(db, Role.admin))
    page = browser.get("/").text
    assert 'href="/admin"' in page


# --- administration ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.participant, Role.clinician])
def test_admin_page_is_refused_to_participants_and_clinicians(browser, db, role):
    sign_in(browser, make_user(db, role, team=make_team(db)))
    response = browser.get("/admin")
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert "<table" not in response.text


def test_admin_page_sends_anonymous_visitors_to_login(browser):
    response = browser.get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin"


def test_admin_page_lists_teams_invitations_and_accounts(browser, db):
    team = make_team(db, "Pain Team Centre")
    make_user(db, Role.clinician, team=team, username="clinician.kim", display_name="Kim")
    make_user(db, Role.participant, team=team, username="pat", display_name="Pat", is_active=False)
    make_invitation(db, team, Role.clinician, discipline=Discipline.physician)
    sign_in(browser, make_user(db, Role.admin, username="boss"))
    page = browser.get("/admin")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Pain Team Centre" in text
    assert "clinician.kim" in text
    assert "Deactivated" in text
    assert "Clinician · Physician" in text
    assert "This is you" in text
    assert 'class="table-scroll"' in page.text


def test_admin_creates_a_team_and_invites_a_clinician(browser, db):
    sign_in(browser, make_user(db, Role.admin))
    csrf = csrf_of(browser.get("/admin").text)
    created = browser.post("/admin/teams", data={"name": "  New   Team ", "csrf_token": csrf})
    assert created.status_code == 303
    assert created.headers["location"] == "/admin?done=team"
    page = browser.get(created.headers["location"]).text
    assert "The care team is created." in page
    team_id = re.search(r'<option value="([0-9a-f-]{36})"', page)
    assert team_id
    missing = browser.post(
        "/invite",
        data={"team_id": team_id.group(1), "role": "clinician", "csrf_token": csrf},
    )
    assert missing.status_code == 422
    assert 'id="invite-discipline-error"' in missing.text
    assert "Choose the clinician's discipline." in html.unescape(missing.text)
    invited = browser.post(
        "/invite",
        data={
            "team_id": team_id.group(1),
            "role": "clinician",
            "discipline": "psychologist",
            "csrf_token": csrf,
        },
    )
    assert invited.status_code == 200
    assert "They join as a clinician: psychologist." in text_of(invited.text)
    (invitation,) = rows(db, select(Invitation))
    assert invitation.discipline == Discipline.psychologist


def test_admin_team_name_problem_is_shown_next_to_the_field(browser, db):
    make_team(db, "Taken")
    sign_in(browser, make_user(db, Role.admin))
    csrf = csrf_of(browser.get("/admin").text)
    response = browser.post("/admin/teams", data={"name": "taken", "csrf_token": csrf})
    assert response.status_code == 409
    assert 'id="team-name-error"' in response.text
    assert 'href="#team-name"' in response.text


def test_admin_deactivates_and_activates_an_account_but_not_their_own(browser, db):
    admin = make_user(db, Role.admin)
    target = make_user(db, Role.participant, team=make_team(db))
    csrf = sign_in(browser, admin)
    response = browser.post(
        f"/admin/users/{target.id}/active", data={"is_active": "false", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin?done=deactivated"
    refresh(db, target)
    assert target.is_active is False
    browser.post(f"/admin/users/{target.id}/active", data={"is_active": "true", "csrf_token": csrf})
    refresh(db, target)
    assert target.is_active is True
    own = browser.post(f"/admin/users/{admin.id}/active", data={"is_active": "false", "csrf_token": csrf})
    assert own.status_code == 422
    assert "You cannot deactivate your own account." in own.text
    refresh(db, admin)
    assert admin.is_active is True


# --- invitations ------------------------------------------------------------------------


def test_clinician_invites_a_participant_and_sees_the_code_once(browser, new_browser, db):
    team = make_team(db, "Pain Team Harbour")
    clinician = make_user(db, Role.clinician, team=team)
    csrf = sign_in(browser, clinician)
    response = browser.post(
        "/invite", data={"team_id": str(team.id), "role": "participant", "csrf_token": csrf}
    )
    assert response.status_code == 200
    groups = re.findall(r'<span class="invite-code__group">([0-9A-Z]{4})</span>', response.text)
    assert len(groups) == 7
    code = "-".join(groups)
    assert f"http://testserver/join?code={code}" in response.text
    assert "This code is shown only once." in response.text
    assert "expires in 14 days" in response.text
    # Not shown again: the home page lists the invitation, never its code.
    home = browser.get("/").text
    assert "Waiting" in home
    assert code not in home
    assert "".join(groups) not in home
    # And it works for the participant.
    visitor = new_browser()
    assert "Pain Team Harbour" in visitor.get("/join", params={"code": code}).text


def test_clinician_cannot_invite_a_clinician(browser, db):
    team = make_team(db)
    csrf = sign_in(browser, make_user(db, Role.clinician, team=team))
    response = browser.post(
        "/invite",
        data={
            "team_id": str(team.id),
            "role": "clinician",
            "discipline": "nurse",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 403
    assert "Clinicians can invite participants only." in response.text
    assert 'role="alert"' in response.text
    assert rows(db, select(Invitation)) == []


def test_clinician_cannot_invite_into_another_team(browser, db):
    csrf = sign_in(browser, make_user(db, Role.clinician, team=make_team(db)))
    other = make_team(db)
    response = browser.post(
        "/invite", data={"team_id": str(other.id), "role": "participant", "csrf_token": csrf}
    )
    assert response.status_code == 404
    assert rows(db, select(Invitation)) == []


def test_participant_cannot_invite(browser, db):
    team = make_team(db)
    csrf = sign_in(browser, make_user(db, Role.participant, team=team))
    response = browser.post(
        "/invite", data={"team_id": str(team.id), "role": "participant", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert rows(db, select(Invitation)) == []


def test_clinician_withdraws_an_invitation(browser, db):
    team = make_team(db)
    csrf = sign_in(browser, make_user(db, Role.clinician, team=team))
    invitation, _code = make_invitation(db, team)
    response = browser.post(f"/invitations/{invitation.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/?done=revoked"
    refresh(db, invitation)
    assert invitation.revoked_at is not None
    assert "Withdrawn" in browser.get("/?done=revoked").text


def test_clinician_gets_no_withdraw_button_for_a_clinician_invitation(browser, db):
    team = make_team(db)
    sign_in(browser, make_user(db, Role.clinician, team=team))
    theirs, _code = make_invitation(db, team, Role.clinician, discipline=Discipline.nurse)
    page = browser.get("/").text
    assert "Clinician · Nurse" in text_of(page)
    assert f"/invitations/{theirs.id}/revoke" not in page


def test_withdrawing_a_used_invitation_explains_why_not(browser, db):
    team = make_team(db)
    csrf = sign_in(browser, make_user(db, Role.clinician, team=team))
    invitation, _code = make_invitation(db, team, used_at=utcnow())
    response = browser.post(f"/invitations/{invitation.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "already been used and cannot be withdrawn" in response.text


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/profile", {"display_name": "Changed"}),
        ("/logout", {}),
        ("/account/sessions/revoke-all", {}),
        ("/language", {"locale": "nl", "next": "/"}),
    ],
)
def test_form_post_without_the_csrf_token_is_refused(browser, db, path, data):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Unchanged")
    sign_in(browser, user)
    response = browser.post(path, data=data)
    assert response.status_code == 403
    assert "This page has expired." in response.text
    refresh(db, user)
    assert user.display_name == "Unchanged"
    assert user.locale == "en"
    assert browser.get("/").status_code == 200  # still signed in


def test_form_post_with_another_sessions_csrf_token_is_refused(new_browser, db):
    user = make_user(db, Role.participant, team=make_team(db))
    first, second = new_browser(), new_browser()
    first_token = sign_in(first, user)
    sign_in(second, user)
    response = second.post("/account/profile", data={"display_name": "Changed", "csrf_token": first_token})
    assert response.status_code == 403


# --- own account ------------------------------------------------------------------------


def test_profile_update_saves_and_shows_a_note(browser, db):
    user = make_user(db, Role.participant, team=make_team(db))
    csrf = sign_in(browser, user)
    response = browser.post(
        "/account/profile",
        data={
            "display_name": "Nieuwe Naam",
            "locale": "en",
            "time_zone": "Europe/London",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?done=profile"
    page = browser.get("/account?done=profile").text
    assert "Your details are saved." in page
    assert 'value="Nieuwe Naam"' in page
    assert '<option value="Europe/London" selected>' in page
    bad = browser.post(
        "/account/profile",
        data={"display_name": "X", "locale": "en", "time_zone": "Mars/Base", "csrf_token": csrf},
    )
    assert bad.status_code == 422
    assert 'id="profile-time_zone-error"' in bad.text
    refresh(db, user)
    assert user.time_zone == "Europe/London"


def test_password_change_checks_the_current_password(browser, new_browser, db):
    user = make_user(db, Role.participant)
    csrf = sign_in(browser, user)
    wrong = browser.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "new_password": NEW_PASSWORD,
            "csrf_token": csrf,
        },
    )
    assert wrong.status_code == 422
    assert 'id="password-current_password-error"' in wrong.text
    assert NEW_PASSWORD not in wrong.text
    right = browser.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": csrf},
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/account?done=password"
    assert browser.get("/account").status_code == 200  # this device stays signed in
    sign_in(new_browser(), user, NEW_PASSWORD)


def test_logout_ends_the_session_and_clears_site_data(browser, db):
    csrf = sign_in(browser, make_user(db, Role.participant))
    response = browser.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=logged_out"
    assert '"cookies"' in response.headers["clear-site-data"]
    assert "You are logged out." in browser.get("/login?done=logged_out").text
    assert browser.get("/").headers["location"] == "/login"


def test_log_out_everywhere_ends_every_session(new_browser, db):
    user = make_user(db, Role.participant)
    phone, laptop = new_browser(), new_browser()
    csrf = sign_in(phone, user)
    sign_in(laptop, user)
    response = phone.post("/account/sessions/revoke-all", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=logged_out_everywhere"
    assert phone.get("/").headers["location"] == "/login"
    assert laptop.get("/").headers["location"] == "/login"
    assert rows(db, select(LoginSession).where(LoginSession.user_id == user.id)) == []


def test_account_page_needs_a_signed_in_user(browser):
    response = browser.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount"


# --- language ---------------------------------------------------------------------------


def test_language_switch_for_visitors_sets_the_cookie_and_pages_speak_dutch(browser):
    response = browser.post("/language", data={"locale": "nl", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{LOCALE_COOKIE}=nl")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Max-Age=31536000" in cookie
    page = browser.get("/login").text
    assert '<html lang="nl">' in page
    assert "Inloggen" in page
    assert "Gebruikersnaam" in page


def test_language_switch_refuses_an_unsafe_next(browser):
    response = browser.post("/language", data={"locale": "nl", "next": "//evil.example"})
    assert response.headers["location"] == "/"


def test_language_switch_for_a_signed_in_user_changes_their_setting(browser, db):
    user = make_user(db, Role.participant, team=make_team(db))
    csrf = sign_in(browser, user)
    response = browser.post("/language", data={"locale": "nl", "next": "/", "csrf_token": csrf})
    assert response.status_code == 303
    refresh(db, user)
    assert user.locale == "nl"
    page = browser.get("/").text
    assert '<html lang="nl">' in page
    assert "Welkom" in page
    assert "Uitloggen" in page


def test_a_dutch_visitor_gets_dutch_error_messages(browser, db):
    browser.post("/language", data={"locale": "nl", "next": "/login"})
    response = browser.post("/login", data={"username": "jan", "password": "wrong password"})
    assert response.status_code == 401
    assert "De gebruikersnaam of het wachtwoord klopt niet." in response.text


# --- escaping ---------------------------------------------------------------------------


def test_html_in_a_display_name_is_escaped_everywhere(new_browser, db):
    team = make_team(db, "<i>Team</i>")
    evil = "<script>alert(1)</script>"
    participant = make_user(db, Role.participant, team=team, display_name=evil)
    clinician = make_user(db, Role.clinician, team=team, display_name=evil + " clinician")
    admin = make_user(db, Role.admin)
    pages = []
    for user, path in [(participant, "/"), (clinician, "/"), (admin, "/admin")]:
        browser = new_browser()
        sign_in(browser, user)
        pages.append(browser.get(path).text)
    for page in pages:
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<i>Team</i>" not in page


def test_unknown_page_shows_the_friendly_error_page(browser):
    response = browser.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "There is nothing here." in response.text
    assert 'href="/static/css/stem.css"' in response.text


def test_static_assets_are_served_and_small(browser):
    css = browser.get("/static/css/stem.css")
    assert css.status_code == 200
    assert len(css.content) < 12_000
    assert "prefers-color-scheme: dark" in css.text
    assert "prefers-reduced-motion" in css.text
    icon = browser.get("/static/icons/stem.svg")
    assert icon.status_code == 200
    assert icon.text.lstrip().startswith("<svg")


def test_an_incomplete_code_says_what_to_check_in_english_and_dutch(client):
    body = {
        "invitation_code": "abcd efgh-jkmn",
        "username": "newperson",
        "display_name": "New",
        "password": "x",
    }
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invitation_unknown"
    assert "It has 12 letters and digits, an invitation code has 28" in response.text
    dutch = client.post("/api/v1/auth/register", json=body, headers={"Accept-Language": "nl"})
    assert "Hij heeft 12 letters en cijfers, een uitnodigingscode heeft er 28" in dutch.text
