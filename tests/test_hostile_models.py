"""Hostile documents: every kind, fields filled from its JSON Schema with random values.

tests/test_models_properties.py throws arbitrary JSON at validate_document; here the
values are shaped by each field's schema (dates, times, enums, numbers, lists), mixed
with hostile ones (markup, control characters, 10,000-character strings, emoji, rare
CJK, impossible dates), so that validation gets deep into each model's own checks. For
every kind: validate_document returns a document or raises DocumentInvalid, nothing
else, and every problem names its field by the field's Chinese title and says in
Chinese what is wrong.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grassroots_tui.models import KINDS, Document, DocumentInvalid, validate_document
from grassroots_tui.models.errors import WHOLE_DOCUMENT

SCALE = int(os.environ.get("HOSTILE_EXAMPLES", "1"))
FAST = settings(
    max_examples=30 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "[bold]红[/bold]",
        "[link=x]",
        "[/]",
        "\x00\x1b[31m\x7f",
        "👨\u200d👩\u200d👧",
        "𠀀𪚥𰻞",
        "长" * 10_000,
        "2026-13-45",
        "2026-02-30",
        "24:61",
        "-1",
        "1e309",
        "NaN",
        "¥-5",
        "0.001",
        "null",
    ]
) | st.sampled_from([None, True, -1, 0, 10**20, 1.5, float("nan"), float("inf"), [], {}])


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def plausible(schema: dict[str, Any], defs: dict[str, Any], depth: int = 0) -> st.SearchStrategy:
    """A value of roughly the type the schema asks for (valid or nearly so)."""
    schema = _resolve(schema, defs)
    if depth > 3:
        return HOSTILE
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([plausible(s, defs, depth + 1) for s in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | st.sampled_from(
            list((schema.get("x-labels") or {}).values()) or [""]
        )
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind == "string":
        if fmt == "date":
            return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
        if fmt == "date-time":
            return st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(datetime.isoformat)
        if fmt == "time":
            return st.times().map(lambda t: t.isoformat(timespec="minutes")) | st.just(
                time(9, 0).isoformat()
            )
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True) | st.text(max_size=8)
        return st.text(max_size=schema.get("maxLength", 20) or 20) | st.uuids().map(str)
    if kind == "integer":
        return st.integers(schema.get("minimum", -5) - 2, schema.get("maximum", 100) + 2)
    if kind == "number":
        return st.decimals(allow_nan=False, places=2, min_value=-10, max_value=10**6).map(str)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(plausible(items, defs, depth + 1), max_size=3)
    if kind == "object":
        props = schema.get("properties") or {}
        if not props:
            return st.dictionaries(st.text(max_size=5), HOSTILE, max_size=2)
        return st.fixed_dictionaries(
            {},
            optional={
                name: plausible(sub, defs, depth + 1) | HOSTILE for name, sub in props.items()
            },
        )
    return HOSTILE


def documents(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    schema = KINDS[kind].model_json_schema()
    defs = schema.get("$defs", {})
    props = schema.get("properties", {})
    fields = {
        name: st.one_of(plausible(sub, defs), plausible(sub, defs), HOSTILE)
        for name, sub in props.items()
        if name != "kind"
    }
    required = set(schema.get("required", ())) - {"kind"}
    base = st.fixed_dictionaries(
        {name: fields[name] for name in sorted(required)},
        optional={name: s for name, s in fields.items() if name not in required},
    )
    extra = st.dictionaries(
        st.sampled_from(["额外", "[bold]", "\x00", "x" * 100]), HOSTILE, max_size=1
    )
    return st.builds(lambda doc, more: {**doc, **more, "kind": kind}, base, extra | st.just({}))


def check(payload: dict[str, Any], kind: str) -> str:
    model = KINDS[kind]
    try:
        doc = validate_document(payload, kind)
    except DocumentInvalid as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.message and cjk(problem.message), problem
            assert "无法校验" not in problem.message, problem  # an internal failure caught
            assert problem.label, problem
            root = problem.field.split(".", 1)[0]
            if not root:
                # A whole-document problem is labelled as the document.
                assert problem.label in {WHOLE_DOCUMENT, model.LABEL} or cjk(problem.label)
                continue
            info = model.model_fields.get(root)
            first = problem.label.split(".", 1)[0].split("[", 1)[0]
            if info is not None:
                assert info.title and cjk(info.title), (kind, root)
                assert first == info.title, (problem, info.title)
            else:
                # A key that is not a field of the kind: named as typed (clipped).
                assert root in payload or any(str(k).startswith(root[:40]) for k in payload)
                assert "不是此类文档的字段" in problem.message, problem
        assert cjk(str(invalid))
        return f"invalid ({len(invalid.problems)} problems)"
    except Exception as error:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{kind}: validate_document raised {type(error).__name__}: {error}")
    assert isinstance(doc, Document) and doc.KIND == kind
    return "valid"


@pytest.mark.parametrize("kind", sorted(KINDS))
@FAST
@given(data=st.data())
def test_schema_shaped_documents_give_a_document_or_chinese_problems(kind: str, data) -> None:
    payload = data.draw(documents(kind))
    event(check(payload, kind))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_of_every_kind_has_a_chinese_title(kind: str) -> None:
    model = KINDS[kind]
    untitled = [n for n, f in model.model_fields.items() if not (f.title and cjk(f.title))]
    assert untitled == [], f"{kind}: fields without a Chinese title: {untitled}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_missing_required_field_is_named_by_its_title(kind: str) -> None:
    model = KINDS[kind]
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    with pytest.raises(DocumentInvalid) as caught:
        validate_document({"kind": kind}, kind)
    named = {p.field: p for p in caught.value.problems}
    for name in required:
        assert name in named, (kind, name, caught.value.problems)
        assert named[name].label == model.model_fields[name].title
        assert named[name].message == "必填，不能为空"
