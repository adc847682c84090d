"""One English name per enum value (issue #19): the models' own labels in English
(locale/en/models.json) serve the screens' ``enum.…`` texts too, so a value reads the
same in a list, a form, the case view, a service's message and a workbook."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from grassroots_tui.i18n import CATALOGS, label, set_language, t
from grassroots_tui.i18n import en as en_catalog
from grassroots_tui.i18n import zh as zh_catalog
from grassroots_tui.lang import english_catalog, tr
from grassroots_tui.models import HardshipCause, HardshipTier
from tests.tui_fixtures import (
    add_hardship_cases,
    build_store,
    copied_store,
    make_app,
    open_section,
    open_store,
    screen_text,
    settle,
)

MEMBERS = [member for enum in zh_catalog.ENUMS for member in enum]


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def test_the_english_screens_catalog_writes_no_enum_names_of_its_own():
    tree = ast.parse(Path(en_catalog.__file__).read_text(encoding="utf-8"))
    written = [
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]
    assert len(written) > 500, "the catalog's entries were not found"
    assert [key for key in written if key.startswith("enum.")] == []


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.value}")
def test_every_enum_value_reads_the_same_wherever_it_is_shown(member):
    key = f"enum.{type(member).__name__}.{member.value}"
    english = english_catalog()[member.label]
    set_language("en")
    assert t(key) == label(member) == tr(member.label) == CATALOGS["en"][key] == english
    set_language("zh")
    assert t(key) == label(member) == tr(member.label) == CATALOGS["zh"][key] == member.label


def test_the_staff_roles_in_english_before_the_models_are_read():
    """The sign-in screen names roles before the models are imported: its English comes
    from the Chinese catalog's role names, the same words."""
    set_language("en")
    for key, chinese in zh_catalog.STRINGS.items():
        if key.startswith("enum.StaffRole."):
            assert t(key) == english_catalog()[chinese]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = build_store(tmp_path_factory.mktemp("template") / "grassroots.json")
    store = open_store(path)
    try:
        add_hardship_cases(store)
    finally:
        store.close()
    return path


async def test_the_case_view_names_the_tier_as_its_timeline_does(template, tmp_path):
    set_language("en")
    with copied_store(template, tmp_path) as store:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_section(pilot, "f5")
            screen.table.move_to("case-hh-02")
            await pilot.press("o")
            await settle(pilot)
            text = screen_text(app)
    severe = english_catalog()[HardshipTier.DEEP.label]
    assert severe in text
    assert not re.search(r"\bdeep\b", text), text
    assert english_catalog()[HardshipCause.ILLNESS.label] in text
