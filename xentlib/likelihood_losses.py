"""Losses from likelihoods: the negative log-likelihood of an output distribution, one per family.

A model that predicts the parameters of a distribution over the target is trained by minimising
minus the log of the probability (or density) it gives the observed target. The Gaussian gives
squared error, the Laplace absolute error, the Poisson the Poisson loss; the Bernoulli and the
categorical give the cross-entropies of earlier chapters. Here are the regression families, the
squared error through a sigmoid that one should not use for classification, and a logistic
regression that can be trained with either loss.

Defined in :doc:`/chapters/13_losses_from_likelihoods`.
"""

import math
from typing import NamedTuple

import numpy as np

from ._checks import (
    as_float_array,
    check_int,
    check_no_nan,
    check_positive,
    check_probabilities,
    check_real,
)
from .binary import _as_pair, _binary_cross_entropy_with_logits
from .gradients import _sigmoid_cross_entropy_grad
from .softmax import sigmoid

_LOG_2PI = math.log(2 * math.pi)
_LOSSES = ("bce", "mse")


def _operands(prediction, target, pred_name, target_name, *extra):
    """Prediction, target (and ``extra`` ``(value, name)`` pairs) broadcast as one float dtype.

    Integer or boolean targets take the dtype of the prediction, and 0-d extras (a variance of
    1.0, say) the dtype of the others, so float32 predictions with integer counts, 0/1 labels or
    a number as the variance stay float32.
    """
    prediction = as_float_array(prediction, pred_name)
    integer = np.asarray(target).dtype.kind in "biu"
    target = as_float_array(target, target_name)
    if integer:
        target = target.astype(prediction.dtype)
    arrays = [prediction, target] + [as_float_array(value, name) for value, name in extra]
    names = [pred_name, target_name] + [name for _, name in extra]
    dtype = np.result_type(*arrays[:2], *(a for a in arrays[2:] if a.ndim))
    try:
        return np.broadcast_arrays(*(a.astype(dtype, copy=False) for a in arrays))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(f"the arguments must broadcast to one shape, got {shapes}") from None


def gaussian_nll(mean, target, var=1.0):
    r"""Negative log-density of a Gaussian, element by element.

    .. math:: -\log \mathcal N(y \mid \mu, \sigma^2)
              = \frac{(y - \mu)^2}{2 \sigma^2} + \frac12 \log \sigma^2 + \frac12 \log 2\pi

    With a fixed :math:`\sigma^2 = 1` this is half the squared error plus the constant
    :math:`\log \sqrt{2\pi}`: minimising it is least squares.

    Parameters
    ----------
    mean : array_like
        The predicted mean :math:`\mu`; broadcast against ``target`` and ``var``.
    target : array_like
        The observed value :math:`y`.
    var : array_like, default 1.0
        The variance :math:`\sigma^2`, positive: a constant, or one per element (predicted).

    Returns
    -------
    numpy.ndarray
        The per-element loss in the broadcast shape; float32 when every argument is float32, an
        integer ``target`` or a number ``var`` aside, float64 otherwise.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not broadcast, or ``var`` holds a value that is not positive or NaN.

    References
    ----------
    Bishop, *Pattern Recognition and Machine Learning*, section 1.2.5 :cite:p:`bishop2006`;
    Nix and Weigend, a predicted variance :cite:p:`nix1994`.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    mean, target, var = _operands(mean, target, "mean", "target", (var, "var"))
    check_positive(var, "var")
    return _gaussian_nll(mean, target, var)


def _gaussian_nll(mean, target, var):
    """The maths of :func:`gaussian_nll`, without the argument checks."""
    return (target - mean) ** 2 / (2 * var) + 0.5 * np.log(var) + 0.5 * _LOG_2PI


def laplace_nll(loc, target, scale=1.0):
    r"""Negative log-density of a Laplace distribution, element by element.

    .. math:: -\log \mathrm{Laplace}(y \mid \mu, b) = \frac{|y - \mu|}{b} + \log 2b

    With a fixed :math:`b = 1` this is the absolute error plus :math:`\log 2`.

    Parameters
    ----------
    loc : array_like
        The predicted location :math:`\mu` (the median of the distribution); broadcast against
        ``target`` and ``scale``.
    target : array_like
        The observed value :math:`y`.
    scale : array_like, default 1.0
        The scale :math:`b`, positive.

    Returns
    -------
    numpy.ndarray
        The per-element loss in the broadcast shape, in the dtype rule of :func:`gaussian_nll`.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not broadcast, or ``scale`` holds a value that is not positive or NaN.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    loc, target, scale = _operands(loc, target, "loc", "target", (scale, "scale"))
    check_positive(scale, "scale")
    return _laplace_nll(loc, target, scale)


