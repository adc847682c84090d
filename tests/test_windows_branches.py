"""The program's Windows code paths, run here with the Windows branches selected (issue #21).

Nothing is run on Windows itself (the program is not tested there): these tests make this
machine take the branches a Windows machine would take, and check what they do.

- **The writer lock** (:mod:`grassroots_tui.store.lock`) picks msvcrt or fcntl when it is
  imported. A second copy of the module is loaded with ``sys.platform`` set to ``win32``
  and a stand-in for ``msvcrt`` whose ``locking`` keeps byte-range locks per handle, as
  Windows does (a second handle, even in the same process, is refused); the copy's
  :class:`WriterLock` must take, refuse, name its holder, release and retake as the real
  one does, with the holder record after the locked first byte.
- **The store's files** (:mod:`grassroots_tui.store.files`) decide at call time: with
  ``sys.platform`` set to ``win32`` a folder is not fsync'd (Windows cannot open one) and
  the journal takes no lock of its own (Windows locks are mandatory and would keep
  readers out).
- **Where the data lives** (:mod:`grassroots_tui.store.paths`, settings): platformdirs'
  Windows class, with the known folder given, puts the store in
  ``%LOCALAPPDATA%\\grassroots-tui\\grassroots.json``, not ``…\\grassroots-tui\\grassroots-tui``
  (the folder a Windows appauthor would add).
- **The error log** has no ``os.fchmod`` on Windows before Python 3.13.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from pathlib import Path

import platformdirs
import platformdirs.windows
import pytest

import grassroots_tui.store.lock as posix_lock
from grassroots_tui.store import files, settings
from grassroots_tui.store.error_log import record_unexpected
from grassroots_tui.store.errors import StoreLocked
from grassroots_tui.store.paths import default_store_path


class FakeMsvcrt(types.ModuleType):
    """``msvcrt.locking`` as Windows does it: a byte range from the handle's current
    position, held per handle; a range another handle holds (or this one already holds)
    is refused with OSError, and unlocking a range not held is an error too."""

    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int, int, int], int] = {}
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        info = os.fstat(fd)
        key = (info.st_dev, info.st_ino, offset, nbytes)
        self.calls.append((mode, offset, nbytes))
        if mode == self.LK_NBLCK:
            if key in self.held:
                raise PermissionError(13, "Permission denied")
            self.held[key] = fd
        elif mode == self.LK_UNLCK:
            if self.held.get(key) != fd:
                raise PermissionError(13, "Permission denied")
            del self.held[key]
        else:
            raise AssertionError(f"the lock must never wait (mode {mode})")


@pytest.fixture
def windows_lock(monkeypatch):
    """A copy of grassroots_tui.store.lock as it loads on Windows, and its msvcrt."""
    fake = FakeMsvcrt()
    with monkeypatch.context() as on_windows:
        on_windows.setattr(sys, "platform", "win32")
        on_windows.setitem(sys.modules, "msvcrt", fake)
        spec = importlib.util.spec_from_file_location(
            "grassroots_tui.store._lock_on_windows", posix_lock.__file__
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    assert module._INFO_OFFSET == 1 and not hasattr(module, "fcntl")
    return module, fake


def test_the_windows_lock_takes_refuses_names_and_releases(windows_lock, tmp_path):
    module, fake = windows_lock
    path = tmp_path / "grassroots.json.lock"
    first = module.WriterLock(path)
    first.acquire()
    assert fake.calls == [(fake.LK_NBLCK, 0, 1)]  # the first byte, whatever was read before
    raw = path.read_bytes()
    assert raw[:1] == b"\0"  # the locked byte stays; the holder follows it
    assert json.loads(raw[1:])["pid"] == os.getpid()

    second = module.WriterLock(path)
    with pytest.raises(StoreLocked) as refused:
        second.acquire()
    assert refused.value.holder["pid"] == os.getpid()
    assert str(os.getpid()) in str(refused.value)
    assert not second.held

    first.release()
    assert path.read_bytes() == b"\0"  # the holder record is gone, the byte stays
    assert fake.held == {}
    second.acquire()
    assert second.held and json.loads(path.read_bytes()[1:])["pid"] == os.getpid()
    second.release()


def _held_then_replaced(module, tmp_path: Path):
    """A lock taken, then its file replaced under its name by another (empty) file."""
    path = tmp_path / "grassroots.json.lock"
    lock = module.WriterLock(path)
    lock.acquire()
    stranger = tmp_path / "other"
    stranger.write_bytes(b"")
    os.replace(stranger, path)
    assert not lock.still_held()
    return lock, path


def test_the_windows_lock_retakes_a_replaced_lock_file(windows_lock, tmp_path):
    module, fake = windows_lock
    lock, path = _held_then_replaced(module, tmp_path)
    lock.retake()
    assert lock.still_held()
    assert len(fake.held) == 1  # the old file's byte was unlocked, the new one's locked
    (held_by,) = fake.held.values()
    assert os.fstat(held_by).st_ino == path.stat().st_ino
    lock.release()
    assert fake.held == {}


def test_the_windows_lock_refuses_while_another_handle_holds_the_name(windows_lock, tmp_path):
    """A retake that finds the new file held by someone else keeps the old lock."""
    module, fake = windows_lock
    mine, path = _held_then_replaced(module, tmp_path)
    theirs = module.WriterLock(path)
    theirs.acquire()
    with pytest.raises(StoreLocked):
        mine.retake()
    assert mine.held and not mine.still_held()
    theirs.release()
    mine.release()
    assert fake.held == {}


def test_files_skip_the_folder_fsync_and_the_journal_lock_on_windows(monkeypatch, tmp_path):
    journal = tmp_path / "grassroots.json.journal"
    journal.write_bytes(b"")
    holder = os.open(journal, os.O_RDWR)
    other = os.open(journal, os.O_RDWR)
    try:
        assert posix_lock.try_lock(holder)
        assert files.lock_file(other) is False  # here: another descriptor holds it

        def no_open(*args, **kwargs):
            raise AssertionError("a folder must not be opened on Windows")

        monkeypatch.setattr(sys, "platform", "win32")
        monkeypatch.setattr(os, "open", no_open)
        files.FS.fsync_folder(tmp_path)  # returns without opening the folder
        files.fsync_folder(tmp_path)
        assert files.lock_file(other) is True  # no journal lock of its own on Windows
    finally:
        monkeypatch.undo()
        os.close(other)
        os.close(holder)


@pytest.fixture
def windows_folders(monkeypatch):
    """platformdirs as on Windows, with its known folders given (no registry here)."""
    local = "C:\\Users\\李敏\\AppData\\Local"
    roaming = "C:\\Users\\李敏\\AppData\\Roaming"
    known = {"CSIDL_LOCAL_APPDATA": local, "CSIDL_APPDATA": roaming}
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", known.__getitem__)
    monkeypatch.setattr(os.path, "normpath", lambda path: path)  # a Windows path stays one
    monkeypatch.delenv("GRASSROOTS_CONFIG", raising=False)
    return local


def test_the_store_and_settings_live_in_localappdata_on_windows(windows_folders):
    local = windows_folders
    store = str(default_store_path())
    assert store.startswith(local)
    tail = store[len(local) :].replace("\\", "/").strip("/").split("/")
    assert tail == ["grassroots-tui", "grassroots.json"]
    config = str(settings.settings_path())
    assert config.startswith(local)  # platformdirs: Windows keeps config with the data
    assert config[len(local) :].replace("\\", "/").strip("/").split("/") == [
        "grassroots-tui",
        "settings.json",
    ]
    # What appauthor=False prevents: Windows would put the author's folder first.
    doubled = platformdirs.user_data_dir("grassroots-tui")
    assert doubled[len(local) :].replace("\\", "/").strip("/").count("grassroots-tui") == 2


def test_the_error_log_is_written_without_os_fchmod(monkeypatch, tmp_path):
    """Windows has no os.fchmod before Python 3.13: recording an unexpected error must
    not fail there (it raised AttributeError, and the command line's last resort with it)."""
    monkeypatch.delattr(os, "fchmod", raising=False)
    try:
        raise RuntimeError("意外")
    except RuntimeError as error:
        path = record_unexpected(error, tmp_path, context="test")
    assert path == tmp_path / "errors.log"
    text = path.read_text(encoding="utf-8")
    assert "RuntimeError: 意外" in text and "where: test" in text


def test_every_windows_branch_of_the_package_is_known():
    """The package's platform checks are the ones these tests run, so that a new Windows
    branch gets a test (or a note in the report of issue #21) rather than going unseen."""
    package = Path(posix_lock.__file__).resolve().parent.parent
    found = {}
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        count = text.count('sys.platform == "win32"') + text.count('os.name == "nt"')
        if count:
            found[str(path.relative_to(package))] = count
    assert found == {"store/lock.py": 1, "store/files.py": 2}, found
