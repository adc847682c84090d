"""Shared helpers for the TUI tests: a small fixed store, a fixed clock, and an app.

Everything here is deterministic: fixed ids, a fixed clock (Thursday 2026-11-26 10:00),
a pinned theme, and settings kept in the test's tmp folder (never the user's).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from grassroots_tui.i18n import set_language
from grassroots_tui.models import (
    Appointment,
    ProblemItem,
    ProblemState,
    Staff,
    StaffRole,
    VisitKind,
)
from grassroots_tui.services.auth import hash_pin
from grassroots_tui.store import Store
from grassroots_tui.store.settings import Settings
from tests import factories

FIXED_NOW = dt.datetime(2026, 11, 26, 10, 0).astimezone()
TODAY = FIXED_NOW.date()
THEME = "textual-dark"

STATION_ID = factories.STATION_ID
HEAD_ID = "staff-limin"
HEAD_NAME = "李敏"
HEAD_PIN = "2468"
WORKER_ID = "staff-zhangsan"
WORKER_NAME = "张三"
RETIRED_ID = "staff-wangwu"
RETIRED_NAME = "王五"

#: (id, 户号, 户主, ID-number sequence, grid, tags)
HOUSEHOLDS = [
    ("hh-01", "HL01-0001", "张桂兰", "101", "一网格", ["独居老人"]),
    ("hh-02", "HL01-0002", "王秀英", "102", "一网格", ["低保"]),
    ("hh-03", "HL01-0003", "欧阳娜娜", "103", "二网格", []),
    ("hh-04", "HL01-0004", "张三丰", "104", "二网格", ["优抚对象"]),
    ("hh-05", "HL01-0005", "李建国", "105", "三网格", []),
    ("hh-06", "HL01-0006", "刘芳", "106", "三网格", ["残疾"]),
    ("hh-07", "HL01-0007", "陈志强", "107", "一网格", []),
    ("hh-08", "HL01-0008", "赵丽华", "108", "二网格", ["拆迁户"]),
]
HOUSEHOLD_BY_NAME = {name: hid for hid, _no, name, *_rest in HOUSEHOLDS}


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


def build_store(path: Path) -> Path:
    """Write the small fixed store to ``path`` (its main file) and close it."""
    store = Store.open(path, clock=fixed_clock, daily_backup=False)
    try:
        pin_hash, pin_salt = hash_pin(HEAD_PIN)
        docs = [
            factories.station(),
            Staff(
                id=HEAD_ID,
                station_id=STATION_ID,
                name=HEAD_NAME,
                role=StaffRole.HEAD,
                phone="13900001111",
                pin_hash=pin_hash,
                pin_salt=pin_salt,
            ),
            Staff(
                id=WORKER_ID,
                station_id=STATION_ID,
                name=WORKER_NAME,
                role=StaffRole.WORKER,
                phone="13900002222",
            ),
            Staff(
                id=RETIRED_ID,
                station_id=STATION_ID,
                name=RETIRED_NAME,
                role=StaffRole.WORKER,
                active=False,
            ),
        ]
        for index, (hid, number, name, seq, grid, tags) in enumerate(HOUSEHOLDS):
            docs.append(
                factories.household(
                    number,
                    id=hid,
                    head_of_household=name,
                    id_number=factories.id_number(seq=seq),
                    phone=f"1387456{1000 + index:04d}",
                    address=f"湘龙小区{index + 1}栋101",
                    grid=grid,
                    people=index % 4 + 1,
                    tags=tags,
                    registered_on=dt.date(2026, 1, 5),
                )
            )
        docs += [
            factories.visit("hh-01", WORKER_ID, id="visit-1", date=dt.date(2026, 11, 20)),
            factories.visit(
                "hh-05",
                HEAD_ID,
                id="visit-2",
                date=dt.date(2026, 11, 24),
                start_time=dt.time(19, 0),
                end_time=dt.time(19, 40),
                visit_kind=VisitKind.NIGHT,
                hardships="想申请低保",
                problems=[
                    ProblemItem(
                        id="problem-1",
                        category="社会保障",
                        description="低保申请材料不会填",
                        state=ProblemState.PENDING,
                    )
                ],
            ),
            factories.visit(
                "hh-06", WORKER_ID, id="visit-3", date=dt.date(2026, 10, 15), hardships="轮椅坏了"
            ),
        ]
        requested = dt.datetime(2026, 11, 10, 9, 0).astimezone()
        docs += [
            Appointment(
                id="appt-today",
                station_id=STATION_ID,
                household_id="hh-02",
                requested_by="王秀英",
                requested_at=requested,
                planned_date=TODAY,
                planned_time=dt.time(15, 0),
                reason="反映楼道漏水",
            ),
            Appointment(
                id="appt-missed",
                station_id=STATION_ID,
                household_id="hh-07",
                requested_by="陈志强",
                requested_at=requested,
                planned_date=dt.date(2026, 11, 20),
                planned_time=dt.time(10, 0),
                reason="咨询养老保险",
            ),
        ]
        store.save_many(docs, actor="测试数据")
    finally:
        store.close()
    return path


def add_hardship_cases(store: Store) -> None:
    """Two hardship cases (hh-02 deep, for illness; hh-03 relative, for unemployment),
    each with one condolence payment of 300.00 from 民政, opened by the head."""
    from decimal import Decimal

    from grassroots_tui.models import Assistance, HardshipCase, HardshipCause, HardshipTier
    from grassroots_tui.services import hardship

    for hid, tier, cause in (
        ("hh-02", HardshipTier.DEEP, HardshipCause.ILLNESS),
        ("hh-03", HardshipTier.RELATIVE, HardshipCause.UNEMPLOYMENT),
    ):
        case = hardship.open_case(
            store,
            HardshipCase(
                id=f"case-{hid}",
                station_id=factories.STATION_ID,
                household_id=hid,
                tier=tier,
                causes=[cause],
                paired_cadre=HEAD_ID,
                opened_on=dt.date(2026, 3, 1),
            ),
            "测试",
        )
        hardship.add_assistance(
            store,
            Assistance(
                station_id=factories.STATION_ID,
                case_id=case.id,
                date=dt.date(2026, 5, 1),
                form="condolence_money",
                amount=Decimal("300.00"),
                source="民政",
                handler=HEAD_NAME,
            ),
            "测试",
        )


def open_store(path: Path) -> Store:
    return Store.open(path, clock=fixed_clock, daily_backup=False)


def make_settings(**fields) -> Settings:
    fields.setdefault("theme", THEME)
    return Settings(**fields)


def make_app(store: Store, settings: Settings | None = None):
    from grassroots_tui.tui.app import GrassrootsApp

    app = GrassrootsApp(
        store, settings or make_settings(), clock=fixed_clock, persist_settings=False
    )
    app.animation_level = "none"
    # Not the sections composed ahead after sign-in (tests/test_tui_sections_ahead.py
    # checks that): each test would pay for six screens it never shows.
    app.prepare_sections_ahead = False
    return app


@contextmanager
def copied_store(template: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of a template store (built once per module), open for writing."""
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    store = open_store(folder / template.name)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(name="template", scope="module")
def template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's template store (:func:`build_store`); import it with ``store``."""
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture(name="store")
def store_fixture(template: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the module's template store, open for writing."""
    with copied_store(template, tmp_path) as store:
        yield store


@pytest.fixture(name="db")
def db_fixture(template: Path, tmp_path: Path) -> Path:
    """The main file of a fresh copy of the module's template store, not opened: for a
    test that starts the program (or a command) on it."""
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    return folder / template.name


def isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real settings file, no inherited theme, no animations, Chinese."""
    monkeypatch.setenv("GRASSROOTS_CONFIG", str(tmp_path / "config" / "settings.json"))
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    monkeypatch.delenv("GRASSROOTS_LANG", raising=False)  # a developer's English shell
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    set_language("zh")


def no_blink(app) -> None:
    """Stop every input cursor blinking on the current screen (snapshots, screenshots)."""
    from textual.widgets import Input

    for widget in app.screen.query(Input):
        widget.cursor_blink = False


async def sign_in(pilot, staff_id: str = HEAD_ID, pin: str = HEAD_PIN) -> None:
    """Sign in through the sign-in screen's own widgets and wait for the visits screen."""
    from textual.widgets import Input, OptionList

    app = pilot.app
    await pilot.pause()
    screen = app.screen
    options = screen.query_one("#signin-staff", OptionList)
    options.highlighted = options.get_option_index(staff_id)
    pin_input = screen.query_one("#signin-pin", Input)
    pin_input.focus()
    pin_input.value = pin
    await pilot.press("enter")
    await pilot.pause()
    assert app.session is not None, "sign-in failed"
    assert app.current_mode == "visits"


async def open_section(pilot, key: str, screen_type: type | None = None):
    """Sign in, press a section's key and wait for its rows; the section's screen."""
    await sign_in(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    if screen_type is not None:
        assert isinstance(screen, screen_type), type(screen).__name__
    return screen


async def settle(pilot) -> None:
    """Let thread workers finish and their callbacks run."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines (wide characters once each)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def count_builds(screen) -> list[int]:
    """Wrap a list screen's build() so that each full build of its rows is counted."""
    built: list[int] = []
    original = screen.build

    def counted():
        built.append(1)
        return original()

    screen.build = counted
    return built
