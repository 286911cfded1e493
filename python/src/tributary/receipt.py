"""Usage receipts (ATTESTATION.md §1): one JSON object per line, what an AI service records each
time contributions are used; canonical bytes identical to the Rust crate's and the TS client's."""
from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

from . import canonical_json as cj
from .base58 import is_address
from .errors import ReceiptError
from .merkle import leaf_hash
from .score import ScoreError, canonical_score

RECEIPT_VERSION = 1
MAX_ID_LEN = 128
MAX_METHOD_LEN = 128
UsageKind = Literal["training", "fine_tuning", "inference"]
KINDS = ("training", "fine_tuning", "inference")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# name/vN, then ;key=value parameters of printable ASCII (no ';' or '=' inside a key or value)
_METHOD = re.compile(r"[a-z0-9-]+/v[0-9]+(;[\x21-\x3a\x3c\x3e-\x7e]+=[\x21-\x3a\x3c\x3e-\x7e]+)*")
_RECEIPT_FIELDS = ("v", "id", "time", "pool", "consumer", "kind", "method", "input", "uses")
_USE_FIELDS = ("entry", "content_hash", "score")


def is_hex64(text: object) -> bool:
    return isinstance(text, str) and _HEX64.fullmatch(text) is not None


@dataclass(frozen=True)
class Use:
    """One contribution used, with its attribution score (a canonical decimal string)."""

    entry: int
    score: str
    content_hash: str | None = None

    def __post_init__(self) -> None:
        # the score is kept canonical, so a receipt built in code hashes as the same one read back
        object.__setattr__(self, "score", canonical_score(self.score))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"entry": self.entry}
        if self.content_hash is not None:
            out["content_hash"] = self.content_hash
        out["score"] = self.score
        return out


@dataclass(frozen=True)
class Receipt:
    id: str
    time: int
    pool: str
    consumer: str
    kind: UsageKind
    uses: tuple[Use, ...]
    method: str | None = None
    input: str | None = None
    v: int = field(default=RECEIPT_VERSION)

    def to_json(self) -> dict[str, Any]:
        """The receipt as a dict in canonical field order."""
        out: dict[str, Any] = {"v": self.v, "id": self.id, "time": self.time, "pool": self.pool,
                               "consumer": self.consumer, "kind": self.kind}
        if self.method is not None:
            out["method"] = self.method
        if self.input is not None:
            out["input"] = self.input
        out["uses"] = [u.to_json() for u in self.uses]
        return out

    def canonical(self) -> bytes:
        """Canonical bytes: fields in order, no whitespace, canonical scores. Merkle leaves hash these."""
        return cj.to_bytes(self.to_json())

    def leaf(self) -> bytes:
        return leaf_hash(self.canonical())

    @staticmethod
    def from_json(value: Any, line: int = 0) -> "Receipt":
        """Check a parsed JSON object and return the receipt, scores canonical."""
        try:
            return _check(value)
        except (ValueError, TypeError) as e:
            raise ReceiptError(str(e), line) from None

    @staticmethod
    def parse(text: str | bytes, line: int = 0) -> "Receipt":
        try:
            value = cj.loads(text)
        except ValueError as e:
            raise ReceiptError(str(e), line) from None
        return Receipt.from_json(value, line)


