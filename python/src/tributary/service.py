"""What an AI service runs to pay its contributors (ATTRIBUTION.md §4): contributed files checked
against the hashes registered on chain, the reference attributors run on them, one receipt per
request or training run written through `ReceiptLog`, every input kept content-addressed so that
`recompute` can re-derive each receipt's scores."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .attribution.knn_shapley import (KNN_METHOD, contribution_scores, knn_classify, knn_shapley_fixed, knn_utility,
                                      read_labelled_csv)
from .attribution.span_match import SPAN_METHOD, CorpusIndex, span_scores
from .errors import AttestError
from .receipt import Receipt, Use
from .score import format_score


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Contribution:
    entry: int
    content_hash: str
    data: bytes


class InputStore:
    """Public inputs by SHA-256: contributed files, model outputs, validation sets, manifests."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        path = self.root / digest
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return digest

    def get(self, digest: str) -> bytes:
        path = self.root / digest
        if not path.exists():
            raise AttestError(f"input {digest} is not in {self.root}")
        data = path.read_bytes()
        if sha256_hex(data) != digest:
            raise AttestError(f"input {digest} in {self.root} does not hash to its name")
        return data


def match_registered(files: Iterable[bytes], registered: dict[int, bytes]) -> list[Contribution]:
    """Each file with the entry that registered its SHA-256; a file no entry registered is refused
    (its owner could not be paid, and its hash is what makes the score checkable)."""
    by_hash = {h.hex(): entry for entry, h in registered.items()}
    out = []
    for data in files:
        digest = sha256_hex(data)
        if digest not in by_hash:
            raise AttestError(f"a file with SHA-256 {digest} is not a contribution registered in this pool")
        out.append(Contribution(by_hash[digest], digest, data))
    return sorted(out, key=lambda c: c.entry)


def method_string(name: str, **params: int) -> str:
    return name + "".join(f";{k}={v}" for k, v in params.items())


def parse_method(method: str) -> tuple[str, dict[str, str]]:
    head, *params = method.split(";")
    return head, dict(p.split("=", 1) for p in params)


def _manifest(store: InputStore, method: str, **fields: object) -> str:
    return store.put(json.dumps({"method": method, **fields}, separators=(",", ":")).encode())


def _listing(store: InputStore, contributions: list[Contribution]) -> str:
    """The contributions a computation read, stored once as a JSON list of {entry, content_hash}
    (manifests name it by hash, so ten thousand requests over one corpus store it once)."""
    listing = [{"entry": c.entry, "content_hash": c.content_hash} for c in contributions]
    return store.put(json.dumps(listing, separators=(",", ":")).encode())


def _uses(scores: dict[int, int], hashes: dict[int, str], keep_zero: bool) -> tuple[Use, ...]:
    return tuple(Use(entry=e, score=format_score(s), content_hash=hashes[e])
                 for e, s in sorted(scores.items()) if keep_zero or s > 0)


class TextService:
    """Serves an n-gram model's outputs and attributes each to the corpus by maximal spans."""

    def __init__(self, corpus: list[Contribution], store: InputStore, min_tokens: int = 8):
        self.corpus, self.store, self.min_tokens = corpus, store, min_tokens
        self.index = CorpusIndex([(c.entry, c.data.decode("utf-8")) for c in corpus])
        self.method = method_string(SPAN_METHOD, min_tokens=min_tokens)
        for c in corpus:
            store.put(c.data)
        self.corpus_listing = _listing(store, corpus)

    def receipt(self, output: str, *, pool: str, request_id: str, time: int, consumer: str) -> Receipt | None:
        """The request's receipt, or None when no output token is attributed to any contribution."""
        scores = span_scores(self.index, output, self.min_tokens)
        uses = _uses(scores, {c.entry: c.content_hash for c in self.corpus}, keep_zero=False)
        if not uses:
            return None
        manifest = _manifest(self.store, self.method, output=self.store.put(output.encode("utf-8")),
                             corpus=self.corpus_listing)
        return Receipt(id=request_id, time=time, pool=pool, consumer=consumer, kind="inference", uses=uses,
                       method=self.method, input=manifest)


def training_receipt(training: list[Contribution], validation: bytes, k: int, store: InputStore, *, pool: str,
                     run_id: str, time: int, consumer: str) -> Receipt:
    """A training run's receipt: every training contribution's k-NN Shapley score (0 included)."""
    method = method_string(KNN_METHOD, k=k)
    scores = knn_scores(training, validation, k)
    for c in training:
        store.put(c.data)
    manifest = _manifest(store, method, validation=store.put(validation), training=_listing(store, training))
    return Receipt(id=run_id, time=time, pool=pool, consumer=consumer, kind="training",
                   uses=_uses(scores, {c.entry: c.content_hash for c in training}, keep_zero=True),
                   method=method, input=manifest)


