"""Entropy, cross-entropy and KL divergence of discrete distributions.

Defined in :doc:`/chapters/03_cross_entropy`.
"""

import numpy as np

from ._checks import (
    as_float_array,
    check_axis,
    check_distribution,
    check_logits,
    check_no_nan,
    check_probabilities,
    check_real,
    check_same_shape,
    result_dtype,
)
from ._ops import positive_zero, xlogy, zero_times
from .softmax import _logsumexp


def _check_labels(labels, name="labels"):
    """Labels (one-hot or soft): finite and non-negative."""
    check_no_nan(labels, name)
    if labels.size and (labels.min() < 0 or np.isinf(labels).any()):
        raise ValueError(
            f"{name} must be finite and non-negative, got values in "
            f"[{labels.min():.6g}, {labels.max():.6g}]"
        )


def _prepare(a, b, name_a, name_b, axis):
    """Two same-shaped float arrays of a common dtype and the normalised axis."""
    a = as_float_array(a, name_a)
    b = as_float_array(b, name_b)
    check_same_shape(a, b, name_a, name_b)
    axis = check_axis(axis, a.ndim)
    dtype = result_dtype(a, b)
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False), axis


def entropy(probs, axis=-1):
    r"""Shannon entropy of discrete distributions, in nats.

    .. math:: H(p) = -\sum_c p_c \log p_c, \qquad 0 \log 0 = 0

    Parameters
    ----------
    probs : array_like, shape (..., C, ...)
        Probabilities in [0, 1] that sum to 1 along ``axis``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        ``probs.shape`` without ``axis``; float32 for float32 input, float64 otherwise.
        Between 0 (a certain outcome) and :math:`\log C` (the uniform distribution).

    Raises
    ------
    TypeError
        If ``probs`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range, or ``probs`` contains NaN, values outside [0, 1], or does not
        sum to 1 along ``axis``.

    References
    ----------
    :cite:t:`shannon1948`; :cite:t:`goodfellow2016`, section 3.13 (information theory).

    See the chapter :doc:`/chapters/03_cross_entropy`.
    """
    probs = as_float_array(probs, "probs")
    axis = check_axis(axis, probs.ndim)
    check_distribution(probs, "probs", axis=axis)
    return _entropy(probs, axis)


def _entropy(probs, axis=-1):
    """The maths of :func:`entropy`, without the argument checks."""
    return positive_zero(-np.sum(xlogy(probs, probs), axis=axis))


def cross_entropy(probs, labels, axis=-1, eps=None):
    r"""Cross-entropy of predicted probabilities against one-hot or soft labels, per sample.

    .. math:: H(t, p) = -\sum_c t_c \log p_c, \qquad 0 \log 0 = 0

    The formula is applied to the numbers as given: ``probs`` is not renormalised (Keras divides
    each row by its sum first; do that yourself to match it). With ``eps`` set, ``probs`` is
    first clipped to ``[eps, 1 - eps]`` as Keras does, which caps the loss of a zero prediction
    at :math:`-\log \varepsilon` and zeroes its gradient.

    The prediction comes first, as in every xentlib loss (and in PyTorch): ``cross_entropy(q, p)``
    is :math:`H(p, q)`.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities in [0, 1].
    labels : array_like
        Target distribution (one-hot or soft labels); finite, non-negative, same shape as
        ``probs``.
    axis : int, default -1
        The class axis, summed over.
    eps : float or None, default None
        ``None``: no clipping, so a zero probability on a positive label gives ``inf``. A float
        in (0, 0.5): clip ``probs`` to ``[eps, 1 - eps]`` (Keras uses ``1e-7``).

    Returns
    -------
    numpy.ndarray
        ``probs.shape`` without ``axis``; float32 if both inputs are float32, float64 otherwise.

    Raises
    ------
    TypeError
        If an input is not real-valued, ``axis`` is not an int or ``eps`` is not a float.
    ValueError
        If the shapes differ, ``axis`` is out of range, ``probs`` is outside [0, 1] or NaN,
        ``labels`` is negative, infinite or NaN, or ``eps`` is outside (0, 0.5).

    References
    ----------
    :cite:t:`shannon1948`; :cite:t:`goodfellow2016`, section 3.13 (information theory).

    See the chapter :doc:`/chapters/03_cross_entropy`.
    """
    probs, labels, axis = _prepare(probs, labels, "probs", "labels", axis)
    _check_labels(labels)
    check_probabilities(probs, "probs")
    if eps is not None:
        eps = check_real(eps, "eps", 0, 0.5, bounds="()")
    return _cross_entropy(probs, labels, axis, eps)


