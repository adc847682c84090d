"""End to end, one test a role: the real program in tmux at 80x24, driven by keystrokes,
each step waiting for what the screen shows (issue #19).

- 队员 (worker): logs a visit with a problem raised; the slip key says that the head
  opens slips (a worker may not: services/auth.py);
- 站长 (head): drafts a slip from a visit's problem and issues it, with the number the
  question names;
- 督导 (supervisor): opens the overdue board and sends a reminder;
- the one who reports (a 包案领导 here: a role that reads and watches, writes nothing
  else): exports the month's statistics, and the .xlsx is there afterwards.

The program runs on the real clock, so the stores are made relative to today. The terminal
helpers are those of tests/e2e/test_tmux.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grassroots_tui.models import SlipReminder, SlipSource, SlipState, Staff, StaffRole, Station
from grassroots_tui.services import slips
from grassroots_tui.services.auth import hash_pin
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests import factories
from tests.conftest import in_ci
from tests.e2e.test_tmux import EXIT_MARK, ROOT, Terminal
from tests.tui_fixtures import HEAD_ID, HEAD_NAME, HEAD_PIN, WORKER_ID, WORKER_NAME, build_store

pytestmark = [
    pytest.mark.slow,
    # Under CI (.ci/run installs tmux) a missing tmux fails the tests rather than skip them.
    pytest.mark.skipif(
        shutil.which("tmux") is None and not in_ci(), reason="tmux is not installed"
    ),
]

WORKER_PIN = "1357"
SUPERVISOR_ID, SUPERVISOR_NAME = "staff-zhoudu", "周督导"
LEADER_ID, LEADER_NAME = "staff-zhaoling", "赵领导"
OTHERS_PIN = "9753"


def _store(tmp_path: Path) -> Path:
    """The TUI tests' store, with a PIN for the worker, a supervisor and a leader."""
    db = build_store(tmp_path / "data" / "grassroots.json")
    store = Store.open(db, daily_backup=False)
    try:
        worker = store.get(Staff, WORKER_ID)
        pin_hash, pin_salt = hash_pin(WORKER_PIN)
        others_hash, others_salt = hash_pin(OTHERS_PIN)
        store.save_many(
            [
                worker.model_copy(update={"pin_hash": pin_hash, "pin_salt": pin_salt}),
                *(
                    Staff(
                        id=staff_id,
                        station_id=factories.STATION_ID,
                        name=name,
                        role=role,
                        pin_hash=others_hash,
                        pin_salt=others_salt,
                    )
                    for staff_id, name, role in (
                        (SUPERVISOR_ID, SUPERVISOR_NAME, StaffRole.SUPERVISOR),
                        (LEADER_ID, LEADER_NAME, StaffRole.LEADER),
                    )
                ),
            ],
            actor="测试数据",
        )
    finally:
        store.close()
    return db


def _draft(db: Path, title: str, *, issued_on: dt.date | None = None) -> str:
    """A drafted slip (issued on ``issued_on`` if given); its id."""
    store = Store.open(db, daily_backup=False)
    try:
        station = store.get(Station, factories.STATION_ID)
        draft = slips.draft_slip(
            station,
            source=SlipSource.HOTLINE,
            category="城市管理",
            title=title,
            description=f"{title}，居民反映多次。",
            handling_unit="街道城管办",
        )
        saved = slips.save_draft(store, draft, "测试数据")
        if issued_on is not None:
            slips.issue(
                store, saved.id, on=issued_on, actor="测试数据", calendar=OfficialCalendar()
            )
        return saved.id
    finally:
        store.close()


