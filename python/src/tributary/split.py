"""Exact largest-remainder apportionment: `total` split over parts in proportion to their values,
each part the floor of its exact share, the units left over one each to the largest remainders
(ties to the earlier part). Python's integers are exact, so no 256-bit helper is needed."""
from __future__ import annotations


def apportion(values: list[int], total: int) -> list[int] | None:
    """`None` when every value is zero."""
    s = sum(values)
    if s == 0:
        return None
    shares = [divmod(v * total, s) for v in values]
    parts = [q for q, _ in shares]
    left = total - sum(parts)
    # largest remainder first; equal remainders in input order (sorted() is stable)
    order = sorted(range(len(values)), key=lambda i: -shares[i][1])
    for i in order[:left]:
        parts[i] += 1
    return parts
