"""Pinyin initials, full pinyin, search scores and sorting of Chinese names."""

from __future__ import annotations

import random

from grassroots_tui.services import pinyin
from grassroots_tui.services.pinyin import full_pinyin, initials, score, search_text, sort_key


def test_initials_of_names_and_words() -> None:
    assert initials("张三") == "zs"
    assert initials("走访") == "zf"
    assert initials("张桂兰") == "zgl"


def test_non_chinese_characters_are_kept_lowercased() -> None:
    assert initials("A栋") == "ad"
    assert initials("HL01-0001") == "hl01-0001"
    assert full_pinyin("3栋B") == "3dongb"
    assert initials("") == full_pinyin("") == search_text("") == ""


def test_full_pinyin_without_tones_or_spaces() -> None:
    assert full_pinyin("张三") == "zhangsan"
    assert full_pinyin("绿化") == "lvhua"  # ü typed as v


def test_search_text_holds_text_full_pinyin_and_initials() -> None:
    assert search_text("张三") == "张三 zhangsan zs"
    assert search_text("ABC") == "abc abc abc"


def test_score_levels() -> None:
    assert score("", "张三") == 1.0
    assert score("张三", "张三") == 1.0  # exact
    assert score("张", "张三") == 1.0  # prefix of the text
    assert score("zs", "张三") == 1.0  # initials
    assert score("ZS", "张三") == 1.0  # case ignored
    assert score("z", "张三") == 1.0
    assert score("zhangs", "张三") == 0.8  # full pinyin prefix
    assert score("zhang san", "张三") == 0.8  # spaces in a pinyin query ignored
    assert score("三", "张三") == 0.6  # substring of the text
    assert score("s", "张三") == 0.5  # inside the initials
    assert score("san", "张三") == 0.4  # inside the full pinyin
    assert score("li", "张三") == 0.0
    assert score("zs", "") == 0.0


def test_scores_stay_between_0_and_1() -> None:
    for query in ("", "z", "zs", "zhang", "张", "x", "三丰", "  "):
        for text in ("张三", "张三丰", "李四", "", "abc"):
            assert 0.0 <= score(query, text) <= 1.0


def test_initials_search_finds_zhang_san() -> None:
    names = ["李四", "张三", "王五", "赵六", "张桂兰"]
    found = [n for n in names if score("zs", n) > 0]
    assert found == ["张三"]
    ranked = sorted(names, key=lambda n: -score("zhang", n))
    assert set(ranked[:2]) == {"张三", "张桂兰"}


def test_sorting_surnames_by_pinyin() -> None:
    assert sorted(["赵", "王", "李", "张"], key=sort_key) == ["李", "王", "张", "赵"]
    names = ["赵丽", "王芳", "李强", "张伟", "李志", "梁军"]
    # syllable by syllable: every 李 before 梁 although "lizhi" > "liangjun"
    assert sorted(names, key=sort_key) == ["李强", "李志", "梁军", "王芳", "张伟", "赵丽"]


def test_sort_ties_are_broken_by_the_text() -> None:
    # 张 and 章 both read zhang: the text decides, so the order is stable whatever the input
    a = sorted(["章三", "张三"], key=sort_key)
    b = sorted(["张三", "章三"], key=sort_key)
    assert a == b == sorted(["张三", "章三"])


def test_polyphonic_surnames() -> None:
    # everyday reading of 曾 is "ceng"; as a surname it reads "zeng"
    assert initials("曾国藩") == "cgf"
    assert initials("曾国藩", name=True) == "zgf"
    assert full_pinyin("单雄信", name=True) == "shanxiongxin"
    assert score("zgf", "曾国藩") == 1.0
    assert score("cgf", "曾国藩") == 1.0
    assert "zgf" in search_text("曾国藩")
    # sorted under Z, between 王 and 张
    assert sorted(["张三", "曾国藩", "王五"], key=sort_key) == ["王五", "曾国藩", "张三"]
    assert pinyin.syllables("尉迟恭", name=True) == ("yu", "chi", "gong")


def test_cached_over_many_strings() -> None:
    rng = random.Random(7)
    names = ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(3)) for _ in range(2000)]
    first = [search_text(n) for n in names]
    assert [search_text(n) for n in names] == first
    assert pinyin.search_text.cache_info().hits >= 2000