@pytest.fixture(name="running")
def running_fixture(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    """A terminal for the test, killed however it ends, and the folder of its settings."""
    env = {
        **os.environ,
        "GRASSROOTS_CONFIG": str(tmp_path / "config" / "settings.json"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TEXTUAL_ANIMATIONS": "none",
    }
    env.pop("TMUX", None)
    env.pop("TEXTUAL_THEME", None)
    term = Terminal(env)
    try:
        yield term, tmp_path
    finally:
        term.kill()


def _start_signed_in(term: Terminal, tmp_path: Path, db: Path, staff_id: str, pin: str) -> None:
    """Start the program with ``staff_id`` as the last to have signed in (chosen on the
    sign-in screen), type the PIN, and wait for the visits screen."""
    config = tmp_path / "config" / "settings.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"last_operator": staff_id}), encoding="utf-8")
    command = " ".join(
        shlex.quote(part)
        for part in [
            "env",
            f"GRASSROOTS_CONFIG={config}",
            sys.executable,
            "-m",
            "grassroots_tui",
            "--db",
            str(db),
        ]
    )
    term.start(f"cd {shlex.quote(str(ROOT))} && {command}")
    term.wait_for("请选择您是谁", timeout=30)
    term.keys("Enter")  # the last to sign in is chosen; Enter moves on to the PIN
    term.wait_for_cursor_on("4-8 位数字")
    term.type(pin)
    term.wait_for("•" * len(pin))
    term.keys("Enter")
    term.wait_for("本月走访", "单机", timeout=30)


def _quit(term: Terminal) -> None:
    term.keys("C-q")
    term.wait_for(f"{EXIT_MARK}=0")


def test_a_worker_logs_a_visit_with_a_problem_and_is_told_who_opens_its_slip(running):
    term, tmp_path = running
    db = _store(tmp_path)
    _start_signed_in(term, tmp_path, db, WORKER_ID, WORKER_PIN)
    term.wait_for(f"{WORKER_NAME}（队员）")
    term.keys("n")
    term.wait_for("选择住户", "HL01-0001")
    term.type("wxy")
    term.wait_until(
        lambda screen: "HL01-0002" in screen and "HL01-0001" not in screen,
        "the search 'wxy' narrowed the list to HL01-0002",
    )
    term.keys("Enter")
    term.wait_for_cursor_on("问声好")
    term.type("老人身体很好")
    # 问疾苦, 问意见, 问建议, 备注, then 问题 1.
    term.keys("Tab", "Tab", "Tab", "Tab", "Tab")
    term.wait_for_cursor_on("问题 1")
    term.type("楼道灯坏了")
    term.wait_for("楼道灯坏了")
    term.keys("Tab", "Enter")  # 类别: open its list
    term.wait_for("城市管理")
    term.keys("Enter")  # the first
    term.wait_until(
        lambda screen: any("类别" in line and "请选择" not in line for line in screen.split("\n")),
        "a category chosen for the problem",
    )
    term.keys("C-s")
    term.wait_for("的走访已保存")
    # A worker may not open a slip: the key says so, and who does (the head, below).
    term.keys("p")
    term.wait_for("队员不能开交办单")
    _quit(term)

    store = Store.open(db, daily_backup=False)
    try:
        [visit] = [v for v in store.raw("visit") if v["household_id"] == "hh-02"]
        [problem] = visit["problems"]
        assert problem["description"] == "楼道灯坏了" and problem["state"] == "pending"
        assert visit["visitor_ids"] == [WORKER_ID]
        assert not store.raw("handoff_slip")
    finally:
        store.close()


def test_the_head_drafts_a_slip_from_a_visits_problem_and_issues_it(running):
    term, tmp_path = running
    db = _store(tmp_path)  # visit-2 (2026-11-24, the newest) raised 低保申请材料不会填
    _start_signed_in(term, tmp_path, db, HEAD_ID, HEAD_PIN)
    term.wait_for(f"{HEAD_NAME}（站长）", "2026-11-24")
    term.keys("p")
    term.wait_for("交办单", "低保申请材料不会填")
    term.wait_for_cursor_on("承办单位")  # what the rule left to fill in
    term.type("街道社保所")
    term.wait_for("街道社保所")
    term.keys("C-s")
    term.wait_for("交办单草稿")
    term.keys("F4")
    term.wait_for("草拟", "低保申请材料")  # the draft, first and selected
    term.keys("i")
    number = f"湘龙群交〔{dt.date.today().year}〕第0001号"
    term.wait_for(number, "永不再用")  # the question names the number it takes
    term.keys("y")
    term.wait_until(
        lambda screen: any(
            "已交办" in line and "低保申请材料" in line and "0001" in line
            for line in screen.split("\n")
        ),
        "the slip listed as issued, with its number",
    )
    _quit(term)

    store = Store.open(db, daily_backup=False)
    try:
        [raw] = store.raw("handoff_slip")
        slip = slips.get_slip(store, raw["id"])
        assert slip.state is SlipState.ISSUED and slip.number == number
        assert slip.problem_id == "problem-1" and slip.handling_unit == "街道社保所"
    finally:
        store.close()


def test_the_supervisor_sends_a_reminder_from_the_overdue_board(running):
    term, tmp_path = running
    db = _store(tmp_path)
    slip_id = _draft(db, "路灯不亮", issued_on=dt.date.today() - dt.timedelta(days=60))
    _start_signed_in(term, tmp_path, db, SUPERVISOR_ID, OTHERS_PIN)
    term.wait_for(f"{SUPERVISOR_NAME}（督导）")
    term.keys("F4")
    term.wait_for("路灯不亮")
    term.keys("b")
    term.wait_for("督办看板", "路灯不亮", "超期")
    # m asks first, naming the slip. (Pressed the moment the board is drawn, m was
    # sometimes not taken yet: pressed again, the question being modal, once it is.)
    for attempt in range(3):
        term.keys("m")
        try:
            term.wait_for("是 Y", "路灯不亮", timeout=3 if attempt < 2 else 15)
            break
        except pytest.fail.Exception:
            if attempt == 2:
                raise
    term.keys("y")
    term.wait_for("催办通知书已写出")
    _quit(term)

    store = Store.open(db, daily_backup=False)
    try:
        [reminder] = store.raw(SlipReminder.KIND)
        assert reminder["slip_id"] == slip_id
        assert list((db.parent / "exports").glob("催办-*.docx"))
    finally:
        store.close()


def test_the_month_s_statistics_are_exported_to_a_workbook(running):
    term, tmp_path = running
    db = _store(tmp_path)
    _start_signed_in(term, tmp_path, db, LEADER_ID, OTHERS_PIN)
    term.wait_for(f"{LEADER_NAME}（包案领导）")
    term.keys("F8")
    # The month's figures in the table (not only "走访率", which the visits list shows
    # too): the screen appears at once and fills them in, and x waits for them.
    term.wait_for("登记住户", "发出交办单")
    term.keys("x")
    term.wait_for("Excel (.xlsx)")
    term.keys("C-s")
    term.wait_for("统计已导出", timeout=20)
    _quit(term)
    month = dt.date.today().strftime("%Y-%m")
    [workbook] = list((db.parent / "exports").glob(f"*{month}*.xlsx"))
    assert workbook.stat().st_size > 0
