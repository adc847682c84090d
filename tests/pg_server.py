"""A throwaway PostgreSQL server for the hub's tests.

``start()`` finds ``initdb`` and ``pg_ctl`` (on PATH, else the newest
/usr/lib/postgresql/*/bin), makes a cluster in a fresh temp folder, starts it on
127.0.0.1 with a free port and its unix socket in that folder, waits until it accepts
connections, and gives back a :class:`PgServer` whose ``dsn`` reaches the ``postgres``
database as the superuser ``postgres`` (trust authentication: a test server only).
``PgServer.stop()`` stops the server and deletes the folder.

PostgreSQL refuses to run as root, so when we are root every PostgreSQL command runs as
the ``postgres`` user (``runuser -u postgres --``) and the folder is owned by it.

``python -m tests.pg_server`` starts one, prints its DSN and start time, and stops it on
Enter: for trying the hub by hand.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
OS_USER_WHEN_ROOT = "postgres"
#: Tuned for tests: losing the data on a crash does not matter, the folder is thrown away.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
}
START_TIMEOUT = 60  # seconds


class PostgresUnavailable(RuntimeError):
    """This machine cannot run a PostgreSQL server for the tests (no binaries, or root
    without a ``postgres`` user to run them as). The message says which."""


@dataclass
class PgServer:
    host: str
    port: int
    folder: Path
    bindir: Path
    version: str
    #: seconds: initdb, then pg_ctl start until a connection is accepted
    initdb_seconds: float
    start_seconds: float
    _as_user: list[str] = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/postgres"

    @property
    def datadir(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def stop(self) -> None:
        """Stop the server (fast shutdown, immediate if that hangs) and delete its folder."""
        if self._stopped:
            return
        self._stopped = True
        try:
            pg_ctl = [*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir)]
            done = _run([*pg_ctl, "stop", "-m", "fast", "-w", "-t", "30"], self.folder, check=False)
            if done.returncode != 0 and (self.datadir / "postmaster.pid").exists():
                _run([*pg_ctl, "stop", "-m", "immediate", "-w", "-t", "30"], self.folder, False)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, else the newest
    /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH). None if neither."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        folder = Path(on_path).resolve().parent  # /usr/local/bin/pg_ctl may be a symlink
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    candidates = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            numbers = tuple(int(n) for n in re.findall(r"\d+", folder.parent.name))
            candidates.append((numbers, folder))
    return max(candidates)[1] if candidates else None


def unavailable_reason() -> str | None:
    """Why ``start()`` cannot work here, or None if it should."""
    if find_bindir() is None:
        return "no PostgreSQL on this machine (no pg_ctl/initdb on PATH or in /usr/lib/postgresql/*/bin)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER_WHEN_ROOT)
        except KeyError:
            return (
                f"running as root and there is no {OS_USER_WHEN_ROOT!r} user to run PostgreSQL as"
            )
        if shutil.which("runuser") is None:
            return "running as root and there is no runuser to run PostgreSQL as another user"
    return None


def start(timeout: float = START_TIMEOUT, label: str = "") -> PgServer:
    """Start a fresh server; raise PostgresUnavailable if this machine cannot, and
    RuntimeError (with the server's log) if it could but did not. Each server has its own
    folder (``label``, such as the xdist worker's name, is in its name) and port, so
    several can run at once."""
    reason = unavailable_reason()
    if reason:
        raise PostgresUnavailable(reason)
    bindir = find_bindir()
    assert bindir is not None
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix=f"grassroots-pg-{label}-" if label else "grassroots-pg-"))
    try:
        if os.geteuid() == 0:
            as_user = ["runuser", "-u", OS_USER_WHEN_ROOT, "--"]
            _hand_over(folder)
        began = time.monotonic()
        _run(
            [
                *as_user,
                str(bindir / "initdb"),
                "-D",
                str(folder / "data"),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",  # the folder is thrown away; fsync of it is wasted time
            ],
            folder,
        )
        initdb_seconds = time.monotonic() - began
        with (folder / "data" / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg_server.py\n")
            for key, value in SETTINGS.items():
                conf.write(f"{key} = {value}\n")
            conf.write(f"unix_socket_directories = '{_quoted(folder)}'\n")
        version = _run([str(bindir / "pg_ctl"), "--version"], folder).stdout.strip()
        for _attempt in range(3):  # a free port can be taken between our look and the bind
            port = _free_port()
            began = time.monotonic()
            started = _run(
                [
                    *as_user,
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(folder / "data"),
                    "-l",
                    str(folder / "server.log"),
                    "-o",
                    f"-p {port}",
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "start",
                ],
                folder,
                check=False,
            )
            if started.returncode == 0:
                server = PgServer(
                    "127.0.0.1", port, folder, bindir, version, initdb_seconds, 0.0, as_user
                )
                _wait_until_accepting(server, began + timeout)
                server.start_seconds = time.monotonic() - began
                return server
            log = _tail(folder / "server.log")
            if "could not bind" not in log and "in use" not in log:
                break
        raise RuntimeError(
            f"pg_ctl start failed ({started.returncode}): {started.stdout}{started.stderr}\n"
            f"server.log:\n{_tail(folder / 'server.log')}"
        )
    except BaseException:
        if (folder / "data" / "postmaster.pid").exists():
            _run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "stop"],
                folder,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _hand_over(folder: Path) -> None:
    """As root: give the folder to the postgres user, and make sure it can reach it (a
    TMPDIR under /root would not do)."""
    user = pwd.getpwnam(OS_USER_WHEN_ROOT)
    os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o700)
    reach = subprocess.run(["runuser", "-u", OS_USER_WHEN_ROOT, "--", "test", "-w", str(folder)])
    if reach.returncode != 0:
        raise RuntimeError(
            f"the {OS_USER_WHEN_ROOT} user cannot write {folder}: set TMPDIR to a folder "
            "it can reach (e.g. /tmp)"
        )


def _wait_until_accepting(server: PgServer, deadline: float) -> None:
    """pg_ctl -w already waited for the server to say it is ready; connect once over TCP
    to be sure the DSN works."""
    import psycopg

    while True:
        try:
            with psycopg.connect(server.dsn, connect_timeout=5) as conn:
                conn.execute("select 1")
            return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not accept {server.dsn}: {error}\n{_tail(server.log)}"
                ) from error
            time.sleep(0.05)


def _run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL command from inside the folder (initdb and pg_ctl fail when the
    postgres user cannot read the current folder), without PG* variables that could point
    it at another server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _quoted(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("'", "''")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


if __name__ == "__main__":
    server = start()
    try:
        print(server.version)
        print(f"initdb {server.initdb_seconds:.2f} s, start {server.start_seconds:.2f} s")
        print(server.dsn)
        if os.isatty(0):
            input("Enter stops it. ")
    finally:
        server.stop()
