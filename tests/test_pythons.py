"""Every Python that pyproject's ``requires-python`` admits and this machine has can
compile and import the program.

A lone surrogate in a docstring once kept the program from starting on Python 3.13 while
every test passed on the venv's 3.11. This test finds each Python >= 3.11 on PATH
(``python3.11`` … ``python3.19``) and under pyenv (``~/.pyenv/versions/3.1[1-9]*``) and,
for each one:

- byte-compiles every module of ``grassroots_tui`` (``python -m compileall -q``, the .pyc
  files written to a temporary folder, never into the tree);
- imports every module whose imports, followed through the package, reach only the
  standard library (run with ``-S`` so that a site-packages of that Python cannot stand in
  for ours).

The venv's own Python, which has the dependencies, also imports every module and runs
``python -m grassroots_tui --help``.

Why not a venv with the dependencies per Python: measured on this machine, installing them
into a fresh venv for 3.12 and 3.13 took 32 s (both at once) and needs PyPI: nothing is in
a local wheel cache, so it is neither quick nor offline. The venv's Python covers the
imports of the dependencies; the others cover the syntax and the standard library.

If no other Python is found, the test still checks the venv's, and says so (a warning in
the summary), rather than skipping.
"""

from __future__ import annotations

import ast
import glob
import os
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "grassroots_tui"

pytestmark = pytest.mark.slow


def _minimum() -> tuple[int, int]:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "requires-python"
    ]
    assert spec.startswith(">="), spec
    major, minor = spec[2:].split(".")[:2]
    return int(major), int(minor)


def _candidates() -> list[str]:
    found = [shutil.which(f"python3.{minor}") for minor in range(11, 20)]
    found += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[1-9]*/bin/python")))
    return [path for path in found if path]


