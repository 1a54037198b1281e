"""The private calendar link in a real browser (issue 18, item 4): turned on from the
appointments page, shown once in a field to copy (and as a webcal:// button), fetched by a
"calendar app" without a session, turned off again; axe finds nothing on the page that shows it."""

import httpx
import pytest
from sqlalchemy import update

from app.models import User
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, WCAG
from tests.factories import PASSWORD
from tests.sharing.conftest import in_future


@pytest.mark.parametrize(("locale", "turn_on", "turn_off"), [
    ("en", "Turn on the calendar link", "Turn off the calendar link"),
    ("nl", "Zet de kalenderlink aan", "Zet de kalenderlink uit"),
])  # fmt: skip
def test_turn_on_copy_fetch_and_turn_off(live_server, chromium, world, db, locale, turn_on, turn_off):
    db.execute(update(User).values(locale=locale))
    db.commit()
    body = {"participant_id": str(world.users["owner"].id), "starts_at": in_future()}
    appointment = world.clients["psych"].post("/api/v1/appointments", json=body).json()["id"]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, world.users["owner"].username, PASSWORD)
        page.goto(live_server + "/appointments")
        page.get_by_role("button", name=turn_on).click()
        field = page.locator("#calendar-link")
        link = field.input_value()
        assert link.startswith("http") and link.endswith(".ics")
        webcal = page.locator('a[href^="webcal://"]').get_attribute("href")
        assert webcal == "webcal://" + link.split("://", 1)[1]
        page.add_script_tag(path=str(AXE))  # (the locked dev dependency, as in test_accessibility)
        result = page.evaluate("(tags) => axe.run(document, {runOnly: tags})", WCAG)
        assert [violation["id"] for violation in result["violations"]] == []

        path = "/" + link.split("/", 3)[3]
        fetched = httpx.get(live_server + path)  # a calendar app: no cookie
        assert fetched.status_code == 200
        assert f"appointment-{appointment}@stem" in fetched.text

        page.goto(live_server + "/appointments")
        assert page.locator("#calendar-link").count() == 0  # shown once only
        page.get_by_role("button", name=turn_off).click()
        assert page.get_by_role("button", name=turn_on).is_visible()
        assert httpx.get(live_server + path).status_code == 404
    finally:
        context.close()
