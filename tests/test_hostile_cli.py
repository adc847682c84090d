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

Dates, years, months and day counts are read by the argparse types of
:mod:`grassroots_tui.services.argument_types`; a second hypothesis test gives each of them
odd values (99999-01-01, 9999-12-31, a month 13, ten to the thirtieth, -5, full-width
digits) and asserts the refusal is one Chinese line naming the argument. Folders made
for ``--out`` are 0700, those on the way included.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grassroots_tui.cli import build_parser, main
from grassroots_tui.services import argument_types
from tests.tui_fixtures import HEAD_ID, HEAD_PIN, build_store

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
        "-5",
        "0",
        "99999999999999999999",
        "1" + "0" * 30,
        "1e9",
        "99999-01-01",
        "1999-12-31",
        "2100-12-31",
        "２０２６-１１-２６",
        "2026-09",
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


def run_captured(argv: list[str]) -> tuple[int, str, str]:
    """run_main with stdout and stderr caught as bytes: `export stats --out -` writes an
    .xlsx to a stdout that is not a terminal, which capsys cannot decode."""
    streams = [
        io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="")
        for _ in range(2)
    ]
    with contextlib.redirect_stdout(streams[0]), contextlib.redirect_stderr(streams[1]):
        code = run_main(argv)
    # detach(): nothing is left for the wrapper to flush (or fail to) when it is collected.
    out, err = (s.detach().getvalue().decode("utf-8", "replace") for s in streams)  # type: ignore[attr-defined]
    return code, out, err


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
        # "Error:" when the drawn command line asks for English (--lang en)
        assert err.startswith(("错误", "Error:", "usage:")), (argv, err)
    # main()'s last resort caught something no command expected: a bug to fix.
    assert "发生了意外错误" not in err, (argv, err)


@settings(
    max_examples=150 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=argvs())
def test_any_command_line_ends_in_a_message_not_a_traceback(argv, template) -> None:
    with tempfile.TemporaryDirectory() as folder:
        real = materialise(argv, template, Path(folder))
        code, out, err = run_captured(real)
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
        env={
            **os.environ,
            "PYTHONIOENCODING": "utf-8:strict",
            # A copy taken elsewhere needs the head signed in (docs/cli-sign-in.md).
            "GRASSROOTS_USER": HEAD_ID,
            "GRASSROOTS_PIN": HEAD_PIN,
        },
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "已备份到".encode() in done.stdout and b"\\udcff" in done.stdout
    assert len(os.listdir(target)) == 1


# -- dates, years, months and counts: the argparse types ------------------------------------

#: Where each command with a typed argument gets the rest of a valid command line. A
#: document goes to a file in the test's folder (the working directory), never to
#: standard output: its bytes would corrupt the captured text of every later test.
BASE_ARGV: dict[tuple[str, ...], list[str]] = {
    ("deadline",): ["deadline", "2026-11-26"],
    ("calendar",): ["calendar"],
    ("export", "stats"): ["export", "stats", "--month", "2026-09", "--format", "csv", "--out", "-"],
    ("roster", "show"): ["roster", "show", "--month", "2026-02"],
    ("supervision", "report"): ["supervision", "report", "--month", "2026-02"],
    ("slips", "overdue"): ["slips", "overdue"],
    ("slips", "remind"): ["slips", "remind", "2026-0001"],
    ("hardship", "due"): ["hardship", "due"],
    ("leave", "notice"): ["leave", "notice", "张三"],
    ("document", "remind"): ["document", "remind", "2026-0001", "--out", "out.docx"],
    ("document", "leave"): ["document", "leave", "张三", "--out", "out.docx"],
    ("document", "round"): ["document", "round", "春节", "--out", "out.docx"],
    ("document", "stats"): ["document", "stats", "--month", "2026-09", "--out", "out.docx"],
    ("key", "encrypt"): ["key", "encrypt"],
    ("key", "passphrase"): ["key", "passphrase"],
    ("key", "remove"): ["key", "remove", "1"],
}
#: demo writes a store: its bounded --today and --seed are tried on their own, in
#: test_demo_today_out_of_range, not on the shared read-only store.
WRITES = {("demo",)}


def _typed(action: argparse.Action) -> bool:
    return getattr(action.type, "__module__", None) == argument_types.__name__


TYPED = [
    (prefix, action)
    for prefix, parser in sorted(COMMANDS.items())
    for action in parser._actions
    if _typed(action) and prefix not in WRITES
]


