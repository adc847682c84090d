"""Importing a household ledger (住户台账): reading, previewing, applying."""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grassroots_tui.models import Household
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.services.household_import import (
    ImportPreview,
    ImportRefused,
    Ledger,
    LedgerError,
    apply_import,
    preview_import,
    read_ledger,
)
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, id_number, station

TODAY = date(2026, 11, 26)
HEADER = ["户号", "户主姓名", "身份证号", "联系电话", "地址", "网格", "人口数", "标签"]
ID_1 = id_number(seq="101")
ID_2 = id_number(region="430102", born="19830704", seq="222")
ID_3 = id_number(region="430104", born="20010115", seq="318")
GOOD_ROWS = [
    [
        "HL01-0001",
        "张桂兰",
        ID_1,
        "138 7456 1234",
        "湘龙小区3栋2单元301",
        "一网格",
        "3",
        "独居老人",
    ],
    ["HL01-0002", "李建国", ID_2, "0731-84012345", "湘龙小区1栋102", "二网格", "4", "低保、残疾"],
    ["HL01-0003", "王秀英", ID_3, "+86 139-0731-5678", "湘龙村五组12号", "", "1", ""],
]


# -- helpers --------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def store_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under the store's folder, for "nothing changed" assertions."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def preview_of(path: Path, existing: list[dict] | None = None) -> ImportPreview:
    return preview_import(existing or [], STATION_ID, read_ledger(path), TODAY)


def ledger_rows(tmp_path: Path, rows: list[list[object]], name: str = "台账.csv") -> Ledger:
    return read_ledger(write_csv(tmp_path / name, [HEADER, *rows]))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "data" / "station.json")
    s.save(station(), actor="测试")
    yield s
    s.close()


# -- reading good files ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "住户台账.csv", [HEADER, *GOOD_ROWS], encoding)
    ledger = read_ledger(path)
    assert ledger.format == "csv"
    assert ledger.header_row == 1
    assert [r.row for r in ledger.rows] == [2, 3, 4]
    assert ledger.rows[0].values["head_of_household"] == "张桂兰"
    assert ledger.rows[1].values["tags"] == "低保、残疾"
    assert ledger.rows[2].values["grid"] is None
    assert ledger.warnings == []


