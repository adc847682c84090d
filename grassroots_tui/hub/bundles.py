"""USB bundles: the sync's push and pull carried in files, for a station with no network.

The station writes a *push bundle* (``grassroots bundle export``): what a sync would push
(its pending revisions, their hashes first recorded as sent, and its new audit entries),
with its hub epoch and cursor. At the street office, ``grassroots hub import-bundle``
pushes it on the station's behalf (the same transaction and verdicts as a sync) and writes
an *answer bundle*: the verdicts, the hub's audit head and epoch, and the pages after the
station's cursor. The station takes the answer (``grassroots bundle import``) as a sync
takes the push's answer and each page. The steps are those of :mod:`.sync`.

A file is::

    MAGIC | header length (4 bytes, big-endian) | header | nonce (12 bytes) | ciphertext

The header is JSON in clear, and says only the format (push or answer), its version, the
replica id (so the office can find the key) and the ciphertext's length (so a truncated
file is told as such; the file's size says as much). Everything else is sealed with
AES-256-GCM under the replica's enrolment key (32 bytes: ``key_b64`` in the laptop's
settings, ``replica.key_b64`` at the hub), with a random 96-bit nonce and the clear part
as associated data: a changed byte anywhere, a cut file or another replica's key is
refused before anything is written. The sealed plaintext (zlib-compressed) is the manifest
(JSON: replica, scope, epoch, cursor, audit range, created_at, and each part's length,
count and sha256) followed by the parts (JSON lists).

Importing a bundle twice is harmless: at the hub the second push's verdicts are "same";
at the station an answer whose cursor is not past the station's is skipped whole (the
cursor never moves backwards, and an older answer's verdicts never replace newer ones).
An answer's cursor is the hub's counter after its push (read before the pages are
pulled; no revision commits at or below it later), so every answer has a cursor past
every earlier one's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from grassroots_tui.hub.config import HubConfig
from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.pull import Page
from grassroots_tui.hub.push import PushResult, Verdict, push
from grassroots_tui.hub.replicas import get_replica
from grassroots_tui.hub.schema import hub_meta, now_text
from grassroots_tui.hub.sync import (
    SyncReport,
    check_scope,
    note_pull,
    outbox,
    pages_after,
    start_cursor,
    take_answer,
    take_page,
)
from grassroots_tui.lang import tr
from grassroots_tui.store import PendingDocument, Store
from grassroots_tui.store.store import revision_hash

MAGIC = b"GRASSROOTS-BUNDLE\n"
VERSION = 1
PUSH_FORMAT = "grassroots-push"
ANSWER_FORMAT = "grassroots-answer"
FORMATS = {PUSH_FORMAT: "push", ANSWER_FORMAT: "answer"}
SUFFIX = ".bundle"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
#: The longest clear header read (it holds four short fields).
HEADER_LIMIT = 4096
_LENGTH = struct.Struct(">I")


class BundleError(HubError):
    """A bundle refused, or one that cannot be written (a message naming the file)."""


# -- sealing and opening ----------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The clear part of a bundle."""

    format: str
    version: int
    replica: str
    length: int
    #: The clear bytes (associated data of the seal) and where the nonce starts.
    clear: bytes
    body_at: int

    @property
    def label(self) -> str:
        if self.format == PUSH_FORMAT:
            return tr("上传捆包")
        return tr("回执捆包") if self.format == ANSWER_FORMAT else self.format


@dataclass(frozen=True)
class Opened:
    header: Header
    manifest: dict[str, Any]
    parts: dict[str, Any]


def key_bytes(key_b64: str, where: str) -> bytes:
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BundleError(
            tr("{where}的密钥不是有效的 base64：请重新登记这台电脑。", where=where)
        ) from error
    if len(key) != KEY_BYTES:
        raise BundleError(
            tr(
                "{where}的密钥长度不对（{count} 字节，应为 32）：请重新登记。",
                where=where,
                count=len(key),
            )
        )
    return key


