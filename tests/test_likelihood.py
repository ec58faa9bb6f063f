"""xentlib.likelihood against closed forms, torch.distributions, and its error messages."""

import numpy as np
import pytest

import xentlib

FLIPS = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])


def test_bernoulli_likelihood_closed_form():
    theta = np.array([0.0, 0.25, 0.7, 1.0])
    expected = theta**7 * (1 - theta) ** 3
    np.testing.assert_allclose(xentlib.bernoulli_likelihood(theta, FLIPS), expected, rtol=1e-15)
    assert xentlib.bernoulli_likelihood(0.5, FLIPS) == 0.5**10


def test_bernoulli_log_likelihood_matches_torch(torch):
    theta = np.linspace(0.01, 0.99, 99)
    dist = torch.distributions.Bernoulli(probs=torch.tensor(theta)[:, None])
    expected = dist.log_prob(torch.tensor(FLIPS, dtype=torch.float64)).sum(dim=1).numpy()
    np.testing.assert_allclose(xentlib.bernoulli_log_likelihood(theta, FLIPS), expected, rtol=1e-12)


def test_bernoulli_log_likelihood_edges_use_0_log_0_convention():
    assert xentlib.bernoulli_log_likelihood(0.0, [0, 0]) == 0.0
    assert xentlib.bernoulli_log_likelihood(1.0, [1, 1]) == 0.0
    assert xentlib.bernoulli_log_likelihood(0.0, [1]) == -np.inf
    assert xentlib.bernoulli_log_likelihood(1.0, [0]) == -np.inf


def test_scalar_theta_gives_scalar():
    assert np.ndim(xentlib.bernoulli_log_likelihood(0.3, FLIPS)) == 0


def test_bernoulli_mle_is_argmax_of_log_likelihood():
    rng = np.random.default_rng(0)
    for _ in range(20):
        flips = (rng.random(rng.integers(1, 50)) < rng.random()).astype(int)
        grid = np.linspace(0, 1, 10001)
        best = grid[np.argmax(xentlib.bernoulli_log_likelihood(grid, flips))]
        assert abs(best - xentlib.bernoulli_mle(flips)) <= 1e-4


def test_categorical_mle_and_log_likelihood(torch):
    rng = np.random.default_rng(1)
    targets = rng.integers(0, 4, size=200)
    pi_hat = xentlib.categorical_mle(targets, 4)
    np.testing.assert_allclose(pi_hat, np.bincount(targets, minlength=4) / 200)
    dist = torch.distributions.Categorical(probs=torch.tensor(pi_hat))
    expected = dist.log_prob(torch.tensor(targets)).sum().item()
    assert xentlib.categorical_log_likelihood(pi_hat, targets) == pytest.approx(expected, rel=1e-12)
    # the MLE beats any other distribution on the same data
    for probs in rng.dirichlet(np.ones(4), size=200):
        assert xentlib.categorical_log_likelihood(
            probs, targets
        ) < xentlib.categorical_log_likelihood(pi_hat, targets)


def test_categorical_unseen_class_gets_zero_and_minus_inf():
    pi_hat = xentlib.categorical_mle([0, 0, 1], 3)
    assert pi_hat[2] == 0
    assert xentlib.categorical_log_likelihood(pi_hat, [2]) == -np.inf


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: xentlib.bernoulli_mle([]), ValueError, "outcomes must hold at least one"),
        (lambda: xentlib.bernoulli_mle([0, 2]), ValueError, "outcomes must be 0 or 1"),
        (lambda: xentlib.bernoulli_mle("0101"), TypeError, "outcomes must be a real-valued"),
        (
            lambda: xentlib.bernoulli_log_likelihood(1.5, [1]),
            ValueError,
            r"theta must hold probabilities",
        ),
        (
            lambda: xentlib.bernoulli_log_likelihood(np.nan, [1]),
            ValueError,
            "theta must not contain NaN",
        ),
        (
            lambda: xentlib.bernoulli_likelihood(-0.1, [1]),
            ValueError,
            r"theta must hold probabilities",
        ),
        (
            lambda: xentlib.bernoulli_likelihood(0.5, [1, 0.5]),
            ValueError,
            r"outcomes must be 0 or 1 \(Bernoulli observations\), got 0.5",
        ),
        (
            lambda: xentlib.bernoulli_log_likelihood(0.5, []),
            ValueError,
            "outcomes must hold at least one",
        ),
        (
            lambda: xentlib.categorical_log_likelihood([0.5, 0.5], [2]),
            ValueError,
            r"targets must be class indices in \[0, 2\)",
        ),
        (
            lambda: xentlib.categorical_log_likelihood([0.5, 0.5], [0.0]),
            TypeError,
            "targets must hold integer",
        ),
        (
            lambda: xentlib.categorical_mle([0, 3], 3),
            ValueError,
            r"targets must be class indices in \[0, 3\)",
        ),
        (lambda: xentlib.categorical_mle([0.5], 3), TypeError, "targets must hold integer"),
        (lambda: xentlib.categorical_mle([0], 0), ValueError, "num_classes must be at least 1"),
        (lambda: xentlib.categorical_mle([0], 2.0), TypeError, "num_classes must be an int"),
        (lambda: xentlib.categorical_mle([], 2), ValueError, "targets must hold at least one"),
        (
            lambda: xentlib.categorical_log_likelihood([0.5, 0.6], [0]),
            ValueError,
            "probs must sum to 1",
        ),
        (
            lambda: xentlib.categorical_log_likelihood([-0.5, 1.5], [0]),
            ValueError,
            r"probs must hold probabilities",
        ),
        (
            lambda: xentlib.categorical_log_likelihood([[0.5, 0.5]], [0]),
            ValueError,
            "probs must be a non-empty 1-D",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
