"""Issue #21: surnames read wrongly and given names with two readings."""

from __future__ import annotations

import pytest

from grassroots_tui.services.pinyin import full_pinyin, initials, score, search_text, sort_key


@pytest.mark.parametrize(
    ("name", "typed", "reading"),
    [
        ("蔚文华", "ywh", "yuwenhua"),
        ("粘小红", "nxh", "nianxiaohong"),
        ("佴立新", "nlx", "nailixin"),
        ("都红梅", "dhm", "duhongmei"),
        ("卜建国", "bjg", "bujianguo"),
    ],
)
def test_five_surnames_read_as_surnames(name: str, typed: str, reading: str) -> None:
    assert initials(name, name=True) == typed
    assert full_pinyin(name, name=True) == reading
    assert score(typed, name) == 1.0
    assert score(reading, name) >= 0.8
    assert reading in search_text(name)


def test_the_everyday_reading_still_finds_them() -> None:
    # 蔚 is "wei" in 蔚蓝; a worker who types that still finds the resident
    assert score("wwh", "蔚文华") == 1.0
    assert score("zxh", "粘小红") == 1.0


def test_surnames_sort_under_their_surname_reading() -> None:
    # 粘 nian sorts between 马 ma and 王 wang (as 'zhan' it would come after 王)
    assert sorted(["王五", "粘小红", "马六"], key=sort_key) == ["马六", "粘小红", "王五"]


@pytest.mark.parametrize(
    ("name", "either"),
    [
        ("王行文", ("wxw", "whw")),
        ("李乐天", ("llt", "lyt")),
        ("张朝阳", ("zzy", "zcy")),
        ("陈茜", ("cq", "cx")),
        ("何单", ("hd", "hs")),
    ],
)
def test_given_names_with_two_readings_are_found_by_either(
    name: str, either: tuple[str, str]
) -> None:
    for typed in either:
        assert score(typed, name) == 1.0, typed
        assert typed in search_text(name).split()


def test_given_name_readings_are_not_tried_on_other_text() -> None:
    # an address or a long text is not a name: 银行 stays yinhang only
    assert search_text("人民银行宿舍") == "人民银行宿舍 renminyinhangsushe rmyhss"
    assert score("rmyxss", "人民银行宿舍") == 0.0
    # the surname position is the surname's reading, not a given-name one
    assert score("dxx", "单雄信") == 1.0  # everyday reading, as before
    assert "sxx" in search_text("单雄信").split()