def training_data(training: list[Contribution]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The training examples in index order (entry order, then line order), with each one's entry."""
    xs, ys, owners = [], [], []
    for c in sorted(training, key=lambda c: c.entry):
        x, y = read_labelled_csv(c.data.decode("utf-8"))
        xs.append(x)
        ys.append(y)
        owners.append(np.full(len(y), c.entry, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owners)


def knn_scores(training: list[Contribution], validation: bytes, k: int) -> dict[int, int]:
    x, y, owners = training_data(training)
    vx, vy = read_labelled_csv(validation.decode("utf-8"))
    return contribution_scores(knn_shapley_fixed(x, y, vx, vy, k), owners, len(vy))


def knn_model_quality(training: list[Contribution], validation: bytes, k: int) -> dict[str, float]:
    """The k-NN classifier trained on the contributions, on the validation set: its accuracy (majority
    vote) and its utility U (which the contributions' Shapley values add up to, before the floor at 0)."""
    x, y, _ = training_data(training)
    vx, vy = read_labelled_csv(validation.decode("utf-8"))
    accuracy = float((knn_classify(x, y, vx, k) == vy).mean())
    return {"accuracy": accuracy, "utility": knn_utility(x, y, vx, vy, k)}


@dataclass(frozen=True)
class Mismatch:
    receipt_id: str
    line: int
    reason: str


def recompute(receipts: Iterable[tuple[int, Receipt]], store: InputStore,
              registered: dict[int, bytes] | None = None) -> tuple[int, list[Mismatch]]:
    """Re-derive every receipt's scores from its inputs; (receipts checked, the ones that differ).
    With `registered` (entry → content hash on chain) every input file must be the registered one."""
    corpora = _Corpora(store, registered)
    checked, bad = 0, []
    for line, r in receipts:
        checked += 1
        try:
            expected = _recompute_one(r, store, corpora)
        except (AttestError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as e:
            bad.append(Mismatch(r.id, line, str(e)))
            continue
        got = {u.entry: (u.score, u.content_hash) for u in r.uses}
        if got != expected:
            bad.append(Mismatch(r.id, line, "; ".join(_differences(got, expected))))
    return checked, bad


def _differences(got: dict[int, tuple[str, str | None]], expected: dict[int, tuple[str, str | None]]) -> list[str]:
    out = []
    for e in sorted(set(got) | set(expected)):
        (score, digest), (want, want_digest) = got.get(e, ("absent", None)), expected.get(e, ("absent", None))
        if score != want:
            out.append(f"entry {e}: {score} in the receipt, {want} recomputed")
        elif digest != want_digest:
            out.append(f"entry {e}: content_hash {digest} in the receipt, {want_digest} in its input")
    return out


class _Corpora:
    """The listings a receipt log names, each read, hashed and checked against the chain once (a
    log of many requests over one corpus names the same listing every time), and its suffix array
    built once."""

    def __init__(self, store: InputStore, registered: dict[int, bytes] | None):
        self.store, self.registered = store, registered
        self._listings: dict[str, list[Contribution] | AttestError] = {}
        self._indexes: dict[str, CorpusIndex] = {}

    def contributions(self, listing: str) -> list[Contribution]:
        if listing not in self._listings:
            try:
                self._listings[listing] = self._load(listing)
            except (AttestError, ValueError, KeyError, TypeError) as e:
                self._listings[listing] = AttestError(str(e))
        found = self._listings[listing]
        if isinstance(found, AttestError):
            raise found
        return found

    def index(self, listing: str) -> CorpusIndex:
        if listing not in self._indexes:
            self._indexes[listing] = CorpusIndex([(c.entry, c.data.decode("utf-8")) for c in self.contributions(listing)])
        return self._indexes[listing]

    def _load(self, listing: str) -> list[Contribution]:
        contributions = []
        for item in json.loads(self.store.get(listing)):
            entry, digest = int(item["entry"]), str(item["content_hash"])
            if self.registered is not None and self.registered.get(entry, b"").hex() != digest:
                raise AttestError(f"entry {entry}: its input {digest} is not the contribution registered on chain")
            contributions.append(Contribution(entry, digest, self.store.get(digest)))
        return contributions


def _recompute_one(r: Receipt, store: InputStore, corpora: _Corpora) -> dict[int, tuple[str, str | None]]:
    if r.method is None or r.input is None:
        raise AttestError("no method and input: its scores cannot be recomputed")
    manifest = json.loads(store.get(r.input))
    if manifest.get("method") != r.method:
        raise AttestError(f"its input names method {manifest.get('method')}, the receipt {r.method}")
    name, params = parse_method(r.method)
    listing = str(manifest["corpus"] if name == SPAN_METHOD else manifest["training"])
    contributions = corpora.contributions(listing)
    hashes = {c.entry: c.content_hash for c in contributions}
    if name == SPAN_METHOD and set(params) == {"min_tokens"}:
        output = store.get(manifest["output"]).decode("utf-8")
        uses = _uses(span_scores(corpora.index(listing), output, int(params["min_tokens"])), hashes, keep_zero=False)
    elif name == KNN_METHOD and set(params) == {"k"}:
        uses = _uses(knn_scores(contributions, store.get(manifest["validation"]), int(params["k"])), hashes,
                     keep_zero=True)
    else:
        raise AttestError(f"unknown method {r.method}")
    return {u.entry: (u.score, u.content_hash) for u in uses}
