"""xentlib.training: the softmax regression replayed in PyTorch, label smoothing against torch and
Keras, the metrics against scikit-learn and direct loops, the progress switch, and the errors."""

import io

import numpy as np
import pytest
from tolerances import DTYPES, MIRROR, assert_close

import xentlib

# central differences in float64 with the default step agree to about 1e-9 for a loss of size 1
# (chapter 09 derives it)
FINITE_DIFFERENCES = 1e-9


def small_problem(seed=0, n=40, d=6, c=4):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, d))
    targets = rng.integers(0, c, size=n)
    weight, bias = xentlib.init_softmax_regression(d, c, scale=0.1, seed=seed)
    return features, targets, weight, bias


def torch_replay(
    torch,
    features,
    targets,
    weight,
    bias,
    *,
    learning_rate,
    epochs,
    batch_size,
    label_smoothing,
    seed,
):
    """The same run in PyTorch autograd, with the row order fit_softmax_regression documents."""
    functional = torch.nn.functional
    x, t = torch.tensor(features), torch.tensor(targets)
    w = torch.tensor(weight, requires_grad=True)
    b = torch.tensor(bias, requires_grad=True)
    n = len(features)
    rng = np.random.default_rng(seed)

    def full_loss():
        with torch.no_grad():
            return functional.cross_entropy(x @ w + b, t, label_smoothing=label_smoothing).item()

    losses = [full_loss()]
    for _ in range(epochs):
        order = np.arange(n) if batch_size is None else rng.permutation(n)
        step = n if batch_size is None else batch_size
        for start in range(0, n, step):
            rows = torch.tensor(order[start : start + step])
            loss = functional.cross_entropy(
                x[rows] @ w + b, t[rows], label_smoothing=label_smoothing
            )
            w.grad = b.grad = None
            loss.backward()
            with torch.no_grad():
                w -= learning_rate * w.grad
                b -= learning_rate * b.grad
        losses.append(full_loss())
    return np.array(losses), w.detach().numpy(), b.detach().numpy()


@pytest.mark.parametrize(("batch_size", "label_smoothing"), [(None, 0.0), (7, 0.0), (16, 0.2)])
def test_training_replays_in_torch(torch, batch_size, label_smoothing):
    features, targets, weight, bias = small_problem()
    kwargs = dict(
        learning_rate=0.3, epochs=12, batch_size=batch_size, label_smoothing=label_smoothing, seed=3
    )
    fit = xentlib.fit_softmax_regression(features, targets, weight, bias, **kwargs)
    losses, w, b = torch_replay(torch, features, targets, weight, bias, **kwargs)
    assert_close(np.array(fit.history["train_loss"]), losses, np.float64)
    assert_close(fit.weight, w, np.float64)
    assert_close(fit.bias, b, np.float64)
    assert losses[-1] < losses[0]


def test_fit_history_and_inputs_untouched():
    features, targets, weight, bias = small_problem()
    before = weight.copy(), bias.copy()
    fit = xentlib.fit_softmax_regression(
        features, targets, weight, bias, epochs=5, validation=(features[:10], targets[:10])
    )
    np.testing.assert_array_equal(weight, before[0])
    np.testing.assert_array_equal(bias, before[1])
    assert set(fit.history) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 6 for v in fit.history.values())
    logits = features[:10] @ fit.weight + fit.bias
    assert fit.history["val_accuracy"][-1] == xentlib.accuracy(logits, targets[:10])
    assert_close(
        np.float64(fit.history["val_loss"][-1]),
        xentlib.softmax_cross_entropy(logits, xentlib.one_hot(targets[:10], 4)),
        np.float64,
    )
    zero = xentlib.fit_softmax_regression(features, targets, weight, bias, epochs=0)
    np.testing.assert_array_equal(zero.weight, weight)


