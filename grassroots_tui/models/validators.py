"""Pure checks of single values, shared by the models and (later) by importers.

Each check returns the normalised value or raises :class:`InvalidValue`, a ``ValueError``
whose text names the field ("身份证号：校验码错误，应为 X"), in the interface language
(:func:`grassroots_tui.lang.tr`, English in ``locale/en/models.json``). Inside a model the
field's own title is used instead of the default label, so the same check serves any
field. Nothing here does I/O; the only outside input is today's date for birth dates.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models.errors import InvalidValue, required

# -- resident ID numbers (GB 11643-1999) ---------------------------------------------

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

#: The first two digits of a valid ID number: provinces, autonomous regions and
#: municipalities (GB/T 2260), plus Taiwan (71), Hong Kong (81), Macao (82) and the
#: residence permits of Taiwan residents (83).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
    "71": "台湾",
    "81": "香港",
    "82": "澳门",
    "83": "台湾居民居住证",
}

EARLIEST_BIRTH_YEAR = 1900


def _clean(value: str) -> str:
    """Full-width digits and letters to ASCII (Chinese input methods type them)."""
    return unicodedata.normalize("NFKC", value).strip()


def id_check_char(first17: str) -> str:
    """The check character of the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_number(value: str, *, today: date | None = None) -> str:
    """Return the ID number normalised (upper-case X), or raise :class:`InvalidValue`.

    Checks the length, the digits, the birth date (a real date, not before 1900, not
    after today) and the check character. The region code is not an error; see
    :func:`id_number_warnings`.
    """
    label = tr("身份证号")
    if not isinstance(value, str):
        raise InvalidValue(tr("应为文本"), label=label)
    s = re.sub(r"\s+", "", _clean(value)).upper()
    if len(s) == 15 and s.isascii() and s.isdigit():
        converted = id_from_15(s)
        if converted:
            reason = tr(
                "应为 18 位（这是 15 位的旧号码，换算为 18 位是 {number}）", number=converted
            )
        else:
            reason = tr("应为 18 位（这是 15 位的旧号码，请换算为 18 位）")
        raise InvalidValue(reason, label=label)
    if len(s) != 18:
        raise InvalidValue(tr("应为 18 位，实际 {n} 位", n=len(s)), label=label)
    if not s[:17].isascii() or not s[:17].isdigit():
        raise InvalidValue(tr("前 17 位必须是数字"), label=label)
    if s[17] not in "0123456789X":
        raise InvalidValue(tr("最后一位必须是数字或 X"), label=label)
    birth = s[6:14]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        raise InvalidValue(
            tr("出生日期 {birth} 不是真实存在的日期", birth=birth), label=label
        ) from None
    if born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidValue(
            tr("出生日期 {birth} 早于 {year} 年，不合理", birth=birth, year=EARLIEST_BIRTH_YEAR),
            label=label,
        )
    if born > (today or date.today()):
        raise InvalidValue(tr("出生日期 {birth} 晚于今天，不合理", birth=birth), label=label)
    expected = id_check_char(s[:17])
    if s[17] != expected:
        raise InvalidValue(tr("校验码错误，应为 {expected}", expected=expected), label=label)
    return s


def id_from_15(value: str) -> str | None:
    """The 18-digit number of a 15-digit one (issued before 1999): "19" inserted after
    the 6-digit area code and the check character computed; None when ``value`` is not
    15 digits or its birth date (19YYMMDD) is no real date."""
    s = re.sub(r"\s+", "", _clean(value)) if isinstance(value, str) else ""
    if len(s) != 15 or not s.isascii() or not s.isdigit():
        return None
    try:
        date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    except ValueError:
        return None
    first17 = f"{s[:6]}19{s[6:]}"
    return first17 + id_check_char(first17)


#: Province codes whose numbers carry no mainland prefecture and county (Taiwan, Hong
#: Kong, Macao, the Taiwan residents' permits: 810000, 820000, 830000…).
_NO_COUNTY = frozenset({"71", "81", "82", "83"})