def test_gbk_file_is_read_as_gbk(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [HEADER, *GOOD_ROWS], "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    ledger = read_ledger(path)
    assert ledger.encoding == "gb18030"
    assert ledger.rows[0].values["address"] == "湘龙小区3栋2单元301"


def test_good_csv_round_trip_into_the_store(tmp_path: Path, store: Store) -> None:
    path = write_csv(tmp_path / "台账.csv", [HEADER, *GOOD_ROWS])
    preview = preview_import(store.raw("household"), STATION_ID, read_ledger(path), TODAY)
    assert preview.rejected == []
    assert len(preview.adds) == 3 and preview.updates == [] and preview.unchanged == 0
    assert preview.summary() == "将新增 3 户，更新 0 户，拒绝 0 行。"

    result = apply_import(store, preview, actor="李敏")
    assert (result.added, result.updated) == (3, 0)
    stored = {h.household_no: h for h in store.iter(Household)}
    assert set(stored) == {"HL01-0001", "HL01-0002", "HL01-0003"}
    first = stored["HL01-0001"]
    assert first.station_id == STATION_ID
    assert first.id_number == ID_1
    assert first.phone == "13874561234"
    assert first.people == 3 and first.tags == ["独居老人"] and first.grid == "一网格"
    assert stored["HL01-0002"].phone == "0731-84012345"
    assert stored["HL01-0002"].tags == ["低保", "残疾"]
    assert stored["HL01-0003"].phone == "13907315678"
    assert stored["HL01-0003"].grid is None and stored["HL01-0003"].tags == []
    assert all(h.created_by == "李敏" for h in stored.values())

    # The same file again changes nothing.
    again = preview_import(store.raw("household"), STATION_ID, read_ledger(path), TODAY)
    assert again.adds == [] and again.updates == [] and again.unchanged == 3
    assert "3 户与现有数据相同" in again.summary()


def test_good_xlsx_round_trip_with_typed_cells(tmp_path: Path, store: Store) -> None:
    rows = [
        [*HEADER, "登记日期"],
        [
            "HL01-0001",
            "张桂兰",
            ID_1,
            13874561234,
            "湘龙小区3栋",
            "一网格",
            3,
            "独居老人",
            date(2024, 3, 5),
        ],
        [1002, "李建国", ID_2, "0731-84012345", "湘龙小区1栋", None, 4.0, "低保,残疾", "2024/3/6"],
    ]
    path = write_xlsx(tmp_path / "台账.xlsx", rows)
    ledger = read_ledger(path)
    assert ledger.format == "xlsx" and ledger.encoding is None
    preview = preview_import(store.raw("household"), STATION_ID, ledger, TODAY)
    assert preview.rejected == []
    apply_import(store, preview, actor="李敏")
    stored = {h.household_no: h for h in store.iter(Household)}
    assert stored["HL01-0001"].phone == "13874561234"
    assert stored["HL01-0001"].registered_on == date(2024, 3, 5)
    assert stored["1002"].people == 4 and stored["1002"].tags == ["低保", "残疾"]
    assert stored["1002"].registered_on == date(2024, 3, 6)


def test_format_is_told_by_content_not_extension(tmp_path: Path) -> None:
    xlsx_named_csv = write_xlsx(tmp_path / "其实是表格.csv", [HEADER, *GOOD_ROWS])
    csv_named_xlsx = write_csv(tmp_path / "其实是文本.xlsx", [HEADER, *GOOD_ROWS])
    assert read_ledger(xlsx_named_csv).format == "xlsx"
    assert read_ledger(csv_named_xlsx).format == "csv"
    assert len(read_ledger(csv_named_xlsx).rows) == 3


def test_only_the_first_sheet_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(GOOD_ROWS[0])
    other = book.create_sheet("说明")
    other.append(["这一页是说明，不是数据"])
    path = tmp_path / "两页.xlsx"
    book.save(path)
    ledger = read_ledger(path)
    assert len(ledger.rows) == 1 and ledger.rows[0].values["household_no"] == "HL01-0001"


def test_header_synonyms_spaces_and_unknown_columns(tmp_path: Path) -> None:
    header = [
        " 户 号 ",
        "户主",
        "公民身份号码",
        "手机号码",
        "家庭住址",
        "网格",
        "家庭人口",
        "标签",
        "籍贯",
    ]
    path = write_csv(tmp_path / "别名.csv", [header, [*GOOD_ROWS[0], "湖南"]])
    ledger = read_ledger(path)
    assert ledger.columns["household_no"] == "户 号"
    assert ledger.columns["id_number"] == "公民身份号码"
    assert ledger.columns["people"] == "家庭人口"
    assert ledger.ignored_columns == ["籍贯"]
    assert any("籍贯" in w and "忽略" in w for w in ledger.warnings)
    preview = preview_import([], STATION_ID, ledger, TODAY)
    assert preview.rejected == [] and len(preview.adds) == 1
    assert any("籍贯" in w for w in preview.warnings)


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("户主", "head_of_household"),
        ("姓名", "head_of_household"),
        ("住址", "address"),
        ("家庭住址", "address"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("电话", "phone"),
        ("手机", "phone"),
        ("手机号码", "phone"),
        ("人口", "people"),
        ("家庭人口", "people"),
        ("人口数（人）", "people"),
    ],
)
def test_each_synonym(tmp_path: Path, name: str, field: str) -> None:
    header = {"household_no": "户号", "head_of_household": "户主姓名", "address": "地址"}
    header[field] = name
    path = write_csv(tmp_path / "s.csv", [list(header.values())])
    assert read_ledger(path).columns[field] == name


def test_missing_required_headers_are_listed_together(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "缺列.csv", [["户主姓名", "身份证号", "网格"], ["张三", ID_1, "一网格"]]
    )
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    message = str(caught.value)
    assert "缺列.csv" in message
    assert "「户号」" in message and "「地址」" in message and "户主姓名" not in message
    assert isinstance(caught.value, ValueError)


