"""The command line in either language, in full:

- ``--lang en`` (or ``--lang=en``, anywhere on the line; or GRASSROOTS_LANG, or the
  language saved in the user's settings) is known before the parser is built, so every
  ``--help`` of every command, argparse's own words included, is English with not one
  Chinese character;
- in Chinese, argparse's words are Chinese too ("用法：", not "usage:");
- real commands run in English (a refusal, a bad argument, an export, ``errors``, the
  hub's status, a sync) say nothing in Chinese outside the user's own data (station
  names).

The commands run in-process (``grassroots_tui.cli.main``), as in tests/test_cli*.py; the
language is put back to Chinese after each test.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from grassroots_tui import lang
from grassroots_tui.cli import argparse_words, build_parser, language_asked, main
from grassroots_tui.lang import set_language

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
ARGPARSE_ENGLISH = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help message",
    "error:",
    "the following arguments are required",
    "invalid choice",
)


@pytest.fixture(autouse=True)
def _chinese_after(monkeypatch):
    monkeypatch.delenv("GRASSROOTS_LANG", raising=False)
    yield
    set_language("zh")


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    """Every command path of the parser: (), ("roster",), ("roster", "show") …"""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = sorted(set(_commands(build_parser())))


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _chinese_in(text: str, *allowed: str) -> list[str]:
    """The lines of ``text`` with a Chinese character once ``allowed`` (user data) is
    taken out."""
    for word in allowed:
        text = text.replace(word, "")
    return [line for line in text.splitlines() if CJK.search(line)]


# -- help ------------------------------------------------------------------------------------


def test_every_command_is_walked():
    assert () in COMMANDS and ("roster", "show") in COMMANDS and ("hub", "status") in COMMANDS
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "grassroots")
def test_every_help_is_english_in_english(path, capsys):
    code, out, err = _run(["--lang", "en", *path, "--help"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: grassroots"), out
    assert "show this help message and exit" in out
    assert not _chinese_in(out), _chinese_in(out)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "grassroots")
def test_every_help_is_chinese_in_chinese(path, capsys):
    code, out, err = _run([*path, "--help"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("用法：grassroots"), out
    assert "显示这段帮助后退出" in out
    for english in ARGPARSE_ENGLISH:
        assert english not in out, (english, out)


@pytest.mark.parametrize(
    "argv",
    [
        ["roster", "show", "--lang=en", "-h"],  # after the command, with "="
        ["--lang", "zh", "--lang", "en", "-h"],  # the last one wins
    ],
)
def test_lang_is_read_anywhere_on_the_line(argv, capsys):
    code, out, _err = _run(argv, capsys)
    assert code == 0 and out.startswith("usage:") and not _chinese_in(out)


def test_the_language_comes_from_the_line_then_the_environment_then_the_settings(
    monkeypatch, tmp_path
):
    settings = tmp_path / "settings.json"
    monkeypatch.setenv("GRASSROOTS_CONFIG", str(settings))
    assert language_asked([]) == "zh"
    settings.write_text(json.dumps({"lang": "en"}), encoding="utf-8")
    assert language_asked(["check"]) == "en"  # what the user chose in the program
    monkeypatch.setenv("GRASSROOTS_LANG", "zh")
    assert language_asked(["check"]) == "zh"  # the environment before the settings
    assert language_asked(["check", "--lang", "en"]) == "en"  # the line before both
    assert language_asked(["--lang", "fr"]) == "zh"  # no language: the parser refuses it
    assert language_asked(["--", "--lang=en"]) == "zh"  # an operand, not an option


def test_the_environment_variable_sets_english(monkeypatch, capsys):
    monkeypatch.setenv("GRASSROOTS_LANG", "en")
    code, out, _err = _run(["slips", "-h"], capsys)
    assert code == 0 and out.startswith("usage:") and not _chinese_in(out)


def test_argparse_words_are_chinese_only_while_our_parsers_run():
    """Another parser in the process (pytest's own) keeps argparse's English."""
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="other")
    assert "usage: other" in other.format_help()
    assert "show this help message and exit" in other.format_help()
    with argparse_words.speaking():
        assert "用法：other" in argparse.ArgumentParser(prog="other").format_help()
    set_language("en")
    with argparse_words.speaking():
        assert "usage: other" in argparse.ArgumentParser(prog="other").format_help()


def test_every_chinese_word_of_argparse_keeps_its_placeholders():
    """The same positional %s/%r; named ones only argparse fills (one may go unsaid)."""
    for english, chinese in argparse_words.CHINESE.items():
        assert re.findall(r"%[sr]", english) == re.findall(r"%[sr]", chinese), english
        assert set(re.findall(r"%\((\w+)\)", chinese)) <= set(re.findall(r"%\((\w+)\)", english))


# -- usage errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "naming"),
    [
        (["roster", "show"], "--month"),  # a required argument missing
        (["nonsense"], "nonsense"),  # no such command
        (["calendar", "--year"], "--year"),  # an option without its value
        (["--lang", "fr"], "--lang"),  # not a language
        (["check", "--no-such-option"], "--no-such-option"),
    ],
)
def test_a_refused_command_line_is_one_line_in_each_language(argv, naming, capsys):
    code, out, err = _run(["--lang", "en", *argv], capsys)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("Error: ") and naming in line and "See the usage: grassroots" in line
    assert not _chinese_in(line), line
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("错误：") and naming in line and "查看用法：grassroots" in line
    for english in ARGPARSE_ENGLISH:
        assert english not in line, line


# -- real commands ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    from grassroots_tui.demo import write_demo_store

    path = tmp_path_factory.mktemp("messages-cli") / "store" / "grassroots.json"
    write_demo_store(path, today=date(2026, 11, 26), seed=2026)
    return path


@pytest.fixture
def store(demo_store, tmp_path) -> Path:
    shutil.copytree(demo_store.parent, tmp_path / "store")
    return tmp_path / "store" / demo_store.name


def _station_names(store: Path) -> list[str]:
    from grassroots_tui.store import Store

    with Store.open(store, readonly=True) as opened:
        return [str(s.get("name") or "") for s in opened.raw("station")]


def test_errors_in_english(store, capsys):
    code, out, err = _run(["--lang", "en", "errors", "--db", str(store)], capsys)
    assert code == 0 and out.startswith("No error log") and not _chinese_in(out + err)


def test_a_refusal_in_english(store, capsys, monkeypatch):
    monkeypatch.delenv("GRASSROOTS_USER", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["--lang", "en", "hardship", "round", "export", "nothing", "--db", str(store)]
    code, out, err = _run(argv, capsys)
    assert code == 2 and err.startswith("Error: ")
    argv = ["--lang", "en", "slips", "overdue", "--station", "ZZ9", "--db", str(store)]
    code, out, err = _run(argv, capsys)
    assert code == 2 and err.startswith("Error: ") and "ZZ9" in err
    assert not _chinese_in(err), err
    code, out, err = _run(["--lang", "en", "template", "visits", "--out", "x.txt"], capsys)
    assert code == 2 and err.startswith("Error: ") and not _chinese_in(err), err


def test_a_bad_argument_in_english(capsys):
    code, out, err = _run(["--lang", "en", "deadline", "2026-11-26", "--rule", "bad"], capsys)
    assert code == 2 and err.startswith("Error: ")


def test_an_export_in_english(store, tmp_path, capsys):
    out_file = tmp_path / "stats.csv"
    argv = ["--lang", "en", "export", "stats", "--month", "2026-11", "--db", str(store)]
    code, out, err = _run([*argv, "--format", "csv", "--out", str(out_file)], capsys)
    assert code == 0 and out_file.exists()
    assert err.startswith(f"Written: {out_file}")
    assert not _chinese_in(err.splitlines()[0])


def test_the_deadline_and_the_template_in_english(tmp_path, capsys, monkeypatch):
    code, out, err = _run(
        ["--lang", "en", "deadline", "2026-11-26", "--rule", "10 working days"], capsys
    )
    assert code == 0 and "Due: 2026-12-10" in out, out + err
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["--lang", "en", "template", "visits"], capsys)
    assert code == 0 and out.startswith("Import template for the visit ledger written")
    assert not _chinese_in(out + err)


def test_the_roster_and_the_board_in_english(store, capsys):
    names = _station_names(store)
    code, out, err = _run(
        ["--lang", "en", "supervision", "report", "--month", "2026-11", "--db", str(store)],
        capsys,
    )
    assert code == 0 and out.startswith("Supervision checks in 2026-11")
    code, out, err = _run(
        ["--lang", "en", "roster", "show", "--month", "2026-11", "--db", str(store)], capsys
    )
    assert code == 0 and "| Mon" in out and "duty roster for 2026-11" in out
    assert "No gaps." in out or "gaps:" in out
    first = out.splitlines()[0]
    assert not _chinese_in(first, *names), first


def test_the_hub_in_english(store, tmp_path, capsys):
    hub = str(tmp_path / "hub.sqlite")
    code, out, err = _run(["--lang", "en", "hub", "status", "--file", hub], capsys)
    assert code == 2 and err == f"Error: Hub file not found: {hub}\n"
    code, out, err = _run(["--lang", "en", "hub", "init", "--file", hub], capsys)
    assert code == 0 and out.startswith("The hub is ready") and not _chinese_in(out + err)
    code, out, err = _run(["--lang", "en", "hub", "status", "--file", hub], capsys)
    assert code == 0 and "No computers are enrolled yet." in out and not _chinese_in(out)
    code, out, err = _run(["--lang", "en", "sync", "--db", str(store)], capsys)
    assert code == 2 and err.startswith("Error: This computer is not enrolled with a hub")
    assert not _chinese_in(err)


def test_lang_en_leaves_the_language_chosen_for_the_program(capsys):
    """main() sets the language it read; a later call in Chinese speaks Chinese again."""
    _run(["--lang", "en", "slips", "-h"], capsys)
    assert lang.language() == "en"
    code, out, _err = _run(["slips", "-h"], capsys)
    assert lang.language() == "zh" and out.startswith("用法：")
