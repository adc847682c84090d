"""Masking of residents' personal information in lists, exports and print (DESIGN.md §6).

The store keeps names, ID numbers and phone numbers whole; whatever shows them in a list
or writes them out goes through a :class:`Masker`, so that one flag, chosen explicitly by
the user (and recorded in the audit trail by the caller), decides whether they appear
masked or in full::

    masker = Masker()                 # masked, the default
    masker.name("张桂兰")              # "张**"
    masker.id("430121195803121234")   # "4301**********1234"
    masker.phone("13812345678")       # "138****5678"

The functions never raise: odd input (too short, spaces, letters, ``None``) is masked
completely except for at most the parts that are safe to show. In particular no output
ever holds more than four consecutive characters of an ID number, or more than the
three-digit prefix and last four digits of a mobile number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["COMPOUND_SURNAMES", "MASK", "Masker", "mask_id", "mask_name", "mask_phone"]

MASK = "*"

#: Two-character surnames; a masked name keeps both characters ("欧阳**").
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "澹台",
        "端木",
        "西门",
        "南宫",
        "万俟",
        "单于",
        "呼延",
        "轩辕",
        "独孤",
        "申屠",
        "闻人",
    }
)

_SPACES = re.compile(r"\s+")
# What people type between the parts of a phone number.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()（）.]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_DIGITS = re.compile(r"\d+")


def _text(value: Any) -> str:
    """``value`` as a string without any whitespace; ``None`` and "" become ""."""
    if value is None:
        return ""
    return _SPACES.sub("", value if isinstance(value, str) else str(value))


def mask_name(name: str | None) -> str:
    """Keep the surname, mask the given name: "张三" → "张*", "张桂兰" → "张**".

    A compound surname (欧阳, 司马, 诸葛 … see :data:`COMPOUND_SURNAMES`) is kept whole
    when a given name follows it: "欧阳秀英" → "欧阳**". A one-character name becomes "*";
    a two-character name is always surname plus given name ("欧阳" → "欧*"). Whitespace is
    dropped; ``None`` and "" give "".
    """
    text = _text(name)
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    keep = 2 if len(text) > 2 and text[:2] in COMPOUND_SURNAMES else 1
    return text[:keep] + MASK * (len(text) - keep)


def mask_id(id_number: str | None) -> str:
    """Keep the first four (region) and last four characters of an ID number.

    "430121195803121234" → "4301**********1234"; a 15-digit ID likewise. Anything shorter
    than 12 characters is masked completely, since keeping eight of it would show most of
    it. Whitespace is dropped; ``None`` and "" give "".
    """
    text = _text(id_number)
    if not text:
        return ""
    if len(text) < 12:
        return MASK * len(text)
    return text[:4] + MASK * (len(text) - 8) + text[-4:]


def _area_code_length(digits: str) -> int:
    # Beijing (010) and the 02x cities have three-digit area codes; all others four.
    return 3 if digits[1:2] in ("1", "2") else 4


def mask_phone(phone: str | None) -> str:
    """Mask the middle of a phone number.

    - a mobile number (after removing +86, spaces and dashes): "13812345678" →
      "138****5678";
    - a fixed line with area code: "0731-84012345" → "0731-****2345" (the area code is
      not personal and stays);
    - a local number of 7–8 digits: "84012345" → "****2345";
    - anything else: everything but the last four characters masked (all of it when it
      is shorter than 8 characters).

    ``None`` and "" give "".
    """
    if phone is None:
        return ""
    raw = phone if isinstance(phone, str) else str(phone)
    compact = _PHONE_SEPARATORS.sub("", raw)
    if not compact:
        return ""
    digits = compact
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if digits.isascii() and digits.isdigit():
        if _MOBILE.fullmatch(digits):
            return digits[:3] + MASK * 4 + digits[-4:]
        if digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
            return digits[2:5] + MASK * 4 + digits[-4:]
        if digits.startswith("0") and len(digits) >= 10:
            code_len = _area_code_length(digits)
            code, number = digits[:code_len], digits[code_len:]
            if 7 <= len(number) <= 8:
                return f"{code}-{MASK * (len(number) - 4)}{number[-4:]}"
        if 7 <= len(digits) <= 8:
            return MASK * (len(digits) - 4) + digits[-4:]
    if len(compact) < 8:
        return MASK * len(compact)
    return MASK * (len(compact) - 4) + compact[-4:]


@dataclass(frozen=True, slots=True)
class Masker:
    """One decision, masked or not, applied to every name, ID and phone of a list or export.

    ``Masker()`` masks; ``Masker(unmasked=True)`` shows values whole (``None`` still
    becomes ""). Showing unmasked data is the user's explicit choice, and the caller
    records it in the audit trail (:meth:`Store.record_access`).
    """

    unmasked: bool = False

    def name(self, value: str | None) -> str:
        """The name as shown: "张**" or, unmasked, "张桂兰"."""
        return _plain(value) if self.unmasked else mask_name(value)

    def id(self, value: str | None) -> str:
        """The ID number as shown: "4301**********1234" or, unmasked, whole."""
        return _plain(value) if self.unmasked else mask_id(value)

    def phone(self, value: str | None) -> str:
        """The phone number as shown: "138****5678" or, unmasked, whole."""
        return _plain(value) if self.unmasked else mask_phone(value)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
