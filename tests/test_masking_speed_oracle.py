"""The fast free-text masking (services/masking.py) against a slow plain reference.

The reference below is written independently of the module: a loop over every name at
every position (longest first), and the three number searches run on every text. The
module's :func:`mask_text` / :meth:`ResidentNames.mask` must give exactly the same text
on thousands of random texts with planted names (overlapping ones such as 王小 and 王小明,
compound surnames, names holding regex characters), ID numbers and phone numbers.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from grassroots_tui.services import masking
from grassroots_tui.services.masking import (
    RESIDENT_NAME_FIELDS,
    Masker,
    ResidentNames,
    mask_text,
    resident_names,
)

# -- the reference ----------------------------------------------------------------------------

_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def reference_names(names) -> list[str]:
    out = []
    for name in names:
        if name is None:
            continue
        name = name.strip()
        if len(name) >= 2 and name not in out:
            out.append(name)
    return out


def reference_mask(text: str | None, names) -> str:
    """Numbers first (always searched), then from left to right the longest listed name
    starting at each position, masked with :func:`masking.mask_name`."""
    if not text:
        return ""
    text = _ID.sub(lambda m: masking.mask_id(m.group(0)), text)
    text = _MOBILE.sub(lambda m: masking.mask_phone(m.group(0)), text)
    text = _LANDLINE.sub(lambda m: masking.mask_phone(m.group(0)), text)
    listed = reference_names(names)
    out = ""
    i = 0
    while i < len(text):
        best = None
        for name in listed:
            if text.startswith(name, i) and (best is None or len(name) > len(best)):
                best = name
        if best is None:
            out += text[i]
            i += 1
        else:
            out += masking.mask_name(best)
            i += len(best)
    return out


# -- random texts ------------------------------------------------------------------------------

NAMES = [
    "王小",
    "王小明",
    "小明",
    "明天",
    "王小明天",
    "张三",
    "张三丰",
    "三丰",
    "欧阳",
    "欧阳秀英",
    "司马晓雯",
    "李桂兰",
    "桂兰",
    " 赵丽华 ",
    "陈怡（女）",
    "A-B",
    "[x]",
    "^张",
    "a.b",
    "张3丰",
    "Ann Lee",
    "李",  # one character: never searched for
    "",
    None,
]
FILLER = "居民反映楼道堆放杂物，电梯故障维修小区门口王张李明天三丰秀英（）：,.- \n"
DIGITS = "0123456789"


def _id_number(rng: random.Random) -> str:
    body = "".join(rng.choice(DIGITS) for _ in range(17))
    return body + rng.choice(DIGITS + "Xx") if rng.random() < 0.8 else body[:15]


def _phone(rng: random.Random) -> str:
    number = "1" + rng.choice("3456789") + "".join(rng.choice(DIGITS) for _ in range(9))
    style = rng.randrange(5)
    if style == 1:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 2:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 3:
        return rng.choice(["+86", "86", "+86 ", "86-"]) + number
    if style == 4:
        return rng.choice(["0731", "010", "021"]) + "-" + number[-rng.choice([7, 8]) :]
    return number


def random_text(rng: random.Random, names: list[str | None]) -> str:
    pieces = []
    for _ in range(rng.randrange(0, 14)):
        roll = rng.random()
        if roll < 0.35:
            pieces.append(rng.choice([n for n in names if n] or ["x"]))
        elif roll < 0.45:
            pieces.append(_id_number(rng))
        elif roll < 0.55:
            pieces.append(_phone(rng))
        elif roll < 0.62:
            pieces.append("".join(rng.choice(DIGITS + "-+ X") for _ in range(rng.randrange(1, 20))))
        else:
            pieces.append("".join(rng.choice(FILLER) for _ in range(rng.randrange(1, 8))))
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(6))
def test_mask_text_equals_the_plain_reference(seed: int) -> None:
    rng = random.Random(seed)
    # Each seed takes another subset of the names (all of them for seed 0).
    names = NAMES if seed == 0 else [n for n in NAMES if rng.random() < 0.6]
    fast = ResidentNames(names)
    masker = Masker()
    for _ in range(1500):
        text = random_text(rng, names or NAMES)
        expected = reference_mask(text, names)
        assert mask_text(text, masker, fast) == expected, text
        assert mask_text(text, masker, names) == expected, text
        assert mask_text(text, Masker(unmasked=True), fast) == text


def test_overlapping_names_longest_first_left_to_right() -> None:
    names = ResidentNames(["王小", "王小明", "小明", "明天", "张三", "张三丰"])
    cases = {
        "王小明天来": "王**天来",
        "王小说": "王*说",
        "小王小明": "小王**",
        "小明天": "小*天",
        "张三丰张三张": "张**张*张",
        "": "",
    }
    for text, masked in cases.items():
        assert names.mask(text) == masked == reference_mask(text, names.names), text


def test_no_names_and_odd_names() -> None:
    assert ResidentNames().mask("王小明13812345678") == "王小明13812345678"
    assert mask_text("王小明13812345678", Masker(), []) == "王小明138****5678"
    odd = ResidentNames(["A-B", "[x]", "^张", "a.b", "x\\y"])
    text = "A-B说[x]和^张，a.b不是axb，x\\y"
    assert odd.mask(text) == reference_mask(text, odd.names)
    assert "axb" in odd.mask(text)


def test_union_with_more_names_equals_a_fresh_set() -> None:
    rng = random.Random(7)
    base = ResidentNames(["王小明", "张三"])
    for more in (["王小"], ["张三"], [" 欧阳秀英 ", None, "李"], ResidentNames(["小明", "明天"])):
        joined = base | more
        listed = list(more.names) if isinstance(more, ResidentNames) else list(more)
        fresh = ResidentNames(["王小明", "张三", *listed])
        assert joined.names == fresh.names
        for _ in range(300):
            text = random_text(rng, [*NAMES, *listed])
            assert joined.mask(text) == fresh.mask(text)
            assert mask_text(text, Masker(), joined) == reference_mask(text, fresh.names)
    # Nothing new: the same set back.
    assert base | ["张三", " 王小明 ", "李", None] is base
    assert base.mask("王小说") == "王小说"


def test_masking_functions_are_looked_up_when_called(monkeypatch) -> None:
    """The privacy screen scan turns masking off by replacing mask_name & co. in the
    module (tests/test_privacy_screens.py): the fast path must honour that."""
    names = ResidentNames(["王小明"])
    monkeypatch.setattr(masking, "mask_name", masking._plain)
    monkeypatch.setattr(masking, "mask_phone", masking._plain)
    assert mask_text("王小明13812345678", Masker(), names) == "王小明13812345678"


def _reference_resident_names(store) -> set[str]:
    found = []
    for kind, field in RESIDENT_NAME_FIELDS:
        for raw in store.raw(kind):
            value = raw.get(field)
            values = value if isinstance(value, list) else [value]
            found += [v for v in values if isinstance(v, str)]
    return set(reference_names(found))


def test_resident_names_follow_the_store(tmp_path) -> None:
    from tests import factories
    from tests.tui_fixtures import build_store, open_store

    store = open_store(build_store(tmp_path / "grassroots.json"))
    try:
        names = resident_names(store)
        assert names.names == _reference_resident_names(store)
        assert resident_names(store) is names
        # A new household: built again, with its head.
        store.save(factories.household("HL01-0099", head_of_household="司马晓雯"), "测试")
        again = resident_names(store)
        assert again is not names and "司马晓雯" in again.names
        assert again.names == _reference_resident_names(store)
        # A head renamed: the old name is no longer searched for.
        raw = next(r for r in store.raw("household") if r.get("head_of_household") == "司马晓雯")
        renamed = store.model("household").model_validate({**raw, "head_of_household": "诸葛慧琳"})
        store.save(renamed, "测试")
        now = resident_names(store)
        assert "司马晓雯" not in now.names and "诸葛慧琳" in now.names
        assert now.names == _reference_resident_names(store)
        assert mask_text("诸葛慧琳与司马晓雯", Masker(), now) == "诸葛**与司马晓雯"
    finally:
        store.close()


def test_many_names_and_long_texts_are_quick() -> None:
    rng = random.Random(3)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
    many = {
        rng.choice(surnames) + "".join(rng.sample(given, rng.choice([1, 2]))) for _ in range(30_000)
    }
    started = time.perf_counter()
    names = ResidentNames(many)
    built = time.perf_counter() - started
    text = ("居民反映楼道堆放杂物，" * 20 + rng.choice(sorted(many))) * 5
    started = time.perf_counter()
    for _ in range(200):
        masked = mask_text(text, Masker(), names)
    assert built < 1.0
    assert time.perf_counter() - started < 2.0
    assert masked == reference_mask(text, names.names)
