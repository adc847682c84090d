"""One English wording each for "required", "not a valid date" and "not a valid time"
(issue #19): every English text the program has, the screens' catalog (i18n/en.py) and
the messages' (locale/en/*.json), is scanned, and a second wording fails here."""

from __future__ import annotations

import re

import pytest

from grassroots_tui.i18n import en
from grassroots_tui.lang import english_catalog, set_language
from grassroots_tui.models import errors

#: The one wording of each (the English of models/errors.py's REQUIRED, BAD_DATE, BAD_TIME).
REQUIRED = "Required; cannot be left blank"
BLANK = "cannot be left blank"
BAD_DATE = "is not a valid date (write it like 2026-03-05)"
BAD_TIME = "is not a valid time (write it like 09:30)"

#: Another way of saying a field must be filled in.
OTHER_REQUIRED = re.compile(
    r"\b(?:cannot|can ?not|can't|may not|must not|mustn't|should not|shouldn't)\s+be\s+"
    r"(?:left\s+)?(?:empty|blank)\b"
    r"|\bmust be (?:filled|given|entered)\b"
    r"|\bis (?:mandatory|obligatory)\b"
    r"|(?-i:^Required\b)",  # "required when …" qualifies a rule: it is another message
    re.IGNORECASE,
)
#: Another way of saying a date or a time cannot be read.
OTHER_BAD_MOMENT = re.compile(
    r"\b(?:invalid|bad|wrong|incorrect|illegal)\s+(?:date|time)\b"
    r"|\b(?:date|time)\s+(?:is\s+)?(?:invalid|not valid|wrong|incorrect)\b"
    r"|\bnot a (?:proper|correct|valid) (?:date|time)\b(?! and time)",
    re.IGNORECASE,
)
#: How a date or a time that cannot be read may go on: the example, or pydantic's detail.
MOMENT_ENDINGS = (
    " (write it like 2026-03-05)",
    " (write it like 09:30)",
    ": {detail}",
    "; write it like {year}-01-01",
)


def english_texts() -> dict[str, str]:
    """Where each English text is (catalog key or message id) → the text."""
    texts = {f"i18n/en.py {key}": text for key, text in en.STRINGS.items()}
    texts |= {f"locale/en {msgid}": text for msgid, text in english_catalog().items()}
    return texts


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def test_the_one_wordings_are_the_models():
    set_language("en")
    assert errors.required() == en.REQUIRED == en.STRINGS["form.required"] == REQUIRED
    assert errors.bad_date() == en.BAD_DATE == BAD_DATE
    assert errors.bad_time() == BAD_TIME
    assert en.STRINGS["setup.head_required"] == REQUIRED
    assert en.STRINGS["form.bad_date"].endswith(BAD_DATE)


def test_required_is_said_one_way():
    other = {}
    for where, text in english_texts().items():
        for match in OTHER_REQUIRED.finditer(text):
            said = match.group(0)
            if text == REQUIRED or said.lower() == BLANK:
                continue
            other[where] = text
    assert other == {}


def test_a_date_or_time_that_cannot_be_read_is_said_one_way():
    other = {}
    for where, text in english_texts().items():
        for match in OTHER_BAD_MOMENT.finditer(text):
            if not text[match.end() :].startswith(MOMENT_ENDINGS):
                other[where] = text
    assert other == {}


@pytest.mark.parametrize(
    "text",
    [
        "Required, may not be empty",
        "Name: cannot be empty",
        "the date cannot be blank",
        "“x” is not a valid date (write it as 2026-03-05)",
        "Invalid time",
        "Required field",
        "the date is invalid",
    ],
)
def test_a_second_wording_is_caught(text):
    """The scans above catch what they are for."""
    required = any(
        m.group(0).lower() != BLANK for m in OTHER_REQUIRED.finditer(text) if text != REQUIRED
    )
    moment = any(
        not text[m.end() :].startswith(MOMENT_ENDINGS) for m in OTHER_BAD_MOMENT.finditer(text)
    )
    assert required or moment