def seal(
    key: bytes, replica_id: str, fmt: str, manifest: dict[str, Any], parts: dict[str, Any]
) -> bytes:
    """A bundle's bytes: ``manifest`` (completed with each part's length, count and
    sha256) and ``parts`` (name → a JSON-able list), sealed under ``key``."""
    blobs = [(name, orjson.dumps(value)) for name, value in parts.items()]
    manifest = {
        **manifest,
        "format": fmt,
        "version": VERSION,
        "replica": replica_id,
        "parts": [
            {
                "name": name,
                "bytes": len(blob),
                "count": len(parts[name]),
                "sha256": hashlib.sha256(blob).hexdigest(),
            }
            for name, blob in blobs
        ],
    }
    head = orjson.dumps(manifest)
    plain = zlib.compress(_LENGTH.pack(len(head)) + head + b"".join(b for _n, b in blobs), 6)
    length = len(plain) + TAG_BYTES
    header = orjson.dumps(
        {"format": fmt, "version": VERSION, "replica": replica_id, "length": length},
        option=orjson.OPT_SORT_KEYS,
    )
    clear = MAGIC + _LENGTH.pack(len(header)) + header
    nonce = os.urandom(NONCE_BYTES)
    return clear + nonce + AESGCM(key).encrypt(nonce, plain, clear)