def test_the_same_column_twice_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "重列.csv", [["户号", "户主姓名", "地址", "电话", "手机"]])
    with pytest.raises(LedgerError, match="「电话」和「手机」是同一列"):
        read_ledger(path)


def test_empty_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    rows = [[], ["", "", ""], HEADER, GOOD_ROWS[0], [], ["", " ", ""], GOOD_ROWS[1], [], []]
    path = write_csv(tmp_path / "空行.csv", rows)
    ledger = read_ledger(path)
    assert ledger.header_row == 3
    # Rows as numbered in the spreadsheet: the two blank rows above the header count too.
    assert [r.row for r in ledger.rows] == [4, 7]
    assert ledger.skipped_empty == 2  # the blank rows at the end are not rows of the ledger
    preview = preview_import([], STATION_ID, ledger, TODAY)
    assert preview.rejected == [] and preview.skipped_empty == 2
    assert "跳过空行 2 行" in preview.summary()


def test_empty_rows_in_xlsx_keep_the_spreadsheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A2"] = "住户台账"  # a title above the header
    for col, text in enumerate(HEADER, start=1):
        sheet.cell(row=3, column=col, value=text)
    for col, value in enumerate(GOOD_ROWS[0], start=1):
        sheet.cell(row=6, column=col, value=value)
    bad = [*GOOD_ROWS[1]]
    bad[2] = ID_2[:-1] + ("0" if ID_2[-1] != "0" else "1")
    for col, value in enumerate(bad, start=1):
        sheet.cell(row=9, column=col, value=value)
    path = tmp_path / "标题.xlsx"
    book.save(path)
    ledger = read_ledger(path)
    assert ledger.header_row == 3
    assert [r.row for r in ledger.rows] == [6, 9]
    assert ledger.skipped_empty == 4
    assert any("住户台账" in w and "标题" in w for w in ledger.warnings)
    preview = preview_import([], STATION_ID, ledger, TODAY)
    assert [p.row for p in preview.rejected] == [9]
    assert preview.rejected[0].column == "身份证号"


def test_a_header_without_rows_is_an_empty_import(tmp_path: Path) -> None:
    ledger = read_ledger(write_csv(tmp_path / "h.csv", [HEADER]))
    preview = preview_import([], STATION_ID, ledger, TODAY)
    assert not preview.has_changes and preview.rejected == []


def test_tab_separated_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tab.txt"
    lines = ["\t".join(HEADER), "\t".join(GOOD_ROWS[0])]
    path.write_text("\n".join(lines), encoding="utf-8")
    ledger = read_ledger(path)
    assert ledger.rows[0].values["address"] == "湘龙小区3栋2单元301"


def test_utf16_text_with_bom_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode text" export: UTF-16 with BOM, tab-separated.
    path = tmp_path / "unicode.txt"
    text = "\r\n".join("\t".join(row) for row in [HEADER, GOOD_ROWS[0]])
    path.write_bytes(text.encode("utf-16"))
    ledger = read_ledger(path)
    assert ledger.encoding == "utf-16"
    assert ledger.rows[0].values["head_of_household"] == "张桂兰"


# -- files that are not ledgers -------------------------------------------------------


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def _ole(path: Path, *streams: str) -> Path:
    body = b"".join(s.encode("utf-16-le") + b"\x00" * 10 for s in streams)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + body)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(random.Random(1).randbytes(4096)) and p, "不是"),
        (lambda p: p.write_bytes(b"") and p, "空文件"),
        (lambda p: p.write_bytes(b"  \r\n\n") and p, "空文件"),
        (lambda p: _docx(p), "Word 文档"),
        (lambda p: _ole(p, "EncryptionInfo", "EncryptedPackage"), "密码"),
        (lambda p: _ole(p, "Workbook"), ".xls"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256))) and p, "PDF"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(100)) and p, "损坏"),
        (
            lambda p: p.write_text("<html><table><tr><td>户号</td></tr></table></html>") and p,
            "网页",
        ),
    ],
    ids=["random", "empty", "blank", "docx", "encrypted", "xls", "pdf", "broken-zip", "html"],
)
def test_files_that_are_not_spreadsheets(tmp_path: Path, make, expected: str) -> None:
    path = tmp_path / "住户台账.xlsx"
    path.write_bytes(b"")
    make(path)
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    message = str(caught.value)
    assert "住户台账.xlsx" in message
    assert expected in message
    assert cjk(message)


