"""Pages of one's own passkeys that work without JavaScript: removing one, after being asked.
(Adding one and signing in with one happen in the browser, through the JSON API: see
web/static/js/passkeys.js.)"""

from fastapi import APIRouter
from starlette.responses import Response

from app.accounts import passkeys
from app.web.forms import id_or_404, redirect
from app.web.rendering import page
from app.web.visits import AnyVisit

router = APIRouter(include_in_schema=False)


@router.get("/account/passkeys/{passkey_id}/remove")
def remove_page(passkey_id: str, visit: AnyVisit) -> Response:
    passkey = passkeys.one_of(
        visit.session, actor=visit.user, passkey_id=id_or_404(passkey_id, passkeys.NOT_FOUND)
    )
    return page(visit.request, "accounts/passkey_remove.html", {"nav": "account", "passkey": passkey})


@router.post("/account/passkeys/{passkey_id}/remove")
def remove(passkey_id: str, visit: AnyVisit) -> Response:
    passkeys.remove(visit.session, actor=visit.user, passkey_id=id_or_404(passkey_id, passkeys.NOT_FOUND))
    return redirect("/account?done=passkey_removed")
