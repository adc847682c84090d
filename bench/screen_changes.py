"""Every screen change a person makes, timed (issue #19: each ≤ 150 ms).

    python -m bench.screen_changes [--sizes 1000,100000] [--processes 3]

For each store size it writes the office store (bench/office.py, as ``bench.run`` does),
then in fresh processes signs in (as the office's supervisor, who sees every station's
records, and as a station's head) and presses the keys that change the screen: each
section's key (F3 … F8, back to F2), the help (F1), the settings (F9), a household's
history (h), a hardship case (o), each the first time in the process and again. Two
moments are timed from the key press, each with the frame painted:

- *shown*: the new screen is the current one and drawn (its frame, its bar, its list
  as it stands);
- *ready*: its data are in it (no build of its rows or figures still running).

The floor beside them, in the same process: pushing an empty Textual screen of one
label and popping it (what any screen change costs in Textual on this machine).

Writes bench/RESULTS-screens.md (and .json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.ui_probe import _clock, _opener, _painted, _press, _Profile, _ready, _until

RESULTS = Path(__file__).with_name("RESULTS-screens.md")
TARGET_S = 0.150

#: (what, the key, the mode it goes to or None for a pushed screen, the screen's class
#: name). Pushed screens are closed with Escape before the next.
CHANGES: tuple[tuple[str, str, str | None, str], ...] = (
    ("households list (F3)", "f3", "households", "HouseholdsScreen"),
    ("a household's history (h)", "h", None, "HouseholdHistoryScreen"),
    ("slips list (F4)", "f4", "slips", "SlipsScreen"),
    ("the overdue board (b)", "b", None, "BoardScreen"),
    ("hardship list (F5)", "f5", "hardship", "HardshipScreen"),
    ("a hardship case (o)", "o", None, "CaseView"),
    ("rosters (F6)", "f6", "rosters", "RostersScreen"),
    ("supervision (F7)", "f7", "supervision", "SupervisionScreen"),
    ("statistics (F8)", "f8", "statistics", "StatisticsScreen"),
    ("visits list (F2)", "f2", "visits", "VisitsScreen"),
    ("a visit's edit form (e)", "e", None, "VisitForm"),
    ("help (F1)", "f1", None, "HelpScreen"),
    ("settings (F9)", "f9", None, "SettingsScreen"),
)


def _busy(screen: Any) -> bool:
    """A build for the screen is still running (its rows, its figures)."""
    if getattr(screen, "_pending", None) is not None:
        return True
    if getattr(screen, "loading", False):
        return True
    return any(
        w.node is screen and w.state.name in ("PENDING", "RUNNING") for w in screen.app.workers
    )


async def _floor(pilot: Any) -> float:
    from textual.screen import Screen
    from textual.widgets import Label

    class Empty(Screen[None]):
        def compose(self) -> Any:
            yield Label("空")

    app = pilot.app
    before = app.screen
    await pilot.pause()
    start = time.perf_counter()
    screen = Empty()
    app.push_screen(screen)
    await _until(pilot, lambda: app.screen is screen and screen.is_mounted)
    _painted(app)
    took = time.perf_counter() - start
    app.pop_screen()
    await _until(pilot, lambda: app.screen is before)
    return took


async def _probe(store_path: Path, staff_id: str) -> dict[str, Any]:
    from textual.widgets import DataTable, Input, OptionList

    from grassroots_tui.store.settings import Settings
    from grassroots_tui.tui.launch import make_app

    app = make_app(
        store_path,
        Settings(last_operator=staff_id),
        clock=_clock,
        persist_settings=False,
        opener=_opener(store_path),
    )
    app.animation_level = "none"
    out: dict[str, Any] = {"changes": {}}
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: _ready(app))
            options = app.screen.query_one("#signin-staff", OptionList)
            options.highlighted = options.get_option_index(staff_id)
            app.screen.query_one("#signin-pin", Input).focus()
            await pilot.pause()
            await _press(app, "enter")

            def visits_shown() -> bool:
                if app.current_mode != "visits" or app.screen.id != "visits-screen":
                    return False
                try:
                    table = app.screen.query_one("#visits-table DataTable", DataTable)
                except Exception:  # noqa: BLE001 - not mounted yet
                    return False
                return table.row_count > 0

            await _until(pilot, visits_shown)
            shown_at = time.perf_counter()
            # A person looks at the list for a moment: meanwhile the program prepares
            # the other sections (tui/app.py, _prepare_sections); timed from the list.
            await _until(pilot, app.sections_prepared, timeout=30)
            out["prepared_after_list_s"] = time.perf_counter() - shown_at
            await pilot.pause(0.5)
            out["floor_s"] = [await _floor(pilot) for _ in range(3)]
            # GRASSROOTS_BENCH_PROFILE=f3-first (a key and the round) profiles that change.
            profile = _Profile(os.environ.get("GRASSROOTS_BENCH_PROFILE", ""))
            for _round in ("first", "again"):
                for what, key, mode, class_name in CHANGES:
                    await pilot.pause(0.2)
                    before = app.screen
                    start = time.perf_counter()
                    profiling = profile(f"{key}-{_round}")
                    profiling.__enter__()
                    await _press(app, key)

                    def shown(name: str = class_name, old: Any = before) -> bool:
                        screen = app.screen
                        return (
                            screen is not old
                            and type(screen).__name__ == name
                            and screen.is_mounted
                        )

                    try:
                        await _until(pilot, shown, timeout=3)
                    except TimeoutError:  # not offered to this person (the board)
                        profiling.__exit__(None, None, None)
                        continue
                    _painted(app)
                    shown_s = time.perf_counter() - start
                    await _until(pilot, lambda: not _busy(app.screen))
                    _painted(app)
                    ready_s = time.perf_counter() - start
                    profiling.__exit__(None, None, None)
                    out["changes"].setdefault(what, []).append((shown_s, ready_s))
                    if mode is None:
                        screen = app.screen
                        await pilot.press("escape")
                        await _until(pilot, lambda s=screen: app.screen is not s)
    finally:
        if app.store_open:
            app.store.close()
    return out


# -- the parent ---------------------------------------------------------------------------


def _run_probe(store: Path, staff_id: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.screen_changes", "probe", str(store), staff_id],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def measure(sizes: list[int], processes: int, seed: int) -> list[dict[str, Any]]:
    from bench import engines
    from bench.ui_bench import prepare

    results = []
    data = Path(tempfile.mkdtemp(prefix="grassroots-screens-"))
    try:
        for n in sizes:
            folder = data / f"n{n}"
            plan = prepare(folder, n, seed)
            store = engines.engine_path(folder, "ours")
            env = dict(os.environ)
            env["GRASSROOTS_CONFIG"] = str(folder / "settings.json")
            env["TEXTUAL_ANIMATIONS"] = "none"
            for who in ("office_staff", "head_staff"):
                runs = [_run_probe(store, plan[who], env) for _ in range(processes)]
                results.append({"n": n, "who": who, "runs": runs})
                print(f"  {n:,} documents, {who}: {processes} processes", file=sys.stderr)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return results


def render(results: list[dict[str, Any]], command: str, started: float) -> str:
    out = [
        "# Screen changes (issue #19: each ≤ 150 ms)",
        "",
        "Written by `bench/screen_changes.py`; do not edit by hand.",
        "",
        f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `{command}`",
        f"- Machine: os.cpu_count() = {os.cpu_count()}; {platform.platform()}",
        f"- Python {platform.python_version()}; total run time {time.time() - started:.0f} s",
        "- Milliseconds from the key press, medians over the processes: *shown* (the new",
        "  screen current and drawn) / *ready* (its rows or figures in it, drawn). *First*",
        "  is the first change to that screen in the process; *again* the next one.",
        "- Floor: an empty Textual screen of one label pushed until drawn, same process.",
        "- The program prepares each section while the person looks at the first list",
        "  (composed off screen, its rows built): the changes are timed once that is done;",
        "  how long after the list it was done is given for each size.",
        "",
    ]
    for result in results:
        who = "the office's supervisor" if result["who"] == "office_staff" else "a station head"
        runs = result["runs"]
        floor = _median([x for r in runs for x in r["floor_s"]])
        out.append(f"## {result['n']:,} documents, signed in as {who}")
        out.append("")
        prepared = _median([r["prepared_after_list_s"] for r in runs])
        out.append(
            f"Floor: {floor * 1000:.0f} ms. The sections were prepared {prepared:.1f} s after"
            " the first list was shown (the changes below start after that)."
        )
        out.append("")
        out.append("| change | first: shown / ready | again: shown / ready | ≤ 150 ms |")
        out.append("|---|---|---|---|")
        for what, *_ in CHANGES:
            if not all(len(r["changes"].get(what, ())) == 2 for r in runs):
                out.append(f"| {what} | not offered to this person | | |")
                continue
            first = [r["changes"][what][0] for r in runs]
            again = [r["changes"][what][1] for r in runs]
            cells = []
            worst = 0.0
            for pairs in (first, again):
                shown = _median([p[0] for p in pairs])
                ready = _median([p[1] for p in pairs])
                worst = max(worst, ready)
                cells.append(f"{shown * 1000:.0f} / {ready * 1000:.0f}")
            out.append(
                f"| {what} | {cells[0]} | {cells[1]} | {'✓' if worst <= TARGET_S else '✗'} |"
            )
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["probe"]:
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
        result = asyncio.run(_probe(Path(argv[1]), argv[2]))
        sys.stdout.write("\n" + json.dumps(result) + "\n")
        return
    parser = argparse.ArgumentParser(prog="python -m bench.screen_changes")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    started = time.time()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = measure(sizes, args.processes, args.seed)
    command = "python -m bench.screen_changes " + " ".join(argv)
    RESULTS.write_text(render(results, command.strip(), started) + "\n", encoding="utf-8")
    RESULTS.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
