"""Where a laptop keeps its hub connection: ``<store>.hub.json`` beside its store, readable by
its owner only. It holds the hub's address (a PostgreSQL DSN naming the replica's own
role and its password, never the admin's; or the SQLite file's path), the replica id and
the replica's key."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson

from grassroots_tui.hub.engines import HubAddress, HubError
from grassroots_tui.store.paths import StorePaths

SUFFIX = ".hub.json"


@dataclass(frozen=True)
class HubConfig:
    engine: str
    target: str
    replica_id: str
    scope: str
    key_b64: str

    @property
    def address(self) -> HubAddress:
        return HubAddress(self.engine, self.target)


#: Query parameters of a DSN that say who connects: dropped from the admin's DSN.
_WHO = frozenset({"user", "password", "passfile", "service"})


def replica_dsn(admin_dsn: str, role: str, password: str) -> str:
    """The admin's ``postgresql://`` DSN (the one enrolment used) with the replica's role
    and password instead of the admin's: same host, port, database and options."""
    parts = urlsplit(admin_dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise HubError(f"汇总库地址应以 postgresql:// 开头：{admin_dsn}")
    where = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{where}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _WHO]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def config_path(store_main: str | Path) -> Path:
    main = StorePaths.for_main(store_main).main
    return main.with_name(main.name + SUFFIX)


def save_config(store_main: str | Path, config: HubConfig) -> Path:
    path = config_path(store_main)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(asdict(config), option=orjson.OPT_INDENT_2))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return path


def load_config(store_main: str | Path) -> HubConfig | None:
    """The laptop's hub settings, or None when it has never been enrolled with a hub."""
    path = config_path(store_main)
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as error:
        raise HubError(f"汇总库设置文件 {path} 读不出来：{error}") from error
    try:
        return HubConfig(**{name: str(data[name]) for name in HubConfig.__dataclass_fields__})
    except (KeyError, TypeError) as error:
        raise HubError(f"汇总库设置文件 {path} 缺少 {error}：请重新登记本机。") from error
