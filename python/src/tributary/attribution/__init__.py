"""Reference attributors (ATTRIBUTION.md): scores anyone can recompute from public inputs.

- `span_match`: an inference output's tokens attributed to the contributed documents it reproduces
  (maximal matching spans of at least n tokens, found with a suffix array).
- `knn_shapley`: exact data Shapley values of training examples for a k-nearest-neighbour classifier.
"""
from .knn_shapley import KNN_METHOD, knn_shapley_fixed, read_labelled_csv
from .ngram import NGramModel
from .span_match import SPAN_METHOD, CorpusIndex, span_scores, tokenize

__all__ = ["KNN_METHOD", "SPAN_METHOD", "CorpusIndex", "NGramModel", "knn_shapley_fixed", "read_labelled_csv",
           "span_scores", "tokenize"]
