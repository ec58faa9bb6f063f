"""xentlib.binary against PyTorch, TensorFlow and Keras: values, gradients, clip ceilings, errors."""

import numpy as np
import pytest
from tolerances import DTYPES, assert_close

import xentlib


def logit_cases(dtype):
    rng = np.random.default_rng(11)
    logits = np.concatenate(
        [rng.normal(size=40) * 8, [-1e3, -500.0, -88.0, -1.0, 0.0, 1.0, 88.0, 500.0, 1e3]]
    )
    labels = np.concatenate([rng.random(40), [1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.0, 1.0, 0.0]])
    return labels.astype(dtype), logits.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_with_logits_matches_tensorflow_and_torch_up_to_1e3(torch, tf_keras, dtype):
    tf, _ = tf_keras
    labels, logits = logit_cases(dtype)
    ours = xentlib.binary_cross_entropy_with_logits(logits, labels)
    assert np.isfinite(ours).all()
    tf_value = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits).numpy()
    loss = torch.nn.BCEWithLogitsLoss(reduction="none")
    torch_value = loss(torch.from_numpy(logits), torch.from_numpy(labels)).numpy()
    assert_close(ours, tf_value, dtype)
    assert_close(ours, torch_value, dtype)
    for empty in (np.zeros(0, dtype), np.zeros((0, 3), dtype)):
        assert xentlib.binary_cross_entropy_with_logits(empty, empty).shape == empty.shape


