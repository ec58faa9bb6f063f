"""xentlib.imbalance: the focal loss and its gradient against closed forms and central differences;
class weights, per-class precision/recall, the precision-recall curve and average precision
against scikit-learn; the logistic-regression trainer; one bad-input test per argument."""

import numpy as np
import pytest
from sklearn import metrics
from sklearn.utils.class_weight import compute_class_weight
from tolerances import DTYPES, assert_close

from xentlib import binary_cross_entropy_with_logits, numerical_gradient, sigmoid
from xentlib.imbalance import (
    average_precision,
    balanced_class_weights,
    fit_binary_classifier,
    focal_loss_with_logits,
    focal_loss_with_logits_grad,
    precision_recall_curve,
    precision_recall_per_class,
)


def logits_and_labels(dtype, n=40, scale=4.0, soft=False, seed=0):
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(n) * scale).astype(dtype)
    y = rng.random(n) if soft else rng.integers(0, 2, n)
    return z, y.astype(dtype)


# --- focal loss ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), (0.75, 0.5), (0.5, 5.0)])
def test_focal_loss_closed_form(dtype, alpha, gamma):
    z, y = logits_and_labels(dtype)
    p = 1 / (1 + np.exp(-z.astype(np.float64)))
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    expected = -alpha_t * (1 - p_t) ** gamma * np.log(p_t)
    assert_close(focal_loss_with_logits(z, y, alpha, gamma), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("soft", [False, True])
def test_gamma_zero_is_the_cross_entropy(dtype, soft):
    z, y = logits_and_labels(dtype, soft=soft, scale=20.0)
    expected = binary_cross_entropy_with_logits(z, y)
    assert_close(focal_loss_with_logits(z, y, gamma=0.0), expected, dtype, scale=20.0)
    weighted = (0.3 * y + 0.7 * (1 - y)) * expected
    assert_close(focal_loss_with_logits(z, y, 0.3, 0.0), weighted, dtype, scale=20.0)


def test_focal_loss_keeps_the_tail_of_easy_examples():
    # 1 - p_t without cancellation: for y = 1, z = 40 the loss is e^(-2*40) * e^(-40), not 0
    loss = focal_loss_with_logits([40.0, -40.0, 800.0], [1, 0, 1])
    np.testing.assert_allclose(loss[:2], np.exp(-120.0), rtol=1e-12)
    assert loss[2] == 0.0 and not np.signbit(loss[2])
    # a confident mistake costs about |z|, as the cross-entropy does
    assert_close(focal_loss_with_logits([-800.0], [1]), [800.0], np.float64)


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize(("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), (0.6, 0.5), (None, 1.0)])
def test_focal_gradient_matches_central_differences(soft, alpha, gamma):
    z, y = logits_and_labels(np.float64, n=12, scale=3.0, soft=soft)
    grad = focal_loss_with_logits_grad(z, y, alpha, gamma)
    numeric = numerical_gradient(lambda v: focal_loss_with_logits(v, y, alpha, gamma).sum(), z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
def test_focal_gradient_closed_forms(dtype):
    z, y = logits_and_labels(dtype, scale=30.0)
    # gamma = 0: alpha_t (sigma(z) - y), the weighted cross-entropy's gradient
    expected = (0.25 * y + 0.75 * (1 - y)) * (sigmoid(z.astype(np.float64)) - y)
    assert_close(focal_loss_with_logits_grad(z, y, 0.25, 0.0), expected, dtype, scale=30.0)
    # hard labels: s (1 - p_t)^gamma (gamma p_t log p_t - (1 - p_t)), s = 2y - 1
    zz = z.astype(np.float64)
    s = 2 * y.astype(np.float64) - 1
    p_t, q = sigmoid(s * zz), sigmoid(-s * zz)
    expected = s * q**2 * (2 * p_t * np.log(p_t) - q)
    assert_close(focal_loss_with_logits_grad(z, y), expected, dtype, scale=30.0)


def test_focal_gradient_keeps_the_tail_of_easy_examples():
    # label 1, large z: -(1 - p)^2 [(1 - p) - 2 p log p] = -3 e^(-3z) (1 + O(e^(-z)))
    z = np.array([20.0, 40.0, 200.0])
    grad = focal_loss_with_logits_grad(z, np.ones(3))
    np.testing.assert_allclose(grad, -3 * np.exp(-3 * z), rtol=1e-8)
    grad0 = focal_loss_with_logits_grad(-z, np.zeros(3))
    np.testing.assert_allclose(grad0, 3 * np.exp(-3 * z), rtol=1e-8)


def test_focal_gradient_is_finite_at_extreme_logits():
    z = np.array([-1e4, -50.0, 50.0, 1e4, 0.0])
    for gamma in (0.0, 0.5, 2.0):
        for y in (0.0, 0.3, 1.0):
            assert np.isfinite(focal_loss_with_logits_grad(z, np.full(5, y), 0.5, gamma)).all()


@pytest.mark.parametrize("function", [focal_loss_with_logits, focal_loss_with_logits_grad])
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"logits": "z"}, TypeError, "logits"),
        ({"logits": [np.nan, 0, 0]}, ValueError, "logits"),
        ({"labels": [0, 1, 2]}, ValueError, "labels"),
        ({"labels": [0, 1]}, ValueError, "broadcast"),
        ({"alpha": 1.25}, ValueError, "alpha"),
        ({"alpha": "a"}, TypeError, "alpha"),
        ({"gamma": -1.0}, ValueError, "gamma"),
        ({"gamma": True}, TypeError, "gamma"),
    ],
)
def test_focal_bad_input(function, kwargs, error, match):
    args = {"logits": np.zeros(3), "labels": np.ones(3)} | kwargs
    with pytest.raises(error, match=match):
        function(**args)


