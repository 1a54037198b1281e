"""Common Dutch passwords and the README's demo password are refused for real accounts
(issue 12, item 6); demo data still uses its printed password."""

import pytest

from app.accounts.passwords import DEMO_PASSWORD, password_problem
from app.models.enums import Role
from tests.factories import PASSWORD, login, make_team, make_user

REFUSED = [
    "wachtwoord2024",
    "Wachtwoord123!",
    "welkom12345",
    "ikhouvanjou1",
    "Feyenoord1908",
    "zonneschijn",
    "123voetbal456",
    "W@chtw00rd2025",
    DEMO_PASSWORD,
    "Stem  Demo 2026",
]


@pytest.mark.parametrize("password", REFUSED)
def test_common_dutch_and_demo_passwords_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["fiets regen koffie lamp", "tulpen dansen op de maan 7"])
def test_a_passphrase_of_unrelated_words_passes(password):
    assert password_problem(password) is None


def test_a_password_change_to_a_dutch_common_password_is_refused(client, db):
    user = make_user(db, Role.participant, team=make_team(db))
    login(client, user)
    for new in ("Wachtwoord2024!", DEMO_PASSWORD):
        response = client.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": new},
            headers={"Accept-Language": "nl"},
        )
        assert response.status_code == 422, new
        assert response.json()["errors"][0]["field"] == "new_password"
