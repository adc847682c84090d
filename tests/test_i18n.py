"""The interface catalogs: the same keys in every language, every key the code uses
exists, placeholders agree, and an unknown language is refused."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import grassroots_tui
from grassroots_tui.i18n import CATALOGS, LANGUAGES, label, language, set_language, t
from grassroots_tui.i18n import zh as zh_catalog
from grassroots_tui.models import StaffRole

PACKAGE = Path(grassroots_tui.__file__).parent
ZH, EN = CATALOGS["zh"], CATALOGS["en"]

#: t("key") / t('key', ...) with a literal key (not an f-string).
T_CALL = re.compile(r"""\bt\(\s*(["'])([A-Za-z0-9_.]+)\1""")
#: Any literal catalog key of a command (Binding descriptions, tooltips, TITLE_KEY ...).
CMD_LITERAL = re.compile(r"""(["'])(cmd\.[A-Za-z0-9_.]+)\1""")
#: TITLE_KEY = "visit.form.title"
TITLE_KEY = re.compile(r"""TITLE_KEY\s*=\s*(["'])([A-Za-z0-9_.]+)\1""")
#: Cmd("visits.new", ...)
CMD_CALL = re.compile(r"""\bCmd\(\s*(["'])([A-Za-z0-9_.]+)\1""")


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _sources() -> list[Path]:
    """The code that uses the catalogs (the i18n package itself only defines them)."""
    files = sorted(p for p in PACKAGE.rglob("*.py") if "i18n" not in p.relative_to(PACKAGE).parts)
    assert len(files) > 20, "the package sources were not found"
    return files


def _literals(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """key -> where it is used ("path:line")."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(match.group(2), []).append(f"{path.relative_to(PACKAGE)}:{line}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def _command_ids() -> dict[str, list[str]]:
    """Every command id: literal Cmd("...") calls plus the sections (go.<mode>)."""
    from grassroots_tui.tui.sections import SECTIONS

    ids = _literals(CMD_CALL)
    for section in SECTIONS:
        ids.setdefault(section.cmd.id, []).append("tui/sections.py")
    return ids


def test_catalogs_have_exactly_the_same_keys():
    only_zh = sorted(set(ZH) - set(EN))
    only_en = sorted(set(EN) - set(ZH))
    assert not only_zh, f"missing in en: {only_zh}"
    assert not only_en, f"missing in zh: {only_en}"


def test_no_catalog_entry_is_empty():
    empty = [
        (lang, key)
        for lang in LANGUAGES
        for key, text in CATALOGS[lang].items()
        if not text.strip()
    ]
    assert not empty


def test_scan_finds_the_keys_it_should():
    # Guards the regexes themselves: if they found nothing the next tests would pass vacuously.
    used = _literals(T_CALL)
    assert "signin.title" in used
    assert "visit.rate_line" in used
    assert "households.new" in _command_ids()
    assert "form.submit" not in used  # a Binding id, not a t() key


def test_every_literal_key_used_in_the_code_exists_in_both_languages():
    used = _literals(T_CALL) | _literals(CMD_LITERAL) | _literals(TITLE_KEY)
    missing = {
        lang: {key: where for key, where in used.items() if key not in CATALOGS[lang]}
        for lang in LANGUAGES
    }
    assert missing == {lang: {} for lang in LANGUAGES}


def test_every_command_has_a_title_and_help_in_both_languages():
    ids = _command_ids()
    assert len(ids) >= 30
    missing = {
        lang: sorted(
            key
            for cmd_id in ids
            for key in (f"cmd.{cmd_id}", f"cmd.{cmd_id}.help")
            if key not in CATALOGS[lang]
        )
        for lang in LANGUAGES
    }
    assert missing == {lang: [] for lang in LANGUAGES}


def test_commands_declared_on_classes_match_the_scan():
    """The ids actually declared (CMDS of the app and every screen) are all scanned."""
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.dialogs.appointments import AppointmentsDialog
    from grassroots_tui.tui.dialogs.import_dialog import ImportDialog
    from grassroots_tui.tui.dialogs.pick_household import PickHousehold
    from grassroots_tui.tui.screens.help import HelpScreen
    from grassroots_tui.tui.screens.households import HouseholdsScreen
    from grassroots_tui.tui.screens.settings import SettingsScreen
    from grassroots_tui.tui.screens.signin import SignInScreen
    from grassroots_tui.tui.screens.visits import VisitsScreen

    declared = {
        cmd.id
        for owner in (
            GrassrootsApp,
            AppointmentsDialog,
            ImportDialog,
            PickHousehold,
            HelpScreen,
            HouseholdsScreen,
            SettingsScreen,
            SignInScreen,
            VisitsScreen,
        )
        for cmd in owner.CMDS
    }
    assert declared <= set(_command_ids())
    for lang in LANGUAGES:
        set_language(lang)
        for owner in (GrassrootsApp, VisitsScreen, HouseholdsScreen):
            for cmd in owner.CMDS:
                assert cmd.title != f"cmd.{cmd.id}", (lang, cmd.id)
                assert cmd.help != f"cmd.{cmd.id}.help", (lang, cmd.id)


def test_keys_built_at_run_time_exist():
    from grassroots_tui.tui.sections import SECTIONS

    built = [f"section.{s.mode}" for s in SECTIONS]
    built += [f"lang.{code}" for code in LANGUAGES]
    built += [f"enum.StaffRole.{role.value}" for role in StaffRole]
    built += [f"appointments.{group}" for group in ("missed", "today", "upcoming")]
    built += [
        f"enum.{enum.__name__}.{member.value}" for enum in zh_catalog.ENUMS for member in enum
    ]
    for lang in LANGUAGES:
        assert [key for key in built if key not in CATALOGS[lang]] == [], lang


def test_placeholders_match_between_languages():
    differ = {
        key: (sorted(_fields(ZH[key])), sorted(_fields(EN[key])))
        for key in set(ZH) & set(EN)
        if _fields(ZH[key]) != _fields(EN[key])
    }
    assert differ == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_formats_with_its_placeholders(lang):
    set_language(lang)
    for key, text in CATALOGS[lang].items():
        names = _fields(text)
        if names:
            shown = t(key, **{name: "X" for name in names})
            assert "{" not in shown and "}" not in shown, (lang, key, shown)


def test_set_language_switches_and_t_follows():
    set_language("en")
    assert language() == "en"
    assert t("signin.title") == EN["signin.title"] != ZH["signin.title"]
    assert t("table.count", matched=1, total=8) == "1 / 8"
    assert label(StaffRole.HEAD) == "Station head"  # the model's label in English
    set_language("zh")
    assert t("table.count", matched=1, total=8) == "1 / 8 条"
    assert label(StaffRole.HEAD) == "站长"


@pytest.mark.parametrize("bad", ["fr", "ZH", "", "zh-CN"])
def test_set_language_rejects_an_unknown_language(bad):
    set_language("en")
    with pytest.raises(ValueError, match="Unsupported interface language"):
        set_language(bad)
    assert language() == "en"  # unchanged


def test_unknown_key_falls_back_to_the_key_itself():
    set_language("en")
    assert t("no.such.key") == "no.such.key"