def _cross_entropy(probs, labels, axis=-1, eps=None):
    """The maths of :func:`cross_entropy`, without the argument checks."""
    if eps is not None:
        # bounds rounded to probs' dtype, as the frameworks do (float32: 1 - 1e-7 = 0.99999988)
        probs = np.clip(probs, probs.dtype.type(eps), probs.dtype.type(1 - eps))
    return positive_zero(-np.sum(xlogy(labels, probs), axis=axis))


def kl_divergence(p, q, axis=-1):
    r"""Kullback-Leibler divergence of ``q`` from ``p``, in nats.

    .. math:: D_{\mathrm{KL}}(p \,\|\, q) = \sum_c p_c \log \frac{p_c}{q_c}
              = H(p, q) - H(p), \qquad 0 \log \frac{0}{q} = 0

    Parameters
    ----------
    p, q : array_like
        Distributions of the same shape: probabilities in [0, 1] summing to 1 along ``axis``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        ``p.shape`` without ``axis``; non-negative up to rounding, ``inf`` where some
        :math:`q_c = 0 < p_c`; float32 if both inputs are float32, float64 otherwise.

    Raises
    ------
    TypeError
        If an input is not real-valued or ``axis`` is not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range, or ``p`` or ``q`` is not a distribution.

    References
    ----------
    :cite:t:`shannon1948`; :cite:t:`goodfellow2016`, section 3.13 (information theory).

    See the chapter :doc:`/chapters/03_cross_entropy`.
    """
    p, q, axis = _prepare(p, q, "p", "q", axis)
    check_distribution(p, "p", axis=axis)
    check_distribution(q, "q", axis=axis)
    return _kl_divergence(p, q, axis)


def _kl_divergence(p, q, axis=-1):
    """The maths of :func:`kl_divergence`, without the argument checks."""
    # p (log p - log q), term by term, so that equal entries cancel exactly
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(p == 0, 1, p)) - np.log(np.where(p == 0, 1, q))
    return positive_zero(np.sum(zero_times(p, log_ratio), axis=axis))


def cross_entropy_with_logits(logits, labels, axis=-1):
    r"""Cross-entropy of one-hot or soft labels against the softmax of logits, per sample.

    .. math:: H(t, \operatorname{softmax}(z))
              = \sum_c t_c \left( \operatorname{LSE}(z) - z_c \right), \qquad \operatorname{LSE}(z) = \log \sum_j e^{z_j}

    The stable form used by ``tf.nn.softmax_cross_entropy_with_logits``: no probability is
    formed, so no logarithm of 0 appears for any finite logits. Like that op, the labels are not
    required to sum to 1.

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; finite or ``-inf`` (a ruled-out class, which must have label 0).
    labels : array_like
        Target distribution (one-hot or soft labels); finite, non-negative, same shape as
        ``logits``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        ``logits.shape`` without ``axis``; float32 if both inputs are float32, float64
        otherwise.

    Raises
    ------
    TypeError
        If an input is not real-valued or ``axis`` is not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range, ``labels`` is negative, infinite or NaN,
        or ``logits`` contains NaN, ``+inf`` or a slice that is all ``-inf``.

    References
    ----------
    :cite:t:`goodfellow2016`, section 6.2.2.3 (softmax units); :cite:t:`tensorflowdocs`
    (``softmax_cross_entropy_with_logits``).

    See the chapter :doc:`/chapters/03_cross_entropy`.
    """
    logits, labels, axis = _prepare(logits, labels, "logits", "labels", axis)
    _check_labels(labels)
    check_logits(logits, "logits", axis)
    return _cross_entropy_with_logits(logits, labels, axis)


def _cross_entropy_with_logits(logits, labels, axis=-1):
    """The maths of :func:`cross_entropy_with_logits`, without the argument checks.

    The one implementation of the softmax cross-entropy against soft labels in xentlib: the
    gradient chapter's loss and the TensorFlow mirror call it too.
    """
    # the surprise LSE(z) - z_c of every class; a zero label contributes nothing, even at z_c = -inf
    surprise = _logsumexp(logits, axis=axis, keepdims=True) - logits
    return positive_zero(np.sum(zero_times(labels, surprise), axis=axis))