def _check(r: Any) -> Receipt:
    if not isinstance(r, dict):
        raise ValueError("a receipt is a JSON object")
    for key in r:
        if key not in _RECEIPT_FIELDS:
            raise ValueError(f"unknown field `{key}`")
    for key in ("v", "id", "time", "pool", "consumer", "kind", "uses"):
        if key not in r:
            raise ValueError(f"missing field `{key}`")
    if not cj.is_int(r["v"]) or r["v"] != RECEIPT_VERSION:
        raise ValueError(f"version {r['v']} (this tool reads version {RECEIPT_VERSION})")
    rid = r["id"]
    if not isinstance(rid, str) or not 1 <= len(rid.encode("utf-8", "surrogatepass")) <= MAX_ID_LEN:
        raise ValueError(f"id must be 1 to {MAX_ID_LEN} bytes")
    if not cj.is_int(r["time"]) or not 0 <= r["time"] < 2**63:
        raise ValueError("time must be unix seconds, not negative")
    if not is_address(r["pool"]):
        raise ValueError(f"pool '{r['pool']}' is not a base58 address")
    if not isinstance(r["consumer"], str) or not r["consumer"]:
        raise ValueError("consumer is empty")
    if r["kind"] not in KINDS:
        raise ValueError(f"unknown kind '{r['kind']}'")
    method = r.get("method")
    if method is not None and (not isinstance(method, str) or len(method) > MAX_METHOD_LEN
                               or _METHOD.fullmatch(method) is None):
        raise ValueError(f"method '{method}' must be name/vN with optional ;key=value parameters, "
                         f"1 to {MAX_METHOD_LEN} printable ASCII bytes")
    if "input" in r and not is_hex64(r["input"]):
        raise ValueError("input must be 64 lowercase hex digits")
    if not isinstance(r["uses"], list) or not r["uses"]:
        raise ValueError("uses is empty")
    uses, seen = [], set()
    for u in r["uses"]:
        if not isinstance(u, dict):
            raise ValueError("a use is a JSON object")
        for key in u:
            if key not in _USE_FIELDS:
                raise ValueError(f"unknown field `{key}`")
        entry = u.get("entry")
        if not cj.is_int(entry) or not 0 <= entry <= 0xFFFF_FFFF:
            raise ValueError(f"entry {entry} is not a u32")
        if entry in seen:
            raise ValueError(f"entry {entry} is named twice")
        seen.add(entry)
        if "content_hash" in u and not is_hex64(u["content_hash"]):
            raise ValueError(f"entry {entry}: content_hash must be 64 lowercase hex digits")
        if "score" not in u:
            raise ValueError("missing field `score`")
        try:
            score = canonical_score(u["score"])
        except ScoreError as e:
            raise ValueError(f"entry {entry}: {e}") from None
        uses.append(Use(entry=entry, score=score, content_hash=u.get("content_hash")))
    return Receipt(id=rid, time=r["time"], pool=r["pool"], consumer=r["consumer"], kind=r["kind"],
                   uses=tuple(uses), method=method, input=r.get("input"))


def read_receipts(lines: Iterable[bytes | str]) -> Iterator[tuple[int, Receipt]]:
    """Each receipt of a log with its line number (from 1). A blank line is refused: every line is one receipt."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        yield number, Receipt.parse(line.removesuffix("\n"), number)


def read_log(path: str | os.PathLike[str]) -> Iterator[tuple[int, Receipt]]:
    with open(path, "rb") as f:
        yield from read_receipts(f)


class ReceiptLog:
    """An append-only receipt log, as an AI service keeps one: each receipt checked and written as one
    canonical line in one `write` under an exclusive lock, so appends from several processes or
    threads never interleave, and (by default) synced to disk before `append` returns."""

    def __init__(self, path: str | os.PathLike[str], sync: bool = True):
        self.path = Path(path)
        self.sync = sync
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, receipt: Receipt) -> bytes:
        """Append `receipt`'s canonical line; returns its Merkle leaf."""
        line = Receipt.from_json(receipt.to_json()).canonical()
        data = line + b"\n"
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            # a log whose last line was cut (a crash mid-write) gets a newline first: the cut line
            # stays refused, the new one stays whole
            size = os.fstat(self._fd).st_size
            if size and os.pread(self._fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            written = os.write(self._fd, data)
            if written != len(data):
                raise OSError(f"short write to {self.path}: {written} of {len(data)} bytes")
            if self.sync:
                os.fsync(self._fd)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return leaf_hash(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "ReceiptLog":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
