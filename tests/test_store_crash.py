"""Kill -9 a child at random moments; every save it acknowledged must survive.

Three children, each killed over and over on the same store:

- :mod:`tests.crash_writer` saves households one by one, compacting and backing up
  often: every id it printed (acknowledged) must be there after every kill.
- :mod:`tests.crash_import` runs one household import of a few thousand rows: after the
  kill the import's rows are either all there or none (never part), and all there when
  the child had printed DONE.
- :mod:`tests.crash_export` saves a household, then writes exports, prints and notices
  (one recorded in the audit trail): the store still opens and verifies, nothing
  acknowledged is lost, and no file under its final name is half written (a killed write
  leaves at most a ``.tmp`` file beside it).

Each child prints "BEGIN <operation>" (flushed) as it starts a save, compaction, backup,
import or export, and a line when it has ended; a kill whose last whole line is a BEGIN
landed mid-operation. Each test counts those kills and requires a share of them (half of
the writer's, at least one import and one export kill), so the kills are shown to hit
the operations and not only the gaps between them.

``make test`` runs short variants (``slow``) on small stores. ``make soak`` runs the long
ones on a store of about 100,000 documents (``GRASSROOTS_SOAK_DOCS``), the writer killed
``GRASSROOTS_KILLS`` times (200) and the import and the export child each a quarter as
often (``GRASSROOTS_IMPORT_KILLS``, ``GRASSROOTS_EXPORT_KILLS`` override).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grassroots_tui.demo import write_demo_store
from grassroots_tui.services.check import check_audit_chain, check_store
from grassroots_tui.store import Store
from grassroots_tui.store.encryption import encrypt
from grassroots_tui.store.files import read_header
from grassroots_tui.store.keyslots import KdfParams, Passphrase
from grassroots_tui.store.store import AUDIT
from tests.crash_export import SIGNED_IN
from tests.crash_import import ledger_csv
from tests.factories import station

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("GRASSROOTS_KILLS", "200"))
SOAK_DOCS = int(os.environ.get("GRASSROOTS_SOAK_DOCS", "100000"))
DEMO_TODAY = date(2026, 11, 26)  # also the bench corpus's today
MONTH = "2026-11"


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Show a result line even under ``pytest -q`` (the counts of a soak run)."""
    with capsys.disabled():
        print(f"\n[crash] {line}")


# -- stores ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compacted store of SOAK_DOCS documents from the benchmark corpus (built once)."""
    from bench import engines
    from bench.corpus import CORPUS_STAMP, make_corpus

    main = tmp_path_factory.mktemp("big") / "data" / "grassroots.json"
    docs = make_corpus(SOAK_DOCS)
    engines.write_ours(main, engines.our_tables(docs, CORPUS_STAMP))
    return main


