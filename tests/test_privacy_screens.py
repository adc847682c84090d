"""The privacy scan of the program's screens: every section, its list, each row's detail
pane and the screens opened from it, drawn headless and read, on a store with a planted
resident whose name, ID number and phone number are also written into free text (a
visit's problem, a slip's title and description, an appointment's reason, a condolence
entry) beside a registered neighbour's name.

What is read on each screen (:func:`read_screen`): the terminal as drawn, every cell of
every table (a cell cut short by its column would hide a leak), every Static, Label and
option of an option list. Each table's rows are visited one by one, so each row's detail
pane is drawn and read. Nothing whole may be found (docs/design.md, the personal
information rules); the same walk with masking turned off must find every planted value,
so the scan can fail.

The household picker shows a household's name whole to the worker who typed that name or
户号 (:func:`masking.named_by_query`); its test is here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, OptionList, Static

from grassroots_tui.i18n import set_language, t
from grassroots_tui.models import (
    Appointment,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    ProblemItem,
    ProblemState,
    SlipSource,
    Station,
)
from grassroots_tui.services import hardship, masking, slips
from grassroots_tui.services.condolence import mark_done, start_round
from grassroots_tui.services.workcalendar import OfficialCalendar
from tests import factories
from tests.test_privacy_scan import Sensitive
from tests.tui_fixtures import (
    HEAD_ID,
    build_store,
    copied_store,
    isolate_environment,
    make_app,
    screen_text,
    settle,
    sign_in,
)

SIZE = (160, 50)

NAME = "诸葛慧琳"
MEMBER = "诸葛明远"
NEIGHBOUR = "司马晓雯"
ID = factories.id_number(region="430121", born="19800615", seq="527")
NEIGHBOUR_ID = factories.id_number(region="430121", born="19790203", seq="318")
PHONE = "13700112233"
NEIGHBOUR_PHONE = "13600998877"
PLANTED = (NAME, MEMBER, NEIGHBOUR, ID, NEIGHBOUR_ID, PHONE, NEIGHBOUR_PHONE)


def _plant(store) -> None:
    """The planted resident and neighbour, in every kind of record a screen shows."""
    station = store.get(Station, factories.STATION_ID)
    store.save_many(
        [
            factories.household(
                "ZG-0001",
                id="hh-zg",
                head_of_household=NAME,
                id_number=ID,
                phone=PHONE,
                address="湘龙小区9栋1单元101",
                tags=["低保"],
            ),
            factories.household(
                "ZG-0002",
                id="hh-sm",
                head_of_household=NEIGHBOUR,
                id_number=NEIGHBOUR_ID,
                phone=NEIGHBOUR_PHONE,
                address="湘龙小区9栋1单元201",
            ),
            factories.visit(
                "hh-zg",
                HEAD_ID,
                id="visit-zg",
                date=dt.date(2026, 11, 25),
                hardships=f"{NAME}说邻居{NEIGHBOUR}（{NEIGHBOUR_PHONE}）家漏水",
                opinions=f"家属{MEMBER}希望多来看看",
                problems=[
                    ProblemItem(
                        id="problem-zg",
                        category="社会保障",
                        description=f"{NAME}身份证{ID}，电话{PHONE}，邻居{NEIGHBOUR}也要申请",
                        state=ProblemState.PENDING,
                    )
                ],
            ),
            Appointment(
                id="appt-zg",
                station_id=factories.STATION_ID,
                household_id="hh-zg",
                requested_by=NAME,
                requested_at=dt.datetime(2026, 11, 20, 9, 0).astimezone(),
                planned_date=dt.date(2026, 11, 26),
                planned_time=dt.time(16, 0),
                reason=f"回电{PHONE}，说说{NEIGHBOUR}家的事",
            ),
        ],
        actor="测试数据",
    )
    draft = slips.draft_slip(
        station,
        source=SlipSource.VISIT,
        category="物业纠纷",
        title=f"{NAME}反映{NEIGHBOUR}家杂物堵塞楼道（电话{PHONE}）",
        description=f"{NAME}（身份证{ID}，电话{PHONE}）反映邻居{NEIGHBOUR}的杂物堵塞楼道。",
        household_id="hh-zg",
        person_name=NAME,
        handling_unit="街道城管办",
    )
    saved = slips.save_draft(store, draft, "测试")
    # Issued long ago: overdue on the fixed day, so it is on the board too.
    slips.issue(store, saved.id, on=dt.date(2026, 10, 9), actor="测试", calendar=OfficialCalendar())
    case = hardship.open_case(
        store,
        HardshipCase(
            id="case-zg",
            station_id=factories.STATION_ID,
            household_id="hh-zg",
            tier=HardshipTier.DEEP,
            causes=[HardshipCause.ILLNESS],
            members=[NAME, MEMBER],
            paired_cadre=HEAD_ID,
            opened_on=dt.date(2026, 3, 1),
        ),
        "测试",
    )
    found = start_round(
        store,
        title="隐私扫描慰问",
        started_on=dt.date(2026, 11, 20),
        station_id=factories.STATION_ID,
        tier=None,
        actor="测试",
    )
    mark_done(
        store,
        found.id,
        case.id,
        given=f"米一袋，由邻居{NEIGHBOUR}代收",
        by="李敏",
        on=dt.date(2026, 11, 21),
        actor="测试",
    )


def _sensitive(store) -> Sensitive:
    found = Sensitive()
    for home in store.raw("household"):
        found.ids.add(home.get("id_number") or "")
        found.phones.add(home.get("phone") or "")
        found.names.add(home.get("head_of_household") or "")
    for case in store.raw("hardship_case"):
        found.names.update(case.get("members") or ())
    for slip in store.raw("handoff_slip"):
        found.names.add(slip.get("person_name") or "")
    for appointment in store.raw("appointment"):
        found.names.add(appointment.get("requested_by") or "")
    for staff in store.raw("staff"):
        found.phones.add(staff.get("phone") or "")
    officials = {s.get("name") for s in store.raw("staff")} - {NAME, MEMBER, NEIGHBOUR}
    found.officials = sorted({o for o in officials if o}, key=len, reverse=True)
    found.names = {n for n in found.names if len(n) >= 2}
    found.ids.discard("")
    found.phones.discard("")
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = build_store(tmp_path_factory.mktemp("screens") / "grassroots.json")
    from tests.tui_fixtures import open_store

    store = open_store(path)
    try:
        _plant(store)
    finally:
        store.close()
    return path


@pytest.fixture
def store(template, tmp_path, monkeypatch):
    isolate_environment(monkeypatch, tmp_path)
    with copied_store(template, tmp_path) as store:
        yield store


# -- reading a screen ------------------------------------------------------------------------


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.plain
    plain = getattr(value, "plain", None)  # textual.content.Content
    return plain if isinstance(plain, str) else str(value)


def read_screen(app) -> str:
    """Everything the current screen holds as text: drawn, and in its widgets."""
    screen = app.screen
    parts = [screen_text(app)]
    for table in screen.query(DataTable):
        for index in range(table.row_count):
            parts += [_plain(cell) for cell in table.get_row_at(index)]
        parts += [_plain(column.label) for column in table.ordered_columns]
    for static in screen.query(Static):
        parts.append(_plain(static.content))
    for options in screen.query(OptionList):
        for index in range(options.option_count):
            parts.append(_plain(options.get_option_at_index(index).prompt))
    for box in screen.query(Input):
        parts.append(box.value)
    # The picker's placeholder gives an example name that a fixture household happens
    # to bear: the program's own text, not a resident's data.
    return "\n".join(parts).replace(t("pick.hint"), "＃")


@dataclass
class Walk:
    """What the walk read: one text per screen and per row's detail pane."""

    texts: dict[str, str] = field(default_factory=dict)
    screens: int = 0
    panes: int = 0

    async def read(self, pilot, label: str) -> None:
        """The screen as it is, then each row of each of its tables highlighted in turn."""
        await settle(pilot)
        app = pilot.app
        self.screens += 1
        self.texts[label] = read_screen(app)
        for number, table in enumerate(app.screen.query(DataTable)):
            for row in range(table.row_count):
                table.move_cursor(row=row)
                await pilot.pause()
                self.panes += 1
                self.texts[f"{label} table {number} row {row}"] = read_screen(app)
            if table.row_count:
                table.move_cursor(row=0)
                await pilot.pause()

    def leaks(self, sensitive: Sensitive) -> dict[str, list[str]]:
        return {label: hits for label, text in self.texts.items() if (hits := sensitive.find(text))}