def _name(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else action.metavar


def test_every_number_and_date_on_the_command_line_is_read_by_a_bounded_type() -> None:
    """No `type=int` or `date.fromisoformat` is left: each would let 10**30 or 9999-12-31
    through to an OverflowError."""
    loose = [
        (prefix, _name(action))
        for prefix, parser in COMMANDS.items()
        for action in parser._actions
        if action.type in (int, float, date.fromisoformat)
    ]
    assert loose == []
    # These at least (a command may add more, e.g. export stats --on):
    assert {(p, _name(a)) for p, a in TYPED} >= {
        (("deadline",), "DATE"),
        (("calendar",), "--year"),
        (("export", "stats"), "--month"),
        (("roster", "show"), "--month"),
        (("supervision", "report"), "--month"),
        (("slips", "overdue"), "--on"),
        (("slips", "overdue"), "--warn-days"),
        (("slips", "remind"), "--on"),
        (("hardship", "due"), "--on"),
        (("hardship", "due"), "--within"),
        (("leave", "notice"), "--on"),
    }


ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            "99999-01-01",
            "9999-12-31",
            "0001-01-01",
            "0000-00-00",
            "1999-12-31",
            "2000-01-01",
            "2100-12-31",
            "2101-01-01",
            "2026-13-01",
            "2026-02-30",
            "2026-13",
            "2026-00",
            "0000-01",
            "9999-12",
            "2100-12",
            "10**30",
            "1" + "0" * 30,
            "1" * 5000,
            "-5",
            "-1",
            "0",
            "365",
            "366",
            "1e9",
            "NaN",
            "２０２６-１１-２６",
            "２０２６",
            "٢٠٢٦",
            "2026",
            "",
            " ",
            "\x1b[31m",
        ]
    ),
    st.integers(-(10**40), 10**40).map(str),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.builds("{}-{:02d}".format, st.integers(0, 99_999), st.integers(0, 99)),
    st.text(max_size=12),
    # In range, or just outside: these must run through to the end without overflowing.
    st.dates(argument_types.FIRST_DAY, argument_types.LAST_DAY).map(date.isoformat),
    st.sampled_from(["2000-01-01", "2100-12-31", "2100-12", "2000-01", "2000", "2100"]),
    st.builds("{}-{:02d}".format, st.integers(1999, 2101), st.integers(1, 12)),
    st.integers(-1, 366).map(str),
)


