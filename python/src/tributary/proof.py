"""Inclusion proofs (ATTESTATION.md §5): that one receipt is among those a report was built from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .errors import AttestError, ProofError, ReceiptError
from .merkle import MerkleBuilder, Step, leaf_hash, root_from
from .receipt import Receipt, read_receipts
from .report import Report


@dataclass(frozen=True)
class ReceiptProof:
    receipt: Receipt
    index: int
    leaf: bytes
    path: list[Step]
    root: bytes

    @staticmethod
    def build(open_log: Callable[[], Iterable[bytes | str]], receipt_id: str) -> "ReceiptProof":
        """The proof of the first receipt with id `receipt_id`: two passes over the log (`open_log`
        gives its lines from the start each time); memory independent of the log's length."""
        found: tuple[int, Receipt] | None = None
        for line, r in read_receipts(open_log()):
            if r.id == receipt_id:
                found = (line - 1, r)
                break
        if found is None:
            raise AttestError(f"no receipt with id '{receipt_id}'")
        index, receipt = found
        tree = MerkleBuilder(target=index)
        for _, r in read_receipts(open_log()):
            tree.push(r.leaf())
        finished = tree.finish()
        if finished is None or finished[1] is None:
            raise AttestError("the log changed while it was read")
        return ReceiptProof(receipt=receipt, index=index, leaf=receipt.leaf(), path=finished[1], root=finished[0])

    def to_json(self) -> dict[str, Any]:
        return {"receipt": self.receipt.to_json(), "index": self.index, "leaf": self.leaf.hex(),
                "path": [{"side": s.side, "hash": s.hash.hex()} for s in self.path], "root": self.root.hex()}

    @staticmethod
    def from_json(v: Any) -> "ReceiptProof":
        try:
            if not isinstance(v, dict) or set(v) != {"receipt", "index", "leaf", "path", "root"}:
                raise ValueError("a proof is {receipt, index, leaf, path, root}")
            path = []
            for s in v["path"]:
                if not isinstance(s, dict) or set(s) != {"side", "hash"} or s["side"] not in ("left", "right"):
                    raise ValueError("a path step is {side: left|right, hash}")
                path.append(Step(s["side"], _hash(s["hash"])))
            if not isinstance(v["index"], int) or isinstance(v["index"], bool) or v["index"] < 0:
                raise ValueError("index must be an unsigned integer")
            receipt = Receipt.from_json(v["receipt"])
            return ReceiptProof(receipt=receipt, index=v["index"], leaf=_hash(v["leaf"]), path=path,
                                root=_hash(v["root"]))
        except (ValueError, TypeError, ReceiptError) as e:
            raise ProofError(str(e)) from None

    def check(self, report: Report) -> None:
        """The leaf is the receipt's, the path leads to the root, the root is the report's, the index is
        below its receipt count, and the receipt is for its pool."""
        if leaf_hash(self.receipt.canonical()) != self.leaf:
            raise ProofError("the leaf is not the receipt's hash: the receipt was changed")
        if root_from(self.leaf, self.path) != self.root:
            raise ProofError("the path does not lead from the leaf to the root")
        if self.root != report.receipts_root:
            raise ProofError(f"the proof's root {self.root.hex()} is not the report's receipts root "
                             f"{report.receipts_root.hex()}")
        if self.index >= report.receipts:
            raise ProofError(f"index {self.index} but the report has {report.receipts} receipts")
        if self.receipt.pool != report.pool:
            raise ProofError(f"the receipt is for pool {self.receipt.pool}, the report for {report.pool}")


def _hash(text: Any) -> bytes:
    if not isinstance(text, str) or len(text) != 64:
        raise ValueError("a hash is 64 hex digits")
    return bytes.fromhex(text)
