"""Design citations point at docs/design.md, and at sections that exist.

The code cites its design notes as ``docs/design.md#section`` (also ``docs/design.md#a,
#b``). Every such section must be a heading of docs/design.md, so a renamed heading
fails here naming the file and line that cites it. The notes once lived in a file outside
the repository; nothing may cite that old name any more, except the files listed in
:data:`PENDING` until they are changed.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DESIGN = REPO / "docs" / "design.md"
SCANNED = ("grassroots_tui", "tests", "bench")
SUFFIXES = {".py", ".md", ".toml", ".tcss"}
SELF = Path(__file__).resolve()

#: The old name, spelled so that this file does not cite it.
OLD_NAME = "DESIGN" + ".md"
#: Notes outside the repository the code must not cite either (the hub's design notes
#: and the folder they sit in); what the code needs of them is in docs/design.md.
OUTSIDE_NAMES = (OLD_NAME, "HUB" + ".md", "../" + "shared", "/work/" + "shared")
CITATION = re.compile(r"docs/design\.md((?:#[\w-]+)(?:,\s*#[\w-]+)*)")

#: Files that still cite the old name, waiting for their owners to change them. Take a
#: file off this list when it is changed (the test says so).
PENDING: frozenset[str] = frozenset()


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown file's headings, as GitHub makes them."""
    found = set()
    for line in markdown.splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            text = heading.group(1).strip().lower()
            text = re.sub(r"[^\w\- ]", "", text)
            found.add(text.replace(" ", "-"))
    return found


def files(root: Path) -> list[Path]:
    return sorted(
        path
        for folder in SCANNED
        if (root / folder).is_dir()
        for path in (root / folder).rglob("*")
        if path.suffix in SUFFIXES
        and path.is_file()
        and "__pycache__" not in path.parts
        and path.resolve() != SELF  # this file shows citations as examples
    )


def broken_citations(root: Path, design: Path) -> list[str]:
    """``file:line: #anchor`` for each cited section that design.md does not have."""
    known = anchors(design.read_text(encoding="utf-8"))
    problems = []
    for path in files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in CITATION.finditer(line):
                for anchor in re.findall(r"#([\w-]+)", match.group(1)):
                    if anchor not in known:
                        problems.append(f"{path.relative_to(root)}:{number}: #{anchor}")
    return problems


def old_citations(root: Path) -> dict[str, list[int]]:
    """The files (and lines) that still cite the old name."""
    found: dict[str, list[int]] = {}
    for path in files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [
            n
            for n, line in enumerate(text.splitlines(), 1)
            if any(name in line for name in OUTSIDE_NAMES)
        ]
        if lines:
            found[str(path.relative_to(root))] = lines
    return found


def test_every_cited_section_exists() -> None:
    assert anchors(DESIGN.read_text(encoding="utf-8")) >= {
        "glossary",
        "layers",
        "handoff-slips-and-deadlines",
        "documents",
        "personal-information",
        "exports",
        "replicas-and-the-hub",
    }
    assert broken_citations(REPO, DESIGN) == []


def test_nothing_new_cites_the_old_design_file() -> None:
    found = old_citations(REPO)
    new = {f"{name}:{lines}" for name, lines in found.items() if name not in PENDING}
    assert not new, f"cite docs/design.md#section instead of {OLD_NAME}: {sorted(new)}"
    done = sorted(PENDING - set(found))
    assert not done, f"no longer cite {OLD_NAME}; take them off PENDING: {done}"


def test_the_checks_name_a_missing_section_and_an_old_citation(tmp_path: Path) -> None:
    design = tmp_path / "docs" / "design.md"
    design.parent.mkdir()
    design.write_text("# Notes\n\n## Glossary\n\n## Personal information\n", encoding="utf-8")
    code = tmp_path / "grassroots_tui" / "x.py"
    code.parent.mkdir()
    code.write_text(
        '"""Fine (docs/design.md#glossary, #personal-information)."""\n'
        "# a renamed section: docs/design.md#glossary, #deadlines\n"
        f"# the old file: {OLD_NAME} §4\n"
        f"# the hub notes: {OUTSIDE_NAMES[1]} §1\n",
        encoding="utf-8",
    )
    assert broken_citations(tmp_path, design) == ["grassroots_tui/x.py:2: #deadlines"]
    assert old_citations(tmp_path) == {"grassroots_tui/x.py": [3, 4]}
