"""One run of the program, headless, timing what a person waits for (issue #8).

    python -m bench.ui_probe app STORE STAFF_ID T0 [--reps 5]
    python -m bench.ui_probe start STORE T0
    python -m bench.ui_probe entry STORE T0
    python -m bench.ui_probe minimal T0
    python -m bench.ui_probe engine {tinydb,sqlite} PATH T0 [--reps 5]

``T0`` is the wall-clock time (``time.time()``) at which the parent started this
process, so "start" runs from process start to the first screen showing data. The app
is the real :class:`~grassroots_tui.tui.app.GrassrootsApp` on the real store, opened as
``grassroots`` opens it (:func:`grassroots_tui.tui.launch.launch`), driven through
``App.run_test()`` with the keys a person presses. Each figure is timed from the key
press to the moment the widget that shows the data holds it (polled every millisecond
on the app's own event loop). The engine probes do the same data work with TinyDB's
default JSONStorage and with SQLite, for the side-by-side columns.

``start`` (issue #19) starts the program as ``grassroots`` does once its command line is
read (:func:`grassroots_tui.tui.launch.make_app`: the settings, the sign-in list kept
beside the store, the store opened in a thread) and times the sign-in screen painted,
the staff listed on it, and the store open behind it. ``entry`` does the same through the
command line's entry, as ``python -m grassroots_tui --db STORE`` does
(:func:`grassroots_tui.cli.main`: the language asked, the command line parsed, an
encrypted store unlocked), the program's launch running the app under ``run_test()``
instead of in the terminal. ``minimal`` is the floor beside them:
a Textual app of one label, started the same way (this module, ``run_test()``), until
painted.

It prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

#: The day the corpora are built for (the app's clock is pinned to it).
TODAY = date(2026, 11, 26)
#: Keystrokes typed into the visits filter, one figure each: a household-number prefix,
#: then pinyin initials of a common surname, then back to nothing.
FILTER_KEYS = ("H", "L", "0", "1", "backspace", "backspace", "backspace", "backspace")


def _peak_rss_mb() -> float:
    from bench.ui_engines import _rss_mb

    return _rss_mb()


async def _until(pilot: Any, ready: Callable[[], bool], timeout: float = 60.0) -> float:
    """Seconds until ``ready()`` holds, letting the app run in between."""
    start = time.perf_counter()
    while not ready():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the screen did not show the data in time")
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


async def _press(app: Any, key: str) -> None:
    """One key press delivered as the terminal driver delivers it, without the waits for
    idleness that ``Pilot.press`` adds (those sleep in steps of 20 ms)."""
    from textual import events
    from textual.keys import _character_to_key

    name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
    char = key if len(key) == 1 else ("\r" if key == "enter" else None)
    event = events.Key(name, char)
    event.set_sender(app)
    app._driver.send_message(event)
    await asyncio.sleep(0)


def _painted(app: Any) -> None:
    """Render the screen as the next refresh would (the figure includes the paint)."""
    app.screen._compositor.render_strips()


class _Profile:
    """``GRASSROOTS_BENCH_PROFILE=filter`` profiles that figure's runs (cProfile, by
    own time, to standard error): how bench/RESULTS.md's "what was slow" was found.
    ``GRASSROOTS_BENCH_PROFILE_SORT=cumtime`` orders it by cumulative time instead."""

    def __init__(self, wanted: str) -> None:
        self.wanted = set(wanted.split(",")) if wanted else set()

    @contextlib.contextmanager
    def __call__(self, name: str) -> Any:
        if name not in self.wanted:
            yield
            return
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            yield
        finally:
            profiler.disable()
            order = os.environ.get("GRASSROOTS_BENCH_PROFILE_SORT", "tottime")
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(30)


def _clock() -> Any:
    from datetime import datetime
    from datetime import time as dtime

    from grassroots_tui.demo import CST

    return datetime.combine(TODAY, dtime(10, 0), tzinfo=CST)


async def _app_probe(
    store_path: Path, staff_id: str, t0: float, reps: int, figures: set[str]
) -> dict[str, Any]:
    from textual.widgets import DataTable, Input, OptionList

    import grassroots_tui.models  # noqa: F401 - the program, imported before "before"
    import grassroots_tui.store.store  # noqa: F401
    import grassroots_tui.tui.screens.visits  # noqa: F401
    from bench.ui_engines import resident_mb
    from grassroots_tui.store.settings import Settings
    from grassroots_tui.tui.launch import make_app

    before = resident_mb()  # the interpreter, Textual and the program, no documents yet
    # The person signs in on the laptop they signed in on last (the sign-in cursor starts
    # on them, and their first list is prepared meanwhile: tui/app.py FirstList).
    settings = Settings(last_operator=staff_id)
    app = make_app(
        store_path, settings, clock=_clock, persist_settings=False, opener=_opener(store_path)
    )
    app.animation_level = "none"
    out: dict[str, Any] = {"rss_before_open_mb": before}
    try:
        async with app.run_test(size=(120, 40)) as pilot:

            def signin_ready() -> bool:
                try:
                    options = app.screen.query_one("#signin-staff", OptionList)
                except Exception:  # noqa: BLE001 - not mounted yet
                    return False
                return options.option_count > 0

            await _until(pilot, signin_ready)
            _painted(app)
            out["start_to_signin_s"] = time.time() - t0
            # A person takes a few seconds to find their name and type the PIN: sign in
            # once the store is open and the first list's modules are imported (the
            # start probe times that wait: start_to_ready_s).
            await _until(pilot, lambda: _ready(app))
            out["store_open_s"] = time.time() - t0
            store = app.store
            options = app.screen.query_one("#signin-staff", OptionList)
            options.highlighted = options.get_option_index(staff_id)
            app.screen.query_one("#signin-pin", Input).focus()
            await pilot.pause()

            def visits_shown() -> bool:
                if app.current_mode != "visits" or app.screen.id != "visits-screen":
                    return False
                try:
                    return app.screen.query_one("#visits-table DataTable", DataTable).row_count > 0
                except Exception:  # noqa: BLE001
                    return False

            profile = _Profile(os.environ.get("GRASSROOTS_BENCH_PROFILE", ""))
            pressed = time.perf_counter()
            with profile("signin"):
                await _press(app, "enter")
                await _until(pilot, visits_shown)
                _painted(app)
            out["signin_to_visits_s"] = time.perf_counter() - pressed
            out["start_to_visits_s"] = time.time() - t0
            screen = app.screen
            table = screen.table
            out["visits_in_list"] = len(table.rows)

            if "filter" in figures:
                with profile("filter"):
                    out["filter_key_s"] = await _filter(pilot, table, reps)
            if "form" in figures:
                with profile("form"):
                    out["form_s"] = await _forms(pilot, reps)
                    out["form_next_s"] = await _forms(pilot, reps, walk=True)
            if "save" in figures:
                with profile("save"):
                    out["save_to_table_s"] = await _saves(pilot, store, screen, table, reps)
            if "board" in figures:
                with profile("board"):
                    out.update(await _board(pilot, reps))
            out["peak_rss_mb"] = _peak_rss_mb()
    finally:
        if app.store_open:
            app.store.close()
    return out


def _opener(store_path: Path) -> Callable[[], Any]:
    """The store opened as the program opens it, without the daily backup (each probe
    process would otherwise copy the store on its first start of the day)."""

    def open_store() -> Any:
        from grassroots_tui.store import Store

        return Store.open(store_path, daily_backup=False)

    return open_store


def _ready(app: Any) -> bool:
    """The store is open and the warm-up after it (tui/app.py) has finished."""
    if not app.store_open:
        return False
    return not any(w.name in ("open-store", "warm-up") for w in app.workers)


async def _start_probe(store_path: Path, t0: float) -> dict[str, Any]:
    """From process start: the sign-in screen painted, the staff listed, the store open
    (and the first list's modules imported) behind it."""
    from textual.widgets import OptionList

    from grassroots_tui.i18n import set_language
    from grassroots_tui.store.settings import load_settings
    from grassroots_tui.tui.launch import make_app
    from grassroots_tui.tui.signin_list import kept_path

    kept = kept_path(store_path).exists()
    settings = load_settings()
    set_language(settings.lang)
    app = make_app(
        store_path, settings, clock=_clock, persist_settings=False, opener=_opener(store_path)
    )
    app.animation_level = "none"
    out: dict[str, Any] = {"kept_list": kept}
    frames: dict[str, float] = {}
    imported: set[str] = set()

    def listed() -> bool:
        return app.screen.query_one("#signin-staff", OptionList).option_count > 0

    def seen(screen: Any) -> None:
        if screen.id == "signin" and "signin" not in frames:
            frames["signin"] = time.time()
            frames["cpu"] = time.process_time()
            imported.update(sys.modules)
        if screen.id == "signin" and "names" not in frames and listed():
            frames["names"] = time.time()

    _on_frame(app, seen)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: "names" in frames)
            out["start_to_signin_s"] = frames["signin"] - t0
            out["start_to_names_s"] = frames["names"] - t0
            out["cpu_to_signin_s"] = frames["cpu"]
            await _until(pilot, lambda: app.store_open)
            out["start_to_store_open_s"] = time.time() - t0
            await _until(pilot, lambda: _ready(app))
            out["start_to_ready_s"] = time.time() - t0
            await app.workers.wait_for_complete()  # the sign-in list kept for next time
    finally:
        if app.store_open:
            app.store.close()
    heavy = ("pypinyin", "openpyxl", "docx", "pydantic", "grassroots_tui.models")
    out["imported_before_signin"] = sorted(m for m in heavy if m in imported)
    return out


