"""Crash consistency beyond kill -9: the states a power cut could leave, explored.

kill -9 (tests/test_store_crash.py) cannot tear a write or lose the page cache. Here the
store's file operations are recorded for a workload and replayed through a model of what
POSIX keeps after a power cut (tests/crash_states.py): everything up to the last fsync,
later writes kept, lost, reordered or torn at 512-byte sectors, folder entries (new
files, renames, links) kept or lost until the folder itself is fsynced. Each state is
written to a folder and opened; every save confirmed before the crash must be there, or
the store must refuse with :class:`StoreDamaged` naming a backup whenever the state holds
a verified one.

``make test`` explores ``GRASSROOTS_CRASH_STATES`` states (3,000); ``make soak``
ten times as many on a longer workload (``GRASSROOTS_CRASH_SOAK_STATES``). A failure
names its seed, crash point and variant; ``GRASSROOTS_CRASH_SEED`` repeats a run.

The tests of the explorer itself break the store's protocol on purpose (a journal that
is not synced, renames whose folder is not synced, a rename before the data is synced)
and check the explorer finds what that would lose. Three tests keep fixed the problems of
the store found this way: a torn unconfirmed append refused as damage, and folders made by
``mkdir`` that were not durable until their parent was synced.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grassroots_tui.store import Store, files
from grassroots_tui.store import store as store_module
from grassroots_tui.store.files import read_header
from tests.crash_states import (
    SECTOR,
    WORKLOAD_MAIN,
    Begin,
    Confirm,
    Entry,
    Explorer,
    Recorder,
    Rename,
    Sync,
    SyncFolder,
    Trace,
    Write,
    explore,
    explore_recovery,
    fast_fs,
    lost,
    open_state,
    run_workload,
    sectors_of,
)

STATES = int(os.environ.get("GRASSROOTS_CRASH_STATES", "3000"))
SOAK_STATES = int(os.environ.get("GRASSROOTS_CRASH_SOAK_STATES", str(10 * STATES)))
SEED = int(os.environ.get("GRASSROOTS_CRASH_SEED", "20261126"))


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Show a result line even under ``pytest -q``."""
    with capsys.disabled():
        print(f"\n[crash states] {line}")


