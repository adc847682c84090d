"""Every screen and dialog of the program, in Chinese and in English, at 80x24 and at
120x40, compared with the SVGs in __snapshots__/screens/ (issue #19); and in English,
no Chinese on any of them but the residents' and the station's own data.

Starting an app per picture would take minutes, so a few pilot sessions per language
walk the whole program instead (:func:`main_walk`: sign-in, each section, its forms and
dialogs, help, settings, the board, a hardship case, undo; :func:`first_start_walk`: an
empty store's set-up and the recovery key; :func:`conflicts_walk`: a hub's conflict).
At each stop the terminal is resized to each size and the screen exported as an SVG,
normalised as pytest-textual-snapshot does (rich's random ids taken out).

After an intended change regenerate them, then review the SVGs (``git diff --stat``,
open a few in a browser) before committing::

    GRASSROOTS_SNAPSHOT_UPDATE=1 .venv/bin/pytest tests/test_tui_snapshots.py
    .venv/bin/pytest tests/test_tui_snapshots.py --snapshot-update   # the same

A failing comparison writes each differing pair (``NAME.stored.svg`` and
``NAME.now.svg``) to a temporary folder, named in the failure.

Nothing time-dependent is shown: the clock is fixed, the theme pinned, animations off,
cursors do not blink and notifications are cleared before each picture (their text is
still scanned for Chinese). The tests are plain ``def``s: the walks run their own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import importlib
import inspect
import io
import multiprocessing
import os
import pkgutil
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.screen import Screen

from grassroots_tui import lang
from grassroots_tui.i18n import set_language
from grassroots_tui.models import (
    Household,
    SlipSource,
    Staff,
    StaffRole,
    Station,
)
from grassroots_tui.models.station import DEFAULT_SLIP_NUMBER_FORMAT
from grassroots_tui.services import slips
from grassroots_tui.services.auth import hash_pin
from grassroots_tui.services.workcalendar import OfficialCalendar
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    HEAD_PIN,
    add_hardship_cases,
    build_store,
    copied_store,
    fixed_clock,
    make_app,
    make_settings,
    no_blink,
    open_store,
    settle,
    sign_in,
)

SIZES = ((80, 24), (120, 40))
LANGUAGES = ("zh", "en")
FOLDER = Path(__file__).parent / "__snapshots__" / "screens"
UPDATE_ENV = "GRASSROOTS_SNAPSHOT_UPDATE"
#: A supervisor (PIN as the head's): only a supervisor records a supervision check.
SUPERVISOR_ID = "staff-zhoudu"
#: The ledger the import dialog previews (copied into the working folder: the path
#: typed is shown, and must be the same on every machine).
SAMPLE_LEDGER = Path(__file__).parents[1] / "sample_data" / "households_ledger.csv"
#: The recovery key shown in its dialog's picture (a real one is random).
SAMPLE_RECOVERY_KEY = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"


# --- the store the walks show ---------------------------------------------------------------


def build_walk_store(path: Path) -> Path:
    """The TUI tests' small store, with what the other screens list: two hardship cases
    with assistance, issued and drafted slips (some overdue), a second station."""
    build_store(path)
    store = open_store(path)
    try:
        add_hardship_cases(store)
        hl01 = store.get(Station, factories.STATION_ID)
        hl02 = store.save(
            factories.station(
                "HL02",
                name="高沙社区群众工作站",
                community="高沙社区",
                slip_number_format="高沙群交〔{year}〕第{seq:03d}号",
            ),
            actor="测试",
        )
        for station, title, on, unit in (
            (hl01, "路灯不亮", dt.date(2026, 10, 9), "街道城管办"),
            (hl01, "垃圾清运", dt.date(2026, 11, 2), "街道环卫所"),
            (hl02, "沟渠堵塞", dt.date(2026, 11, 12), "县水利局"),
        ):
            saved = slips.save_draft(store, _draft(station, title, unit), "测试")
            slips.issue(store, saved.id, on=on, actor="测试", calendar=OfficialCalendar())
        slips.save_draft(store, _draft(hl01, "井盖松动", "街道城管办"), "测试")
        pin_hash, pin_salt = hash_pin(HEAD_PIN)
        store.save(
            Staff(
                id=SUPERVISOR_ID,
                station_id=factories.STATION_ID,
                name="周督导",
                role=StaffRole.SUPERVISOR,
                pin_hash=pin_hash,
                pin_salt=pin_salt,
            ),
            actor="测试",
        )
    finally:
        store.close()
    return path


def _draft(station: Any, title: str, unit: str) -> Any:
    return slips.draft_slip(
        station,
        source=SlipSource.STREET_OFFICE,
        category="城市管理",
        title=title,
        description=f"{title}，居民反映多次。",
        handling_unit=unit,
    )


# --- a walk: stops, pictures, texts ---------------------------------------------------------


@dataclass
class Stop:
    """One screen as shown: its pictures by size, what it said, its screen's class."""

    name: str
    screen: type
    svgs: dict[tuple[int, int], str] = field(default_factory=dict)
    #: The whole terminal's text at each size, and every notification shown meanwhile.
    texts: list[str] = field(default_factory=list)


