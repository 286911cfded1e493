"""Inference attribution by maximal matching spans (ATTRIBUTION.md §2).

The corpus is the contributed documents, tokenized and concatenated with a unique separator after
each, and indexed by a suffix array (prefix doubling in numpy: O(n log n), 8 bytes a token kept).
For each output position i, L(i) is the length of the longest prefix of output[i:] found inside one
document; the span [i, i+L(i)) is maximal when L(i) ≥ n and L(i-1) ≤ L(i). Each output token covered
by a maximal span is attributed once, in equal floor(10⁹/|C|) parts to the set C of contributions
holding any maximal span that covers it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..score import NANO

SPAN_METHOD = "span-match/v1"
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^ \t\n\r\f\v]")
_SMALL = 2048  # intervals up to this size are narrowed with one vectorized search


def tokenize(text: str) -> list[str]:
    """Maximal runs of ASCII letters and digits, or any other single non-whitespace code point."""
    return _TOKEN.findall(text)


def suffix_array(seq: np.ndarray) -> np.ndarray:
    """Suffix array of a sequence of non-negative integers, by prefix doubling."""
    n = len(seq)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n >= 2**31:
        raise ValueError(f"{n} tokens: one index holds fewer than 2^31 (rank pairs are packed in 64 bits); split the corpus")
    rank = np.unique(seq, return_inverse=True)[1].astype(np.int64).reshape(-1)
    k = 1
    while True:
        second = np.zeros(n, dtype=np.int64)
        second[: n - k] = rank[k:] + 1 if k < n else 0
        key = rank * (n + 1) + second
        del second
        sa = np.argsort(key)
        sorted_key = key[sa]
        del key
        new_sorted = np.empty(n, dtype=np.int64)
        new_sorted[0] = 0
        np.cumsum(sorted_key[1:] != sorted_key[:-1], out=new_sorted[1:])
        del sorted_key
        rank = np.empty(n, dtype=np.int64)
        rank[sa] = new_sorted
        if new_sorted[-1] == n - 1:
            return sa
        del sa, new_sorted
        k *= 2


@dataclass(frozen=True)
class Span:
    start: int
    length: int
    entries: tuple[int, ...]


class CorpusIndex:
    """A suffix array over contributed documents, each an (entry, text) pair."""

    def __init__(self, documents: list[tuple[int, str]]):
        self.vocab: dict[str, int] = {}
        parts, starts = [], []
        position = 0
        documents = sorted(documents)
        for _, text in documents:
            ids = np.fromiter((self.vocab.setdefault(t, len(self.vocab)) for t in tokenize(text)), dtype=np.int64)
            parts.append(ids)
            starts.append(position)
            position += len(ids) + 1
        # separators: one id per document, after every token id, so no match runs across documents
        base = len(self.vocab)
        seq = np.empty(position, dtype=np.int64)
        for d, (ids, start) in enumerate(zip(parts, starts)):
            seq[start:start + len(ids)] = ids
            seq[start + len(ids)] = base + d
        self.entries = np.array([e for e, _ in documents], dtype=np.int64)
        self.doc_starts = np.array(starts, dtype=np.int64)
        # int32 positions: suffix_array refuses a corpus of 2³¹ tokens or more
        self.sa = suffix_array(seq).astype(np.int32)
        self.tokens = seq.astype(np.int32)
        # where each token's suffixes start in the array (token t: buckets[t] to buckets[t + 1])
        self.buckets = np.searchsorted(self.tokens[self.sa], np.arange(base + 1, dtype=np.int32)).astype(np.int64)

    @property
    def size(self) -> int:
        return len(self.tokens)

    def nbytes(self) -> int:
        return self.tokens.nbytes + self.sa.nbytes + self.buckets.nbytes + self.doc_starts.nbytes

    def encode(self, tokens: list[str]) -> list[int]:
        """Output tokens as corpus ids; a token the corpus never holds is -1 and matches nothing."""
        return [self.vocab.get(t, -1) for t in tokens]

    def _narrow(self, lo: int, hi: int, depth: int, token: int) -> tuple[int, int]:
        """Of the suffixes sa[lo:hi] (which share `depth` tokens), those whose next token is `token`."""
        if hi - lo <= _SMALL:
            nxt = self.tokens[self.sa[lo:hi].astype(np.int64) + depth]
            return lo + int(np.searchsorted(nxt, token, "left")), lo + int(np.searchsorted(nxt, token, "right"))
        sa, tokens = self.sa, self.tokens
        a, b = lo, hi
        while a < b:
            m = (a + b) // 2
            if tokens[sa[m] + depth] < token:
                a = m + 1
            else:
                b = m
        c, b = a, hi
        while c < b:
            m = (c + b) // 2
            if tokens[sa[m] + depth] <= token:
                c = m + 1
            else:
                b = m
        return a, c

    def longest_match(self, ids: list[int], i: int) -> tuple[int, int, int]:
        """(L, lo, hi): the longest prefix of ids[i:] found in one document, and its suffix interval."""
        if ids[i] < 0:
            return 0, 0, 0
        lo, hi = int(self.buckets[ids[i]]), int(self.buckets[ids[i] + 1])
        if lo == hi:
            return 0, 0, 0
        depth = 1
        while i + depth < len(ids) and ids[i + depth] >= 0:
            a, b = self._narrow(lo, hi, depth, ids[i + depth])
            if a == b:
                break
            lo, hi, depth = a, b, depth + 1
        return depth, lo, hi

    def entries_of(self, lo: int, hi: int) -> tuple[int, ...]:
        positions = self.sa[lo:hi].astype(np.int64)
        docs = np.searchsorted(self.doc_starts, positions, "right") - 1
        return tuple(int(e) for e in np.unique(self.entries[docs]))

    def maximal_spans(self, ids: list[int], min_tokens: int) -> list[Span]:
        spans, previous = [], 0
        for i in range(len(ids)):
            length, lo, hi = self.longest_match(ids, i)
            if length >= min_tokens and (i == 0 or previous <= length):
                spans.append(Span(i, length, self.entries_of(lo, hi)))
            previous = length
        return spans


def span_scores(index: CorpusIndex, output: str, min_tokens: int) -> dict[int, int]:
    """Each entry's score in 10⁻⁹ units: the output tokens attributed to it (ATTRIBUTION.md §2)."""
    if min_tokens < 1:
        raise ValueError("min_tokens must be at least 1")
    ids = index.encode(tokenize(output))
    holders: list[set[int]] = [set() for _ in ids]
    for span in index.maximal_spans(ids, min_tokens):
        for t in range(span.start, span.start + span.length):
            holders[t].update(span.entries)
    scores: dict[int, int] = {}
    for held in holders:
        if held:
            part = NANO // len(held)
            for entry in held:
                scores[entry] = scores.get(entry, 0) + part
    return dict(sorted(scores.items()))
