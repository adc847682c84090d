"""Store errors. Every message is plain Chinese a station worker can act on."""

from __future__ import annotations

import errno
from pathlib import Path


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
        where = f"（{host}）" if host else ""
        super().__init__(
            f"数据已被另一个程序打开：进程 {pid}{where}自 {since} 起占用写入权，本次只能只读打开。"
        )


class StoreDamaged(StoreError):
    """The store's files fail verification; nothing will be written to them."""

    def __init__(self, what: str, newest_backup: Path | None, main: Path | None = None) -> None:
        self.what = what
        self.newest_backup = newest_backup
        if newest_backup is not None:
            from grassroots_tui.store.paths import default_store_path

            db = f" --db {main}" if main is not None and main != default_store_path() else ""
            hint = (
                f"最新的完好备份：{newest_backup}。"
                f"可用 “grassroots restore{db} {newest_backup}” 恢复（当前文件会先另存一份），"
                f"或用 “grassroots salvage{db}” 从损坏的文件中救出其余的保存。"
            )
        else:
            hint = "没有找到完好的备份。请把数据文件夹整个复制一份，再联系技术支持。"
        super().__init__(f"数据文件已损坏：{what}。为保护数据，程序不会写入它。{hint}")


class StoreKeyRequired(StoreError):
    """The store is encrypted and this process has not unlocked it (or could not)."""

    def __init__(self, main: Path, reason: str = "") -> None:
        self.main = main
        super().__init__(
            reason
            or (
                f"数据已加密：需要站点口令（或密钥文件、恢复密钥）才能打开。{main}"
                "（在命令行运行时会提示输入；脚本可用环境变量 GRASSROOTS_KEY_FILE 或 "
                "GRASSROOTS_PASSPHRASE）"
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
    """What went wrong with the disk, in Chinese."""
    reasons = {
        errno.ENOSPC: "磁盘空间已满",
        getattr(errno, "EDQUOT", -1): "磁盘空间已满（超出配额）",
        errno.EROFS: "数据文件夹是只读的",
        errno.EACCES: "没有写入数据文件夹的权限（只读）",
        errno.EPERM: "没有写入数据文件夹的权限（只读）",
        errno.EIO: "磁盘读写出错（U 盘是否被拔出？）",
        errno.ENOENT: "数据文件夹不见了（U 盘是否被拔出？）",
        errno.EEXIST: "路径上有一个同名的文件挡住了文件夹",
        errno.ENOTDIR: "路径上有一个同名的文件挡住了文件夹",
    }
    return reasons.get(error.errno or 0, f"系统错误：{error.strerror or error}")


class NotYourDocument(StoreError, ValueError):
    """The document is written by another party (the office or another station): this
    replica may only read it. ``reason`` says whose it is, in Chinese; nothing was saved."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
