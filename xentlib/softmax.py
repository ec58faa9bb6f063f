"""The softmax family, computed without overflow for any finite input.

Every function keeps the dtype: float32 in, float32 out; float64 in, float64 out. float32 input
is worked in float64 and rounded once at the end, the way the frameworks work half precision in
float32: the result is then the correctly rounded float32 value in practice, and the same on
every CPU (NumPy's vectorised float32 ``exp`` and ``log`` may differ in the last bit).

Defined in :doc:`/chapters/05_softmax_and_stability`.
"""

import numpy as np

from ._checks import as_float_array, check_axis, check_bool


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
        empty axis gives ``-inf`` (the log of an empty sum), as in PyTorch and TensorFlow.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued, ``axis`` is not an int or ``keepdims`` is not a bool.
    ValueError
        If ``axis`` is out of range.

    References
    ----------
    :cite:t:`goodfellow2016`, section 4.1 (overflow and underflow: the softmax with its maximum
    subtracted).

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    x = as_float_array(x, "x")
    axis = check_axis(axis, x.ndim)
    keepdims = check_bool(keepdims, "keepdims")
    return _logsumexp(x, axis, keepdims)


def _logsumexp(x, axis=-1, keepdims=False):
    """The maths of :func:`logsumexp`, without the argument checks."""
    work = x.astype(np.float64)  # float32 is worked in float64 and rounded once, at the end
    m = _finite_max(work, axis)
    # x - m <= 0, so exp never overflows; log(0) of an all -inf slice is the -inf we want
    with np.errstate(divide="ignore", over="ignore"):  # over: float32 rounds 1e300 to inf
        out = (m + np.log(np.sum(np.exp(work - m), axis=axis, keepdims=True))).astype(x.dtype)
    return out if keepdims else np.squeeze(out, axis=axis)


def _finite_max(x, axis):
    """The max along ``axis`` (kept), with 0 where it is infinite or NaN.

    Subtracting it makes every finite entry non-positive, while a slice that is all ``-inf`` (or
    holds ``+inf``) does not turn into NaN through ``inf - inf``. An empty axis gives 0 too.
    """
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype)


def log_softmax(logits, axis=-1):
    r"""Log-probabilities of a softmax, computed without overflow.

    .. math:: \log \operatorname{softmax}(z)_i = (z_i - m) - \log \sum_j e^{z_j - m},
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
        Same shape as ``logits``; float32 for float32 input, float64 otherwise. A ``-inf`` logit
        gives ``-inf``; a slice that is all ``-inf`` gives NaN, as in PyTorch and TensorFlow.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    References
    ----------
    :cite:t:`goodfellow2016`, section 4.1 (overflow and underflow: the softmax with its maximum
    subtracted).

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    logits = as_float_array(logits, "logits")
    axis = check_axis(axis, logits.ndim)
    return _log_softmax(logits, axis)


def _log_softmax(logits, axis=-1):
    """The maths of :func:`log_softmax`, without the argument checks."""
    work = logits.astype(np.float64)  # float32 is worked in float64 and rounded once, at the end
    # subtract the max first and the log of the (>= 1) sum second: forming m + log(sum) and
    # subtracting it from the logits would round at the size of m and lose the small digits
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shifted = work - _finite_max(work, axis)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        # a float32 log-probability below -3.4e38 rounds to -inf, its correctly rounded value
        return out.astype(logits.dtype)


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
        Same shape as ``logits``, non-negative, summing to 1 along ``axis``; float32 for
        float32 input, float64 otherwise. A slice that is all ``-inf`` has no distribution and
        gives NaN, as in PyTorch and TensorFlow; an empty axis gives an empty array.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    References
    ----------
    :cite:t:`goodfellow2016`, section 4.1 (overflow and underflow: the softmax with its maximum
    subtracted).

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    logits = as_float_array(logits, "logits")
    axis = check_axis(axis, logits.ndim)
    return _softmax(logits, axis)


def _softmax(logits, axis=-1):
    """The maths of :func:`softmax`, without the argument checks."""
    work = logits.astype(np.float64)  # float32 is worked in float64 and rounded once, at the end
    # after the shift the largest entry is exp(0) = 1: no overflow, and the sum is at least 1
    # an all -inf slice has no distribution (0 / 0 = nan); a shift past the float range is -inf
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(work - _finite_max(work, axis))
        out = e / np.sum(e, axis=axis, keepdims=True)
    return out.astype(logits.dtype)


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

    References
    ----------
    :cite:t:`goodfellow2016`, section 3.10 (the logistic sigmoid and the softplus).

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    return _sigmoid(as_float_array(x, "x"))


def _sigmoid(x):
    """The maths of :func:`sigmoid`, without the argument checks."""
    work = x.astype(np.float64)  # float32 is worked in float64 and rounded once, at the end
    e = np.exp(-np.abs(work))  # in (0, 1]: exp never sees a positive argument
    return np.where(work >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


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

    References
    ----------
    :cite:t:`goodfellow2016`, section 3.10 (the logistic sigmoid and the softplus).

    See the chapter :doc:`/chapters/05_softmax_and_stability`.
    """
    return _log_sigmoid(as_float_array(x, "x"))


def _log_sigmoid(x):
    """The maths of :func:`log_sigmoid`, without the argument checks."""
    work = x.astype(np.float64)  # float32 is worked in float64 and rounded once, at the end
    return (np.minimum(work, 0) - np.log1p(np.exp(-np.abs(work)))).astype(x.dtype)
