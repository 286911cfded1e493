"""Training attribution by exact data Shapley values for a k-nearest-neighbour classifier
(Jia et al., 2019, "Efficient task-specific data valuation for nearest neighbor algorithms",
Theorem 1), in fixed point so that every machine computes the same integers (ATTRIBUTION.md §3).

For a validation point, training points sorted by squared Euclidean distance (ties: lower index
first), α₁ nearest, with m_i = 1 when α_i's label is the validation label:
    s(α_N) = m_N / N
    s(α_i) = s(α_{i+1}) + (m_i − m_{i+1}) · min(K, i) / (K · i)
Here each fraction is taken in units of 2⁻⁴⁸ with floor division, and the values are summed over
the validation points. Features are integers with |x| ≤ 32,767 and at most 1,024 of them, so
distances are computed exactly in float64 (all partial sums stay below 2⁵³).
"""
from __future__ import annotations

import numpy as np

KNN_METHOD = "knn-shapley/v1"
FIXED_BITS = 48
MAX_FEATURE = 32_767
MAX_FEATURES = 1_024
MAX_VALIDATION = 16_384  # Σ over validation points of |s| · 2⁴⁸ stays below 2⁶³
MAX_K = 128


def read_labelled_csv(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Lines `x1,…,xd,label` of integers (no header): features (n×d int64) and labels (n)."""
    rows = [line.split(",") for line in text.splitlines() if line.strip()]
    if not rows:
        raise ValueError("no examples")
    width = len(rows[0])
    if width < 2 or any(len(r) != width for r in rows):
        raise ValueError("every line needs the same number (≥ 2) of comma-separated integers")
    data = np.array([[int(v) for v in r] for r in rows], dtype=np.int64)
    x, y = data[:, :-1], data[:, -1]
    if x.shape[1] > MAX_FEATURES or np.abs(x).max() > MAX_FEATURE:
        raise ValueError(f"features must be integers within ±{MAX_FEATURE}, at most {MAX_FEATURES} of them")
    return x, y


def squared_distances(points: np.ndarray, train: np.ndarray, train_norms: np.ndarray) -> np.ndarray:
    """|p − t|² for every point and training example, as float64 holding exact integers: every
    term and partial sum stays below 2⁵³ within the feature bounds, whatever the summation order."""
    p = points.astype(np.float64)
    d2: np.ndarray = (p * p).sum(axis=1)[:, None] + train_norms[None, :] - 2.0 * (p @ train.T)
    return d2


def _as_float(train_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tx = train_x.astype(np.float64)
    return tx, (tx * tx).sum(axis=1)


def rank_weights(n: int, k: int) -> np.ndarray:
    """floor(2⁴⁸ · min(K, i) / (K · i)) for i = 1 … n−1 (the 0-based rank p holds i = p + 1)."""
    i = np.arange(1, n, dtype=np.int64)
    return (np.minimum(k, i) << FIXED_BITS) // (k * i)


def knn_shapley_fixed(train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray, val_y: np.ndarray, k: int,
                      chunk: int = 32) -> np.ndarray:
    """Each training point's Shapley value summed over the validation points, in 2⁻⁴⁸ units (int64).
    Memory: about 6 · chunk · N · 8 bytes at a time."""
    n, m = len(train_y), len(val_y)
    if not 1 <= k <= MAX_K:
        raise ValueError(f"k must be 1 to {MAX_K}")
    if n == 0 or m == 0 or m > MAX_VALIDATION:
        raise ValueError(f"need training points and 1 to {MAX_VALIDATION} validation points")
    if train_x.shape[1] != val_x.shape[1]:
        raise ValueError("training and validation points have different numbers of features")
    weights = rank_weights(n, k)
    last = (1 << FIXED_BITS) // n
    tx, t_norm = _as_float(train_x)
    total = np.zeros(n, dtype=np.int64)
    for start in range(0, m, chunk):
        d2 = squared_distances(val_x[start:start + chunk], tx, t_norm)
        order = np.argsort(d2, axis=1, kind="stable")
        del d2
        match = (train_y[order] == val_y[start:start + chunk, None]).astype(np.int64)
        s = np.empty_like(match)
        s[:, -1] = match[:, -1] * last
        if n > 1:
            terms = (match[:, :-1] - match[:, 1:]) * weights[None, :]
            s[:, :-1] = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1] + s[:, -1:]
            del terms
        # back from rank order to training order: s[r, p] belongs to point order[r, p]
        back = np.empty_like(order)
        np.put_along_axis(back, order, np.arange(n, dtype=np.int64)[None, :].repeat(len(order), axis=0), axis=1)
        total += np.take_along_axis(s, back, axis=1).sum(axis=0)
    return total


def contribution_scores(values: np.ndarray, owners: np.ndarray, validation_points: int) -> dict[int, int]:
    """Each contribution's score in 10⁻⁹ units: the sum of its points' values, as a mean over the
    validation points, floored at zero (a contribution that hurt accuracy is paid nothing, not charged)."""
    scores = {}
    for entry in sorted({int(o) for o in owners}):
        fixed = int(values[owners == entry].astype(object).sum())
        scores[entry] = max(0, fixed) * 10**9 // ((1 << FIXED_BITS) * validation_points)
    return scores


def nearest_labels(train_x: np.ndarray, train_y: np.ndarray, points: np.ndarray, k: int,
                   chunk: int = 256) -> np.ndarray:
    """The labels of each point's K nearest training examples, nearest first (ties to the lower
    index); `chunk` points at a time, so memory is chunk · N distances whatever the number of points."""
    tx, t_norm = _as_float(train_x)
    parts = [train_y[np.argsort(squared_distances(points[start:start + chunk], tx, t_norm), axis=1, kind="stable")[:, :k]]
             for start in range(0, len(points), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, k), dtype=train_y.dtype)


def knn_classify(train_x: np.ndarray, train_y: np.ndarray, points: np.ndarray, k: int) -> np.ndarray:
    """The classifier the values are for: each point's label by majority of its K nearest training
    examples (nearest first, ties to the lower index; a tied vote to the smaller label)."""
    out = []
    for labels in nearest_labels(train_x, train_y, points, k):
        values, counts = np.unique(labels, return_counts=True)
        out.append(values[np.argmax(counts)])
    return np.array(out, dtype=np.int64)


def knn_utility(train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray, val_y: np.ndarray, k: int) -> float:
    """U(all training data), the mean over validation points of the share of the K nearest with the
    right label: what the Shapley values of all examples add up to."""
    nearest = nearest_labels(train_x, train_y, val_x, k)
    return float((nearest == val_y[:, None]).sum() / (k * len(val_y)))
