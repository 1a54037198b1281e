"""Keyboard only, in a real Chromium: sign in, write an entry, save it and share it with Tab,
Enter, Space (and the arrow keys a radio group answers to), with the focus visible on every
control it lands on — and on every control of the main pages of each role."""

from typing import Any

import pytest
from sqlmodel import select

from app.models import Entry, Share
from app.models.enums import Discipline, Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import PASSWORD, make_team, make_user

# Remembers how every focusable control looks while it is NOT focused, so that a style it
# always has (the current page's underline in the menu is a box-shadow) does not count as a
# focus indicator.
REMEMBER_UNFOCUSED = """() => {
  window.__unfocused = new Map();
  const focused = document.activeElement;
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')) {
    if (el === focused) continue;
    const targets = [el, ...(el.labels || [])];
    window.__unfocused.set(el, targets.map((t) => getComputedStyle(t).boxShadow));
  }
}"""

# Whether the focused control shows it: an outline that is drawn, or a box-shadow it does not
# have when unfocused — on itself, or on its label when the control itself is visually hidden
# (the big radio "buttons" of the write form).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const before = (window.__unfocused && window.__unfocused.get(el)) || [];
  const targets = [el, ...(el.labels || [])];
  const shows = targets.some((target, index) => {
    const style = getComputedStyle(target);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1
      && style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent';
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== before[index];
    return outline || shadow;
  });
  const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
  return {
    shows,
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.name ? '[name=' + el.name + ']' : ''} "${text.slice(0, 40)}"`,
  };
}"""


class Keyboard:
    """Moves with the keyboard only, checking the focus indicator at every stop."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.invisible: list[str] = []
        self.stops = 0

    def remember(self) -> None:
        self.page.evaluate(REMEMBER_UNFOCUSED)

    def check(self) -> dict[str, Any] | None:
        state = self.page.evaluate(FOCUS_STATE)
        if state is not None:
            self.stops += 1
            if not state["shows"]:
                self.invisible.append(f"{self.page.url}: {state['what']}")
        return state

    def press(self, key: str) -> dict[str, Any] | None:
        self.page.keyboard.press(key)
        return self.check()

    def follow(self, key: str = "Enter") -> None:
        """A key that leaves the page (a link, a submit): nothing to check on the way out."""
        self.page.keyboard.press(key)

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.press(key)
            if self.page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
                return
        raise AssertionError(f"{selector} not reached with {key} on {self.page.url}")

    def tab_through(self, limit: int = 250) -> int:
        """Every control of the page once, in tab order; returns how many."""
        self.remember()
        self.page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
        seen: list[Any] = []
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            handle = self.page.evaluate_handle("() => document.activeElement")
            if self.page.evaluate("(el) => el === document.body || el === null", handle):
                break
            if any(self.page.evaluate("([a, b]) => a === b", [handle, earlier]) for earlier in seen[:1]):
                break  # back at the first control
            seen.append(handle)
            self.check()
        return len(seen)


def test_sign_in_write_save_and_share_with_the_keyboard_only(live_server, browser_context_factory, db):
    team = make_team(db)
    owner = make_user(db, Role.participant, team=team)
    psychologist = make_user(db, Role.clinician, team=team, discipline=Discipline.psychologist)
    page = browser_context_factory(PHONE).new_page()
    keys = Keyboard(page)

    page.goto(f"{live_server}/login")
    keys.remember()
    keys.tab_to("#login-username")
    page.keyboard.type(owner.username)
    keys.tab_to("#login-password")
    page.keyboard.type(PASSWORD)
    keys.tab_to("form[action='/login'] button[type=submit]")
    keys.follow()
    page.wait_for_url(f"{live_server}/")

    keys.remember()
    keys.tab_to("a.nav-write")
    keys.follow()
    page.wait_for_url(f"{live_server}/write")
    page.wait_for_selector("#write-body")
    keys.remember()
    keys.tab_to("input[name=kind]")  # the group's chosen radio
    for _ in range(5):
        if page.is_checked("#write-kind-question"):
            break
        keys.press("ArrowRight")
    assert page.is_checked("#write-kind-question")
    keys.tab_to("#write-body")
    words = "Asked with the keyboard: can I go back to work part-time?"
    page.keyboard.type(words)
    keys.tab_to("form[data-capture] button[type=submit]")
    keys.press("Enter")
    page.wait_for_selector("[data-capture-result]:has-text('Saved.')")

    # The confirmation links to the entry; it comes just before the save button.
    keys.tab_to("[data-capture-result] a", backwards=True)
    keys.follow()
    page.wait_for_url("**/entries/*")
    entry_id = page.url.rsplit("/", 1)[-1]
    keys.remember()
    keys.tab_to(".share-box summary")
    keys.press("Enter")
    assert page.evaluate("document.querySelector('.share-box').open")
    keys.remember()
    keys.tab_to("input[name=audience]")
    keys.press("ArrowDown")
    assert page.is_checked("#share-audience-people")
    keys.remember()  # the people picker has just appeared
    keys.tab_to(f"#share-person-{psychologist.id}")
    keys.press("Space")
    assert page.is_checked(f"#share-person-{psychologist.id}")
    keys.tab_to("form[action$='/share'] button[type=submit]")
    keys.follow()
    page.wait_for_selector(".notice--done")

    db.commit()
    db.expire_all()
    entry = db.exec(select(Entry).where(Entry.author_id == owner.id)).one()
    assert (str(entry.id), entry.body, entry.kind.value) == (entry_id, words, "question")
    shares = db.exec(select(Share).where(Share.entry_id == entry.id)).all()
    assert [(share.audience.value, share.clinician_id) for share in shares] == [
        ("clinician", psychologist.id)
    ]
    db.commit()
    assert keys.stops >= 10
    assert keys.invisible == []


PAGES = {
    None: ["/login", "/join", "/recover"],
    "owner": [
        "/",
        "/journal",
        "/write",
        "/entries/{team_entry}",
        "/entries/{team_entry}/edit",
        "/share",
        "/appointments",
        "/team-said",
        "/access-log",
        "/trash",
        "/account",
    ],
    "psych": ["/", "/clinician", "/clinician/participants/{owner}", "/account"],
}


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_focus_is_visible_on_every_control_of_the_main_pages(
    live_server, browser_context_factory, world, role
):
    viewport = DESKTOP if role == "psych" else PHONE
    page = browser_context_factory(viewport).new_page()
    if role:
        sign_in(page, live_server, world.users[role].username, PASSWORD)
    keys = Keyboard(page)
    counts: dict[str, int] = {}
    for path in PAGES[role]:
        url = path.format(team_entry=world.entry_id("team"), owner=world.users["owner"].id)
        page.goto(live_server + url)
        page.wait_for_load_state("load")
        # Open every <details>, so that the controls folded inside are checked too.
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        counts[url] = keys.tab_through()
    assert all(count >= 3 for count in counts.values()), counts
    assert keys.invisible == []