def test_a_text_file_of_prose_says_the_headers_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "会议记录.txt"
    path.write_text(
        "今天上午，工作队员到湘龙小区走访了五户居民，了解到楼道灯损坏、下水道堵塞等问题。\n"
        "下午，站长召集队员开会，研究了交办单的办理进度，并安排了下周的夜访。\n",
        encoding="utf-8",
    )
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    message = str(caught.value)
    assert "会议记录.txt" in message
    assert "「户号」" in message and "「户主姓名」" in message and "「地址」" in message


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="找不到文件"):
        read_ledger(tmp_path / "没有.csv")
    with pytest.raises(LedgerError, match="文件夹"):
        read_ledger(tmp_path)


# -- rejections -----------------------------------------------------------------------


def _with(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for name, value in changes.items():
        out[HEADER.index(name)] = value
    return out


def test_bad_id_numbers_are_rejected_with_row_column_reason(tmp_path: Path) -> None:
    wrong_check = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")
    rows = [
        GOOD_ROWS[0],
        _with(GOOD_ROWS[1], 身份证号=wrong_check),
        _with(GOOD_ROWS[2], 身份证号=id_number(born="19580230")),
        _with(GOOD_ROWS[2], 户号="HL01-0004", 身份证号=ID_1[:17]),
        _with(GOOD_ROWS[2], 户号="HL01-0005", 身份证号=id_number(born="20270101")),
        _with(GOOD_ROWS[2], 户号="HL01-0006", 身份证号="4.30121E+17"),
    ]
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    assert len(preview.adds) == 1
    by_row = {p.row: p for p in preview.rejected}
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert all(p.column == "身份证号" for p in preview.rejected)
    assert by_row[3].reason == f"校验码错误，应为 {ID_1[-1]}"
    assert "19580230" in by_row[4].reason and "不是真实存在的日期" in by_row[4].reason
    assert by_row[5].reason == "应为 18 位，实际 17 位"
    assert "晚于今天" in by_row[6].reason
    assert "科学计数法" in by_row[7].reason and "文本" in by_row[7].reason
    summary = preview.summary()
    assert summary.startswith(
        "将新增 1 户，更新 0 户，拒绝 5 行（第 3 行「身份证号」校验码错误，应为 "
    )
    assert "等共 5 处问题" not in summary


def test_several_problems_in_one_row_each_reported(tmp_path: Path) -> None:
    row = ["", "张三", "123", "12345", "", "一网格", "0", ""]
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, [row]), TODAY)
    assert preview.adds == []
    found = {(p.row, p.column): p.reason for p in preview.rejected}
    assert found == {
        (2, "户号"): "必填，不能为空",
        (2, "身份证号"): "应为 18 位，实际 3 位",
        (2, "联系电话"): "不是有效的手机号码或固定电话",
        (2, "地址"): "必填，不能为空",
        (2, "人口数"): "应为 1–99 之间的整数，而不是 0",
    }
    # In the order of the columns.
    assert [p.column for p in preview.rejected] == [
        "户号",
        "身份证号",
        "联系电话",
        "地址",
        "人口数",
    ]
    assert preview.rejected_rows == [2]
    assert "拒绝 1 行" in preview.summary() and "等共 5 处问题" not in preview.summary()


@pytest.mark.parametrize(
    ("people", "ok"),
    [
        ("3", True),
        ("３", True),
        ("5人", True),
        ("99", True),
        ("2.0", True),
        ("0", False),
        ("100", False),
        ("2.5", False),
        ("三", False),
        ("-1", False),
    ],
)
def test_people_must_be_a_whole_number_1_to_99(tmp_path: Path, people: str, ok: bool) -> None:
    preview = preview_import(
        [], STATION_ID, ledger_rows(tmp_path, [_with(GOOD_ROWS[0], 人口数=people)]), TODAY
    )
    if ok:
        assert preview.rejected == [] and 1 <= preview.adds[0].people <= 99
    else:
        assert [(p.column, p.reason[:13]) for p in preview.rejected] == [
            ("人口数", "应为 1–99 之间的整数")
        ]