# --- class weights and the measurements ----------------------------------------------------------


def test_balanced_class_weights_match_scikit_learn():
    targets = np.random.default_rng(1).choice(4, size=200, p=[0.7, 0.2, 0.08, 0.02])
    weights = balanced_class_weights(targets, 4)
    expected = compute_class_weight("balanced", classes=np.arange(4), y=targets)
    assert_close(weights, expected, np.float64)
    # every class then weighs N / C, and the weights of the samples sum to N
    assert_close(weights[targets].sum(), float(targets.size), np.float64)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([0, 1, 1.5], 2), TypeError, "targets"),
        (([0, 1, 2], 2), ValueError, "targets"),
        (([[0, 1]], 2), ValueError, "1-D"),
        (([0, 0, 2], 3), ValueError, "class 1"),
        (([0, 1], 2.0), TypeError, "num_classes"),
        (([0, 1], 0), ValueError, "num_classes"),
    ],
)
def test_balanced_class_weights_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        balanced_class_weights(*args)


def test_precision_recall_per_class_matches_scikit_learn():
    rng = np.random.default_rng(2)
    targets = rng.integers(0, 4, 300)
    predictions = np.minimum(np.where(rng.random(300) < 0.7, targets, rng.integers(0, 3, 300)), 2)
    precision, recall = precision_recall_per_class(predictions, targets, 4)
    p, r, _, _ = metrics.precision_recall_fscore_support(
        targets, predictions, labels=np.arange(4), zero_division=np.nan
    )
    assert_close(precision, p, np.float64)
    assert_close(recall, r, np.float64)
    assert np.isnan(precision[3])  # class 3 is never predicted: no precision, not 0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([0.0, 1.0], [0, 1], 2), TypeError, "predictions"),
        (([0, 1], [0, 3], 2), ValueError, "targets"),
        (([0, 1], [0, 1, 1], 2), ValueError, "predictions and targets"),
        (([0, 1], [0, 1], None), TypeError, "num_classes"),
    ],
)
def test_precision_recall_per_class_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        precision_recall_per_class(*args)


@pytest.mark.parametrize("ties", [False, True])
def test_precision_recall_curve_matches_scikit_learn(ties):
    rng = np.random.default_rng(3)
    labels = (rng.random(120) < 0.15).astype(float)
    scores = rng.standard_normal(120) + 1.5 * labels
    if ties:
        scores = np.round(scores, 1)
    ours = precision_recall_curve(scores, labels)
    theirs = metrics.precision_recall_curve(labels, scores)
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a, b, np.float64)
    assert_close(
        average_precision(scores, labels),
        metrics.average_precision_score(labels, scores),
        np.float64,
    )


def test_average_precision_extremes():
    assert average_precision([0.9, 0.8, 0.1, 0.0], [1, 1, 0, 0]) == 1.0
    # the two positives ranked last: precision 1/3 at recall 1/2, then 2/4 at recall 1
    ap = average_precision([0.0, 0.1, 0.8, 0.9], [1, 1, 0, 0])
    assert ap == pytest.approx(0.5 * (1 / 3) + 0.5 * (2 / 4), rel=1e-15)


@pytest.mark.parametrize("function", [precision_recall_curve, average_precision])
@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("s", [1]), TypeError, "scores"),
        (([[0.5]], [[1]]), ValueError, "scores must be 1-D"),
        (([0.5, 0.2], [1]), ValueError, "scores and labels"),
        (([np.nan, 0.2], [1, 0]), ValueError, "scores"),
        (([0.5, 0.2], [1, 0.5]), ValueError, "labels"),
        (([0.5, 0.2], [0, 0]), ValueError, "labels"),
    ],
)
def test_curve_bad_input(function, args, error, match):
    with pytest.raises(error, match=match):
        function(*args)


# --- training ------------------------------------------------------------------------------------


def test_fit_binary_classifier_is_gradient_descent():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((30, 3))
    y = (x[:, 0] + 0.3 * rng.standard_normal(30) > 0).astype(float)
    weight, bias = fit_binary_classifier(x, y, learning_rate=0.5, epochs=3)
    w, b = np.zeros(3), 0.0
    for _ in range(3):
        g = sigmoid(x @ w + b) - y
        w, b = w - 0.5 * x.T @ g / 30, b - 0.5 * g.mean()
    assert_close(weight, w, np.float64)
    assert_close(bias, b, np.float64)
    # a gradient that is a constant multiple of another is the same descent with a scaled step
    scaled = fit_binary_classifier(x, y, lambda z, t: 2 * (sigmoid(z) - t), 0.25, epochs=3)
    assert_close(scaled[0], w, np.float64)
    # the focal gradient with gamma = 0 and no alpha is the cross-entropy's
    focal = fit_binary_classifier(
        x, y, lambda z, t: focal_loss_with_logits_grad(z, t, gamma=0.0), 0.5, epochs=3
    )
    assert_close(focal[0], w, np.float64)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"features": np.zeros(4)}, ValueError, "features"),
        ({"features": "x"}, TypeError, "features"),
        ({"labels": np.zeros(3)}, ValueError, "labels"),
        ({"labels": np.full(4, 2.0)}, ValueError, "labels"),
        ({"loss_grad": 3}, TypeError, "loss_grad"),
        ({"loss_grad": lambda z, t: z[:2]}, ValueError, "loss_grad"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"learning_rate": "1"}, TypeError, "learning_rate"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"epochs": 1.0}, TypeError, "epochs"),
    ],
)
def test_fit_binary_classifier_bad_input(kwargs, error, match):
    args = {"features": np.zeros((4, 2)), "labels": np.array([0, 1, 0, 1.0])} | kwargs
    with pytest.raises(error, match=match):
        fit_binary_classifier(**args)