def id_number_warnings(value: str) -> list[str]:
    """Doubts about an ID number that are not errors: an unknown province code, or a
    mainland area code whose prefecture (digits 3–4) or county (digits 5–6) is 00,
    which no county-level division has (GB/T 2260)."""
    s = _clean(value) if isinstance(value, str) else ""
    code = s[:2]
    if len(code) == 2 and code not in PROVINCE_CODES:
        return [tr("身份证号：前两位地区码 {code} 不是已知的省级行政区代码，请核对", code=code)]
    area = s[:6]
    if code not in _NO_COUNTY and len(area) == 6 and area.isdigit():
        if area[2:4] == "00" or area[4:6] == "00":
            return [
                tr(
                    "身份证号：前六位地区码 {area} 不是已知的县级行政区代码"
                    "（第 3–4 位或第 5–6 位为 00），请核对",
                    area=area,
                )
            ]
    return []


def id_birth_date(value: str) -> date | None:
    """The birth date encoded in a (valid) ID number, or None."""
    try:
        s = check_id_number(value)
    except InvalidValue:
        return None
    return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


# -- phone numbers --------------------------------------------------------------------

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()（）]")


def _strip_country(s: str) -> str:
    if s.startswith("+86"):
        return s[3:]
    if s.startswith("0086"):
        return s[4:]
    if s.startswith("86") and len(s) == 13:
        return s[2:]
    return s


def normalise_mobile(value: str) -> str:
    """Return an 11-digit mobile number or raise :class:`InvalidValue`.

    Removes +86 / 0086, spaces and dashes; the rest must match ``^1[3-9]\\d{9}$``.
    """
    label = tr("联系电话")
    if not isinstance(value, str):
        raise InvalidValue(tr("应为文本"), label=label)
    s = _strip_country(_SEPARATORS.sub("", _clean(value)))
    if not MOBILE_RE.match(s) or not s.isascii():
        raise InvalidValue(tr("不是有效的手机号码"), label=label)
    return s


_LANDLINE_RE = re.compile(r"^(0\d{2,3})(\d{7,8})$")
_LOCAL_RE = re.compile(r"^[2-9]\d{6,7}$")


def normalise_phone(value: str) -> str:
    """A mobile number (as :func:`normalise_mobile`) or a fixed line.

    Fixed lines are written "区号-号码" ("0731-84012345", "010-62345678"); a local
    number of 7–8 digits without area code is kept as it is.
    """
    label = tr("联系电话")
    if not isinstance(value, str):
        raise InvalidValue(tr("应为文本"), label=label)
    try:
        return normalise_mobile(value)
    except InvalidValue:
        pass
    s = _SEPARATORS.sub("", _clean(value))
    if s.startswith("+86") or s.startswith("0086"):
        s = "0" + _strip_country(s)
    if s.isascii() and s.isdigit():
        if _LOCAL_RE.match(s):
            return s
        if s.startswith("0") and len(s) > 1:
            # Beijing (010) and 02x are three-digit area codes; all others have four.
            code_len = 3 if s[1] in "12" else 4
            code, number = s[:code_len], s[code_len:]
            if _LANDLINE_RE.match(s) and 7 <= len(number) <= 8 and number[0] != "0":
                return f"{code}-{number}"
    raise InvalidValue(tr("不是有效的手机号码或固定电话"), label=label)


# -- money ----------------------------------------------------------------------------

YUAN_PATTERN = r"^\d+\.\d{2}$"
MAX_YUAN = Decimal("99999999.99")
_CENT = Decimal("0.01")