def test_model_problems_use_the_models_chinese_messages(tmp_path: Path) -> None:
    rows = [
        _with(GOOD_ROWS[0], 户主姓名="张" * 51),
        _with(GOOD_ROWS[1], 标签="低保、" + "很长的标签" * 5),
    ]
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    found = {(p.row, p.column): p.reason for p in preview.rejected}
    assert found == {
        (2, "户主姓名"): "太长了，不能超过 50 个字",
        (3, "标签"): "太长了，不能超过 20 个字",
    }


def test_duplicate_household_numbers_first_kept_later_rejected(tmp_path: Path) -> None:
    rows = [
        GOOD_ROWS[0],
        GOOD_ROWS[1],
        _with(GOOD_ROWS[2], 户号="HL01-0001"),
        _with(GOOD_ROWS[2], 户号=" HL01-0001 "),
    ]
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    assert [h.household_no for h in preview.adds] == ["HL01-0001", "HL01-0002"]
    assert [(p.row, p.column, p.reason) for p in preview.rejected] == [
        (4, "户号", "与第 2 行户号重复"),
        (5, "户号", "与第 2 行户号重复"),
    ]


def test_unknown_region_code_is_a_warning_not_a_rejection(tmp_path: Path) -> None:
    odd = id_number(region="990101")
    preview = preview_import(
        [], STATION_ID, ledger_rows(tmp_path, [_with(GOOD_ROWS[0], 身份证号=odd)]), TODAY
    )
    assert preview.rejected == [] and len(preview.adds) == 1
    assert any(w.startswith("第 2 行「身份证号」") and "99" in w for w in preview.warnings)


def test_id_number_stored_as_a_number_in_xlsx_is_refused(tmp_path: Path) -> None:
    rows = [HEADER, ["HL01-0001", "张桂兰", int(ID_1), 13874561234, "湘龙小区", None, 3, None]]
    path = write_xlsx(tmp_path / "数字.xlsx", rows)
    preview = preview_of(path)
    assert preview.adds == []
    [problem] = preview.rejected
    assert (problem.row, problem.column) == (2, "身份证号")
    assert "数字" in problem.reason and "丢失" in problem.reason and "文本" in problem.reason


def test_phone_stored_as_a_number_in_xlsx_is_fine(tmp_path: Path) -> None:
    rows = [HEADER, ["HL01-0001", "张桂兰", ID_1, 13874561234, "湘龙小区", None, 3, None]]
    preview = preview_of(write_xlsx(tmp_path / "电话.xlsx", rows))
    assert preview.rejected == [] and preview.adds[0].phone == "13874561234"


# -- updates --------------------------------------------------------------------------


