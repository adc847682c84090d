"""The office's slip settings: categories it adds and the deadline rule per category."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grassroots_tui.models.slip import SLIP_CATEGORIES
from grassroots_tui.services.slip_rules import SlipRules, load_slip_rules
from grassroots_tui.store.slip_rules_file import SlipRulesInvalid, default_slip_rules_path


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "slip_rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_no_file_means_the_built_in_categories_and_15_days(tmp_path: Path) -> None:
    rules = load_slip_rules(tmp_path / "slip_rules.json")
    assert rules == SlipRules()
    assert rules.categories() == list(SLIP_CATEGORIES)
    assert rules.rule_for("环境卫生") == "15日"


def test_the_office_adds_categories_and_sets_rules(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "_说明": "备注",
            "categories": {"治安维稳": "10 个工作日", "燃气安全": "5个工作日"},
            "return_days": 5,
            "warn_days": 2,
            "rate_rounding": "ROUND_HALF_EVEN",
            "office_number_format": "湘龙街道交〔{year}〕{seq:03d}号",
        },
    )
    rules = load_slip_rules(path)
    assert rules.office_number_format == "湘龙街道交〔{year}〕{seq:03d}号"
    assert load_slip_rules(tmp_path / "none.json").office_number_format.startswith("湘龙街群交")
    assert rules.rule_for("治安维稳") == "10个工作日"
    assert rules.rule_for("燃气安全") == "5个工作日"
    assert rules.rule_for("环境卫生") == "15日"
    assert rules.categories()[-1] == "燃气安全" and "治安维稳" in rules.categories()
    assert (rules.return_days, rules.warn_days) == (5, 2)
    assert rules.rate_rounding == "ROUND_HALF_EVEN"
    assert default_slip_rules_path(tmp_path / "g.json") == tmp_path / "slip_rules.json"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"categories": {"治安维稳": "两周"}}, ["治安维稳", "两周"]),
        ({"categories": ["治安维稳"]}, ["categories"]),
        ({"return_days": "三"}, ["return_days"]),
        ({"default_rule": "0日"}, ["default_rule"]),
        ({"rate_rounding": "四舍五入"}, ["rate_rounding", "四舍五入", "ROUND_HALF_UP"]),
        ({"office_number_format": "街交{n}号"}, ["office_number_format", "{n}"]),
    ],
)
def test_a_wrong_file_is_refused_in_chinese_naming_what_is_wrong(tmp_path, data, words) -> None:
    with pytest.raises(SlipRulesInvalid) as caught:
        load_slip_rules(_write(tmp_path, data))
    message = str(caught.value)
    assert "交办设置文件" in message
    for word in words:
        assert word in message


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "slip_rules.json"
    path.write_text("{categories:", encoding="utf-8")
    with pytest.raises(SlipRulesInvalid, match="不是有效的 JSON"):
        load_slip_rules(path)


async def test_the_slip_form_takes_the_rule_of_the_chosen_category(tmp_path, monkeypatch) -> None:
    from textual.widgets import Select

    from tests.tui_fixtures import build_store, isolate_environment, make_app, open_store, sign_in

    isolate_environment(monkeypatch, tmp_path)
    template = build_store(tmp_path / "t" / "grassroots.json")
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    _write(folder, {"categories": {"治安维稳": "10个工作日", "燃气安全": "5个工作日"}})
    store = open_store(folder / template.name)
    try:
        app = make_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await pilot.press("f4")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            category = form.query_one("#input-category", Select)
            category.value = "燃气安全"  # an office-added category is offered
            await pilot.pause()
            assert form.field("deadline_rule").value == "5个工作日"
            category.value = "治安维稳"
            await pilot.pause()
            assert form.field("deadline_rule").value == "10个工作日"
            form.field("deadline_rule").value = "20日"  # typed by hand: kept
            category.value = "环境卫生"
            await pilot.pause()
            assert form.field("deadline_rule").value == "20日"
    finally:
        store.close()
