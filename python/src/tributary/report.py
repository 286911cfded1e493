"""Attribution reports (ATTESTATION.md §3): receipts aggregated into per-entry weights, with the
receipts' Merkle root, in one canonical form whose SHA-256 goes on chain with the epoch."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

from . import canonical_json as cj
from .base58 import is_address
from .errors import AttestError, ReceiptError, ReportError
from .merkle import MerkleBuilder
from .receipt import Receipt, read_receipts
from .score import ScoreError, format_score, parse_score
from .split import apportion
from .usage import add_scores

REPORT_VERSION = 1
METHOD = "sum-of-scores/largest-remainder/v1"
WEIGHT_TOTAL = 1 << 40
"""What a report's weights sum to: 2⁴⁰, so a deposit divides over it exactly."""
MAX_JSON_INTEGER = (1 << 53) - 1
_FIELDS = ("version", "pool", "epoch", "method", "receipts", "receipts_root", "total_weight", "weights")
_U64 = 1 << 64


@dataclass(frozen=True)
class EntryWeight:
    entry: int
    score: str
    """The sum of the entry's scores over all receipts (canonical decimal)."""
    weight: int


@dataclass(frozen=True)
class Report:
    pool: str
    epoch: int
    receipts: int
    receipts_root: bytes
    weights: tuple[EntryWeight, ...]
    total_weight: int = WEIGHT_TOTAL
    method: str = METHOD
    version: int = REPORT_VERSION

    @staticmethod
    def build(receipts: Iterable[Receipt], pool: str, epoch: int) -> "Report":
        """The report of receipts in log order (use `build_from_lines` for a log file's lines)."""
        if not is_address(pool):
            raise AttestError(f"pool '{pool}' is not a base58 address")
        if not 1 <= epoch <= MAX_JSON_INTEGER:
            raise AttestError(f"epoch must be 1 to {MAX_JSON_INTEGER}")
        tree = MerkleBuilder()
        scores: dict[int, int] = {}
        for line, receipt in enumerate(receipts, start=1):
            if receipt.pool != pool:
                raise ReceiptError(f"for pool {receipt.pool}, not {pool}", line)
            tree.push(receipt.leaf())
            try:
                add_scores(scores, receipt)
            except AttestError:
                raise ReceiptError("the sum of its scores overflows", line) from None
        finished = tree.finish()
        if finished is None:
            raise AttestError("no receipts")
        ordered = sorted(scores.items())
        weights = apportion([s for _, s in ordered], WEIGHT_TOTAL)
        if weights is None:
            raise AttestError("every score is zero: nothing to attribute")
        return Report(pool=pool, epoch=epoch, receipts=tree.count, receipts_root=finished[0],
                      weights=tuple(EntryWeight(e, format_score(s), w) for (e, s), w in zip(ordered, weights)))

    @staticmethod
    def build_from_lines(lines: Iterable[bytes | str], pool: str, epoch: int) -> "Report":
        return Report.build((r for _, r in read_receipts(lines)), pool, epoch)

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "pool": self.pool, "epoch": self.epoch, "method": self.method,
                "receipts": self.receipts, "receipts_root": self.receipts_root.hex(),
                "total_weight": self.total_weight,
                "weights": [{"entry": w.entry, "score": w.score, "weight": w.weight} for w in self.weights]}

    def canonical(self) -> bytes:
        """The canonical bytes; the report file is these and a newline."""
        return cj.to_bytes(self.to_json())

    def hash(self) -> bytes:
        """SHA-256 of the canonical bytes: what `set_weights` records as the epoch's report hash."""
        return hashlib.sha256(self.canonical()).digest()

    def weight_of(self, entry: int) -> int:
        return next((w.weight for w in self.weights if w.entry == entry), 0)

    @staticmethod
    def parse(data: bytes) -> "Report":
        """Read a report file: it must parse, be canonical, and be the method's apportionment of its scores."""
        try:
            value = cj.loads(data)
        except ValueError as e:
            raise ReportError(str(e)) from None
        report = _shape(value)
        body = data[:-1] if data.endswith(b"\n") else data
        if body != report.canonical():
            raise ReportError("not in canonical form (fields reordered, whitespace or non-canonical numbers): "
                              "its hash would not be the report's")
        report._check()
        return report

    def _check(self) -> None:
        if self.version != REPORT_VERSION:
            raise ReportError(f"version {self.version} (this tool reads version {REPORT_VERSION})")
        if self.method != METHOD:
            raise ReportError(f"method '{self.method}' (this tool knows '{METHOD}')")
        if not is_address(self.pool):
            raise ReportError(f"pool '{self.pool}' is not a base58 address")
        if any(a.entry >= b.entry for a, b in zip(self.weights, self.weights[1:])):
            raise ReportError("weights are not in increasing entry order")
        total = sum(w.weight for w in self.weights)
        if total >= _U64 or total != self.total_weight:
            raise ReportError(f"weights sum to {total}, not total_weight {self.total_weight}")
        expected = apportion([parse_score(w.score) for w in self.weights], self.total_weight)
        if expected is None or expected != [w.weight for w in self.weights]:
            raise ReportError("the weights are not the method's apportionment of the scores")


def _shape(v: Any) -> Report:
    """The JSON shape of a report, as serde reads it (unknown fields refused, integers in range)."""
    def need_int(x: Any, what: str, limit: int = _U64) -> int:
        if not cj.is_int(x) or not 0 <= x < limit:
            raise ReportError(f"{what} must be an unsigned integer")
        return int(x)

    if not isinstance(v, dict):
        raise ReportError("a report is a JSON object")
    for key in v:
        if key not in _FIELDS:
            raise ReportError(f"unknown field `{key}`")
    for key in _FIELDS:
        if key not in v:
            raise ReportError(f"missing field `{key}`")
    root = v["receipts_root"]
    if not isinstance(root, str) or len(root) != 64:
        raise ReportError("receipts_root must be 64 hex digits")
    try:
        root_bytes = bytes.fromhex(root)
    except ValueError:
        raise ReportError("receipts_root must be 64 hex digits") from None
    if not isinstance(v["weights"], list):
        raise ReportError("weights must be a list")
    weights = []
    for w in v["weights"]:
        if not isinstance(w, dict) or set(w) != {"entry", "score", "weight"}:
            raise ReportError("a weight is {entry, score, weight}")
        try:
            score = format_score(parse_score(w["score"]))
        except ScoreError as e:
            raise ReportError(str(e)) from None
        weights.append(EntryWeight(need_int(w["entry"], "entry", 1 << 32), score, need_int(w["weight"], "weight")))
    if not isinstance(v["pool"], str) or not isinstance(v["method"], str):
        raise ReportError("pool and method are strings")
    return Report(pool=v["pool"], epoch=need_int(v["epoch"], "epoch"), receipts=need_int(v["receipts"], "receipts"),
                  receipts_root=root_bytes, weights=tuple(weights),
                  total_weight=need_int(v["total_weight"], "total_weight"), method=v["method"],
                  version=need_int(v["version"], "version", 1 << 32))