def test_updates_show_only_the_fields_that_changed(tmp_path: Path, store: Store) -> None:
    one = store.save(household("HL01-0001", phone="13874561234", people=3), actor="a")
    two = store.save(
        household(
            "HL01-0002",
            id_number=ID_2,
            address="湘龙小区1栋102",
            grid="二网格",
            people=4,
            head_of_household="李建国",
            phone="0731-84012345",
            tags=["低保", "残疾"],
        ),
        actor="a",
    )
    rows = [
        # one: new phone and more people, the rest as stored
        [
            "HL01-0001",
            "张桂兰",
            one.id_number,
            "139 0000 1111",
            one.address,
            "一网格",
            "5",
            "独居老人",
        ],
        # two: the same as stored (the phone written another way)
        [
            "HL01-0002",
            "李建国",
            ID_2,
            "0731 8401 2345",
            "湘龙小区1栋102",
            "二网格",
            "4",
            "低保，残疾",
        ],
        GOOD_ROWS[2],
    ]
    preview = preview_import(store.raw("household"), STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    assert preview.rejected == []
    assert [h.household_no for h in preview.adds] == ["HL01-0003"]
    assert preview.unchanged == 1
    [(updated, changes)] = preview.updates
    assert updated.id == one.id and updated.rev == one.rev
    assert changes == {"phone": ("13874561234", "13900001111"), "people": (3, 5)}
    assert preview.summary() == "将新增 1 户，更新 1 户，拒绝 0 行；1 户与现有数据相同，无需修改。"

    apply_import(store, preview, actor="李敏")
    after = store.get(Household, one.id)
    assert after.phone == "13900001111" and after.people == 5 and after.rev == 2
    assert store.get(Household, two.id).rev == 1
    entry = store.history("household", one.id)[-1]
    assert set(entry["changes"]) == {"phone", "people"}


def test_a_blank_cell_does_not_erase_what_is_stored(tmp_path: Path, store: Store) -> None:
    stored = store.save(household("HL01-0001"), actor="a")
    row = ["HL01-0001", "张桂兰", "", "", stored.address, "", "", ""]
    preview = preview_import(
        store.raw("household"), STATION_ID, ledger_rows(tmp_path, [row]), TODAY
    )
    assert preview.updates == [] and preview.unchanged == 1


def test_households_are_matched_within_the_station_only(tmp_path: Path, store: Store) -> None:
    store.save(household("HL01-0001", station_id="station-other"), actor="a")
    preview = preview_import(
        store.raw("household"), STATION_ID, ledger_rows(tmp_path, [GOOD_ROWS[0]]), TODAY
    )
    assert len(preview.adds) == 1 and preview.adds[0].station_id == STATION_ID


# -- applying -------------------------------------------------------------------------


def test_apply_refuses_rejected_rows_unless_asked(tmp_path: Path, store: Store) -> None:
    rows = [GOOD_ROWS[0], _with(GOOD_ROWS[1], 身份证号="123")]
    preview = preview_import(store.raw("household"), STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    before = store_bytes(store.paths.folder)
    with pytest.raises(ImportRefused, match="有 1 行被拒绝") as caught:
        apply_import(store, preview, actor="李敏")
    assert cjk(str(caught.value))
    assert store.count(Household) == 0
    assert store_bytes(store.paths.folder) == before

    result = apply_import(store, preview, actor="李敏", allow_rejected=True)
    assert (result.added, result.rejected_rows) == (1, 1)
    assert [h.household_no for h in store.iter(Household)] == ["HL01-0001"]


def test_a_failure_while_applying_changes_nothing(tmp_path: Path, store: Store) -> None:
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, GOOD_ROWS), TODAY)
    preview.adds[2].people = 500  # pydantic models can be mutated after validation
    before = store_bytes(store.paths.folder)
    with pytest.raises(DocumentInvalid):
        apply_import(store, preview, actor="李敏")
    assert store.count(Household) == 0
    assert store_bytes(store.paths.folder) == before


def test_a_disk_failure_while_applying_changes_nothing(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots_tui.store import StoreWriteFailed

    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, GOOD_ROWS), TODAY)
    before = store_bytes(store.paths.folder)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store._journal, "append", full)
    with pytest.raises(StoreWriteFailed):
        apply_import(store, preview, actor="李敏")
    assert store.count(Household) == 0
    assert store_bytes(store.paths.folder) == before


def test_apply_refuses_a_stale_preview(tmp_path: Path, store: Store) -> None:
    stored = store.save(household("HL01-0001"), actor="a")
    rows = [_with(GOOD_ROWS[0], 人口数="7"), GOOD_ROWS[1]]
    preview = preview_import(store.raw("household"), STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    assert len(preview.updates) == 1 and len(preview.adds) == 1
    store.save(store.get(Household, stored.id).model_copy(update={"grid": "三网格"}), actor="b")
    with pytest.raises(ImportRefused, match="已被修改"):
        apply_import(store, preview, actor="李敏")
    assert store.count(Household) == 1

    fresh = preview_import(store.raw("household"), STATION_ID, ledger_rows(tmp_path, rows), TODAY)
    store.save(household("HL01-0002"), actor="b")
    with pytest.raises(ImportRefused, match="HL01-0002"):
        apply_import(store, fresh, actor="李敏")
    assert store.count(Household) == 2


def test_apply_with_nothing_to_do_writes_nothing(tmp_path: Path, store: Store) -> None:
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, []), TODAY)
    before = store_bytes(store.paths.folder)
    result = apply_import(store, preview, actor="李敏")
    assert (result.added, result.updated) == (0, 0)
    assert store_bytes(store.paths.folder) == before


