"""Text at 200% on a 390 px wide phone, in a real Chromium: on every main page of each role the
page never scrolls sideways, and every control is at least 44×44 CSS px (WCAG 2.5.5; links
inside a sentence are exempt, as WCAG 2.5.8 allows).

The text size is raised the way a person does it: Chromium's own default font size (the
"Font size" setting, set through the DevTools protocol), not a CSS zoom of the whole page."""

from typing import Any

import pytest
from sqlalchemy import update

from app.models import User
from tests.browser.alliance import goal_with_history, tasks_from_physio
from tests.browser.conftest import PHONE, sign_in
from tests.factories import PASSWORD

MIN_TARGET = 44

PAGES = {
    None: ["/login", "/join", "/recover", "/offline", "/help"],
    "owner": [
        "/",
        "/journal",
        "/write",
        "/entries/{team_entry}",
        "/entries/{team_entry}/edit",
        "/entries/{team_entry}/delete",
        "/share",
        "/appointments",
        "/team-said",
        "/access-log",
        "/story",
        "/story/versions",
        "/trash",
        "/account",
        "/my-data",
        "/help",
        "/goals",
        "/entries/{goal}",
        "/plan",
        "/plan/{task}",
        "/check-ins",
    ],
    "physio": ["/clinician/participants/{owner}"],
    "psych": ["/", "/clinician", "/clinician/participants/{owner}", "/account", "/account-resets/{reset}"],
    "admin": ["/", "/admin", "/account"],
}

# Elements sticking out past the right edge of the screen, to say what overflows.
OVERFLOW = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width && rect.right > width + 0.5) {
      culprits.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(rect.right)}`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 6)};
}"""

# Controls smaller than the minimum. A control's target includes its labels (a click on the
# label works the control); a link inside a sentence is exempt.
SMALL_TARGETS = """(minimum) => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (el.classList.contains('skip-link')) continue; // off screen until focused
    const rect = el.getBoundingClientRect();
    if (!rect.width && !rect.height) continue; // not rendered (closed details, hidden parts)
    let [left, top, right, bottom] = [rect.left, rect.top, rect.right, rect.bottom];
    for (const label of el.labels || []) {
      const box = label.getBoundingClientRect();
      if (!box.width) continue;
      [left, top, right, bottom] = [Math.min(left, box.left), Math.min(top, box.top),
                                    Math.max(right, box.right), Math.max(bottom, box.bottom)];
    }
    const width = right - left, height = bottom - top;
    if (width >= minimum - 0.5 && height >= minimum - 0.5) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      // In a sentence: the block around it holds words of its own.
      const block = el.parentElement.closest('p, li, dd, td, div, span, label');
      const own = (block?.textContent || '').replace(el.textContent, '').trim();
      if (own.length > 0) continue;
    }
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '')
      .trim().replace(/\\s+/g, ' ');
    small.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text.slice(0, 30)}" ` +
               `${Math.round(width)}×${Math.round(height)}`);
  }
  return small;
}"""


def large_text(page: Any, context: Any) -> None:
    """Chromium's default font size from 16 px to 32 px: what "text size 200%" does."""
    cdp = context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


@pytest.mark.parametrize("locale", ["en", "nl"])  # Dutch words are longer
@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_at_200_percent_text_nothing_scrolls_sideways_and_targets_stay_large(
    live_server, browser_context_factory, world, db, role, locale
):
    db.execute(update(User).values(locale=locale))
    db.commit()
    # A password reset under way: the owner's notice, the team's list and the reset's own page.
    owner_id = world.users["owner"].id
    reset = world.clients["physio"].post(f"/api/v1/participants/{owner_id}/account-resets").json()["id"]
    # The owner's story, shared with the team: on the preparation page, collapsed, and on /story.
    story = {"base_version": 0, "sections": {"before": "Years of care.", "cause": "The fall at work."}}
    world.clients["owner"].put("/api/v1/me/story", json=story)
    world.clients["owner"].post("/api/v1/me/story/shares", json={"audience": "team"})
    # A goal rated and reworded, and tasks answered, tried and sent (issue 14).
    goal = goal_with_history(world)
    task = tasks_from_physio(world, goal)
    context = browser_context_factory(PHONE, locale="nl-NL" if locale == "nl" else "en-GB")
    page = context.new_page()
    if role:
        sign_in(page, live_server, world.users[role].username, PASSWORD)
    page.goto(f"{live_server}/login" if not role else f"{live_server}/")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    large_text(page, context)

    problems: list[str] = []
    for path in PAGES[role]:
        url = path.format(
            team_entry=world.entry_id("team"),
            owner=world.users["owner"].id,
            reset=reset,
            goal=goal,
            task=task,
        )
        page.goto(live_server + url)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == locale
        # The setting really took: the text is twice its normal size.
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 2 * normal_size
        assert page.viewport_size["width"] == 390
        # Folded parts count too: open every <details>.
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        overflow = page.evaluate(OVERFLOW)
        if overflow["scrollWidth"] > overflow["clientWidth"]:
            problems.append(
                f"{url}: scrolls sideways ({overflow['scrollWidth']} > {overflow['clientWidth']}): "
                f"{overflow['culprits']}"
            )
        problems.extend(f"{url}: small target {what}" for what in page.evaluate(SMALL_TARGETS, MIN_TARGET))
    assert problems == [], "\n".join(problems)


