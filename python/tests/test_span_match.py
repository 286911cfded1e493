import numpy as np
import pytest

from tributary.attribution.ngram import NGramModel
from tributary.attribution.span_match import CorpusIndex, span_scores, suffix_array, tokenize
from tributary.demo_data import text_document


def test_tokens_are_ascii_word_runs_or_single_other_characters():
    assert tokenize("Hello, wörld!  a_b 42x\tend.") == ["Hello", ",", "w", "ö", "rld", "!", "a", "_", "b", "42x", "end", "."]


@pytest.mark.parametrize("seed", range(5))
def test_the_suffix_array_is_the_sorted_suffixes(seed):
    rng = np.random.default_rng(seed)
    seq = rng.integers(0, 3, 300)
    expected = sorted(range(len(seq)), key=lambda i: list(seq[i:]))
    assert suffix_array(seq).tolist() == expected


def naive_longest(docs, out, i):
    best = 0
    for d in docs:
        for s in range(len(d)):
            n = 0
            while i + n < len(out) and s + n < len(d) and d[s + n] == out[i + n]:
                n += 1
            best = max(best, n)
    return best


def naive_scores(docs, out, n):
    """The definition of ATTRIBUTION.md §2, by brute force."""
    lengths = [naive_longest([d for _, d in docs], out, i) for i in range(len(out))]
    holders = [set() for _ in out]
    for i, length in enumerate(lengths):
        if length >= n and (i == 0 or lengths[i - 1] <= length):
            span = out[i:i + length]
            owners = {e for e, d in docs if any(d[s:s + length] == span for s in range(len(d)))}
            for t in range(i, i + length):
                holders[t] |= owners
    scores = {}
    for held in holders:
        for e in held:
            scores[e] = scores.get(e, 0) + 10**9 // len(held)
    return dict(sorted(scores.items()))


@pytest.mark.parametrize("seed", range(8))
def test_scores_match_the_definition_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    words = ["a", "b", "c", "d", "e"]
    docs = [(e, [words[i] for i in rng.integers(0, 5, 60)]) for e in (3, 7, 9)]
    docs.append((11, docs[0][1][10:30]))  # a contribution copying part of another: they share those spans
    # an output stitched from pieces of the documents and noise
    out = []
    for _ in range(6):
        e = int(rng.integers(0, len(docs)))
        s = int(rng.integers(0, 40))
        out += docs[e][1][s:s + int(rng.integers(2, 15))] + [words[int(rng.integers(0, 5))], "zz"]
    index = CorpusIndex([(e, " ".join(d)) for e, d in docs])
    for n in (1, 3, 6):
        assert span_scores(index, " ".join(out), n) == naive_scores(docs, out, n)


def test_a_shared_span_is_split_equally_and_only_maximal_spans_count():
    docs = [(0, "the quick brown fox jumps over the lazy dog"), (1, "a quick brown fox jumps high"),
            (2, "so quick brown fox jumps high up"), (3, "nothing in common here at all")]
    index = CorpusIndex(docs)
    # the longest match is 0's: 1 and 2 hold only a part of it, which is not a maximal span
    assert span_scores(index, "zebra quick brown fox jumps over the lazy dog zebra", 4) == {0: 8 * 10**9}
    # a span found in two contributions: its 5 tokens are shared equally
    assert span_scores(index, "zebra quick brown fox jumps high zebra", 4) == {1: 5 * 500_000_000, 2: 5 * 500_000_000}
    assert span_scores(index, "zebra quick brown zebra", 4) == {}


def test_the_model_is_deterministic_and_its_outputs_are_attributed_to_its_corpus():
    docs = [(e, text_document(2_000, seed=e)) for e in range(3)]
    model = NGramModel(4).fit([d for _, d in docs])
    a, b = model.generate("ka lo", 80, seed=5), model.generate("ka lo", 80, seed=5)
    assert a == b and len(tokenize(a)) == 80
    scores = span_scores(CorpusIndex(docs), a, 8)
    assert sum(scores.values()) > 0
