"""bench/screen_changes.py's report: medians over processes, and the 150 ms mark judged
on the slower of the two moments of both rounds."""

from __future__ import annotations

from bench import screen_changes


def _run(shown_ready: dict[str, list[tuple[float, float]]], floor: float) -> dict:
    return {"floor_s": [floor], "changes": shown_ready, "prepared_after_list_s": 1.5}


def test_the_report_takes_medians_and_marks_by_the_slowest_ready():
    names = [what for what, *_ in screen_changes.CHANGES]
    quick = {name: [(0.010, 0.020), (0.010, 0.020)] for name in names}
    # The statistics ready only after 0.2 s the first time in two of three processes.
    runs = [
        _run({**quick, "statistics (F8)": [(0.05, 0.2), (0.01, 0.02)]}, 0.006),
        _run({**quick, "statistics (F8)": [(0.05, 0.3), (0.01, 0.02)]}, 0.008),
        _run({**quick, "statistics (F8)": [(0.05, 0.1), (0.01, 0.02)]}, 0.007),
    ]
    text = screen_changes.render([{"n": 1000, "who": "office_staff", "runs": runs}], "cmd", 0.0)
    lines = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if "|" in line}
    assert "Floor: 7 ms." in text  # the median of 6, 8 and 7
    stats = lines["statistics (F8)"]
    assert "50 / 200" in stats  # the medians of the first round
    assert stats.rstrip(" |").endswith("✗")
    assert lines["help (F1)"].rstrip(" |").endswith("✓")
    assert "10 / 20" in lines["help (F1)"]
    assert len([line for line in lines.values() if line.endswith(("✓ |", "✗ |"))]) == len(names)


def test_busy_reads_a_pending_build_and_the_loading_flag():
    class Screen:
        _pending = None
        loading = False

        class app:  # noqa: N801 - a stand-in for the app's worker list
            workers: list = []

    screen = Screen()
    assert not screen_changes._busy(screen)
    screen._pending = {"visit": 3}
    assert screen_changes._busy(screen)
    screen._pending = None
    screen.loading = True
    assert screen_changes._busy(screen)
