"""Filling a Word template: ``{{字段}}`` replaced by text, in the runs that hold it.

Why our own filler and not docxtpl: an office edits these templates in Word or WPS, and
needs only fields and one repeated table row. Jinja's tags (``{%tr for %}``) are easy to
break in a word processor and its errors are English and about Jinja; ours are Chinese
and name the field. It also costs no dependency beyond python-docx (docxtpl brings
Jinja2 and docxcompose).

- ``{{字段}}`` anywhere: in the body, a table cell, a header or a footer, even split over
  several runs (Word splits text where the spelling check or an edit touched it). The
  replacement takes the first run's formatting; a line break in a value is a line break.
- A paragraph that holds nothing but ``{{字段}}`` whose value is a list is repeated, one
  paragraph per item (the paragraphs of a notice).
- A table row holding ``{{行.列}}`` fields is repeated for each line of the list ``行``.

A template is checked before it is filled: one that cannot be opened, lacks a field the
document needs, or holds one the program does not know is refused with
:class:`TemplateError`, whose Chinese message names the template and the field.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from grassroots_tui import lang
from grassroots_tui.lang import chinese

__all__ = ["ROW", "TemplateError", "fill", "placeholders"]

FIELD = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
#: The list a repeated table row is filled from: ``{{行.户号}}``.
ROW = "行"

_P, _T, _TR, _BR, _R = qn("w:p"), qn("w:t"), qn("w:tr"), qn("w:br"), qn("w:r")
_TAB = qn("w:tab")


#: The messages, Chinese ids said in the current language by :func:`tr` (services do not
#: import the interface's catalogs); the same keys in grassroots_tui/i18n hold them too,
#: and a test keeps the Chinese equal.
MESSAGES: dict[str, str] = {
    "documents.template_unreadable": chinese(
        "模板“{name}”无法打开：不是有效的 Word（.docx）文件。"
        "请用 Word 或 WPS 另存为 .docx，或删除它以使用内置模板。"
    ),
    "documents.template_missing_field": chinese(
        "模板“{name}”缺少字段“{field}”：请在模板中写回这个字段，或删除该模板以使用内置模板。"
    ),
    "documents.template_unknown_field": chinese(
        "模板“{name}”中的字段“{field}”无法填写：没有这个字段。可用的字段：{known}。"
    ),
}


class TemplateError(ValueError):
    """A template that cannot be used; the message names it and what is wrong.

    ``key`` and ``values`` let an interface show it in its language
    (``t(error.key, **error.values)``); ``str()`` is in the current language."""

    def __init__(self, key: str, **values: str) -> None:
        self.key, self.values = key, values
        super().__init__(lang.tr(MESSAGES[key], **values))


@dataclass(frozen=True)
class Template:
    """A template's name (for messages) and its bytes."""

    name: str
    data: bytes