def find_pythons() -> dict[tuple[int, int, int], str]:
    """Each distinct Python >= requires-python: version → the real executable.

    A pyenv shim for a version that is not selected fails to run; it is left out (the
    pyenv versions folder finds that version anyway)."""
    minimum = _minimum()
    pythons: dict[tuple[int, int, int], str] = {}
    for path in _candidates():
        try:
            done = subprocess.run(
                [path, "-c", "import sys; print(sys.executable); print(*sys.version_info[:3])"],
                capture_output=True,
                text=True,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode != 0:
            continue
        executable, version_text = done.stdout.split("\n")[:2]
        version = tuple(int(part) for part in version_text.split())
        if version[:2] >= minimum:
            pythons.setdefault(version, os.path.realpath(executable))  # type: ignore[arg-type]
    return pythons


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_at_import_time(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """The modules a module imports when it is imported: at module level and in class
    bodies, not inside functions (those run later, if ever)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target == "__future__":
                    continue
                names.add(target)
                # "from package import module" imports the submodule too
                names.update(f"{target}.{alias.name}" for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.stmt | ast.ExceptHandler)])
            if isinstance(node, ast.ExceptHandler):
                visit(node.body)

    visit(tree.body)
    return names


def package_modules() -> dict[str, set[str]]:
    """Every module of grassroots_tui → what it imports at import time."""
    modules: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules[name] = _imports_at_import_time(tree, name, path.name == "__init__.py")
    return modules


def stdlib_only(modules: dict[str, set[str]]) -> list[str]:
    """The modules whose imports, followed through the package (parent packages
    included), reach only the standard library."""

    def edges(name: str) -> tuple[set[str], bool]:
        """The package's modules ``name`` imports (parents included), and whether it
        imports anything outside the package and the standard library."""
        parts = name.split(".")
        inside = {".".join(parts[:i]) for i in range(1, len(parts))}
        foreign = False
        for dependency in modules[name]:
            if dependency.split(".")[0] != "grassroots_tui":
                foreign |= dependency.split(".")[0] not in sys.stdlib_module_names
            elif dependency in modules:
                inside.add(dependency)
            elif dependency.rpartition(".")[0] in modules:  # a name from a module
                inside.add(dependency.rpartition(".")[0])
            else:
                foreign = True  # a module that is not there: let the import show it
        return inside, foreign

    graph = {name: edges(name) for name in modules}

    def reaches_only_stdlib(start: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            inside, foreign = graph[todo.pop()]
            if foreign:
                return False
            todo += [n for n in inside - seen]
            seen |= inside
        return True

    return sorted(n for n in modules if "__main__" not in n and reaches_only_stdlib(n))


IMPORT_SCRIPT = """
import importlib, sys, traceback
sys.path.insert(0, sys.argv[1])
failed = []
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except BaseException:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _run(args: list[str], env_extra: dict[str, str], timeout: float = 60):
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.update(env_extra)
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def check_python(executable: str, modules: list[str], pycache: Path) -> list[str]:
    """What goes wrong with one Python: compileall, then imports of ``modules``."""
    problems = []
    done = _run(
        [executable, "-m", "compileall", "-q", str(PACKAGE)],
        {"PYTHONPYCACHEPREFIX": str(pycache)},
    )
    if done.returncode != 0:
        problems.append(f"compileall: {done.stdout}{done.stderr}")
    done = _run(
        [executable, "-S", "-c", IMPORT_SCRIPT, str(ROOT), *modules],
        {"PYTHONPYCACHEPREFIX": str(pycache)},
    )
    if done.returncode != 0:
        problems.append(f"import: {done.stdout}{done.stderr}")
    return problems


def test_stdlib_only_modules_are_found():
    """The analysis itself: a module known to import only the standard library is found,
    and one that imports pydantic, directly or through the package, is not."""
    modules = package_modules()
    plain = stdlib_only(modules)
    assert "grassroots_tui" in plain
    assert "grassroots_tui.models.base" not in plain  # pydantic
    assert "grassroots_tui.cli" not in plain  # the store, tinydb, orjson


def test_every_python_compiles_and_imports_the_program(tmp_path):
    minimum = _minimum()
    modules = package_modules()
    plain = stdlib_only(modules)
    everything = sorted(name for name in modules if "__main__" not in name)
    venv_version = tuple(sys.version_info[:3])
    others = {v: p for v, p in find_pythons().items() if v != venv_version}

    report = []
    failures = {}
    # The venv's Python: every module, and the CLI.
    problems = check_python(sys.executable, [], tmp_path / "venv")
    done = _run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(ROOT), *everything],
        {"PYTHONPYCACHEPREFIX": str(tmp_path / "venv")},
    )
    if done.returncode != 0:
        problems.append(f"import: {done.stdout}{done.stderr}")
    done = _run(
        [sys.executable, "-m", "grassroots_tui", "--help"],
        {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(tmp_path / "venv")},
    )
    if done.returncode != 0 or "grassroots" not in done.stdout or done.stderr:
        problems.append(f"--help: exit {done.returncode}: {done.stdout}{done.stderr}")
    label = ".".join(map(str, venv_version))
    report.append(f"Python {label} (venv): compileall, {len(everything)} modules imported, --help")
    if problems:
        failures[label] = problems

    for version, executable in sorted(others.items()):
        label = ".".join(map(str, version))
        problems = check_python(executable, plain, tmp_path / label)
        report.append(
            f"Python {label} ({executable}): compileall, {len(plain)} of {len(everything)}"
            " modules imported (those needing only the standard library)"
        )
        if problems:
            failures[label] = problems

    print("\n".join(report))
    if not others:
        warnings.warn(
            f"no Python >= {minimum[0]}.{minimum[1]} other than the venv's "
            f"{'.'.join(map(str, venv_version))} was found; only that one was checked",
            stacklevel=1,
        )
    assert not failures, "\n".join(f"Python {v}: {p}" for v, ps in failures.items() for p in ps)
    assert len(plain) >= 5, plain  # the analysis must leave something to import
