"""xentlib.tf_api against the tf.nn ops it mirrors: values, gradients, dtypes, error messages."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tolerances import DTYPES, MIRROR, assert_close

import xentlib
from xentlib import tf_api


def make_logits(seed, shape, dtype, scale):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def soft_labels(seed, shape, dtype):
    rng = np.random.default_rng(seed + 1)
    labels = rng.random(shape) * (rng.random(shape) < 0.7)  # some exact zeros
    return labels.astype(dtype)


shapes = st.tuples(st.integers(0, 4), st.integers(1, 5))
shapes3 = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4))
common = {
    "seed": st.integers(0, 2**31),
    "dtype": st.sampled_from(DTYPES),
    "scale": st.sampled_from([1.0, 20.0, 1e3]),
}


@settings(max_examples=25, deadline=None)
@given(shape=st.one_of(shapes, shapes3), axis=st.sampled_from([-1, 0, 1]), **common)
def test_softmax_and_log_softmax_match_tf(tf_keras, seed, shape, axis, dtype, scale):
    tf, _ = tf_keras
    assume(shape[axis] > 0)  # at least one class
    logits = make_logits(seed, shape, dtype, scale)
    assert_close(
        tf_api.softmax(logits, axis=axis), tf.nn.softmax(logits, axis=axis).numpy(), dtype, MIRROR
    )
    assert_close(
        tf_api.log_softmax(logits, axis=axis),
        tf.nn.log_softmax(logits, axis=axis).numpy(),
        dtype,
        MIRROR,
        scale,
    )


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(shapes, shapes3), axis=st.sampled_from([-1, 0, 1]), **common)
def test_softmax_cross_entropy_with_logits_matches_tf(tf_keras, seed, shape, axis, dtype, scale):
    tf, _ = tf_keras
    assume(shape[axis] > 0)  # at least one class
    logits = make_logits(seed, shape, dtype, scale)
    labels = soft_labels(seed, shape, dtype)  # unnormalised on purpose: TF does not check
    expected = tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=axis).numpy()
    actual = tf_api.softmax_cross_entropy_with_logits(labels, logits, axis=axis)
    assert_close(actual, expected, dtype, MIRROR, scale)


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(shapes, shapes3), **common)
def test_sparse_softmax_cross_entropy_with_logits_matches_tf(tf_keras, seed, shape, dtype, scale):
    tf, _ = tf_keras
    logits = make_logits(seed, shape, dtype, scale)
    labels = np.random.default_rng(seed + 2).integers(0, shape[-1], size=shape[:-1])
    expected = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits).numpy()
    assert_close(
        tf_api.sparse_softmax_cross_entropy_with_logits(labels, logits),
        expected,
        dtype,
        MIRROR,
        scale,
    )


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(shapes, shapes3), pos_weight=st.sampled_from([0.25, 1.0, 3.0]), **common)
def test_sigmoid_and_weighted_cross_entropy_match_tf(
    tf_keras, seed, shape, pos_weight, dtype, scale
):
    tf, _ = tf_keras
    logits = make_logits(seed, shape, dtype, scale)
    labels = soft_labels(seed, shape, dtype)
    expected = tf.nn.sigmoid_cross_entropy_with_logits(labels, logits).numpy()
    assert_close(
        tf_api.sigmoid_cross_entropy_with_logits(labels, logits), expected, dtype, MIRROR, scale
    )
    expected = tf.nn.weighted_cross_entropy_with_logits(labels, logits, pos_weight).numpy()
    actual = tf_api.weighted_cross_entropy_with_logits(labels, logits, pos_weight)
    assert_close(actual, expected, dtype, MIRROR, scale)


def test_weighted_per_class_pos_weight_and_reduction_to_sigmoid(tf_keras):
    tf, _ = tf_keras
    rng = np.random.default_rng(5)
    logits, labels = rng.standard_normal((4, 3)), (rng.random((4, 3)) < 0.5).astype(float)
    q = np.array([0.5, 1.0, 4.0])
    expected = tf.nn.weighted_cross_entropy_with_logits(labels, logits, q).numpy()
    assert_close(
        tf_api.weighted_cross_entropy_with_logits(labels, logits, q), expected, np.float64, MIRROR
    )
    np.testing.assert_allclose(  # same value, summed in another order
        tf_api.weighted_cross_entropy_with_logits(labels, logits, 1.0),
        tf_api.sigmoid_cross_entropy_with_logits(labels, logits),
        rtol=1e-15,
    )


def test_extreme_logits_stay_finite_and_match_tf(tf_keras):
    tf, _ = tf_keras
    logits = np.array([[1e3, 0.0, -1e3], [-1e3, -1e3, 1e3]], dtype=np.float32)
    labels = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    ours = tf_api.softmax_cross_entropy_with_logits(labels, logits)
    np.testing.assert_array_equal(ours, [2000.0, 2000.0])
    np.testing.assert_array_equal(
        ours, tf.nn.softmax_cross_entropy_with_logits(labels, logits).numpy()
    )
    ours = tf_api.sigmoid_cross_entropy_with_logits(labels, logits)
    np.testing.assert_array_equal(
        ours, tf.nn.sigmoid_cross_entropy_with_logits(labels, logits).numpy()
    )
    assert np.isfinite(ours).all()


def test_gradients_of_the_fused_ops_are_what_the_mirrors_predict(tf_keras):
    """The fused softmax CE kernel returns softmax(z) - t as its gradient, even for labels that do
    not sum to 1 (where the true gradient is softmax(z) * sum(t) - t); sigmoid CE gives
    sigmoid(x) - t."""
    tf, _ = tf_keras
    rng = np.random.default_rng(3)
    logits = tf.Variable(rng.standard_normal((3, 4)))
    labels = rng.random((3, 4))  # rows not summing to 1: the gradient shows it
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels, logits))
    grad = tape.gradient(loss, logits).numpy()
    np.testing.assert_allclose(
        grad, tf_api.softmax(logits.numpy()) - labels, rtol=1e-10, atol=1e-12
    )
    mass = labels.sum(-1)
    true_grad = tf_api.softmax(logits.numpy()) * mass[:, None] - labels
    assert np.abs(grad - true_grad).max() > 1e-2
    numeric = xentlib.numerical_gradient(
        lambda z: tf_api.softmax_cross_entropy_with_logits(labels, z).sum(), logits.numpy()
    )
    np.testing.assert_allclose(numeric, true_grad, atol=1e-8)
    # across a row the fused gradient sums to 1 - s, the true one to s - s = 0 (s = sum of labels)
    np.testing.assert_allclose(grad.sum(-1), 1 - mass, atol=1e-12)
    np.testing.assert_allclose(true_grad.sum(-1), 0, atol=1e-12)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))
    grad = tape.gradient(loss, logits).numpy()
    np.testing.assert_allclose(grad, 1 / (1 + np.exp(-logits.numpy())) - labels, rtol=1e-10)


def test_v2_gradient_flows_into_labels_v1_does_not(tf_keras):
    tf, _ = tf_keras
    labels = tf.Variable([[0.2, 0.3, 0.5]])
    logits = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape(persistent=True) as tape:
        v2 = tf.nn.softmax_cross_entropy_with_logits(labels, logits)
        v1 = tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    np.testing.assert_allclose(
        tape.gradient(v2, labels).numpy(), -tf_api.log_softmax(logits.numpy()), rtol=1e-6
    )
    assert tape.gradient(v1, labels) is None


def test_empty_batch():
    out = tf_api.softmax_cross_entropy_with_logits(np.zeros((0, 3)), np.zeros((0, 3)))
    assert out.shape == (0,)
    out = tf_api.sparse_softmax_cross_entropy_with_logits(np.zeros(0, dtype=int), np.zeros((0, 3)))
    assert out.shape == (0,)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: tf_api.softmax("abc"), TypeError, "logits must be a real-valued"),
        (lambda: tf_api.softmax([1.0, 2.0], axis=1), ValueError, "axis=1 is out of range"),
        (lambda: tf_api.log_softmax([1.0, 2.0], axis=0.0), TypeError, "axis must be an int"),
        (
            lambda: tf_api.softmax_cross_entropy_with_logits([[1, 0]], [[1.0, 2.0, 3.0]]),
            ValueError,
            "labels and logits must have the same shape",
        ),
        (
            lambda: tf_api.softmax_cross_entropy_with_logits(["a", "b"], [1.0, 2.0]),
            TypeError,
            "labels must be a real-valued",
        ),
        (
            lambda: tf_api.softmax_cross_entropy_with_logits([1, 0], [1j, 2.0]),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: tf_api.softmax_cross_entropy_with_logits([1, 0], [1.0, 2.0], axis=2),
            ValueError,
            "axis=2 is out of range",
        ),
        (
            lambda: tf_api.sparse_softmax_cross_entropy_with_logits([3], [[1.0, 2.0, 3.0]]),
            ValueError,
            r"labels must be class indices in \[0, 3\)",
        ),
        (
            lambda: tf_api.sparse_softmax_cross_entropy_with_logits([0.0], [[1.0, 2.0]]),
            TypeError,
            "labels must hold integer class indices",
        ),
        (
            lambda: tf_api.sparse_softmax_cross_entropy_with_logits([0, 1], [[1.0, 2.0]]),
            ValueError,
            r"labels must have shape logits.shape\[:-1\]",
        ),
        (
            lambda: tf_api.sparse_softmax_cross_entropy_with_logits(0, 1.0),
            ValueError,
            "logits must have a class axis",
        ),
        (
            lambda: tf_api.sigmoid_cross_entropy_with_logits([1.0], [1.0, 2.0]),
            ValueError,
            "labels and logits must have the same shape",
        ),
        (
            lambda: tf_api.sigmoid_cross_entropy_with_logits([1.0], "x"),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: tf_api.weighted_cross_entropy_with_logits(
                [1.0, 0.0], [1.0, 2.0], [1.0, 2.0, 3.0]
            ),
            ValueError,
            "pos_weight must broadcast against logits",
        ),
        (
            lambda: tf_api.weighted_cross_entropy_with_logits([1.0], ["a"], 2.0),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: tf_api.log_softmax("z"),
            TypeError,
            "logits must be a real-valued",
        ),
        (
            lambda: tf_api.weighted_cross_entropy_with_logits([1.0], [1.0], "2"),
            TypeError,
            "pos_weight must be a real-valued",
        ),
        (
            lambda: tf_api.weighted_cross_entropy_with_logits([[1.0]], [1.0], 2.0),
            ValueError,
            "labels and logits must have the same shape",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
