"""Issue #21: a 15-digit ID number is refused with its 18-digit number offered; an
unknown county code is a warning, not a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.validators import (
    check_id_number,
    id_check_char,
    id_from_15,
    id_number_warnings,
)


def test_the_conversion_inserts_19_and_computes_the_check_digit() -> None:
    # 110105 491231 002 → 110105 19491231 002 + check (GB 11643-1999's own example)
    assert id_from_15("110105491231002") == "11010519491231002X"
    # the check digit computed here from the weights of GB 11643-1999, not by id_check_char
    first17 = "43010219850317123"
    total = sum(
        int(d) * w
        for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    assert id_from_15("430102850317123") == first17 + "10X98765432"[total % 11]
    assert check_id_number(id_from_15("430102850317123") or "", today=date(2026, 12, 7))


@pytest.mark.parametrize(
    "value", ["43010285133112", "4301028513311234", "430102851331123", "4301O2850317123"]
)
def test_no_conversion_of_what_is_not_a_15_digit_number(value: str) -> None:
    # 14 and 16 digits, a month 13, a letter O among the digits
    assert id_from_15(value) is None


def test_a_15_digit_number_is_refused_with_the_18_digit_one_offered() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_id_number("430102850317123")
    message = str(refused.value)
    expected = "43010219850317123" + id_check_char("43010219850317123")
    assert message.startswith("身份证号")
    assert "15 位的旧号码" in message and expected in message


def test_a_15_digit_number_with_no_real_birth_date_is_refused_without_an_offer() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_id_number("430102851331123")
    assert "请换算为 18 位" in str(refused.value)


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("area", ["430002", "430100", "110000"])
def test_an_unknown_county_code_is_a_warning(area: str) -> None:
    number = _with_check(f"{area}19850317123")
    assert check_id_number(number) == number  # not refused
    warnings = id_number_warnings(number)
    assert len(warnings) == 1
    assert warnings[0].startswith("身份证号") and area in warnings[0] and "县级" in warnings[0]


def test_known_county_codes_and_hong_kong_give_no_warning() -> None:
    assert id_number_warnings(_with_check("43010219850317123")) == []
    assert id_number_warnings(_with_check("81000019850317123")) == []


def test_the_household_import_refuses_the_row_offering_the_18_digit_number(tmp_path) -> None:
    from grassroots_tui.services.household_import import preview_import, read_ledger
    from tests.factories import STATION_ID

    path = tmp_path / "住户.csv"
    county = _with_check("43000219850317123")
    path.write_text(
        "户号,户主姓名,身份证号,地址\n"
        "0101,张三,430102850317123,湘龙小区1栋\n"
        f"0102,李四,{county},湘龙小区2栋\n",
        encoding="utf-8",
    )
    found = preview_import([], STATION_ID, read_ledger(path), date(2026, 12, 7))
    (problem,) = found.rejected
    assert (problem.row, problem.column) == (2, "身份证号")
    assert id_from_15("430102850317123") in problem.reason
    assert [h.household_no for h in found.adds] == ["0102"]  # the county code only warns
    assert any("第 3 行「身份证号」" in w and "430002" in w for w in found.warnings)