async def _open(pilot, key: str, screen_type: str | None = None) -> None:
    """Press ``key`` and wait for ``screen_type`` to be shown: a section's screen is
    imported when it is first opened, which can take longer than a settle on a busy
    machine (up to about five seconds here before the walk gives up)."""
    await pilot.press(key)
    await settle(pilot)
    if screen_type is None:
        return
    for _ in range(100):
        if type(pilot.app.screen).__name__ == screen_type:
            break
        await pilot.pause(0.05)
        await settle(pilot)
    assert type(pilot.app.screen).__name__ == screen_type, type(pilot.app.screen).__name__


async def _back(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)


async def walk_every_screen(app, pilot) -> Walk:
    """Every section, each row's detail pane, and the screens and dialogs opened from
    them: the appointments, the household picker, the board, a case, the condolence
    rounds, the totals, leave, the supervision report and three-threes, the settings."""
    walk = Walk()
    await sign_in(pilot)
    await settle(pilot)
    # 走访 and what opens from it.
    await _open(pilot, "f2", "VisitsScreen")
    await walk.read(pilot, "visits")
    await _open(pilot, "a", "AppointmentsDialog")
    await walk.read(pilot, "visits / appointments")
    await _back(pilot)
    await _open(pilot, "n", "PickHousehold")
    await walk.read(pilot, "visits / household picker")
    await _back(pilot)
    # 住户
    await _open(pilot, "f3", "HouseholdsScreen")
    await walk.read(pilot, "households")
    # 交办 and the board
    await _open(pilot, "f4", "SlipsScreen")
    await walk.read(pilot, "slips")
    await _open(pilot, "b", "BoardScreen")
    await walk.read(pilot, "slips / board")
    await _back(pilot)
    # 帮扶: the list, the planted case, the rounds, the totals
    await _open(pilot, "f5", "HardshipScreen")
    await walk.read(pilot, "hardship")
    assert app.screen.table.move_to("case-zg")
    await pilot.pause()
    await _open(pilot, "o", "CaseView")
    await walk.read(pilot, "hardship / case")
    await _back(pilot)
    await _open(pilot, "r", "RoundsScreen")
    await walk.read(pilot, "hardship / rounds")
    await _back(pilot)
    await _open(pilot, "t")
    await walk.read(pilot, "hardship / totals")
    await _back(pilot)
    # 值班 and leave
    await _open(pilot, "f6", "RostersScreen")
    await walk.read(pilot, "rosters")
    await _open(pilot, "l")
    await walk.read(pilot, "rosters / leave")
    await _back(pilot)
    # 督导, its report and the three-threes
    await _open(pilot, "f7", "SupervisionScreen")
    await walk.read(pilot, "supervision")
    await _open(pilot, "m")
    await walk.read(pilot, "supervision / report")
    await _back(pilot)
    await _open(pilot, "h")
    await walk.read(pilot, "supervision / three-threes")
    await _back(pilot)
    # 统计 and the settings
    await _open(pilot, "f8", "StatisticsScreen")
    await walk.read(pilot, "statistics")
    await _open(pilot, "f9")
    await walk.read(pilot, "settings")
    await _back(pilot)
    return walk


