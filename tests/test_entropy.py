"""xentlib.entropy against closed forms, PyTorch, TensorFlow/Keras, the published example
(seed000categorical), and its errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xentlib

# the published example (seed000categorical): two samples, three classes; the first
# prediction row sums to 1.05
Y_TRUE = np.array([[0, 1, 0], [0, 0, 1]])
Y_PRED = np.array([[0.05, 0.95, 0.05], [0.1, 0.8, 0.1]])


def _distributions(rng, shape, dtype=np.float64):
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype(dtype)


def test_entropy_closed_forms():
    np.testing.assert_allclose(xentlib.entropy(np.full(4, 0.25)), np.log(4), rtol=1e-15)
    assert xentlib.entropy([0.0, 1.0, 0.0]) == 0.0
    assert not np.signbit(xentlib.entropy([0.0, 1.0, 0.0]))
    theta = 0.3
    expected = -(theta * np.log(theta) + (1 - theta) * np.log(1 - theta))
    assert xentlib.entropy([theta, 1 - theta]) == pytest.approx(expected, rel=1e-15)


def test_entropy_matches_torch_distributions(torch):
    probs = _distributions(np.random.default_rng(0), (5, 6))
    expected = torch.distributions.Categorical(probs=torch.from_numpy(probs)).entropy().numpy()
    np.testing.assert_allclose(xentlib.entropy(probs), expected, rtol=1e-12)


def test_entropy_axis_and_dtype():
    probs = _distributions(np.random.default_rng(1), (4, 3), np.float32)
    got = xentlib.entropy(probs.T, axis=0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, xentlib.entropy(probs), rtol=1e-6)


def test_published_hand_calculation_seed000categorical():
    # the published value; the same float64 operations, so agreement to a few ulps
    assert abs(xentlib.cross_entropy(Y_PRED, Y_TRUE).mean() - 1.176939193690798) <= 1e-15


def test_published_example_keras_renormalises_and_clips(tf_keras):
    _, keras = tf_keras
    y_true, y_pred = Y_TRUE.astype(np.float32), Y_PRED.astype(np.float32)
    expected = keras.losses.categorical_crossentropy(y_true, y_pred).numpy()
    renormalised = y_pred / y_pred.sum(axis=-1, keepdims=True)
    got = xentlib.cross_entropy(renormalised, y_true, eps=1e-7)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_allclose(got, [0.10008346, 2.3025851], rtol=1e-7)
    assert keras.losses.CategoricalCrossentropy()(y_true, y_pred).numpy() == pytest.approx(
        1.2013342, abs=1e-7
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipped_cross_entropy_matches_keras_at_0_and_1(tf_keras, dtype):
    _, keras = tf_keras
    labels = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0]], dtype=dtype)
    probs = np.array([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0], [1e-12, 0.5, 0.5 - 1e-12]], dtype=dtype)
    expected = keras.losses.categorical_crossentropy(labels, probs).numpy()
    got = xentlib.cross_entropy(probs, labels, eps=1e-7)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[0] == pytest.approx(-np.log(dtype(1e-7)), rel=1e-7)  # the 16.118 ceiling
    assert xentlib.cross_entropy(probs, labels)[0] == np.inf  # no clipping: infinite


def test_zero_labels_contribute_nothing_even_at_zero_probability():
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = -np.sum(np.array([0.0, 1.0]) * np.log(np.array([0.0, 1.0])))
    assert np.isnan(naive)  # what the unguarded formula gives
    assert xentlib.cross_entropy([0.0, 1.0], [0.0, 1.0]) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_with_soft_labels_matches_torch(torch, dtype):
    rng = np.random.default_rng(2)
    labels = _distributions(rng, (6, 4), dtype)
    logits = rng.normal(scale=3, size=(6, 4)).astype(dtype)
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), reduction="none"
    ).numpy()
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        xentlib.cross_entropy_with_logits(logits, labels), expected, rtol=rtol
    )
    via_probs = xentlib.cross_entropy(xentlib.softmax(logits), labels)
    np.testing.assert_allclose(via_probs, expected, rtol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_with_logits_matches_tensorflow_and_its_gradient(tf_keras, dtype):
    tf, _ = tf_keras
    rng = np.random.default_rng(3)
    labels = _distributions(rng, (5, 3), dtype)
    logits = np.array(rng.normal(scale=2, size=(5, 3)), dtype=dtype)
    logits[0] = [1e3, 0, -1e3]  # extreme logits
    logits[1] = [-1e3, 1e3, 0]
    z = tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z)
    got = xentlib.cross_entropy_with_logits(logits, labels)
    assert got.dtype == dtype
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, loss.numpy(), rtol=rtol)
    # d/dz of sum_c t_c (LSE(z) - z_c) is softmax(z) * sum(t) - t: check it against TF's gradient
    closed_form = xentlib.softmax(logits) * labels.sum(-1, keepdims=True) - labels
    np.testing.assert_allclose(closed_form, tape.gradient(loss, z).numpy(), atol=1e-6)


def test_cross_entropy_gradient_with_torch_autograd(torch):
    # finite differences of xentlib against autograd of the same formula in torch
    rng = np.random.default_rng(4)
    labels = _distributions(rng, (3,))
    probs = _distributions(rng, (3,))
    t_probs = torch.tensor(probs, requires_grad=True)
    (-(torch.from_numpy(labels) * torch.log(t_probs)).sum()).backward()
    numerical = xentlib.numerical_gradient(
        lambda p: xentlib.cross_entropy(p, labels), probs, eps=1e-7
    )
    np.testing.assert_allclose(numerical, t_probs.grad.numpy(), rtol=1e-6)


def test_kl_divergence_matches_torch_kl_div(torch):
    rng = np.random.default_rng(5)
    p = _distributions(rng, (4, 5))
    q = _distributions(rng, (4, 5))
    p[0, 2] = 0
    p[0] /= p[0].sum()
    expected = (
        torch.nn.functional.kl_div(
            torch.log(torch.from_numpy(q)), torch.from_numpy(p), reduction="none"
        )
        .sum(-1)
        .numpy()
    )
    np.testing.assert_allclose(xentlib.kl_divergence(p, q), expected, rtol=1e-12)


def test_kl_divergence_edge_cases():
    assert xentlib.kl_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert xentlib.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert xentlib.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2), rel=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_decomposition_and_gibbs_inequality(num_classes, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(num_classes, 0.5))
    q = rng.dirichlet(np.full(num_classes, 0.5))
    q = np.maximum(q, 1e-300)
    q /= q.sum()
    h_pq = xentlib.cross_entropy(q, p)
    assert h_pq == pytest.approx(
        xentlib.entropy(p) + xentlib.kl_divergence(p, q), rel=1e-9, abs=1e-12
    )
    assert xentlib.kl_divergence(p, q) >= -1e-12
    assert h_pq >= xentlib.entropy(p) - 1e-12


def test_one_hot_cross_entropy_equals_nll():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(8, 5))
    targets = rng.integers(0, 5, size=8)
    one_hot = np.eye(5)[targets]
    nll = xentlib.sparse_cross_entropy_with_logits(logits, targets, reduction="none")
    np.testing.assert_allclose(xentlib.cross_entropy_with_logits(logits, one_hot), nll, rtol=1e-14)
    np.testing.assert_allclose(
        xentlib.cross_entropy(xentlib.softmax(logits), one_hot), nll, rtol=1e-12
    )


def test_zero_label_on_minus_inf_logit_and_empty_batch():
    assert xentlib.cross_entropy_with_logits([0.0, -np.inf], [1.0, 0.0]) == 0.0
    assert xentlib.cross_entropy_with_logits([0.0, -np.inf], [0.0, 1.0]) == np.inf
    assert xentlib.cross_entropy(np.zeros((0, 3)), np.zeros((0, 3))).shape == (0,)
    assert xentlib.entropy(np.zeros((0, 3))).shape == (0,)
    assert xentlib.cross_entropy_with_logits(np.zeros((0, 3)), np.zeros((0, 3))).shape == (0,)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: xentlib.entropy("abc"), TypeError, "probs must be a real-valued"),
        (lambda: xentlib.entropy([0.5, 0.6]), ValueError, "probs must sum to 1"),
        (
            lambda: xentlib.entropy([-0.5, 1.5]),
            ValueError,
            r"probs must hold probabilities in \[0, 1\]",
        ),
        (lambda: xentlib.entropy([np.nan, 1.0]), ValueError, "probs must not contain NaN"),
        (lambda: xentlib.entropy([0.5, 0.5], axis=1), ValueError, "axis=1 is out of range"),
        (lambda: xentlib.entropy([0.5, 0.5], axis=0.0), TypeError, "axis must be an int"),
        (
            lambda: xentlib.cross_entropy([0.5, 0.3, 0.2], [0, 1]),
            ValueError,
            r"probs and labels must have the same shape, got \(3,\) and \(2,\)",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 1.5], [0, 1]),
            ValueError,
            r"probs must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: xentlib.cross_entropy([np.nan, 0.5], [0, 1]),
            ValueError,
            "probs must not contain NaN",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [-1, 2]),
            ValueError,
            "labels must be finite and non-negative",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [np.inf, 0]),
            ValueError,
            "labels must be finite and non-negative",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [np.nan, 1]),
            ValueError,
            "labels must not contain NaN",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [0, 1], eps=0.5),
            ValueError,
            r"eps must be in \(0, 0.5\)",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [0, 1], eps=0.0),
            ValueError,
            r"eps must be in \(0, 0.5\)",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [0, 1], eps="1e-7"),
            TypeError,
            "eps must be a real number, got str",
        ),
        (
            lambda: xentlib.cross_entropy([0.5, 0.5], [0, 1], axis=2),
            ValueError,
            "axis=2 is out of range",
        ),
        (lambda: xentlib.kl_divergence([0.5, 0.5], [0.2, 0.2]), ValueError, "q must sum to 1"),
        (
            lambda: xentlib.kl_divergence([1.5, -0.5], [0.5, 0.5]),
            ValueError,
            r"p must hold probabilities",
        ),
        (
            lambda: xentlib.kl_divergence([1.0], [0.5, 0.5]),
            ValueError,
            "p and q must have the same shape",
        ),
        (
            lambda: xentlib.cross_entropy_with_logits([1.0, np.nan], [0, 1]),
            ValueError,
            "logits must not contain NaN",
        ),
        (
            lambda: xentlib.cross_entropy_with_logits([1.0, np.inf], [0, 1]),
            ValueError,
            r"logits must not contain \+inf",
        ),
        (
            lambda: xentlib.cross_entropy_with_logits([-np.inf, -np.inf], [0, 1]),
            ValueError,
            "at least one entry above -inf",
        ),
        (
            lambda: xentlib.cross_entropy_with_logits([1.0, 2.0], [0, -1]),
            ValueError,
            "labels must be finite and non-negative",
        ),
        (
            lambda: xentlib.cross_entropy_with_logits([[1.0, 2.0]], [0, 1]),
            ValueError,
            "logits and labels must have the same shape",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
