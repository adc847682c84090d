"""Store errors. Every message is plain words a station worker can act on, in the
interface language (:func:`grassroots_tui.lang.tr`, English in ``locale/en/store.json``)."""

from __future__ import annotations

import errno
from pathlib import Path

from grassroots_tui.lang import tr


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class StoreReadOnly(StoreError):
    """A save was attempted on a store opened read-only."""


class StoreLocked(StoreError):
    """Another process holds the store for writing."""

    def __init__(self, holder: dict) -> None:
        self.holder = holder
        pid = holder.get("pid", "?")
        since = str(holder.get("since", "?"))[:19].replace("T", " ")
        host = holder.get("host", "")
        if host:
            message = tr(
                "数据已被另一个程序打开：进程 {pid}（{host}）自 {since} 起占用写入权，"
                "本次只能只读打开。",
                pid=pid,
                host=host,
                since=since,
            )
        else:
            message = tr(
                "数据已被另一个程序打开：进程 {pid} 自 {since} 起占用写入权，本次只能只读打开。",
                pid=pid,
                since=since,
            )
        super().__init__(message)


class StoreDamaged(StoreError):
    """The store's files fail verification; nothing will be written to them."""

    def __init__(self, what: str, newest_backup: Path | None, main: Path | None = None) -> None:
        self.what = what
        self.newest_backup = newest_backup
        if newest_backup is not None:
            from grassroots_tui.store.paths import default_store_path

            db = f" --db {main}" if main is not None and main != default_store_path() else ""
            hint = tr(
                "最新的完好备份：{backup}。可用 “{restore}” 恢复（当前文件会先另存一份），"
                "或用 “{salvage}” 从损坏的文件中救出其余的保存。",
                backup=newest_backup,
                restore=f"grassroots restore{db} {newest_backup}",
                salvage=f"grassroots salvage{db}",
            )
        else:
            hint = tr("没有找到完好的备份。请把数据文件夹整个复制一份，再联系技术支持。")
        super().__init__(
            tr(
                "数据文件已损坏：{what}。为保护数据，程序不会写入它。{hint}",
                what=what,
                hint=hint,
            )
        )


class StoreKeyRequired(StoreError):
    """The store is encrypted and this process has not unlocked it (or could not)."""

    def __init__(self, main: Path, reason: str = "") -> None:
        self.main = main
        super().__init__(
            reason
            or tr(
                "数据已加密：需要站点口令（或密钥文件、恢复密钥）才能打开。{main}"
                "（在命令行运行时会提示输入；脚本可用环境变量 {key_file} 或 {passphrase}）",
                main=main,
                key_file="GRASSROOTS_KEY_FILE",
                passphrase="GRASSROOTS_PASSPHRASE",
            )
        )


class StoreConflict(StoreError):
    """The document changed since the caller read it."""


class StoreWriteFailed(StoreError):
    """Writing to disk failed; the store is unchanged."""


class StoreFilesChanged(StoreWriteFailed):
    """The main file or the journal was replaced by another file while the store was open;
    the store kept what it holds as a backup and turned read-only instead of overwriting."""


class NothingToUndo(StoreError):
    pass


def disk_reason(error: OSError) -> str:
    """What went wrong with the disk, in the interface language."""
    code = error.errno or 0
    if code == errno.ENOSPC:
        return tr("磁盘空间已满")
    if code == getattr(errno, "EDQUOT", -1):
        return tr("磁盘空间已满（超出配额）")
    if code == errno.EROFS:
        return tr("数据文件夹是只读的")
    if code in (errno.EACCES, errno.EPERM):
        return tr("没有写入数据文件夹的权限（只读）")
    if code == errno.EIO:
        return tr("磁盘读写出错（U 盘是否被拔出？）")
    if code == errno.ENOENT:
        return tr("数据文件夹不见了（U 盘是否被拔出？）")
    if code in (errno.EEXIST, errno.ENOTDIR):
        return tr("路径上有一个同名的文件挡住了文件夹")
    return tr("系统错误：{error}", error=error.strerror or error)


class NotYourDocument(StoreError, ValueError):
    """The document is written by another party (the office or another station): this
    replica may only read it. ``reason`` says whose it is; nothing was saved."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
