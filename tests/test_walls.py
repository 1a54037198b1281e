"""The walls of the house (ARCHITECTURE.md) are import-linter contracts in pyproject.toml: the
tree keeps them, and a wall broken on purpose, even by a lazy import, is caught."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_of_the_tree(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "app", project / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_tree_keeps_every_wall(tmp_path):
    result = _lint_imports(_copy_of_the_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_that_reaches_up_to_the_pages_is_caught(tmp_path):
    project = _copy_of_the_tree(tmp_path)
    (project / "app" / "journal" / "shortcut.py").write_text(
        "def home():\n    from app.web.home import home_page  # lazily, to hide a loop\n\n    return home_page\n"
    )
    result = _lint_imports(project)
    assert result.returncode != 0
    assert "app.journal is not allowed to import app.web" in result.stdout


def test_a_route_that_touches_a_repository_is_caught(tmp_path):
    project = _copy_of_the_tree(tmp_path)
    api = project / "app" / "journal" / "api.py"
    api.write_text(api.read_text() + "\nfrom app.journal import repository  # noqa: E402\n")
    result = _lint_imports(project)
    assert result.returncode != 0
    assert "app.journal.api is not allowed to import app.journal.repository" in result.stdout


def test_plumbing_that_imports_a_domain_is_caught(tmp_path):
    project = _copy_of_the_tree(tmp_path)
    errors = project / "app" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom app.accounts import service  # noqa: E402\n")
    result = _lint_imports(project)
    assert result.returncode != 0
    assert "app.errors is not allowed to import app.accounts" in result.stdout
