"""Shared field types of the document models: labelled enums, text, references, money.

Every enum here has an English identifier as its value (what is stored) and a Chinese
label (what the UI and the error messages show). Validation also accepts the Chinese
label as input, so ``VisitKind("夜访") is VisitKind.NIGHT`` (and, in English, the English
label: ``VisitKind("Night visit")``); the stored value is always the identifier. The labels
are message ids of :func:`grassroots_tui.lang.tr`, their English in
``locale/en/models.json``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from grassroots_tui.lang import tr
from grassroots_tui.models.errors import listing
from grassroots_tui.models.validators import (
    YUAN_PATTERN,
    check_id_number,
    check_yuan,
    format_yuan,
    normalise_mobile,
    normalise_phone,
)


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese ``label``.

    Declare members as ``DOOR = "door", "走访"``.
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def _missing_(cls, value: object) -> LabelledEnum | None:
        # Accept the Chinese label as input too ("走访" → VisitKind.DOOR), and the label
        # in the current language, whatever its case: the one a message offered.
        if isinstance(value, str):
            text = value.strip()
            for member in cls:
                if text == member.label or text == member.value:
                    return member
            folded = text.casefold()
            for member in cls:
                if folded == tr(member.label).casefold():
                    return member
        return None

    @classmethod
    def labels(cls) -> dict[str, str]:
        """``{value: Chinese label}`` for every member, in declaration order."""
        return {m.value: m.label for m in cls}

    @classmethod
    def describe_choices(cls) -> str:
        """The allowed values for a message, by their labels in the current language:
        "走访、约访…" (the identifiers, door and appointment, are accepted but never
        shown)."""
        return listing([tr(m.label) for m in cls])

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["x-labels"] = cls.labels()
        return schema


def blank_to_none(value: Any) -> Any:
    """An empty or all-blank string in an optional field means "not given"."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _optional(check: Any) -> Any:
    def run(value: Any) -> Any:
        return None if value is None else check(value)

    return run


# -- text -----------------------------------------------------------------------------

#: A required short text: a name, a title, a category (1–100 characters).
Short = Annotated[str, Field(min_length=1, max_length=100)]
#: A person's or unit's name (1–50 characters).
Name = Annotated[str, Field(min_length=1, max_length=50)]
#: Free text that may be empty (up to 5,000 characters).
Text = Annotated[str, Field(max_length=5000)]
#: Required free text (1–5,000 characters).
RequiredText = Annotated[str, Field(min_length=1, max_length=5000)]
#: An optional short text; "" is read as None.
OptShort = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(blank_to_none)]
#: An optional name; "" is read as None.
OptName = Annotated[Annotated[str, Field(max_length=50)] | None, BeforeValidator(blank_to_none)]

# -- references -----------------------------------------------------------------------

#: The id of another document (usually a UUID string).
Ref = Annotated[str, Field(min_length=1, max_length=64)]
#: An optional reference; "" is read as None.
OptRef = Annotated[Annotated[str, Field(max_length=64)] | None, BeforeValidator(blank_to_none)]

# -- personal information -------------------------------------------------------------

#: A resident ID number (GB 11643-1999), normalised (upper-case X); "" is read as None.
OptIdNumber = Annotated[
    Annotated[str, Field(max_length=40)] | None,
    BeforeValidator(blank_to_none),
    AfterValidator(_optional(check_id_number)),
]
#: A mobile number, normalised to 11 digits; "" is read as None.
OptMobile = Annotated[
    Annotated[str, Field(max_length=40)] | None,
    BeforeValidator(blank_to_none),
    AfterValidator(_optional(normalise_mobile)),
]
#: A mobile or fixed-line number (0731-84012345); "" is read as None.
OptPhone = Annotated[
    Annotated[str, Field(max_length=40)] | None,
    BeforeValidator(blank_to_none),
    AfterValidator(_optional(normalise_phone)),
]

# -- money ----------------------------------------------------------------------------

#: An amount in yuan: an exact ``Decimal`` with two places, written to JSON as a string
#: ("200.00") so that it round-trips exactly. Numbers and strings such as "200", "0.1",
#: "¥1,200.50" are accepted; more than two decimal places, negative amounts, NaN are not.
Yuan = Annotated[
    Decimal,
    PlainValidator(check_yuan),
    PlainSerializer(format_yuan, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": YUAN_PATTERN, "examples": ["200.00"]}),
]


def _wall_clock_in(value: Any) -> Any:
    """A time of day is written as text ("09:30"); a number is not one (pydantic would
    read 0 as midnight UTC, a time with a zone, which no other time compares with)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        raise PydanticCustomError("time_type", "not a time of day")
    return value


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise PydanticCustomError("timezone_naive", "a time of day has no zone")
    return value


#: A time of day on the station's clock (09:30): no zone, never a number.
WallTime = Annotated[dt.time, BeforeValidator(_wall_clock_in), AfterValidator(_wall_clock)]
