"""Gradients of cross-entropy with respect to the logits, and a finite-difference checker.

Defined in :doc:`/chapters/09_gradients`.
"""

import numpy as np

from ._checks import (
    as_float_array,
    check_axis,
    check_callable,
    check_logits,
    check_real,
    check_same_shape,
    result_dtype,
)
from ._ops import reduce
from .entropy import _cross_entropy_with_logits
from .softmax import sigmoid, softmax


def _logits_and_labels(logits, labels):
    """Float arrays of the same shape, at least 1-D, in a common dtype; logits with a softmax."""
    logits = as_float_array(logits, "logits")
    labels = as_float_array(labels, "labels")
    if logits.ndim == 0:
        raise ValueError("logits must have at least one dimension (the class axis), got a scalar")
    check_same_shape(logits, labels, "logits", "labels")
    check_logits(logits, "logits", -1)
    dtype = result_dtype(logits, labels)
    return logits.astype(dtype, copy=False), labels.astype(dtype, copy=False)


def softmax_cross_entropy(logits, labels):
    r"""Batch-mean softmax cross-entropy of logits against one-hot or soft labels.

    .. math:: L = \frac{1}{N} \sum_{n=1}^{N} \sum_{c} -y_{nc} \log \operatorname{softmax}(z_n)_c

    The class axis is the last one; every other axis counts samples. Labels are not required to
    sum to 1 (this is the same function that ``tf.nn.softmax_cross_entropy_with_logits`` computes
    per row, averaged): it is the batch mean of :func:`~xentlib.cross_entropy_with_logits`.

    Parameters
    ----------
    logits : array_like
        Unnormalised scores, shape ``(..., C)``; finite or ``-inf`` (a class ruled out).
    labels : array_like
        One-hot or soft labels, same shape as ``logits``.

    Returns
    -------
    numpy.floating
        float32 if both inputs are float32, float64 otherwise. An empty batch gives ``nan`` (the
        mean of nothing), as in PyTorch.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``logits`` is a scalar, holds NaN or ``+inf`` or a row that is all ``-inf``, or the
        shapes differ.

    References
    ----------
    Goodfellow, Bengio and Courville, *Deep Learning*, MIT Press, 2016, section 6.2.2.3
    (``goodfellow2016`` in the book's bibliography).

    See the chapter :doc:`/chapters/09_gradients`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    return _softmax_cross_entropy(logits, labels)


def _softmax_cross_entropy(logits, labels):
    """The maths of :func:`softmax_cross_entropy`, without the argument checks."""
    return reduce(_cross_entropy_with_logits(logits, labels, axis=-1), "mean")


def softmax_cross_entropy_grad(logits, labels):
    r"""Gradient of the batch-mean softmax cross-entropy with respect to the logits.

    .. math:: \frac{\partial L}{\partial z_{nc}}
              = \frac{1}{N} \Bigl( p_{nc} \sum_{k} y_{nk} - y_{nc} \Bigr),
              \qquad p_n = \operatorname{softmax}(z_n)

    For labels that sum to 1 along the class axis (one-hot or soft distributions) this is the
    familiar :math:`(p - y) / N`. For labels that do not, the factor :math:`\sum_k y_{nk}` stays:
    this is the true gradient of :func:`softmax_cross_entropy`, which is *not* what the fused
    TensorFlow kernel returns (it returns :math:`(p - y)` whatever the labels sum to). Each row of
    the true gradient sums to 0; each row of the kernel's sums to :math:`1 - \sum_k y_{nk}`.

    Parameters
    ----------
    logits : array_like
        Unnormalised scores, shape ``(..., C)``; the class axis is the last one and every other
        axis counts samples, so :math:`N` is the product of the leading dimensions.
    labels : array_like
        One-hot or soft labels, same shape as ``logits``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``logits``; float32 if both inputs are float32, float64 otherwise. An empty
        batch gives an empty array.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If ``logits`` is a scalar, holds NaN or ``+inf`` or a row that is all ``-inf``, or the
        shapes differ.

    References
    ----------
    Goodfellow, Bengio and Courville, *Deep Learning*, MIT Press, 2016, section 6.2.2.3
    (``goodfellow2016`` in the book's bibliography).

    See the chapter :doc:`/chapters/09_gradients`.
    """
    logits, labels = _logits_and_labels(logits, labels)
    return _softmax_cross_entropy_grad(logits, labels)


def _softmax_cross_entropy_grad(logits, labels):
    """The maths of :func:`softmax_cross_entropy_grad`, without the argument checks."""
    n = max(1, int(np.prod(logits.shape[:-1])))  # rows in the batch (an empty one: no rows)
    probs = softmax(logits, axis=-1)
    mass = labels.sum(axis=-1, keepdims=True)  # s = sum of the labels, 1 for a distribution
    return ((probs * mass - labels) / logits.dtype.type(n)).astype(logits.dtype)


def sigmoid_cross_entropy_grad(logits, labels):
    r"""Gradient of the mean binary cross-entropy with logits with respect to the logits.

    .. math:: \frac{\partial L}{\partial x_i} = \frac{\sigma(x_i) - y_i}{M},
              \qquad L = \frac{1}{M} \sum_{i=1}^{M}
              -\bigl[y_i \log \sigma(x_i) + (1 - y_i) \log (1 - \sigma(x_i))\bigr]

    The mean is over all :math:`M` elements, as in PyTorch's ``BCEWithLogitsLoss`` and Keras's
    ``binary_crossentropy`` followed by the batch mean. The formula holds for any real label,
    not only 0 and 1.

    Parameters
    ----------
    logits : array_like
        Real scores, any shape with at least one element or none.
    labels : array_like
        Targets in [0, 1], same shape as ``logits``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``logits``; float32 if both inputs are float32, float64 otherwise.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes differ.

    See the chapter :doc:`/chapters/09_gradients`.
    """
    logits = as_float_array(logits, "logits")
    labels = as_float_array(labels, "labels")
    check_same_shape(logits, labels, "logits", "labels")
    dtype = result_dtype(logits, labels)
    return _sigmoid_cross_entropy_grad(logits.astype(dtype), labels.astype(dtype))


def _sigmoid_cross_entropy_grad(logits, labels):
    """The maths of :func:`sigmoid_cross_entropy_grad`, without the argument checks."""
    m = logits.dtype.type(max(1, logits.size))  # an empty batch has an empty gradient
    return ((sigmoid(logits) - labels) / m).astype(logits.dtype)


def softmax_jacobian(logits, axis=-1):
    r"""Jacobian of the softmax: the matrix of partial derivatives of each output by each input.

    .. math:: J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i (\delta_{ij} - p_j),
              \qquad J = \operatorname{diag}(p) - p p^{\top}

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; any shape with at least one dimension.
    axis : int, default -1
        The class axis; the other axes are batch axes, each with its own Jacobian.

    Returns
    -------
    numpy.ndarray
        Shape ``batch_shape + (C, C)``, where ``batch_shape`` is the shape of ``logits`` without
        ``axis``; ``J[..., i, j]`` is the derivative of output ``i`` by input ``j``. Symmetric,
        and each row and column sums to 0.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/09_gradients`.
    """
    logits = as_float_array(logits, "logits")
    axis = check_axis(axis, logits.ndim)
    return _softmax_jacobian(logits, axis)


def _softmax_jacobian(logits, axis=-1):
    """The maths of :func:`softmax_jacobian`, without the argument checks."""
    probs = np.moveaxis(softmax(logits, axis=axis), axis, -1)
    eye = np.eye(probs.shape[-1], dtype=probs.dtype)
    # diag(p) - p p^T, one C x C matrix per row
    return probs[..., :, None] * eye - probs[..., :, None] * probs[..., None, :]


def numerical_gradient(f, x, eps=1e-6):
    r"""Gradient of a scalar function of an array by central differences.

    .. math:: \frac{\partial f}{\partial x_i} \approx
              \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

    The error is :math:`O(\varepsilon^2)` from truncation plus about
    :math:`\text{ulp}(f) / \varepsilon` from rounding; with float64 and the default step the
    rounding term dominates, near 1e-10 for functions of size 1. ``x`` is perturbed in float64
    whatever its dtype (a step of 1e-6 is mostly lost to rounding in float32), one entry at a
    time, so ``f`` is called ``2 * x.size`` times.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a real scalar (a Python number or a 0-d or
        size-1 array).
    x : array_like
        The point at which to differentiate; any shape. Not modified.
    eps : float, default 1e-6
        The step, positive and finite.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` is not real-valued, ``eps`` is not a real number, or
        ``f`` returns something that is not a real number.
    ValueError
        If ``eps`` is not positive and finite, or ``f`` returns more than one value.

    See the chapter :doc:`/chapters/09_gradients`.
    """
    check_callable(f, "f", "a callable returning a scalar")
    x = as_float_array(x, "x")
    eps = check_real(eps, "eps", 0, np.inf, bounds="()")
    return _numerical_gradient(f, x, eps)


def _numerical_gradient(f, x, eps=1e-6):
    """The maths of :func:`numerical_gradient`, without the argument checks."""
    point = x.astype(np.float64)  # a copy: the caller's array is never touched
    grad = np.empty(point.shape, dtype=np.float64)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        # go one coordinate at a time: step forward, step back, restore
        saved = flat_point[i]
        flat_point[i] = saved + eps
        upper = _scalar(f(point.copy()))
        flat_point[i] = saved - eps
        lower = _scalar(f(point.copy()))
        flat_point[i] = saved
        flat_grad[i] = (upper - lower) / (2 * eps)
    return grad.astype(x.dtype)


def _scalar(value):
    """The real number that ``f`` returned, or an error saying what it returned instead."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real number, got dtype {arr.dtype}")
    if arr.size != 1:
        raise ValueError(f"f must return a scalar, got an array of shape {arr.shape}")
    return float(arr.reshape(()))
