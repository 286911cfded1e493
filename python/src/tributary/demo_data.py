"""Data the examples, tests and benchmarks make themselves (nothing is downloaded): text documents
from a seeded word grammar, and labelled integer data sets of Gaussian clusters."""
from __future__ import annotations

import numpy as np

_SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "de", "pa", "ul", "en", "or", "is", "am", "ch"]


def vocabulary(size: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        w = "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), int(rng.integers(1, 5))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def text_document(tokens: int, seed: int, vocab_size: int = 5_000) -> str:
    """Zipf-distributed words in sentences of 6–20 tokens, each ending with '.'."""
    rng = np.random.default_rng(seed)
    words = vocabulary(vocab_size, 7)
    ranks = np.minimum(rng.zipf(1.2, tokens), vocab_size) - 1
    out, sentence = [], int(rng.integers(6, 21))
    for r in ranks:
        out.append(words[r])
        sentence -= 1
        if sentence == 0:
            out.append(".\n" if rng.random() < 0.2 else ".")
            sentence = int(rng.integers(6, 21))
    return " ".join(out) + "\n"


def labelled_set(points: int, features: int, classes: int, seed: int, noise: float = 0.0) -> str:
    """`points` lines `x1,…,xd,label`: class centres shared by every seed (one task), spread ±400, a
    `noise` share of labels flipped (what a poor contribution looks like)."""
    centres = np.random.default_rng(1234).integers(-2000, 2000, (classes, features))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, points)
    x = centres[labels] + rng.normal(0, 400, (points, features)).round().astype(np.int64)
    flip = rng.random(points) < noise
    labels = np.where(flip, rng.integers(0, classes, points), labels)
    x = np.clip(x, -32_767, 32_767)
    return "".join(",".join(map(str, row)) + f",{label}\n" for row, label in zip(x.tolist(), labels.tolist()))
