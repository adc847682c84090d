"""One connection to the hub, PostgreSQL (psycopg 3) or an SQLite file, speaking the same
plain SQL: statements are written with ``%s`` placeholders, turned into ``?`` for SQLite.

Every write happens in :meth:`HubConnection.transaction`, which on SQLite starts with
``BEGIN IMMEDIATE`` (the file's write lock from the first statement) and on PostgreSQL is
an ordinary transaction serialised by the counter row that every push updates first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from grassroots_tui.lang import tr


class HubUnavailable(Exception):
    """The hub cannot be reached or refused the connection (a message saying why)."""


class HubError(Exception):
    """The hub answered, but something about it is wrong (a message saying what)."""


@dataclass(frozen=True)
class HubAddress:
    """Where the hub is: ``engine`` "sqlite" with a ``file``, or "postgresql" with a ``dsn``."""

    engine: str
    target: str

    @classmethod
    def parse(cls, *, dsn: str | None = None, file: str | Path | None = None) -> HubAddress:
        if (dsn is None) == (file is None):
            raise HubError(
                tr("要指定汇总库：--dsn postgresql://… 或 --file 汇总库.sqlite，二选一。")
            )
        if dsn is not None:
            if not dsn.startswith(("postgresql://", "postgres://")):
                raise HubError(tr("汇总库地址应以 postgresql:// 开头：{dsn}", dsn=dsn))
            return cls("postgresql", dsn)
        return cls("sqlite", str(file))

    @property
    def shown(self) -> str:
        """The address without a password, for messages and the status line."""
        if self.engine == "sqlite":
            return self.target
        head, sep, tail = self.target.partition("@")
        if not sep:
            return self.target
        scheme, _, user = head.partition("://")
        return f"{scheme}://{user.split(':', 1)[0]}@{tail}"


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class HubConnection:
    """An open connection to the hub. Use as a context manager; :meth:`close` ends it."""

    engine: str

    def __init__(self, address: HubAddress) -> None:
        self.address = address
        self.engine = address.engine
        self._conn: Any = None

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(
        cls, address: HubAddress, *, create: bool = False, timeout: float = 10.0
    ) -> HubConnection:
        hub = cls(address)
        if address.engine == "sqlite":
            path = Path(address.target)
            if not create and not path.exists():
                raise HubUnavailable(tr("找不到汇总库文件：{path}", path=path))
            try:
                conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
            except sqlite3.OperationalError as error:  # a folder that is not there, locked…
                raise HubUnavailable(
                    tr("打不开汇总库文件 {path}：{error}", path=path, error=error)
                ) from error
            except sqlite3.Error as error:  # the file is there and is something else
                raise HubError(
                    tr("{path} 不是汇总库文件（{error}）。", path=path, error=error)
                ) from error
            hub._conn = conn
        else:
            try:
                import psycopg
            except ImportError as error:  # pragma: no cover - a dependency
                raise HubUnavailable(
                    tr("没有安装 psycopg，无法连接 PostgreSQL 汇总库。")
                ) from error
            try:
                hub._conn = psycopg.connect(
                    address.target, connect_timeout=max(1, int(timeout)), autocommit=True
                )
            except psycopg.Error as error:
                raise HubUnavailable(
                    tr(
                        "连接不上汇总库 {shown}：{value}",
                        shown=address.shown,
                        value=_first_line(error),
                    )
                ) from error
        return hub

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> HubConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements ---------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.engine == "sqlite" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(self._sql(sql), tuple(params))
        except Exception as error:
            raise self._translated(error) from error

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            if self.engine == "sqlite":
                self._conn.executemany(self._sql(sql), [tuple(r) for r in rows])
            else:
                with self._conn.cursor() as cur:
                    cur.executemany(sql, [tuple(r) for r in rows])
        except Exception as error:
            raise self._translated(error) from error

    def insert_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[bool]:
        """Run an ``INSERT … ON CONFLICT DO NOTHING`` for each row, and say which rows were
        inserted. PostgreSQL sends them in one pipeline (a round trip per row costs more
        than the rows: a week's 500 documents went from about 110 to 45 ms)."""
        if not rows:
            return []
        try:
            if self.engine == "sqlite":
                return [self._conn.execute(self._sql(sql), tuple(r)).rowcount == 1 for r in rows]
            inserted: list[bool] = []
            with self._conn.cursor() as cur:
                cur.executemany(sql + " RETURNING 1", [tuple(r) for r in rows], returning=True)
                while True:
                    inserted.append(cur.fetchone() is not None)
                    if not cur.nextset():
                        break
            return inserted
        except Exception as error:
            raise self._translated(error) from error

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())

    @contextmanager
    def transaction(self) -> Iterator[HubConnection]:
        """One hub transaction: committed on leaving the block, rolled back on an error."""
        if self.engine == "sqlite":
            self.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self.execute("COMMIT")
            return
        try:
            with self._conn.transaction():
                yield self
        except HubError:
            raise
        except HubUnavailable:
            raise
        except Exception as error:
            translated = self._translated(error)
            if translated is error:
                raise
            raise translated from error

    def _translated(self, error: Exception) -> Exception:
        if isinstance(error, (HubError, HubUnavailable)):
            return error
        if isinstance(error, sqlite3.OperationalError) and any(
            word in str(error) for word in ("locked", "busy", "unable to open", "disk")
        ):
            return HubUnavailable(tr("汇总库文件暂时不能写入：{error}", error=error))
        if isinstance(error, sqlite3.Error):
            return HubError(tr("汇总库出错：{error}", error=error))
        try:
            import psycopg
        except ImportError:  # pragma: no cover
            return error
        if isinstance(error, psycopg.OperationalError):
            return HubUnavailable(tr("与汇总库的连接断开：{value}", value=_first_line(error)))
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return HubError(
                tr("汇总库拒绝了这次操作（权限不足）：{value}", value=_first_line(error))
            )
        if isinstance(error, psycopg.Error):
            return HubError(tr("汇总库出错：{value}", value=_first_line(error)))
        return error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