def _laplace_nll(loc, target, scale):
    """The maths of :func:`laplace_nll`, without the argument checks."""
    return np.abs(target - loc) / scale + np.log(2 * scale)


_log_factorial = np.vectorize(lambda k: math.lgamma(k + 1.0), otypes=[np.float64])


def poisson_nll(log_rate, target):
    r"""Negative log-probability of a Poisson count, with the rate given by its logarithm.

    .. math:: -\log \mathrm{Poisson}(k \mid \lambda) = \lambda - k \log \lambda + \log k!,
              \qquad \lambda = e^{z}

    so that in the log-rate :math:`z` the loss is :math:`e^{z} - k z + \log k!`, finite for
    every finite :math:`z`. The log link keeps the rate positive without a constraint.

    Parameters
    ----------
    log_rate : array_like
        The predicted log-rate :math:`z = \log \lambda`; broadcast against ``target``.
    target : array_like
        The observed counts :math:`k`: non-negative whole numbers.

    Returns
    -------
    numpy.ndarray
        The per-element loss in the broadcast shape, in the dtype rule of :func:`gaussian_nll`.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not broadcast, ``log_rate`` holds NaN, or ``target`` holds a value that
        is not a non-negative whole number.

    References
    ----------
    McCullagh and Nelder, *Generalized Linear Models*, the log link :cite:p:`mccullagh1989`.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    log_rate, target = _operands(log_rate, target, "log_rate", "target")
    check_no_nan(log_rate, "log_rate")
    check_no_nan(target, "target")
    if target.size and (target.min() < 0 or not np.all(target == np.floor(target))):
        raise ValueError("target must hold counts (non-negative whole numbers)")
    return _poisson_nll(log_rate, target)


def _poisson_nll(log_rate, target):
    """The maths of :func:`poisson_nll`, without the argument checks."""
    log_k_factorial = _log_factorial(target).astype(log_rate.dtype).reshape(target.shape)
    return np.exp(log_rate) - target * log_rate + log_k_factorial


def sigmoid_squared_error(logits, labels):
    r"""Squared error of a sigmoid output, element by element: MSE used for classification.

    .. math:: \ell(z, y) = \bigl(\sigma(z) - y\bigr)^2

    It is bounded by 1, so a confidently wrong prediction costs almost nothing more than an
    unsure wrong one; compare :func:`xentlib.binary_cross_entropy_with_logits`.

    Parameters
    ----------
    logits : array_like
        Scores :math:`z`; broadcast against ``labels``.
    labels : array_like
        Targets :math:`y` in [0, 1].

    Returns
    -------
    numpy.ndarray
        The per-element loss in the broadcast shape; float32 when ``logits`` is float32 and the
        labels float32 or integer, float64 otherwise.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not broadcast, ``logits`` hold NaN or ``labels`` leave [0, 1].

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    return _sigmoid_squared_error(logits, labels)


def _sigmoid_squared_error(logits, labels):
    """The maths of :func:`sigmoid_squared_error`, without the argument checks."""
    return (sigmoid(logits) - labels) ** 2


