"""Standard output and argparse's own texts:

- `hardship round export --out -` writes the checklist to standard output (no file "-");
- output piped into a reader that stops early (`| head`) ends quietly: nothing on stderr,
  no traceback, exit code 141;
- argparse's errors are one line of Chinese on stderr (exit 2), and its help is Chinese
  ("用法：", "选项", "显示这段帮助后退出"), not "usage:", "options:", "error:".

Run as real processes: the closed pipe and the final flush happen only there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from tests.test_cli_hardship import TITLE, db  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grassroots_tui", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=_env(),
        cwd=cwd or ROOT,
    )


def run_into_closed_pipe(*argv: str) -> tuple[int, str]:
    """Run with standard output a pipe whose reader is already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "grassroots_tui", *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=60,
            env=_env(),
            cwd=ROOT,
        )
    finally:
        os.close(write)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_round_export_to_standard_output(db, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    argv = ["hardship", "round", "export", TITLE, "--db", str(db), "--out", "-"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].lstrip("\ufeff").startswith("序号,户号") and "棉被" in out
    assert err == ""
    assert not (tmp_path / "-").exists()
    assert main([*argv[:-2], "--format", "md", "--out", "-"]) == 0
    assert "|" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["calendar", "--year", "2026"],
        ["deadline", "2026-11-26"],
        ["hardship", "round", "export", TITLE, "--out", "-"],
        ["hardship", "round", "list"],
    ],
)
def test_a_closed_pipe_ends_quietly(argv, db) -> None:  # noqa: F811
    if argv[0] == "hardship":
        argv = [*argv, "--db", str(db)]
    code, err = run_into_closed_pipe(*argv)
    assert err == "", err
    # argparse writes --help itself and ignores a failed write: 0 there, 141 elsewhere
    assert code == (0 if argv == ["--help"] else 141)


def test_piping_into_head_is_quiet(db) -> None:  # noqa: F811
    command = (
        f"{sys.executable} -m grassroots_tui calendar --year 2026 | head -n 1; "
        'echo "exit=${PIPESTATUS[0]}" >&2'
    )
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=_env(), cwd=ROOT
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr.strip() in ("exit=0", "exit=141"), done.stderr  # 0 if it all fit


@pytest.mark.parametrize(
    ("argv", "naming"),
    [
        (["roster", "show"], "--month"),
        (["nonsense"], "nonsense"),
        (["calendar", "--year", "abc"], "--year"),
        (["slips", "overdue", "--on"], "--on"),
        (["hardship", "round", "export"], "ROUND"),
        (["--lang", "fr"], "--lang"),
        (["check", "--no-such-option"], "--no-such-option"),
    ],
)
def test_argparse_errors_are_one_line_of_chinese(argv, naming) -> None:
    done = run(*argv)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    (line,) = lines
    assert line.startswith("错误：") and is_chinese(line[3:]) and naming in line, line
    assert "usage:" not in line and "error:" not in line and "Traceback" not in line
    assert "查看用法：grassroots" in line and line.endswith(" -h")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["roster", "show", "-h"],
        ["hardship", "round", "export", "--help"],
        ["slips", "-h"],
    ],
)
def test_help_is_chinese(argv) -> None:
    done = run(*argv)
    assert done.returncode == 0 and done.stderr == ""
    text = done.stdout
    assert text.startswith("用法：grassroots")
    assert "选项" in text and "显示这段帮助后退出" in text
    for english in ("usage:", "options:", "positional arguments", "show this help", "error:"):
        assert english not in text, (english, text)
