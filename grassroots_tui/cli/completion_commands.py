"""``grassroots completion bash|zsh|powershell``: the shell completion script, printed.

bash and zsh scripts come from shtab, which reads the argparse parser; PowerShell has no
generator there, so :func:`powershell_script` writes one from the same parser: a table of
every command's subcommands and options, and of each option's choices, looked up by the
words typed so far. Either way the script follows the commands as they are: nothing is
kept by hand.

    grassroots completion bash > ~/.local/share/bash-completion/completions/grassroots
    grassroots completion zsh > ~/.zfunc/_grassroots      # with fpath+=~/.zfunc in .zshrc
    grassroots completion powershell >> $PROFILE
"""

from __future__ import annotations

import argparse
import sys

from grassroots_tui.lang import tr

SHELLS = ("bash", "zsh", "powershell")
#: Metavars that name a file or a folder: the shells complete file names there.
_FILE_METAVARS = {"PATH", "FILE", "BACKUP"}
_FOLDER_METAVARS = {"DIR"}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    completion = subparsers.add_parser(
        "completion",
        help=tr("输出 bash、zsh 或 PowerShell 的命令补全脚本"),
        description=tr(
            "输出命令补全脚本。bash：grassroots completion bash > "
            "~/.local/share/bash-completion/completions/grassroots；zsh：放进 fpath 中名为 "
            "_grassroots 的文件；PowerShell：grassroots completion powershell >> $PROFILE。"
        ),
    )
    completion.add_argument("shell", choices=SHELLS, help=tr("哪种 shell"))
    completion.set_defaults(handler=run_completion, opens_store=False)


def run_completion(args: argparse.Namespace) -> int:
    from grassroots_tui.cli import build_parser

    sys.stdout.write(script(build_parser(), args.shell))
    return 0


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``shell``."""
    if shell == "powershell":
        return powershell_script(parser)
    import shtab

    for _path, command in _commands(parser):
        for action in command._actions:
            if action.metavar in _FILE_METAVARS:
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            elif action.metavar in _FOLDER_METAVARS:
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser under ``parser`` (itself first) with the words that lead to it."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*path, name))
    return found


def _quote(text: str) -> str:
    """A PowerShell single-quoted string."""
    return "'" + text.replace("'", "''") + "'"


def _array(words: list[str]) -> str:
    return "@(" + ", ".join(_quote(w) for w in words) + ")"


def powershell_script(parser: argparse.ArgumentParser) -> str:
    """A ``Register-ArgumentCompleter`` script for ``grassroots``: subcommands, options and
    the choices of options (``--lang zh|en``).

    ASCII only, without the Chinese help as tooltips: Windows PowerShell 5.1 reads a
    profile without a byte-order mark in the system's code page."""
    words: list[str] = []
    choices: list[str] = []
    for path, command in _commands(parser):
        key = " ".join(path)
        found: list[str] = []
        for action in command._actions:
            if action.help == argparse.SUPPRESS:
                continue
            if isinstance(action, argparse._SubParsersAction):
                found += list(action.choices)
            elif action.option_strings:
                found += action.option_strings
                if action.choices and action.nargs != 0:
                    values = _array([str(c) for c in action.choices])
                    choices.append(
                        f"        {_quote(key + '|' + action.option_strings[-1])} = {values}"
                    )
            elif action.choices:
                found += [str(c) for c in action.choices]
        words.append(f"        {_quote(key)} = {_array(found)}")
    return (
        "# grassroots command completion for PowerShell, written by"
        " `grassroots completion powershell`.\n"
        "# Add it to your profile:  grassroots completion powershell >> $PROFILE\n"
        "Register-ArgumentCompleter -Native -CommandName grassroots, grassroots.exe"
        " -ScriptBlock {\n"
        "    param($wordToComplete, $commandAst, $cursorPosition)\n"
        "    $commands = @{\n" + "\n".join(words) + "\n    }\n"
        "    $choices = @{\n" + "\n".join(choices) + "\n    }\n"
        "    $typed = @($commandAst.CommandElements | Select-Object -Skip 1 |"
        " ForEach-Object { $_.ToString() })\n"
        "    if ($wordToComplete -ne '' -and $typed.Count -gt 0) {\n"
        "        $typed = @($typed | Select-Object -First ($typed.Count - 1))\n"
        "    }\n"
        "    $path = ''\n"
        "    foreach ($word in $typed) {\n"
        '        $next = if ($path) { "$path $word" } else { $word }\n'
        "        if ($commands.ContainsKey($next)) { $path = $next }\n"
        "    }\n"
        "    $previous = if ($typed.Count -gt 0) { $typed[-1] } else { '' }\n"
        '    $key = "$path|$previous"\n'
        "    $candidates = if ($choices.ContainsKey($key)) { $choices[$key] }"
        " else { $commands[$path] }\n"
        "    foreach ($candidate in $candidates) {\n"
        '        if ($candidate -like "$wordToComplete*") {\n'
        "            [System.Management.Automation.CompletionResult]::new(\n"
        "                $candidate, $candidate, 'ParameterValue', $candidate)\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
