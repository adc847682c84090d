"""The messages of the layers below the screens (``tr("…")``, grassroots_tui/lang.py)
have their English, and no Chinese text reaches a person outside them.

What ``xgettext`` would do, done with :mod:`ast`: every literal first argument of
``tr()`` in the package is a message id; each must have an English entry with the same
placeholders, and every English entry must still be used (or be one of the dynamic ids
the models name: field titles and enum labels).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import orjson
import pytest

import grassroots_tui
from grassroots_tui import lang
from grassroots_tui.lang import english_catalog, set_language, tr

PACKAGE = Path(grassroots_tui.__file__).parent
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
#: The functions whose first argument is a message id.
MARKERS = frozenset({"tr", "chinese", "N_"})


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _marked(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in MARKERS:
                found.append((node.lineno, node.args[0].value))
    return found


def message_ids() -> dict[str, list[str]]:
    """Every literal message id of the package → where it is used."""
    ids: dict[str, list[str]] = {}
    for path in _sources():
        tree = ast.parse(path.read_bytes(), str(path))
        for line, msgid in _marked(tree):
            ids.setdefault(msgid, []).append(f"{path.relative_to(PACKAGE)}:{line}")
    return ids


def dynamic_ids() -> set[str]:
    """Message ids the code translates from a variable: the models' field titles and the
    enums' labels (``tr(field.title)``, ``label(member)``)."""
    from grassroots_tui.models.registry import dynamic_message_ids

    return set(dynamic_message_ids())


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_catalog_file_is_a_flat_map_of_strings():
    files = sorted(lang.CATALOG_DIR.glob("*.json"))
    assert files, "no English catalog files"
    seen: dict[str, str] = {}
    for path in files:
        data = orjson.loads(path.read_bytes())
        assert isinstance(data, dict), path.name
        for key, value in data.items():
            assert isinstance(value, str) and value.strip(), f"{path.name}: {key!r} has no English"
            assert CJK.search(key), f"{path.name}: {key!r} is not a Chinese message id"
            assert not CJK.search(value), (
                f"{path.name}: the English of {key!r} holds Chinese: {value!r}"
            )
            if key in seen and seen[key] != value:
                pytest.fail(
                    f"{key!r} is translated twice, differently ({seen[key]!r} and {value!r})"
                )
            seen[key] = value


def test_every_marked_message_has_its_english():
    catalog = english_catalog()
    missing = {m: where for m, where in message_ids().items() if CJK.search(m) and m not in catalog}
    assert not missing, "no English for:\n" + "\n".join(
        f"  {m!r} ({where[0]})" for m, where in sorted(missing.items())
    )


def test_every_title_and_label_of_the_models_has_its_english():
    catalog = english_catalog()
    missing = sorted(m for m in dynamic_ids() if m not in catalog)
    assert not missing, f"no English for these titles and labels: {missing}"


def test_placeholders_agree():
    wrong = [(m, e) for m, e in english_catalog().items() if _fields(m) != _fields(e)]
    assert not wrong, "placeholders differ:\n" + "\n".join(f"  {m!r} → {e!r}" for m, e in wrong)


def test_no_english_entry_is_left_unused():
    used = set(message_ids()) | dynamic_ids()
    unused = sorted(set(english_catalog()) - used)
    assert not unused, f"English entries no code uses: {unused[:20]} ({len(unused)})"


def test_tr_speaks_the_chosen_language_and_fills_placeholders():
    msgid = next(m for m in english_catalog() if "{" in m)
    values = {name: "X" for name in _fields(msgid)}
    assert tr(msgid, **values) == lang.fill(msgid, values)
    set_language("en")
    english = tr(msgid, **values)
    assert english == lang.fill(english_catalog()[msgid], values)
    assert not CJK.search(english.replace("X", ""))
