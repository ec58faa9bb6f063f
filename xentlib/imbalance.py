"""Imbalanced classes and hard examples: the focal loss and its gradient, balanced class weights,
and the measurements that judge a classifier of a rare class (per-class precision and recall, the
precision-recall curve, average precision).

Defined in :doc:`/chapters/14_imbalance_and_focal_loss`.
"""

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_callable,
    check_int,
    check_no_nan,
    check_probabilities,
    check_real,
    check_same_shape,
)
from ._ops import positive_zero
from .binary import _binary_cross_entropy_with_logits
from .gradients import _sigmoid_cross_entropy_grad
from .likelihood_losses import _gradient_descent, _logits_and_labels
from .softmax import sigmoid


def _check_focal(alpha, gamma):
    """``alpha`` (None or a real number in [0, 1]) and ``gamma`` (a real number >= 0)."""
    if alpha is not None:
        alpha = check_real(alpha, "alpha", 0, 1)
    return alpha, check_real(gamma, "gamma", low=0)


def focal_loss_with_logits(logits, labels, alpha=None, gamma=2.0):
    r"""The binary focal loss of a sigmoid output, element by element, from the logits.

    The binary cross-entropy of :math:`p_t`, the probability the model gives to the true label,
    weighted by :math:`(1 - p_t)^\gamma` and, optionally, by :math:`\alpha_t`
    :cite:p:`lin2017focal`:

    .. math:: \mathrm{FL}(z, y) = -\alpha_t\,(1 - p_t)^\gamma \log p_t, \qquad
              p_t = y\,\sigma(z) + (1 - y)\,(1 - \sigma(z)), \qquad
              \alpha_t = y\,\alpha + (1 - y)(1 - \alpha)

    For soft labels :math:`-\log p_t` is read as the binary cross-entropy
    :math:`-y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))`, as Keras and torchvision do.
    :math:`1 - p_t = y\,\sigma(-z) + (1 - y)\,\sigma(z)` is computed in that form, without the
    cancellation of ``1 - p_t``, so an easy example's tiny loss keeps its digits.

    Parameters
    ----------
    logits : array_like
        Scores :math:`z` with :math:`P(y = 1) = \sigma(z)`; broadcast against ``labels``.
    labels : array_like
        Targets :math:`y` in [0, 1].
    alpha : float in [0, 1] or None, default None
        The weight of the label 1 (the label 0 gets :math:`1 - \alpha`); ``None`` weights both
        by 1. :cite:t:`lin2017focal` use 0.25 with :math:`\gamma = 2`.
    gamma : float, default 2.0
        The focusing exponent :math:`\gamma \ge 0`; 0 gives the (weighted) cross-entropy.

    Returns
    -------
    numpy.ndarray
        The per-element loss in the broadcast shape; float32 when ``logits`` is float32 and the
        labels are float32 or integer, float64 otherwise.

    Raises
    ------
    TypeError
        If an array is not real-valued, or ``alpha`` or ``gamma`` is not a real number.
    ValueError
        If ``labels`` leave [0, 1], an array holds NaN, the shapes do not broadcast, ``alpha`` is
        outside [0, 1] or ``gamma`` is negative.

    References
    ----------
    :cite:t:`lin2017focal`, equation (5).

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    alpha, gamma = _check_focal(alpha, gamma)
    return _focal_loss_with_logits(logits, labels, alpha, gamma)


def _one_minus_p_t(logits, labels):
    """:math:`1 - p_t = y \\sigma(-z) + (1 - y) \\sigma(z)`, without cancellation."""
    return labels * sigmoid(-logits) + (1 - labels) * sigmoid(logits)


def _alpha_t(labels, alpha):
    return labels * alpha + (1 - labels) * (1 - alpha)


def _focal_loss_with_logits(logits, labels, alpha, gamma):
    """The maths of :func:`focal_loss_with_logits`, without the argument checks."""
    # the cross-entropy, reweighted by how wrong the model still is: easy examples fade out
    loss = _one_minus_p_t(logits, labels) ** gamma * _binary_cross_entropy_with_logits(
        logits, labels
    )
    if alpha is not None:
        loss = _alpha_t(labels, alpha) * loss
    return positive_zero(loss.astype(logits.dtype, copy=False))


def focal_loss_with_logits_grad(logits, labels, alpha=None, gamma=2.0):
    r"""The derivative of :func:`focal_loss_with_logits` in each logit.

    With :math:`q = 1 - p_t`, :math:`\ell = -y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))` and
    :math:`r = \sigma(z)\,\sigma(-z) / q`:

    .. math:: \frac{\partial \mathrm{FL}}{\partial z}
              = \alpha_t\, q^\gamma \bigl[\sigma(z) - y + \gamma\,(1 - 2y)\, r\, \ell\bigr]

    For a hard label this is :math:`\alpha_t\, s\, (1 - p_t)^\gamma
    \bigl[\gamma\, p_t \log p_t - (1 - p_t)\bigr]` with :math:`s = 2y - 1`; for
    :math:`\gamma = 0` it is :math:`\alpha_t (\sigma(z) - y)`, the cross-entropy's.

    Parameters
    ----------
    logits : array_like
        Scores :math:`z`; broadcast against ``labels``.
    labels : array_like
        Targets :math:`y` in [0, 1].
    alpha : float in [0, 1] or None, default None
        As in :func:`focal_loss_with_logits`.
    gamma : float, default 2.0
        As in :func:`focal_loss_with_logits`.

    Returns
    -------
    numpy.ndarray
        :math:`\partial \mathrm{FL} / \partial z` per element, in the broadcast shape and dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued, or ``alpha`` or ``gamma`` is not a real number.
    ValueError
        As :func:`focal_loss_with_logits`.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    alpha, gamma = _check_focal(alpha, gamma)
    return _focal_loss_with_logits_grad(logits, labels, alpha, gamma)


