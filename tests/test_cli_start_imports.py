"""`grassroots` with no command opens the program without loading the commands (issue #19).

The commands' modules import the models, pydantic, cryptography, openpyxl, python-docx
and pypinyin; opening the program needs none of them before its sign-in screen
(tests/test_tui_signin_start.py checks the screen itself). Here a fresh process runs the
command line's entry (:func:`grassroots_tui.cli.main`) with the program's launch replaced
by a function that records what is imported at that point, as
``test_nothing_heavy_is_imported_before_the_sign_in_screen`` does for the screen. No
test here times anything.

Also: the short parse (:func:`~grassroots_tui.cli.opens_program`) gives what the whole
parser gives for the command lines it takes, and leaves every other one to it; a
command still runs; and the key slots are read (cryptography imported) only when the
store has a ``.keys`` file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grassroots_tui.cli import build_parser, main, opens_program
from grassroots_tui.lang import set_language
from grassroots_tui.store.paths import StorePaths
from tests.tui_fixtures import build_store, db_fixture, isolate_environment, template_fixture  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent

#: What the program's start must not import before its launch.
HEAVY = (
    "pydantic",
    "cryptography",
    "openpyxl",
    "docx",
    "pypinyin",
    "grassroots_tui.models",
    "grassroots_tui.store.store",
    "grassroots_tui.store.keyslots",
    "grassroots_tui.services",
)

#: ``python -c`` script: the command line's entry, as ``python -m grassroots_tui`` runs
#: it, with the launch of the program replaced; prints what was imported by then.
SCRIPT = textwrap.dedent(
    """
    import json, sys

    import grassroots_tui.tui.launch

    HEAVY = {heavy!r}
    seen = {{}}

    def launch(args):
        seen["launched"] = {{"db": args.db, "lang": args.lang, "command": args.command}}
        seen["imported"] = sorted(
            name for name in sys.modules
            if any(name == h or name.startswith(h + ".") for h in HEAVY)
            or name.startswith("grassroots_tui.cli.") and name.endswith(("_commands", "_command"))
        )
        return 0

    grassroots_tui.tui.launch.launch = launch

    from grassroots_tui.cli import main

    code = main(sys.argv[1:])
    print("\\n" + json.dumps({{"code": code, **seen}}))
    """
).format(heavy=HEAVY)


def _entry(*argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--lang", "en"],
        ["--lang=zh"],
    ],
)
def test_opening_the_program_imports_no_command(db: Path, argv: list[str]) -> None:
    """No command on a plain store: the launch is reached with none of the commands'
    modules, the models, pydantic, cryptography, openpyxl, docx or pypinyin imported."""
    result = _entry("--db", str(db), *argv)
    lang = "en" if "en" in argv else "zh"
    assert result == {
        "code": 0,
        "launched": {"db": str(db), "lang": lang, "command": None},
        "imported": [],
    }


def test_the_default_store_too(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --db (the store in the user's data folder, here one that is not there)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(db.parent.parent / "xdg"))
    monkeypatch.setenv("HOME", str(db.parent.parent / "home"))
    result = _entry()
    assert result["launched"] == {"db": None, "lang": "zh", "command": None}
    assert result["imported"] == []


def test_an_encrypted_store_reads_its_key_slots_first(db: Path) -> None:
    """With a ``.keys`` file beside the store, the slots are read before the launch (this
    one is damaged: opening the store reports that, so the launch still comes)."""
    StorePaths.for_main(db).keys.write_text("{}", encoding="utf-8")
    result = _entry("--db", str(db))
    assert result["code"] == 0 and result["launched"]["command"] is None
    assert "grassroots_tui.store.keyslots" in result["imported"]
    assert "cryptography" in result["imported"]


def test_a_command_still_runs(db: Path) -> None:
    """A command is parsed with every command's parser and run, never launching."""
    done = subprocess.run(
        [sys.executable, "-m", "grassroots_tui", "--db", str(db), "--lang", "en", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = _entry("--db", str(db), "calendar")
    assert "launched" not in result and result["code"] == 0


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "x.json"],
        ["--db=x.json"],
        ["--db="],
        ["--lang", "en"],
        ["--lang=zh", "--db", "a", "--db", "b"],
        ["--db", "slips"],  # a value, not the command
        ["--version"],
        ["--db", "x.json", "--version"],
    ],
)
def test_the_short_parse_agrees_with_the_whole_parser(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    set_language("en")
    assert opens_program(argv)
    answers = []
    for commands in (False, True):
        try:
            answers.append(("args", vars(build_parser(commands).parse_args(argv))))
        except SystemExit as done:
            answers.append(("exit", done.code, capsys.readouterr()))
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["--db", "x", "check"],
        ["-h"],
        ["--help"],
        ["--db"],
        ["--db", "-h"],
        ["--lang", "xx"],
        ["--lang=fr"],
        ["--lang"],
        ["--la", "en"],  # argparse's abbreviation: the whole parser decides
        ["--d", "x"],
        ["--"],
        ["--user", "x"],
        [""],
        ["x.json"],
    ],
)
def test_everything_else_goes_to_the_whole_parser(argv: list[str]) -> None:
    assert not opens_program(argv)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "xx"], "--lang"),
        (["--db"], "--db"),
        (["--user", "x"], "COMMAND"),  # a command was expected (it takes --user)
    ],
)
def test_errors_are_the_whole_parsers(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    set_language("en")
    assert main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err
    assert expected in err and "grassroots -h" in err