# -- the scan --------------------------------------------------------------------------------


async def test_no_screen_or_pane_shows_a_whole_name_id_or_phone(store) -> None:
    sensitive = _sensitive(store)
    assert {NAME, MEMBER, NEIGHBOUR} <= sensitive.names
    assert {ID, NEIGHBOUR_ID} <= sensitive.ids and {PHONE, NEIGHBOUR_PHONE} <= sensitive.phones
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        walk = await walk_every_screen(app, pilot)
    leaks = walk.leaks(sensitive)
    print(
        f"privacy scan of the screens: {walk.screens} screens, {walk.panes} rows with their "
        f"panes, {len(sensitive.names) + len(sensitive.ids) + len(sensitive.phones)} values "
        f"looked for ({len(PLANTED)} planted), {len(leaks)} texts with a whole value"
    )
    assert not leaks, f"screens show personal data: {leaks}"
    # The planted resident was on the screens, masked: the walk read the right text.
    everything = "\n".join(walk.texts.values())
    for shown in ("诸葛**", "司马**", "137****2233", f"{ID[:4]}**********{ID[-4:]}"):
        assert shown in everything, shown
    assert walk.screens >= 15 and walk.panes >= 20


async def test_the_screen_scan_finds_the_planted_values_when_masking_is_off(
    store, monkeypatch
) -> None:
    """Masking turned off where it is done (masking.py): the same walk must find every
    planted value whole, or the scan above proves nothing."""
    sensitive = _sensitive(store)
    for name in ("mask_name", "mask_id", "mask_phone"):
        monkeypatch.setattr(masking, name, masking._plain)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        walk = await walk_every_screen(app, pilot)
    found = {hit for hits in walk.leaks(sensitive).values() for hit in hits}
    assert set(PLANTED) <= found, set(PLANTED) - found