# -- progress -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_progress_is_reported_for_large_files(tmp_path: Path, kind: str) -> None:
    rows = [HEADER] + [
        [f"HL01-{n:04d}", "张三", "", "", f"湘龙小区{n}号", "", "2", ""] for n in range(1, 251)
    ]
    path = (write_csv if kind == "csv" else write_xlsx)(tmp_path / f"大.{kind}", rows)
    reading: list[tuple[int, int]] = []
    ledger = read_ledger(path, progress=lambda done, total: reading.append((done, total)))
    assert reading[-1] == (251, 251)
    assert [d for d, _ in reading] == sorted(d for d, _ in reading)
    assert all(done <= total for done, total in reading)

    previewing: list[tuple[int, int]] = []
    preview = preview_import(
        [], STATION_ID, ledger, TODAY, progress=lambda done, total: previewing.append((done, total))
    )
    assert len(preview.adds) == 250
    assert previewing == [(100, 250), (200, 250), (250, 250)]


# -- properties -----------------------------------------------------------------------

_KNOWN = [
    "户号",
    "户主姓名",
    "户主",
    "姓名",
    "身份证号",
    "身份证号码",
    "联系电话",
    "手机",
    "地址",
    "住址",
    "网格",
    "人口数",
    "家庭人口",
    "标签",
    "登记日期",
    "备注",
    "楼栋",
]
_cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "1",
            "99",
            "100",
            "3.5",
            "-1",
            "1e5",
            "4.30121E+17",
            "13874561234",
            "0731-84012345",
            "2024-02-30",
            "2024/3/5",
            "低保、残疾",
            "=1+1",
            '"',
            "\u3000",
            "NaN",
            "HL01-0001",
            ID_1,
            ID_2,
            ID_1.lower(),
            ID_1[:-1] + "X",
        ]
    ),
    st.builds(lambda s: id_number(seq=f"{s:03d}"), st.integers(0, 999)),
)
_headers = st.lists(
    st.one_of(st.sampled_from(_KNOWN), st.text(max_size=8)), min_size=0, max_size=10
)
_OPTIONAL = {
    "id_number": ["身份证号", "身份证号码"],
    "phone": ["联系电话", "手机"],
    "grid": ["网格"],
    "people": ["人口数", "家庭人口"],
    "tags": ["标签"],
    "registered_on": ["登记日期"],
    "note": ["备注"],
    "building": ["楼栋"],
}
_printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
_REQUIRED_CELLS = {
    "户号": st.one_of(st.sampled_from(["HL01-0001", "HL01-0002", "1", "2", "", " "]), _printable),
    "户主姓名": st.one_of(st.sampled_from(["张桂兰", "李四", "", "张" * 60]), _printable),
    "地址": st.one_of(st.sampled_from(["湘龙小区3栋2单元301", "湘龙村", ""]), _printable),
}


@st.composite
def _tables(draw) -> tuple[list[str], list[list[str]]]:
    """A CSV table: mostly a plausible ledger, sometimes any header and any cells."""
    if draw(st.integers(0, 3)) == 0:
        return draw(_headers), draw(st.lists(st.lists(_cells, max_size=12), max_size=12))
    fields = draw(st.lists(st.sampled_from(sorted(_OPTIONAL)), unique=True, max_size=8))
    header = ["户号", "户主姓名", "地址"] + [draw(st.sampled_from(_OPTIONAL[f])) for f in fields]
    header += draw(st.lists(_printable, max_size=2))
    header = list(draw(st.permutations(header)))
    rows = []
    for _ in range(draw(st.integers(0, 10))):
        row = [draw(_REQUIRED_CELLS.get(h, _cells)) for h in header]
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row)
    return header, rows


