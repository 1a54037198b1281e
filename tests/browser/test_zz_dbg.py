from app.models.enums import Role
from tests.factories import PASSWORD, make_team, make_user

def test_dbg(live_server, browser_page, db):
    user = make_user(db, Role.participant, team=make_team(db), display_name="Browser Bea")
    page = browser_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    print(page.url)
    print(page.content()[:3000])
