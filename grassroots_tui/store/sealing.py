"""Sealing bytes with the store's data key: authenticated encryption, nothing else.

A :class:`Sealer` holds one data key and the cipher it is used with:

* ``aes-256-gcm`` (the default): AES with a 256-bit key in Galois/Counter mode;
* ``sm4-gcm`` (国密): SM4, whose key is 128 bits, in the same mode, for offices that must
  use the national algorithms (GB/T 32907-2016). It is several times slower than AES on a
  laptop with AES instructions (bench/RESULTS-crypto.md says how much).

:meth:`Sealer.seal` returns ``nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`` with a fresh
random nonce each time; :meth:`Sealer.unseal` raises :class:`SealBroken` when a single bit
of it, or of the associated data it was sealed with, differs. The associated data binds a
sealed body to where it belongs (which store, which file), so a body moved elsewhere does
not open. With random 96-bit nonces one key stays within GCM's limits for far more
saves than a station makes (2^32 messages).

Nothing here knows about files or passphrases: :mod:`grassroots_tui.store.keyslots` keeps
the data key wrapped on disk and :mod:`grassroots_tui.store.keyring` holds the unlocked
ones of this process.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from grassroots_tui.lang import chinese, tr

__all__ = ["CIPHERS", "DEFAULT_CIPHER", "NONCE", "TAG", "SealBroken", "Sealer", "key_size"]

AES = "aes-256-gcm"
SM4 = "sm4-gcm"
DEFAULT_CIPHER = AES
#: The ciphers a store may be sealed with, and their names (SM4's a message id: say it
#: with ``tr()``).
CIPHERS = {AES: "AES-256-GCM", SM4: chinese("SM4-GCM（国密）")}
NONCE = 12
TAG = 16


class SealBroken(Exception):
    """A sealed body did not open: it was changed, or sealed with another key."""


def key_size(cipher: str) -> int:
    """The data key's size in bytes for ``cipher``."""
    if cipher == AES:
        return 32
    if cipher == SM4:
        return 16
    raise ValueError(
        tr(
            "不支持的加密算法：{cipher}（可选 {choices}）",
            cipher=cipher,
            choices=", ".join(CIPHERS),
        )
    )


@dataclass(frozen=True)
class Sealer:
    """One data key and its cipher."""

    cipher: str
    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != key_size(self.cipher):
            raise ValueError(
                tr("{cipher} 的密钥应为 {n} 字节", cipher=self.cipher, n=key_size(self.cipher))
            )

    @classmethod
    def new(cls, cipher: str = DEFAULT_CIPHER) -> Sealer:
        return cls(cipher, os.urandom(key_size(cipher)))

    @property
    def key_id(self) -> str:
        """A public name for the key (files say which key sealed them); reveals nothing
        about the key itself."""
        return hashlib.blake2b(self.key, digest_size=8, person=b"grassroots-kid").hexdigest()

    def seal(self, plain: bytes | memoryview, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        if self.cipher == AES:
            return nonce + _aes(self.key).encrypt(nonce, bytes(plain), aad)
        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plain) + encryptor.finalize()
        return nonce + body + encryptor.tag

    def unseal(self, sealed: bytes | memoryview, aad: bytes) -> bytes:
        if len(sealed) < NONCE + TAG:
            raise SealBroken("too short")
        nonce = bytes(sealed[:NONCE])
        try:
            if self.cipher == AES:
                return _aes(self.key).decrypt(nonce, bytes(sealed[NONCE:]), aad)
            decryptor = Cipher(
                algorithms.SM4(self.key), modes.GCM(nonce, bytes(sealed[-TAG:]))
            ).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(sealed[NONCE:-TAG]) + decryptor.finalize()
        except InvalidTag:
            raise SealBroken("tag") from None


_AES_CACHE: dict[bytes, AESGCM] = {}


def _aes(key: bytes) -> AESGCM:
    """One AESGCM object per key (making one costs more than sealing a journal line)."""
    aead = _AES_CACHE.get(key)
    if aead is None:
        aead = _AES_CACHE[key] = AESGCM(key)
    return aead
