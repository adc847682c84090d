"""送温暖 (services/condolence.py): the checklist of a round, ticking households off, the
progress, and the exports: masked names, the audited unmasked export, CSV formula
neutralisation, Markdown."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.models import CaseStatus, CondolenceItem, CondolenceRound, HardshipTier
from grassroots_tui.services import condolence as C
from grassroots_tui.services import hardship as H
from grassroots_tui.services.disclosure import UnmaskedRefused
from grassroots_tui.store import Store
from tests.factories import STATION_ID
from tests.sign_in_helpers import actor_of, add_member
from tests.test_hardship import open_store, opened

D = dt.date
TITLE = "2027年春节慰问"
START = D(2027, 1, 18)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.json")
    yield s
    s.close()


@pytest.fixture
def cases(store: Store) -> dict[str, str]:
    """Three active cases in HL01 (one relative), one exited, one in HL02."""
    deep3 = opened(store, "home-3", opened=D(2026, 3, 1))
    deep1 = opened(store, "home-1", opened=D(2026, 3, 1))
    relative = opened(store, "home-2", opened=D(2026, 3, 1), tier=HardshipTier.RELATIVE)
    other = opened(store, "home-4", opened=D(2026, 3, 1))
    return {"deep1": deep1.id, "deep3": deep3.id, "relative": relative.id, "hl02": other.id}


def start(store: Store, tier: HardshipTier | None = None, title: str = TITLE):
    return C.start_round(
        store, title=title, started_on=START, station_id=STATION_ID, tier=tier, actor="站长"
    )


def test_a_round_lists_every_active_case_of_the_station(store: Store, cases) -> None:
    H.exit_case(store, cases["deep3"], on=D(2026, 12, 1), reason="脱困", actor="站长")
    found = start(store)
    assert found.title == TITLE and found.station_id == STATION_ID and found.tier is None
    # In household-number order; the exited case and the other station's are left out.
    assert [i.case_id for i in found.items] == [cases["deep1"], cases["relative"]]
    assert [i.household_id for i in found.items] == ["home-1", "home-2"]
    assert not any(i.done for i in found.items)
    deep_only = start(store, HardshipTier.DEEP, title="2027年元宵慰问")
    assert [i.case_id for i in deep_only.items] == [cases["deep1"]]
    assert deep_only.tier is HardshipTier.DEEP


def test_start_round_refusals(store: Store, cases) -> None:
    start(store)
    with pytest.raises(H.HardshipRefused, match="已有名为“2027年春节慰问”"):
        start(store)
    with pytest.raises(H.HardshipRefused, match="没有意外致困的帮扶中的困难家庭"):
        start(store, HardshipTier.ACCIDENTAL, title="意外慰问")
    with pytest.raises(H.HardshipRefused, match="名称"):
        start(store, title="  ")
    with pytest.raises(H.HardshipNotFound):
        C.start_round(
            store, title="x", started_on=START, station_id="nowhere", tier=None, actor="站长"
        )


def test_progress_and_ticking_households_off(store: Store, cases) -> None:
    found = start(store)
    assert C.round_progress(found) == (0, 3, Decimal("0.00"))
    after = C.mark_done(
        store,
        found.id,
        cases["relative"],
        given="大米一袋",
        by="刘帮扶",
        on=D(2027, 1, 20),
        actor="刘",
    )
    item = next(i for i in after.items if i.case_id == cases["relative"])
    assert (item.done, item.given, item.by, item.done_on) == (
        True,
        "大米一袋",
        "刘帮扶",
        D(2027, 1, 20),
    )
    assert C.round_progress(after) == (1, 3, Decimal("33.33"))
    # Marking again corrects the entry.
    again = C.mark_done(
        store,
        found.id,
        cases["relative"],
        given="大米一袋、油一桶",
        by="刘帮扶",
        on=D(2027, 1, 21),
        actor="刘",
    )
    assert C.round_progress(again) == (1, 3, Decimal("33.33"))
    assert next(i for i in again.items if i.done).given == "大米一袋、油一桶"
    with pytest.raises(H.HardshipRefused, match="不能早于活动开始日期"):
        C.mark_done(store, found.id, cases["deep1"], given="x", by="y", on=D(2027, 1, 1), actor="z")
    with pytest.raises(H.HardshipNotFound, match="不在本次慰问名单"):
        C.mark_done(store, found.id, cases["hl02"], given="x", by="y", on=START, actor="z")
    with pytest.raises(H.HardshipRefused, match="慰问人"):
        C.mark_done(store, found.id, cases["deep1"], given="x", by=" ", on=START, actor="z")
    undone = C.mark_not_done(store, found.id, cases["relative"], actor="刘")
    assert C.round_progress(undone) == (0, 3, Decimal("0.00"))


def test_progress_percent_has_two_decimals_rounded_half_up() -> None:
    def of(done: int, total: int) -> CondolenceRound:
        items = [
            CondolenceItem(
                case_id=f"c{i}",
                household_id=f"h{i}",
                done=i < done,
                done_on=START if i < done else None,
            )
            for i in range(total)
        ]
        return CondolenceRound(title="t", started_on=START, items=items)

    assert C.round_progress(of(2, 3)) == (2, 3, Decimal("66.67"))
    assert C.round_progress(of(1, 3)) == (1, 3, Decimal("33.33"))
    assert C.round_progress(of(1, 800)) == (1, 800, Decimal("0.13"))  # 0.125: half up
    assert C.round_progress(of(3, 3))[2] == Decimal("100.00")
    assert C.round_progress(of(0, 0)) == (0, 0, Decimal("0.00"))


def test_mark_done_with_money_also_records_the_assistance(store: Store, cases) -> None:
    found = start(store)
    C.mark_done(
        store,
        found.id,
        cases["deep1"],
        given="慰问金500元",
        by="刘帮扶",
        on=D(2027, 1, 19),
        actor="刘",
        amount=Decimal("500"),
        source="民政",
    )
    (money,) = store.raw("assistance")
    assert money["case_id"] == cases["deep1"] and money["amount"] == "500.00"
    assert money["form"] == "condolence_money" and money["note"] == f"{TITLE}：慰问金500元"
    assert H.case_total(store, cases["deep1"]) == Decimal("500.00")
    with pytest.raises(H.HardshipRefused, match="已登记慰问"):
        C.mark_done(
            store,
            found.id,
            cases["deep1"],
            given="x",
            by="刘",
            on=START,
            actor="刘",
            amount=Decimal(1),
        )
    assert len(store.raw("assistance")) == 1


# -- export --------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_export_masks_names_and_phones(store: Store, cases) -> None:
    found = start(store)
    C.mark_done(store, found.id, cases["deep1"], given="棉被", by="刘帮扶", on=START, actor="刘")
    text = C.export_round(store, found.id)
    assert not text.startswith("\ufeff")  # the BOM is added when written
    assert C.encode_export(text, "csv").startswith(b"\xef\xbb\xbf")
    assert "张桂兰" not in text and "李四" not in text and "13874561234" not in text
    rows = _rows(text)
    assert rows[0] == list(C.CSV_HEADERS)
    assert rows[1][:4] == ["1", "HL01-0001", "张**", "138****1234"]
    assert rows[1][5:] == ["深度困难", "刘帮扶", "已慰问", "棉被", "刘帮扶", "2027-01-18"]
    assert rows[2][2] == "李*" and rows[2][7] == "未慰问" and rows[2][10] == ""
    # Masked exports are not recorded: the last entry is the tick above.
    assert store.history("condolence_round", found.id)[-1]["action"] == "update"
    md = C.export_round(store, found.id, fmt="md")
    assert md.startswith(f"# {TITLE}\n") and "已慰问 1 / 3 户（33.33%）" in md
    assert "张桂兰" not in md and "| 1 | HL01-0001 | 张** |" in md


def test_unmasked_export_is_recorded_in_the_audit_trail(store: Store, cases, tmp_path) -> None:
    found = start(store)
    head = actor_of(add_member(store, "王站长"))
    with pytest.raises(UnmaskedRefused, match="登录"):
        C.export_round(store, found.id, unmasked=True)
    with pytest.raises(UnmaskedRefused, match="登录"):  # a typed name is nobody signed in
        C.export_round(store, found.id, unmasked=True, actor="站长")
    text = C.export_round(store, found.id, fmt="md", unmasked=True, actor=head, where="a.md")
    assert "张桂兰" in text and "13874561234" in text
    entry = store.history("condolence_round", found.id)[-1]
    assert entry["action"] == "export" and entry["actor"] == head
    assert TITLE in entry["note"] and "未遮蔽" in entry["note"] and "a.md" in entry["note"]
    assert "共 3 条记录" in entry["note"]
    with Store.open(tmp_path / "g.json", readonly=True) as reader:
        with pytest.raises(UnmaskedRefused, match="只读"):
            C.export_round(reader, found.id, unmasked=True, actor=head)
        assert "张**" in C.export_round(reader, found.id)  # masked is fine read-only


def test_csv_cells_that_look_like_formulas_are_neutralised(store: Store, cases) -> None:
    for start_char in ("=", "+", "-", "@", "\t", "\r"):
        assert C.neutralise(f"{start_char}1+1") == f"'{start_char}1+1"
    assert C.neutralise("慰问金 500 元") == "慰问金 500 元" and C.neutralise(None) == ""
    found = start(store)
    C.mark_done(
        store,
        found.id,
        cases["deep1"],
        given='=HYPERLINK("http://x","点")',
        by="@刘",
        on=START,
        actor="刘",
    )
    row = _rows(C.export_round(store, found.id))[1]
    assert row[8] == '\'=HYPERLINK("http://x","点")' and row[9] == "'@刘"
    # Markdown is not a spreadsheet: the text stays, pipes are escaped.
    C.mark_done(store, found.id, cases["relative"], given="米|油", by="刘", on=START, actor="刘")
    md = C.export_round(store, found.id, fmt="md")
    assert "米\\|油" in md and '=HYPERLINK("http://x","点")' in md


def test_find_round_by_title_or_id(store: Store, cases) -> None:
    found = start(store)
    assert C.find_round(store, TITLE).id == found.id
    assert C.find_round(store, found.id).id == found.id
    assert C.find_round(store, TITLE, station_id=STATION_ID).id == found.id
    with pytest.raises(H.HardshipNotFound):
        C.find_round(store, TITLE, station_id="station-hl02")
    assert H.get_case(store, cases["deep1"]).status is CaseStatus.ACTIVE
