"""Driving the HTML pages as a browser without JavaScript does: forms in (with the page's CSRF
token), pages and redirects out, and what a reader sees of a page."""

import html
import re
from typing import Any

from starlette.testclient import TestClient

from app.models import User
from tests.factories import PASSWORD

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def textarea_of(page: str, name: str = "body") -> str:
    """What a textarea holds, as the browser reads it (one newline after the tag is dropped)."""
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    # Browsers also read CR LF as LF in a text area (and send it back as CR LF).
    value = html.unescape(found.group(1)).replace("\r\n", "\n")
    return value[1:] if value.startswith("\n") else value


def hidden_id_of(page: str) -> str:
    found = re.search(r'<input type="hidden" name="id" value="([^"]*)"', page)
    assert found, "no hidden id"
    return found.group(1)


class Browser:
    """A browser signed in through the login form; posts forms with the page's CSRF token."""

    def __init__(self, client: TestClient, user: User, password: str = PASSWORD) -> None:
        self.client = client
        self.user = user
        client.follow_redirects = False
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 303, response.text
        self.csrf = csrf_of(client.get("/account").text)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> Any:
        fields = dict(data or {})
        if csrf:
            fields["csrf_token"] = self.csrf
        return self.client.post(url, data=fields)

    def write(self, body: str = "A thought", kind: str = "thought", **fields: Any) -> str:
        """Write an entry through the form; returns its id."""
        entry_id = fields.pop("id", None) or hidden_id_of(self.get("/write").text)
        response = self.post("/write", {"id": entry_id, "kind": kind, "body": body, **fields})
        assert response.status_code == 303, response.text
        return entry_id


DATE_PROBLEM = "Choose a date, such as {example}."


def message_shown(message: str, page: str) -> bool:
    """The problem is on the page; a date's example is one of the next days two weeks ahead."""
    from datetime import date, timedelta

    from app.web.dates import example_day

    if message != DATE_PROBLEM:
        return message in page
    today = date.today()
    examples = {example_day("en", today + timedelta(days=shift)) for shift in (-1, 0, 1)}
    return any(message.format(example=example) in page for example in examples)