def test_softmax_regression_grad_matches_torch(torch):
    features, targets, weight, bias = small_problem(1)
    labels = xentlib.smooth_labels(xentlib.one_hot(targets, 4), 0.1)
    loss, grad_w, grad_b = xentlib.softmax_regression_grad(features, labels, weight, bias)
    w = torch.tensor(weight, requires_grad=True)
    b = torch.tensor(bias, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(features) @ w + b, torch.tensor(labels)
    )
    expected.backward()
    assert_close(loss, expected, np.float64)
    assert_close(grad_w, w.grad, np.float64)
    assert_close(grad_b, b.grad, np.float64)


def test_softmax_regression_grad_matches_central_differences():
    features, targets, weight, bias = small_problem(2, n=5, d=3, c=3)
    labels = xentlib.one_hot(targets, 3)
    _, grad_w, grad_b = xentlib.softmax_regression_grad(features, labels, weight, bias)

    def loss_of_weight(w):
        return xentlib.softmax_regression_grad(features, labels, w, bias)[0]

    def loss_of_bias(b):
        return xentlib.softmax_regression_grad(features, labels, weight, b)[0]

    numeric_w = xentlib.numerical_gradient(loss_of_weight, weight)
    numeric_b = xentlib.numerical_gradient(loss_of_bias, bias)
    np.testing.assert_allclose(grad_w, numeric_w, rtol=0, atol=FINITE_DIFFERENCES)
    np.testing.assert_allclose(grad_b, numeric_b, rtol=0, atol=FINITE_DIFFERENCES)


@pytest.mark.parametrize("dtype", DTYPES)
def test_label_smoothing_matches_torch_and_keras(torch, tf_keras, dtype):
    _, keras = tf_keras
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 3, size=(6, 5)).astype(dtype)
    targets = rng.integers(0, 5, size=6)
    smoothed = xentlib.smooth_labels(xentlib.one_hot(targets, 5).astype(dtype), 0.15)
    assert smoothed.dtype == dtype
    ours = xentlib.softmax_cross_entropy(logits, smoothed)
    by_torch = torch.nn.functional.cross_entropy(
        torch.tensor(logits), torch.tensor(targets), label_smoothing=0.15
    ).item()
    by_keras = (
        keras.losses.categorical_crossentropy(
            xentlib.one_hot(targets, 5).astype(dtype),
            logits,
            from_logits=True,
            label_smoothing=0.15,
        )
        .numpy()
        .mean()
    )
    assert_close(ours, np.array(by_torch, dtype=dtype), dtype)
    # Keras computes in float32 whatever the input: compare at float32's mirror tolerance
    assert_close(ours, np.array(by_keras, dtype=dtype), np.float32, MIRROR, check_dtype=False)
    assert_close(smoothed.sum(axis=-1), np.ones(6, dtype=dtype), dtype)


