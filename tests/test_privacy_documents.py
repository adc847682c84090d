"""The privacy scan (tests/test_privacy_scan.py) over the .docx documents, and the text
of a PDF when LibreOffice is there (issue #20): the same demo store with the planted
resident, every document made through ``grassroots document …``, read back with
python-docx, and no whole ID number, phone number or resident's name in any of them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from grassroots_tui.services.documents.engine import document_text
from grassroots_tui.services.documents.pdf import find_soffice
from tests.conftest import in_ci
from tests.test_privacy_scan import (  # noqa: F401 - the fixtures
    NAME,
    PHONE,
    TODAY,
    Demo,
    demo,
    run_cli,
    template,
)


def documents_made(scan: Demo, out: Path) -> dict[str, Path]:
    """Every document the command makes from the demo, masked (the default), by label."""
    made: dict[str, Path] = {}
    day = TODAY.isoformat()

    def run(label: str, *argv: str, may_refuse: bool = False) -> None:
        path = out / f"{len(made)}.docx"
        code, _stdout, stderr = run_cli(scan.db, "document", *argv, "--out", str(path))
        if may_refuse and code != 0:
            assert "错误" in stderr
            return
        assert code == 0, f"{label}: {stderr}"
        made[label] = path

    for slip in scan.slips:
        run(f"slip {slip}", "slip", slip)
        run(f"remind {slip}", "remind", slip, "--on", day, may_refuse=True)
    assert f"remind {scan.planted['slip']}" in made
    for found in scan.rounds:
        run(f"round {found}", "round", found, "--on", day)
    for leave in scan.leaves:
        run(f"leave {leave}", "leave", leave, "--on", day)
    run("stats", "stats", "--month", "2026-11", "--on", day)
    run("stats station", "stats", "--month", "2026-11", "--station", scan.planted["code"])
    return made


def test_no_document_shows_a_residents_personal_data(request, tmp_path: Path) -> None:
    scan: Demo = request.getfixturevalue("demo")
    made = documents_made(scan, tmp_path)
    assert len(made) >= 15
    leaks = {}
    for label, path in made.items():
        text = document_text(path.read_bytes())
        assert text.strip(), label
        found = scan.sensitive.find(text)
        if found:
            leaks[label] = found
    assert leaks == {}
    planted = document_text(made[f"slip {scan.planted['slip']}"].read_bytes())
    assert "诸葛**" in planted and NAME not in planted and PHONE not in planted
    round_text = document_text(made[f"round {scan.planted['round']}"].read_bytes())
    assert "诸葛**" in round_text


def test_the_scan_finds_what_an_unmasked_document_shows(request) -> None:
    """The scan has teeth: the planted slip made unmasked by the service holds the name."""
    scan: Demo = request.getfixturevalue("demo")
    from grassroots_tui.services import documents
    from grassroots_tui.services.slips import find_slip
    from grassroots_tui.store import Store

    store = Store.open(scan.db, readonly=True, daily_backup=False)
    try:
        slip = find_slip(store, scan.planted["slip"])
        text = document_text(
            documents._slip_document(store, slip.id, unmasked=True, calendar=None, folder=None)
        )
    finally:
        store.close()
    assert NAME in scan.sensitive.find(text) and PHONE in scan.sensitive.find(text)


def test_the_pdf_of_a_document_shows_no_personal_data(request, tmp_path: Path) -> None:
    scan: Demo = request.getfixturevalue("demo")
    pdftotext = shutil.which("pdftotext")
    if find_soffice() is None or pdftotext is None:
        if in_ci():
            pytest.fail(
                "CI must scan a PDF: .ci/run installs LibreOffice and poppler-utils",
                pytrace=False,
            )
        pytest.skip("LibreOffice or pdftotext is not installed")
    path = tmp_path / "slip.pdf"
    code, _out, err = run_cli(
        scan.db, "document", "slip", scan.planted["slip"], "--format", "pdf", "--out", str(path)
    )
    assert code == 0, err
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    compact = "".join(text.split())  # a line may break inside a number
    assert "诸葛**" in compact
    assert scan.sensitive.find(compact) == []


def test_a_round_csv_in_gb18030_on_request(request, tmp_path: Path) -> None:
    scan: Demo = request.getfixturevalue("demo")
    found = scan.planted["round"]
    plain, gb = tmp_path / "r.csv", tmp_path / "r-gb.csv"
    code, _out, err = run_cli(scan.db, "hardship", "round", "export", found, "--out", str(plain))
    assert code == 0, err
    argv = ["hardship", "round", "export", found, "--encoding", "gb18030", "--out", str(gb)]
    code, _out, err = run_cli(scan.db, *argv)
    assert code == 0, err
    assert plain.read_bytes().startswith(b"\xef\xbb\xbf")
    text = gb.read_bytes().decode("gb18030")
    assert text == plain.read_bytes().decode("utf-8-sig") and "诸葛**" in text
    assert scan.sensitive.find(text) == []
