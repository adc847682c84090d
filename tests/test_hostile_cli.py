"""Hostile command lines: whatever is typed after `grassroots`, no traceback.

Hypothesis builds argv lists from the real parser (every subcommand, its options and
positionals) filled with hostile values: impossible dates (2026-13-45), bad months,
unknown station codes, missing files, folders where files are expected, files that are
not ledgers, text that is not UTF-8 (surrogate-escaped bytes), markup, huge strings.
Each runs in-process through ``grassroots_tui.cli.main`` against a copy of a small store:

- the exit code is 0, 1 (a documented "no": nothing confirmed, problems found, holiday
  data missing) or 2 (an error, argparse's usage errors included);
- nothing on stdout or stderr contains "Traceback";
- an error on stderr starts with "错误" or is argparse's usage message.

A few subprocess runs (marked slow) prove the same on a real process's stderr, where
Python would print a traceback for anything uncaught.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grassroots_tui.cli import build_parser, main
from tests.tui_fixtures import build_store

SCALE = int(os.environ.get("HOSTILE_EXAMPLES", "1"))
ROOT = Path(__file__).resolve().parent.parent


def _leaves(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaves(sub, (*prefix, name))


COMMANDS = {prefix: parser for prefix, parser in _leaves(build_parser())}

# Placeholders replaced per example by real paths in that example's folder.
STORE, MISSING, FOLDER, LEDGER, BINARY, OUT = (
    "<store>",
    "<missing>",
    "<folder>",
    "<ledger>",
    "<binary>",
    "<out>",
)
NOT_UTF8 = os.fsdecode(b"\xff\xfe\xc3(\x80")  # surrogate-escaped, as argv gives it
VALUES = st.sampled_from(
    [
        "2026-13-45",
        "2026-02-30",
        "2026-11-26",
        "0000-00-00",
        "2026-13",
        "2026-00",
        "2026-1",
        "26-09",
        "2026-09",
        "９９",
        "HL01",
        "hl01",
        "ZZ99",
        "湘龙群交〔2026〕第0015号",
        "2026-0015",
        "15日",
        "10个工作日",
        "-1",
        "0",
        "99999999999999999999",
        "1e9",
        "",
        " ",
        "-",
        "[bold]红[/bold]",
        "\x1b[31m红",
        "👨\u200d👩\u200d👧𪚥",
        "长" * 5000,
        NOT_UTF8,
        STORE,
        MISSING,
        FOLDER,
        LEDGER,
        BINARY,
        OUT,
    ]
)


@st.composite
def argvs(draw) -> list[str]:
    prefix = draw(st.sampled_from(sorted(COMMANDS)))
    parser = COMMANDS[prefix]
    argv = list(prefix)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # a positional: usually given
            if draw(st.integers(0, 5)):
                argv.append(draw(VALUES))
            continue
        if action.dest == "db":
            choice = draw(st.integers(0, 9))
            if choice < 7:
                argv += ["--db", STORE]
            elif choice < 9:
                argv += ["--db", draw(VALUES)]
            continue
        if action.dest == "force":  # a fresh demo store in place of the test store: slow
            continue
        if not draw(st.booleans()) and not (action.required and draw(st.integers(0, 5))):
            continue
        flag = draw(st.sampled_from(action.option_strings))
        if action.nargs == 0:
            argv.append(flag)
        elif action.choices and draw(st.booleans()):
            argv += [flag, draw(st.sampled_from(list(action.choices)))]
        else:
            argv += [flag, draw(VALUES)]
    if draw(st.integers(0, 9)) == 0:  # something the parser does not know
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(["--bogus", "x", "-q"])))
    return argv


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-cli")
    return build_store(folder / "store" / "grassroots.json")


def materialise(argv: list[str], template: Path, folder: Path) -> list[str]:
    shutil.copytree(template.parent, folder / "store")
    (folder / "dir").mkdir()
    ledger = folder / "台账.csv"
    ledger.write_text("户号,户主姓名,地址\nHL01-0100,[bold]红[/bold],湘龙村\n", encoding="utf-8")
    (folder / "binary.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    real = {
        STORE: str(folder / "store" / template.name),
        MISSING: str(folder / "nowhere" / "nothing.json"),
        FOLDER: str(folder / "dir"),
        LEDGER: str(ledger),
        BINARY: str(folder / "binary.xlsx"),
        OUT: str(folder / "out" / "file.txt"),
    }
    return [real.get(a, a) for a in argv]


def run_main(argv: list[str]) -> int:
    try:
        code = main(argv)
    except SystemExit as done:  # argparse: usage errors (2), --help / --version (0)
        code = done.code if isinstance(done.code, int) else 2
    return code


def assert_no_traceback(code: int, out: str, err: str, argv: list[str]) -> None:
    assert code in (0, 1, 2), (code, argv, err)
    assert "Traceback" not in out and "Traceback" not in err, (argv, err)
    if code == 2 and err.strip():
        assert err.startswith("错误") or err.startswith("usage:"), (argv, err)
    # main()'s last resort caught something no command expected: a bug to fix.
    assert "发生了意外错误" not in err, (argv, err)


@settings(
    max_examples=150 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=argvs())
def test_any_command_line_ends_in_a_message_not_a_traceback(argv, template, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        real = materialise(argv, template, Path(folder))
        code = run_main(real)
        out, err = capsys.readouterr()
    event(f"{' '.join(argv[:2])}: exit {code}")
    assert_no_traceback(code, out, err, argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["deadline", "2026-13-45"],
        ["calendar", "--year", "二〇二六"],
        ["roster", "show", "--month", "2026-13", "--db", STORE],
        ["export", "stats", "--month", "2026-00", "--db", STORE],
        ["supervision", "report", "--month", "26-9", "--db", STORE],
        ["slips", "overdue", "--on", "2026-02-30", "--db", STORE],
        ["hardship", "due", "--on", "2026-13-45", "--db", STORE],
        ["import", "households", MISSING, "--station", "HL01", "--db", STORE],
        ["import", "households", FOLDER, "--station", "HL01", "--db", STORE],
        ["import", "households", BINARY, "--station", "HL01", "--db", STORE],
        ["import", "households", LEDGER, "--station", "ZZ99", "--db", STORE],
        ["restore", FOLDER, "--db", STORE],
        ["restore", MISSING, "--db", STORE],
        ["check", "--db", FOLDER],
        ["check", "--db", MISSING],
        ["backup", "--db", MISSING, "--to", FOLDER],
        ["slips", "print", NOT_UTF8, "--db", STORE],
        ["leave", "notice", "[bold]", "--db", STORE],
        ["hardship", "round", "export", "\x1b[31m", "--db", STORE],
    ],
)
def test_known_hostile_command_lines_say_what_is_wrong_in_chinese(
    argv, template, tmp_path: Path, capsys
) -> None:
    real = materialise(argv, template, tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()}
    code = run_main(real)
    out, err = capsys.readouterr()
    assert_no_traceback(code, out, err, argv)
    assert code == 2, (argv, out, err)
    assert err.startswith("错误："), err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err[3:]), err
    if argv[0] not in {"restore", "backup"}:
        after = {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()}
        assert after == before


# -- a real process: nothing uncaught reaches the terminal ------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["deadline", "2026-13-45"],
        ["export", "stats", "--month", "2026-13", "--db", STORE],
        ["import", "households", BINARY, "--station", "HL01", "--db", STORE],
        ["import", "households", LEDGER, "--station", NOT_UTF8, "--db", STORE],
        ["slips", "print", "[bold]\x1b[31m", "--db", STORE],
        ["check", "--db", FOLDER],
        ["roster", "show", "--month", "2026-02", "--station", "👨\u200d👩\u200d👧", "--db", STORE],
    ],
)
def test_a_real_process_prints_no_traceback(argv, template, tmp_path: Path) -> None:
    real = materialise(argv, template, tmp_path)
    expected = 2
    # A strict UTF-8 terminal (as under an en_US.UTF-8 or zh_CN.UTF-8 locale).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run(
        [sys.executable, "-m", "grassroots_tui", *[os.fsencode(a) for a in real]],
        capture_output=True,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    err = done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr and b"Traceback" not in done.stdout, err
    assert done.returncode == expected, (done.returncode, out, err)
    assert err.startswith("错误"), err


@pytest.mark.slow
def test_a_real_process_prints_a_path_that_is_not_utf8(template, tmp_path: Path) -> None:
    """On a strict UTF-8 terminal, a backup folder whose name is not UTF-8 used to end in
    UnicodeEncodeError and a traceback after the backup was written."""
    real = materialise(["backup", "--db", STORE], template, tmp_path)
    target = os.fsencode(tmp_path) + b"/\xff\xfe\xe5\xa4"
    os.mkdir(target)
    done = subprocess.run(
        [sys.executable, "-m", "grassroots_tui", *map(os.fsencode, real), b"--to", target],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "已备份到".encode() in done.stdout and b"\\udcff" in done.stdout
    assert len(os.listdir(target)) == 1
