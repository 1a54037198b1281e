"""Each page's HTML + CSS + JS is at most 60 KB compressed (what a phone on a weak connection
downloads), counting every module a page's scripts import."""

import gzip
import re

import pytest

BUDGET = 60 * 1024
PAGES = {
    "owner": [
        "/",
        "/journal",
        "/write",
        "/entries/{entry}",
        "/share",
        "/appointments",
        "/help",
        "/check-ins",
    ],
    "psych": ["/clinician", "/clinician/participants/{owner}"],
    "admin": ["/admin"],
}


def _assets(client, html: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    queue = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        r'<script[^>]+src="([^"]+)"', html
    )
    while queue:
        url = queue.pop()
        if url in found:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.content
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            for imported in re.findall(r'from\s+"(\./[^"]+)"|import\s+"(\./[^"]+)"', response.text):
                target = next(part for part in imported if part)
                queue.append(f"{base}/{target[2:]}")
    return found


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_stay_within_the_weight_budget(world, role):
    client = world.clients[role]
    for path in PAGES[role]:
        url = path.format(entry=world.entry_id("team"), owner=world.users["owner"].id)
        response = client.get(url)
        assert response.status_code == 200, url
        parts = {"html": response.content, **_assets(client, response.text)}
        total = sum(len(gzip.compress(body, compresslevel=6)) for body in parts.values())
        assert total <= BUDGET, f"{url}: {total} bytes compressed"
        assert any(name.endswith(".css") for name in parts)
