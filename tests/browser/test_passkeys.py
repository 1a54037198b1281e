"""Passkeys in a real Chromium, with its virtual authenticator (DevTools protocol) standing in for
a phone's lock: a person adds passkeys on the account page, logs out, and logs in with a passkey
alone; a removed passkey no longer logs in. The pages pass axe with the passkey parts shown.

WebAuthn takes a host name, never an IP address: the live server is reached as
http://localhost:PORT, and STEM_PUBLIC_BASE_URL says so for the test."""

from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from app.accounts.passkeys import REFUSED
from app.config import get_settings
from app.models.enums import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_team, make_user

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}
AXE = Path(str(resources.files("axe_playwright_python") / "axe.min.js"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A browser without the passkey suggestion in the username field: only the button is left. (In
# Chromium's virtual environment that suggestion answers by itself, without anyone choosing.)
WITHOUT_SUGGESTION = "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"


@pytest.fixture
def site(live_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    base = live_server.replace("://127.0.0.1:", "://localhost:")
    monkeypatch.setattr(get_settings(), "public_base_url", base)
    return base


class Device:
    """One browser profile (a phone), with a virtual authenticator that can be swapped."""

    def __init__(self, context: Any, *, suggestion: bool = False) -> None:
        if not suggestion:
            context.add_init_script(WITHOUT_SUGGESTION)
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable")
        self.authenticator = ""
        self.new_authenticator()

    def new_authenticator(self, *credentials: dict[str, Any]) -> None:
        """A fresh authenticator in place of the old one, holding these credentials."""
        if self.authenticator:
            self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator})
        answer = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        self.authenticator = answer["authenticatorId"]
        for credential in credentials:
            self.cdp.send(
                "WebAuthn.addCredential", {"authenticatorId": self.authenticator, "credential": credential}
            )

    def credentials(self) -> list[dict[str, Any]]:
        answer = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})
        return list(answer["credentials"])


def add_passkey(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/account")
    page.fill("#passkey-name", name)
    page.fill("#passkey-password", PASSWORD)
    page.click("form[data-passkey-add] button[type=submit]")


def log_out(page: Any) -> None:
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url("**/login?done=logged_out")


def passkey_names(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("[data-passkey-name]").all_inner_texts()]


def no_axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: tags})", WCAG)
    return [f"{page.url}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


def test_add_a_passkey_log_out_and_log_in_with_it_alone(site, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Passkey Pia")
    phone = Device(browser_context_factory())
    page = phone.page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, site, user.username, PASSWORD)

    add_passkey(page, site, "My phone")
    page.wait_for_url("**/account?done=passkey_added")
    assert passkey_names(page) == ["My phone"]
    assert "Not used yet." in page.locator("[data-passkeys]").inner_text()
    [credential] = phone.credentials()
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"

    # The same authenticator again: the browser knows it holds one already, and the page says so.
    add_passkey(page, site, "My phone again")
    alert = page.locator("form[data-passkey-add] [role=alert]")
    alert.filter(has_text="already has a passkey").wait_for()
    assert page.url.endswith("/account")
    assert passkey_names(page) == ["My phone"]

    log_out(page)
    page.click("[data-passkey-sign-in] button")
    page.wait_for_url(lambda url: "/login" not in url)
    assert "Passkey Pia" in page.content()
    page.goto(f"{site}/account")
    assert "Last used" in page.locator("[data-passkeys]").inner_text()
    assert errors == []  # no CSP violation or script error on the way


def test_the_browser_suggestion_in_the_username_field_logs_in(site, browser_context_factory, db):
    """Where the browser offers passkeys in the username field (conditional mediation), picking
    one logs in; Chromium's virtual authenticator picks the only one by itself."""
    user = make_user(db, Role.clinician, team=make_team(db), display_name="Dr Suggestion")
    phone = Device(browser_context_factory(), suggestion=True)
    page = phone.page
    sign_in(page, site, user.username, PASSWORD)
    add_passkey(page, site, "Work phone")
    page.wait_for_url("**/account?done=passkey_added")
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url(f"{site}/")  # home: only after the login page has logged in again
    assert visited[0] == f"{site}/login?done=logged_out"
    assert "Dr Suggestion" in page.content()


def test_a_second_passkey_and_a_removed_one_that_no_longer_logs_in(site, browser_context_factory, db):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Two Keys")
    phone = Device(browser_context_factory())
    page = phone.page
    sign_in(page, site, user.username, PASSWORD)
    add_passkey(page, site, "My phone")
    page.wait_for_url("**/account?done=passkey_added")
    [first] = phone.credentials()

    phone.new_authenticator()  # another device's lock
    add_passkey(page, site, "My laptop")
    page.wait_for_url("**/account?done=passkey_added")
    assert passkey_names(page) == ["My phone", "My laptop"]
    [second] = phone.credentials()

    # Remove the first, after being asked.
    page.click("a[href$='/remove']:has-text('My phone')")
    page.wait_for_url("**/remove")
    assert "My phone" in page.locator("main").inner_text()
    page.click("main form button[type=submit]")
    page.wait_for_url("**/account?done=passkey_removed")
    assert passkey_names(page) == ["My laptop"]
    log_out(page)

    # The removed passkey is still on the device, but it no longer logs in.
    phone.new_authenticator(first)
    page.click("[data-passkey-sign-in] button")
    page.locator("[data-passkey-sign-in] [role=alert]").filter(has_text=REFUSED).wait_for()
    assert "/login" in page.url

    # The one that was kept does.
    phone.new_authenticator(second)
    page.click("[data-passkey-sign-in] button")
    page.wait_for_url(lambda url: "/login" not in url)
    assert "Two Keys" in page.content()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_passkey_parts_of_the_pages_pass_axe(site, browser_context_factory, db, locale):
    user = make_user(db, Role.participant, team=make_team(db), locale=locale)
    context = browser_context_factory(locale="nl-NL" if locale == "nl" else "en-GB", bypass_csp=True)
    phone = Device(context)
    page = phone.page
    found: list[str] = []
    page.goto(f"{site}/login")
    page.locator("[data-passkey-sign-in] button").wait_for()
    found += no_axe_violations(page)
    sign_in(page, site, user.username, PASSWORD)
    add_passkey(page, site, "Tablet")
    page.wait_for_url("**/account?done=passkey_added")
    page.locator("form[data-passkey-add]").wait_for()
    found += no_axe_violations(page)
    add_passkey(page, site, "Tablet again")  # refused: the alert is shown
    page.locator("form[data-passkey-add] [role=alert]:not(:empty)").wait_for()
    found += no_axe_violations(page)
    page.click("a[href$='/remove']")
    page.wait_for_url("**/remove")
    found += no_axe_violations(page)
    assert found == []
