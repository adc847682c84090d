"""Masking of names, ID numbers and phone numbers (docs/design.md#personal-information)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.services.masking import (
    Masker,
    ResidentNames,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    resident_names,
)
from tests.factories import id_number


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张桂兰", "张**"),
        ("欧阳秀英", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛*"),
        ("令狐冲", "令狐*"),
        ("欧阳", "欧*"),  # two characters: surname + given name
        ("张", "*"),
        (" 张三 ", "张*"),
        ("张 桂兰", "张**"),
        ("买买提·艾力", "买*****"),
        ("", ""),
        (None, ""),
        ("   ", ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("430121195803121234", "4301**********1234"),
        ("43012119580312123X", "4301**********123X"),
        ("430121580312123", "4301*******2123"),  # 15-digit
        ("4301 2119 5803 1212 34", "4301**********1234"),
        ("12345", "*****"),
        ("12345678901", "***********"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id(value: str | None, masked: str) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0731-84012345", "0731-****2345"),
        ("07318401234", "0731-***1234"),
        ("010-62345678", "010-****5678"),
        ("84012345", "****2345"),
        ("123", "***"),
        ("", ""),
        (None, ""),
        ("  ", ""),
    ],
)
def test_mask_phone(value: str | None, masked: str) -> None:
    assert mask_phone(value) == masked


def test_masker_one_flag_decides() -> None:
    masked = Masker()
    assert masked.name("张桂兰") == "张**"
    assert masked.id("430121195803121234") == "4301**********1234"
    assert masked.phone("13812345678") == "138****5678"
    plain = Masker(unmasked=True)
    assert plain.name("张桂兰") == "张桂兰"
    assert plain.id("430121195803121234") == "430121195803121234"
    assert plain.phone("13812345678") == "13812345678"
    assert plain.name(None) == plain.id(None) == plain.phone(None) == ""


_ID = re.compile(r"\d{17}[\dXx]")
_MOBILE = re.compile(r"1[3-9]\d{9}")

# Text around a real ID or mobile number: separators, letters, Chinese, digits.
_noise = st.text(alphabet=st.sampled_from("0123456789 -+Xx张欧阳()\t"), max_size=12)
_ids = st.builds(
    lambda region, year, month, day, seq: id_number(
        region, f"{year:04d}{month:02d}{day:02d}", f"{seq:03d}"
    ),
    st.sampled_from(["430121", "110101", "440305"]),
    st.integers(1920, 2020),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)
_mobiles = st.from_regex(_MOBILE, fullmatch=True)
_inputs = st.one_of(
    st.builds(lambda a, x, b: a + x + b, _noise, _ids, _noise),
    st.builds(lambda a, x, b: a + x + b, _noise, _mobiles, _noise),
    st.text(max_size=40),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(_inputs)
def test_masking_never_raises_and_never_leaks(value: str | None) -> None:
    secrets = set(_ID.findall(value or "")) | set(_MOBILE.findall(value or ""))
    for mask in (mask_name, mask_id, mask_phone, Masker().name, Masker().id, Masker().phone):
        out = mask(value)
        assert isinstance(out, str)
        for secret in secrets:
            assert secret not in out
            assert secret not in re.sub(r"\D", "", out)


# -- free text ---------------------------------------------------------------------------------


def test_mask_text_masks_every_given_name_ids_and_phones() -> None:
    names = ResidentNames(["欧阳秀英", "张三", "张三丰", None, " ", "李"])
    text = "张三丰说欧阳秀英（430121195803121234，13812345678）和张三吵架，0731-84012345"
    assert mask_text(text, Masker(), names) == (
        "张**说欧阳**（4301**********1234，138****5678）和张*吵架，0731-****2345"
    )
    # A plain list does the same; unmasked leaves the text alone.
    assert mask_text(text, Masker(), ["欧阳秀英", "张三", "张三丰"]) == mask_text(
        text, Masker(), names
    )
    assert mask_text(text, Masker(unmasked=True), names) == text
    assert mask_text(None, Masker(), names) == ""
    # One-character "names" are never searched for (they would match everywhere).
    assert mask_text("李子树", Masker(), names) == "李子树"


def test_resident_names_are_every_registered_resident(tmp_path) -> None:
    from tests import factories
    from tests.tui_fixtures import build_store, open_store

    store = open_store(build_store(tmp_path / "grassroots.json"))
    try:
        names = resident_names(store)
        # Heads of household and the people who asked for an appointment.
        assert {"张桂兰", "欧阳娜娜", "赵丽华"} <= names.names
        # Staff are not residents: their names are shown whole by design.
        assert "李敏" not in names.names
        assert mask_text("邻居赵丽华说", Masker(), names) == "邻居赵**说"
        # Kept until a household changes, then built again.
        assert resident_names(store) is names
        store.save(factories.household("HL01-0099", head_of_household="司马晓雯"), "测试")
        assert "司马晓雯" in resident_names(store).names
        assert (resident_names(store) | ["诸葛慧琳"]).mask("诸葛慧琳") == "诸葛**"
    finally:
        store.close()


def test_a_long_text_against_many_names_is_quick() -> None:
    import time

    names = ResidentNames(f"王{chr(0x4E00 + i)}{chr(0x4E00 + i // 7)}" for i in range(20_000))
    text = "居民反映楼道堆放杂物，" * 50 + "王一一"
    started = time.perf_counter()
    for _ in range(200):
        masked = names.mask(text)
    assert time.perf_counter() - started < 2.0
    assert masked.endswith("王**")


def test_a_hardship_member_kept_with_a_relation_is_masked_by_name(tmp_path) -> None:
    """Members are kept as 贺毅嘉（夫）; a neighbour's note naming 贺毅嘉 alone is masked."""
    import datetime as dt

    from grassroots_tui.models import HardshipCase
    from grassroots_tui.store import Store
    from tests import factories

    with Store.open(tmp_path / "g.json", daily_backup=False) as store:
        home = store.save(factories.household("HL01-0001", head_of_household="贺建国"), "测试")
        store.save(
            HardshipCase(
                household_id=home.id,
                tier="deep",
                causes=["illness"],
                members=["贺毅嘉（夫）", "刘芳 (妻)", "贺小(宝)"],
                paired_cadre="staff-1",
                opened_on=dt.date(2026, 11, 1),
            ),
            "测试",
        )
        names = resident_names(store)
        assert {"贺毅嘉", "刘芳", "贺小", "贺毅嘉（夫）"} <= names.names
        assert mask_text("贺毅嘉和刘芳来站里反映", Masker(), names) == "贺**和刘*来站里反映"
