"""Progress of the long commands: a bar with counts and time left on a terminal, plain periodic
lines (no control characters) in a log or CI."""

import io

from app.cli import main
from app.progress import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_with_counts_and_time_left():
    out = _Terminal()
    with progress("rotate-key (values)", 40, stream=out) as tracker:
        for _ in range(40):
            tracker.advance()
    text = out.getvalue()
    assert "\x1b[" in text  # drawn with terminal control codes
    assert "rotate-key (values)" in text
    assert "40/40" in text
    assert "━" in text  # the bar
    assert "left" in text


def test_in_a_log_plain_lines_with_counts_and_time_left():
    out = io.StringIO()
    with progress("audit verify (events)", 10, stream=out, interval=0) as tracker:
        for _ in range(10):
            tracker.advance()
    lines = out.getvalue().splitlines()
    assert "\x1b" not in out.getvalue()
    assert lines[0].startswith("audit verify (events): 1/10 (10%), about ")
    assert " left [" in lines[0]
    assert lines[-1].startswith("audit verify (events): 10/10 (100%) [")
    assert len(lines) == 11  # one a step (interval 0) and the closing one


def test_plain_lines_are_periodic_not_one_per_step():
    out = io.StringIO()
    with progress("backup", 1000, stream=out, interval=3600) as tracker:
        for _ in range(1000):
            tracker.advance()
    assert out.getvalue().splitlines() == [out.getvalue().splitlines()[-1]]
    assert "1000/1000" in out.getvalue()


def test_the_commands_report_progress_on_stderr(db, capsys, tmp_path):
    assert main(["audit", "verify"]) == 0
    assert main(["purge"]) == 0
    assert main(["rotate-key", "--no-generate"]) == 0
    assert main(["backup", str(tmp_path / "b.backup")]) == 0
    err = capsys.readouterr().err
    for what in ("audit verify (events)", "purge (steps): 2/2", "rotate-key (values)", "backup", "checksum"):
        assert what in err, what


def test_the_bench_seeder_reports_progress_on_stderr_not_stdout(db, capsys):
    from bench.seed import Plan, seed

    seed(Plan(participants=6, entries_per=2, clinicians=2, teams=1, sample=2), None, workers=1)
    captured = capsys.readouterr()
    assert "seed (participants): 6/6 (100%)" in captured.err
    assert "seed (participants)" not in captured.out  # bench.scale reads stdout's lines
