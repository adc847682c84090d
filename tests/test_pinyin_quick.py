"""pypinyin is loaded only when first needed; until then a few texts (the staff on the
sign-in screen) are read from its data files directly (services/pinyin.py). Both ways
must read every text the same: compared here on every character and phrase of
pypinyin's tables, and on names, with the sign-in order computed through pypinyin."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.style import convert

from grassroots_tui.services import pinyin
from grassroots_tui.services.pinyin import SURNAME_READINGS, _DataFiles, _toneless

SURNAMES = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇朴查区盖乐翟缪"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂红华建国长重朝行乐和会传调少还都大行曾单"


def _pieces_by_pypinyin(text: str) -> tuple[tuple[str, bool], ...]:
    """What pinyin._pieces must give: pypinyin itself, as the module called it before."""
    out = []
    for item in lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: ["\x00" + s]):
        out.append((item[1:].lower(), False) if item[:1] == "\x00" else (item.lower(), True))
    return tuple(out)


def _names() -> list[str]:
    names = [s + g for s in SURNAMES for g in GIVEN]
    names += [s + g + h for s in SURNAMES[::7] for g in GIVEN for h in GIVEN[::5]]
    names += [f"{compound}{g}" for compound in SURNAME_READINGS for g in GIVEN[::3]]
    names += [
        "王长江",
        "银行",
        "长江",
        "重庆",
        "朝阳",
        "好好学习",
        "张三",
        "A栋",
        "3栋",
        "阿依古丽·买买提",
    ]
    return names


@pytest.fixture
def files() -> _DataFiles:
    return _DataFiles()


def test_a_reading_is_written_as_pypinyin_writes_it_without_tones() -> None:
    readings = {r for value in PINYIN_DICT.values() for r in value.split(",")}
    readings |= {r[0] for value in PHRASES_DICT.values() for r in value}
    different = {
        r: (_toneless(r), convert(r, Style.NORMAL, True))
        for r in readings
        if _toneless(r) is not None and _toneless(r) != convert(r, Style.NORMAL, True)
    }
    assert different == {}
    assert sum(_toneless(r) is None for r in readings) <= len(readings) // 1000


def test_every_character_reads_as_pypinyin_reads_it(files: _DataFiles) -> None:
    answered = 0
    for code in PINYIN_DICT:
        char = chr(code)
        quick = files.pieces(char)
        if quick is not None:
            answered += 1
            assert quick == _pieces_by_pypinyin(char), char
    assert answered > 25_000  # every common character, and most others


def test_every_phrase_reads_as_pypinyin_reads_it(files: _DataFiles) -> None:
    # Every third phrase (all of them take fifteen seconds): each is a text in which
    # pypinyin finds that phrase, and its readings are looked up in the file.
    answered = 0
    for phrase in list(PHRASES_DICT)[::3]:
        quick = files.pieces(phrase)
        if quick is not None:
            answered += 1
            assert quick == _pieces_by_pypinyin(phrase), phrase
        readings = files.phrase(phrase)
        assert readings == [r[0] for r in PHRASES_DICT[phrase]], phrase
    assert answered > 10_000
    assert files.phrase("张桂兰") is None and files.phrase("一") is None


def test_names_read_as_pypinyin_reads_them(files: _DataFiles) -> None:
    answered = 0
    for name in _names():
        quick = files.pieces(name)
        if quick is not None:
            answered += 1
            assert quick == _pieces_by_pypinyin(name), name
    assert answered > len(_names()) * 3 // 4
    # A phrase read otherwise than its characters one by one is left to pypinyin.
    assert files.pieces("长江") is None and files.pieces("王长江") is None
    assert files.pieces("阿依古丽·买买提") is None  # not only Chinese characters


def test_staff_sort_in_the_order_pypinyin_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in order: sort_key as it is now (read from the data files, the first
    texts) equals the order computed with pypinyin alone."""
    names = _names()

    def key_by_pypinyin(text: str) -> tuple[str, str]:
        text = text.strip()
        for length in (2, 1):
            readings = SURNAME_READINGS.get(text[:length])
            if readings is not None:
                rest = tuple(p for p, _han in _pieces_by_pypinyin(text[length:]))
                return "\x01".join(readings + rest), text
        return "\x01".join(p for p, _han in _pieces_by_pypinyin(text)), text

    fresh = _DataFiles()
    monkeypatch.setattr(pinyin, "_quick", fresh)
    monkeypatch.setattr(pinyin, "_pypinyin", None)
    monkeypatch.setattr(pinyin, "_FEW", 10**6)
    # pypinyin reads the names the data files cannot, without ending their use.
    monkeypatch.setattr(pinyin, "_import_pypinyin", lambda: (lazy_pinyin, Style.NORMAL))
    for cached in (pinyin._pieces, pinyin._name_pieces, pinyin.sort_key):
        cached.cache_clear()
    try:
        ordered = sorted(names, key=pinyin.sort_key)
        assert fresh.uses > len(names) // 2  # most of them read from the data files
        assert ordered == sorted(names, key=key_by_pypinyin)
        assert [pinyin.sort_key(n) for n in names] == [key_by_pypinyin(n) for n in names]
    finally:
        for cached in (pinyin._pieces, pinyin._name_pieces, pinyin.sort_key):
            cached.cache_clear()


def test_after_a_few_texts_pypinyin_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _DataFiles()
    fresh.uses = pinyin._FEW
    monkeypatch.setattr(pinyin, "_quick", fresh)
    pinyin._pieces.cache_clear()
    try:
        assert pinyin._pieces("张桂兰") == _pieces_by_pypinyin("张桂兰")
        assert fresh.uses == pinyin._FEW and pinyin._pypinyin is not None
    finally:
        pinyin._pieces.cache_clear()


def test_the_program_starts_and_lists_the_staff_without_loading_pypinyin() -> None:
    """Importing the app and sorting the staff for the sign-in screen leave pypinyin
    unloaded (it takes about a quarter of a second to load)."""
    script = (
        "import sys\n"
        "import grassroots_tui.tui.app\n"
        "from grassroots_tui.services.pinyin import sort_key, score\n"
        "names = ['张桂兰', '曾国藩', '欧阳修', '李志', '梁', '胡伟红']\n"
        "assert sorted(names, key=sort_key) == ['胡伟红', '李志', '梁', '欧阳修', '曾国藩', '张桂兰']\n"
        "assert 'pypinyin' not in sys.modules, 'pypinyin was loaded'\n"
        "assert score('zgl', '张桂兰') == 1.0\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
