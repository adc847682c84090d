"""Masking of residents' personal information in lists, exports and print
(docs/design.md#personal-information).

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

Free text (a slip's title, a problem's description) goes through :func:`mask_text`, the
one function every list, pane, print and export uses for it: ID and phone numbers
wherever they appear, and every registered resident's name (:func:`resident_names`:
heads of household, hardship-case members, a slip's 当事人, whoever asked for an
appointment), so a neighbour named in someone else's problem is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPOUND_SURNAMES",
    "MASK",
    "Masker",
    "ResidentNames",
    "mask_id",
    "mask_name",
    "mask_phone",
    "mask_text",
    "named_by_query",
    "resident_names",
]

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

    def status(self, value: str | None) -> str:
        """A family's hardship standing (困难等级, 低保户 …) as shown in a document that
        leaves the station: "**" or, unmasked, as it is ("" stays "")."""
        if self.unmasked:
            return _plain(value)
        return MASK * 2 if _text(value) else ""


def named_by_query(query: str | None, *values: str | None) -> bool:
    """Whether ``query`` is one of ``values`` typed whole (spaces and case aside).

    A worker who typed a household's whole name or 户号 into a search knows it already:
    that household's row may show the name whole, so that two 王** can be told apart.
    Part of a name, pinyin initials or part of a 户号 prove nothing and keep it masked.
    """
    typed = _text(query).casefold()
    return bool(typed) and any(typed == _text(v).casefold() for v in values if v)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


# -- free text ---------------------------------------------------------------------------------

_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def _clean_names(names: Iterable[str | None]) -> set[str]:
    """``names`` without surrounding whitespace, one-character names, ``None`` and ""."""
    return {s for n in names if n and len(s := n.strip()) >= 2}


class ResidentNames:
    """A set of residents' names, found in free text in one pass.

    Built once per list or export (:func:`resident_names` keeps it until a household,
    case, slip or appointment changes), then :meth:`mask` looks only at the positions of
    a text holding the first character of some name (found by one compiled character
    class, in C) and, there, for the longest name that starts there among the lengths
    names beginning with that character have: the cost grows with the text, not with the
    number of residents (a street office registers tens of thousands).
    """

    __slots__ = ("_by_first", "_scan", "names")

    names: frozenset[str]
    #: First character of a name → the lengths of the names starting with it, longest first.
    _by_first: dict[str, tuple[int, ...]]
    #: ``search`` of a character class of those first characters (None: no names).
    _scan: Callable[..., re.Match[str] | None] | None

    def __init__(self, names: Iterable[str | None] = ()) -> None:
        self._setup(frozenset(_clean_names(names)))

    def _setup(self, names: frozenset[str], base: ResidentNames | None = None) -> None:
        """Index ``names`` (already clean); ``base``: a subset already indexed."""
        self.names = names
        by_first: dict[str, tuple[int, ...]] = dict(base._by_first) if base else {}
        added = names - base.names if base else names
        # (first character, length) pairs: a few hundred, however many names there are.
        for first, length in {(n[0], len(n)) for n in added}:
            lengths = by_first.get(first, ())
            if length not in lengths:
                by_first[first] = tuple(sorted((*lengths, length), reverse=True))
        self._by_first = by_first
        if base is not None and by_first.keys() == base._by_first.keys():
            self._scan = base._scan
        else:
            chars = "".join(re.escape(c) for c in sorted(by_first))
            self._scan = re.compile(f"[{chars}]").search if chars else None

    @classmethod
    def _of_clean(cls, names: frozenset[str], base: ResidentNames | None = None) -> ResidentNames:
        made = cls.__new__(cls)
        made._setup(names, base)
        return made

    def __or__(self, other: Iterable[str | None]) -> ResidentNames:
        more = other.names if isinstance(other, ResidentNames) else _clean_names(other)
        if more <= self.names:
            return self
        return ResidentNames._of_clean(self.names | more, base=self)

    def __len__(self) -> int:
        return len(self.names)

    def mask(self, text: str) -> str:
        """``text`` with every name of the set masked where it occurs whole.

        From left to right, the longest name starting at a position is masked and the
        search goes on after it (so of 王小 and 王小明, "王小明" is masked whole)."""
        scan = self._scan
        if scan is None or not text:
            return text
        found = scan(text)
        if found is None:
            return text
        by_first, names = self._by_first, self.names
        parts: list[str] = []
        start = 0
        while found is not None:
            i = found.start()
            for length in by_first[text[i]]:
                candidate = text[i : i + length]
                if len(candidate) == length and candidate in names:
                    parts += [text[start:i], mask_name(candidate)]
                    start = i + length
                    found = scan(text, start)
                    break
            else:
                found = scan(text, i + 1)
        if not parts:
            return text
        parts.append(text[start:])
        return "".join(parts)


#: A relation written after a name, as hardship-case members are kept: 贺毅嘉（夫）.
_RELATION = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")

#: Where residents' names are kept: (kind, field); a list field holds several names.
RESIDENT_NAME_FIELDS: tuple[tuple[str, str], ...] = (
    ("household", "head_of_household"),
    ("hardship_case", "members"),
    ("handoff_slip", "person_name"),
    ("appointment", "requested_by"),
)


def resident_names(store: Any) -> ResidentNames:
    """Every registered resident's name in ``store``, for :func:`mask_text`.

    Kept by the store (:meth:`Store.derived`) until a document of one of those kinds
    changes, so lists and exports may ask for it on every call. The names of each kind
    are kept apart too, so that a changed slip reads the slips again, not the
    households.
    """
    kinds = tuple(dict.fromkeys(kind for kind, _field in RESIDENT_NAME_FIELDS))
    derived = getattr(store, "derived", None)

    def of_kind(kind: str, name_field: str) -> frozenset[str]:
        names: set[str] = set()
        add = names.add
        for raw in store.raw(kind):
            value = raw.get(name_field)
            if isinstance(value, str):
                add(value)
            elif isinstance(value, list):
                names.update(v for v in value if isinstance(v, str))
        # A family member is kept as 贺毅嘉（夫）: the name alone is masked too.
        bare = {_RELATION.sub("", n) for n in names if _RELATION.search(n)}
        names.update(n for n in bare if n)
        return frozenset(_clean_names(names))

    def build() -> ResidentNames:
        parts = [
            derived(
                f"masking:resident-names:{kind}:{name_field}",
                (kind,),
                lambda kind=kind, name_field=name_field: of_kind(kind, name_field),
            )
            if derived
            else of_kind(kind, name_field)
            for kind, name_field in RESIDENT_NAME_FIELDS
        ]
        return ResidentNames._of_clean(frozenset().union(*parts))

    return derived("masking:resident-names", kinds, build) if derived else build()


#: Every ID and phone number :func:`mask_text` masks holds three digits in a row; a text
#: without them (most titles and asks) skips the three searches.
_NUMBER_HINT = re.compile(r"\d{3}")


def mask_text(
    text: str | None, masker: Masker, names: ResidentNames | Iterable[str | None] = ()
) -> str:
    """Free text with ID numbers, phone numbers and the given residents' names masked.

    Names are masked where they occur whole ("张桂兰反映" → "张**反映"); ID numbers and
    mobile or fixed-line numbers wherever they appear. Pass :func:`resident_names` of the
    store (with any extra names: ``resident_names(store) | [name]``) so that every
    registered resident is masked, not only the one the text is about. Unmasked: the
    text as it is.
    """
    if masker.unmasked or not text:
        return text or ""
    if _NUMBER_HINT.search(text) is not None:
        text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
        text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
        text = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    found = names if isinstance(names, ResidentNames) else ResidentNames(names)
    return found.mask(text)