def _check_preview_or_ledger_error(path: Path, store: Store) -> None:
    try:
        ledger = read_ledger(path)
    except LedgerError as error:
        assert cjk(str(error))
        event("LedgerError")
        return
    existing = store.raw("household")
    preview = preview_import(existing, STATION_ID, ledger, TODAY)
    event(
        f"adds={bool(preview.adds)} updates={bool(preview.updates)} rejected={bool(preview.rejected)}"
    )
    for problem in preview.rejected:
        assert isinstance(problem.row, int) and problem.row >= 2
        assert problem.row > ledger.header_row
        assert isinstance(problem.column, str) and problem.column.strip()
        assert isinstance(problem.reason, str) and cjk(problem.reason)
    assert isinstance(preview.summary(), str)
    for added in preview.adds:
        assert added.station_id == STATION_ID
    if preview.rejected or not preview.has_changes:
        before = store_bytes(store.paths.folder)
        try:
            apply_import(store, preview, actor="测试")
        except ImportRefused as refused:
            assert preview.rejected and cjk(str(refused))
        else:
            assert not preview.has_changes
        assert store_bytes(store.paths.folder) == before


@pytest.fixture
def fuzz_store(tmp_path: Path):
    s = Store.open(tmp_path / "fuzz" / "station.json")
    s.save(station(), actor="测试")
    s.save(household("HL01-0001"), actor="测试")
    s.save(household("1"), actor="测试")
    yield s
    s.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=_tables(), encoding=st.sampled_from(["utf-8-sig", "utf-8", "gb18030"]))
def test_property_any_csv_text_gives_a_preview_or_a_ledger_error(
    table: tuple[list[str], list[list[str]]], encoding: str, fuzz_store: Store
) -> None:
    header, rows = table
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        _check_preview_or_ledger_error(path, fuzz_store)


_prefixes = st.sampled_from(
    [
        b"",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "户号,户主姓名,地址\n".encode(),
        "户号,户主姓名,地址\n".encode("gbk"),
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=_prefixes, body=st.binary(max_size=300))
def test_property_any_bytes_give_a_preview_or_a_ledger_error(
    prefix: bytes, body: bytes, fuzz_store: Store
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        path.write_bytes(prefix + body)
        _check_preview_or_ledger_error(path, fuzz_store)


_xlsx_cells = st.one_of(
    st.none(),
    _cells.filter(lambda s: not any(ord(c) < 32 and c not in "\t\n\r" for c in s)),
    st.integers(-(10**18), 10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 1, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_xlsx_cells, max_size=10), max_size=8))
def test_property_any_xlsx_cells_give_a_preview_or_a_ledger_error(rows, fuzz_store: Store) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        write_xlsx(
            path,
            [
                ["户号", "户主姓名", "身份证号", "联系电话", "地址", "人口数", "标签", "登记日期"],
                *rows,
            ],
        )
        _check_preview_or_ledger_error(path, fuzz_store)


# -- the committed sample ledger ------------------------------------------------------

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.mark.parametrize("name", ["households_ledger.xlsx", "households_ledger.csv"])
def test_the_sample_ledger_imports_without_rejections(tmp_path: Path, name: str) -> None:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not there yet")
    hl03 = station("HL03")
    with Store.open(tmp_path / "data" / "station.json") as store:
        store.save(hl03, actor="测试")
        ledger = read_ledger(path)
        preview = preview_import(store.raw("household"), hl03.id, ledger, date.today())
        assert preview.rejected == [], preview.summary()
        assert preview.adds and preview.updates == []
        assert all(h.station_id == hl03.id for h in preview.adds)
        result = apply_import(store, preview, actor="测试")
        assert store.count(Household) == result.added == len(ledger.rows)


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = write_csv(tmp_path / "锁.csv", [HEADER])
    path.chmod(0)
    with pytest.raises(LedgerError, match="没有读取"):
        read_ledger(path)


@pytest.mark.parametrize("phone", ["0", "00", "+86", "0086"])
def test_odd_phone_values_are_rejected_not_crashing(tmp_path: Path, phone: str) -> None:
    # normalise_phone("0") trips over itself (IndexError); the import still refuses the row.
    row = _with(GOOD_ROWS[0], 联系电话=phone)
    preview = preview_import([], STATION_ID, ledger_rows(tmp_path, [row]), TODAY)
    assert [(p.row, p.column, p.reason) for p in preview.rejected] == [
        (2, "联系电话", "不是有效的手机号码或固定电话")
    ]