def sigmoid_squared_error_grad(logits, labels):
    r"""Derivative of :func:`sigmoid_squared_error` in the logit, element by element.

    .. math:: \frac{\partial \ell}{\partial z} = 2\bigl(\sigma(z) - y\bigr)\,\sigma(z)\,
              \bigl(1 - \sigma(z)\bigr)

    The factor :math:`\sigma(z)(1 - \sigma(z))` vanishes as :math:`|z| \to \infty`, right or
    wrong; the binary cross-entropy's derivative :math:`\sigma(z) - y` lacks it.

    Parameters
    ----------
    logits : array_like
        Scores :math:`z`; broadcast against ``labels``.
    labels : array_like
        Targets :math:`y` in [0, 1].

    Returns
    -------
    numpy.ndarray
        The per-element derivative, in the broadcast shape and the dtype rule of
        :func:`sigmoid_squared_error`.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not broadcast, ``logits`` hold NaN or ``labels`` leave [0, 1].

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    return _sigmoid_squared_error_grad(logits, labels)


def _sigmoid_squared_error_grad(logits, labels):
    """The maths of :func:`sigmoid_squared_error_grad`, without the argument checks."""
    probs = sigmoid(logits)
    # sigma(z) (1 - sigma(z)) written as sigma(z) sigma(-z): no cancellation for large z
    return 2 * (probs - labels) * probs * sigmoid(-logits)


def _logits_and_labels(logits, labels):
    """Logits without NaN and labels in [0, 1], broadcast to one shape and float dtype."""
    logits, labels = _as_pair(logits, labels, "logits")
    check_no_nan(logits, "logits")
    return logits, labels


class LogisticRegressionFit(NamedTuple):
    """What :func:`fit_logistic_regression` returns."""

    weight: np.ndarray
    """Trained weights, shape ``(D,)``."""
    bias: float
    """Trained bias."""
    history: dict
    """Per-step curves (lists of floats), the first entry before any update."""


def fit_logistic_regression(features, labels, weight, bias, *, loss="bce", learning_rate, steps):
    r"""Train a logistic regression by full-batch gradient descent on BCE or on squared error.

    The model is :math:`p = \sigma(z)` with :math:`z = X w + b`. Both losses are means over the
    :math:`N` samples, and each step is

    .. math:: w \leftarrow w - \eta\, X^{\top} g, \qquad b \leftarrow b - \eta\, \mathbf 1^{\top} g,
              \qquad g_n = \frac1N \frac{\partial \ell(z_n, y_n)}{\partial z_n}

    with :math:`\partial\ell/\partial z = \sigma(z) - y` for ``"bce"`` and
    :math:`2(\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))` for ``"mse"``. Everything runs in float64.

    Parameters
    ----------
    features : array_like
        Inputs, shape ``(N, D)``, at least one row.
    labels : array_like
        Labels in [0, 1], shape ``(N,)``.
    weight : array_like
        Initial weights, shape ``(D,)``; not modified.
    bias : float
        Initial bias.
    loss : {'bce', 'mse'}, default 'bce'
        The loss that the gradient steps descend.
    learning_rate : float
        The step size :math:`\eta`, positive.
    steps : int
        Gradient steps, at least 0.

    Returns
    -------
    LogisticRegressionFit
        ``(weight, bias, history)``; ``history`` holds ``"bce"`` and ``"mse"`` (both losses of
        the current model on the training set, whichever is trained) and ``"accuracy"`` (the
        fraction with :math:`z > 0` exactly when the label is above 1/2), each with ``steps + 1``
        entries.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes do not fit, ``loss`` is unknown, or a hyperparameter is out of range.

    References
    ----------
    Golik, Doetsch and Ney compare the two losses for training :cite:p:`golik2013`.

    See the chapter :doc:`/chapters/13_losses_from_likelihoods`.
    """
    features = as_float_array(features, "features").astype(np.float64)
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f"features must have shape (N, D) with N >= 1, got {features.shape}")
    labels = as_float_array(labels, "labels").astype(np.float64)
    if labels.shape != features.shape[:1]:
        raise ValueError(f"labels must have shape ({features.shape[0]},), got {labels.shape}")
    check_probabilities(labels, "labels")
    weight = as_float_array(weight, "weight").astype(np.float64)  # a copy
    if weight.shape != features.shape[1:]:
        raise ValueError(f"weight must have shape ({features.shape[1]},), got {weight.shape}")
    bias = check_real(bias, "bias")
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    learning_rate = check_real(learning_rate, "learning_rate", 0, bounds="(]")
    steps = check_int(steps, "steps", minimum=0)
    return _fit_logistic_regression(features, labels, weight, bias, loss, learning_rate, steps)


def _fit_logistic_regression(features, labels, weight, bias, loss, learning_rate, steps):
    """The maths of :func:`fit_logistic_regression`, without the argument checks."""
    n = features.shape[0]

    def mse_grad(logits, labels):  # the squared error's derivative in z, over N
        return _sigmoid_squared_error_grad(logits, labels) / n

    # the gradient of the mean loss in the logits: (sigma(z) - y) / N for BCE
    mean_grad = _sigmoid_cross_entropy_grad if loss == "bce" else mse_grad
    history = {"bce": [], "mse": [], "accuracy": []}

    def record(logits):
        history["bce"].append(float(_binary_cross_entropy_with_logits(logits, labels).mean()))
        history["mse"].append(float(_sigmoid_squared_error(logits, labels).mean()))
        history["accuracy"].append(float(np.mean((logits > 0) == (labels > 0.5))))

    weight, bias = _gradient_descent(
        features, labels, weight, bias, mean_grad, learning_rate, steps, record
    )
    return LogisticRegressionFit(weight, bias, history)


def _gradient_descent(features, labels, weight, bias, mean_grad, learning_rate, steps, record=None):
    """Full-batch gradient descent on a logistic regression :math:`z = X w + b`.

    ``mean_grad(logits, labels)`` returns :math:`g`, the gradient of the mean loss in the
    logits (one entry per sample, the :math:`1/N` included). ``record(logits)``, if given, sees
    the logits of the model before each step and after the last. Returns ``(weight, bias)``.
    """
    for step in range(steps + 1):
        logits = features @ weight + bias
        if record is not None:
            record(logits)
        if step == steps:
            break
        g = mean_grad(logits, labels)
        # the chain rule through z = X w + b: dL/dw = X^T g, dL/db = sum of g
        weight = weight - learning_rate * (features.T @ g)
        bias = bias - learning_rate * float(g.sum())
    return weight, bias
