"""Documents as .docx (issue #20), read back with python-docx: the red issuing office
over a red rule, fonts, sizes, margins and line spacing of GB/T 9704-2012, document
numbers, the date in Chinese, masked personal data, the templates an office replaces,
and a broken template named with the field it lacks."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from grassroots_tui.cli import main
from grassroots_tui.demo import write_demo_store
from grassroots_tui.i18n import CATALOGS
from grassroots_tui.models import SlipReminder
from grassroots_tui.services import documents
from grassroots_tui.services.documents import build_templates, engine, official
from grassroots_tui.services.documents.engine import Template, TemplateError, document_text
from grassroots_tui.services.rosters import notice_content
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

TODAY = dt.date(2026, 12, 7)
CAL = OfficialCalendar()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("documents") / "data" / "grassroots.json"
    write_demo_store(db, today=TODAY)
    return db


@pytest.fixture
def store(demo_db: Path):
    opened = Store.open(demo_db, readonly=True, daily_backup=False)
    yield opened
    opened.close()


def mm(length) -> float:
    """A length in millimetres, as Word stores it (in twips)."""
    return round(length.mm, 1)


def read(data: bytes):
    return Document(io.BytesIO(data))


def replied_slip(store):
    replied = {r["slip_id"] for r in store.raw("reply")}
    slips = sorted(
        (v for v in views(store, CAL).values() if v.number and v.id in replied),
        key=lambda v: v.number or "",
    )
    return next(v for v in slips if v.household_id)


def open_slip(store):
    for view in sorted(views(store, CAL).values(), key=lambda v: v.number or ""):
        if view.number and view.state.value == "issued":
            return view
    raise AssertionError("the demo has no open slip")


def runs(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


# -- the date and the layout -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 12, 7), "二〇二六年十二月七日"),
        (dt.date(2026, 1, 10), "二〇二六年一月十日"),
        (dt.date(2030, 10, 21), "二〇三〇年十月二十一日"),
        (dt.date(2000, 2, 30 - 1), "二〇〇〇年二月二十九日"),
        (dt.date(2019, 11, 30), "二〇一九年十一月三十日"),
    ],
)
def test_the_date_in_chinese(day: dt.date, text: str) -> None:
    assert official.cn_date(day) == text


def test_a_slip_is_an_official_document(store) -> None:
    slip = replied_slip(store)
    document = read(documents.slip_document(store, slip.id, calendar=CAL))
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [mm(m) for m in margins] == [37, 35, 28, 26]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(28.9)
    paragraphs = document.paragraphs
    office = paragraphs[0]
    station = store.get_raw("station", slip.station_id)["name"]
    assert office.text == station
    for run in office.runs:
        assert run.font.color.rgb == official.RED
        assert official.east_asia_font(run) == "方正小标宋简体"
        assert run.font.size == Pt(26)
    number = next(p for p in paragraphs if p.text == slip.number)
    assert official.rule_colour(number) == "FF0000"  # the red rule under the number
    title = next(p for p in paragraphs if p.text == "交办单")
    assert official.east_asia_font(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)  # 二号
    assert title.runs[0].font.color.rgb is None  # the title is black
    assert official.cn_date(slip.issue_date) in [p.text for p in paragraphs]
    # The reply slip starts a page of its own, with the same header.
    text = document_text(documents.slip_document(store, slip.id, calendar=CAL))
    assert "回复单" in text and text.count(station) >= 2
    assert any(p.paragraph_format.page_break_before for p in paragraphs)
    # The font table names each face's fallback, with the GB2312 character set.
    table = next(
        r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable")
    )
    blob = table.blob.decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in blob and 'w:altName w:val="仿宋"' in blob
    assert 'w:name="方正小标宋简体"' in blob and 'w:altName w:val="宋体"' in blob
    assert 'w:charset w:val="86"' in blob


def test_a_slip_masks_residents_and_names_its_officials(store) -> None:
    slip = replied_slip(store)
    home = store.get_raw("household", slip.household_id)
    text = document_text(documents.slip_document(store, slip.id, calendar=CAL))
    assert home["head_of_household"] not in text
    assert home["head_of_household"][0] + "*" in text
    if home.get("id_number"):
        assert home["id_number"] not in text and home["id_number"][-4:] in text
    if home.get("phone"):
        assert home["phone"] not in text
    assert "个人信息已按规定遮蔽" in text
    assert slip.handling_unit in text
    whole = document_text(
        documents._slip_document(store, slip.id, unmasked=True, calendar=CAL, folder=None)
    )
    assert home["head_of_household"] in whole and "未遮蔽" in whole


def test_unmasked_documents_are_authorised_before_anything_is_made(store, monkeypatch) -> None:
    asked: list[str] = []

    def refuse(*args, **kwargs):
        asked.append(args[2])
        raise ValueError("不予输出")

    monkeypatch.setattr(documents, "authorize_unmasked", refuse)
    made: list[str] = []
    monkeypatch.setattr(documents, "_slip_document", lambda *a, **k: made.append("slip"))
    monkeypatch.setattr(documents, "_round_document", lambda *a, **k: made.append("round"))
    slip = replied_slip(store)
    with pytest.raises(ValueError, match="不予输出"):
        documents.export_slip_document(store, slip.id, actor="x", unmasked=True, fmt="docx")
    found = next(iter(store.raw("condolence_round")))["id"]
    with pytest.raises(ValueError, match="不予输出"):
        documents.export_round_document(store, found, on=TODAY, actor="x", unmasked=True)
    assert made == [] and len(asked) == 2 and "未遮蔽" in asked[0]
    # Masked output asks nobody.
    documents.export_slip_document(store, slip.id, actor="", unmasked=False)
    assert made == ["slip"] and len(asked) == 2


def test_a_reminder_notice_has_its_own_document_number(demo_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(demo_db.parent, folder)
    store = Store.open(folder / demo_db.name, daily_backup=False)
    try:
        slip = open_slip(store)
        recorded = [
            r
            for r in store.raw("slip_reminder")
            if r.get("station_id") == slip.station_id and str(r["sent_on"]).startswith("2026")
        ]
        number = documents.reminder_number(store, slip, TODAY)
        prefix = store.get_raw("station", slip.station_id)["slip_number_format"].split("交〔")[0]
        assert number == f"{prefix}催〔2026〕第{len(recorded) + 1:03d}号"
        document = read(documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL))
        texts = [p.text for p in document.paragraphs]
        assert number in texts and "催办通知书" in texts
        assert f"{slip.handling_unit}：" in texts
        assert "二〇二六年十二月七日" in texts
        assert any(slip.number in t and "应于" in t for t in texts)
        numbered = next(p for p in document.paragraphs if p.text == number)
        assert official.rule_colour(numbered) == "FF0000"
        body = next(p for p in document.paragraphs if "应于" in p.text)
        assert official.east_asia_font(body.runs[0]) == "仿宋_GB2312"
        assert body.runs[0].font.size == Pt(16)
        # Recorded today: the same number; the next reminder of the year gets the next one.
        store.save(
            SlipReminder(
                writer=slip.station_id,
                station_id=slip.station_id,
                slip_id=slip.id,
                sent_on=TODAY,
                by="督导",
            ),
            "test",
        )
        assert documents.reminder_number(store, slip, TODAY) == number
        other = next(
            v
            for v in views(store, CAL).values()
            if v.station_id == slip.station_id and v.id != slip.id and v.number
        )
        assert documents.reminder_number(store, other, TODAY) == (
            f"{prefix}催〔2026〕第{len(recorded) + 2:03d}号"
        )
    finally:
        store.close()


def test_a_leave_notice_says_what_the_printed_one_says(store) -> None:
    leave = next(
        r["id"]
        for r in store.raw("leave_request")
        if r.get("decision") == "approved" and r.get("substitute_id")
    )
    content = notice_content(store, leave, on=TODAY)
    document = read(documents.leave_document(store, leave, on=TODAY))
    texts = [p.text for p in document.paragraphs]
    for paragraph in content.paragraphs:
        assert paragraph in texts
    assert texts[0] == content.station
    assert official.rule_colour(document.paragraphs[0]) == "FF0000"  # no number: rule under it
    assert "请假代班公示" in texts and "二〇二六年十二月七日" in texts
    people = [s.get("phone") for s in store.raw("staff") if s.get("phone")]
    assert not any(phone in "\n".join(texts) for phone in people)


def test_a_round_list_masks_names_phones_and_the_hardship_tier(store) -> None:
    found = next(iter(store.raw("condolence_round")))
    document = read(documents.round_document(store, found["id"], on=TODAY))
    (table,) = document.tables
    header = [c.text for c in table.rows[0].cells]
    assert header[:4] == ["序号", "户号", "户主", "联系电话"]
    assert len(table.rows) == 1 + len(found["items"])
    tier = header.index("困难等级")
    assert {row.cells[tier].text for row in table.rows[1:]} == {"**"}
    text = document_text(documents.round_document(store, found["id"], on=TODAY))
    for item in found["items"]:
        home = store.get_raw("household", item["household_id"])
        assert home["head_of_household"] not in text
        assert not home.get("phone") or home["phone"] not in text
    assert mm(document.sections[0].page_width) == 297  # a wide list: landscape
    whole = read(
        documents._round_document(store, found["id"], unmasked=True, folder=None, on=TODAY)
    )
    assert {row.cells[tier].text for row in whole.tables[0].rows[1:]} != {"**"}


def test_the_statistics_report_has_the_summary_sentence_and_a_row_per_station(store) -> None:
    stats = month_stats(store, year=2026, month=12, today=TODAY)
    document = read(documents.stats_document(store, stats, on=TODAY))
    texts = [p.text for p in document.paragraphs]
    assert stats.summary in texts
    assert "2026年12月群众工作统计（截至7日）" in texts
    assert texts[0] == "湘龙街道群众工作办公室"
    assert "统计期间：2026-01-01至2026-12-07；比率保留两位小数，四舍五入。" in texts
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert [r[0] for r in rows[1:]] == [*(s.name for s in stats.rows), "合计"]
    rate = rows[0].index("累计走访率(%)")
    total = stats.total.visit_rate_cumulative
    assert rows[-1][rate] == f"{total:.2f}"  # two decimals, as in the workbook


# -- templates -------------------------------------------------------------------------------


def test_the_shipped_templates_are_what_the_builder_makes(tmp_path: Path) -> None:
    build_templates.build_all(tmp_path)
    for kind, name in documents.TEMPLATE_NAMES.items():
        shipped = documents.template(kind).data
        built = (tmp_path / name).read_bytes()
        assert document_text(shipped) == document_text(built), name
        assert engine.placeholders(read(shipped)) == engine.placeholders(read(built)), name


def test_every_template_holds_the_fields_its_document_needs() -> None:
    for kind in documents.TEMPLATE_NAMES:
        held = engine.placeholders(read(documents.template(kind).data))
        for field in documents._REQUIRED[kind]:
            assert field in held, (kind, field)


def _copy_template(folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / documents.TEMPLATE_NAMES[kind]
    path.write_bytes(documents.template(kind).data)
    return path


def _edit(path: Path, old: str, new: str) -> None:
    document = Document(str(path))
    done = False
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
                done = True
    assert done, old
    document.save(str(path))


def test_a_template_beside_the_store_replaces_the_built_in_one(store, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    path = _copy_template(folder, "reminder")
    _edit(path, "{{主送}}：", "致{{主送}}：")
    slip = open_slip(store)
    data = documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL, folder=folder)
    assert f"致{slip.handling_unit}：" in document_text(data)
    default = documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL)
    assert f"致{slip.handling_unit}" not in document_text(default)


def test_a_template_lacking_a_field_is_refused_naming_the_field(store, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    path = _copy_template(folder, "reminder")
    _edit(path, "{{文号}}", "")
    slip = open_slip(store)
    with pytest.raises(TemplateError) as refused:
        documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL, folder=folder)
    message = str(refused.value)
    assert "缺少字段“文号”" in message and str(path) in message
    _edit(path, "{{标题}}", "{{文号}}{{签发日期}}")
    with pytest.raises(TemplateError, match="字段“签发日期”无法填写"):
        documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL, folder=folder)
    path.write_bytes(b"not a word file")
    with pytest.raises(TemplateError, match="不是有效的 Word"):
        documents.reminder_document(store, slip.id, today=TODAY, calendar=CAL, folder=folder)


def test_the_template_messages_are_in_both_catalogs() -> None:
    from grassroots_tui.services.documents.pdf import MESSAGES as PDF_MESSAGES

    for key, chinese in {**engine.MESSAGES, **PDF_MESSAGES}.items():
        assert CATALOGS["zh"][key] == chinese, key
        assert CATALOGS["en"][key] and CATALOGS["en"][key] != chinese, key
    error = TemplateError("documents.template_missing_field", name="a.docx", field="文号")
    assert CATALOGS["en"][error.key].format(**error.values).startswith("The template")


def test_a_field_split_over_runs_is_filled_and_a_list_repeats_its_paragraph() -> None:
    document = Document()
    paragraph = document.add_paragraph()
    for part in ("前{{发", "文", "机关}}后", " {{文号}}"):
        paragraph.add_run(part).bold = part == "文"
    document.add_paragraph("{{正文}}")
    document.add_paragraph("{{署名}}\n")
    out = io.BytesIO()
    document.save(out)
    data = engine.fill(
        Template("t.docx", out.getvalue()),
        {"发文机关": "湘景站", "文号": "A\nB", "正文": ["一", "二", "三"], "署名": "站"},
    )
    filled = read(data)
    assert filled.paragraphs[0].text == "前湘景站后 A\nB"
    assert [p.text for p in filled.paragraphs[1:4]] == ["一", "二", "三"]
    assert filled.paragraphs[0].runs[0].text == "前湘景站"  # in the first run's format


def test_the_cli_writes_documents_and_names_a_broken_template(
    demo_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(demo_db.parent, folder)
    db = folder / demo_db.name
    store = Store.open(db, readonly=True, daily_backup=False)
    try:
        slip = open_slip(store)
        leave = next(
            r["id"]
            for r in store.raw("leave_request")
            if r.get("decision") == "approved" and r.get("substitute_id")
        )
    finally:
        store.close()

    def run(*argv: str) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main([*argv, "--db", str(db)])
        return code, err.getvalue()

    out = tmp_path / "out"
    day = TODAY.isoformat()
    for argv, name in (
        (("document", "slip", slip.number), "slip.docx"),
        (("document", "remind", slip.number, "--on", day), "remind.docx"),
        (("document", "leave", leave, "--on", day), "leave.docx"),
        (("document", "stats", "--month", "2026-12", "--on", day), "stats.docx"),
    ):
        code, err = run(*argv, "--out", str(out / name))
        assert code == 0, err
        assert read((out / name).read_bytes()).paragraphs[0].text
    code, err = run("document", "slip", slip.number)  # into exports/ beside the store
    assert code == 0 and "exports" in err
    assert list((folder / "exports").glob("交办单-*.docx"))
    code, err = run("document", "templates")
    assert code == 0 and (folder / "templates" / "催办通知书.docx").exists()
    _edit(folder / "templates" / "催办通知书.docx", "{{文号}}", "")
    code, err = run("document", "remind", slip.number, "--on", day)
    assert code == 2 and "缺少字段“文号”" in err and "催办通知书.docx" in err


def test_an_unmasked_document_needs_a_signed_in_head_and_is_recorded(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots_tui.models import StaffRole
    from tests.sign_in_helpers import actor_of, add_member, sign_in_env

    folder = tmp_path / "data"
    shutil.copytree(demo_db.parent, folder)
    db = folder / demo_db.name
    with Store.open(db, daily_backup=False) as store:
        slip = replied_slip(store)
        name = store.get_raw("household", slip.household_id)["head_of_household"]
        head = add_member(store, "文档站长", station_id=slip.station_id)
        add_member(store, "文档队员", StaffRole.WORKER, station_id=slip.station_id)
    out = tmp_path / "slip.docx"
    argv = ["document", "slip", slip.number, "--unmasked", "--out", str(out), "--db", str(db)]
    err = io.StringIO()
    sign_in_env(monkeypatch, "文档队员")
    with contextlib.redirect_stderr(err):
        assert main(argv) == 2
    assert "无权" in err.getvalue() and not out.exists()
    sign_in_env(monkeypatch, "文档站长")
    with contextlib.redirect_stderr(err):
        assert main(argv) == 0, err.getvalue()
    assert name in document_text(out.read_bytes())
    with Store.open(db, readonly=True, daily_backup=False) as store:
        (entry,) = [e for e in store.history("handoff_slip", slip.id) if e["action"] == "export"]
    assert entry["actor"] == actor_of(head) and "docx" in entry["note"]
    assert str(out.resolve()) in entry["note"]