# A 390×844 phone with the on-screen keyboard open: the keyboard takes about 336 px, and the
# page's viewport says `interactive-widget=resizes-content`, so the page is laid out in what is
# left (as Chrome on Android does). A smaller viewport is exactly that.
KEYBOARD_OPEN = {"width": 390, "height": 844 - 336}

# How much of the text box a person sees while writing: the box scrolled to the top of the
# screen, less whatever a bar that sticks to the bottom of the screen covers, in lines of text.
VISIBLE_LINES = """() => {
  const box = document.querySelector('textarea[name=body]');
  box.scrollIntoView({block: 'start'});
  const style = getComputedStyle(box);
  const lineHeight = parseFloat(style.lineHeight);
  const inner = box.getBoundingClientRect();
  const top = Math.max(0, inner.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop));
  let bottom = Math.min(window.innerHeight,
    inner.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom));
  const bar = box.form.querySelector('.form-actions');
  const barBox = bar.getBoundingClientRect();
  if (barBox.top < bottom && barBox.bottom > top) bottom = Math.min(bottom, barBox.top);
  return {lines: (bottom - top) / lineHeight, bar: Math.round(barBox.height),
          sticky: getComputedStyle(bar).position, viewport: window.innerHeight};
}"""


@pytest.mark.parametrize("locale", ["en", "nl"])
@pytest.mark.parametrize("path", ["/write", "/offline"])
def test_at_200_percent_text_with_the_keyboard_open_five_lines_of_writing_stay_visible(
    live_server, browser_context_factory, world, db, locale, path
):
    db.execute(update(User).values(locale=locale))
    db.commit()
    context = browser_context_factory(PHONE, locale="nl-NL" if locale == "nl" else "en-GB")
    page = context.new_page()
    sign_in(page, live_server, world.users["owner"].username, PASSWORD)
    page.goto(f"{live_server}/write")
    viewport_meta = page.locator("meta[name=viewport]").get_attribute("content")
    # The simulation below is what Chrome on Android does only with this setting.
    assert "interactive-widget=resizes-content" in viewport_meta
    large_text(page, context)
    page.set_viewport_size(KEYBOARD_OPEN)
    page.goto(f"{live_server}{path}")
    page.wait_for_selector("textarea[name=body]")
    page.fill("textarea[name=body]", "\n".join(f"line {n}" for n in range(1, 13)))
    page.focus("textarea[name=body]")
    # A draft note appears in the bar once something is typed: measure with it there.
    if path == "/write":
        page.wait_for_function("() => document.querySelector('[data-draft-status]').textContent !== ''")
    seen = page.evaluate(VISIBLE_LINES)
    assert seen["lines"] >= 5, seen
    # The save button is still within reach: below the text, not gone.
    assert page.locator("button[type=submit].button--big").is_visible()

    # With normal text and the keyboard open the bar stays at the bottom of the screen, in reach
    # of the thumb, and still leaves room to write.
    cdp = context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
    page.reload()
    page.fill("textarea[name=body]", "\n".join(f"line {n}" for n in range(1, 13)))
    seen = page.evaluate(VISIBLE_LINES)
    assert seen["sticky"] == "sticky", seen
    assert seen["lines"] >= 5, seen
