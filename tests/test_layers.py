"""The layers of the code stay as docs/design.md#layers draws them.

    models → store → services → demo → cli / tui
                 ↘ hub ↗

Each layer imports only the ones below it: ``models`` nothing of ours, ``store`` only
``models``, ``services`` only ``models`` and ``store``, ``demo`` (the demo store's
generator, not domain logic) only ``models``, ``store`` and ``services``: nothing in
``models``, ``store`` or ``services`` imports the demo. ``hub`` (the street office's
shared database and a laptop's sync) imports only ``models`` and ``store``. ``i18n`` (the interface's words)
sits beside ``services`` and may import only ``models``. ``cli`` and ``tui`` may import
everything below them but not each other, except through the declared paths in
:data:`DECLARED` (the command line opens the program through ``tui.launch``). Textual
and Rich are imported only under ``tui/`` (Rich also by the command line's output), so a
headless command and a test can do all the work without a terminal.

Every import is found with :mod:`ast`, wherever it stands: at the top, inside a
function, under ``if TYPE_CHECKING``, relative (``from ..store import x``), as ``from
grassroots_tui import services``, or as ``importlib.import_module("…")`` with a literal
name. A violation fails naming the file, the line and the import.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "grassroots_tui"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

#: Which of our layers each layer may import (its own always). ``<root>`` is the
#: package's own ``__init__`` (the version), which imports nothing of ours.
ALLOWED: dict[str, frozenset[str]] = {
    "<root>": frozenset(),
    "models": frozenset({"<root>"}),
    "store": frozenset({"<root>", "models"}),
    "services": frozenset({"<root>", "models", "store"}),
    "demo": frozenset({"<root>", "models", "store", "services"}),
    "hub": frozenset({"<root>", "models", "store"}),
    "i18n": frozenset({"<root>", "models"}),
    "cli": frozenset({"<root>", "models", "store", "services", "demo", "hub", "i18n"}),
    "tui": frozenset({"<root>", "models", "store", "services", "demo", "hub", "i18n"}),
    "__main__": frozenset({"<root>", "cli"}),
}

#: Imports across cli and tui that are part of the design: (importing layer, module).
DECLARED: frozenset[tuple[str, str]] = frozenset({("cli", f"{PACKAGE}.tui.launch")})

#: Third-party packages only some layers may import.
RESTRICTED: dict[str, frozenset[str]] = {
    "textual": frozenset({"tui"}),
    "rich": frozenset({"tui", "cli"}),
}


@dataclass(frozen=True)
class Violation:
    file: Path
    line: int
    imported: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: imports {self.imported} ({self.reason})"


def layer_of(relative: Path) -> str:
    """The layer of a file, from its path inside the package."""
    if len(relative.parts) == 1:
        return "__main__" if relative.name == "__main__.py" else "<root>"
    return relative.parts[0]


def imports_of(path: Path, relative: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with its line: anywhere in the file."""
    tree = ast.parse(path.read_bytes(), str(path))
    here = [PACKAGE, *relative.with_suffix("").parts]
    if here[-1] == "__init__":
        here = here[:-1]
        package = here
    else:
        package = here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from grassroots_tui import services` or `from .. import tui` names a layer.
            if module == PACKAGE:
                found += [(node.lineno, f"{PACKAGE}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in {"import_module", "__import__"}
                )
            )
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def check_layers(root: Path) -> tuple[list[Violation], int]:
    """Every forbidden import under the package folder ``root``, and how many imports
    of ours were looked at (so a checker that finds nothing to look at is noticed)."""
    violations: list[Violation] = []
    seen = 0
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        layer = layer_of(relative)
        shown = Path(PACKAGE) / relative
        for line, module in imports_of(path, relative):
            parts = module.split(".")
            top = parts[0]
            if top in RESTRICTED and layer not in RESTRICTED[top]:
                allowed = ", ".join(sorted(RESTRICTED[top]))
                violations.append(
                    Violation(shown, line, module, f"{top} only under: {allowed}; not {layer}")
                )
            if top != PACKAGE:
                continue
            seen += 1
            target = parts[1] if len(parts) > 1 else "<root>"
            if target == "__init__":  # pragma: no cover - nobody writes this, but be sure
                target = "<root>"
            if target not in ALLOWED and len(parts) > 1:
                # A name imported from the root package (`from grassroots_tui import
                # __version__`) is the root's.
                target = "<root>"
            if target == layer or target in ALLOWED.get(layer, frozenset()):
                continue
            if any(layer == who and module.startswith(what) for who, what in DECLARED):
                continue
            allowed = ", ".join(sorted(ALLOWED.get(layer, frozenset()))) or "nothing of ours"
            violations.append(Violation(shown, line, module, f"{layer} may import only: {allowed}"))
    return violations, seen


