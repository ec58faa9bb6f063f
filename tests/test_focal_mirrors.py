"""The focal-loss mirrors against the frameworks: keras_api's two focal losses against Keras 3,
torch_api.sigmoid_focal_loss against torchvision's definition written in torch (torchvision
itself is not a dependency), in float32 and float64; and one bad-input test per argument."""

import numpy as np
import pytest
from tolerances import DTYPES, MIRROR, assert_close

from xentlib import keras_api, torch_api

SCALES = [1.0, 8.0, 40.0]


def make_logits(seed, shape, dtype, scale):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def make_probs(seed, shape, dtype):
    """Probabilities with exact 0s and 1s, so that Keras's clip is exercised."""
    rng = np.random.default_rng(seed)
    probs = rng.random(shape)
    probs[rng.random(shape) < 0.15] = 0.0
    probs[rng.random(shape) < 0.15] = 1.0
    return probs.astype(dtype)


def binary_labels(seed, shape, dtype, soft=False):
    rng = np.random.default_rng(seed + 1)
    labels = rng.random(shape) if soft else rng.integers(0, 2, size=shape)
    return labels.astype(dtype)


def one_hot(seed, shape, dtype):
    rng = np.random.default_rng(seed + 1)
    return np.eye(shape[-1], dtype=dtype)[rng.integers(0, shape[-1], size=shape[:-1])]


# --- torchvision's definition, written from its documentation ------------------------------------


