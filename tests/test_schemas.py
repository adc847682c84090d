"""The committed JSON Schemas in schemas/ match the models (docs/design.md#documents)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grassroots_tui.models import KINDS
from grassroots_tui.models.schema_export import (
    DEFAULT_DIR,
    render_schema,
    schema_file_name,
    schema_for,
    write_schemas,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
HOW_TO_FIX = "run `make schemas` (python -m grassroots_tui.models.schema_export) and commit"


def test_default_directory_is_the_repository_schemas_folder():
    assert DEFAULT_DIR == SCHEMAS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_schema_matches_the_model(kind):
    path = SCHEMAS / schema_file_name(kind)
    assert path.exists(), f"schemas/{path.name} is missing: {HOW_TO_FIX}"
    committed = path.read_text(encoding="utf-8")
    assert committed == render_schema(kind), (
        f"schemas/{path.name} differs from the {KINDS[kind].__name__} model: {HOW_TO_FIX}"
    )


def test_every_schema_file_belongs_to_a_kind():
    known = {schema_file_name(kind) for kind in KINDS}
    strays = sorted(p.name for p in SCHEMAS.glob("*.json") if p.name not in known)
    assert not strays, f"schemas/ has files of no document kind: {strays}; {HOW_TO_FIX}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_describes_the_kind(kind):
    schema = schema_for(kind)
    assert schema["x-kind"] == kind
    assert schema["properties"]["kind"]["const"] == kind
    assert schema["additionalProperties"] is False
    assert schema["title"] == KINDS[kind].LABEL
    for name, prop in schema["properties"].items():
        assert prop.get("title"), f"{kind}.{name} has no title"


def test_amount_is_a_string_in_the_schema():
    prop = schema_for("assistance")["properties"]["amount"]
    assert prop["type"] == "string" and prop["pattern"] == r"^\d+\.\d{2}$"


def test_enums_carry_chinese_labels():
    defs = schema_for("visit")["$defs"]
    assert defs["VisitKind"]["enum"] == ["door", "appointment", "joint", "night"]
    assert defs["VisitKind"]["x-labels"]["night"] == "夜访"


def test_write_schemas_writes_sorted_utf8_with_newline(tmp_path):
    (tmp_path / "gone.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    paths = write_schemas(tmp_path)
    assert sorted(p.name for p in paths) == sorted(schema_file_name(k) for k in KINDS)
    assert not (tmp_path / "gone.schema.json").exists()
    assert (tmp_path / "notes.txt").exists()
    text = (tmp_path / "household.schema.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "户主" in text
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