# -- the slips list and its pane (issue 15 §2) ------------------------------------------------


async def test_the_slips_list_and_pane_mask_the_title_and_description(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await _open(pilot, "f4", "SlipsScreen")
        slip = next(s for s in store.raw("handoff_slip") if s.get("person_name") == NAME)
        assert app.screen.table.move_to(slip["id"])
        await settle(pilot)
        text = read_screen(app)
        pane = _plain(app.screen.query_one("#detail-text", Static).content)
    for whole in (NAME, NEIGHBOUR, ID, PHONE):
        assert whole not in text
    assert "诸葛**反映司马**家杂物堵塞楼道（电话137****2233）" in text
    assert "诸葛**（身份证4301**********" in pane and "邻居司马**的杂物" in pane


# -- the household picker (issue 15 §2) -------------------------------------------------------


async def _picker(pilot):
    await sign_in(pilot)
    await _open(pilot, "f2", "VisitsScreen")
    await _open(pilot, "n", "PickHousehold")
    return pilot.app.screen


def _options(screen) -> list[str]:
    options = screen.query_one(OptionList)
    return [_plain(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def _type(pilot, screen, text: str) -> None:
    box = screen.query_one("#pick-query", Input)
    box.value = text
    await settle(pilot)


async def test_the_picker_shows_the_name_the_worker_typed_and_masks_the_rest(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _picker(pilot)
        assert not any(NAME in row or NEIGHBOUR in row for row in _options(screen))
        # The whole name typed: that household's row shows it; no ID or phone anywhere.
        await _type(pilot, screen, NAME)
        rows = _options(screen)
        assert rows and rows[0].startswith(f"ZG-0001  {NAME}")
        assert not any(NEIGHBOUR in row or ID in row or PHONE in row for row in rows)
        # Its 户号 typed: the same.
        await _type(pilot, screen, "zg-0002")
        assert _options(screen)[0].startswith(f"ZG-0002  {NEIGHBOUR}")
        # Part of a name, pinyin initials or part of a 户号 prove nothing: still masked.
        for partial in ("诸葛", "zghl", "ZG-000", "ZG"):
            await _type(pilot, screen, partial)
            rows = _options(screen)
            assert rows, partial
            assert not any(NAME in row or NEIGHBOUR in row for row in rows), (partial, rows)
        # Two households named alike: only the one whose name was typed is shown whole.
        await _type(pilot, screen, "张三丰")
        rows = _options(screen)
        assert any("张三丰" in row for row in rows)
        assert not any("张桂兰" in row for row in rows)


async def test_a_picker_search_that_finds_nothing_says_so(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _picker(pilot)
        await _type(pilot, screen, "没有这个人")
        assert _options(screen) == []
        assert "没有找到匹配的住户" in screen_text(app)
        await _type(pilot, screen, NAME)
        assert "没有找到匹配的住户" not in screen_text(app)
    set_language("en")
    try:
        assert t("pick.none") != "没有找到匹配的住户" and t("pick.none")
    finally:
        set_language("zh")


async def test_the_board_masks_a_name_registered_after_it_was_first_shown(store) -> None:
    """The board is kept between openings and built again when its data changes: a name
    registered since (a hardship case's member) is masked in its titles at once."""
    newcomer = "欧阳小满"
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.VISIT,
        category="城市管理",
        title=f"{newcomer}家门口路灯不亮",
        description="路灯不亮。",
        handling_unit="街道城管办",
    )
    saved = slips.save_draft(store, draft, "测试")
    slips.issue(store, saved.id, on=dt.date(2026, 10, 9), actor="测试", calendar=OfficialCalendar())
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await _open(pilot, "f4", "SlipsScreen")
        await _open(pilot, "b", "BoardScreen")
        assert newcomer in read_screen(app)  # not a registered resident yet
        await _back(pilot)
        hardship.open_case(
            store,
            HardshipCase(
                id="case-newcomer",
                station_id=factories.STATION_ID,
                household_id="hh-05",
                tier=HardshipTier.RELATIVE,
                causes=[HardshipCause.ILLNESS],
                members=[newcomer],
                paired_cadre=HEAD_ID,
                opened_on=dt.date(2026, 11, 1),
            ),
            "测试",
        )
        await _open(pilot, "b", "BoardScreen")
        text = read_screen(app)
    assert newcomer not in text and "欧阳**家门口路灯不亮" in text


async def test_the_palette_shows_a_typed_name_whole_and_masks_the_rest(store) -> None:
    from tests.test_tui_pilot import palette_hits

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        hits = await palette_hits(pilot, "张三丰")
        assert any(hit.startswith("住户 HL01-0004 张三丰") for hit in hits), hits
        assert not any("张桂兰" in hit for hit in hits)
        await pilot.press("escape")
        await pilot.pause()
        hits = await palette_hits(pilot, "zg")
        assert any("ZG-0001 诸葛**" in hit for hit in hits), hits
        assert not any(NAME in hit or NEIGHBOUR in hit for hit in hits)


# -- the conflicts with the hub ---------------------------------------------------------------


async def _walk_conflicts(app, pilot) -> Walk:
    """The conflicts screen: the list, and both versions of the planted household field by
    field (each row read)."""
    walk = Walk()
    await sign_in(pilot)
    await settle(pilot)
    await _open(pilot, "f10", "ConflictsScreen")
    await walk.read(pilot, "conflicts")
    return walk


def _conflicted(store, tmp_path: Path) -> None:
    """The planted household changed on two laptops of the station, each writing the
    planted people into another field: a conflict with the hub."""
    from tests.test_tui_sync import diverge, enroll_with_hub

    hub_path, replica_id = enroll_with_hub(store, tmp_path)
    diverge(
        store,
        hub_path,
        replica_id,
        tmp_path,
        "hh-zg",
        theirs={
            "note": f"{NEIGHBOUR}代{MEMBER}登记，电话{NEIGHBOUR_PHONE}，身份证{NEIGHBOUR_ID}",
            "people": 4,
        },
        mine={"note": f"{NAME}本人来电{PHONE}，身份证{ID}", "phone": NEIGHBOUR_PHONE},
    )


async def test_the_conflicts_screen_masks_both_versions(store, tmp_path) -> None:
    sensitive = _sensitive(store)  # before the change of the planted phone number
    _conflicted(store, tmp_path)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        walk = await _walk_conflicts(app, pilot)
    assert not walk.leaks(sensitive), walk.leaks(sensitive)
    everything = "\n".join(walk.texts.values())
    assert walk.panes >= 5
    for shown in ("ZG-0001 诸葛**", "司马**代诸葛**登记", "诸葛**本人来电137****2233"):
        assert shown in everything, shown


async def test_the_conflicts_scan_finds_the_values_when_masking_is_off(
    store, tmp_path, monkeypatch
) -> None:
    sensitive = _sensitive(store)
    _conflicted(store, tmp_path)
    for name in ("mask_name", "mask_id", "mask_phone"):
        monkeypatch.setattr(masking, name, masking._plain)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        walk = await _walk_conflicts(app, pilot)
    found = {hit for hits in walk.leaks(sensitive).values() for hit in hits}
    assert set(PLANTED) <= found, set(PLANTED) - found