def _entry_probe(store_path: Path, t0: float) -> dict[str, Any]:
    """The start probe through ``grassroots --db STORE``'s entry (grassroots_tui.cli.main,
    what ``python -m grassroots_tui`` runs): its launch replaced by the start probe, on
    the store the command line names and in the language it chose."""
    import grassroots_tui.tui.launch

    out: dict[str, Any] = {}

    def launch(args: argparse.Namespace) -> int:
        out.update(asyncio.run(_start_probe(Path(args.db), t0)))
        return 0

    grassroots_tui.tui.launch.launch = launch
    from grassroots_tui.cli import main

    code = main(["--db", str(store_path)])
    if code != 0 or not out:
        raise RuntimeError(f"grassroots --db {store_path}: exit code {code}, never launched")
    return out


async def _minimal_probe(t0: float) -> dict[str, Any]:
    """The floor: a minimal Textual app (one label), started the same way, until painted."""
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("登录")

    app = Minimal()
    app.animation_level = "none"
    frames: dict[str, float] = {}

    def seen(screen: Any) -> None:
        if screen.query(Label) and "first" not in frames:
            frames["first"] = time.time()
            frames["cpu"] = time.process_time()

    _on_frame(app, seen)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: "first" in frames)
        return {"start_s": frames["first"] - t0, "cpu_s": frames["cpu"]}


