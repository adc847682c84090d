"""The pure value checks in grassroots_tui.models.validators."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.validators import (
    check_id_number,
    check_period,
    check_slip_number_format,
    check_station_code,
    check_yuan,
    format_yuan,
    id_birth_date,
    id_number_warnings,
    normalise_mobile,
    normalise_phone,
)

# The algorithm, written out again here so the test does not trust the code under test.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def with_check(first17: str) -> str:
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def wrong_check(number: str) -> str:
    other = next(c for c in "0123456789X" if c != number[17])
    return number[:17] + other


# -- ID numbers -------------------------------------------------------------------------


def test_known_valid_id_number():
    assert with_check("11010519491231002") == "11010519491231002X"
    assert check_id_number("11010519491231002X") == "11010519491231002X"


def test_lowercase_x_is_normalised():
    assert check_id_number("11010519491231002x") == "11010519491231002X"


def test_full_width_and_spaces_are_normalised():
    assert check_id_number(" １１０１０５ 19491231002Ｘ ") == "11010519491231002X"


@pytest.mark.parametrize(
    "first17",
    ["43010219850317123", "44030620000229456", "32058319900101001", "65010119000101999"],
)
def test_built_id_numbers_are_valid(first17):
    number = with_check(first17)
    assert check_id_number(number) == number


def test_wrong_check_character_names_the_right_one():
    number = with_check("43010219850317123")
    bad = wrong_check(number)
    with pytest.raises(InvalidValue) as info:
        check_id_number(bad)
    assert info.value.reason == f"校验码错误，应为 {number[17]}"
    assert str(info.value) == f"身份证号：校验码错误，应为 {number[17]}"


@pytest.mark.parametrize(
    "birth, why",
    [
        ("20260230", "不是真实存在的日期"),
        ("19991301", "不是真实存在的日期"),
        ("20230229", "不是真实存在的日期"),
        ("18991231", "早于 1900 年"),
    ],
)
def test_impossible_birth_dates_are_refused(birth, why):
    number = with_check("430102" + birth + "123")
    with pytest.raises(InvalidValue, match=why):
        check_id_number(number)


def test_birth_date_in_the_future_is_refused():
    tomorrow = date.today() + timedelta(days=1)
    number = with_check("430102" + tomorrow.strftime("%Y%m%d") + "123")
    with pytest.raises(InvalidValue, match="晚于今天"):
        check_id_number(number)
    # ...but the same number is fine once that day has come.
    assert check_id_number(number, today=tomorrow) == number


def test_leap_day_birth_is_accepted():
    number = with_check("43010220000229123")
    assert id_birth_date(number) == date(2000, 2, 29)


@pytest.mark.parametrize(
    "value, why",
    [
        ("1101051949123100", "应为 18 位，实际 16 位"),
        ("11010519491231002X1", "应为 18 位，实际 19 位"),
        ("110105491231002", "15 位的旧号码"),
        ("", "应为 18 位，实际 0 位"),
        ("1101051949123100AX", "前 17 位必须是数字"),
        ("11010519491231002Y", "最后一位必须是数字或 X"),
    ],
)
def test_malformed_id_numbers(value, why):
    with pytest.raises(InvalidValue, match=why):
        check_id_number(value)


def test_unknown_region_is_only_a_warning():
    number = with_check("99010219850317123")
    assert check_id_number(number) == number
    warnings = id_number_warnings(number)
    assert len(warnings) == 1 and "99" in warnings[0] and "身份证号" in warnings[0]
    assert id_number_warnings(with_check("43010219850317123")) == []
    assert id_number_warnings(with_check("81000019850317123")) == []  # Hong Kong


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(["11", "31", "43", "44", "65", "82"]),
    rest=st.text("0123456789", min_size=4, max_size=4),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    seq=st.text("0123456789", min_size=3, max_size=3),
)
def test_every_correctly_built_id_number_passes_and_every_altered_one_fails(
    region, rest, born, seq
):
    number = with_check(region + rest + born.strftime("%Y%m%d") + seq)
    assert check_id_number(number) == number
    assert id_birth_date(number) == born
    with pytest.raises(InvalidValue, match="校验码错误"):
        check_id_number(wrong_check(number))


# -- phones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_normalisation(raw):
    assert normalise_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "0731-84012345", "abc", "", "+1 212"]
)
def test_invalid_mobiles(raw):
    with pytest.raises(InvalidValue) as info:
        normalise_mobile(raw)
    assert str(info.value) == "联系电话：不是有效的手机号码"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0731-84012345", "0731-84012345"),
        ("073184012345", "0731-84012345"),
        ("(010) 6234 5678", "010-62345678"),
        ("+86 10 62345678", "010-62345678"),
        ("84012345", "84012345"),
        ("139 0000 1111", "13900001111"),
    ],
)
def test_phone_accepts_fixed_lines(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["123", "0731-123", "00000000", "138-1234"])
def test_invalid_phones(raw):
    with pytest.raises(InvalidValue, match="不是有效的手机号码或固定电话"):
        normalise_phone(raw)


# -- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0.10", "0.10"),
        ("0.1", "0.10"),
        ("200", "200.00"),
        (200, "200.00"),
        (0.1, "0.10"),
        (Decimal("12.5"), "12.50"),
        ("¥1,200.50", "1200.50"),
        ("35元", "35.00"),
        ("１２.３", "12.30"),
        ("1.230", "1.23"),
        ("0", "0.00"),
    ],
)
def test_yuan_is_exact_with_two_places(raw, expected):
    amount = check_yuan(raw)
    assert isinstance(amount, Decimal)
    assert format_yuan(amount) == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "raw, why",
    [
        ("1.234", "最多保留两位小数"),
        (0.001, "最多保留两位小数"),
        (0.1 + 0.2, "最多保留两位小数"),
        ("-1", "不能为负数"),
        ("NaN", "应为金额数字"),
        (float("nan"), "有限"),
        (float("inf"), "有限"),
        ("100000000", "金额过大"),
        ("abc", "应为金额数字"),
        ("", "应为金额数字"),
        (True, "应为金额数字"),
        (None, "应为金额数字"),
        ("1" * 100, "应为金额数字"),
    ],
)
def test_bad_amounts(raw, why):
    with pytest.raises(InvalidValue, match=why):
        check_yuan(raw)


# -- station settings -------------------------------------------------------------------


def test_station_code():
    assert check_station_code("hl01") == "HL01"
    for bad in ["H", "HL-01", "湘龙01", "", "A" * 17]:
        with pytest.raises(InvalidValue, match="大写字母和数字"):
            check_station_code(bad)


def test_slip_number_format():
    fmt = "湘龙群交〔{year}〕第{seq:04d}号"
    assert check_slip_number_format(fmt) == fmt
    assert fmt.format(year=2026, seq=7) == "湘龙群交〔2026〕第0007号"
    with pytest.raises(InvalidValue, match="必须包含序号"):
        check_slip_number_format("湘龙群交〔{year}〕")
    with pytest.raises(InvalidValue, match="不能使用"):
        check_slip_number_format("{seq}{name}")
    with pytest.raises(InvalidValue, match="不能使用"):
        check_slip_number_format("{seq.__class__}")
    with pytest.raises(InvalidValue, match="花括号不成对"):
        check_slip_number_format("第{seq号")
    with pytest.raises(InvalidValue, match="格式写法有误"):
        check_slip_number_format("第{seq:zz}号")


def test_period():
    assert check_period("2026") == "2026"
    assert check_period("2026q3") == "2026Q3"
    assert check_period("2026-09") == "2026-09"
    for bad in ["26", "2026Q5", "2026-13", "2026-9"]:
        with pytest.raises(InvalidValue, match="格式应为"):
            check_period(bad)


def test_a_lone_zero_is_refused_as_a_phone_number_not_a_crash():
    from grassroots_tui.models.validators import InvalidValue, normalise_phone

    with pytest.raises(InvalidValue, match="联系电话"):
        normalise_phone("0")
