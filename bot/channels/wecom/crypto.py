"""WeCom's callback crypto (the official WXBizMsgCrypt scheme), on the ``cryptography`` package.

- signature: ``sha1("".join(sorted([token, timestamp, nonce, encrypt])))``, hex;
- key: ``base64(EncodingAESKey + "=")``, 32 bytes; AES-256-CBC with IV = ``key[:16]``;
- padding: PKCS#7 to a 32-byte block (not AES's 16), so a pad byte may be anything from 1 to 32;
- plaintext: 16 random bytes + 4-byte big-endian length + message XML + receive id (the corp id for an
  app callback, empty for a group robot's).

Every failure raises ``WeComCryptoError`` with a neutral reason; no key, token or plaintext goes into it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes, whatever AES's own block size
_RANDOM = 16
_LENGTH = struct.Struct(">I")


class WeComCryptoError(Exception):
    """A callback that cannot be trusted or read: bad signature, bad key, bad padding, foreign receive id."""


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """The ``msg_signature`` WeCom puts on a callback: sha1 over the four strings sorted and joined."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode("utf-8")).hexdigest()


def decode_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind a 43-character EncodingAESKey."""
    if len(encoding_aes_key) != 43:
        raise WeComCryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as error:
        raise WeComCryptoError("EncodingAESKey is not base64") from error
    if len(key) != 32:
        raise WeComCryptoError("EncodingAESKey does not decode to 32 bytes")
    return key


def pad(data: bytes) -> bytes:
    """PKCS#7 padding to a 32-byte block (a whole block of 32s when already aligned)."""
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def unpad(data: bytes) -> bytes:
    """Remove PKCS#7 padding to a 32-byte block, refusing anything malformed."""
    if not data:
        raise WeComCryptoError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= BLOCK or n > len(data) or data[-n:] != bytes([n]) * n:
        raise WeComCryptoError("bad padding")
    return data[:-n]


class WeComCrypto:
    """Signs, checks, encrypts and decrypts for one callback configuration (token, key, receive id)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self._token = token
        self._key = decode_key(encoding_aes_key)
        self.receive_id = receive_id

    def __repr__(self) -> str:
        return f"WeComCrypto(receive_id={self.receive_id!r})"  # never the token or key

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """The signature of ``encrypt`` at this timestamp and nonce."""
        return signature(self._token, timestamp, nonce, encrypt)

    def check(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        """Raise unless ``msg_signature`` signs ``encrypt`` (compared in constant time)."""
        expected = self.sign(timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode("ascii"), (msg_signature or "").lower().encode("ascii", "replace")):
            raise WeComCryptoError("bad signature")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, *, random: bytes | None = None) -> str:
        """``message`` encrypted and base64-encoded as WeCom sends it; ``random`` fixes the 16-byte prefix for tests."""
        prefix = os.urandom(_RANDOM) if random is None else random
        if len(prefix) != _RANDOM:
            raise WeComCryptoError("the random prefix must be 16 bytes")
        body = message.encode("utf-8")
        plain = prefix + _LENGTH.pack(len(body)) + body + self.receive_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(pad(plain)) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypt: str) -> str:
        """The message inside ``encrypt``, after checking padding, length and receive id."""
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as error:
            raise WeComCryptoError("ciphertext is not base64") from error
        if not data or len(data) % BLOCK:
            raise WeComCryptoError("ciphertext is not a whole number of blocks")
        decryptor = self._cipher().decryptor()
        plain = unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < _RANDOM + _LENGTH.size:
            raise WeComCryptoError("plaintext too short")
        (length,) = _LENGTH.unpack_from(plain, _RANDOM)
        start = _RANDOM + _LENGTH.size
        if start + length > len(plain):
            raise WeComCryptoError("bad message length")
        receive_id = plain[start + length:]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise WeComCryptoError("message is for another receive id")
        try:
            return plain[start:start + length].decode("utf-8")
        except UnicodeDecodeError as error:
            raise WeComCryptoError("message is not UTF-8") from error

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The URL check: verify the signature over ``echostr`` and return its plaintext."""
        echostr = _restore_plus(echostr)
        self.check(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """A callback's message: verify the signature over the ``Encrypt`` value, then decrypt it."""
        self.check(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)


def _restore_plus(value: str) -> str:
    # A query string decodes an unescaped "+" to a space; base64 has no spaces, so the "+" can be restored.
    return value.replace(" ", "+")
