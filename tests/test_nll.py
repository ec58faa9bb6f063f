"""xentlib.nll against closed forms, PyTorch, TensorFlow, the published examples
(seed001zuibiancheng), and its error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xentlib

# the published examples (seed001zuibiancheng): the printed logits (2 x 4, targets [0, 0])
# and the NLLLoss input (3 x 5, targets [1, 0, 4])
SEED_LOGITS = np.array([[0.0500, -0.6461, 0.9130, -0.0553], [-0.3201, 1.5033, 0.2070, 1.8456]])
SEED_INPUT = np.array(
    [
        [0.1076, -1.4376, -0.6307, 0.6451, -1.5122],
        [1.5105, 0.7662, -1.7587, -1.4581, 1.1357],
        [-1.4673, -0.5111, -0.0779, -0.7404, 1.4447],
    ]
)


def test_nll_picks_the_target_entries():
    log_probs = np.log(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))
    targets = np.array([2, 0])
    expected = -np.array([np.log(0.5), np.log(0.6)])
    got = xentlib.negative_log_likelihood(log_probs, targets, reduction="none")
    np.testing.assert_array_equal(got, expected)
    assert xentlib.negative_log_likelihood(log_probs, targets, "sum") == expected.sum()
    assert xentlib.negative_log_likelihood(log_probs, targets) == expected.mean()


def test_published_values_seed001zuibiancheng():
    # published to 4 decimals: 2.2152 (CrossEntropyLoss) and 1.3537 (NLLLoss of log-softmax)
    assert abs(xentlib.sparse_cross_entropy_with_logits(SEED_LOGITS, [0, 0]) - 2.2152) <= 5e-5
    log_probs = xentlib.log_softmax(SEED_INPUT)
    assert abs(xentlib.negative_log_likelihood(log_probs, [1, 0, 4]) - 1.3537) <= 5e-5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_matches_torch_nll_and_cross_entropy(torch, dtype, reduction):
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=3, size=(7, 5)).astype(dtype)
    targets = rng.integers(0, 5, size=7)
    t_logits, t_targets = torch.from_numpy(logits), torch.from_numpy(targets)
    expected_ce = torch.nn.functional.cross_entropy(
        t_logits, t_targets, reduction=reduction
    ).numpy()
    got_ce = xentlib.sparse_cross_entropy_with_logits(logits, targets, reduction)
    assert got_ce.dtype == dtype
    # float32: the two libraries round log-sum-exp differently in the last bits
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-13, 0)
    np.testing.assert_allclose(got_ce, expected_ce, rtol=rtol, atol=atol)
    log_probs = torch.log_softmax(t_logits, dim=-1)
    expected_nll = torch.nn.functional.nll_loss(log_probs, t_targets, reduction=reduction).numpy()
    got_nll = xentlib.negative_log_likelihood(log_probs.numpy(), targets, reduction)
    np.testing.assert_allclose(got_nll, expected_nll, rtol=rtol, atol=atol)


def test_matches_tensorflow_sparse_op(tf_keras):
    tf, _ = tf_keras
    rng = np.random.default_rng(4)
    logits = rng.normal(scale=2, size=(6, 4)).astype(np.float32)
    targets = rng.integers(0, 4, size=6)
    expected = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits).numpy()
    got = xentlib.sparse_cross_entropy_with_logits(logits, targets, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite_and_match_torch(torch, dtype):
    logits = np.array([[1e3, 0.0, -1e3], [-1e3, 1e3, 0.0], [0.0, 0.0, 0.0]], dtype=dtype)
    targets = np.array([2, 1, 0])
    got = xentlib.sparse_cross_entropy_with_logits(logits, targets, reduction="none")
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(targets), reduction="none"
    ).numpy()
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_allclose(got, [2e3, 0.0, np.log(3)], rtol=1e-6)


def test_gradient_matches_torch_autograd(torch):
    # xentlib has no autograd: check its loss surface has torch's gradient, and the closed form
    targets = np.array([1, 0, 4])
    t_input = torch.tensor(SEED_INPUT, requires_grad=True)
    torch.nn.functional.cross_entropy(t_input, torch.tensor(targets)).backward()
    numerical = xentlib.numerical_gradient(
        lambda z: xentlib.sparse_cross_entropy_with_logits(z, targets), SEED_INPUT
    )
    np.testing.assert_allclose(numerical, t_input.grad.numpy(), atol=1e-8)
    closed_form = (xentlib.softmax(SEED_INPUT) - np.eye(5)[targets]) / 3
    np.testing.assert_allclose(closed_form, t_input.grad.numpy(), atol=1e-15)


def test_gradient_matches_tensorflow(tf_keras):
    tf, _ = tf_keras
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 3))
    targets = np.array([0, 2, 1, 1])
    z = tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, z))
    numerical = xentlib.numerical_gradient(
        lambda x: xentlib.sparse_cross_entropy_with_logits(x, targets), logits
    )
    np.testing.assert_allclose(numerical, tape.gradient(loss, z).numpy(), atol=1e-8)


def test_empty_batch_like_torch(torch):
    logits = np.zeros((0, 3))
    targets = np.zeros(0, dtype=np.int64)
    assert np.isnan(xentlib.sparse_cross_entropy_with_logits(logits, targets))
    empty = torch.nn.functional.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))
    assert torch.isnan(empty).item()
    assert xentlib.sparse_cross_entropy_with_logits(logits, targets, "sum") == 0.0
    assert xentlib.negative_log_likelihood(logits, targets, "none").shape == (0,)


def test_single_sample_and_extra_batch_axes():
    logits = np.array([2.0, 1.0, 0.1])
    expected = -xentlib.log_softmax(logits)[0]
    assert xentlib.sparse_cross_entropy_with_logits(logits, 0) == pytest.approx(expected, rel=1e-15)
    batch = np.stack([logits, logits[::-1]])[None]  # shape (1, 2, 3)
    got = xentlib.sparse_cross_entropy_with_logits(batch, [[0, 0]], reduction="none")
    assert got.shape == (1, 2)


def test_certain_correct_prediction_gives_plus_zero():
    loss = xentlib.negative_log_likelihood([[0.0, -np.inf]], [0], reduction="none")
    assert loss[0] == 0 and not np.signbit(loss[0])
    assert xentlib.negative_log_likelihood([[0.0, -np.inf]], [1]) == np.inf


@settings(max_examples=50, deadline=None)
@given(
    logits=st.lists(st.floats(-50, 50), min_size=2, max_size=6),
    shift=st.floats(-100, 100),
    data=st.data(),
)
def test_shift_invariance_and_lower_bound(logits, shift, data):
    logits = np.array(logits)
    target = data.draw(st.integers(0, logits.size - 1))
    loss = xentlib.sparse_cross_entropy_with_logits(logits, target)
    shifted = xentlib.sparse_cross_entropy_with_logits(logits + shift, target)
    assert loss >= 0
    assert shifted == pytest.approx(loss, rel=1e-9, abs=1e-9)


def test_probabilities_are_refused_with_a_hint():
    probs = xentlib.softmax(SEED_INPUT)
    with pytest.raises(
        ValueError, match=r"log_probs must hold log-probabilities \(<= 0\).*log_softmax"
    ):
        xentlib.negative_log_likelihood(probs, [1, 0, 4])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: xentlib.negative_log_likelihood("x", [0]),
            TypeError,
            "log_probs must be a real-valued",
        ),
        (
            lambda: xentlib.negative_log_likelihood(-1.0, 0),
            ValueError,
            "log_probs must have a class axis",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[np.nan, 0.0]], [0]),
            ValueError,
            "log_probs must not contain NaN",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[-1.0, -0.5]], [2]),
            ValueError,
            r"targets must be class indices in \[0, 2\)",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[-1.0, -0.5]], [-1]),
            ValueError,
            r"targets must be class indices in \[0, 2\)",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[-1.0, -0.5]], [0.0]),
            TypeError,
            "targets must hold integer",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[-1.0, -0.5]], [0, 1]),
            ValueError,
            r"targets must have shape log_probs.shape\[:-1\] = \(1,\)",
        ),
        (
            lambda: xentlib.negative_log_likelihood([[-1.0, -0.5]], [0], "avg"),
            ValueError,
            "reduction must be one of",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[1.0, 2.0]], [0], "batchmean"),
            ValueError,
            "reduction must be one of",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[1.0, np.nan]], [0]),
            ValueError,
            "logits must not contain NaN",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[1.0, np.inf]], [0]),
            ValueError,
            r"logits must not contain \+inf",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[-np.inf, -np.inf]], [0]),
            ValueError,
            "at least one entry above -inf",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits(3.0, 0),
            ValueError,
            "logits must have a class axis",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([["a"]], [0]),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[1.0, 2.0]], [[0]]),
            ValueError,
            r"targets must have shape logits.shape\[:-1\] = \(1,\)",
        ),
        (
            lambda: xentlib.sparse_cross_entropy_with_logits([[1.0, 2.0]], [2]),
            ValueError,
            r"targets must be class indices in \[0, 2\)",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
