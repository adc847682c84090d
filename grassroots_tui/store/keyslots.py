"""The key slots file: the store's data key, wrapped once for every way to unlock it.

An encrypted store's data is sealed with one random data key
(:class:`~grassroots_tui.store.sealing.Sealer`). The key itself is never written in the
clear: ``<main>.keys`` holds it *wrapped* (sealed) once per slot, as LUKS does:

* a **passphrase** slot: the wrapping key comes from the station passphrase through
  Argon2id, a memory-hard function (64 MiB and as many passes as take about half a second
  on the laptop that set it up, measured by :func:`calibrate`); the parameters are stored
  in the slot, so a slot made on a faster machine still opens on a slower one;
* a **recovery** slot: the wrapping key comes from a 256-bit recovery key through
  HKDF-SHA256 (nothing to slow down: it cannot be guessed). The office keeps the recovery
  key on paper; it is shown once, when the slot is made;
* a **key file** slot: the same, from 32 random bytes in a file (on a USB stick, say).

Changing the passphrase wraps the same data key again: nothing else is re-encrypted.
Removing a slot makes it useless for the future, but someone who copied the old file and
knows the old secret still holds the data key; only a new key (``grassroots key rekey``,
which rewrites every file) takes it away.

The slot's wrapping uses the store's cipher (AES-256-GCM, or SM4-GCM for a 国密 store),
with associated data naming the store, the slot and its kind, so a slot cannot be moved
to another store or another kind. The file is written atomically, owner-only (0600).
"""

from __future__ import annotations

import base64
import math
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from grassroots_tui.lang import chinese, tr
from grassroots_tui.store import keyring
from grassroots_tui.store.files import write_file_atomically
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.sealing import CIPHERS, SealBroken, Sealer, key_size

__all__ = [
    "ENV_KEY_FILE",
    "ENV_PASSPHRASE",
    "KEYS_FORMAT",
    "KdfParams",
    "KeyFile",
    "KeySlots",
    "KeySlotsDamaged",
    "Passphrase",
    "RecoveryKey",
    "Secret",
    "WrongSecret",
    "calibrate",
    "new_key_file",
    "new_recovery_key",
    "passphrase_problem",
    "secret_from_environment",
    "unlock",
]

KEYS_FORMAT = "grassroots-keys"
KEYS_VERSION = 1
#: Argon2id's memory in KiB: 64 MiB, what RFC 9106 suggests when 2 GiB is too much.
KDF_MEMORY_KIB = 64 * 1024
#: Never fewer passes than this, however fast the machine.
KDF_MIN_PASSES = 2
#: How long unlocking should take on the machine that sets the passphrase.
KDF_TARGET_SECONDS = 0.5
MIN_PASSPHRASE_BITS = 50
MIN_PASSPHRASE_CHARS = 8
ENV_PASSPHRASE = "GRASSROOTS_PASSPHRASE"
ENV_KEY_FILE = "GRASSROOTS_KEY_FILE"


class WrongSecret(Exception):
    """No slot of that kind opens with what was given. ``str()`` says so (interface language)."""


class KeySlotsDamaged(Exception):
    """The key slots file cannot be read. ``str()`` says why (interface language)."""


# --- what unlocks a slot -----------------------------------------------------------


@dataclass(frozen=True)
class Passphrase:
    text: str = field(repr=False)
    kind = "passphrase"


@dataclass(frozen=True)
class RecoveryKey:
    text: str = field(repr=False)
    kind = "recovery"

    def raw(self) -> bytes:
        cleaned = re.sub(r"[\s\-]", "", self.text).upper()
        try:
            data = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
        except ValueError:
            raise WrongSecret(tr("恢复密钥的格式不对：应是 13 组、每组 4 个字母或数字")) from None
        if len(data) != 32:
            raise WrongSecret(tr("恢复密钥的长度不对：应是 13 组、每组 4 个字母或数字"))
        return data


