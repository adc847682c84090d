"""The import dialog (住户 → i) imports the other ledgers too (issue #21): choose the kind,
preview, confirm; the visits are in the store, written by the signed-in head."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from grassroots_tui.tui.dialogs.import_dialog import ImportDialog
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    build_store,
    copied_store,
    make_app,
    settle,
    sign_in,
)

SIZE = (100, 30)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as copy:
        yield copy


def _visits(folder: Path) -> Path:
    path = folder / "走访台账.csv"
    path.write_text(
        "户号,走访日期,开始时间,走访人员,问题类别,问题描述,问题状态\n"
        "HL01-0002,2026-03-05,09:30,张三,环境卫生,楼道堆物,待办\n"
        "HL01-0002,2026-03-05,09:30,,其他,路灯坏,当场解决\n"
        "HL01-0003,2026-03-06,10:00,不在册,,,\n",
        encoding="utf-8",
    )
    return path


async def test_the_dialog_imports_a_visit_ledger_after_its_preview(store, tmp_path) -> None:
    before = len(store.raw("visit"))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", "i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        dialog.query_one("#import-kind", Select).value = "visits"
        await pilot.pause()
        explain = str(dialog.query_one("#import-text", Static).content)
        assert (
            "户号、走访日期、开始时间、走访人员" in explain
            and "grassroots template visits" in explain
        )
        dialog.query_one("#import-path", Input).value = str(_visits(tmp_path))
        await pilot.press("enter")
        await settle(pilot)
        text = str(dialog.query_one("#import-text", Static).content)
        assert text.startswith("将新增 1 条走访记录，更新 0 条，拒绝 1 行")
        assert "第 4 行「走访人员」本站没有名为「不在册」的工作人员" in text
        assert len(store.raw("visit")) == before  # a preview writes nothing
        await pilot.click("#import-confirm")
        await settle(pilot)
        assert not isinstance(app.screen, ImportDialog)
        assert any("导入完成：新增 1 条，更新 0 条。" in n.message for n in app._notifications)
    visits = [v for v in store.raw("visit") if v["date"] == "2026-03-05"]
    assert len(visits) == 1 and len(visits[0]["problems"]) == 2
    assert visits[0]["created_by"] == f"{HEAD_NAME}#{HEAD_ID}"