def check_yuan(value: Any) -> Decimal:
    """An amount in yuan as an exact two-place ``Decimal``, or raise :class:`InvalidValue`.

    Accepts ``Decimal``, ``int``, ``float`` (by its shortest decimal form) and text such
    as "200", "0.1", "¥1,200.50", "35元". Refuses negative amounts, more than two decimal
    places, NaN/infinity and amounts of 100 million yuan or more.
    """
    label = tr("金额")
    if isinstance(value, bool):
        raise InvalidValue(tr("应为金额数字，如 200.00"), label=label)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float):
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError):
            raise InvalidValue(tr("应为金额数字，如 200.00"), label=label) from None
    elif isinstance(value, str):
        text = _clean(value)
        text = text.replace(",", "").replace("¥", "").replace("元", "").strip()
        if not text or len(text) > 40 or not re.fullmatch(r"[+-]?[\d.eE+-]+", text):
            raise InvalidValue(tr("应为金额数字，如 200.00"), label=label)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise InvalidValue(tr("应为金额数字，如 200.00"), label=label) from None
    else:
        raise InvalidValue(tr("应为金额数字，如 200.00"), label=label)
    if not amount.is_finite():
        raise InvalidValue(tr("应为有限的金额数字"), label=label)
    if amount < 0:
        raise InvalidValue(tr("不能为负数"), label=label)
    if amount > MAX_YUAN:
        raise InvalidValue(tr("金额过大（须小于一亿元）"), label=label)
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise InvalidValue(tr("最多保留两位小数（精确到分）"), label=label)
    return cents


def format_yuan(value: Decimal) -> str:
    """The JSON form of an amount: "200.00"."""
    return f"{value.quantize(_CENT):f}"


# -- station settings -----------------------------------------------------------------

STATION_CODE_RE = re.compile(r"^[A-Z0-9]{2,16}$")


def check_station_code(value: str) -> str:
    """A station code such as "HL01": 2–16 upper-case letters and digits."""
    label = tr("站点代码")
    s = _clean(value).upper() if isinstance(value, str) else ""
    if not STATION_CODE_RE.match(s) or not s.isascii():
        raise InvalidValue(tr("只能由 2–16 位大写字母和数字组成，如 HL01"), label=label)
    return s


def check_slip_number_format(value: str) -> str:
    """A slip number template: may use only ``{year}`` and ``{seq}`` and must use ``{seq}``.

    Example: "湘龙群交〔{year}〕第{seq:04d}号" → "湘龙群交〔2026〕第0001号".
    """
    label = tr("交办单编号格式")
    if not isinstance(value, str) or not value:
        raise InvalidValue(required(), label=label)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
    except ValueError:
        raise InvalidValue(tr("花括号不成对"), label=label) from None
    for name in fields:
        if name not in ("year", "seq"):
            raise InvalidValue(
                tr(
                    "只能使用 {year}（年份）和 {seq}（序号），不能使用 {name}",
                    year="{year}",
                    seq="{seq}",
                    name=f"{{{name}}}",
                ),
                label=label,
            )
    if "seq" not in fields:
        raise InvalidValue(tr("必须包含序号 {seq}，否则编号会重复", seq="{seq}"), label=label)
    try:
        value.format(year=2026, seq=1)
    except (ValueError, TypeError, IndexError, KeyError):
        raise InvalidValue(
            tr("格式写法有误，如 {example}", example="第{seq:04d}号"), label=label
        ) from None
    return value


PERIOD_RE = re.compile(r"^\d{4}(?:Q[1-4]|-(?:0[1-9]|1[0-2]))?$")


def check_period(value: str) -> str:
    """An appraisal period: a year "2026", a quarter "2026Q3" or a month "2026-09"."""
    label = tr("考核期间")
    s = _clean(value).upper() if isinstance(value, str) else ""
    if not PERIOD_RE.match(s):
        raise InvalidValue(
            tr("格式应为 年份（2026）、季度（2026Q3）或月份（2026-09）"), label=label
        )
    return s


def check_distinct(values: list[Any], what: str | None = None) -> list[Any]:
    """Refuse a list with repeated entries. ``what`` names an entry, in the current
    language (``tr("走访人员")``); an enum member is shown by its label."""
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            label = tr(v.label) if hasattr(v, "label") else v
            raise InvalidValue(tr("{what}「{value}」重复出现", what=what or tr("项"), value=label))
        seen.add(v)
    return values
