"""The softmax family, computed without overflow for any finite input.

Defined in :doc:`/chapters/05_softmax_and_stability`.
"""

import numpy as np

from ._checks import as_float_array, check_axis


def logsumexp(x, axis=-1, keepdims=False):
    r"""Logarithm of the sum of exponentials, computed without overflow.

    .. math:: \operatorname{LSE}(x) = m + \log \sum_j e^{x_j - m}, \qquad m = \max_j x_j

    Parameters
    ----------
    x : array_like
        Real values; any shape with at least one dimension. ``-inf`` entries contribute nothing.
    axis : int, default -1
        The axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1.

    Returns
    -------
    numpy.ndarray
        float32 for float32 input, float64 otherwise. An all ``-inf`` slice gives ``-inf``, an
        empty axis gives ``-inf`` (the log of an empty sum).

    Raises
    ------
    TypeError
        If ``x`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    x = as_float_array(x, "x")
    axis = check_axis(axis, x.ndim)
    if x.shape[axis] == 0:
        shape = list(x.shape)
        shape[axis] = 1
        out = np.full(shape, -np.inf, dtype=x.dtype)
        return out if keepdims else np.squeeze(out, axis=axis)
    m = np.max(x, axis=axis, keepdims=True)
    # a slice that is all -inf (or holds +inf) must not turn into nan through inf - inf
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
    with np.errstate(divide="ignore"):
        out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(logits, axis=-1):
    r"""Log-probabilities of a softmax, computed without overflow.

    .. math:: \log \operatorname{softmax}(z)_i = z_i - \log \sum_j e^{z_j}

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; any shape with at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape as ``logits``; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    logits = as_float_array(logits, "logits")
    axis = check_axis(axis, logits.ndim)
    return logits - logsumexp(logits, axis=axis, keepdims=True)


def softmax(logits, axis=-1):
    r"""Probabilities from unnormalised scores, computed with the max trick.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},
              \qquad m = \max_j z_j

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; any shape with at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape as ``logits``, non-negative, summing to 1 along ``axis``.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    logits = as_float_array(logits, "logits")
    axis = check_axis(axis, logits.ndim)
    if logits.shape[axis] == 0:
        return logits.copy()
    m = np.max(logits, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(logits.dtype)
    e = np.exp(logits - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def sigmoid(x):
    r"""The logistic function, without overflow for any finite input.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}

    The first form is used for :math:`x \ge 0`, the second for :math:`x < 0`, so ``exp`` only
    ever sees non-positive arguments.

    Parameters
    ----------
    x : array_like
        Real values; any shape.

    Returns
    -------
    numpy.ndarray
        Values in [0, 1]; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued.

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    x = as_float_array(x, "x")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def log_sigmoid(x):
    r"""Logarithm of the logistic function, without overflow for any finite input.

    .. math:: \log \sigma(x) = \min(x, 0) - \log\left(1 + e^{-|x|}\right)

    Parameters
    ----------
    x : array_like
        Real values; any shape.

    Returns
    -------
    numpy.ndarray
        Non-positive values; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued.

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    x = as_float_array(x, "x")
    return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype)
