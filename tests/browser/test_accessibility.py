"""axe-core finds no WCAG 2.2 A/AA violation on any page, for every role, in English and
Dutch, in light and dark mode, on a phone."""

from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import update

from app.models import User
from tests.browser.alliance import goal_with_history, tasks_from_physio
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

# axe-core as the locked Python dependency axe-playwright-python ships it: no npm needed.
AXE = Path(str(resources.files("axe_playwright_python") / "axe.min.js"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = {
    None: ["/login", "/join", "/recover", "/offline", "/help"],
    "owner": [
        "/",
        "/journal",
        "/write",
        "/trash",
        "/share",
        "/team-said",
        "/access-log",
        "/story",
        "/story/versions",
        "/appointments",
        "/account",
        "/help",
        "/goals",
        "/entries/{goal}",
        "/plan",
        "/plan/{task}",
        "/check-ins",
    ],
    # The tasks she suggested, with what the owner sent her of them, and the shared goal's line.
    "physio": ["/clinician/participants/{owner}"],
    "psych": ["/", "/clinician", "/clinician/participants/{owner}", "/account", "/account-resets/{reset}"],
    "admin": ["/", "/admin", "/account"],
}


@pytest.fixture(scope="module")
def axe_script(_chromium_available) -> str:
    import os

    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (run `make install`)"
        if os.environ.get("STEM_REQUIRE_ALL_BACKENDS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_no_accessibility_violations(live_server, chromium, world, db, axe_script, locale, scheme):
    db.execute(update(User).values(locale=locale))
    db.commit()
    owner_id = str(world.users["owner"].id)
    # A password reset under way: the notice on the owner's home page and in their access log,
    # the list on the clinicians' and the admin's home, and the reset's own page.
    reset = world.clients["physio"].post(f"/api/v1/participants/{owner_id}/account-resets").json()["id"]
    # The owner's story, shared with the team: on the preparation page, collapsed, and on /story.
    story = {"base_version": 0, "sections": {"before": "Years of care.", "cause": "The fall at work."}}
    world.clients["owner"].put("/api/v1/me/story", json=story)
    world.clients["owner"].post("/api/v1/me/story/shares", json={"audience": "team"})
    # A goal rated and reworded, and tasks answered, tried and sent (issue 14).
    goal = goal_with_history(world)
    task = tasks_from_physio(world, goal)
    # also an entry page: the richest participant page
    pages = {**PAGES, "owner": [*PAGES["owner"], f"/entries/{world.entry_id('team')}"]}
    found: list[str] = []
    checked = 0
    for role, paths in pages.items():
        context = chromium.new_context(
            viewport={"width": 390, "height": 844},
            color_scheme=scheme,
            locale="nl-NL" if locale == "nl" else "en-GB",
            bypass_csp=True,  # to inject axe itself; the app's own pages carry no inline code
        )
        page = context.new_page()
        try:
            if role:
                sign_in(page, live_server, world.users[role].username, PASSWORD)
            for path in paths:
                page.goto(live_server + path.format(owner=owner_id, reset=reset, goal=goal, task=task))
                assert page.locator("html").get_attribute("lang") == locale
                page.add_script_tag(path=axe_script)
                result = page.evaluate("(tags) => axe.run(document, {runOnly: tags})", WCAG)
                checked += 1
                for violation in result["violations"]:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    found.append(f"{role or 'anonymous'} {path}: {violation['id']} {targets}")
        finally:
            context.close()
    assert checked == sum(len(paths) for paths in pages.values())
    assert found == []
