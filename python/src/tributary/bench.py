"""`python -m tributary.bench --out bench/attribution.md`: the reference attributors measured on
this machine (scripts/bench-attribution; the result is spliced into BENCHMARKS.md by scripts/bench).
Each measurement runs in a fresh process so that its peak resident memory is its own."""
from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

TEXT_MEMORY_BOUND_MIB = 2_048
SHAPLEY_MEMORY_BOUND_MIB = 512


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _text_run(corpus_mb: int, outputs: int, output_tokens: int, queue: "multiprocessing.Queue[dict[str, Any]]") -> None:
    from .attribution.ngram import NGramModel
    from .attribution.span_match import CorpusIndex, span_scores, tokenize
    from .demo_data import text_document

    start_mib = _peak_mib()
    t = time.perf_counter()
    per_doc_tokens = 170_000  # ≈ 1 MB of text a document
    docs: list[tuple[int, str]] = []
    size = 0
    while size < corpus_mb * 1_000_000:
        text = text_document(per_doc_tokens, seed=len(docs))
        docs.append((len(docs), text))
        size += len(text.encode())
    made = time.perf_counter() - t
    t = time.perf_counter()
    index = CorpusIndex(docs)
    built = time.perf_counter() - t
    # the model: n-grams of the first and last documents (what it generates reproduces spans of the corpus)
    model = NGramModel(4).fit([docs[0][1], docs[-1][1]])
    seed_tokens = tokenize(docs[0][1])
    prompts = [" ".join(seed_tokens[50 * i:50 * i + 3]) for i in range(outputs)]
    texts = [model.generate(p, output_tokens, seed=i) for i, p in enumerate(prompts)]
    del docs
    tokens = sum(len(tokenize(x)) for x in texts)
    t = time.perf_counter()
    attributed = 0
    for x in texts:
        attributed += sum(span_scores(index, x, 8).values())
    spent = time.perf_counter() - t
    queue.put({"corpus_bytes": size, "corpus_tokens": index.size, "index_mib": index.nbytes() / 2**20,
               "make_s": made, "build_s": built, "tokens": tokens, "attribute_s": spent,
               "attributed_share": attributed / 10**9 / tokens, "peak_mib": _peak_mib(), "start_mib": start_mib})


def _shapley_run(train: int, validation: int, features: int, queue: "multiprocessing.Queue[dict[str, Any]]") -> None:
    from .attribution.knn_shapley import knn_shapley_fixed
    from .demo_data import labelled_set
    from .attribution.knn_shapley import read_labelled_csv

    start_mib = _peak_mib()
    x, y = read_labelled_csv(labelled_set(train, features, 10, seed=1, noise=0.1))
    vx, vy = read_labelled_csv(labelled_set(validation, features, 10, seed=2))
    t = time.perf_counter()
    values = knn_shapley_fixed(x, y, vx, vy, 10)
    spent = time.perf_counter() - t
    queue.put({"train": train, "validation": validation, "features": features, "seconds": spent,
               "nonzero": int((values != 0).sum()), "peak_mib": _peak_mib(), "start_mib": start_mib})


def _in_child(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, queue))
    p.start()
    p.join()
    if p.exitcode != 0:
        raise SystemExit(f"{target.__name__}{args} failed with exit code {p.exitcode}")
    result: dict[str, Any] = queue.get(timeout=10)
    return result


def _verdict(good: bool) -> str:
    return "met" if good else "**not met**"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus-mb", type=int, nargs="+", default=[10, 100])
    ap.add_argument("--outputs", type=int, default=100)
    ap.add_argument("--output-tokens", type=int, default=200)
    ap.add_argument("--train", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--validation", type=int, default=1_000)
    args = ap.parse_args()
    texts = [_in_child(_text_run, mb, args.outputs, args.output_tokens) for mb in args.corpus_mb]
    shapleys = [_in_child(_shapley_run, n, args.validation, 16) for n in args.train]

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    md = ["## Attribution: the reference attributors (Python)\n",
          f"Written by `scripts/bench-attribution` (python/src/tributary/bench.py) into `bench/attribution.md`. Off chain: "
          f"no program build is involved. Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} "
          f"cores ({cpu}); one process each, its peak resident memory measured by the kernel (at start in brackets).\n",
          "**Span matching** (ATTRIBUTION.md §2, n = 8): documents of Zipf-distributed words made by "
          "`tributary.demo_data`, one suffix array over all of them; outputs of a 4-gram model trained on two "
          "of the documents, attributed one request at a time.\n",
          "| corpus | tokens | index build s | index memory | outputs | output tokens | attribution s | output tokens / s | attributed | peak memory |",
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in texts:
        md.append(f"| {r['corpus_bytes'] / 1e6:.0f} MB | {r['corpus_tokens']:,} | {r['build_s']:.1f} | "
                  f"{r['index_mib']:.0f} MiB | {args.outputs} | {r['tokens']:,} | {r['attribute_s']:.2f} | "
                  f"{r['tokens'] / r['attribute_s']:,.0f} | {100 * r['attributed_share']:.0f} % | "
                  f"{r['peak_mib']:,.0f} MiB ({r['start_mib']:.0f}) |")
    md += ["", f"**k-NN data Shapley** (ATTRIBUTION.md §3, K = 10, 16 integer features, 10 classes, 10 % of labels "
               f"flipped), exact closed form in 2⁻⁴⁸ fixed point, validation points 32 at a time.\n",
           "| training points | validation points | seconds | training points · validation points / s | peak memory |",
           "|---:|---:|---:|---:|---:|"]
    for r in shapleys:
        md.append(f"| {r['train']:,} | {r['validation']:,} | {r['seconds']:.1f} | "
                  f"{r['train'] * r['validation'] / r['seconds']:,.0f} | {r['peak_mib']:,.0f} MiB ({r['start_mib']:.0f}) |")
    big_text, big_shapley = max(texts, key=lambda r: r["corpus_bytes"]), max(shapleys, key=lambda r: r["train"])
    md += ["", "| bound | measured | |", "|---|---:|---|",
           f"| span matching over {big_text['corpus_bytes'] / 1e6:.0f} MB in ≤ {TEXT_MEMORY_BOUND_MIB:,} MiB | "
           f"{big_text['peak_mib']:,.0f} MiB | {_verdict(big_text['peak_mib'] <= TEXT_MEMORY_BOUND_MIB)} |",
           f"| Shapley of {big_shapley['train']:,} × {big_shapley['validation']:,} in ≤ {SHAPLEY_MEMORY_BOUND_MIB:,} MiB | "
           f"{big_shapley['peak_mib']:,.0f} MiB | {_verdict(big_shapley['peak_mib'] <= SHAPLEY_MEMORY_BOUND_MIB)} |", ""]
    Path(args.out).write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