def torchvision_sigmoid_focal_loss(torch, inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss as documented: BCE from logits times (1 - p_t)**gamma,
    times alpha_t unless alpha < 0; reduction 'none' / 'mean' / 'sum' over all elements."""
    p = torch.sigmoid(inputs)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = targets * p + (1 - targets) * (1 - p)
    loss = bce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (targets * alpha + (1 - targets) * (1 - alpha)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def test_reference_cross_checked_against_binary_cross_entropy(torch):
    # gamma = 0 and alpha < 0 leave the plain cross-entropy; alpha weights its two terms
    x = torch.linspace(-30, 30, 41, dtype=torch.float64)
    t = (torch.arange(41) % 2).to(torch.float64)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    plain = torchvision_sigmoid_focal_loss(torch, x, t, -1, 0.0, "none")
    assert_close(plain, bce(x, t, reduction="none"), np.float64, MIRROR)
    weighted = torchvision_sigmoid_focal_loss(torch, x, t, 0.25, 0.0, "sum")
    expected = bce(x, t, weight=0.25 * t + 0.75 * (1 - t), reduction="sum")
    assert_close(weighted, expected, np.float64, MIRROR)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (-1.0, 2.0), (0.9, 0.5), (0.5, 0.0)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("soft", [False, True])
def test_sigmoid_focal_loss_matches_torchvision(torch, dtype, scale, alpha, gamma, reduction, soft):
    x = make_logits(3, (6, 5), dtype, scale)
    t = binary_labels(3, (6, 5), dtype, soft)
    ours = torch_api.sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction=reduction)
    ref = torchvision_sigmoid_focal_loss(
        torch, torch.from_numpy(x), torch.from_numpy(t), alpha, gamma, reduction
    )
    assert_close(ours, ref, dtype, MIRROR, scale=scale)


def test_sigmoid_focal_loss_defaults(torch):
    x, t = make_logits(0, (4, 3), np.float64, 3.0), binary_labels(0, (4, 3), np.float64)
    ref = torchvision_sigmoid_focal_loss(
        torch, torch.from_numpy(x), torch.from_numpy(t), 0.25, 2, "none"
    )
    assert_close(torch_api.sigmoid_focal_loss(x, t), ref, np.float64, MIRROR)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"inputs": "a"}, TypeError, "inputs"),
        ({"targets": np.zeros((2, 2))}, ValueError, "inputs and targets"),
        ({"targets": np.full(3, 2.0)}, ValueError, "targets"),
        ({"alpha": 1.5}, ValueError, "alpha"),
        ({"alpha": "0.25"}, TypeError, "alpha"),
        ({"gamma": -1.0}, ValueError, "gamma"),
        ({"gamma": None}, TypeError, "gamma"),
        ({"reduction": "batchmean"}, ValueError, "reduction"),
    ],
)
def test_sigmoid_focal_loss_bad_input(kwargs, error, match):
    args = {"inputs": np.zeros(3), "targets": np.ones(3)} | kwargs
    with pytest.raises(error, match=match):
        torch_api.sigmoid_focal_loss(**args)


# --- Keras -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("balancing", [False, True])
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (0.7, 0.0), (0.5, 3.5)])
@pytest.mark.parametrize(("label_smoothing", "axis"), [(0.0, -1), (0.2, -1), (0.0, 0)])
def test_binary_focal_crossentropy_matches_keras(
    tf_keras, dtype, from_logits, balancing, alpha, gamma, label_smoothing, axis
):
    _, keras = tf_keras
    shape = (5, 4)
    for scale in SCALES if from_logits else [None]:
        y_pred = make_logits(7, shape, dtype, scale) if from_logits else make_probs(7, shape, dtype)
        y_true = binary_labels(7, shape, dtype)
        kwargs = dict(
            apply_class_balancing=balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        expected = keras.losses.binary_focal_crossentropy(y_true, y_pred, **kwargs)
        ours = keras_api.binary_focal_crossentropy(y_true, y_pred, **kwargs)
        assert_close(ours, expected, dtype, MIRROR, scale=scale or 1.0)


def test_binary_focal_crossentropy_keras_docstring_example():
    # the example of Keras's docstring, gamma=2: [0.330, 0.206]
    y_true, y_pred = [[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], np.float32)
    ours = keras_api.binary_focal_crossentropy(y_true, y_pred, gamma=2)
    np.testing.assert_allclose(ours, [0.330, 0.206], atol=5e-4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize(
    ("alpha", "gamma"), [(0.25, 2.0), (1.0, 0.0), (0.5, 4.0), ([0.1, 0.2, 0.3, 2.0], 2.0)]
)
@pytest.mark.parametrize(("label_smoothing", "axis"), [(0.0, -1), (0.3, -1), (0.0, 0)])
def test_categorical_focal_crossentropy_matches_keras(
    tf_keras, dtype, from_logits, alpha, gamma, label_smoothing, axis
):
    _, keras = tf_keras
    shape = (4, 4)
    for scale in SCALES if from_logits else [None]:
        if from_logits:
            y_pred = make_logits(11, shape, dtype, scale)
        else:
            y_pred = make_probs(11, shape, dtype)
            np.moveaxis(y_pred, axis, -1)[..., 0] += 0.5  # every row has a positive sum
        y_true = np.moveaxis(one_hot(11, shape, dtype), -1, axis)
        kwargs = dict(
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        expected = keras.losses.categorical_focal_crossentropy(y_true, y_pred, **kwargs)
        ours = keras_api.categorical_focal_crossentropy(y_true, y_pred, **kwargs)
        assert_close(ours, expected, dtype, MIRROR)


def test_categorical_focal_crossentropy_keras_docstring_example():
    # Keras's docstring prints [2.63401289e-04, 6.75912094e-01] for this example, but Keras 3.15
    # computes [3.2058331e-05, 4.6627346e-01]: 0.25 * 0.9**2 * -log(0.1) for the second sample
    y_true = [[0, 1, 0], [0, 0, 1]]
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], np.float32)
    ours = keras_api.categorical_focal_crossentropy(y_true, y_pred)
    np.testing.assert_allclose(ours, [3.2058331e-05, 4.6627346e-01], rtol=1e-6)
    np.testing.assert_allclose(ours[1], 0.25 * 0.9**2 * -np.log(0.1), rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y_true": np.zeros((2, 2))}, ValueError, "y_true and y_pred"),
        ({"y_pred": "x"}, TypeError, "y_pred"),
        ({"y_pred": np.full(3, 1.5)}, ValueError, "y_pred"),
        ({"apply_class_balancing": 1}, TypeError, "apply_class_balancing"),
        ({"alpha": -0.1}, ValueError, "alpha"),
        ({"alpha": [0.1, 0.2]}, TypeError, "alpha"),
        ({"gamma": -2.0}, ValueError, "gamma"),
        ({"from_logits": "yes"}, TypeError, "from_logits"),
        ({"label_smoothing": 1.5}, ValueError, "label_smoothing"),
        ({"axis": 1}, ValueError, "axis"),
    ],
)
def test_binary_focal_crossentropy_bad_input(kwargs, error, match):
    args = {"y_true": np.ones(3), "y_pred": np.full(3, 0.5)} | kwargs
    with pytest.raises(error, match=match):
        keras_api.binary_focal_crossentropy(**args)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y_true": np.zeros((3, 3))}, ValueError, "y_true and y_pred"),
        ({"y_pred": "x"}, TypeError, "y_pred"),
        ({"y_pred": np.array([[0.5, -0.5, 1.0], [1, 0, 0]])}, ValueError, "y_pred"),
        (
            {"y_pred": np.array([[np.inf, 0, 0], [0, 0, 0]]), "from_logits": True},
            ValueError,
            "y_pred",
        ),
        ({"alpha": -0.25}, ValueError, "alpha"),
        ({"alpha": [1.0, 2.0]}, ValueError, "alpha"),
        ({"alpha": "a"}, TypeError, "alpha"),
        ({"gamma": -0.5}, ValueError, "gamma"),
        ({"from_logits": None}, TypeError, "from_logits"),
        ({"label_smoothing": -0.1}, ValueError, "label_smoothing"),
        ({"axis": 2}, ValueError, "axis"),
    ],
)
def test_categorical_focal_crossentropy_bad_input(kwargs, error, match):
    args = {"y_true": np.eye(3)[[0, 2]], "y_pred": np.full((2, 3), 1 / 3)} | kwargs
    with pytest.raises(error, match=match):
        keras_api.categorical_focal_crossentropy(**args)
