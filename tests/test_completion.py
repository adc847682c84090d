"""``grassroots completion bash|zsh|powershell`` (issue #21).

The bash script is run for real: bash parses it (``bash -n``) and its completion function,
called as bash would call it, answers the commands, options and choices the parser has.
zsh and PowerShell are not installed on this machine or CI: their scripts are checked for
what they must contain (every command, the choices of ``--lang``), and the PowerShell
script for being ASCII (Windows PowerShell 5.1 reads a profile without a byte-order mark
in the system's code page), but they are not run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pytest

from grassroots_tui.cli import build_parser, main
from grassroots_tui.cli.completion_commands import _commands, script

pytestmark = pytest.mark.slow


def _top_commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(subparsers.choices)


def _complete_in_bash(words: list[str], tmp_path) -> list[str]:
    """What bash offers after ``words`` (the last one being typed, maybe empty)."""
    path = tmp_path / "grassroots.bash"
    path.write_text(script(build_parser(), "bash"), encoding="utf-8")
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (
        f"source '{path}'\n"
        f"COMP_WORDS=({quoted})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        'COMP_LINE="${COMP_WORDS[*]}"\n'
        "COMP_POINT=${#COMP_LINE}\n"
        "_shtab_grassroots grassroots\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    bash = shutil.which("bash")
    assert bash, "bash is needed for this test"
    done = subprocess.run([bash, "-c", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_the_command_prints_each_script(capsys):
    for shell, marker in [
        ("bash", "-F _shtab_grassroots grassroots"),
        ("zsh", "#compdef grassroots"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName grassroots"),
    ]:
        assert main(["completion", shell]) == 0
        out, err = capsys.readouterr()
        assert marker in out, shell
        assert err == ""
    assert main(["completion", "fish"]) == 2
    assert "无效的选项" in capsys.readouterr().err


def test_bash_parses_the_script_and_completes_commands_options_and_choices(tmp_path):
    text = script(build_parser(), "bash")
    path = tmp_path / "grassroots.bash"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    commands = _top_commands()
    assert {"check", "demo", "slips", "sync", "completion"} <= set(commands)
    offered = _complete_in_bash(["grassroots", ""], tmp_path)
    assert set(commands) <= set(offered), set(commands) - set(offered)
    assert _complete_in_bash(["grassroots", "sl"], tmp_path) == ["slips"]
    assert set(_complete_in_bash(["grassroots", "slips", ""], tmp_path)) >= {
        "print",
        "overdue",
        "remind",
    }
    overdue = _complete_in_bash(["grassroots", "slips", "overdue", "--"], tmp_path)
    assert {"--station", "--warn-days", "--json", "--db"} <= set(overdue)
    assert _complete_in_bash(["grassroots", "--lang", ""], tmp_path) == ["zh", "en"]
    assert _complete_in_bash(["grassroots", "completion", ""], tmp_path) == [
        "bash",
        "zsh",
        "powershell",
    ]


def test_zsh_and_powershell_scripts_name_every_command():
    parser = build_parser()
    every = [path for path, _ in _commands(parser) if path]
    assert ("slips", "overdue") in every and ("hub", "enroll") in every

    zsh = script(build_parser(), "zsh")
    for path in every:
        assert path[-1] in zsh, path

    powershell = script(build_parser(), "powershell")
    assert powershell.isascii()
    for path in every:
        assert f"'{' '.join(path)}' = @(" in powershell, path
    assert "'|--lang' = @('zh', 'en')" in powershell
    assert "'completion' = @('-h', '--help', 'bash', 'zsh', 'powershell')" in powershell
    # Every brace and parenthesis is closed: a cheap stand-in for PowerShell's parser.
    assert powershell.count("{") == powershell.count("}")
    assert powershell.count("(") == powershell.count(")")


def test_version_is_the_installed_metadata(capsys):
    """``grassroots --version`` shows the version the package's metadata carries (hatch
    reads it from ``grassroots_tui.__version__``)."""
    import importlib.metadata

    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == f"grassroots {importlib.metadata.version('grassroots-tui')}\n"
    done = subprocess.run(
        [sys.executable, "-m", "grassroots_tui", "--version"], capture_output=True, text=True
    )
    assert done.stdout == out and done.returncode == 0
