"""Where a laptop keeps its hub connection: ``<store>.hub.json`` beside its store, readable by
its owner only. It holds the hub's address (a PostgreSQL DSN naming the replica's own
role and its password, never the admin's; or the SQLite file's path), the replica id and
the replica's key.

Beside an encrypted store those secrets are sealed with the store's key (a lost laptop
must not hand its hub password to the finder): ``{"sealed": …, "store_id": …}``. A plain
file beside a store encrypted later is sealed the first time it is read unlocked."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson

from grassroots_tui.hub.engines import HubAddress, HubError
from grassroots_tui.lang import tr
from grassroots_tui.store import keyring
from grassroots_tui.store.keyslots import KeySlots, KeySlotsDamaged
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.sealing import SealBroken

_AAD = b"grassroots hub settings"

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
        raise HubError(tr("汇总库地址应以 postgresql:// 开头：{admin_dsn}", admin_dsn=admin_dsn))
    where = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{where}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _WHO]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def config_path(store_main: str | Path) -> Path:
    main = StorePaths.for_main(store_main).main
    return main.with_name(main.name + SUFFIX)


def _store_id_if_encrypted(store_main: str | Path) -> str | None:
    try:
        slots = KeySlots.read(StorePaths.for_main(store_main).keys)
    except KeySlotsDamaged as damaged:
        raise HubError(str(damaged)) from None
    return slots.store_id if slots is not None else None


def save_config(store_main: str | Path, config: HubConfig) -> Path:
    path = config_path(store_main)
    data = orjson.dumps(asdict(config), option=orjson.OPT_INDENT_2)
    store_id = _store_id_if_encrypted(store_main)
    if store_id is not None:
        sealer = keyring.sealer_for(store_id)
        if sealer is None:
            raise HubError(tr("数据已加密：请先用站点口令打开数据，再保存汇总库设置。"))
        sealed = base64.b64encode(sealer.seal(data, _AAD)).decode("ascii")
        data = orjson.dumps({"sealed": sealed, "store_id": store_id})
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
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
        raise HubError(
            tr("汇总库设置文件 {path} 读不出来：{error}", path=path, error=error)
        ) from error
    plain = isinstance(data, dict) and "sealed" not in data
    if not plain:
        data = _unsealed(path, data)
    try:
        config = HubConfig(**{name: str(data[name]) for name in HubConfig.__dataclass_fields__})
    except (KeyError, TypeError) as error:
        raise HubError(
            tr("汇总库设置文件 {path} 缺少 {error}：请重新登记本机。", path=path, error=error)
        ) from error
    store_id = _store_id_if_encrypted(store_main)
    if plain and store_id is not None and keyring.sealer_for(store_id) is not None:
        save_config(store_main, config)  # written before the store was encrypted
    return config


def _unsealed(path: Path, data: dict) -> dict:
    sealer = keyring.sealer_for(str(data.get("store_id", "")))
    if sealer is None:
        raise HubError(tr("汇总库设置文件 {name} 已加密：请先用站点口令打开数据。", name=path.name))
    try:
        opened = orjson.loads(sealer.unseal(base64.b64decode(str(data["sealed"])), _AAD))
    except (SealBroken, binascii.Error, ValueError, KeyError):
        raise HubError(
            tr("汇总库设置文件 {name} 解密失败，已被改动或损坏：请重新登记本机。", name=path.name)
        ) from None
    if not isinstance(opened, dict):
        raise HubError(tr("汇总库设置文件 {name} 的内容不对：请重新登记本机。", name=path.name))
    return opened