def test_the_real_code_keeps_its_layers() -> None:
    violations, seen = check_layers(ROOT)
    assert seen > 300, f"only {seen} imports of ours found: is the checker looking?"
    assert not violations, "forbidden imports:\n" + "\n".join(map(str, violations))


def test_every_layer_folder_is_known() -> None:
    """A new top-level package must be placed in ALLOWED before it can be imported."""
    folders = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED), f"not placed in a layer: {folders - set(ALLOWED)}"


# --- the checker bites --------------------------------------------------------------


PLANTED = {
    # models importing the store, hidden inside a function
    "models/planted.py": "def f():\n    from grassroots_tui.store import Store\n    return Store\n",
    # store importing a service, relatively
    "store/planted.py": "from ..services import slips\n",
    # a service importing Textual, under TYPE_CHECKING
    "services/planted.py": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from textual.app import App\n"
    ),
    # a service reaching up by importlib, and by `from grassroots_tui import tui`
    "services/planted2.py": (
        "import importlib\nx = importlib.import_module('grassroots_tui.cli')\n"
        "from grassroots_tui import tui\n"
    ),
    # the command line importing a screen directly (only tui.launch is declared)
    "cli/planted.py": "import grassroots_tui.tui.app\n",
    # the program importing the command line
    "tui/planted.py": "from grassroots_tui.cli import main\n",
    # models importing the interface's words
    "models/planted2.py": "import grassroots_tui.i18n as i\n",
    # a service importing the demo generator, which sits above the services
    "services/planted3.py": "from grassroots_tui.demo import build_demo\n",
    # the demo reaching up into the program
    "demo/planted.py": "from grassroots_tui.tui import launch\n",
}

EXPECTED = {
    ("grassroots_tui/models/planted.py", 2, "grassroots_tui.store"),
    ("grassroots_tui/store/planted.py", 1, "grassroots_tui.services"),
    ("grassroots_tui/services/planted.py", 3, "textual.app"),
    ("grassroots_tui/services/planted2.py", 2, "grassroots_tui.cli"),
    ("grassroots_tui/services/planted2.py", 3, "grassroots_tui.tui"),
    ("grassroots_tui/cli/planted.py", 1, "grassroots_tui.tui.app"),
    ("grassroots_tui/tui/planted.py", 1, "grassroots_tui.cli"),
    ("grassroots_tui/models/planted2.py", 1, "grassroots_tui.i18n"),
    ("grassroots_tui/services/planted3.py", 1, "grassroots_tui.demo"),
    ("grassroots_tui/demo/planted.py", 1, "grassroots_tui.tui"),
}


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("layers") / PACKAGE
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_planted_violations_are_each_named_with_file_line_and_import(
    copy_of_the_code: Path,
) -> None:
    for name, text in PLANTED.items():
        (copy_of_the_code / name).write_text(text, encoding="utf-8")
    try:
        violations, _ = check_layers(copy_of_the_code)
    finally:
        for name in PLANTED:
            (copy_of_the_code / name).unlink()
    found = {(str(v.file), v.line, v.imported) for v in violations}
    assert found == EXPECTED, "\n".join(map(str, violations))
    message = next(str(v) for v in violations if v.file.name == "planted.py" and v.line == 2)
    assert message.startswith("grassroots_tui/models/planted.py:2: imports grassroots_tui.store")


def test_the_declared_path_is_the_only_way_from_cli_to_tui(copy_of_the_code: Path) -> None:
    """The one import of the program by the command line passes; the real tree has it."""
    launch_imports = [
        (line, module)
        for line, module in imports_of(
            copy_of_the_code / "cli" / "__init__.py", Path("cli/__init__.py")
        )
        if module.startswith(f"{PACKAGE}.tui")
    ]
    assert [module for _, module in launch_imports] == [f"{PACKAGE}.tui.launch"]


def test_the_test_fails_on_a_violation_planted_in_real_code(copy_of_the_code: Path) -> None:
    """A forbidden import added to an existing module, inside a function, makes the
    same check that guards the real code fail."""
    base = copy_of_the_code / "models" / "base.py"
    original = base.read_text(encoding="utf-8")
    lines = original.count("\n")
    base.write_text(
        original + "\n\ndef _planted():\n    import grassroots_tui.services.slips\n",
        encoding="utf-8",
    )
    try:
        violations, _ = check_layers(copy_of_the_code)
    finally:
        base.write_text(original, encoding="utf-8")
    assert [str(v) for v in violations] == [
        f"grassroots_tui/models/base.py:{lines + 4}: imports grassroots_tui.services.slips"
        " (models may import only: <root>)"
    ]
    assert check_layers(copy_of_the_code)[0] == []
