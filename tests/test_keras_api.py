"""xentlib.keras_api against keras.losses (Keras 3, TensorFlow backend): values, options, errors."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tolerances import DTYPES, MIRROR, assert_close

from xentlib import keras_api


def make_probs(seed, shape, dtype):
    """Unnormalised probabilities with exact 0s and 1s, so that the clip is exercised."""
    rng = np.random.default_rng(seed)
    probs = rng.random(shape)
    probs[rng.random(shape) < 0.2] = 0.0
    probs[rng.random(shape) < 0.1] = 1.0
    return probs.astype(dtype)


def make_logits(seed, shape, dtype, scale):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def one_hot(seed, shape, dtype):
    rng = np.random.default_rng(seed + 1)
    return np.eye(shape[-1], dtype=dtype)[rng.integers(0, shape[-1], size=shape[:-1])]


shapes = st.one_of(
    st.tuples(st.integers(0, 4), st.integers(2, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(2, 4)),
)
common = {
    "seed": st.integers(0, 2**31),
    "dtype": st.sampled_from(DTYPES),
    "from_logits": st.booleans(),
    "scale": st.sampled_from([1.0, 20.0, 1e3]),
}


@settings(max_examples=40, deadline=None)
@given(
    shape=shapes,
    label_smoothing=st.sampled_from([0.0, 0.1, 1.0]),
    axis=st.sampled_from([-1, 0]),
    **common,
)
def test_categorical_crossentropy_matches_keras(
    tf_keras, seed, shape, dtype, from_logits, scale, label_smoothing, axis
):
    _, keras = tf_keras
    assume(shape[axis] > 0)  # at least one class
    if from_logits:
        y_pred = make_logits(seed, shape, dtype, scale)
    else:
        y_pred = make_probs(seed, shape, dtype)
        np.moveaxis(y_pred, axis, -1)[..., 0] += 0.5  # every row along axis has a positive sum
    y_true = one_hot(seed, shape, dtype)
    expected = keras.losses.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    ).numpy()
    actual = keras_api.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    )
    assert_close(actual, expected, dtype, MIRROR, scale if from_logits else 1.0)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, ignore_class=st.sampled_from([None, -1, 255, 0]), **common)
def test_sparse_categorical_crossentropy_matches_keras(
    tf_keras, seed, shape, dtype, from_logits, scale, ignore_class
):
    _, keras = tf_keras
    rng = np.random.default_rng(seed + 3)
    y_pred = (
        make_logits(seed, shape, dtype, scale) if from_logits else make_probs(seed, shape, dtype)
    )
    y_true = rng.integers(0, shape[-1], size=shape[:-1])
    if ignore_class is not None and ignore_class != 0:
        y_true[rng.random(y_true.shape) < 0.3] = ignore_class
    expected = keras.losses.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class
    ).numpy()
    actual = keras_api.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class
    )
    assert_close(actual, expected, dtype, MIRROR, scale if from_logits else 1.0)
    # a trailing length-1 axis on y_true is squeezed; float labels are cast, as in Keras
    same = keras_api.sparse_categorical_crossentropy(
        y_true[..., None].astype(dtype), y_pred, from_logits=from_logits, ignore_class=ignore_class
    )
    np.testing.assert_array_equal(same, actual)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), dtype=st.sampled_from(DTYPES), from_logits=st.booleans())
def test_sparse_other_axis_equals_moving_the_axis_last(seed, dtype, from_logits):
    y_pred = make_probs(seed, (4, 3, 2), dtype)  # classes on axis 1
    y_true = np.random.default_rng(seed).integers(0, 3, size=(4, 2))
    moved = keras_api.sparse_categorical_crossentropy(
        y_true, np.moveaxis(y_pred, 1, -1), from_logits
    )
    np.testing.assert_array_equal(
        keras_api.sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis=1), moved
    )


@settings(max_examples=40, deadline=None)
@given(
    shape=shapes,
    label_smoothing=st.sampled_from([0.0, 0.2]),
    axis=st.sampled_from([-1, 0]),
    **common,
)
def test_binary_crossentropy_matches_keras(
    tf_keras, seed, shape, dtype, from_logits, scale, label_smoothing, axis
):
    _, keras = tf_keras
    assume(shape[axis] > 0)  # the mean over an empty axis is nan in both, not a comparison
    if from_logits:
        y_pred = make_logits(seed, shape, dtype, scale)
    else:
        y_pred = np.minimum(make_probs(seed, shape, dtype), 1)
    y_true = (np.random.default_rng(seed + 1).random(shape) < 0.5).astype(dtype)
    expected = keras.losses.binary_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    ).numpy()
    actual = keras_api.binary_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    )
    assert_close(actual, expected, dtype, MIRROR, scale if from_logits else 1.0)


def test_published_keras_docstring_values():
    """The examples in the docstrings of keras.losses, to the digits they print."""
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=np.float32)
    cce = keras_api.categorical_crossentropy([[0, 1, 0], [0, 0, 1]], y_pred)
    np.testing.assert_allclose(cce, [0.0513, 2.303], atol=5e-4)
    scce = keras_api.sparse_categorical_crossentropy([1, 2], y_pred)
    np.testing.assert_allclose(scce, [0.0513, 2.303], atol=5e-4)
    bce = keras_api.binary_crossentropy([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]]))
    np.testing.assert_allclose(bce, [0.916, 0.714], atol=5e-4)


def test_seed_002_and_the_clip_constants():
    y_true = np.eye(3, dtype=np.float32)
    y_pred = np.array([[0.9, 0.05, 0.05], [0.05, 0.89, 0.06], [0.05, 0.01, 0.94]], np.float32)
    np.testing.assert_allclose(
        keras_api.categorical_crossentropy(y_true, y_pred),
        [0.10536055, 0.11653383, 0.06187541],
        rtol=1e-6,
    )
    # p = 0 for the true class: -log(1e-7) in float32
    assert keras_api.categorical_crossentropy(np.float32([1, 0]), np.float32([0, 1])) == np.float32(
        16.118095
    )
    assert keras_api.binary_crossentropy(np.float32([1]), np.float32([0])) == np.float32(16.118095)
    assert keras_api.binary_crossentropy(np.float32([0]), np.float32([1])) == np.float32(15.942385)


def test_sparse_clips_before_it_renormalises():
    probs = np.float32([[1, 1, 2]])
    sparse = keras_api.sparse_categorical_crossentropy([2], probs)
    dense = keras_api.categorical_crossentropy(np.float32([[0, 0, 1]]), probs)
    np.testing.assert_allclose([sparse[0], dense[0]], [np.log(3), np.log(2)], rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: keras_api.categorical_crossentropy("ab", [0.5, 0.5]),
            TypeError,
            "y_true must be a real-valued",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5, 0.0]),
            ValueError,
            "y_true and y_pred must have the same shape",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [-0.5, 1.5]),
            ValueError,
            "y_pred must hold finite non-negative probabilities",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.0, 0.0]),
            ValueError,
            "y_pred must have a positive sum",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5], from_logits="no"),
            TypeError,
            "from_logits must be True or False",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5], label_smoothing=1.5),
            ValueError,
            r"label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5], label_smoothing="0.1"),
            TypeError,
            "label_smoothing must be a real number",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5], axis=True),
            TypeError,
            "axis must be an int",
        ),
        (
            lambda: keras_api.categorical_crossentropy([1, 0], [0.5, 0.5], axis=1),
            ValueError,
            "axis=1 is out of range",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0.5], [[0.5, 0.5]]),
            TypeError,
            "y_true must hold integer class indices",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([2], [[0.5, 0.5]]),
            ValueError,
            r"y_true must be class indices in \[0, 2\), got values in \[2, 2\]",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0, 1], [[0.5, 0.5]]),
            ValueError,
            r"y_true must have shape \(1,\)",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0], [[0.5, np.nan]]),
            ValueError,
            "y_pred must not contain NaN",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0], [["a", "b"]]),
            TypeError,
            "y_pred must be a real-valued",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0], [[0.5, 0.5]], from_logits=1),
            TypeError,
            "from_logits must be True or False",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0], [[0.5, 0.5]], ignore_class=1.0),
            TypeError,
            "ignore_class must be an int, got float",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([-1], [[0.5, 0.5]], ignore_class=255),
            ValueError,
            r"in \[0, 2\) or ignore_class=255",
        ),
        (
            lambda: keras_api.sparse_categorical_crossentropy([0], [[0.5, 0.5]], axis=2),
            ValueError,
            "axis=2 is out of range",
        ),
        (
            lambda: keras_api.binary_crossentropy([1.0], [1.5]),
            ValueError,
            r"y_pred must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: keras_api.binary_crossentropy([[1.0]], [1.0]),
            ValueError,
            "y_true and y_pred must have the same shape",
        ),
        (
            lambda: keras_api.binary_crossentropy([1.0], [0.5], label_smoothing=-0.1),
            ValueError,
            r"label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda: keras_api.binary_crossentropy([1.0], [0.5], from_logits=None),
            TypeError,
            "from_logits must be True or False",
        ),
        (
            lambda: keras_api.binary_crossentropy(1.0, 0.5),
            ValueError,
            "needs an array with at least one dimension",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
