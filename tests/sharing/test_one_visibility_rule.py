"""Clinician-facing code reads entries only through `sharing.repository.visible_entries`:
a lint-style check that fails on any other query of the entries table there."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
# Code that serves clinicians (or both audiences); the repository is where the rule lives.
CLINICIAN_FACING = [
    *APP.glob("clinician/*.py"),
    *APP.glob("sharing/*.py"),
    *APP.glob("web/clinician/*.py"),
    *APP.glob("reminders/*.py"),  # a clinician's "sent you something" asks the rule too
]
ALLOWED = {APP / "sharing" / "repository.py"}
ENTRY_QUERY = re.compile(
    r"select\(\s*Entry\b|\.query\(\s*Entry\b|session\.get\(\s*Entry\b|FROM entries", re.IGNORECASE
)


def test_no_clinician_facing_module_queries_entries_directly():
    offenders = [
        f"{path.relative_to(APP)}:{number}"
        for path in CLINICIAN_FACING
        if path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ENTRY_QUERY.search(line)
    ]
    assert offenders == []


# A read of the entries table in the sharing repository is either built on the rule, or the
# owner's own read, scoped to them in the same statement.
GUARDS = ("_visible(clinician_id)", "col(Entry.author_id) == author_id")


def test_the_repository_builds_its_entry_reads_on_the_visibility_rule():
    lines = (APP / "sharing" / "repository.py").read_text(encoding="utf-8").splitlines()
    entry_selects = [i for i, line in enumerate(lines) if re.search(r"select\(\s*Entry\b", line)]
    assert len(entry_selects) >= 2  # the rule's entries and ids, and the unread counts
    unguarded = [
        i + 1
        for i in entry_selects
        if not any(guard in line for line in lines[i : i + 3] for guard in GUARDS)
    ]
    assert unguarded == []


def test_the_check_would_catch_a_stray_query(tmp_path):
    stray = "rows = session.exec(select(Entry).where(Entry.author_id == pid)).all()"
    assert ENTRY_QUERY.search(stray)