@pytest.mark.parametrize("dtype", DTYPES)
def test_with_logits_gradient_is_sigmoid_minus_label(torch, dtype):
    labels, logits = logit_cases(dtype)
    x = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(
        x, torch.from_numpy(labels), reduction="sum"
    ).backward()
    assert_close(xentlib.sigmoid(logits) - labels, x.grad.numpy(), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_probs_form_matches_torch_bce_and_keras(torch, tf_keras, dtype):
    _, keras = tf_keras
    rng = np.random.default_rng(12)
    probs = rng.uniform(1e-4, 1 - 1e-4, size=(6, 5)).astype(dtype)
    labels = (rng.random((6, 5)) < 0.5).astype(dtype)
    ours = xentlib.binary_cross_entropy(probs, labels)
    expected = torch.nn.functional.binary_cross_entropy(
        torch.from_numpy(probs), torch.from_numpy(labels), reduction="none"
    ).numpy()
    assert_close(ours, expected, dtype)
    # Keras clips at 1e-7 and averages over the last axis; with nothing clipped it is the mean
    keras_value = keras.losses.binary_crossentropy(labels, probs).numpy()
    np.testing.assert_allclose(ours.mean(axis=-1), keras_value, rtol=1e-6)
    assert xentlib.binary_cross_entropy(np.zeros((0, 2)), np.zeros((0, 2))).shape == (0, 2)


def test_keras_3_clip_ceilings(tf_keras):
    _, keras = tf_keras
    labels = np.array([[1.0], [0.0]], np.float32)
    probs = np.array([[0.0], [1.0]], np.float32)
    keras_value = keras.ops.binary_crossentropy(labels, probs).numpy().ravel()
    ours = xentlib.binary_cross_entropy(probs, labels, eps=1e-7).ravel()
    legacy = xentlib.keras_legacy_binary_crossentropy(labels, probs).ravel()
    np.testing.assert_allclose(keras_value, [16.118095, 15.942385], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours, keras_value, rtol=0, atol=2e-6)
    np.testing.assert_allclose(legacy, keras_value, rtol=0, atol=2e-6)
    # without a clip a certain wrong prediction costs infinity
    assert np.all(xentlib.binary_cross_entropy(probs, labels) == np.inf)


def test_legacy_shim_adds_epsilon_twice(tf_keras):
    tf, _ = tf_keras
    labels = np.array([1.0, 0.0], np.float32)
    probs = np.array([0.0, 1.0], np.float32)
    shim = tf.keras.backend.binary_crossentropy(labels, probs).numpy()
    np.testing.assert_allclose(shim, [15.424949, 15.333239], rtol=0, atol=1e-6)
    assert np.all(xentlib.binary_cross_entropy(probs, labels, eps=1e-7) > shim)


def test_torch_bce_clamps_the_log_at_minus_100(torch):
    probs = torch.tensor([0.0, 1.0, 1e-50], dtype=torch.float64)
    labels = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    value = torch.nn.functional.binary_cross_entropy(probs, labels, reduction="none").numpy()
    np.testing.assert_array_equal(value, [100.0, 100.0, 100.0])
    exact = xentlib.binary_cross_entropy(probs.numpy(), labels.numpy())
    np.testing.assert_array_equal(np.minimum(exact, 100.0), value)
    assert exact[2] == pytest.approx(50 * np.log(10), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_legacy_route_matches_probs_form_inside_the_clip(dtype):
    rng = np.random.default_rng(13)
    probs = rng.uniform(0.01, 0.99, size=50).astype(dtype)
    labels = rng.random(50).astype(dtype)
    legacy = xentlib.keras_legacy_binary_crossentropy(labels, probs)
    # converting to logits and back costs a few ulps of the probability, hence 1e-5 in float32
    np.testing.assert_allclose(
        legacy,
        xentlib.binary_cross_entropy(probs, labels),
        rtol={np.float32: 1e-5, np.float64: 1e-12}[dtype],
    )
    logits = np.log(probs / (1 - probs))
    assert_close(
        xentlib.keras_legacy_binary_crossentropy(labels, logits, from_logits=True),
        xentlib.binary_cross_entropy_with_logits(logits, labels),
        dtype,
    )


def test_published_binary_formula_on_one_hot_labels_seed004softmaxv2():
    y_true = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    probs = np.array([[0.227863, 0.61939586, 0.15274114], [0.49674623, 0.20196195, 0.30129182]])
    terms = -xentlib.binary_cross_entropy(probs, y_true)
    np.testing.assert_allclose(
        terms,
        [[-0.25859328, -0.4790107, -0.16574901], [-0.68666072, -0.225599, -1.19967598]],
        atol=1e-8,
    )
    np.testing.assert_allclose(-terms.sum(axis=1), [0.90335299, 2.11193571], atol=1e-8)


def test_dtypes_and_broadcasting():
    p32 = np.array([0.2, 0.7], np.float32)
    assert xentlib.binary_cross_entropy(p32, [1, 0]).dtype == np.float32
    assert xentlib.binary_cross_entropy(p32, np.array([1.0, 0.0])).dtype == np.float64
    assert xentlib.binary_cross_entropy(np.linspace(0.1, 0.9, 5), 1).shape == (5,)
    assert xentlib.binary_cross_entropy_with_logits(np.zeros(3, np.float32), [[1], [0]]).shape == (
        2,
        3,
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: xentlib.binary_cross_entropy([0.5], [1.5]),
            ValueError,
            r"labels must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: xentlib.binary_cross_entropy([1.2], [1.0]),
            ValueError,
            r"probs must hold probabilities in \[0, 1\], got values in \[1.2, 1.2\]",
        ),
        (
            lambda: xentlib.binary_cross_entropy([np.nan], [1.0]),
            ValueError,
            "probs must not contain NaN",
        ),
        (
            lambda: xentlib.binary_cross_entropy([0.5], "1"),
            TypeError,
            "labels must be a real-valued array, got str",
        ),
        (
            lambda: xentlib.binary_cross_entropy(["a"], [1.0]),
            TypeError,
            "probs must be a real-valued array",
        ),
        (
            lambda: xentlib.binary_cross_entropy([0.5, 0.5, 0.5], [1.0, 0.0]),
            ValueError,
            r"probs and labels must broadcast to one shape, got \(3,\) and \(2,\)",
        ),
        (
            lambda: xentlib.binary_cross_entropy([0.5], [1.0], eps=0.5),
            ValueError,
            r"eps must be in \(0, 0.5\), got 0.5",
        ),
        (
            lambda: xentlib.binary_cross_entropy([0.5], [1.0], eps="1e-7"),
            TypeError,
            "eps must be a real number, got str",
        ),
        (
            lambda: xentlib.binary_cross_entropy_with_logits([np.nan], [0.0]),
            ValueError,
            "logits must not contain NaN",
        ),
        (
            lambda: xentlib.binary_cross_entropy_with_logits([0.0], [2.0]),
            ValueError,
            "labels must hold probabilities",
        ),
        (
            lambda: xentlib.binary_cross_entropy_with_logits([1j], [1.0]),
            TypeError,
            "logits must be a real-valued array, got dtype complex",
        ),
        (
            lambda: xentlib.keras_legacy_binary_crossentropy([-1.0], [0.5]),
            ValueError,
            "target must hold probabilities",
        ),
        (
            lambda: xentlib.keras_legacy_binary_crossentropy([1.0], [3.0]),
            ValueError,
            "output must hold probabilities",
        ),
        (
            lambda: xentlib.keras_legacy_binary_crossentropy([1.0], [0.5], from_logits=1),
            TypeError,
            "from_logits must be True or False, got int",
        ),
        (
            lambda: xentlib.keras_legacy_binary_crossentropy([1.0], [0.5], epsilon=0.0),
            ValueError,
            r"epsilon must be in \(0, 0.5\)",
        ),
        (
            lambda: xentlib.keras_legacy_binary_crossentropy([1.0, 0.0], [[0.5, 0.5, 0.5]]),
            ValueError,
            "output and target must broadcast",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
