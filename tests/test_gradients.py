"""xentlib.gradients against torch autograd, TF GradientTape, finite differences, and its errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tolerances import DTYPES, assert_close

import xentlib
from xentlib.entropy import _cross_entropy_with_logits

# central differences in float64 with the default step: rounding error about ulp(L) / 1e-6, so
# 1e-9 relative to the size of the loss (chapter 09 derives it)
FINITE_DIFFERENCES = 1e-9


def random_case(seed, shape=(4, 5), kind="soft", dtype=np.float64):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=shape).astype(dtype)
    if kind == "onehot":
        labels = np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]
    elif kind == "soft":
        labels = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    else:  # rows that do not sum to 1
        labels = rng.random(shape)
    return logits, labels.astype(dtype)


def torch_grad(torch, logits, labels):
    z = torch.tensor(logits, requires_grad=True)
    t = torch.tensor(labels)
    flat = z.reshape(-1, z.shape[-1])
    loss = torch.nn.functional.cross_entropy(flat, t.reshape(-1, t.shape[-1]))
    loss.backward()
    return loss.item(), z.grad.numpy()


def tf_grad(tf, logits, labels):
    z = tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z))
    return loss.numpy(), tape.gradient(loss, z).numpy()


@pytest.mark.parametrize("kind", ["onehot", "soft", "unnormalised"])
@pytest.mark.parametrize("shape", [(4, 5), (1, 3), (2, 3, 7), (6,)])
def test_grad_matches_torch_autograd_float64(torch, kind, shape):
    logits, labels = random_case(1, shape, kind)
    loss, expected = torch_grad(torch, logits, labels)
    assert_close(xentlib.softmax_cross_entropy_grad(logits, labels), expected, np.float64)
    assert_close(xentlib.softmax_cross_entropy(logits, labels), np.array(loss), np.float64)


def test_grad_matches_torch_float32_and_keeps_dtype(torch):
    logits, labels = random_case(2, (8, 10), "soft", np.float32)
    _, expected = torch_grad(torch, logits, labels)
    grad = xentlib.softmax_cross_entropy_grad(logits, labels)
    assert xentlib.softmax_cross_entropy(logits, labels).dtype == np.float32
    assert_close(grad, expected, np.float32)


@pytest.mark.parametrize("kind", ["onehot", "soft"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_matches_tf_gradient_tape(tf_keras, kind, dtype):
    tf, _ = tf_keras
    logits, labels = random_case(3, (5, 4), kind, dtype)
    loss, expected = tf_grad(tf, logits, labels)
    assert_close(xentlib.softmax_cross_entropy_grad(logits, labels), expected, dtype)
    assert_close(xentlib.softmax_cross_entropy(logits, labels), loss, dtype)


@pytest.mark.parametrize("kind", ["onehot", "soft", "unnormalised"])
def test_loss_is_the_batch_mean_of_cross_entropy_with_logits(kind):
    # one implementation of the soft-label softmax cross-entropy: entropy's, averaged
    logits, labels = random_case(12, (3, 2, 5), kind)
    per_row = _cross_entropy_with_logits(logits, labels, axis=-1)
    assert xentlib.softmax_cross_entropy(logits, labels) == per_row.mean()
    assert_close(
        xentlib.softmax_cross_entropy(logits, labels),
        xentlib.cross_entropy_with_logits(logits, labels).mean(),
        np.float64,
    )


@pytest.mark.parametrize("kind", ["onehot", "soft", "unnormalised"])
def test_each_gradient_row_sums_to_zero_and_the_fused_one_to_one_minus_s(kind):
    # sum_c (s p_c - y_c) = s - s = 0 for any labels; sum_c (p_c - y_c) = 1 - s
    logits, labels = random_case(13, (6, 5), kind)
    grad = xentlib.softmax_cross_entropy_grad(logits, labels) * 6  # undo the batch mean
    mass = labels.sum(axis=-1)
    np.testing.assert_allclose(grad.sum(axis=-1), 0, atol=1e-15)
    fused = xentlib.softmax(logits) - labels
    np.testing.assert_allclose(fused.sum(axis=-1), 1 - mass, atol=1e-15)


def test_tf_fused_kernel_gradient_ignores_label_mass(tf_keras):
    tf, _ = tf_keras
    logits, labels = random_case(4, (3, 4), "unnormalised")
    probs = xentlib.softmax(logits)
    z = tf.Variable(logits)
    with tf.GradientTape() as tape:
        # tf.nn runs the fused kernel by default; raw_ops also exposes its backprop output
        mean = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z))
    fused = tape.gradient(mean, z).numpy()
    _, backprop = tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=logits, labels=labels)
    assert_close(fused, (probs - labels) / 3, np.float64)
    assert_close(backprop, probs - labels, np.float64)
    # the gradient of the loss that kernel computes is (p * sum(y) - y)/N
    ours = xentlib.softmax_cross_entropy_grad(logits, labels)
    numeric = xentlib.numerical_gradient(lambda v: xentlib.softmax_cross_entropy(v, labels), logits)
    np.testing.assert_allclose(ours, numeric, rtol=0, atol=10 * FINITE_DIFFERENCES)
    assert_close(xentlib.softmax_cross_entropy(logits, labels), mean, np.float64)
    assert np.abs(ours - fused).max() > 1e-2
    # the same loss composed from log_softmax is differentiated correctly by autograd
    with tf.GradientTape() as tape:
        composed_mean = tf.reduce_mean(-tf.reduce_sum(labels * tf.nn.log_softmax(z), axis=-1))
    assert_close(tape.gradient(composed_mean, z), ours, np.float64)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 4),
    classes=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["onehot", "soft", "unnormalised"]),
)
def test_grad_matches_central_differences(rows, classes, seed, kind):
    logits, labels = random_case(seed, (rows, classes), kind)
    numeric = xentlib.numerical_gradient(lambda z: xentlib.softmax_cross_entropy(z, labels), logits)
    # rounding in f(x +- eps) is about ulp(L)/eps: scale the 1e-9 tolerance with the loss
    scale = max(1.0, abs(float(xentlib.softmax_cross_entropy(logits, labels))))
    np.testing.assert_allclose(
        xentlib.softmax_cross_entropy_grad(logits, labels),
        numeric,
        rtol=0,
        atol=FINITE_DIFFERENCES * scale,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits_are_finite_and_match_torch(torch, dtype):
    logits = np.array([[1e3, 0, -1e3], [-1e3, -1e3, 1e3], [0, 0, 0]], dtype=dtype)
    labels = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=dtype)
    _, expected = torch_grad(torch, logits, labels)
    grad = xentlib.softmax_cross_entropy_grad(logits, labels)
    assert np.isfinite(grad).all()
    assert_close(grad, expected, dtype)
    assert_close(grad[0], np.array([1, 0, -1], dtype=dtype) / 3, dtype)
    loss = xentlib.softmax_cross_entropy(logits, labels)
    assert_close(loss, dtype((2000 + 2000 + np.log(3)) / 3), dtype, scale=1e3)


def test_empty_batch():
    grad = xentlib.softmax_cross_entropy_grad(np.zeros((0, 4)), np.zeros((0, 4)))
    assert grad.shape == (0, 4) and grad.dtype == np.float64
    assert np.isnan(xentlib.softmax_cross_entropy(np.zeros((0, 4)), np.zeros((0, 4))))
    assert xentlib.sigmoid_cross_entropy_grad([], []).shape == (0,)


def test_minus_inf_logit_with_zero_label_contributes_nothing(torch):
    logits = np.array([[0.0, -np.inf, 1.0]])
    labels = np.array([[1.0, 0.0, 0.0]])
    loss = xentlib.softmax_cross_entropy(logits, labels)
    assert_close(loss, np.log1p(np.e), np.float64)
    assert np.isfinite(xentlib.softmax_cross_entropy_grad(logits, labels)).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_grad_matches_torch_and_tf(torch, tf_keras, dtype):
    tf, _ = tf_keras
    rng = np.random.default_rng(5)
    logits = np.concatenate([rng.normal(0, 4, size=9), [1e3, -1e3, 0]]).reshape(3, 4).astype(dtype)
    labels = rng.random((3, 4)).astype(dtype)
    labels[0, :2] = [0, 1]
    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(labels)).backward()
    v = tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=v))
    tf_gradient = tape.gradient(loss, v).numpy()
    grad = xentlib.sigmoid_cross_entropy_grad(logits, labels)
    assert_close(grad, z.grad, dtype)
    assert_close(grad, tf_gradient, dtype)


def test_sigmoid_grad_matches_central_differences():
    rng = np.random.default_rng(6)
    logits, labels = rng.normal(0, 3, size=(3, 2)), rng.random((3, 2))

    def bce(x):
        return np.mean(-(labels * xentlib.log_sigmoid(x) + (1 - labels) * xentlib.log_sigmoid(-x)))

    numeric = xentlib.numerical_gradient(bce, logits)
    np.testing.assert_allclose(
        xentlib.sigmoid_cross_entropy_grad(logits, labels), numeric, rtol=0, atol=FINITE_DIFFERENCES
    )


def test_softmax_jacobian_matches_torch_and_differences(torch):
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 2, size=(3, 5))
    jac = xentlib.softmax_jacobian(logits)
    assert jac.shape == (3, 5, 5)
    for row, matrix in zip(logits, jac, strict=True):
        expected = torch.autograd.functional.jacobian(
            lambda z: torch.softmax(z, dim=-1), torch.tensor(row)
        ).numpy()
        assert_close(matrix, expected, np.float64)
        for i in range(5):
            numeric = xentlib.numerical_gradient(lambda z, i=i: xentlib.softmax(z)[i], row)
            np.testing.assert_allclose(matrix[i], numeric, rtol=0, atol=FINITE_DIFFERENCES)
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), atol=0)
    np.testing.assert_allclose(jac.sum(axis=-1), 0, atol=1e-15)


def test_softmax_jacobian_other_axis_and_dtype():
    logits = np.arange(6, dtype=np.float32).reshape(3, 2)
    jac = xentlib.softmax_jacobian(logits, axis=0)
    assert jac.shape == (2, 3, 3) and jac.dtype == np.float32
    np.testing.assert_allclose(jac[1], xentlib.softmax_jacobian(logits[:, 1]), atol=0)


def test_chain_rule_through_the_jacobian_gives_the_gradient():
    logits, labels = random_case(8, (5,), "soft")
    probs = xentlib.softmax(logits)
    # dL/dz = J^T dL/dp with dL/dp = -y/p
    via_jacobian = xentlib.softmax_jacobian(logits).T @ (-labels / probs)
    assert_close(via_jacobian, xentlib.softmax_cross_entropy_grad(logits, labels), np.float64)


def test_numerical_gradient_of_a_quadratic_and_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = xentlib.numerical_gradient(lambda v: np.sum(v**2) + v[0, 1] * v[1, 0], x)
    expected = [[2.0, -4.0 + 0.5], [1.0 - 2.0, 6.0]]
    # f(x) is about 13, and the rounding error of the differences grows with it
    np.testing.assert_allclose(grad, expected, rtol=0, atol=FINITE_DIFFERENCES * 13.25)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_keeps_float32_and_handles_empty():
    grad = xentlib.numerical_gradient(lambda v: float(np.sum(v**3)), np.float32([1, 2]))
    assert grad.dtype == np.float32
    assert_close(grad, np.float32([3, 12]), np.float32)
    assert xentlib.numerical_gradient(lambda v: 0.0, np.zeros((0, 3))).shape == (0, 3)
    assert xentlib.numerical_gradient(lambda v: v**2, 3.0) == pytest.approx(6.0, abs=1e-8)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: xentlib.softmax_cross_entropy_grad(np.zeros((2, 3)), np.zeros((2, 4))),
            ValueError,
            r"logits and labels must have the same shape, got \(2, 3\) and \(2, 4\)",
        ),
        (
            lambda: xentlib.softmax_cross_entropy_grad(1.0, 1.0),
            ValueError,
            "logits must have at least one dimension",
        ),
        (
            lambda: xentlib.softmax_cross_entropy_grad("ab", [1, 0]),
            TypeError,
            "logits must be a real-valued array",
        ),
        (
            lambda: xentlib.softmax_cross_entropy_grad([1.0, 0.0], ["a", "b"]),
            TypeError,
            "labels must be a real-valued array",
        ),
        (
            lambda: xentlib.softmax_cross_entropy([[np.nan, 0.0]], [[1.0, 0.0]]),
            ValueError,
            "logits must not contain NaN",
        ),
        (
            lambda: xentlib.softmax_cross_entropy_grad([[np.inf, 0.0]], [[1.0, 0.0]]),
            ValueError,
            r"logits must not contain \+inf",
        ),
        (
            lambda: xentlib.softmax_cross_entropy([[1.0, 0.0]], [1.0, 0.0]),
            ValueError,
            "logits and labels must have the same shape",
        ),
        (
            lambda: xentlib.sigmoid_cross_entropy_grad([1.0, 2.0], [1.0]),
            ValueError,
            "logits and labels must have the same shape",
        ),
        (
            lambda: xentlib.softmax_jacobian([1.0, 2.0], axis=1),
            ValueError,
            "axis=1 is out of range",
        ),
        (lambda: xentlib.softmax_jacobian([1.0, 2.0], axis=0.0), TypeError, "axis must be an int"),
        (lambda: xentlib.numerical_gradient(3, [1.0]), TypeError, "f must be a callable"),
        (lambda: xentlib.numerical_gradient(np.sum, "x"), TypeError, "x must be a real-valued"),
        (
            lambda: xentlib.numerical_gradient(np.sum, [1.0], eps=0),
            ValueError,
            r"eps must be in \(0, inf\), got 0.0",
        ),
        (
            lambda: xentlib.numerical_gradient(np.sum, [1.0], eps=np.inf),
            ValueError,
            r"eps must be in \(0, inf\), got inf",
        ),
        (
            lambda: xentlib.numerical_gradient(np.sum, [1.0], eps="1e-6"),
            TypeError,
            "eps must be a real number",
        ),
        (
            lambda: xentlib.numerical_gradient(lambda v: v, [1.0, 2.0]),
            ValueError,
            r"f must return a scalar, got an array of shape \(2,\)",
        ),
        (
            lambda: xentlib.numerical_gradient(lambda v: "loss", [1.0]),
            TypeError,
            "f must return a real number",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