@dataclass(frozen=True)
class KeyFile:
    path: Path
    kind = "keyfile"

    def raw(self) -> bytes:
        try:
            data = self.path.read_bytes()
        except OSError as error:
            raise WrongSecret(
                tr(
                    "读不到密钥文件 {file}：{reason}",
                    file=self.path,
                    reason=error.strerror or error,
                )
            ) from None
        if len(data) != 32:
            raise WrongSecret(tr("{file} 不是本程序的密钥文件（应为 32 字节）", file=self.path))
        return data


Secret = Passphrase | RecoveryKey | KeyFile
#: The name of each kind of secret: a slot's default label as stored (Chinese, whatever
#: the language: it is the file's data), and a message id said with :func:`tr`.
_KIND_ZH = {
    "passphrase": chinese("站点口令"),
    "recovery": chinese("恢复密钥"),
    "keyfile": chinese("密钥文件"),
}


def new_recovery_key() -> RecoveryKey:
    """A fresh recovery key: 256 random bits as 13 groups of 4 base32 characters."""
    text = base64.b32encode(os.urandom(32)).decode("ascii").rstrip("=")
    return RecoveryKey("-".join(text[i : i + 4] for i in range(0, len(text), 4)))


def new_key_file(path: Path) -> KeyFile:
    """Write a fresh key file (32 random bytes, owner only); refuses to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, os.urandom(32))
        os.fsync(fd)
    finally:
        os.close(fd)
    return KeyFile(path)


# --- the passphrase's strength -----------------------------------------------------


def _char_bits(char: str) -> float:
    if char.isdigit():
        return math.log2(10)
    if char.isascii() and char.isalpha():
        return math.log2(26)
    if unicodedata.category(char).startswith("L"):  # 汉字 and other letters
        return 9.0  # about the 500 commonest characters: a cautious guess
    return math.log2(33)


def passphrase_bits(text: str) -> float:
    """A cautious estimate of how many bits of guessing a passphrase needs: characters of
    each class count for their class's size; a repeat of the character before, or the
    next in a run (abc, 123), counts one bit; mixed case adds one bit."""
    bits = 0.0
    previous = ""
    for char in text:
        step = ord(char) - ord(previous) if previous else None
        bits += 1.0 if step in (0, 1, -1) else _char_bits(char)
        previous = char
    if any(c.isupper() for c in text) and any(c.islower() for c in text):
        bits += 1.0
    return bits


def passphrase_problem(text: str, *, avoid: tuple[str, ...] = ()) -> str | None:
    """Why a passphrase is too weak, in the interface language; None when it is strong
    enough.

    ``avoid``: words a guesser would try first (the station's name and code)."""
    stripped = text.strip()
    if not stripped:
        return tr("站点口令：不能为空")
    if stripped.isdigit():
        return tr("站点口令：不能只有数字（这不是 PIN），请用一句好记的话，比如几个词连在一起")
    if len(stripped) < MIN_PASSPHRASE_CHARS and not all(
        unicodedata.category(c).startswith("Lo") for c in stripped
    ):
        return tr("站点口令：太短，至少 {n} 个字符", n=MIN_PASSPHRASE_CHARS)
    for word in avoid:
        if word and len(word) >= 2 and word.lower() in stripped.lower():
            return tr("站点口令：不能包含“{word}”，这是别人最先会猜的", word=word)
    bits = passphrase_bits(stripped)
    if bits < MIN_PASSPHRASE_BITS:
        return tr(
            "站点口令：太容易猜（估计约 {bits} 位，至少要 {minimum} 位）；"
            "请加长，或用几个不相关的词、汉字、数字混合",
            bits=f"{bits:.0f}",
            minimum=MIN_PASSPHRASE_BITS,
        )
    return None


# --- deriving the wrapping key -----------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's cost: memory in KiB, passes, lanes."""

    memory_kib: int = KDF_MEMORY_KIB
    passes: int = KDF_MIN_PASSES
    lanes: int = 1


def calibrate(target_seconds: float = KDF_TARGET_SECONDS) -> KdfParams:
    """The passes of Argon2id (64 MiB, one lane) that take about ``target_seconds`` on
    this machine, never fewer than :data:`KDF_MIN_PASSES`."""
    probe = KdfParams(passes=1)
    began = time.perf_counter()
    _argon2(b"calibration", os.urandom(16), probe)
    one = max(time.perf_counter() - began, 1e-4)
    return KdfParams(passes=max(KDF_MIN_PASSES, round(target_seconds / one)))


def _argon2(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(
        salt=salt,
        length=32,
        iterations=params.passes,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)


def _hkdf(secret: bytes, salt: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt, b"grassroots-tui key slot").derive(secret)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64")
    return base64.b64decode(text, validate=True)


def _wrapping_key(secret: Secret, kdf: dict[str, Any]) -> bytes:
    salt = _unb64(kdf["salt"])
    if isinstance(secret, Passphrase):
        params = KdfParams(int(kdf["memory_kib"]), int(kdf["passes"]), int(kdf["lanes"]))
        return _argon2(unicodedata.normalize("NFC", secret.text).encode("utf-8"), salt, params)
    return _hkdf(secret.raw(), salt)


# --- the file ----------------------------------------------------------------------


@dataclass
class KeySlots:
    """The contents of a ``.keys`` file."""

    path: Path
    store_id: str
    cipher: str
    key_id: str
    slots: list[dict[str, Any]]

    @classmethod
    def create(
        cls,
        path: Path,
        store_id: str,
        sealer: Sealer,
        passphrase: Passphrase,
        kdf: KdfParams | None = None,
    ) -> KeySlots:
        """The file for a new data key, with its first passphrase slot (written)."""
        slots = cls(path, store_id, sealer.cipher, sealer.key_id, [])
        slots.add(sealer, passphrase, kdf=kdf)
        return slots

    @classmethod
    def read(cls, path: Path) -> KeySlots | None:
        """The slots in ``path``; None when there is no such file."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise KeySlotsDamaged(
                tr("读不到钥匙文件 {file}：{reason}", file=path.name, reason=error.strerror)
            ) from None
        try:
            doc = orjson.loads(data)
            if doc.get("format") != KEYS_FORMAT:
                raise ValueError("format")
            if doc.get("format_version") != KEYS_VERSION:
                raise KeySlotsDamaged(
                    tr("钥匙文件 {file} 由更新版本的程序写入，请升级程序", file=path.name)
                )
            slots = cls(path, doc["store_id"], doc["cipher"], doc["key_id"], list(doc["slots"]))
            if slots.cipher not in CIPHERS or not all(isinstance(s, dict) for s in slots.slots):
                raise ValueError("cipher")
        except KeySlotsDamaged:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, orjson.JSONDecodeError):
            raise KeySlotsDamaged(
                tr(
                    "钥匙文件 {file} 已损坏或被改动；请用备份中的钥匙文件（{file}）"
                    "替换它，再用站点口令或恢复密钥打开",
                    file=path.name,
                )
            ) from None
        return slots

    def write(self) -> None:
        doc = {
            "format": KEYS_FORMAT,
            "format_version": KEYS_VERSION,
            "store_id": self.store_id,
            "cipher": self.cipher,
            "key_id": self.key_id,
            "slots": self.slots,
        }
        write_file_atomically(self.path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")

    def _aad(self, slot: dict[str, Any]) -> bytes:
        return f"grassroots-keyslot|{self.store_id}|{slot['id']}|{slot['kind']}".encode()

    def _wrapper(self, key: bytes) -> Sealer:
        return Sealer(self.cipher, key[: key_size(self.cipher)])

    def kinds(self) -> list[str]:
        return [str(slot.get("kind")) for slot in self.slots]

    def add(
        self,
        sealer: Sealer,
        secret: Secret,
        *,
        label: str = "",
        kdf: KdfParams | None = None,
        now: datetime | None = None,
    ) -> int:
        """A new slot opening with ``secret`` (written); its number."""
        if sealer.key_id != self.key_id or sealer.cipher != self.cipher:
            raise ValueError(tr("这把数据密钥不属于这份数据"))
        salt = os.urandom(16)
        if isinstance(secret, Passphrase):
            params = kdf or calibrate()
            kdf_doc: dict[str, Any] = {
                "name": "argon2id",
                "memory_kib": params.memory_kib,
                "passes": params.passes,
                "lanes": params.lanes,
                "salt": _b64(salt),
            }
        else:
            kdf_doc = {"name": "hkdf-sha256", "salt": _b64(salt)}
        number = max((int(slot["id"]) for slot in self.slots), default=0) + 1
        slot: dict[str, Any] = {
            "id": number,
            "kind": secret.kind,
            "label": label or _KIND_ZH[secret.kind],
            "created_at": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
            "kdf": kdf_doc,
        }
        wrapping = _wrapping_key(secret, kdf_doc)
        slot["wrapped"] = _b64(self._wrapper(wrapping).seal(sealer.key, self._aad(slot)))
        self.slots.append(slot)
        self.write()
        return number

    def remove(self, number: int) -> None:
        """Remove slot ``number`` (written); the last slot that is not a recovery key
        cannot go, or nobody at the station could open the data."""
        kept = [slot for slot in self.slots if slot.get("id") != number]
        if len(kept) == len(self.slots):
            raise ValueError(tr("没有第 {number} 号钥匙槽", number=number))
        if not any(slot.get("kind") != "recovery" for slot in kept):
            raise ValueError(tr("这是最后一个口令或密钥文件的钥匙槽，删掉后站点就打不开数据了"))
        self.slots = kept
        self.write()

    def unlock(self, secret: Secret) -> Sealer:
        """The data key, from the first slot of ``secret``'s kind it opens."""
        return self.open_slot(secret)[1]

    def open_slot(self, secret: Secret) -> tuple[int, Sealer]:
        """The first slot of ``secret``'s kind that opens with it: its number and key."""
        if not isinstance(secret, Passphrase):
            secret.raw()  # a recovery key or key file of the wrong shape is named first
        candidates = [slot for slot in self.slots if slot.get("kind") == secret.kind]
        if not candidates:
            raise WrongSecret(tr("这份数据没有设置{kind}", kind=tr(_KIND_ZH[secret.kind])))
        for slot in candidates:
            try:
                wrapping = _wrapping_key(secret, slot["kdf"])
                key = self._wrapper(wrapping).unseal(_unb64(slot["wrapped"]), self._aad(slot))
                sealer = Sealer(self.cipher, key)
            except (SealBroken, KeyError, ValueError, TypeError):
                continue
            if sealer.key_id == self.key_id:
                return int(slot["id"]), sealer
        raise WrongSecret(tr("{kind}不对，数据没有打开", kind=tr(_KIND_ZH[secret.kind])))

    def unlocks_with(self, secret: Secret) -> int | None:
        """The number of the slot ``secret`` opens, or None."""
        try:
            return self.open_slot(secret)[0]
        except WrongSecret:
            return None


# --- unlocking a store for this process ----------------------------------------------


def unlock(paths: StorePaths, secret: Secret) -> Sealer:
    """Open the store's key slots with ``secret`` and keep the key for this process
    (:mod:`grassroots_tui.store.keyring`). Raises :class:`WrongSecret` (nothing kept) when
    it does not open, ``FileNotFoundError`` when the store has no key slots file."""
    slots = KeySlots.read(paths.keys)
    if slots is None:
        raise FileNotFoundError(paths.keys)
    sealer = slots.unlock(secret)
    keyring.remember(slots.store_id, sealer)
    return sealer


def secret_from_environment() -> Secret | None:
    """What a script gave to unlock with: ``GRASSROOTS_KEY_FILE`` (the path of a key
    file), else ``GRASSROOTS_PASSPHRASE`` (the station passphrase; other programs of the
    same user can read a process's environment on some systems, so prefer a key file)."""
    key_file = os.environ.get(ENV_KEY_FILE)
    if key_file:
        return KeyFile(Path(key_file).expanduser())
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if passphrase:
        return Passphrase(passphrase)
    return None