def test_one_hot():
    np.testing.assert_array_equal(xentlib.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert xentlib.one_hot([], 3).shape == (0, 3)
    assert xentlib.one_hot([[1]], 2).shape == (1, 1, 2)


def test_metrics_against_sklearn_and_loops():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(4)
    probs = rng.dirichlet(np.ones(4) * 0.5, size=300)
    targets = rng.integers(0, 4, size=300)
    predictions = probs.argmax(axis=1)
    assert xentlib.accuracy(probs, targets) == np.mean(predictions == targets)
    # scikit-learn takes (y_true, y_pred); xentlib the prediction first: the same matrix
    np.testing.assert_array_equal(
        xentlib.confusion_matrix(predictions, targets, 4),
        confusion_matrix(targets, predictions, labels=range(4)),
    )
    bins = xentlib.reliability_bins(probs, targets, n_bins=5)
    confidence = probs.max(axis=1)
    ece = 0.0
    for k in range(5):
        lo, hi = k / 5, (k + 1) / 5
        inside = (confidence > lo) & (confidence <= hi)
        assert bins.counts[k] == inside.sum()
        if inside.any():
            assert_close(bins.confidence[k], confidence[inside].mean(), np.float64)
            accuracy = np.mean(predictions[inside] == targets[inside])
            assert_close(bins.accuracy[k], accuracy, np.float64)
            ece += inside.mean() * abs(accuracy - confidence[inside].mean())
        else:
            assert np.isnan(bins.confidence[k]) and np.isnan(bins.accuracy[k])
    assert_close(
        np.float64(xentlib.expected_calibration_error(probs, targets, n_bins=5)), ece, np.float64
    )
    np.testing.assert_allclose(bins.edges, np.linspace(0, 1, 6))


def test_confusion_matrix_rows_are_true_classes():
    # one sample of class 0 predicted as class 2: row 0 (true), column 2 (predicted)
    matrix = xentlib.confusion_matrix([2, 1], [0, 1], 3)
    np.testing.assert_array_equal(matrix, [[0, 0, 1], [0, 1, 0], [0, 0, 0]])


def test_ece_of_hand_examples():
    # confident and always right: calibrated; confident and right half the time: gap 0.4
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert xentlib.expected_calibration_error(probs, [0, 1]) == 0.0
    probs = np.array([[0.9, 0.1], [0.9, 0.1]])
    assert_close(np.float64(xentlib.expected_calibration_error(probs, [0, 1])), 0.4, np.float64)
    # a confidence on a bin edge goes to the bin below: 0.5 is in (0.4, 0.5]
    assert xentlib.reliability_bins([[0.5, 0.5]], [0], n_bins=10).counts[4] == 1


def test_interactive_session_switch():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert xentlib.interactive_session({}, io.StringIO()) is False
    assert xentlib.interactive_session({}, Tty()) is True
    assert xentlib.interactive_session({"JPY_SESSION_NAME": "ch.ipynb"}, io.StringIO()) is True
    assert (
        xentlib.interactive_session({"XENTLIB_PROGRESS": "0", "JPY_SESSION_NAME": "x"}, Tty())
        is False
    )
    assert xentlib.interactive_session({"XENTLIB_PROGRESS": "yes"}, io.StringIO()) is True
    assert xentlib.interactive_session() is False  # pytest captures stderr; no Jupyter server


def test_progress_bar_goes_to_stderr_only_when_asked(capsys):
    features, targets, weight, bias = small_problem()
    xentlib.fit_softmax_regression(features, targets, weight, bias, epochs=3)
    assert capsys.readouterr() == ("", "")
    xentlib.fit_softmax_regression(features, targets, weight, bias, epochs=3, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "3/3" in err


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f[:, :3], t, w, b),
            ValueError,
            "features has 3 columns but weight has 6 rows",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f[0], t, w, b),
            ValueError,
            r"features must be a 2-D array \(samples, features\), got shape \(6,\)",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t[:5], w, b),
            ValueError,
            r"targets must have shape \(40,\) to match features",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t + 4, w, b),
            ValueError,
            r"targets must be class indices in \[0, 4\)",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f[:0], t[:0], w, b),
            ValueError,
            "features must hold at least one training sample",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b[:3]),
            ValueError,
            r"bias must have shape \(4,\) to match weight",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, learning_rate=-1),
            ValueError,
            r"learning_rate must be in \(0, inf\), got -1.0",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, learning_rate=np.nan),
            ValueError,
            r"learning_rate must be in \(0, inf\), got nan",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, learning_rate="1"),
            TypeError,
            "learning_rate must be a real number",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, epochs=2.0),
            TypeError,
            "epochs must be an int",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, batch_size=0),
            ValueError,
            "batch_size must be at least 1, got 0",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, label_smoothing=1.5),
            ValueError,
            r"label_smoothing must be in \[0, 1\], got 1.5",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, label_smoothing="a"),
            TypeError,
            "label_smoothing must be a real number, got str",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, seed=1.5),
            TypeError,
            "seed must be an int, got float",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, progress="yes"),
            TypeError,
            "progress must be True or False, got str",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, validation=f),
            TypeError,
            "validation must be a pair",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, validation=(f, t[:3])),
            ValueError,
            r"validation targets must have shape \(40,\)",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, validation=(f[:, :2], t)),
            ValueError,
            "features has 2 columns but weight has 6 rows",
        ),
        (
            lambda f, t, w, b: xentlib.fit_softmax_regression(f, t, w, b, validation=(f, t + 4)),
            ValueError,
            r"validation targets must be class indices",
        ),
        (
            lambda f, t, w, b: xentlib.one_hot([0, 3], 3),
            ValueError,
            r"targets must be class indices",
        ),
        (lambda f, t, w, b: xentlib.one_hot([0], 0), ValueError, "num_classes must be at least 1"),
        (
            lambda f, t, w, b: xentlib.smooth_labels(1.0, 0.1),
            ValueError,
            "labels must have at least one",
        ),
        (
            lambda f, t, w, b: xentlib.init_softmax_regression(0, 3),
            ValueError,
            "num_features must be at least 1",
        ),
        (
            lambda f, t, w, b: xentlib.init_softmax_regression(2, 3, scale=-1),
            ValueError,
            r"scale must be in \[0, inf\), got -1.0",
        ),
        (
            lambda f, t, w, b: xentlib.init_softmax_regression(2, 3, scale="a"),
            TypeError,
            "scale must be a real number, got str",
        ),
        (
            lambda f, t, w, b: xentlib.init_softmax_regression(2, 3, seed=-1),
            ValueError,
            "seed must be at least 0, got -1",
        ),
        (
            lambda f, t, w, b: xentlib.init_softmax_regression(2, "3"),
            TypeError,
            "num_classes must be an int, got str",
        ),
        (
            lambda f, t, w, b: xentlib.softmax_regression_grad(f, t, w, b),
            ValueError,
            r"labels must have shape \(40, 4\) to match the logits, got \(40,\)",
        ),
        (
            lambda f, t, w, b: xentlib.predict_proba(f, w.T, b),
            ValueError,
            "features has 6 columns but weight has 4 rows",
        ),
        (
            lambda f, t, w, b: xentlib.smooth_labels([[1.0, 0.0]], 2),
            ValueError,
            r"label_smoothing must be in \[0, 1\], got 2.0",
        ),
        (
            lambda f, t, w, b: xentlib.accuracy([[0.1, 0.9]], [0, 1]),
            ValueError,
            r"targets must have shape \(1,\) to match scores",
        ),
        (lambda f, t, w, b: xentlib.accuracy(0.5, 0), ValueError, "scores must have at least one"),
        (
            lambda f, t, w, b: xentlib.accuracy([[np.nan, 0.5]], [0]),
            ValueError,
            "scores must not contain NaN",
        ),
        (
            lambda f, t, w, b: xentlib.confusion_matrix([1], [0, 1], 2),
            ValueError,
            r"predictions and targets must be 1-D with the same shape, got \(1,\) and \(2,\)",
        ),
        (
            lambda f, t, w, b: xentlib.confusion_matrix([0], [0], 0),
            ValueError,
            "num_classes must be at least 1",
        ),
        (
            lambda f, t, w, b: xentlib.confusion_matrix([0], [3], 2),
            ValueError,
            r"targets must be class indices in \[0, 2\)",
        ),
        (
            lambda f, t, w, b: xentlib.confusion_matrix([1, 2], [0, 1], 2),
            ValueError,
            r"predictions must be class indices in \[0, 2\)",
        ),
        (
            lambda f, t, w, b: xentlib.reliability_bins([[0.5, 1.5]], [0]),
            ValueError,
            r"probs must hold probabilities in \[0, 1\]",
        ),
        (
            lambda f, t, w, b: xentlib.reliability_bins([[0.5, 0.5]], [0, 1]),
            ValueError,
            r"targets must have shape \(1,\) to match probs",
        ),
        (
            lambda f, t, w, b: xentlib.expected_calibration_error([[0.5, 0.5]], [0], n_bins=1.0),
            TypeError,
            "n_bins must be an int, got float",
        ),
        (
            lambda f, t, w, b: xentlib.reliability_bins([[0.5, 0.5]], [0], n_bins=0),
            ValueError,
            "n_bins must be at least 1",
        ),
        (
            lambda f, t, w, b: xentlib.expected_calibration_error(np.zeros((0, 2)), []),
            ValueError,
            "probs must hold at least one prediction",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call(*small_problem())