@pytest.fixture
def small_compactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compact after a few kilobytes of journal, so the workload compacts on its own too."""
    monkeypatch.setattr(store_module, "COMPACT_MIN_BYTES", 6 * 1024)


def record(tmp_path: Path, **options: object) -> Trace:
    return run_workload(tmp_path / "recorded", **options)  # type: ignore[arg-type]


def _structure(trace: Trace) -> list[tuple[object, ...]]:
    """The trace without the bytes that differ from run to run (ids, times)."""
    shape: list[tuple[object, ...]] = []
    for op in trace.ops:
        if isinstance(op, Write):
            shape.append(("write", op.inode, op.offset, len(op.data)))
        elif isinstance(op, Confirm):
            shape.append(("confirm", op.expectation.label, len(op.expectation.docs)))
        elif isinstance(op, Entry | Rename):
            shape.append((type(op).__name__, op.inode))
        else:
            shape.append((op,))
    return shape


# -- the guarantee ------------------------------------------------------------------------------


def _check_coverage(summary, budget: int) -> None:  # noqa: ANN001 - Summary
    """The explorer explored: enough states of every kind, most of them opened."""
    assert summary.states >= 0.9 * budget, summary.line()
    assert summary.points == summary.operations  # a crash after every operation
    assert summary.by_kind["kill-9"] >= summary.points  # and its kill -9 state
    assert summary.by_kind["nothing-pending"] >= 100
    assert summary.by_kind["torn-write"] >= budget // 10
    assert summary.by_kind["zero-filled-extension"] >= budget // 10
    assert summary.by_kind["dropped-write"] >= 50
    assert summary.by_kind["dropped-create"] >= 50
    assert summary.by_kind["dropped-rename"] >= 25
    assert summary.by_kind["reordered"] >= 15
    opened = summary.counts["opened whole"]
    refused = summary.counts["refused, backup named"] + summary.counts["refused, no backup"]
    assert opened >= summary.states // 2
    assert opened + refused == summary.states


def test_every_crash_state_keeps_every_confirmed_save(
    tmp_path: Path, small_compactions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = record(tmp_path, rounds=max(1, round(STATES / 3000)))
    assert trace.confirmed >= 20
    summary = explore(trace, SEED, STATES, tmp_path)
    report(capsys, summary.line())
    assert not summary.failures, summary.explain()
    _check_coverage(summary, STATES)


def test_every_crash_state_of_an_encrypted_store_keeps_every_confirmed_save(
    tmp_path: Path, small_compactions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same workload on a store encrypted right after it is made (the encryption
    itself recorded too): every sealed file is crash-safe in the same way."""
    trace = record(tmp_path, encrypted=True)
    assert trace.confirmed >= 20
    main = tmp_path / "recorded" / WORKLOAD_MAIN
    assert "sealed" in (read_header(main) or {}), "the workload's store ended unsealed"
    summary = explore(trace, SEED, STATES // 2, tmp_path)
    report(capsys, "encrypted: " + summary.line())
    assert not summary.failures, summary.explain()
    assert summary.counts["opened whole"] >= summary.states // 2


def test_a_crash_while_recovering_loses_nothing(
    tmp_path: Path, small_compactions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The open after a crash writes too (a torn tail trimmed, records rewritten, a
    compaction at close): a second power cut during it must lose nothing either."""
    trace = record(tmp_path)
    budget = max(300, STATES // 3)
    summary = explore_recovery(trace, SEED, budget, tmp_path, crashed=40)
    report(capsys, "crash while recovering: " + summary.line())
    assert not summary.failures, summary.explain()
    assert summary.states >= budget // 2
    assert summary.by_kind["dropped-write"] >= 20 and summary.by_kind["dropped-rename"] >= 20


@pytest.mark.soak
def test_many_crash_states_keep_every_confirmed_save(
    tmp_path: Path, small_compactions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = record(tmp_path, rounds=max(3, round(SOAK_STATES / 6000)))
    summary = explore(trace, SEED, SOAK_STATES, tmp_path)
    report(capsys, "soak: " + summary.line())
    assert not summary.failures, summary.explain()
    _check_coverage(summary, SOAK_STATES)


def test_a_state_is_rebuilt_from_its_seed_point_and_variant(
    tmp_path: Path, small_compactions: None
) -> None:
    """What a failure message names is enough to build its state again, in another run."""
    first = record(tmp_path / "one")
    again = record(tmp_path / "two")
    assert _structure(first) == _structure(again)
    explorer = Explorer(first, SEED)
    drawn = list(explorer.states(600))
    for state in drawn[::37]:
        rebuilt = Explorer(first, SEED).state(state.point, state.variant)
        assert rebuilt.fingerprint(first) == state.key
        assert rebuilt.kinds == state.kinds
        other = Explorer(again, SEED).state(state.point, state.variant)
        assert other.choices == state.choices


# -- the model ----------------------------------------------------------------------------------


def test_the_model_keeps_what_fsync_made_durable_and_tears_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    recorder = Recorder(root)
    with recorder:
        fd = files.FS.open(root / "f", os.O_WRONLY | os.O_CREAT)
        files.FS.write(fd, b"a" * 1000)
        files.FS.fsync(fd)
        files.FS.write(fd, b"b" * 600)  # bytes 1000..1599: sectors 1, 2 and 3
        files.FS.close(fd)
    trace = recorder.trace()
    explorer = Explorer(trace, SEED)
    point, disk = list(explorer.points())[-1]
    write = disk.pending[-1]
    assert isinstance(write, Write) and list(sectors_of(write)) == [1, 2, 3]
    # Nothing pending kept: the file's name was never made durable (no fsync of the folder).
    assert disk.state(SEED, point, 1).names[0] == {}
    # The name kept, the second write lost: what fsync made durable.
    state = disk.build(["keep", "drop"])
    (inode,) = state.names[0].values()
    assert state.data[inode] == b"a" * 1000
    # Torn: only the last sector reached the disk. The file is as long as the write made
    # it; sector 1 keeps its old bytes, sector 2 reads as zeros.
    state = disk.build(["keep", frozenset({3})])
    assert state.data[inode] == b"a" * 1000 + bytes(1536 - 1000) + b"b" * 64
    assert {"torn-write", "zero-filled-extension"} <= state.kinds


def test_a_rename_not_yet_durable_leaves_both_names(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    target = root / "main"
    target.write_bytes(b"old")
    recorder = Recorder(root)
    with recorder:
        files.write_file_atomically(target, b"new")
    trace = recorder.trace()
    assert [type(op) for op in trace.ops] == [Entry, Write, Sync, Rename, SyncFolder]
    points = {index: disk.freeze() for index, disk in Explorer(trace, SEED).points()}
    before_folder_sync = points[3]  # renamed, the folder not yet synced
    create, rename = before_folder_sync.pending
    lost_rename = before_folder_sync.build(["keep", "drop"])
    names = lost_rename.names[0]
    assert lost_rename.data[names["main"]] == b"old"
    assert lost_rename.data[names["main.tmp"]] == b"new"
    assert "dropped-rename" in lost_rename.kinds
    kept = before_folder_sync.build(["drop", "keep"])  # the rename implies the file
    assert kept.data[kept.names[0]["main"]] == b"new" and "main.tmp" not in kept.names[0]
    after = points[4]
    assert after.pending == []
    assert after.state(SEED, 4, 1).data[after.names[0]["main"]] == b"new"


def test_the_recorder_notices_files_written_without_fs(tmp_path: Path) -> None:
    """The lock file and the log are written with os directly: they are entries too."""
    root = tmp_path / "root"
    root.mkdir()
    recorder = Recorder(root)
    with recorder:
        store = Store.open(root / WORKLOAD_MAIN, daily_backup=False)
        store.close()
    entries = {(op.name, op.how) for op in recorder.trace().ops if isinstance(op, Entry)}
    assert ("data", "mkdir") in entries
    assert ("grassroots.json.lock", "external") in entries
    assert ("grassroots.json.log", "external") in entries
    assert ("grassroots.json.tmp", "create") in entries


# -- the explorer has teeth: broken protocols are caught -------------------------------------


def test_the_explorer_finds_the_loss_when_the_journal_is_not_synced(
    tmp_path: Path,
    small_compactions: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A save confirmed before its journal line (and last-save record) is on disk."""
    with monkeypatch.context() as patch:
        patch.setattr(files, "_sync", lambda fd: None)
        trace = record(tmp_path)
    summary = explore(trace, SEED, 400, tmp_path)
    assert summary.losses, summary.line()
    first = summary.losses[0]
    report(
        capsys,
        f"journal not synced: {summary.lost_states} of {summary.states} states lose a "
        f"confirmed save, e.g. {first}",
    )
    assert "saves confirmed" in str(first) and str(first.state.point) in str(first)


def test_the_explorer_finds_the_loss_when_folders_are_not_synced(
    tmp_path: Path,
    small_compactions: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Renames and new files never made durable: the model must lose them."""
    with monkeypatch.context() as patch:
        patch.setattr(files, "fsync_folder", lambda folder: None)
        trace = record(tmp_path)
    summary = explore(trace, SEED, 400, tmp_path)
    assert summary.losses, summary.line()
    assert any("dropped-rename" in f.state.kinds for f in summary.losses)
    report(capsys, f"folders not synced: {summary.line()}")


def test_the_explorer_finds_a_rename_before_the_data_is_durable(
    tmp_path: Path,
    small_compactions: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """write_file_atomically without its fsync: the rename may reach the disk before the
    data. The store then finds its main file damaged (and its hard-linked daily backups
    with it): states the right protocol never leaves."""

    def unsynced(path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        fd = files.FS.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, files.FILE_MODE)
        files.FS.write(fd, data)
        files.FS.close(fd)
        files.FS.replace(tmp, path)
        files.fsync_folder(path.parent)

    with monkeypatch.context() as patch:
        patch.setattr(files, "write_file_atomically", unsynced)
        trace = record(tmp_path)
    summary = explore(trace, SEED, 400, tmp_path)
    report(capsys, f"no fsync before rename: {summary.line()}")
    assert summary.refused_by_kind["dropped-write"] > 0
    assert summary.counts["refused, no backup"] > 0


# -- problems of the store the explorer found, each fixed; these keep them fixed ------------


def _first_save_append(trace: Trace) -> tuple[int, Write]:
    """The crash point just after the journal line of the first household save was
    written (not yet synced), and that write."""
    begun = False
    for index, op in enumerate(trace.ops):
        if isinstance(op, Begin) and op.label.startswith("HL01-"):
            begun = True
        elif begun and isinstance(op, Write):
            return index, op
    raise AssertionError("no household save in the trace")


def test_a_torn_unconfirmed_append_is_trimmed(tmp_path: Path, small_compactions: None) -> None:
    trace = record(tmp_path)
    point, append = _first_save_append(trace)
    disk = next(d.freeze() for i, d in Explorer(trace, SEED).points() if i == point)
    # Every earlier write is durable; what else is pending are folder entries (the
    # backups folder, the log), kept here as a kill -9 would keep them.
    assert disk.pending[-1] == append
    assert not any(isinstance(op, Write) for op in disk.pending[:-1])
    others = ["keep"] * (len(disk.pending) - 1)
    sectors = list(sectors_of(append))
    assert len(sectors) >= 3 and append.data.endswith(b"\n")
    refused = []
    shapes = {
        "all but the first sector": frozenset(sectors[1:]),
        "all but one in the middle": frozenset(sectors) - {sectors[1]},
        "the last sector only (the newline)": frozenset(sectors[-1:]),
    }
    with fast_fs():
        for number, (shape, kept) in enumerate(shapes.items()):
            state = disk.build([*others, kept], seed=SEED, point=point)
            folder = tmp_path / f"state-{number}"
            state.materialize(trace, folder)
            outcome = open_state(folder / WORKLOAD_MAIN)
            if outcome.writable.status != "opened":
                refused.append(f"{shape}: {outcome.writable.status} {outcome.writable.what}")
            else:
                assert lost(outcome.writable.digest, state) == []
    assert refused == []


def test_a_store_folder_the_store_made_survives_a_power_cut(
    tmp_path: Path, small_compactions: None
) -> None:
    trace = record(tmp_path, make_folder=False)
    summary = explore(trace, SEED, 600, tmp_path, stop_after=1)
    assert not summary.losses, summary.explain(limit=1)


def test_the_first_daily_backup_is_durable_when_open_returns(
    tmp_path: Path, small_compactions: None
) -> None:
    trace = record(tmp_path)
    first_confirm = next(i for i, op in enumerate(trace.ops) if isinstance(op, Confirm))
    point = max(i for i, _disk in Explorer(trace, SEED).points() if i < first_confirm)
    state = Explorer(trace, SEED).state(point, 1)  # nothing pending kept
    paths = [path for path, _inode, _folder in state.image(trace)]
    assert any(p.startswith(WORKLOAD_MAIN + ".backups/") for p in paths), paths


def test_the_model_tears_at_the_sector_the_last_save_record_relies_on() -> None:
    assert SECTOR == files.SLOT_SIZE
