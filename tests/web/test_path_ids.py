"""A malformed id in a page's path answers like a missing one: "not found", for every role and on
every page, never a 422 that tells a malformed id from someone else's."""

import pytest

from tests.web.clinician.test_preparation import as_browser

# (who, method, path): pages with an id in their path, as the role that may use them.
PAGES = [
    ("owner", "GET", "/entries/{bad}"),
    ("owner", "GET", "/entries/{bad}/edit"),
    ("owner", "GET", "/entries/{bad}/delete"),
    ("owner", "POST", "/entries/{bad}/edit"),
    ("owner", "POST", "/entries/{bad}/delete"),
    ("owner", "POST", "/entries/{bad}/restore"),
    ("owner", "POST", "/entries/{bad}/share"),
    ("owner", "POST", "/entries/{entry}/shares/{bad}/revoke"),
    ("owner", "POST", "/entries/{entry}/responses/{bad}/view"),
    ("owner", "POST", "/appointments/{bad}/agenda"),
    ("physio", "GET", "/clinician/participants/{bad}"),
    ("physio", "POST", "/clinician/participants/{bad}/appointments"),
    ("physio", "POST", "/clinician/entries/{bad}/responses"),
    ("physio", "POST", "/invitations/{bad}/revoke"),
    ("admin", "POST", "/admin/users/{bad}/active"),
    ("admin", "POST", "/invitations/{bad}/revoke"),
]


@pytest.mark.parametrize(("who", "method", "path"), PAGES)
@pytest.mark.parametrize("bad", ["not-an-id", "1234", "%20"])
def test_a_malformed_id_is_not_found(world, who, method, path, bad):
    client = world.clients[who]
    url = path.format(bad=bad, entry=world.entries["team"]["id"])
    token = client.get("/api/v1/me").json()["csrf_token"]
    with as_browser(client):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "is_active": "true"})
    assert response.status_code == 404, (url, response.status_code)
    assert "There is nothing here" in response.text or "does not exist" in response.text