@pytest.fixture(scope="module")
def readonly_store(template: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("typed") / "store"
    shutil.copytree(template.parent, folder)
    return folder / template.name


@settings(
    max_examples=200 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(which=st.sampled_from(TYPED), value=ODD_VALUES)
def test_odd_numbers_and_dates_get_the_arguments_own_chinese_message(
    which, value, readonly_store, capsys
) -> None:
    prefix, action = which
    argv = [*BASE_ARGV[prefix], "--db", str(readonly_store)]
    name = _name(action)
    if action.option_strings:
        if name in argv:
            argv[argv.index(name) + 1] = value
        else:
            argv += [name, value]
    else:  # the one positional, last in the base line (DATE of deadline, N of key remove)
        argv[len(BASE_ARGV[prefix]) - 1] = value
    try:
        action.type(value)
        valid = True
    except argparse.ArgumentTypeError:
        valid = False
    code = run_main(argv)
    out, err = capsys.readouterr()
    event(f"{' '.join(prefix)} {name}: {'valid' if valid else 'refused'}, exit {code}")
    assert_no_traceback(code, out, err, argv)
    if not valid:
        first = err.splitlines()[0] if err else ""
        assert code == 2, (argv, out, err)
        assert first.startswith("错误："), (argv, err)
        assert name in first, (name, first)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in first[3:]), first


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["calendar", "--year", "99999"], "年份“99999”无效：应为 2000 到 2100 之间的四位数字"),
        (["calendar", "--year", "1" + "0" * 30], "（参数 --year）"),
        (
            ["deadline", "9999-12-31"],
            "日期“9999-12-31”无效：年份应在 2000 到 2100 之间（参数 DATE）",
        ),
        (["export", "stats", "--month", "2026-13"], "月份“2026-13”无效"),
        (["export", "stats", "--month", "0000-01"], "年份在 2000 到 2100 之间（参数 --month）"),
        (["slips", "overdue", "--warn-days", "-5"], "预警天数“-5”无效：应为 0 到 365 之间的整数"),
        (["hardship", "due", "--within", "99999999999999999999"], "（参数 --within）"),
        (["hardship", "due", "--on", "99999-01-01"], "日期“99999-01-01”无效"),
        (["leave", "notice", "张三", "--on", "2026-02-30"], "公示日期“2026-02-30”无效：没有这一天"),
        (["roster", "show"], "缺少必需的参数：--month"),
    ],
)
def test_known_odd_values_say_which_argument_in_chinese(
    argv, expected, readonly_store, capsys
) -> None:
    code = run_main([*argv, "--db", str(readonly_store)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    first, *rest = err.splitlines()
    assert first.startswith("错误：") and expected in first, first
    assert not rest and "查看用法：grassroots" in first, err  # one line, as the README says


def test_full_width_digits_are_read_as_digits(readonly_store, capsys) -> None:
    assert run_main(["deadline", "２０２６-１１-２６", "--db", str(readonly_store)]) == 0
    assert "签发日期：2026-11-26" in capsys.readouterr().out


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
def test_demo_today_out_of_range(today, tmp_path: Path, capsys) -> None:
    code = run_main(["demo", "--today", today, "--db", str(tmp_path / "demo" / "g.json")])
    out, err = capsys.readouterr()
    assert code == 2 and "意外错误" not in err and "--today" in err.splitlines()[0]


# -- folders made for --out are the owner's only ------------------------------------------------


def _modes(top: Path, leaf: Path) -> dict[str, int]:
    """{folder: mode} for ``top`` and every folder under it down to ``leaf``."""
    found = {}
    folder = leaf
    while True:
        found[str(folder.relative_to(top.parent))] = stat.S_IMODE(folder.stat().st_mode)
        if folder == top:
            return found
        folder = folder.parent


@pytest.fixture
def open_umask():
    """The most permissive umask: what the folders get is the program's doing alone."""
    before = os.umask(0)
    yield
    os.umask(before)


def test_export_out_makes_every_folder_on_the_way_0700(
    readonly_store, tmp_path: Path, open_umask, capsys
) -> None:
    out = tmp_path / "新" / "a" / "b" / "统计.csv"
    argv = ["export", "stats", "--month", "2026-09", "--format", "csv", "--out", str(out)]
    assert run_main([*argv, "--db", str(readonly_store)]) == 0, capsys.readouterr().err
    assert _modes(tmp_path / "新", out.parent) == {"新": 0o700, "新/a": 0o700, "新/a/b": 0o700}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_round_export_out_makes_every_folder_on_the_way_0700(
    tmp_path: Path, open_umask, capsys
) -> None:
    from grassroots_tui.services import condolence
    from tests.factories import STATION_ID
    from tests.test_hardship import open_store, opened

    db = tmp_path / "store" / "g.json"
    store = open_store(db)
    try:
        opened(store, "home-1", opened=date(2026, 9, 10))
        condolence.start_round(
            store,
            title="冬季送温暖",
            started_on=date(2026, 11, 20),
            station_id=STATION_ID,
            tier=None,
            actor="站长",
        )
    finally:
        store.close()
    out = tmp_path / "名单" / "冬季" / "名单.csv"
    argv = ["hardship", "round", "export", "冬季送温暖", "--out", str(out), "--db", str(db)]
    assert run_main(argv) == 0, capsys.readouterr().err
    assert _modes(tmp_path / "名单", out.parent) == {"名单": 0o700, "名单/冬季": 0o700}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_printed_slips_and_notices_make_folders_0700(tmp_path: Path, open_umask) -> None:
    """`slips print --out`, `slips remind --out` and `leave notice --out` write through
    _emit; the program's own exports through write_export."""
    from grassroots_tui.cli.slip_commands import _emit
    from grassroots_tui.store.exports import exports_folder, write_export
    from grassroots_tui.store.paths import StorePaths

    _emit("交办单\n", "-")  # the screen, as for export stats: no file called "-"
    assert not Path("-").exists()
    _emit("交办单\n", str(tmp_path / "打印" / "一" / "单.txt"))
    assert _modes(tmp_path / "打印", tmp_path / "打印" / "一") == {"打印": 0o700, "打印/一": 0o700}

    store_main = tmp_path / "数据" / "深" / "g.json"
    paths = StorePaths.for_main(store_main)
    folder = exports_folder(paths)
    assert _modes(tmp_path / "数据", folder) == {
        "数据": 0o700,
        "数据/深": 0o700,
        "数据/深/exports": 0o700,
    }
    written = write_export(paths, "通知", "内容", to=tmp_path / "别处" / "x" / "通知.txt")
    assert _modes(tmp_path / "别处", written.parent) == {"别处": 0o700, "别处/x": 0o700}
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
