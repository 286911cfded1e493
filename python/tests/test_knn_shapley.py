import itertools
from fractions import Fraction
from math import factorial

import numpy as np
import pytest

from tributary.attribution.knn_shapley import FIXED_BITS, contribution_scores, knn_shapley_fixed


def utility(subset, order, labels, label, k):
    """The k-NN classifier's utility on one validation point: the share of the K nearest of the
    subset (nearest first by distance, then index) carrying its label."""
    nearest = [i for i in order if i in subset][:k]
    return Fraction(sum(labels[i] == label for i in nearest), k)


def brute_force_shapley(train_x, train_y, vx, vy, k):
    n = len(train_y)
    total = [Fraction(0)] * n
    for x, label in zip(vx, vy):
        d = ((train_x - x) ** 2).sum(axis=1)
        order = sorted(range(n), key=lambda i: (d[i], i))
        for perm in itertools.permutations(range(n)):
            seen = set()
            for i in perm:
                before = utility(seen, order, train_y, label, k)
                seen.add(i)
                total[i] += utility(seen, order, train_y, label, k) - before
    return [t / factorial(n) for t in total]


@pytest.mark.parametrize("seed, k", [(0, 1), (1, 2), (2, 3), (3, 5), (4, 2)])
def test_the_closed_form_is_the_shapley_value_of_the_knn_utility(seed, k):
    rng = np.random.default_rng(seed)
    n = 6
    train_x = rng.integers(-5, 6, (n, 2))
    train_x[1] = train_x[0]  # a tie in distance: broken by index, as documented
    train_y = rng.integers(0, 2, n)
    vx, vy = rng.integers(-5, 6, (3, 2)), rng.integers(0, 2, 3)
    exact = brute_force_shapley(train_x, train_y, vx, vy, k)
    fixed = knn_shapley_fixed(train_x, train_y, vx, vy, k)
    for e, f in zip(exact, fixed.tolist()):
        # floor division per term: at most one 2⁻⁴⁸ unit per rank below the exact value
        assert abs(Fraction(f, 1 << FIXED_BITS) - e) <= Fraction(n * len(vy), 1 << FIXED_BITS)


def test_values_add_up_to_the_full_sets_utility_and_bad_labels_are_worth_less():
    rng = np.random.default_rng(9)
    centres = np.array([[0, 0], [50, 50]])
    y = rng.integers(0, 2, 400)
    x = centres[y] + rng.integers(-20, 21, (400, 2))
    noisy = y.copy()
    noisy[300:] = 1 - noisy[300:]  # the last 100 examples mislabelled
    vy = rng.integers(0, 2, 50)
    vx = centres[vy] + rng.integers(-20, 21, (50, 2))
    values = knn_shapley_fixed(x, noisy, vx, vy, 5, chunk=7)
    owners = np.repeat([0, 1, 2, 3], 100)
    scores = contribution_scores(values, owners, len(vy))
    assert scores[3] == 0, "a contribution that hurts accuracy floors at zero"
    assert min(scores[0], scores[1], scores[2]) > 0
    # efficiency: the values sum to U(all) − U(∅), the full set's accuracy
    accuracy = 0
    for px, py in zip(vx, vy):
        d = ((x - px) ** 2).sum(axis=1)
        nearest = sorted(range(400), key=lambda i: (d[i], i))[:5]
        accuracy += Fraction(sum(noisy[i] == py for i in nearest), 5)
    assert abs(Fraction(int(values.astype(object).sum()), 1 << FIXED_BITS) - accuracy) < Fraction(400 * 50, 1 << FIXED_BITS)


def test_chunking_does_not_change_a_single_bit():
    rng = np.random.default_rng(2)
    x, y = rng.integers(-100, 100, (300, 3)), rng.integers(0, 3, 300)
    vx, vy = rng.integers(-100, 100, (40, 3)), rng.integers(0, 3, 40)
    assert (knn_shapley_fixed(x, y, vx, vy, 4, chunk=1) == knn_shapley_fixed(x, y, vx, vy, 4, chunk=64)).all()


def test_the_classifier_votes_by_its_k_nearest_and_the_values_add_up_to_its_utility():
    from tributary.attribution.knn_shapley import knn_classify, knn_utility
    x = np.array([[0, 0], [1, 0], [10, 10], [11, 10], [0, 1]])
    y = np.array([0, 0, 1, 1, 2])
    assert knn_classify(x, y, np.array([[0, 0], [10, 11]]), 3).tolist() == [0, 1]
    vx, vy = np.array([[0, 0], [10, 11], [5, 5]]), np.array([0, 1, 2])
    u = knn_utility(x, y, vx, vy, 3)
    values = knn_shapley_fixed(x, y, vx, vy, 3)
    assert abs(int(values.sum()) / (1 << FIXED_BITS) / len(vy) - u) < 1e-9