def _open(template: Template) -> Any:
    try:
        return Document(io.BytesIO(template.data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TemplateError("documents.template_unreadable", name=template.name) from error
    except Exception as error:  # noqa: BLE001 - lxml's and python-docx's own errors
        raise TemplateError("documents.template_unreadable", name=template.name) from error


def _parts(document: Any) -> Iterator[Any]:
    """The XML roots that hold text: the body, then each header and footer."""
    yield document.element.body
    seen: set[int] = set()
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if part.is_linked_to_previous:
                continue
            element = part._element
            if id(element) not in seen:
                seen.add(id(element))
                yield element


def _paragraph_text(p: Any) -> str:
    return "".join(node.text or "" for node in p.iter(_T))


def placeholders(document: Any) -> list[str]:
    """Every field a document holds, in order, each once."""
    found: dict[str, None] = {}
    for root in _parts(document):
        for p in root.iter(_P):
            for match in FIELD.finditer(_paragraph_text(p)):
                found.setdefault(match.group(1), None)
    return list(found)


def check(
    template: Template, document: Any, *, known: Iterable[str], required: Iterable[str]
) -> None:
    """Refuse a template that lacks a ``required`` field or holds one not ``known``."""
    held = placeholders(document)
    known = set(known)
    for field in held:
        if field not in known:
            raise TemplateError(
                "documents.template_unknown_field",
                name=template.name,
                field=field,
                known="、".join(sorted(known)),
            )
    for field in required:
        if field not in held:
            raise TemplateError("documents.template_missing_field", name=template.name, field=field)


# -- replacing text ------------------------------------------------------------------------


def _set_text(node: Any, text: str) -> None:
    node.text = text
    if text != text.strip() or "  " in text:
        node.set(qn("xml:space"), "preserve")


def _breaks(node: Any) -> None:
    """A text node holding line breaks becomes text, <w:br/>, text … in its run."""
    lines = (node.text or "").split("\n")
    if len(lines) == 1:
        return
    _set_text(node, lines[0])
    at = node
    for line in lines[1:]:
        br = OxmlElement("w:br")
        at.addnext(br)
        text = OxmlElement("w:t")
        _set_text(text, line)
        br.addnext(text)
        at = text


def _fill_paragraph(p: Any, values: Mapping[str, Any]) -> None:
    nodes = list(p.iter(_T))
    if not nodes:
        return
    texts = [node.text or "" for node in nodes]
    whole = "".join(texts)
    matches = list(FIELD.finditer(whole))
    if not matches:
        return
    starts = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text)

    def node_of(offset: int, *, end: bool) -> tuple[int, int]:
        """The node holding the character at ``offset`` (``end``: the one before it)."""
        for index, text in enumerate(texts):
            lo = starts[index]
            if (lo < offset <= lo + len(text)) if end else (lo <= offset < lo + len(text)):
                return index, offset - lo
        raise AssertionError("an offset inside the paragraph's text")

    # From the last field to the first: the nodes before a field keep their offsets.
    for match in reversed(matches):
        value = values.get(match.group(1), "")
        value = "" if value is None else str(value)
        first, first_at = node_of(match.start(), end=False)
        last, last_at = node_of(match.end(), end=True)
        tail = texts[last][last_at:]
        if first == last:
            texts[first] = texts[first][:first_at] + value + tail
        else:
            texts[first] = texts[first][:first_at] + value
            for middle in range(first + 1, last):
                texts[middle] = ""
            texts[last] = tail
    for node, text in zip(nodes, texts, strict=True):
        if node.text != text:
            _set_text(node, text)
            _breaks(node)


def _only_field(p: Any) -> str | None:
    found = FIELD.fullmatch(_paragraph_text(p).strip())
    return found.group(1) if found else None


def _repeat_paragraphs(root: Any, values: Mapping[str, Any]) -> None:
    for p in list(root.iter(_P)):
        field = _only_field(p)
        if field is None or not isinstance(values.get(field), list | tuple):
            continue
        items = [str(item) for item in values[field]]
        parent = p.getparent()
        siblings = [child for child in parent if child.tag == _P]
        if not items and len(siblings) == 1:  # a table cell keeps one paragraph
            items = [""]
        for item in items:
            copy = deepcopy(p)
            _fill_paragraph(copy, {field: item})
            p.addprevious(copy)
        parent.remove(p)


def _repeat_rows(root: Any, lines: Sequence[Mapping[str, Any]]) -> None:
    prefix = "{{" + ROW + "."
    for tr in list(root.iter(_TR)):
        text = "".join(_paragraph_text(p) for p in tr.iter(_P))
        if prefix not in text.replace("{{ ", "{{"):
            continue
        for line in lines:
            copy = deepcopy(tr)
            values = {f"{ROW}.{key}": value for key, value in line.items()}
            for p in copy.iter(_P):
                _fill_paragraph(p, values)
            tr.addprevious(copy)
        tr.getparent().remove(tr)


def fill_document(
    template: Template,
    values: Mapping[str, Any],
    *,
    required: Iterable[str] = (),
    row_fields: Iterable[str] = (),
) -> Any:
    """The template filled with ``values`` (text, or a list of paragraphs) and the list
    ``values[ROW]`` of table lines (mappings of ``row_fields``): a python-docx Document."""
    document = _open(template)
    lines = values.get(ROW) or []
    known = {key for key in values if key != ROW} | {f"{ROW}.{f}" for f in row_fields}
    check(template, document, known=known, required=required)
    for root in _parts(document):
        _repeat_rows(root, lines)
        _repeat_paragraphs(root, values)
        for p in root.iter(_P):
            _fill_paragraph(p, values)
    return document


def fill(
    template: Template,
    values: Mapping[str, Any],
    *,
    required: Iterable[str] = (),
    row_fields: Iterable[str] = (),
) -> bytes:
    """:func:`fill_document` as .docx bytes."""
    return to_bytes(fill_document(template, values, required=required, row_fields=row_fields))


def to_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def append_pages(first: Any, *more: Any) -> Any:
    """One document: ``first``, then the body of each of ``more`` starting on a new page
    (the first document's page setup, header and footer). Documents, not bytes: the
    pages of a slip are put together before the one save."""
    body = first.element.body
    final = body.find(qn("w:sectPr"))
    for other in more:
        opening = True
        for child in list(other.element.body):
            if child.tag == qn("w:sectPr"):
                continue
            child = deepcopy(child)
            if opening and child.tag == _P:  # a new page, without an empty paragraph
                child.get_or_add_pPr().get_or_add_pageBreakBefore()
            opening = False
            _insert(body, final, child)
    return first


def _insert(body: Any, before: Any, element: Any) -> None:
    if before is None:
        body.append(element)
    else:
        before.addprevious(element)


def document_text(data: bytes) -> str:
    """Every paragraph's text of a .docx (body with its tables, headers, footers), one
    per line: what the privacy scan reads."""
    document = Document(io.BytesIO(data))
    lines = []
    for root in _parts(document):
        for p in root.iter(_P):
            lines.append(
                "".join(
                    node.text or ("\n" if node.tag == _BR else "\t" if node.tag == _TAB else "")
                    for node in p.iter(_T, _BR, _TAB)
                )
            )
    return "\n".join(lines)
