"""One wording (issue #19): every message the models give is scanned for what a station
worker should never read: two marks in a row (。。 ，。), an enum's English identifier
inside Chinese (疾病（illness）), a time said to be wrong in a date's format, and more
than one way of saying "required", "not a date" and "not a time"."""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from enum import Enum

import pytest

from grassroots_tui import models
from grassroots_tui.i18n import CATALOGS, clauses, set_language, t
from grassroots_tui.models.errors import (
    BAD_DATE,
    BAD_TIME,
    REQUIRED,
    DocumentInvalid,
    validate_document,
)
from grassroots_tui.models.registry import KINDS
from tests.test_models_documents import SAMPLES

DOUBLED = re.compile(r"[。，；：][。，；]")
HOSTILE = (None, "", "   ", "bogus", "2026-13-01", "25:00", "9", -1, 10**12, [], {}, "长" * 6000)
#: Every enum's identifiers ("illness", "door"), which a Chinese message never shows.
IDENTIFIERS = {
    str(member.value)
    for enum in vars(models).values()
    if isinstance(enum, type) and issubclass(enum, Enum)
    for member in enum
    if isinstance(member.value, str) and re.fullmatch(r"[a-z_]+", member.value)
}


def _without_echo(message: str) -> str:
    """The message without the value it repeats in 「」 (that is the user's, as typed)."""
    return re.sub(r"「[^」]*」", "「」", message)


def _all_messages() -> list[tuple[str, str, type | None, str]]:
    """(kind, field, the field's type, message) of every problem of every field of every
    kind, given each hostile value in turn, or left out."""
    found = []
    for kind, model in KINDS.items():
        for name, info in model.model_fields.items():
            if name in ("kind",):
                continue
            leaf = info.annotation
            for arm in typing.get_args(leaf) or (leaf,):
                if arm in (dt.date, dt.time, dt.datetime):
                    leaf = arm
            for value in (*HOSTILE, ...):
                data = copy.deepcopy(SAMPLES[kind])
                if value is ...:
                    data.pop(name, None)
                else:
                    data[name] = value
                try:
                    validate_document(data, kind)
                except DocumentInvalid as invalid:
                    found += [(kind, p.field, leaf, p.text) for p in invalid.problems]
    return found


@pytest.fixture(scope="module")
def messages() -> list[tuple[str, str, type | None, str]]:
    found = _all_messages()
    assert len(found) > 500  # the scan reaches most fields
    return found


def test_no_message_has_two_marks_in_a_row(messages):
    doubled = {m for *_, m in messages if DOUBLED.search(_without_echo(m))}
    assert doubled == set()


def test_no_message_shows_an_enums_english_identifier(messages):
    assert {"illness", "door", "solved_later"} <= IDENTIFIERS
    leaked = {
        m for *_, m in messages if set(re.findall(r"[a-z_]+", _without_echo(m))) & IDENTIFIERS
    }
    assert leaked == set()
    choices = [m for *_, m in messages if "不是可选的值" in m]
    assert choices and all("（可选：" in m for m in choices)


def test_required_is_said_one_way(messages):
    saying = re.compile(r"^(必填|必须填写|不能为空|不能缺少|请填写)")
    said = {m.split("：", 1)[1] for *_, m in messages if saying.match(m.split("：", 1)[-1])}
    assert said == {REQUIRED}


def test_a_bad_date_and_a_bad_time_are_each_said_one_way(messages):
    dates = [m for kind, field, leaf, m in messages if "不是有效的日期" in m and "时间" not in m]
    times = [m for kind, field, leaf, m in messages if "不是有效的时间" in m]
    assert dates and times
    for m in dates:
        said = _without_echo(m).split("「」", 1)[1]
        assert said == BAD_DATE or said.startswith("不是有效的日期："), m
    for m in times:
        said = _without_echo(m).split("「」", 1)[1]
        assert said == BAD_TIME or said.startswith("不是有效的时间："), m
        assert "2026" not in said and "YYYY" not in said, m  # never a date's format


def test_the_forms_words_are_the_models_words():
    set_language("zh")
    assert t("form.required") == REQUIRED
    assert t("form.bad_date", value="2026-02-30") == "「2026-02-30」" + BAD_DATE
    assert t("setup.head_required") == REQUIRED


@pytest.mark.parametrize("lang", list(CATALOGS))
def test_a_message_put_inside_another_never_doubles_its_marks(lang):
    set_language(lang)
    fields = re.compile(r"{(\w+)")
    for key, text in CATALOGS[lang].items():
        names = set(fields.findall(text))
        if names:
            shown = t(key, **{name: "原因。" for name in names})
            assert not DOUBLED.search(shown), (key, shown)
    set_language("zh")


def test_what_a_user_typed_is_shown_whole_inside_a_message():
    set_language("zh")
    shown = t("sync.failed", reason="连接。。被拒绝，")
    assert "连接。。被拒绝" in shown and not shown.startswith(
        "与汇总库同步失败：连接。。被拒绝，。"
    )
    assert clauses(["日期不对。", "时间不对；"]) == "日期不对；时间不对"