def copy_store(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    return folder / template.name


def household_ids(db: Path) -> set[str]:
    with Store.open(db, readonly=True, daily_backup=False) as store:
        return set(store.tables.get("household", {}))


# -- killing a child -------------------------------------------------------------------------


def start(module: str, *args: object) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    ready = child.stdout.readline()
    if ready.strip() != b"READY":
        child.kill()
        _out, err = child.communicate()
        pytest.fail(f"{module} did not start: {ready!r} {err.decode(errors='replace')}")
    return child


def kill_after(child: subprocess.Popen[bytes], seconds: float) -> list[str]:
    """SIGKILL the child after ``seconds``; the whole lines it printed (acknowledged)."""
    time.sleep(seconds)
    child.send_signal(signal.SIGKILL)
    out, _err = child.communicate()
    # The last piece may be a half-printed line: only whole lines were acknowledged.
    return [line.decode() for line in out.split(b"\n")[:-1] if line]


def is_marker(line: str) -> bool:
    """A BEGIN/END line of the children (not an acknowledgement)."""
    return line.startswith(("BEGIN ", "END "))


def mid_operation(lines: list[str]) -> bool:
    """Whether the kill landed between a BEGIN and its end: the last whole line is a BEGIN."""
    return bool(lines) and lines[-1].startswith("BEGIN ")


# -- the writer ------------------------------------------------------------------------------


def _kill_rounds(
    db: Path, rounds: int, seed: int, max_sleep: float = 0.4
) -> tuple[int, int, Counter[str]]:
    """Kill the writer ``rounds`` times: (kills, acknowledged saves, kills mid-operation
    by operation)."""
    rng = random.Random(seed)
    base = household_ids(db) if db.exists() else set()
    acknowledged: set[str] = set()
    mid: Counter[str] = Counter()
    for round_no in range(rounds):
        child = start("tests.crash_writer", db, f"R{round_no}")
        lines = kill_after(child, rng.uniform(0.02, max_sleep))
        if mid_operation(lines):
            mid[lines[-1].removeprefix("BEGIN ")] += 1
        acknowledged.update(line for line in lines if not is_marker(line))
        with Store.open(db, daily_backup=False) as store:
            present = set(store.tables.get("household", {}))
        missing = (acknowledged | base) - present
        assert not missing, f"round {round_no}: {len(missing)} acknowledged saves lost"
    with Store.open(db, readonly=True, daily_backup=False) as store:
        assert check_store(store) == []
    return rounds, len(acknowledged), mid


def _writer_report(rounds: int, saved: int, mid: Counter[str], docs: str) -> str:
    during = ", ".join(f"{n} {op}" for op, n in sorted(mid.items()))
    return (
        f"writer{docs}: {rounds} kills, {mid.total()} mid-operation ({during}), "
        f"{saved} acknowledged saves, 0 lost"
    )


@pytest.mark.slow
def test_acknowledged_saves_survive_sigkill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rounds, saved, mid = _kill_rounds(tmp_path / "crash.json", rounds=20, seed=20261126)
    report(capsys, _writer_report(rounds, saved, mid, ""))
    assert saved > rounds  # the children did get saves acknowledged between kills
    assert mid.total() >= rounds / 2, f"only {mid.total()} of {rounds} kills mid-operation"


@pytest.mark.slow
def test_acknowledged_saves_survive_sigkill_on_an_encrypted_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's children unlock the store from the environment, as a script would;
    every journal line, snapshot and backup they write is sealed."""
    db = tmp_path / "crash.json"
    passphrase = "crash test 的站点口令 2026"
    with Store.open(db, daily_backup=False) as store:
        encrypt(store, Passphrase(passphrase), kdf=KdfParams(memory_kib=64, passes=1))
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", passphrase)
    rounds, saved, mid = _kill_rounds(db, rounds=12, seed=20261207)
    report(capsys, _writer_report(rounds, saved, mid, " (encrypted)"))
    assert saved > rounds
    assert mid.total() >= rounds / 3, f"only {mid.total()} of {rounds} kills mid-operation"
    assert "sealed" in (read_header(db) or {})
    backups = list(db.with_name(db.name + ".backups").glob("*.json"))
    assert backups and all("sealed" in (read_header(p) or {}) for p in backups)


@pytest.mark.soak
def test_acknowledged_saves_survive_many_sigkills(
    big_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_store(big_template, tmp_path)
    rounds, saved, mid = _kill_rounds(db, rounds=KILLS, seed=1, max_sleep=1.5)
    report(capsys, _writer_report(rounds, saved, mid, f" on {SOAK_DOCS:,} documents"))
    assert saved > rounds
    assert mid.total() >= rounds / 2, f"only {mid.total()} of {rounds} kills mid-operation"


# -- the import ------------------------------------------------------------------------------


def _prefix_counts(db: Path) -> tuple[Counter[str], set[str]]:
    """Households per 户号 prefix ("K007" of "K007-0001"), and every household id."""
    with Store.open(db, readonly=True, daily_backup=False) as store:
        homes = store.tables.get("household", {})
        counts = Counter(str(h.get("household_no", "")).split("-")[0] for h in homes.values())
        return counts, set(homes)


def _import_rounds(
    db: Path, code: str, folder: Path, rounds: int, rows: int, seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    base = household_ids(db)
    # One import run to its end: it must be whole, and it tells when the transaction
    # begins and ends after READY. Kills are spread over that span and a quarter of it
    # either side, so most land inside the transaction, some before it and some after.
    ledger = folder / "K000.csv"
    ledger.write_bytes(ledger_csv("K000", rows, 0))
    child = start("tests.crash_import", db, ledger, code)
    assert child.stdout is not None
    began = time.monotonic()
    assert child.stdout.readline() == b"BEGIN import\n"
    begin_at = time.monotonic() - began
    assert child.stdout.readline() == f"DONE {rows}\n".encode()
    done_at = time.monotonic() - began
    _out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    margin = (done_at - begin_at) / 4
    whole = {"K000"}
    counts = {"kills": 0, "mid": 0, "acknowledged": 1, "committed": 1, "absent": 0, "rows": rows}
    for round_no in range(1, rounds + 1):
        prefix = f"K{round_no:03d}"
        ledger = folder / f"{prefix}.csv"
        ledger.write_bytes(ledger_csv(prefix, rows, round_no))
        child = start("tests.crash_import", db, ledger, code)
        lines = kill_after(child, rng.uniform(max(0.0, begin_at - margin), done_at + margin))
        counts["kills"] += 1
        counts["mid"] += mid_operation(lines)
        done = f"DONE {rows}" in lines
        by_prefix, present = _prefix_counts(db)
        assert by_prefix[prefix] in (0, rows), (
            f"round {round_no}: {by_prefix[prefix]} of {rows} rows of an import were saved"
        )
        if done:
            counts["acknowledged"] += 1
            assert by_prefix[prefix] == rows, f"round {round_no}: an acknowledged import lost"
        if by_prefix[prefix]:
            counts["committed"] += 1
            whole.add(prefix)
        else:
            counts["absent"] += 1
        for earlier in whole:
            assert by_prefix[earlier] == rows, f"round {round_no}: import {earlier} damaged"
        assert base <= present, f"round {round_no}: households from before were lost"
        if round_no % 10 == 0:  # keep the journal short, as the program does
            with Store.open(db, daily_backup=False) as store:
                store.compact()
    with Store.open(db, readonly=True, daily_backup=False) as store:
        assert check_store(store) == []
    return counts


def _import_report(counts: dict[str, int], docs: str) -> str:
    return (
        f"import of {counts['rows']} rows on {docs}: {counts['kills']} kills "
        f"({counts['mid']} mid-transaction), {counts['committed']} imports whole "
        f"({counts['acknowledged']} acknowledged), "
        f"{counts['absent']} absent, 0 partial, 0 lost"
    )


@pytest.mark.slow
def test_a_killed_import_is_all_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "grassroots.json"
    with Store.open(db, daily_backup=False) as store:
        store.save(station(), "test")
    counts = _import_rounds(db, "HL01", tmp_path, rounds=5, rows=2000, seed=9)
    report(capsys, _import_report(counts, "a small store"))
    assert counts["kills"] == 5
    assert counts["mid"] >= 1, "no kill landed inside the import's transaction"


@pytest.mark.soak
def test_a_killed_import_is_all_or_nothing_on_a_big_store(
    big_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_store(big_template, tmp_path)
    with Store.open(db, readonly=True, daily_backup=False) as store:
        code = sorted(s["code"] for s in store.raw("station"))[0]
    rounds = int(os.environ.get("GRASSROOTS_IMPORT_KILLS", str(max(1, KILLS // 4))))
    counts = _import_rounds(db, code, tmp_path, rounds=rounds, rows=3000, seed=11)
    report(capsys, _import_report(counts, f"{SOAK_DOCS:,} documents"))
    assert counts["mid"] >= 1, "no kill landed inside the import's transaction"


# -- the exports -----------------------------------------------------------------------------


def _complete(path: Path) -> None:
    """Fail unless ``path`` is a whole file of its kind."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        load_workbook(path, read_only=True).close()
    elif path.suffix == ".html":
        assert data.endswith(b"</html>\n"), path
    elif path.suffix == ".csv":
        assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n"), path
        data.decode("utf-8-sig")
    else:
        assert data.endswith(b"\n"), path
        data.decode("utf-8")


def _export_rounds(
    db: Path, folder: Path, rounds: int, seed: int, max_sleep: float, full_check_every: int
) -> dict[str, int]:
    rng = random.Random(seed)
    out = folder / "out"
    out.mkdir()
    base = household_ids(db)
    acknowledged: set[str] = set()
    audited = 0
    seen: set[Path] = set()
    counts = {"kills": 0, "mid": 0, "files": 0, "leftover_tmp": 0}
    # How long one round of exports takes here: kills are spread over about three of them.
    child = start("tests.crash_export", db, out, "E-calibrate", MONTH)
    began = time.monotonic()
    assert child.stdout is not None
    lines = []
    while (line := child.stdout.readline()) != b"AUDIT\n":
        assert line, child.stderr.read() if child.stderr else "the export child ended"
        lines.append(line.decode().strip())
    max_sleep = max(max_sleep, 3 * (time.monotonic() - began))
    lines += ["AUDIT", *kill_after(child, 0)]
    audited += lines.count("AUDIT")
    acknowledged.update(line for line in lines if line != "AUDIT" and not is_marker(line))
    for round_no in range(rounds):
        child = start("tests.crash_export", db, out, f"E{round_no}", MONTH)
        lines = kill_after(child, rng.uniform(0.05, max_sleep))
        counts["kills"] += 1
        counts["mid"] += mid_operation(lines)
        audited += lines.count("AUDIT")
        acknowledged.update(line for line in lines if line != "AUDIT" and not is_marker(line))
        with Store.open(db, daily_backup=False) as store:
            present = set(store.tables.get("household", {}))
            recorded = sum(
                1
                for e in store.tables.get(AUDIT, {}).values()
                if e.get("action") == "export" and e.get("actor") == SIGNED_IN
            )
            assert check_audit_chain(store) == [], f"round {round_no}"
            if round_no % full_check_every == 0 or round_no == rounds - 1:
                assert check_store(store) == [], f"round {round_no}"
        missing = (acknowledged | base) - present
        assert not missing, f"round {round_no}: {len(missing)} acknowledged saves lost"
        assert recorded >= audited, f"round {round_no}: an acknowledged audit record lost"
        for path in [*out.iterdir(), *(db.parent / "exports").glob("*")]:
            if path.suffix == ".tmp" or path in seen:
                continue
            _complete(path)
            seen.add(path)
    counts["files"] = len(seen)
    counts["leftover_tmp"] = len([*out.glob("*.tmp"), *(db.parent / "exports").glob("*.tmp")])
    counts["acknowledged"] = len(acknowledged)
    counts["audited"] = audited
    return counts


def _export_report(counts: dict[str, int], docs: str) -> str:
    return (
        f"exports on {docs}: {counts['kills']} kills ({counts['mid']} mid-operation), "
        f"{counts['acknowledged']} acknowledged "
        f"saves and {counts['audited']} acknowledged audit records, 0 lost; "
        f"{counts['files']} files checked whole, 0 half-written "
        f"({counts['leftover_tmp']} .tmp leftovers)"
    )


@pytest.mark.slow
def test_killed_exports_leave_whole_files_and_lose_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "grassroots.json"
    write_demo_store(db, today=DEMO_TODAY)
    counts = _export_rounds(db, tmp_path, rounds=5, seed=5, max_sleep=1.5, full_check_every=1)
    report(capsys, _export_report(counts, "the demo store"))
    assert counts["acknowledged"] >= 1 and counts["files"] >= 1
    assert counts["mid"] >= 1, "no kill landed during a save or an export"


@pytest.mark.soak
def test_killed_exports_leave_whole_files_and_lose_nothing_on_a_big_store(
    big_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_store(big_template, tmp_path)
    rounds = int(os.environ.get("GRASSROOTS_EXPORT_KILLS", str(max(1, KILLS // 4))))
    counts = _export_rounds(db, tmp_path, rounds=rounds, seed=7, max_sleep=8.0, full_check_every=10)
    report(capsys, _export_report(counts, f"{SOAK_DOCS:,} documents"))
    assert counts["acknowledged"] >= 1
    assert counts["mid"] >= 1, "no kill landed during a save or an export"
