"""Pinyin for searching and sorting Chinese text: 张三 → "zs", "zhangsan".

Workers look households up by typing the initials of the head of household's name
("zgl" for 张桂兰) or its full pinyin; lists of people are sorted by pinyin, the way a
Chinese phone book is. Everything here is pure and cached, so that a list of 50,000
names is converted once (about a second) and then answered from memory.

Readings come from pypinyin with its defaults (``heteronym=False``, phrase-aware), so a
polyphonic character gets its most common reading. Surnames are the well-known trap:
曾 reads "ceng" in ordinary text but "zeng" as a surname. Where a function is about
*names* (:func:`sort_key`, and ``name=True`` on :func:`initials` / :func:`full_pinyin`),
the leading surname is read with :data:`SURNAME_READINGS`; :func:`score` and
:func:`search_text` accept either reading, so "zgf" and "cgf" both find 曾国藩.

Characters that are not Chinese are kept as they are, lowercased: ``initials("A栋")`` is
``"ad"``.

pypinyin is imported only when it is first needed: importing it takes about a quarter
of a second (its phrase table, parsed with the standard ``json``, and a segmenter built
from it), which was the largest part of the program's start. The first few texts (the
staff listed on the sign-in screen) are read from pypinyin's own data files instead,
looked up without loading them (:class:`_DataFiles`), with the same result: a text
is read that way only when no phrase of pypinyin's table inside it is read differently
from its characters read one by one; otherwise, and after :data:`_FEW` texts, pypinyin
itself is used. tests/test_pinyin.py compares both ways on every character and every
phrase of the table.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import orjson

__all__ = [
    "GIVEN_NAME_READINGS",
    "SURNAME_READINGS",
    "full_pinyin",
    "initials",
    "score",
    "search_text",
    "sort_key",
    "syllables",
]

#: Enough room for every name and address of a large street office.
_CACHE = 1 << 17

#: Surname readings that differ from pypinyin's everyday reading of the character(s).
#: Compound surnames come first in the lookup (longest match wins).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    # compound surnames
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "万俟": ("mo", "qi"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    # single-character surnames
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "区": ("ou",),
    "盖": ("ge",),
    "乐": ("yue",),
    "覃": ("qin",),
    "翟": ("zhai",),
    "缪": ("miao",),
    "召": ("shao",),
    "种": ("chong",),
    "员": ("yun",),
    "秘": ("bi",),
    "繁": ("po",),
    "阚": ("kan",),
    "句": ("gou",),
    "隗": ("wei",),
    "尉": ("wei",),
    "薄": ("bo",),
    "藏": ("zang",),
    "黑": ("he",),
    "重": ("chong",),
    "长": ("chang",),
    "柏": ("bai",),
    "折": ("she",),
    "能": ("nai",),
    "蔚": ("yu",),
    "粘": ("nian",),
    "佴": ("nai",),
    "都": ("du",),
    "卜": ("bu",),
}

#: Characters of given names that are read either way (行 xíng/háng, 乐 lè/yuè, 朝
#: zhāo/cháo, 茜 qiàn/xī, 单 dān/shàn): in a name, :func:`score` and :func:`search_text`
#: accept every reading, as a worker cannot know which one the family uses.
GIVEN_NAME_READINGS: dict[str, tuple[str, ...]] = {
    "行": ("xing", "hang"),
    "乐": ("le", "yue"),
    "朝": ("zhao", "chao"),
    "茜": ("qian", "xi"),
    "单": ("dan", "shan"),
}
#: A text read as a person's name (given-name readings tried): this many characters at
#: most, all Chinese (尉迟敬德 is four).
_NAME_CHARS = 4


def _is_han_syllable(item: str) -> bool:
    return item[:1] != "\x00"


def _mark_other(chars: str) -> list[str]:
    # pypinyin hands runs of non-Chinese characters to this callback; mark them so that
    # they can be told apart from syllables (a run such as "abc" must not become "a").
    return ["\x00" + chars]


@lru_cache(maxsize=_CACHE)
def _pieces(text: str) -> tuple[tuple[str, bool], ...]:
    """``(piece, is_chinese)`` pairs: one syllable per Chinese character, other runs whole."""
    if _pypinyin is None and _quick.uses < _FEW:
        quick = _quick.pieces(text)
        if quick is not None:
            return quick
    return _pypinyin_pieces(text)


def _pypinyin_pieces(text: str) -> tuple[tuple[str, bool], ...]:
    """:func:`_pieces` as pypinyin reads the text."""
    lazy_pinyin, normal = _pypinyin or _import_pypinyin()
    out: list[tuple[str, bool]] = []
    # pypinyin's stubs say an ``errors`` callback returns str, but pypinyin accepts (and
    # documents) a list as well, which is what keeps a run such as "abc" whole.
    for item in lazy_pinyin(text, style=normal, errors=_mark_other):
        if _is_han_syllable(item):
            out.append((item.lower(), True))
        else:
            out.append((item[1:].lower(), False))
    return tuple(out)


#: pypinyin's ``lazy_pinyin`` and ``Style.NORMAL``, once imported.
_pypinyin: tuple[Any, Any] | None = None
_import_lock = threading.Lock()


def _import_pypinyin() -> tuple[Any, Any]:
    global _pypinyin
    with _import_lock:
        if _pypinyin is None:
            from pypinyin import Style, lazy_pinyin

            _pypinyin = (lazy_pinyin, Style.NORMAL)
    return _pypinyin


#: How many texts are read from pypinyin's data files before pypinyin itself is loaded
#: (a long list, such as the visits, is quicker through pypinyin once it is loaded).
_FEW = 256
#: Longer texts go to pypinyin: every run of characters inside is looked up.
_QUICK_LENGTH = 8

#: pypinyin's tone marks, and what its NORMAL style writes for them (ü is written v).
_TONELESS = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ēéěè", "e"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("üǖǘǚǜ", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        "ḿ": "m",
        **dict.fromkeys("ếề", "ê"),
        **dict.fromkeys("\u0300\u0304\u030c"),  # combining marks: m̄ m̀ ê̄ ê̌
    }
)
_SYLLABLE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzê")


def _toneless(reading: str) -> str | None:
    """A reading of pypinyin's tables as its NORMAL style writes it; None for a reading
    this does not know how to write (pypinyin is asked then)."""
    out = reading.translate(_TONELESS)
    return out if out and _SYLLABLE_LETTERS.issuperset(out) else None


class _DataFiles:
    """pypinyin's two tables, read from its data files without loading them whole.

    ``pinyin_dict.json`` maps each character's code point to its readings;
    ``phrases_dict.json`` maps each phrase to the readings of its characters, one entry
    per line group, sorted by phrase (so a phrase is found by bisecting the file).
    :meth:`pieces` reads a text of Chinese characters as pypinyin does: pypinyin cuts
    the text into phrases of its table (and single characters), and reads a phrase from
    the table and a character by its first reading. So when no phrase of the table inside
    the text reads a character otherwise than its first reading, the text reads as its
    characters one by one, however pypinyin cut it.
    """

    def __init__(self) -> None:
        self.uses = 0
        self._loaded = False
        self._lock = threading.Lock()
        self._readings: dict[str, str] = {}
        self._phrases = b""
        self._first: dict[str, str | None] = {}

    def _load(self) -> bool:
        with self._lock:
            if not self._loaded:
                self._loaded = True
                try:
                    spec = find_spec("pypinyin")
                    if spec is None or spec.origin is None or os.environ.get("PYPINYIN_NO_PHRASES"):
                        return False
                    folder = Path(spec.origin).parent
                    phrases = (folder / "phrases_dict.json").read_bytes()
                    readings = orjson.loads((folder / "pinyin_dict.json").read_bytes())
                except (OSError, ValueError):
                    return False
                if not phrases.startswith(b'{\n"') or not isinstance(readings, dict):
                    return False
                self._phrases, self._readings = phrases, readings
        return bool(self._phrases)

    def _syllable(self, char: str) -> str | None:
        """The first reading of a character, toneless; None if it has none."""
        try:
            return self._first[char]
        except KeyError:
            readings = self._readings.get(str(ord(char)))
            found = _toneless(readings.split(",")[0]) if isinstance(readings, str) else None
            self._first[char] = found
            return found

    def phrase(self, word: str) -> list[str] | None:
        """The readings the phrase table gives ``word`` (the first of each character's),
        or None when it is not a phrase of the table. Raises ValueError on an entry
        that is not as expected."""
        data, target = self._phrases, word.encode()
        low, high = 0, len(data)
        while low < high:
            middle = (low + high) // 2
            end = data.find(b'": [\n', middle)  # the end of the first phrase from middle
            if end < 0:
                high = middle
                continue
            start = data.rfind(b'\n"', 0, end) + 2
            key = data[start:end]
            if key < target:
                low = end + 1
            elif key > target:
                high = middle
            else:
                close = data.find(b"]\n]", end)
                value = orjson.loads(data[end + 3 : close + 3])
                if len(value) != len(word) or not all(
                    isinstance(r, list) and r and isinstance(r[0], str) for r in value
                ):
                    raise ValueError(word)
                return [r[0] for r in value]
        return None

    def pieces(self, text: str) -> tuple[tuple[str, bool], ...] | None:
        """:func:`_pieces` of a short text of Chinese characters read as pypinyin reads
        it; None when it cannot be told this way (pypinyin is asked then)."""
        if len(text) > _QUICK_LENGTH or not self._load():
            return None
        syllables: list[str] = []
        for char in text:
            # Chinese characters (well inside pypinyin's own range of them), with a reading.
            if not ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"):
                return None
            syllable = self._syllable(char)
            if syllable is None:
                return None
            syllables.append(syllable)
        try:
            for start in range(len(text)):
                for end in range(start + 1, len(text) + 1):
                    readings = self.phrase(text[start:end])
                    if (
                        readings is not None
                        and [_toneless(r) for r in readings] != syllables[start:end]
                    ):
                        return None  # a phrase read otherwise: pypinyin decides
        except ValueError:
            return None
        self.uses += 1
        return tuple((syllable.lower(), True) for syllable in syllables)


_quick = _DataFiles()


def _surname(text: str) -> tuple[int, tuple[str, ...]] | None:
    """The (length, readings) of a leading polyphonic surname of ``text``, if any."""
    for length in (2, 1):
        readings = SURNAME_READINGS.get(text[:length])
        if readings is not None:
            return length, readings
    return None


@lru_cache(maxsize=_CACHE)
def _name_pieces(text: str) -> tuple[tuple[str, bool], ...]:
    """Like :func:`_pieces`, with the leading surname read as a surname."""
    stripped = text.lstrip()
    found = _surname(stripped)
    if found is None:
        return _pieces(text)
    length, readings = found
    head = tuple((reading, True) for reading in readings)
    return head + _pieces(stripped[length:])


def syllables(text: str, *, name: bool = False) -> tuple[str, ...]:
    """One pinyin syllable (no tone) per Chinese character; other runs kept whole, lowercased.

    ``syllables("张三")`` is ``("zhang", "san")``; ``syllables("3栋")`` is ``("3", "dong")``.
    """
    if not text:
        return ()
    pieces = _name_pieces(text) if name else _pieces(text)
    return tuple(piece for piece, _han in pieces)


@lru_cache(maxsize=_CACHE)
def initials(text: str, *, name: bool = False) -> str:
    """First letter of each Chinese character's pinyin; other characters lowercased.

    ``initials("张三") == "zs"``, ``initials("走访") == "zf"``, ``initials("A栋") == "ad"``.
    Zh/ch/sh give z/c/s, as in every Chinese initials search. With ``name=True`` a
    leading polyphonic surname uses its surname reading (曾 → "z").
    """
    if not text:
        return ""
    pieces = _name_pieces(text) if name else _pieces(text)
    return "".join(piece[:1] if han else piece for piece, han in pieces)


@lru_cache(maxsize=_CACHE)
def full_pinyin(text: str, *, name: bool = False) -> str:
    """The pinyin of ``text`` without tones or spaces: ``full_pinyin("张三") == "zhangsan"``.

    ü is written "v" (绿 → "lv"), as it is typed. ``name=True`` as in :func:`initials`.
    """
    if not text:
        return ""
    pieces = _name_pieces(text) if name else _pieces(text)
    return "".join(piece for piece, _han in pieces)


def _given_name_variants(text: str) -> list[tuple[str, str]]:
    """``(initials, full pinyin)`` of a name under each reading of its given name's
    characters of :data:`GIVEN_NAME_READINGS` (the surname read as a surname); none
    when ``text`` is not name-like (short, all Chinese) or has no such character."""
    name = text.strip()
    if not 1 < len(name) <= _NAME_CHARS or not GIVEN_NAME_READINGS.keys() & set(name[1:]):
        return []
    if not all("\u4e00" <= char <= "\u9fff" for char in name):
        return []
    base = syllables(name, name=True)
    if len(base) != len(name):
        return []
    surname = _surname(name)
    first = surname[0] if surname else 1
    found: list[tuple[str, str]] = [("", "")]
    for index, char in enumerate(name):
        readings: tuple[str, ...] = (base[index],)
        if index >= first:
            readings = tuple(dict.fromkeys((base[index], *GIVEN_NAME_READINGS.get(char, ()))))
        found = [(ini + r[0], full + r) for ini, full in found for r in readings]
    return found


def _variants(text: str) -> tuple[tuple[str, str], ...]:
    """``(initials, full pinyin)`` under the everyday reading and, if different, the
    surname one, then each reading of a given name's polyphonic characters."""
    plain = (initials(text), full_pinyin(text))
    named = (initials(text, name=True), full_pinyin(text, name=True))
    found = dict.fromkeys((plain, named, *_given_name_variants(text)))
    return tuple(found)


@lru_cache(maxsize=_CACHE)
def search_text(text: str) -> str:
    """One lowercased string to search in: the text, its full pinyin and its initials.

    ``search_text("张三") == "张三 zhangsan zs"``. When the text starts with a polyphonic
    surname the surname reading is added too (曾国藩 → "... cengguofan cgf zengguofan zgf").
    """
    if not text:
        return ""
    parts = [text.lower()]
    for ini, full in _variants(text):
        parts.extend((full, ini))
    return " ".join(parts)


@lru_cache(maxsize=_CACHE)
def _prepared(text: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """What :func:`score` compares with: the lowered text, all pinyin forms joined (for a
    quick rejection), the initials and the full pinyin under each reading."""
    variants = _variants(text)
    inis = tuple(ini for ini, _full in variants)
    fulls = tuple(full for _ini, full in variants)
    return text.strip().lower(), "\x00".join(inis + fulls), inis, fulls


#: Scores, best first. Exact or prefix matches on the text or its initials are as good
#: as it gets; the rest are weaker hints.
SCORE_PREFIX = 1.0
SCORE_FULL_PINYIN_PREFIX = 0.8
SCORE_SUBSTRING = 0.6
SCORE_INITIALS_SUBSTRING = 0.5
SCORE_FULL_PINYIN_SUBSTRING = 0.4


@lru_cache(maxsize=1024)
def _normalised_query(query: str) -> tuple[str, str]:
    q = query.strip().lower()
    return q, "".join(q.split())


def score(query: str, text: str) -> float:
    """How well ``query`` matches ``text``, from 0.0 (not at all) to 1.0.

    =====  ============================================================
    1.0    empty query; the text or its initials equal or start with the query
    0.8    the full pinyin starts with the query ("zhangs" → 张三)
    0.6    the query occurs inside the text ("三" → 张三)
    0.5    the query occurs inside the initials ("s" → 张三)
    0.4    the query occurs inside the full pinyin ("san" → 张三)
    0.0    no match
    =====  ============================================================

    Case and surrounding spaces are ignored; spaces inside the query are ignored when it
    is compared with pinyin ("zhang san"). Either reading of a polyphonic surname counts.
    """
    q, compact = _normalised_query(query or "")
    if not q:
        return 1.0
    if not text:
        return 0.0
    lowered, joined, inis, fulls = _prepared(text)
    if lowered.startswith(q):
        return SCORE_PREFIX
    in_text = q in lowered
    if compact not in joined:  # no pinyin match at all: the common case, decided quickly
        return SCORE_SUBSTRING if in_text else 0.0
    for ini in inis:
        if ini.startswith(compact):
            return SCORE_PREFIX
    for full in fulls:
        if full.startswith(compact):
            return SCORE_FULL_PINYIN_PREFIX
    if in_text:
        return SCORE_SUBSTRING
    for ini in inis:
        if compact in ini:
            return SCORE_INITIALS_SUBSTRING
    return SCORE_FULL_PINYIN_SUBSTRING


#: Joins syllables in a sort key; it sorts before every letter, digit and space, so that
#: comparing the joined string compares syllable by syllable ("li" + SEP < "liang").
_SORT_SEP = "\x01"


@lru_cache(maxsize=_CACHE)
def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names by pinyin, syllable by syllable, then by the text itself.

    ``sorted(["赵", "王", "李", "张"], key=sort_key) == ["李", "王", "张", "赵"]``.
    Comparing syllable by syllable keeps a surname's people together (李志 before 梁),
    and the text as the last element keeps ties (同音字 such as 张/章) in a stable order.
    The leading surname uses its surname reading (曾 sorts under Z). The key is a pair of
    strings, which compares fast when sorting tens of thousands of names.
    """
    if not text:
        return ("", "")
    return _SORT_SEP.join(syllables(text.strip(), name=True)), text
