"""The log of unexpected errors: the traceback goes to a file, the user gets one line.

An error the program did not expect (a bug, not a full disk or a damaged store, which
have their own messages) is never shown as a traceback. :func:`record_unexpected`
appends its traceback to ``errors.log`` in the data folder, beside the store's main file,
and the one line the user sees names that file (:func:`unexpected_message`), so the
station can hand it to whoever maintains the program.

A traceback may quote a value the user typed, a resident's name or ID number, so the
file is kept like the store itself: readable by its owner only (0600, whatever the
umask), in the store's folder (docs/design.md#personal-information). Beside an encrypted
store the traceback is sealed with the store's key (the entry's first lines, when and
where, stay readable); when the key is not unlocked yet only the error's kind is written.
``grassroots errors`` lists the entries one line each and writes the whole log, the
sealed parts opened, to a file for the maintainer (:func:`read_log`). It never grows past
about :data:`MAX_BYTES`: the older half of its life is kept as ``errors.log.1``.

When the store's folder cannot take the file (it does not exist, it is read-only), the
user's default data folder is tried; when neither can, the message says so and gives the
error's kind alone.
"""

from __future__ import annotations

import base64
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

from grassroots_tui import __version__
from grassroots_tui.lang import tr
from grassroots_tui.store import keyring
from grassroots_tui.store.files import make_private_folder
from grassroots_tui.store.keyslots import KeySlots, KeySlotsDamaged
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.sealing import SealBroken, Sealer

__all__ = [
    "LOG_NAME",
    "MAX_BYTES",
    "log_folder_for",
    "logged_note",
    "read_log",
    "summary_lines",
    "record_unexpected",
    "unexpected_message",
]

LOG_NAME = "errors.log"
MAX_BYTES = 1_000_000
FILE_MODE = 0o600


def log_folder_for(db: str | Path | None) -> Path:
    """The folder of the store ``db`` names (its main file), or of the default store."""
    return StorePaths.for_main(db or default_store_path()).folder


SEALED = "sealed: "
_AAD = b"grassroots errors.log"


def _store_key(folder: Path) -> tuple[bool, Sealer | None]:
    """Whether the store in ``folder`` is encrypted, and its key when this process holds
    it."""
    for keys in sorted(folder.glob("*.keys")):
        try:
            slots = KeySlots.read(keys)
        except KeySlotsDamaged:
            return True, None
        if slots is not None:
            return True, keyring.sealer_for(slots.store_id)
    return False, None


def _entry(error: BaseException, context: str, folder: Path) -> str:
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    head = (
        f"==== {when}  grassroots {__version__}  Python {sys.version.split()[0]}"
        f"  pid {os.getpid()}\n"
    )
    where = f"where: {context}\n" if context else ""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    encrypted, sealer = _store_key(folder)
    if sealer is not None:
        trace = SEALED + base64.b64encode(sealer.seal(trace.encode(), _AAD)).decode() + "\n"
    elif encrypted:
        trace = f"{type(error).__name__} (the store is encrypted and was not unlocked: no more)\n"
    return head + where + trace + "\n"


def summary_lines(log: str) -> list[str]:
    """One line per entry of an error log's text: its time, where it happened and the
    error's kind (the traceback's last line's first word), newest last."""
    lines: list[str] = []
    for entry in log.split("==== ")[1:]:
        rows = [row for row in entry.splitlines() if row.strip()]
        when = rows[0].split("  ")[0] if rows else ""
        where = next((r.removeprefix("where: ") for r in rows if r.startswith("where: ")), "")
        body = [r for r in rows[1:] if not r.startswith("where: ")]
        last = body[-1].strip() if body else ""
        kind = last.split(":", 1)[0].split(" ", 1)[0] if last else "?"
        lines.append("  ".join(part for part in (when, where, kind) if part))
    return lines


def read_log(folder: str | Path) -> str:
    """The error log in ``folder`` (the older half first), with every sealed traceback
    opened when this process holds the store's key; "" when there is none."""
    folder = Path(folder)
    _encrypted, sealer = _store_key(folder)
    text = ""
    for path in (folder / (LOG_NAME + ".1"), folder / LOG_NAME):
        try:
            text += path.read_text("utf-8", "backslashreplace")
        except FileNotFoundError:
            continue
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith(SEALED):
            try:
                if sealer is None:
                    raise SealBroken("locked")
                sealed = base64.b64decode(line[len(SEALED) :].strip())
                line = sealer.unseal(sealed, _AAD).decode("utf-8", "backslashreplace")
            except (SealBroken, ValueError):
                line = "(sealed: open the store with its passphrase to read this trace)\n"
        lines.append(line)
    return "".join(lines)


def _append(path: Path, text: str) -> None:
    try:
        if path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    except FileNotFoundError:
        pass
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # Windows has none before Python 3.13
            os.fchmod(fd, FILE_MODE)  # the mode given to open() is narrowed by the umask only
        data = text.encode("utf-8", "backslashreplace")
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)


def record_unexpected(error: BaseException, folder: str | Path, *, context: str = "") -> Path:
    """Append ``error``'s traceback (and ``context``: which command, which screen) to
    ``errors.log`` in ``folder``, or, if that fails, in the default data folder; return
    the file written. Raises OSError only when neither can be written."""
    first = Path(folder)
    text = _entry(error, context, first)
    try:
        if not first.is_dir():
            raise FileNotFoundError(2, "No such folder", str(first))
        path = first / LOG_NAME
        _append(path, text)
        return path
    except OSError:
        fallback = default_store_path().parent
        if fallback == first:
            raise
    path = make_private_folder(fallback) / LOG_NAME
    _append(path, text)
    return path


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def logged_note(error: BaseException, folder: str | Path, *, context: str = "") -> str:
    """Record ``error``'s traceback (:func:`record_unexpected`) and return the sentence
    that names the file, or says why it could not be written, in the interface language."""
    try:
        path = record_unexpected(error, folder, context=context)
    except OSError as failed:
        return tr(
            "详细信息无法写入错误日志（{reason}），请把这条信息告诉维护人员。",
            reason=failed.strerror or failed,
        )
    return tr("详细信息已写入 {file}，请把这个文件交给维护人员。", file=path)


def unexpected_message(error: BaseException, folder: str | Path, *, context: str = "") -> str:
    """The one line the command line prints for an unexpected error, after recording its
    traceback; it names the log file."""
    return tr(
        "错误：发生了意外错误（{kind}：{error}）。{note}",
        kind=type(error).__name__,
        error=_clip(str(error)),
        note=logged_note(error, folder, context=context),
    )