@dataclass
class Walk:
    language: str
    stops: dict[str, Stop] = field(default_factory=dict)
    #: Every string value stored in the walks' stores: the user data a screen may show.
    user_data: set[str] = field(default_factory=set)


def normalize_svg(svg: str) -> str:
    """pytest-textual-snapshot's normalisation: rich's per-export id taken out."""
    return re.sub(r"\bterminal-\d+-([\w-]+)", r"terminal-\1", svg)


def terminal_text(app: Any) -> tuple[str, str]:
    """The terminal as shown (the screens under a dialog too): its SVG and its text."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    render = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    console.print(render)
    text = console.export_text(clear=False)
    svg = console.export_svg(title=app.title)
    return normalize_svg(svg), text


class Walker:
    """What a walk function is given: the pilot, and ``stop()`` to take pictures."""

    def __init__(self, pilot: Any, walk: Walk) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.walk = walk

    async def press(self, *keys: str) -> None:
        """Press keys; a stop waits for what they started."""
        await self.pilot.press(*keys)

    async def stop(self, name: str, screen: type) -> None:
        app, pilot = self.app, self.pilot
        await settle(pilot)
        assert name not in self.walk.stops, f"two stops named {name}"
        assert isinstance(app.screen, screen), (
            f"stop {name}: expected {screen.__name__}, the screen is {type(app.screen).__name__}"
        )
        shown = Stop(name, type(app.screen))
        shown.texts += [f"{n.title}\n{n.message}" for n in app._notifications]
        app.clear_notifications()
        no_blink(app)
        # The walk goes on at the first size: each stop is seen at it first, as it
        # opened, then resized to the others, then back (the next stop waits for that).
        for size in SIZES:
            if app.size != size:
                await pilot.resize_terminal(*size)  # (and a pause)
                await app.workers.wait_for_complete()
                await pilot.pause()
                # A DataTable keeps the width it was laid out at until its next layout
                # (the statistics' table, now and then): laid out at this size.
                for table in app.screen.query("DataTable"):
                    table.refresh(layout=True)
                await pilot.pause()
            # The picture once the screen has settled at this size: the same twice in
            # a row (a table laid out again after a resize took a refresh or two).
            svg, text = terminal_text(app)
            for _ in range(10):
                await pilot.pause()
                again = terminal_text(app)
                if again[0] == svg:
                    break
                svg, text = again
            shown.svgs[size] = svg
            shown.texts.append(text)
        await pilot.resize_terminal(*SIZES[0])
        self.walk.stops[name] = shown


async def main_walk(w: Walker) -> None:
    """Sign in, then every section, each with its forms and dialogs."""
    from textual.command import CommandPalette
    from textual.widgets import Input

    from grassroots_tui.i18n import t
    from grassroots_tui.tui.dialogs.appointment_form import AppointmentForm
    from grassroots_tui.tui.dialogs.appointments import AppointmentsDialog
    from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
    from grassroots_tui.tui.dialogs.hardship_forms import CaseForm
    from grassroots_tui.tui.dialogs.household_form import HouseholdForm
    from grassroots_tui.tui.dialogs.import_dialog import ImportDialog
    from grassroots_tui.tui.dialogs.pick_household import PickHousehold
    from grassroots_tui.tui.dialogs.slip_form import SlipForm
    from grassroots_tui.tui.dialogs.staff_form import StaffForm, StationForm
    from grassroots_tui.tui.dialogs.visit_form import VisitForm
    from grassroots_tui.tui.screens.board import BoardScreen
    from grassroots_tui.tui.screens.condolence import RoundsScreen
    from grassroots_tui.tui.screens.hardship import HardshipScreen
    from grassroots_tui.tui.screens.hardship_case import CaseView
    from grassroots_tui.tui.screens.hardship_totals import TotalsScreen
    from grassroots_tui.tui.screens.help import HelpScreen
    from grassroots_tui.tui.screens.household_history import HouseholdHistoryScreen
    from grassroots_tui.tui.screens.households import HouseholdsScreen, MaskedHouseholdForm
    from grassroots_tui.tui.screens.leave import LeaveScreen
    from grassroots_tui.tui.screens.rosters import RostersScreen
    from grassroots_tui.tui.screens.settings import SettingsScreen
    from grassroots_tui.tui.screens.signin import SignInScreen
    from grassroots_tui.tui.screens.slips import SlipsScreen
    from grassroots_tui.tui.screens.statistics import StatisticsScreen
    from grassroots_tui.tui.screens.supervision import SupervisionScreen
    from grassroots_tui.tui.screens.supervision_report import ReportScreen, ThreeThreesScreen
    from grassroots_tui.tui.screens.visits import VisitsScreen
    from grassroots_tui.tui.widgets.step_form import StepForm

    await w.stop("signin", SignInScreen)
    await sign_in(w.pilot)
    await w.stop("visits", VisitsScreen)
    await w.press("f1")
    await w.stop("help", HelpScreen)
    # The palette searched (its list with nothing typed fills in the order its sources
    # answer, which varies).
    await w.press("escape", "ctrl+p")
    w.app.screen.query_one(Input).value = t("cmd.app.sign_out")
    await w.stop("command-palette", CommandPalette)
    await w.press("escape")

    # 走访: a new visit through the household picker; a form typed in, then Esc.
    await w.press("n")
    await w.stop("visits-pick-household", PickHousehold)
    await w.press(*"wxy")
    await w.stop("visits-pick-household-typed", PickHousehold)
    await w.press("enter")
    await w.stop("visit-form", VisitForm)
    await w.press(*"abc", "escape")
    await w.stop("confirm-discard-form", ConfirmDialog)
    await w.press("y")
    await w.press("a")
    await w.stop("appointments", AppointmentsDialog)
    await w.press("n", *"zgl", "enter")
    await w.stop("appointment-form", AppointmentForm)
    await w.press("escape", "escape")

    # 住户: the household's history beside the list, its forms, the import dialog.
    await w.press("f3")
    await w.stop("households", HouseholdsScreen)
    w.app.screen.table.move_to("hh-05")
    await w.press("h")
    await w.stop("household-history", HouseholdHistoryScreen)
    await w.press("escape")
    await w.press("e")
    await w.stop("household-edit-masked", MaskedHouseholdForm)
    await w.press("escape", "n")
    await w.stop("household-new", HouseholdForm)
    await w.press("escape", "i")
    await w.stop("import", ImportDialog)
    w.app.screen.query_one("#import-path", Input).value = SAMPLE_LEDGER.name
    await w.press("enter")
    await w.stop("import-preview", ImportDialog)
    await w.press("escape")

    # 交办单: the list, a new slip, a step of a drafted one, the board.
    await w.press("f4")
    await w.stop("slips", SlipsScreen)
    await w.press("n")
    await w.stop("slip-form", SlipForm)
    await w.press("escape")
    slips_screen = w.app.screen
    titled = {s["title"]: s["id"] for s in w.app.store.raw("handoff_slip")}
    slips_screen.table.move_to(titled["井盖松动"])
    await w.press("i")
    await w.stop("confirm-slip-issue", ConfirmDialog)
    await w.press("n")
    slips_screen.table.move_to(titled["路灯不亮"])
    for key, step in (("r", "reply"), ("x", "extend"), ("t", "return"), ("w", "withdraw")):
        await w.press(key)
        await w.stop(f"slip-step-{step}", StepForm)
        await w.press("escape")
    await w.press("b")
    await w.stop("board", BoardScreen)
    await w.press("escape")

    # 困难帮扶: the list, a new case, a case's view and a step, rounds, totals.
    await w.press("f5")
    await w.stop("hardship", HardshipScreen)
    await w.press("n", *"zgl", "enter")
    await w.stop("hardship-case-new", CaseForm)
    await w.press("escape")
    w.app.screen.table.move_to("case-hh-02")
    await w.press("o")
    await w.stop("hardship-case", CaseView)
    for key, step in (("a", "assistance"), ("v", "review"), ("x", "exit"), ("e", "end")):
        await w.press(key)
        await w.stop(f"hardship-case-{step}", StepForm)
        await w.press("escape")
    await w.press("escape", "r")
    await w.stop("condolence-rounds", RoundsScreen)
    await w.press("n")
    await w.stop("condolence-round-new", StepForm)
    await w.press("escape", "escape", "t")
    await w.stop("hardship-totals", TotalsScreen)
    await w.press("escape")

    # 排班: the month, generating it, leave.
    await w.press("f6")
    await w.stop("rosters", RostersScreen)
    await w.press("g")
    await w.stop("rosters-generate", StepForm)
    await w.press("escape", "down", "e")  # the first row's Monday is October's
    await w.stop("rosters-edit-day", StepForm)
    await w.press("escape", "l")
    await w.stop("leave", LeaveScreen)
    await w.press("n")
    await w.stop("leave-new", StepForm)
    await w.press("escape", "escape")

    # 督查: the checks, a new one, the monthly report, the three-threes.
    await w.press("f7")
    await w.stop("supervision", SupervisionScreen)
    await w.press("m")
    await w.stop("supervision-report", ReportScreen)
    await w.press("escape", "h")
    await w.stop("three-threes", ThreeThreesScreen)
    await w.press("n")
    await w.stop("three-threes-new", StepForm)
    await w.press("escape", "escape")

    # 统计: the month's figures and the export form.
    await w.press("f8")
    # The screen shows at once and computes its figures in a thread started after its
    # first frame: the picture is of the figures, laid out.
    for _ in range(100):
        screen = w.app.screen
        if (
            isinstance(screen, StatisticsScreen)
            and screen.stats is not None
            and not screen.query("LoadingIndicator")
        ):
            break
        await w.pilot.pause(0.02)
    await w.pilot.pause()
    await w.stop("statistics", StatisticsScreen)
    await w.press("x")
    await w.stop("statistics-export", StepForm)
    await w.press("escape")

    # 设置: the station, its staff and their forms.
    await w.press("f9")
    await w.stop("settings", SettingsScreen)
    await w.press("t")
    await w.stop("settings-station", StationForm)
    await w.press("escape", "a")
    await w.stop("settings-staff-new", StaffForm)
    await w.press("escape", "escape")

    # Quitting with a form half typed asks first.
    await w.press("f2", "n", *"wxy", "enter", *"abc", "ctrl+q")
    await w.stop("confirm-quit", ConfirmDialog)
    await w.press("n", "escape", "y")

    # A visit saved, then taken back: what the program says after a save, an undo's
    # question (the change named by the undo service) and its answer.
    await w.press("n", *"wxy", "enter", *"abc", "ctrl+s")
    await w.stop("visits-saved", VisitsScreen)
    await w.press("ctrl+z")
    await w.stop("confirm-undo", ConfirmDialog)
    await w.press("y")
    await w.stop("visits-undone", VisitsScreen)

    # A supervisor records a check (the head may not).
    w.app.action_sign_out()
    await sign_in(w.pilot, SUPERVISOR_ID, HEAD_PIN)
    await w.press("f7", "n")
    await w.stop("supervision-new", StepForm)
    await w.press("escape")


async def first_start_walk(w: Walker) -> None:
    """An empty store: the set-up form, its problems, then the recovery key dialog."""
    from grassroots_tui.tui.dialogs.recovery_key import RecoveryKeyDialog
    from grassroots_tui.tui.screens.setup import SetupScreen

    await w.stop("setup", SetupScreen)
    await w.press("ctrl+s")
    await w.stop("setup-problems", SetupScreen)
    # What the set-up shows once it has encrypted the store (a fixed key: a real one is
    # random, and encrypting takes seconds).
    w.app.pop_screen()
    w.app.push_screen(RecoveryKeyDialog(SAMPLE_RECOVERY_KEY))
    await w.stop("recovery-key", RecoveryKeyDialog)


async def conflicts_walk(w: Walker) -> None:
    """A household changed here and on another laptop of the station: F10."""
    from grassroots_tui.tui.screens.conflicts import ConflictsScreen

    await sign_in(w.pilot)
    await w.press("f10")
    await w.stop("conflicts", ConflictsScreen)


#: What the other laptop wrote in the conflicts walk: the hub's data, shown beside ours.
HUB_DATA = {"周红", "周红补登"}


def _conflicting(store: Any, folder: Path) -> None:
    """Another laptop of the station (at the same fixed time) changes 张桂兰's household
    and syncs first; this one changes it too: its push is a conflict."""
    from grassroots_tui.hub.engines import HubAddress, HubConnection
    from grassroots_tui.hub.sync import sync
    from tests.hub_fixtures import laptop
    from tests.test_tui_sync import HL01, enroll_with_hub

    hub_path, replica_id = enroll_with_hub(store, folder)
    raw = store.get_raw("household", "hh-01")
    other = laptop(folder / "other" / "b.json", HL01, {"household": {"hh-01": raw}})
    other.clock = fixed_clock
    with HubConnection.open(HubAddress("sqlite", str(hub_path))) as hub:
        theirs = other.get(Household, "hh-01")
        assert theirs is not None
        other.save(theirs.model_copy(update={"people": 7, "note": "周红补登"}), "周红")
        assert sync(other, hub, replica_id).verdicts == {"accepted": 1}
        other.close()
        mine = store.get(Household, "hh-01")
        assert mine is not None
        store.save(
            mine.model_copy(update={"people": 9, "grid": "三网格"}), f"{HEAD_NAME}#{HEAD_ID}"
        )
        assert sync(store, hub, replica_id).verdicts["conflict"] == 1


async def _run(
    walk: Walk,
    walker: Callable[[Walker], Awaitable[None]],
    store: Any,
) -> None:
    app = make_app(store, make_settings(lang=walk.language))
    async with app.run_test(size=SIZES[0]) as pilot:
        await walker(Walker(pilot, walk))
    walk.user_data |= user_strings(store)


def user_strings(store: Any) -> set[str]:
    """Every string value of every document of the store (names, addresses, texts…)."""
    found: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for kind in store.kinds():
        if kind != "audit_entry":  # what the program wrote, not what people typed
            for doc in store.raw(kind):
                collect(doc)
    return found


_WALKS: dict[str, Walk] = {}
#: A walk that failed, so that the other tests asking for it fail at once with its error.
_FAILED: dict[str, BaseException] = {}


def walked(language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Walk:
    """The walks in ``language``, run once per test session (the first test asking).

    The first test to ask walks every language at once: its own here, the others each in
    a process of its own (spawned, so it shares nothing but the environment), which on a
    machine with two cores or more takes half the time."""
    if language in _FAILED:
        pytest.fail(f"the walk in {language} failed: {_FAILED[language]!r}", pytrace=False)
    if language in _WALKS:
        return _WALKS[language]
    from grassroots_tui.tui import sync_status

    monkeypatch.setattr(sync_status, "POLL", 3600.0)  # the conflicts walk syncs by hand
    monkeypatch.setattr(sync_status, "SYNC_EVERY", 3600.0)
    others = [other for other in LANGUAGES if other != language and other not in _WALKS]
    with contextlib.ExitStack() as stack:
        elsewhere = {}
        if others and (os.cpu_count() or 1) > 1:
            context = multiprocessing.get_context("spawn")
            pool = stack.enter_context(ProcessPoolExecutor(len(others), mp_context=context))
            elsewhere = {
                other: pool.submit(walk_elsewhere, other, tmp_path / other) for other in others
            }
        try:
            _WALKS[language] = walk_in(language, tmp_path / language)
        except Exception as error:
            _FAILED[language] = error
            raise
        finally:
            for other, walk in elsewhere.items():
                try:
                    _WALKS[other] = walk.result()
                except Exception as error:
                    _FAILED[other] = error
    return _WALKS[language]


def walk_elsewhere(language: str, folder: Path) -> Walk:
    """:func:`walk_in` in a process of its own (started by :func:`walked`)."""
    from grassroots_tui.tui import sync_status

    sync_status.POLL = sync_status.SYNC_EVERY = 3600.0
    return walk_in(language, folder)


def walk_in(language: str, folder: Path) -> Walk:
    """Every walk in ``language``, with its stores (and working folder) in ``folder``."""
    folder.mkdir(parents=True)
    walk = Walk(language)
    shutil.copyfile(SAMPLE_LEDGER, folder / SAMPLE_LEDGER.name)
    with SAMPLE_LEDGER.open(encoding="utf-8-sig", newline="") as ledger:
        walk.user_data |= {cell for row in csv.reader(ledger) for cell in row}
    was, language_was = Path.cwd(), lang.language()
    os.chdir(folder)  # the import dialog is given the ledger's name alone
    set_language(language)
    try:
        template = build_walk_store(folder / "template" / "grassroots.json")
        with copied_store(template, folder / "main") as store:
            asyncio.run(_run(walk, main_walk, store))
        with copied_store(template, folder / "hub") as store:
            _conflicting(store, folder / "hub")
            asyncio.run(_run(walk, conflicts_walk, store))
        walk.user_data |= HUB_DATA
        empty = open_store(folder / "empty" / "grassroots.json")
        try:
            asyncio.run(_run(walk, first_start_walk, empty))
        finally:
            empty.close()
        # The set-up offers the default slip number to edit (湘龙群交〔2026〕第0001号):
        # slip numbers are the station's, in Chinese, like its data (docs/languages.md).
        walk.user_data.add(DEFAULT_SLIP_NUMBER_FORMAT)
    finally:
        set_language(language_was)
        os.chdir(was)
    return walk


# --- snapshots ------------------------------------------------------------------------------


def snapshot_name(stop: str, language: str, size: tuple[int, int]) -> str:
    return f"{stop}.{language}.{size[0]}x{size[1]}.svg"


def updating(config: pytest.Config) -> bool:
    if os.environ.get(UPDATE_ENV, "").strip() not in ("", "0"):
        return True
    try:
        return bool(config.getoption("--snapshot-update"))
    except ValueError:
        return False


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_looks_as_stored(language, tmp_path, monkeypatch, request) -> None:
    walk = walked(language, tmp_path, monkeypatch)
    pictures = {
        snapshot_name(stop.name, language, size): svg
        for stop in walk.stops.values()
        for size, svg in stop.svgs.items()
    }
    stored = {p.name for p in FOLDER.glob(f"*.{language}.*.svg")}
    if updating(request.config):
        FOLDER.mkdir(parents=True, exist_ok=True)
        for name, svg in pictures.items():
            path = FOLDER / name
            if not path.exists() or normalize_svg(path.read_text("utf-8")) != svg:
                path.write_text(svg, "utf-8")
        for name in stored - set(pictures):
            (FOLDER / name).unlink()
        return
    differ = sorted(
        name
        for name, svg in pictures.items()
        if name in stored and normalize_svg((FOLDER / name).read_text("utf-8")) != svg
    )
    missing = sorted(set(pictures) - stored)
    left_over = sorted(stored - set(pictures))
    if not (differ or missing or left_over):
        return
    out = Path(tempfile.mkdtemp(prefix=f"grassroots-snapshots-{language}-"))
    for name in differ:
        stem = name.removesuffix(".svg")
        shutil.copyfile(FOLDER / name, out / f"{stem}.stored.svg")
        (out / f"{stem}.now.svg").write_text(pictures[name], "utf-8")
    for name in missing:
        (out / name.replace(".svg", ".now.svg")).write_text(pictures[name], "utf-8")
    lines = [f"{len(differ)} of {len(pictures)} screenshots differ from {FOLDER}:"]
    lines += [f"  {name}" for name in differ]
    if missing:
        lines += ["not stored yet (a new stop?):", *(f"  {name}" for name in missing)]
    if left_over:
        lines += ["stored but no longer taken (a stop gone?):", *(f"  {n}" for n in left_over)]
    lines += [
        f"Each pair (NAME.stored.svg, NAME.now.svg) is in {out}: open them in a browser.",
        f"If the change is intended: {UPDATE_ENV}=1 .venv/bin/pytest {Path(__file__).name}"
        " (or --snapshot-update), then review and commit the SVGs.",
    ]
    pytest.fail("\n".join(lines), pytrace=False)


def screen_classes() -> set[type]:
    """Every Screen subclass defined in the program's interface, grassroots_tui.tui (its
    modules all imported: a screen only imported when first opened is found too)."""
    import grassroots_tui

    for module in pkgutil.walk_packages(grassroots_tui.__path__, "grassroots_tui."):
        if module.name.startswith("grassroots_tui.tui."):
            importlib.import_module(module.name)
    found: set[type] = set()

    def below(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    for cls in below(Screen):
        if cls.__module__.startswith("grassroots_tui."):
            found.add(cls)
    return found


#: Classes only ever used through their subclasses (each of which the walk shows).
BASES = {"SectionScreen", "ListSectionScreen", "FormScreen"}


def test_the_walk_shows_every_screen_and_dialog(tmp_path, monkeypatch) -> None:
    walk = walked("zh", tmp_path, monkeypatch)
    shown = {stop.screen for stop in walk.stops.values()}
    classes = screen_classes()
    bases = {cls for cls in classes if cls.__name__ in BASES}
    assert {cls.__name__ for cls in bases} == BASES
    for base in bases:
        assert any(issubclass(cls, base) for cls in shown - {base}), base
    not_shown = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes - bases - shown
        if not inspect.isabstract(cls)
    )
    assert not not_shown, (
        f"screens no walk stops at: {not_shown}; add a stop to the walks in {__file__}"
    )
    assert walk.stops.keys() == walked("en", tmp_path, monkeypatch).stops.keys()


# --- English only: no Chinese but the data ---------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")

#: Chinese shown in English that is not the data, each with where it comes from; held
#: here exactly (a leak fixed must be taken out, a new one fails). None is left: the
#: program's own words stored in Chinese (categories, tags, sources, deadline rules) are
#: shown through services' category_name, tag_name, source_name and shown_rule.
KNOWN_LEAKS: dict[str, str] = {}

#: The stops that show a ledger file's own words (its column names, its name), which
#: stay Chinese: other people's paper ledgers are filled in with them (docs/languages.md).
LEDGER_STOPS = {"import", "import-preview"}


def program_words() -> set[str]:
    """The program's own Chinese words that documents store (a category, a tag, a
    source of assistance, an enum's label) and English shows translated: not data."""
    from grassroots_tui import lang, models
    from grassroots_tui.models.types import LabelledEnum

    words = set(lang.english_catalog())
    for module in pkgutil.walk_packages(models.__path__, "grassroots_tui.models."):
        for name, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, str) and not name.endswith("SLIP_NUMBER_FORMAT"):
                words.add(value)  # a default ("15日"), but not a slip number: those stay
            elif isinstance(value, tuple | frozenset) and all(isinstance(v, str) for v in value):
                words |= set(value)
            elif inspect.isclass(value) and issubclass(value, LabelledEnum):
                words |= {str(getattr(m, "label", "")) for m in value}
    return words


