"""The program's own words that documents store in Chinese (household tags, deadline
rules) are shown and typed in the interface's language and stored as before."""

from __future__ import annotations

import pytest

from grassroots_tui.lang import set_language
from grassroots_tui.models.household import HOUSEHOLD_TAGS
from grassroots_tui.services.deadlines import DEFAULT_RULE, parse_rule, shown_rule
from grassroots_tui.services.households import tag_name, tags_from_text


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def test_tags_read_in_english_and_are_stored_in_chinese() -> None:
    set_language("en")
    assert tag_name("独居老人") == "Elderly living alone"
    assert tag_name("楼长") == "楼长"  # a station's own tag, as written
    typed = "Disability, elderly living alone；楼长, Disability"
    assert tags_from_text(typed) == ["残疾", "独居老人", "楼长"]
    # Every built-in tag survives the form: shown in English, typed back, stored Chinese.
    shown = ", ".join(tag_name(tag) for tag in HOUSEHOLD_TAGS)
    assert tags_from_text(shown) == list(HOUSEHOLD_TAGS)


def test_tags_in_chinese_are_as_before() -> None:
    assert tag_name("低保") == "低保"
    assert tags_from_text("低保、残疾 独居老人,低保") == ["低保", "残疾", "独居老人"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("15 days", "15日"),
        ("1 day", "1日"),
        ("10 working days", "10个工作日"),
        ("10wd", "10个工作日"),
        ("7 Workdays", "7个工作日"),
        ("15日", "15日"),
        ("20天", "20日"),
    ],
)
def test_a_rule_typed_in_english_is_stored_as_the_chinese_rule(typed: str, stored: str) -> None:
    set_language("en")
    assert parse_rule(typed).text == stored


def test_a_rule_is_shown_in_the_interface_language() -> None:
    assert shown_rule("10个工作日") == "10个工作日"
    set_language("en")
    assert shown_rule(DEFAULT_RULE) == "15 days"
    assert shown_rule("10个工作日") == "10 working days"
    assert shown_rule("not a rule") == "not a rule"
    for rule in ("1日", "15日", "365日", "1个工作日", "10个工作日"):
        assert parse_rule(shown_rule(rule)).text == rule


def test_a_bad_english_rule_is_still_refused() -> None:
    set_language("en")
    with pytest.raises(ValueError, match="15 weeks"):
        parse_rule("15 weeks")
    with pytest.raises(ValueError):
        parse_rule("0 days")