def _parse_probe(store_path: Path) -> dict[str, Any]:
    """The floor of opening the store: reading its snapshot and parsing it with orjson
    (the header line set aside), in a fresh process."""
    import orjson

    start = time.perf_counter()
    data = store_path.read_bytes()
    body = data[data.index(b"\n") + 1 :]
    orjson.loads(body)
    return {"parse_s": time.perf_counter() - start, "bytes": len(data)}


def _on_frame(app: Any, seen: Callable[[Any], None]) -> None:
    """Call ``seen(screen)`` each time a frame is handed to the terminal (headless, the
    frame is drawn in full and then not written): the moment a person would see it."""
    display = app._display

    def displayed(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            seen(screen)
        display(screen, renderable)

    app._display = displayed


async def _forms(pilot: Any, reps: int, walk: bool = False) -> list[float]:
    """Opening the edit form of the visit under the cursor (e), until painted: the first
    frame handed to the terminal with the form showing that visit (a kept form is the
    screen at once, refilled; the frame comes once it is restyled and laid out). The
    first opening of the process first. With ``walk``, each opening is of the next
    visit down the list (as a person goes through them), not the same one again."""
    from grassroots_tui.tui.dialogs.visit_form import VisitForm

    app = pilot.app
    frames: dict[str, float] = {}
    wanted: list[Any] = [None]

    def seen(screen: Any) -> None:
        if (
            "form" not in frames
            and isinstance(screen, VisitForm)
            and screen.is_mounted
            and screen.visit.id == wanted[0]
        ):
            frames["form"] = time.perf_counter()

    _on_frame(app, seen)
    # Half a second with the list before the first e, as a person finds the visit: the
    # program may use it (it composes the form then, off screen: tui/app.py).
    await asyncio.sleep(0.5)
    times = []
    for rep in range(reps):
        list_screen = app.screen
        if walk and rep:
            rows = list_screen.table.rows
            list_screen.table.move_to(rows[rep % len(rows)].id)
            await pilot.pause()
        wanted[0] = list_screen.table.current_id
        frames.clear()
        await pilot.pause()
        start = time.perf_counter()
        await _press(app, "e")
        await _until(pilot, lambda: "form" in frames)
        times.append(frames["form"] - start)
        app.screen.dismiss(None)
        await _until(pilot, lambda s=list_screen: app.screen is s)
    return times


async def _filter(pilot: Any, table: Any, reps: int) -> list[float]:
    """Type-to-filter: each keystroke until the table shows its matches."""
    if True:
        if True:
            await pilot.press("slash")
            filter_times = []
            for _round in range(max(1, reps // 4 + 1)):
                for key in FILTER_KEYS:
                    before = table.query_text
                    await pilot.pause()
                    start = time.perf_counter()
                    await _press(pilot.app, key)
                    await _until(pilot, lambda b=before: table.query_text != b)
                    _painted(pilot.app)
                    filter_times.append(time.perf_counter() - start)
            await pilot.press("escape")
            return filter_times


async def _saves(pilot: Any, store: Any, screen: Any, table: Any, reps: int) -> list[float]:
    """Enter on a filled visit form until the visit is the table's current row."""
    from textual.widgets import Input

    from grassroots_tui.tui.dialogs.visit_form import VisitForm

    app = pilot.app
    station_id = screen.session.station_id
    if True:
        if True:
            households = [
                h["id"] for h in store.raw("household") if h.get("station_id") == station_id
            ][: reps + 1]
            save_times = []
            for household_id in households[:reps]:
                form = VisitForm(screen.session, household_id=household_id)
                saved: list[Any] = []
                app.push_screen(form, callback=lambda v, s=saved: (s.append(v), screen._saved(v)))
                await _until(pilot, lambda f=form: app.screen is f and f.is_mounted)
                await pilot.pause()
                form.query_one("#input-greeting", Input).value = "身体还好，家里都好。"
                save_button = form.query_one("#form-save")
                save_button.focus()
                await pilot.pause()
                start = time.perf_counter()
                await _press(app, "enter")

                def in_table(s: list[Any] = saved) -> bool:
                    return bool(s) and s[0] is not None and table.current_id == s[0].id

                await _until(pilot, in_table)
                _painted(app)
                save_times.append(time.perf_counter() - start)
            return save_times


async def _board(pilot: Any, reps: int) -> dict[str, Any]:
    """The supervisors' overdue board: from the key press to the rows."""
    from textual.widgets import DataTable

    app = pilot.app
    out: dict[str, Any] = {}
    if True:
        if True:
            await app.switch_mode("slips")
            await _until(pilot, lambda: app.screen.id == "slips-screen")
            await _until(pilot, lambda: app.screen.table.rows != [])
            board_times = []
            for _ in range(reps):
                await pilot.pause()
                kept = app.get_screen("board") if app.is_screen_installed("board") else None
                seen = kept.generation if kept is not None else 0
                start = time.perf_counter()
                await _press(app, "b")

                def board_shown(seen: int = seen) -> bool:
                    # The board built for this opening (a kept screen shows the last
                    # one at once, then builds it afresh), in the table.
                    if app.screen.id != "board" or app.screen.generation <= seen:
                        return False
                    board = app.screen
                    return (
                        board.query_one("#board-table DataTable", DataTable).row_count > 0
                        or not board.board.rows
                    )

                await _until(pilot, board_shown)
                _painted(app)
                board_times.append(time.perf_counter() - start)
                out["board_rows"] = len(app.screen.board.rows)
                await pilot.press("escape")
                await _until(pilot, lambda: app.screen.id == "slips-screen")
            out["board_s"] = board_times
    return out


def _engine_probe(engine: str, path: Path, t0: float, reps: int) -> dict[str, Any]:
    """The same data work as the app's figures, done the plain way with another engine."""
    from bench.ui_engines import ENGINES

    return ENGINES[engine](path, t0, reps)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_probe")
    sub = parser.add_subparsers(dest="what", required=True)
    app = sub.add_parser("app")
    app.add_argument("store", type=Path)
    app.add_argument("staff_id")
    app.add_argument("t0", type=float)
    app.add_argument("--reps", type=int, default=5)
    app.add_argument("--figures", default="filter,board", help="filter, save, board, form")
    start = sub.add_parser("start")
    start.add_argument("store", type=Path)
    start.add_argument("t0", type=float)
    entry = sub.add_parser("entry")
    entry.add_argument("store", type=Path)
    entry.add_argument("t0", type=float)
    minimal = sub.add_parser("minimal")
    minimal.add_argument("t0", type=float)
    parse = sub.add_parser("parse")
    parse.add_argument("store", type=Path)
    parse.add_argument("t0", type=float)
    engine = sub.add_parser("engine")
    engine.add_argument("engine", choices=("tinydb", "sqlite", "dicts"))
    engine.add_argument("path", type=Path)
    engine.add_argument("t0", type=float)
    engine.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if args.what == "app":
        figures = set(args.figures.split(",")) if args.figures else set()
        result = asyncio.run(_app_probe(args.store, args.staff_id, args.t0, args.reps, figures))
    elif args.what == "start":
        result = asyncio.run(_start_probe(args.store, args.t0))
    elif args.what == "entry":
        result = _entry_probe(args.store, args.t0)
    elif args.what == "minimal":
        result = asyncio.run(_minimal_probe(args.t0))
    elif args.what == "parse":
        result = _parse_probe(args.store)
    else:
        result = _engine_probe(args.engine, args.path, args.t0, args.reps)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