def ledger_words() -> list[str]:
    """Every ledger's name and column names (with the synonyms an import accepts)."""
    from grassroots_tui.services.household_import import HOUSEHOLD_COLUMNS
    from grassroots_tui.services.ledger_kinds import KINDS

    words = set()
    for columns in (HOUSEHOLD_COLUMNS, *(kind.columns for kind in KINDS.values())):
        words.add(columns.name)
        for column in columns.columns:
            words |= {column.title, *column.synonyms}
    return sorted(words, key=len, reverse=True)


def data_texts(strings: set[str]) -> list[str]:
    """The user data as a screen may show it: whole, masked, names masked within;
    longest first, so a longer text goes before a name within it."""
    from grassroots_tui.services.masking import ResidentNames, mask_name

    data = {s for s in strings - program_words() if CJK.search(s)}
    names = ResidentNames(data)
    shown = set(data)
    for text in data:
        shown |= {mask_name(text), names.mask(text)}
    return sorted((s for s in shown if CJK.search(s)), key=len, reverse=True)


def filled_templates(data: list[str]) -> list[re.Pattern[str]]:
    """What the data's templates make (a slip number from its station's format
    湘龙群交〔{year}〕第{seq:03d}号: 湘龙群交〔2026〕第0004号), as patterns."""
    return [
        re.compile(r"[\w-]+".join(re.escape(p) for p in re.split(r"\{[^}]*\}", value)))
        for value in data
        if re.search(r"\{[^}]*\}", value)
    ]


