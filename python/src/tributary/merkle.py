"""The receipts' Merkle tree (ATTESTATION.md §2): leaf = SHA-256(0x00 ‖ receipt), node =
SHA-256(0x01 ‖ left ‖ right), paired level by level in file order, an odd last node moving up
unchanged; built in one pass with a stack of perfect subtrees."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Side = Literal["left", "right"]


def leaf_hash(canonical_receipt: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical_receipt).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True)
class Step:
    """One step of an inclusion proof, from the leaf up: where the sibling sits, and its hash."""

    side: Side
    hash: bytes


def root_from(leaf: bytes, path: list[Step]) -> bytes:
    acc = leaf
    for step in path:
        acc = node_hash(step.hash, acc) if step.side == "left" else node_hash(acc, step.hash)
    return acc


class MerkleBuilder:
    """The root of leaves pushed one at a time; with a target index, also that leaf's proof."""

    def __init__(self, target: int | None = None):
        self._stack: list[tuple[int, bytes, bool]] = []  # (height, hash, holds the target)
        self.count = 0
        self._target = target
        self._path: list[Step] = []

    def push(self, leaf: bytes) -> None:
        node = (0, leaf, self._target == self.count)
        self.count += 1
        while self._stack and self._stack[-1][0] == node[0]:
            node = self._merge(self._stack.pop(), node)
        self._stack.append(node)

    def _merge(self, left: tuple[int, bytes, bool], right: tuple[int, bytes, bool]) -> tuple[int, bytes, bool]:
        if left[2]:
            self._path.append(Step("right", right[1]))
        elif right[2]:
            self._path.append(Step("left", left[1]))
        return max(left[0], right[0]) + 1, node_hash(left[1], right[1]), left[2] or right[2]

    def finish(self) -> tuple[bytes, list[Step] | None] | None:
        """The root and (for a proving builder whose target was pushed) its proof; None with no leaves."""
        if not self._stack:
            return None
        acc = self._stack.pop()
        while self._stack:
            acc = self._merge(self._stack.pop(), acc)
        proven = self._target is not None and self._target < self.count
        return acc[1], (self._path if proven else None)
