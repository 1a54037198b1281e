"""Screenshots of the main pages (phone and desktop, English and Dutch), as a person sees them.

Each is checked to be a real, non-blank image. With STEM_UPDATE_SCREENSHOTS=1 they are also
written to docs/screenshots/ (shown in the README)."""

import os
import struct
from pathlib import Path

import pytest
from sqlalchemy import update

from app.models import User
from tests.browser.alliance import check_ins_with_drop, goal_with_history, tasks_from_physio
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = [
    ("owner", PHONE, "/journal", "journal-phone"),
    ("owner", PHONE, "/write", "write-phone"),
    ("owner", PHONE, "/entries/{entry}", "entry-phone"),
    ("owner", PHONE, "/my-data", "my-data-phone"),
    ("psych", DESKTOP, "/clinician/participants/{owner}#disagreements", "preparation-desktop"),
    ("psych", DESKTOP, "/clinician", "dashboard-desktop"),
    (None, PHONE, "/recover", "recover-phone"),
    ("owner", PHONE, "/", "reset-notice-phone"),
    ("owner", PHONE, "/story", "story-phone"),
    ("physio", DESKTOP, "/account-resets/{reset}", "reset-desktop"),
    ("owner", PHONE, "/goals", "goals-phone"),
    ("owner", PHONE, "/entries/{goal}#ratings", "goal-phone"),
    ("owner", PHONE, "/plan", "plan-phone"),
    ("owner", PHONE, "/plan/{task}", "task-phone"),
    ("physio", DESKTOP, "/clinician/participants/{owner}#tasks", "tasks-desktop"),
    ("owner", PHONE, "/check-ins/new?appointment={due}", "check-in-form-phone"),
    ("physio", DESKTOP, "/clinician/participants/{owner}#alliance", "alliance-desktop"),
]
# First of all, before the psychologist's other pages read it: the story with its changed part.
FIRST = [("psych", DESKTOP, "/clinician/participants/{owner}", "story-desktop", "#story > summary")]
# Pages shown with a part opened first: (role, viewport, path, name, what to click).
OPENED = [
    (
        "owner",
        PHONE,
        "/entries/{psych_only}#sharing",
        "share-dialog-phone",
        "details.share-box summary",
    ),
    (
        "owner",
        PHONE,
        "/account",
        "recovery-codes-phone",
        lambda page: (
            page.fill("#recovery-password", PASSWORD),
            page.click("form[action='/account/recovery-codes'] button[type=submit]"),
            page.wait_for_selector("main code"),
        ),
    ),
    # The trend, and the offer to write after a drop: each below the fold of a phone.
    ("owner", PHONE, "/check-ins", "check-ins-phone", lambda page: _into_view(page, ".check-in-trend")),
    (
        "owner",
        PHONE,
        "/check-ins/{check_in}",
        "check-in-drop-phone",
        lambda page: _into_view(page, "section[aria-labelledby=write-title]", block="center"),
    ),
]


def _into_view(page, selector: str, block: str = "start") -> None:  # type: ignore[no-untyped-def]
    page.locator(selector).first.evaluate("(element, block) => element.scrollIntoView({block})", block)


def _dispute(world) -> None:  # type: ignore[no-untyped-def]
    """A disagreement the psychologist noted as agreed while the participant sees it differently:
    the preparation card shows the participant's last word."""
    owner, psych = world.clients["owner"], world.clients["psych"]
    entry = owner.post(
        "/api/v1/entries",
        json={"kind": "disagreement", "body": "The pain is not in my head.", "topic": "cause_of_pain"},
    ).json()
    owner.post(f"/api/v1/entries/{entry['id']}/shares", json={"audience": "team"})
    discussed = psych.post(
        f"/api/v1/entries/{entry['id']}/responses", json={"kind": "discussed", "outcome": "agreed"}
    ).json()
    owner.post(
        f"/api/v1/entries/{entry['id']}/responses/{discussed['id']}/view",
        json={"view": "differs", "note": "I still don't feel believed."},
    )


def _story(world) -> None:  # type: ignore[no-untyped-def]
    """The owner's story, shared with the team, then one part rewritten after the psychologist read it."""
    owner = world.clients["owner"]
    sections = {
        "before": "Three pain clinics in four years. The injections did not help; nobody asked what I could still do.",
        "cause": "I think it started with the fall at work.",
        "hope": "To walk my daughter to school again.",
    }
    owner.put("/api/v1/me/story", json={"base_version": 0, "sections": sections})
    owner.post("/api/v1/me/story/shares", json={"audience": "team"})
    world.clients["psych"].get(f"/api/v1/clinician/participants/{world.users['owner'].id}/story")
    sections["cause"] = "I think it started with the fall at work, and the stress kept it going."
    owner.put(
        "/api/v1/me/story",
        json={
            "base_version": 1,
            "sections": sections,
            "treatments": [{"what": "Physiotherapy", "when": "2019", "effect": "no_help"}],
        },
    )


def _reset(world) -> str:  # type: ignore[no-untyped-def]
    """A password reset of the owner, started by the physiotherapist, approved by the psychologist."""
    owner_id = world.users["owner"].id
    reset = world.clients["physio"].post(f"/api/v1/participants/{owner_id}/account-resets").json()
    world.clients["psych"].post(f"/api/v1/account-resets/{reset['id']}/approve")
    return str(reset["id"])


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_main_pages_render_for_a_person(live_server, chromium, world, db, tmp_path, locale):
    db.execute(update(User).values(locale=locale))
    db.commit()
    target = DOCS if os.environ.get("STEM_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    _dispute(world)
    reset = _reset(world)
    _story(world)
    goal = goal_with_history(world)
    task = tasks_from_physio(world, goal)
    check_in, due = check_ins_with_drop(world, db)
    shots = FIRST + [(*shot, None) for shot in SHOTS] + OPENED
    for role, viewport, path, name, opening in shots:
        # A signed-in person's pages speak their own language; an anonymous page the browser's.
        context = chromium.new_context(viewport=viewport, device_scale_factor=1, locale=locale)
        page = context.new_page()
        try:
            if role:
                sign_in(page, live_server, world.users[role].username, PASSWORD)
            page.goto(
                live_server
                + path.format(
                    entry=world.entry_id("team"),
                    psych_only=world.entry_id("psych_only"),
                    owner=world.users["owner"].id,
                    reset=reset,
                    goal=goal,
                    task=task,
                    check_in=check_in,
                    due=due,
                )
            )
            # The page, its styles and its scripts are all in before the picture is taken.
            page.wait_for_selector("main")
            page.wait_for_load_state("networkidle")
            if isinstance(opening, str):
                page.click(opening)
            elif opening:
                opening(page)
            file = target / f"{name}-{locale}.png"
            page.screenshot(path=str(file), full_page=False)
        finally:
            context.close()
        data = file.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (viewport["width"], viewport["height"])
        assert len(data) > 8000, f"{name} looks blank"