def read_header(path: Path, data: bytes) -> Header:
    """The clear header, or a refusal naming what is wrong with the file."""
    name = path.name
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise BundleError(
                tr("捆包 {name} 不完整：文件只有 {count} 字节。", name=name, count=len(data))
            )
        raise BundleError(tr("{name} 不是本程序的捆包（文件开头不对）。", name=name))
    at = len(MAGIC) + _LENGTH.size
    if len(data) < at:
        raise BundleError(
            tr("捆包 {name} 不完整：文件只有 {count} 字节。", name=name, count=len(data))
        )
    (size,) = _LENGTH.unpack(data[len(MAGIC) : at])
    if size > HEADER_LIMIT:
        raise BundleError(tr("捆包 {name} 已损坏：文件头的长度不对（被改动过）。", name=name))
    if len(data) < at + size:
        raise BundleError(
            tr("捆包 {name} 不完整：文件只有 {count} 字节。", name=name, count=len(data))
        )
    try:
        raw = orjson.loads(data[at : at + size])
        header = Header(
            format=str(raw["format"]),
            version=int(raw["version"]),
            replica=str(raw["replica"]),
            length=int(raw["length"]),
            clear=data[: at + size],
            body_at=at + size,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise BundleError(
            tr("捆包 {name} 已损坏：文件头读不出来（被改动过）。", name=name)
        ) from error
    if header.format not in FORMATS:
        raise BundleError(
            tr(
                "捆包 {name} 已损坏：不认识的格式“{format}”（被改动过）。",
                name=name,
                format=header.format,
            )
        )
    if header.version > VERSION:
        raise BundleError(
            tr(
                "捆包 {name} 由更新版本的程序写出（格式版本 {version}，本程序 {VERSION}），"
                "请升级程序。",
                name=name,
                version=header.version,
                VERSION=VERSION,
            )
        )
    body = len(data) - header.body_at - NONCE_BYTES
    if body < header.length:
        raise BundleError(
            tr(
                "捆包 {name} 不完整：应有 {value} 字节，只有 {count} 字节（可能没有拷贝完，"
                "或优盘拔得太早）。请重新拷贝。",
                name=name,
                value=header.body_at + NONCE_BYTES + header.length,
                count=len(data),
            )
        )
    if body > header.length:
        raise BundleError(
            tr(
                "捆包 {name} 已损坏：文件末尾多出 {value} 字节。",
                name=name,
                value=body - header.length,
            )
        )
    return header


class _WrongKey(Exception):
    pass


def unseal(path: Path, data: bytes, header: Header, key: bytes) -> Opened:
    """The manifest and parts; :class:`_WrongKey` when the seal does not open with ``key``
    (a changed byte, or another key), :class:`BundleError` when what it holds is wrong."""
    name = path.name
    nonce = data[header.body_at : header.body_at + NONCE_BYTES]
    try:
        packed = AESGCM(key).decrypt(nonce, data[header.body_at + NONCE_BYTES :], header.clear)
    except InvalidTag as error:
        raise _WrongKey from error
    try:
        plain = zlib.decompress(packed)
        (size,) = _LENGTH.unpack(plain[: _LENGTH.size])
        at = _LENGTH.size + size
        manifest = orjson.loads(plain[_LENGTH.size : at])
        parts: dict[str, Any] = {}
        for part in manifest["parts"]:
            blob = plain[at : at + int(part["bytes"])]
            at += int(part["bytes"])
            if len(blob) != int(part["bytes"]) or (
                hashlib.sha256(blob).hexdigest() != part["sha256"]
            ):
                raise BundleError(
                    tr(
                        "捆包 {name} 已损坏：“{name2}”部分的校验和不符。",
                        name=name,
                        name2=part["name"],
                    )
                )
            parts[str(part["name"])] = orjson.loads(blob)
        if at != len(plain):
            raise BundleError(tr("捆包 {name} 已损坏：清单之外还有多余的内容。", name=name))
    except (zlib.error, struct.error, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise BundleError(
            tr("捆包 {name} 已损坏：内容读不出来（{error}）。", name=name, error=error)
        ) from error
    if (manifest.get("format"), manifest.get("replica")) != (header.format, header.replica):
        raise BundleError(tr("捆包 {name} 已损坏：清单与文件头不符。", name=name))
    return Opened(header, manifest, parts)


def _write_new(folder: Path, stem: str, data: bytes) -> Path:
    """Write ``data`` whole or not at all (a temporary file, then a rename), owner-only,
    to a name not taken yet in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{SUFFIX}"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{SUFFIX}"
    tmp = folder / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _stem(fmt: str, replica_id: str) -> str:
    kind = "push" if fmt == PUSH_FORMAT else "answer"
    return f"grassroots-{kind}-{replica_id}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise BundleError(tr("找不到捆包文件：{path}", path=path)) from error
    except OSError as error:
        raise BundleError(
            tr("捆包 {path} 读不出来：{value}", path=path, value=error.strerror or error)
        ) from error


def _wrong_format(path: Path, header: Header, wanted: str) -> BundleError:
    if wanted == PUSH_FORMAT:
        return BundleError(
            tr(
                "{name} 是街道群工办写出的回执捆包，不是群工站的上传捆包："
                "应在群工站的电脑上用 grassroots bundle import 导入。",
                name=path.name,
            )
        )
    return BundleError(
        tr(
            "{name} 是群工站的上传捆包，不是回执："
            "应在街道群工办用 grassroots hub import-bundle 导入。",
            name=path.name,
        )
    )


# -- at the station: the push bundle -----------------------------------------------------


@dataclass(frozen=True)
class Exported:
    path: Path
    documents: int
    audit: int


def _pending_row(item: PendingDocument) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "id": item.id,
        "rev_hash": item.rev_hash,
        "acked_hash": item.acked_hash,
        "deleted": item.deleted,
        "sent_hashes": list(item.sent_hashes),
        "doc": item.doc,
    }


def export_bundle(store: Store, config: HubConfig, folder: str | Path) -> Exported:
    """Write the station's push bundle into ``folder``: what a sync would push, the hashes
    first recorded as sent (as a sync does), sealed under the replica's key."""
    check_scope(store, config.scope)
    key = key_bytes(config.key_b64, tr("本机汇总库设置中"))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)  # a folder it cannot make: refused before anything
    box = outbox(store)
    state = store.hub_state
    seqs = [int(e["seq"]) for e in box.audit]
    manifest = {
        "kind": "push",
        "bundle_id": uuid.uuid4().hex,
        "scope": store.scope,
        "epoch": state.get("epoch"),
        "cursor": int(state.get("cursor") or 0),
        "audit_sent": int(state.get("audit_sent") or 0),
        "audit": {"from": min(seqs), "to": max(seqs)} if seqs else None,
        "created_at": now_text(),
    }
    data = seal(
        key,
        config.replica_id,
        PUSH_FORMAT,
        manifest,
        {"push": [_pending_row(p) for p in box.items], "audit": box.audit},
    )
    path = _write_new(folder, _stem(PUSH_FORMAT, config.replica_id), data)
    return Exported(path, len(box.items), len(box.audit))


# -- at the office: push on the station's behalf, write the answer ------------------------


@dataclass
class Answered:
    path: Path
    replica_id: str
    scope: str
    report: SyncReport = field(default_factory=SyncReport)


def _open_at_hub(hub: HubConnection, path: Path, data: bytes) -> tuple[Opened, bytes]:
    header = read_header(path, data)
    if header.format != PUSH_FORMAT:
        raise _wrong_format(path, header, PUSH_FORMAT)
    row = hub.one("SELECT key_b64 FROM replica WHERE id = %s", (header.replica,))
    if row is None:
        raise BundleError(
            tr(
                "捆包 {name} 来自汇总库里没有登记的电脑（编号 {replica}）："
                "不是这个汇总库登记的群工站写出的，不予导入。",
                name=path.name,
                replica=header.replica,
            )
        )
    key = key_bytes(row[0], tr("汇总库里这台电脑"))
    try:
        return unseal(path, data, header, key), key
    except _WrongKey:
        pass
    for other_id, other_key in hub.all(
        "SELECT id, key_b64 FROM replica WHERE id <> %s ORDER BY id", (header.replica,)
    ):
        try:
            unseal(path, data, header, key_bytes(other_key, tr("汇总库里的电脑")))
        except (_WrongKey, BundleError):
            continue
        raise BundleError(
            tr(
                "捆包 {name} 标明来自电脑 {replica}，却是用另一台电脑（{other_id}）的密钥加密的："
                "不予导入。请检查那台电脑的汇总库设置。",
                name=path.name,
                replica=header.replica,
                other_id=other_id,
            )
        )
    raise BundleError(
        tr(
            "捆包 {name} 校验不通过："
            "内容被改动过或已损坏（也可能不是电脑 {replica} 用它的密钥写出的），不予导入，"
            "汇总库没有任何改动。",
            name=path.name,
            replica=header.replica,
        )
    )


def _pushed_items(path: Path, rows: Any) -> list[PendingDocument]:
    items: list[PendingDocument] = []
    try:
        for row in rows:
            item = PendingDocument(
                kind=str(row["kind"]),
                id=str(row["id"]),
                rev_hash=str(row["rev_hash"]),
                acked_hash=row.get("acked_hash"),
                deleted=bool(row.get("deleted")),
                doc=dict(row["doc"]),
                sent_hashes=tuple(str(h) for h in row.get("sent_hashes") or ()),
            )
            if revision_hash(item.doc) != item.rev_hash:
                raise BundleError(
                    tr(
                        "捆包 {name} 中的记录 {kind}/{id} 与它的摘要不符，不予导入。",
                        name=path.name,
                        kind=item.kind,
                        id=item.id,
                    )
                )
            items.append(item)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BundleError(
            tr("捆包 {name} 已损坏：上传的记录读不出来（{error}）。", name=path.name, error=error)
        ) from error
    return items


def answer_bundle(hub: HubConnection, path: str | Path, out: str | Path | None = None) -> Answered:
    """Import a station's push bundle at the hub and write its answer bundle into ``out``
    (by default beside the push bundle). A bundle refused changes nothing at the hub."""
    path = Path(path)
    data = _read(path)
    epoch = hub_meta(hub)["epoch"]
    opened, key = _open_at_hub(hub, path, data)
    manifest, parts = opened.manifest, opened.parts
    replica = get_replica(hub, opened.header.replica)
    if manifest.get("kind") != "push" or manifest.get("scope") != replica.scope:
        raise BundleError(
            tr(
                "捆包 {name} 的登记身份（{manifest}）与汇总库里这台电脑的（{scope}）不符，"
                "不予导入。",
                name=path.name,
                manifest=manifest.get("scope"),
                scope=replica.scope,
            )
        )
    items = _pushed_items(path, parts.get("push") or [])
    audit = [dict(e) for e in parts.get("audit") or []]

    answered = Answered(Path(), replica.id, replica.scope)
    report = answered.report
    # Always one push, even an empty one: it moves the hub's counter, so this answer's
    # cursor is past every earlier answer's.
    result = push(hub, replica.id, items, audit)
    report.took(result)
    top = hub.one("SELECT seq FROM hub_clock WHERE id = 1")
    cursor, report.epoch_changed = start_cursor(
        manifest.get("cursor"), manifest.get("epoch"), epoch
    )
    start = cursor
    pages = []
    for page in pages_after(hub, replica, cursor):
        pages.append({"cursor": page.cursor, "docs": page.docs})
        report.pulled += len(page.docs)
        report.pages += 1
        cursor = page.cursor
    cursor = max(cursor, int(top[0]) if top else 0)
    report.cursor = cursor
    note_pull(hub, replica.id)
    answer = {
        "kind": "answer",
        "scope": replica.scope,
        "in_reply_to": manifest.get("bundle_id"),
        "request_created_at": manifest.get("created_at"),
        "seen_epoch": manifest.get("epoch"),
        "epoch": epoch,
        "epoch_changed": report.epoch_changed,
        "from_cursor": start,
        "cursor": cursor,
        "audit_head": result.audit_head,
        "forks": result.forks,
        "created_at": now_text(),
    }
    sealed = seal(
        key,
        replica.id,
        ANSWER_FORMAT,
        answer,
        {"verdicts": [asdict(v) for v in result.verdicts], "pages": pages},
    )
    folder = Path(out) if out is not None else path.parent
    answered.path = _write_new(folder, _stem(ANSWER_FORMAT, replica.id), sealed)
    return answered


# -- at the station: the answer ----------------------------------------------------------


@dataclass
class Imported:
    report: SyncReport
    #: Why nothing was done (an answer already imported, or older than one that was).
    skipped: str | None = None
    created_at: str | None = None


def _open_at_station(path: Path, data: bytes, config: HubConfig) -> Opened:
    header = read_header(path, data)
    if header.format != ANSWER_FORMAT:
        raise _wrong_format(path, header, ANSWER_FORMAT)
    if header.replica != config.replica_id:
        raise BundleError(
            tr(
                "回执 {name} 是给另一台电脑（编号 {replica}）的，"
                "本机在汇总库中的编号是 {replica_id}：不予导入。",
                name=path.name,
                replica=header.replica,
                replica_id=config.replica_id,
            )
        )
    try:
        return unseal(path, data, header, key_bytes(config.key_b64, tr("本机汇总库设置中")))
    except _WrongKey:
        raise BundleError(
            tr(
                "回执 {name} 校验不通过：内容被改动过或已损坏（也可能不是用本机的密钥写出的），"
                "不予导入，本机数据没有任何改动。",
                name=path.name,
            )
        ) from None


def _verdicts(path: Path, rows: Any) -> list[Verdict]:
    try:
        return [
            Verdict(
                kind=str(r["kind"]),
                id=str(r["id"]),
                rev_hash=str(r["rev_hash"]),
                verdict=str(r["verdict"]),
                reason=r.get("reason"),
                hub_hash=r.get("hub_hash"),
            )
            for r in rows
        ]
    except (KeyError, TypeError, AttributeError) as error:
        raise BundleError(
            tr("回执 {name} 已损坏：结果读不出来（{error}）。", name=path.name, error=error)
        ) from error


def import_answer(store: Store, config: HubConfig, path: str | Path) -> Imported:
    """Take the office's answer bundle: the push's answer (as a sync keeps it), then each
    page with its cursor. Skipped whole, changing nothing, when the station's cursor is
    already at or past the answer's (imported before, or older than one that was)."""
    path = Path(path)
    check_scope(store, config.scope)
    opened = _open_at_station(path, _read(path), config)
    manifest, parts = opened.manifest, opened.parts
    if manifest.get("kind") != "answer" or manifest.get("scope") != store.scope:
        raise BundleError(
            tr(
                "回执 {name} 的登记身份（{manifest}）与本机（{scope}）不符。",
                name=path.name,
                manifest=manifest.get("scope"),
                scope=store.scope,
            )
        )
    report = SyncReport()
    imported = Imported(report, created_at=manifest.get("created_at"))
    epoch = str(manifest["epoch"])
    target = int(manifest["cursor"])
    state = store.hub_state
    here_epoch, here = state.get("epoch"), int(state.get("cursor") or 0)
    if here_epoch == epoch:
        if target <= here:
            imported.skipped = (
                tr("这个回执已经导入过") if target == here else tr("本机已导入过更新的回执或同步过")
            )
            report.cursor = here
            return imported
    elif here_epoch != manifest.get("seen_epoch"):
        imported.skipped = tr("本机此后已与恢复后的汇总库同步过，这个回执已过时")
        report.cursor = here
        return imported
    else:
        here, report.epoch_changed = 0, here_epoch is not None
    verdicts = _verdicts(path, parts.get("verdicts") or [])
    result = PushResult(
        verdicts, int(manifest.get("audit_head") or 0), int(manifest.get("forks") or 0)
    )
    take_answer(store, result)
    report.took(result)
    report.conflicts = dict(store.hub_state.get("conflicts") or {})
    for raw in parts.get("pages") or []:
        page = Page(list(raw["docs"]), max(int(raw["cursor"]), here))
        report.changed += take_page(store, page, epoch)
        report.pulled += len(page.docs)
        report.pages += 1
        here = page.cursor
    if here < target or report.pages == 0:
        take_page(store, Page([], max(here, target)), epoch)
    report.cursor = max(here, target)
    return imported