def chinese_left(text: str, data: list[str]) -> list[str]:
    """The Chinese in ``text`` once the data is taken out, the data cut short (a narrow
    column's "街道城…") too."""
    for pattern in filled_templates(data):
        text = pattern.sub(" ", text)
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return [
        found.group()
        for found in CJK.finditer(text)
        if not (
            text[found.end() : found.end() + 1] == "…"
            and any(value.startswith(found.group()) for value in data)
        )
    ]


def test_english_shows_no_chinese_but_the_data(tmp_path, monkeypatch) -> None:
    walk = walked("en", tmp_path, monkeypatch)
    data = data_texts(walk.user_data)
    ledgers = ledger_words()
    found: dict[str, set[str]] = {}
    for stop in walk.stops.values():
        shown = data + ledgers if stop.name in LEDGER_STOPS else data
        for text in stop.texts:
            for left in chinese_left(text, shown):
                found.setdefault(left, set()).add(stop.name)
    new = {k: sorted(v) for k, v in found.items() if k not in KNOWN_LEAKS}
    fixed = sorted(set(KNOWN_LEAKS) - set(found))
    message = []
    if new:
        message.append("Chinese on English screens, not the store's data (the text: where):")
        message += [f"  {text!r}: {', '.join(stops)}" for text, stops in sorted(new.items())]
    if fixed:
        message.append(f"no longer shown, take them out of KNOWN_LEAKS: {fixed}")
    assert not message, "\n".join(message)