def _focal_loss_with_logits_grad(logits, labels, alpha, gamma):
    """The maths of :func:`focal_loss_with_logits_grad`, without the argument checks."""
    z, y = logits.astype(np.float64), labels.astype(np.float64)
    p, p_neg = sigmoid(z), sigmoid(-z)
    q = _one_minus_p_t(z, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        # r = sigma(z) sigma(-z) / q lies in [0, 1]; where q underflows, q**gamma is 0 anyway
        r = np.where(q > 0, p * p_neg / q, 0.0)
    # d(q**gamma)/dz = gamma q**gamma (1 - 2y) r, and d(ce)/dz = sigma(z) - y, written as
    # (1 - y) sigma(z) - y sigma(-z) so that a hard label keeps the digits of a tiny gradient
    ce_grad = (1 - y) * p - y * p_neg
    grad = q**gamma * (ce_grad + gamma * (1 - 2 * y) * r * _binary_cross_entropy_with_logits(z, y))
    if alpha is not None:
        grad = _alpha_t(y, alpha) * grad
    return positive_zero(grad.astype(logits.dtype))


def balanced_class_weights(targets, num_classes):
    r"""The weight of each class that makes every class weigh as much in total ("balanced").

    .. math:: w_c = \frac{N}{C\, N_c}

    where :math:`N_c` counts the samples of class :math:`c`; then :math:`\sum_n w_{y_n} = N`,
    and each class contributes :math:`N / C` of that sum. This is scikit-learn's
    ``class_weight="balanced"``.

    Parameters
    ----------
    targets : array_like of int
        Class indices in ``[0, num_classes)``, 1-D.
    num_classes : int
        Number of classes :math:`C`, at least 1.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(num_classes,)``.

    Raises
    ------
    TypeError
        If ``targets`` are not integers or ``num_classes`` is not an int.
    ValueError
        If ``targets`` is not 1-D, a target is out of range, or a class has no sample (its
        weight would be infinite).

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    targets = as_class_indices(targets, num_classes)
    if targets.ndim != 1:
        raise ValueError(f"targets must be 1-D, got shape {targets.shape}")
    counts = np.bincount(targets, minlength=num_classes)
    if (counts == 0).any():
        raise ValueError(
            f"targets must hold every class at least once, class {int(np.argmin(counts))} has none"
        )
    return _balanced_class_weights(targets, num_classes)


def _balanced_class_weights(targets, num_classes):
    """The maths of :func:`balanced_class_weights`, without the argument checks."""
    counts = np.bincount(targets, minlength=num_classes)
    return targets.size / (num_classes * counts.astype(np.float64))


def precision_recall_per_class(predictions, targets, num_classes):
    r"""Precision and recall of every class, from predicted and true class indices.

    .. math:: \mathrm{precision}_c = \frac{|\{\hat y_n = c,\ y_n = c\}|}{|\{\hat y_n = c\}|},
              \qquad
              \mathrm{recall}_c = \frac{|\{\hat y_n = c,\ y_n = c\}|}{|\{y_n = c\}|}

    A class that is never predicted has no precision (``nan``), one that never occurs has no
    recall (``nan``): 0/0 is reported as such, not as 0.

    Parameters
    ----------
    predictions : array_like of int
        Predicted class indices in ``[0, num_classes)``.
    targets : array_like of int
        True class indices, ``predictions``' shape.
    num_classes : int
        Number of classes :math:`C`, at least 1.

    Returns
    -------
    tuple of numpy.ndarray
        ``(precision, recall)``, float64, each of shape ``(num_classes,)``.

    Raises
    ------
    TypeError
        If an index array is not integer or ``num_classes`` is not an int.
    ValueError
        If the shapes differ or an index is out of range.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    predictions = as_class_indices(predictions, num_classes, "predictions")
    targets = as_class_indices(targets, num_classes, "targets")
    check_same_shape(predictions, targets, "predictions", "targets")
    return _precision_recall_per_class(predictions, targets, num_classes)


def _precision_recall_per_class(predictions, targets, num_classes):
    """The maths of :func:`precision_recall_per_class`, without the argument checks."""
    hits = np.bincount(targets[predictions == targets], minlength=num_classes).astype(float)
    predicted = np.bincount(predictions.ravel(), minlength=num_classes)
    actual = np.bincount(targets.ravel(), minlength=num_classes)
    with np.errstate(invalid="ignore"):  # 0 / 0 is nan: no precision (recall) to speak of
        return hits / predicted, hits / actual


def _scores_and_labels(scores, labels):
    scores = as_float_array(scores, "scores")
    labels = as_float_array(labels, "labels")
    if scores.ndim != 1:
        raise ValueError(f"scores must be 1-D, got shape {scores.shape}")
    check_same_shape(scores, labels, "scores", "labels")
    check_no_nan(scores, "scores")
    check_probabilities(labels, "labels")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    if not labels.any():
        raise ValueError("labels must hold at least one 1: recall needs a positive sample")
    return scores.astype(np.float64), labels.astype(np.float64)


def precision_recall_curve(scores, labels):
    r"""Precision and recall of the rule "predict 1 when the score is at least :math:`t`", for
    every threshold :math:`t` among the scores.

    .. math:: P(t) = \frac{|\{s_n \ge t,\ y_n = 1\}|}{|\{s_n \ge t\}|}, \qquad
              R(t) = \frac{|\{s_n \ge t,\ y_n = 1\}|}{|\{y_n = 1\}|}

    The conventions are scikit-learn's ``precision_recall_curve`` (version 1.9): the thresholds
    are the distinct scores in increasing order, and a last point :math:`(P, R) = (1, 0)` with
    no threshold closes the curve.

    Parameters
    ----------
    scores : array_like
        A score per sample, higher meaning "more likely 1" (a probability or a logit); 1-D.
    labels : array_like
        The true labels, 0 or 1, ``scores``' shape; at least one 1.

    Returns
    -------
    tuple of numpy.ndarray
        ``(precision, recall, thresholds)``: float64, the first two one longer than the third;
        recall falls from 1 to 0 along them.

    Raises
    ------
    TypeError
        If an array is not real-valued.
    ValueError
        If ``scores`` is not 1-D, the shapes differ, ``scores`` hold NaN, or ``labels`` are not
        all 0 or 1 or hold no 1.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    return _precision_recall_curve(*_scores_and_labels(scores, labels))


def _precision_recall_curve(scores, labels):
    """The maths of :func:`precision_recall_curve`, without the argument checks."""
    order = np.argsort(-scores, kind="stable")
    scores, labels = scores[order], labels[order]
    # the last sample of every run of equal scores: a threshold there takes the whole run
    ends = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    true_pos = np.cumsum(labels)[ends]
    precision = true_pos / (ends + 1.0)
    recall = true_pos / true_pos[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], scores[ends][::-1]


def average_precision(scores, labels):
    r"""The area under the precision-recall curve, as the step sum of scikit-learn.

    .. math:: \mathrm{AP} = \sum_k (R_k - R_{k+1})\, P_k

    over the points of :func:`precision_recall_curve`: the precision at each threshold, weighted
    by the recall it adds. A classifier that ranks every positive above every negative has
    AP = 1; one that ranks at random has, on average, the share of positives.

    Parameters
    ----------
    scores : array_like
        A score per sample, 1-D.
    labels : array_like
        The true labels, 0 or 1, ``scores``' shape; at least one 1.

    Returns
    -------
    float
        AP in (0, 1].

    Raises
    ------
    TypeError
        If an array is not real-valued.
    ValueError
        As :func:`precision_recall_curve`.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    return _average_precision(*_scores_and_labels(scores, labels))


def _average_precision(scores, labels):
    """The maths of :func:`average_precision`, without the argument checks."""
    precision, recall, _ = _precision_recall_curve(scores, labels)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def fit_binary_classifier(features, labels, loss_grad=None, learning_rate=1.0, epochs=200):
    r"""A logistic regression trained by full-batch gradient descent on a per-sample loss.

    With :math:`z_n = x_n \cdot w + b` and :math:`g_n = \partial \ell_n / \partial z_n` from
    ``loss_grad``, each step of the mean loss :math:`\frac1N \sum_n \ell_n` is

    .. math:: w \leftarrow w - \frac{\eta}{N} X^\top g, \qquad
              b \leftarrow b - \frac{\eta}{N} \sum_n g_n

    starting from :math:`w = 0, b = 0`, so the result is deterministic.

    Parameters
    ----------
    features : array_like, shape (N, D)
        The inputs.
    labels : array_like, shape (N,)
        Targets in [0, 1].
    loss_grad : callable or None, default None
        ``loss_grad(logits, labels)`` returns :math:`g_n` for every sample; ``None`` is the
        cross-entropy's :math:`\sigma(z_n) - y_n`.
    learning_rate : float, default 1.0
        :math:`\eta > 0`.
    epochs : int, default 200
        Number of steps, at least 0.

    Returns
    -------
    tuple
        ``(weight, bias)``: float64 array of shape ``(D,)`` and a float.

    Raises
    ------
    TypeError
        If an array is not real-valued, ``loss_grad`` is not callable, ``learning_rate`` is not a
        real number or ``epochs`` not an int.
    ValueError
        If the shapes do not fit, ``labels`` leave [0, 1], ``learning_rate`` is not positive,
        ``epochs`` is negative, or ``loss_grad`` returns the wrong shape.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    features = as_float_array(features, "features").astype(np.float64)
    if features.ndim != 2:
        raise ValueError(f"features must be 2-D (samples, features), got shape {features.shape}")
    labels = as_float_array(labels, "labels").astype(np.float64)
    if labels.shape != features.shape[:1]:
        raise ValueError(
            f"labels must have shape {features.shape[:1]} (one per row of features), got "
            f"{labels.shape}"
        )
    check_probabilities(labels, "labels")
    if loss_grad is not None:
        check_callable(loss_grad, "loss_grad", "callable or None")
    learning_rate = check_real(learning_rate, "learning_rate", low=0, bounds="(]")
    epochs = check_int(epochs, "epochs", minimum=0)
    return _fit_binary_classifier(features, labels, loss_grad, learning_rate, epochs)


def _fit_binary_classifier(features, labels, loss_grad, learning_rate, epochs):
    """The maths of :func:`fit_binary_classifier`, without the argument checks."""
    n = features.shape[0]

    def checked_grad(logits, labels):  # the caller's per-sample derivatives, over N
        grad = np.asarray(loss_grad(logits, labels), dtype=np.float64)
        if grad.shape != labels.shape:
            raise ValueError(
                f"loss_grad must return one derivative per sample, shape {labels.shape}, got "
                f"{grad.shape}"
            )
        return grad / n

    # None is the cross-entropy: (sigma(z) - y) / N, the gradient of chapter 9
    mean_grad = _sigmoid_cross_entropy_grad if loss_grad is None else checked_grad
    weight, bias = np.zeros(features.shape[1]), 0.0
    return _gradient_descent(features, labels, weight, bias, mean_grad, learning_rate, epochs)
