"""JSON Schemas of every document kind, generated from the models.

``python -m grassroots_tui.models.schema_export [DIR]`` (``make schemas``) rewrites
``schemas/<kind>.schema.json``; ``tests/test_schemas.py`` fails when they drift.
The schemas describe what validation accepts (pydantic mode "validation").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import JsonSchemaMode

from grassroots_tui.lang import tr
from grassroots_tui.models.registry import KINDS, model_for

#: Mode passed to ``model_json_schema``; kept in one place so the files stay consistent.
SCHEMA_MODE: JsonSchemaMode = "validation"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: ``schemas/`` at the repository root (next to the ``grassroots_tui`` package).
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` as a dict."""
    cls = model_for(kind)
    schema = cls.model_json_schema(mode=SCHEMA_MODE)
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = schema_file_name(kind)
    schema["x-kind"] = kind
    schema["x-schema-version"] = cls.SCHEMA_VERSION
    return schema


def render_schema(kind: str) -> str:
    """The exact text of ``schemas/<kind>.schema.json``."""
    return json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: str | Path = DEFAULT_DIR) -> list[Path]:
    """Write every kind's schema into ``directory``; return the paths written.

    Files are only rewritten when their content changes. Stale ``*.schema.json`` files of
    kinds that no longer exist are removed.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    wanted = {schema_file_name(kind) for kind in KINDS}
    for kind in KINDS:
        path = out / schema_file_name(kind)
        text = render_schema(kind)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    for stale in out.glob("*.schema.json"):
        if stale.name not in wanted:
            stale.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(tr("用法：{command} [目录]", command="python -m grassroots_tui.models.schema_export"))
        return 0 if args and args[0] in ("-h", "--help") else 2
    directory = Path(args[0]) if args else DEFAULT_DIR
    paths = write_schemas(directory)
    print(tr("已写入 {n} 个 JSON Schema 到 {directory}", n=len(paths), directory=directory))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
