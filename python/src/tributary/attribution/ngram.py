"""The language model the text attributor runs on: an n-gram model fitted on the registered corpus
(counts of each next token after each context of up to `order - 1` tokens), sampling with backoff to
shorter contexts. Deterministic for a seed. Small and honest: it reproduces spans of its training
text, which is exactly what span attribution measures."""
from __future__ import annotations

import random
from collections import defaultdict

from .span_match import tokenize


class NGramModel:
    def __init__(self, order: int = 4):
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        # context (tuple of tokens) → next token → count; insertion order keeps sampling deterministic
        self.counts: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)

    def fit(self, documents: list[str]) -> "NGramModel":
        for text in documents:
            tokens = tokenize(text)
            for i, token in enumerate(tokens):
                for n in range(self.order):
                    if i - n < 0:
                        break
                    following = self.counts[tuple(tokens[i - n:i])]
                    following[token] = following.get(token, 0) + 1
        return self

    def _next(self, history: list[str], rng: random.Random) -> str | None:
        for n in range(min(self.order - 1, len(history)), -1, -1):
            following = self.counts.get(tuple(history[len(history) - n:]))
            if following:
                tokens = list(following)
                return rng.choices(tokens, weights=[following[t] for t in tokens])[0]
        return None

    def generate(self, prompt: str, length: int, seed: int) -> str:
        """`length` tokens continuing `prompt`, joined by spaces (re-tokenizing gives them back)."""
        rng = random.Random(seed)
        history = tokenize(prompt)
        out: list[str] = []
        for _ in range(length):
            token = self._next(history, rng)
            if token is None:
                break
            out.append(token)
            history.append(token)
        return " ".join(out)
