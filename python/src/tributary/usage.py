"""Scores summed per entry, and usage fees split into `attribute_usage` instructions
(ATTESTATION.md §6): the Rust crate's `usage::plan`, exactly."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .errors import AttestError
from .receipt import Receipt
from .score import parse_score
from .split import apportion

TOTAL_BPS = 10_000
ENTRIES_PER_PAGE = 84
MAX_USAGE_ENTRIES = 16
_U128 = 1 << 128


def add_scores(sums: dict[int, int], receipt: Receipt) -> None:
    """Adds the receipt's scores (10⁻⁹ units) to the per-entry sums; a sum past 2¹²⁸ is refused as in Rust."""
    for u in receipt.uses:
        total = sums.get(u.entry, 0) + parse_score(u.score)
        if total >= _U128:
            raise AttestError(f"entry {u.entry}: the sum of its scores overflows")
        sums[u.entry] = total


def scores_of(receipts: Iterable[Receipt]) -> dict[int, int]:
    sums: dict[int, int] = {}
    for r in receipts:
        add_scores(sums, r)
    return dict(sorted(sums.items()))


@dataclass(frozen=True)
class UsagePayment:
    """One `attribute_usage` instruction: a page, its part of the fee, (entry, bps) shares summing to 10,000."""

    page: int
    fee: int
    shares: list[tuple[int, int]]


def plan(scores: dict[int, int], fee: int, entries_per_page: int = ENTRIES_PER_PAGE,
         max_entries: int = MAX_USAGE_ENTRIES) -> list[UsagePayment]:
    if fee <= 0 or entries_per_page <= 0 or max_entries <= 0:
        raise AttestError("a usage fee, page size and entry limit must be positive")
    parts: list[tuple[int, list[tuple[int, int]]]] = []
    for entry, score in sorted(scores.items()):
        if score <= 0:
            continue
        page = entry // entries_per_page
        if parts and parts[-1][0] == page and len(parts[-1][1]) < max_entries:
            parts[-1][1].append((entry, score))
        else:
            parts.append((page, [(entry, score)]))
    fees = apportion([sum(s for _, s in members) for _, members in parts], fee)
    if fees is None:
        raise AttestError("every score is zero: nothing to attribute")
    payments = []
    for (page, members), part_fee in zip(parts, fees):
        if part_fee == 0:
            continue
        bps = apportion([s for _, s in members], TOTAL_BPS) or []
        shares = [(entry, b) for (entry, _), b in zip(members, bps) if b > 0]
        payments.append(UsagePayment(page=page, fee=part_fee, shares=shares))
    return payments
