"""Printing a slip with its reply slips, masking, the export record, and the reminder
notice (services/slip_print.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import Satisfaction, SlipReminder, SlipSource
from grassroots_tui.services import slips as S
from grassroots_tui.services.disclosure import UnmaskedRefused
from grassroots_tui.services.masking import Masker
from grassroots_tui.services.slip_print import (
    export_slip,
    mask_text,
    record_reminder,
    render_reminder,
    render_slip,
)
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import household, id_number, station
from tests.sign_in_helpers import actor_of, add_member

CAL = OfficialCalendar()
ISSUED_ON = dt.date(2026, 11, 2)  # due 2026-11-17
ID = id_number()  # 430121195803121233-like, valid check digit
PHONE = "13874561234"


def _make(store: Store):
    home = household()
    store.save_many([station(), home], actor="setup")
    draft = S.draft_slip(
        store.get("station", "station-hl01"),
        source=SlipSource.VISIT,
        category="物业纠纷",
        title="张桂兰家楼道灯坏了",
        description=f"张桂兰反映楼道灯坏了一个月，联系电话 {PHONE}，身份证 {ID}。",
        household_id=home.id,
        person_name="张桂兰",
        handling_unit="湘龙物业公司",
        assignee="王经理",
    )
    slip = S.save_draft(store, draft, "队员甲")
    return S.issue(store, slip.id, on=ISSUED_ON, actor="站长", calendar=CAL)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "g.json", daily_backup=False)
    yield s
    s.close()


def _reply(store: Store, slip_id: str) -> None:
    S.reply(
        store,
        slip_id,
        reply_date=dt.date(2026, 11, 10),
        result=f"已更换灯泡，已电话告知张桂兰（{PHONE}）",
        policy_basis="物业服务合同第七条",
        handler="王经理",
        signer="李主任",
        actor="物业",
    )


def flat(text: str) -> str:
    """Text without its line breaks and indentation (a notice wraps its paragraphs)."""
    return "".join(line.strip() for line in text.splitlines())


def _secrets_absent(text: str) -> None:
    assert "张桂兰" not in text
    assert PHONE not in text
    assert ID not in text and ID[:12] not in text


def test_text_layout_of_slip_and_reply(store: Store) -> None:
    slip = _make(store)
    _reply(store, slip.id)
    S.callback(
        store,
        slip.id,
        on=dt.date(2026, 11, 12),
        satisfaction=Satisfaction.SATISFIED,
        by="队员甲",
        note="张桂兰表示满意",
        actor="队员甲",
        calendar=CAL,
    )
    text = render_slip(store, slip.id)
    slip_page, reply_page = text.split("\f\n")
    assert "交 办 单" in slip_page and "回 复 单" in reply_page
    for page in (slip_page, reply_page):
        assert "编号：湘龙群交〔2026〕第0001号" in page
        assert "湘龙街道HL01群众工作站" in page
        assert "签发人：" in page and "经办人：" in page and "签收：" in page
        assert "个人信息已按规定遮蔽" in page
    assert "| 承办单位" in slip_page and "湘龙物业公司" in slip_page
    assert "应办结日期" in slip_page and "2026-11-17" in slip_page
    assert "日期：2026年11月2日" in slip_page
    assert "物业服务合同第七条" in reply_page and "签发人：李主任" in reply_page
    assert "2026-11-12 满意" in reply_page
    assert "张**" in text and "138****1234" in text and "4301**********" in text
    _secrets_absent(text)


def test_unmasked_shows_everything(store: Store) -> None:
    slip = _make(store)
    head = actor_of(add_member(store, "王站长"))
    text = export_slip(store, slip.id, actor=head, unmasked=True)
    assert "张桂兰" in text and PHONE in text and ID in text
    assert "未遮蔽" in text


def test_html_is_a_self_contained_printable_page(store: Store) -> None:
    slip = _make(store)
    _reply(store, slip.id)
    page = render_slip(store, slip.id, fmt="html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page and "@page" in page and "@media print" in page
    assert "<h1>交办单</h1>" in page and "<h1>回复单</h1>" in page
    assert page.count('<section class="sheet">') == 2
    assert "<link" not in page and "src=" not in page and "@import" not in page
    assert "签收" in page and "签发人" in page
    _secrets_absent(page)
    head = actor_of(add_member(store, "王站长"))
    assert "张桂兰" in export_slip(store, slip.id, actor=head, fmt="html", unmasked=True)
    with pytest.raises(ValueError, match="不支持"):
        render_slip(store, slip.id, fmt="pdf")  # type: ignore[arg-type]


def test_html_escapes_what_people_typed(store: Store) -> None:
    store.save(station(), actor="setup")
    draft = S.draft_slip(
        store.get("station", "station-hl01"),
        source=SlipSource.HOTLINE,
        category="其他",
        title="<script>alert(1)</script>",
        description="a & b",
    )
    slip = S.save_draft(store, draft, "x")
    page = render_slip(store, slip.id, fmt="html")
    assert "<script>" not in page and "&lt;script&gt;" in page and "a &amp; b" in page
    assert "草稿，尚未编号" in page


def test_unmasked_export_is_recorded_and_refused_when_read_only(
    store: Store, tmp_path: Path
) -> None:
    slip = _make(store)
    head = actor_of(add_member(store, "王站长"))
    masked = export_slip(store, slip.id, actor="站长")
    assert "张**" in masked
    assert not [e for e in store.history("handoff_slip", slip.id) if e["action"] == "export"]
    with pytest.raises(UnmaskedRefused, match="登录"):  # a typed name is nobody signed in
        export_slip(store, slip.id, actor="站长", unmasked=True)
    full = export_slip(store, slip.id, actor=head, unmasked=True, fmt="html", where="a.html")
    assert "张桂兰" in full
    (entry,) = [e for e in store.history("handoff_slip", slip.id) if e["action"] == "export"]
    assert entry["actor"] == head and "未遮蔽" in entry["note"] and "a.html" in entry["note"]
    assert any(h.what.startswith("导出交办单") for h in S.slip_history(store, slip.id))

    reader = Store.open(tmp_path / "g.json", readonly=True)
    try:
        with pytest.raises(UnmaskedRefused, match="只读"):
            export_slip(reader, slip.id, actor=head, unmasked=True)
        assert "张**" in export_slip(reader, slip.id, actor="站长")
    finally:
        reader.close()


def test_mask_text() -> None:
    masker = Masker()
    text = f"欧阳秀英和张三说，电话 138-7456-1234 或 0731-84012345，身份证 {ID}"
    masked = mask_text(text, masker, ["欧阳秀英", "张三", None])
    assert masked.startswith("欧阳**和张*说")
    assert "138****1234" in masked and "0731-****2345" in masked
    assert "4301**********" in masked and ID not in masked
    assert mask_text(text, Masker(unmasked=True), ["张三"]) == text


def test_reminder_notice(store: Store) -> None:
    slip = _make(store)
    today = dt.date(2026, 11, 26)  # 9 days over, 7 working days → reported
    notice = render_reminder(store, slip.id, today=today, calendar=CAL)
    assert "催 办 通 知 书" in notice
    assert notice.splitlines()[4].startswith("湘龙物业公司：")
    body = flat(notice)
    assert "湘龙群交〔2026〕第0001号" in body
    assert "应于2026年11月17日前办结" in body
    assert "已超期9天（其中7个工作日），已达通报标准" in body
    assert "2026年11月26日" in body
    _secrets_absent(notice)  # the title names the resident: masked
    soon = render_reminder(store, slip.id, today=dt.date(2026, 11, 15), calendar=CAL)
    assert "距应办结日期还有2天" in flat(soon)
    page = render_reminder(store, slip.id, today=today, calendar=CAL, fmt="html")
    assert "<h1>催办通知书</h1>" in page and "已超期9天" in page


def test_reminder_on_a_provisional_due_date_says_so(store: Store) -> None:
    store.save(station(), actor="setup")
    draft = S.draft_slip(
        store.get("station", "station-hl01"),
        source=SlipSource.HOTLINE,
        category="其他",
        title="t",
        description="d",
        handling_unit="u",
    )
    slip = S.issue(
        store, S.save_draft(store, draft, "x").id, on=dt.date(2026, 12, 20), actor="x", calendar=CAL
    )
    notice = render_reminder(store, slip.id, today=dt.date(2027, 1, 6), calendar=CAL)
    assert "2027 年节假日数据缺失，暂按周末推算，应办结日期为暂定" in flat(notice)


def test_record_reminder(store: Store) -> None:
    slip = _make(store)
    reminder = record_reminder(
        store, slip.id, today=dt.date(2026, 11, 26), by="赵督导", actor="赵督导", calendar=CAL
    )
    assert isinstance(reminder, SlipReminder)
    stored = store.get(SlipReminder, reminder.id)
    assert stored.slip_id == slip.id and stored.sent_on == dt.date(2026, 11, 26)
    assert stored.by == "赵督导" and stored.days_overdue == 9
    assert "超期 9 天，已达通报标准" in stored.note
    assert S.slip_history(store, slip.id)[-1].what.startswith("催办（2026-11-26）：催办人 赵督导")
    with pytest.raises(S.SlipActionRefused, match="请填写催办人"):
        record_reminder(
            store, slip.id, today=dt.date(2026, 11, 26), by=" ", actor="x", calendar=CAL
        )

    _reply(store, slip.id)
    with pytest.raises(S.SlipActionRefused, match="不需要催办"):
        record_reminder(
            store, slip.id, today=dt.date(2026, 11, 27), by="赵", actor="x", calendar=CAL
        )
    with pytest.raises(S.SlipActionRefused, match="不需要催办"):
        render_reminder(store, slip.id, today=dt.date(2026, 11, 27), calendar=CAL)
