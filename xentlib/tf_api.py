"""NumPy mirrors of TensorFlow's ``tf.nn`` cross-entropy ops: same names, arguments, defaults.

Each function computes what the TensorFlow 2 op of the same name computes, per element or per
sample (no reduction: the ``tf.nn`` ops never reduce), in the order of operations the op's
kernel uses, so float32 and float64 results agree to the last few ulps. They are thin shells
over :mod:`xentlib.softmax`.

Defined in :doc:`/chapters/07_tensorflow`.
"""

import numpy as np

from ._checks import as_class_indices, as_float_array, check_axis, check_same_shape
from .softmax import log_sigmoid as _log_sigmoid
from .softmax import log_softmax as _log_softmax
from .softmax import softmax as _softmax


def _labels_like(labels, logits, name="labels"):
    """``labels`` as a float array of ``logits``' dtype and shape (TF needs both to match)."""
    labels = as_float_array(labels, name)
    check_same_shape(labels, logits, name, "logits")
    return labels.astype(logits.dtype, copy=False)


def softmax(logits, axis=-1):
    r"""``tf.nn.softmax``: probabilities from logits along ``axis``.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i - \max_j z_j}}{\sum_k e^{z_k - \max_j z_j}}

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``logits``.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    return _softmax(logits, axis=axis)


def log_softmax(logits, axis=-1):
    r"""``tf.nn.log_softmax``: log-probabilities from logits, without ``log(softmax)``'s underflow.

    .. math:: \log \operatorname{softmax}(z)_i = z_i - \log \sum_j e^{z_j}

    Parameters
    ----------
    logits : array_like
        Unnormalised scores; at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``logits``.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``axis`` is not an int.
    ValueError
        If ``axis`` is out of range.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    return _log_softmax(logits, axis=axis)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    r"""``tf.nn.softmax_cross_entropy_with_logits``: cross-entropy per sample from logits.

    .. math:: \ell = -\sum_c t_c \log \operatorname{softmax}(z)_c
                   = \sum_c t_c \left(\operatorname{LSE}(z) - z_c\right)

    ``labels`` are used as given: TensorFlow does not check that they sum to 1 (soft or even
    unnormalised labels are accepted), and neither does this mirror.

    Parameters
    ----------
    labels : array_like
        Label distributions (one-hot or soft), same shape as ``logits``.
    logits : array_like
        Unnormalised scores; at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        ``logits``' shape without ``axis``; ``logits``' float dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued or ``axis`` is not an int.
    ValueError
        If the shapes differ or ``axis`` is out of range.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    labels = _labels_like(labels, logits)
    axis = check_axis(axis, logits.ndim)
    return -np.sum(labels * _log_softmax(logits, axis=axis), axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels, logits):
    r"""``tf.nn.sparse_softmax_cross_entropy_with_logits``: cross-entropy from class indices.

    .. math:: \ell = \operatorname{LSE}(z) - z_{y} = -\log \operatorname{softmax}(z)_{y}

    The class axis is always the last one, as in TensorFlow.

    Parameters
    ----------
    labels : array_like of int
        Class indices in ``[0, C)``, shape ``logits.shape[:-1]``.
    logits : array_like
        Unnormalised scores, shape ``(..., C)``.

    Returns
    -------
    numpy.ndarray
        Shape ``logits.shape[:-1]``; ``logits``' float dtype.

    Raises
    ------
    TypeError
        If ``labels`` is not integer or ``logits`` is not real-valued.
    ValueError
        If ``logits`` is a scalar, the shapes do not fit, or a label is outside ``[0, C)``
        (TensorFlow raises ``InvalidArgumentError`` on CPU and returns ``nan`` on GPU).

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim == 0:
        raise ValueError("logits must have at least one dimension (the classes), got a scalar")
    labels = as_class_indices(labels, logits.shape[-1], "labels")
    if labels.shape != logits.shape[:-1]:
        raise ValueError(
            f"labels must have shape logits.shape[:-1] = {logits.shape[:-1]}, got {labels.shape}"
        )
    log_probs = _log_softmax(logits, axis=-1)
    return -np.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]


def sigmoid_cross_entropy_with_logits(labels, logits):
    r"""``tf.nn.sigmoid_cross_entropy_with_logits``: element-wise binary cross-entropy.

    .. math:: \ell = -z \log \sigma(x) - (1 - z) \log(1 - \sigma(x))
                   = \max(x, 0) - x z + \log\left(1 + e^{-|x|}\right)

    The second form is TensorFlow's kernel, evaluated in the same order; its last term is
    :math:`-\log\sigma(|x|)`.

    Parameters
    ----------
    labels : array_like
        Targets :math:`z`, usually in [0, 1]; same shape as ``logits``.
    logits : array_like
        Scores :math:`x`; any shape.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``logits``.

    Raises
    ------
    TypeError
        If an array is not real-valued.
    ValueError
        If the shapes differ.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    labels = _labels_like(labels, logits)
    return np.maximum(logits, 0) - logits * labels - _log_sigmoid(np.abs(logits))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight):
    r"""``tf.nn.weighted_cross_entropy_with_logits``: sigmoid cross-entropy, positives weighted.

    .. math:: \ell = -q z \log \sigma(x) - (1 - z) \log(1 - \sigma(x))
                   = (1 - z) x + \bigl(1 + (q - 1) z\bigr) \bigl(-\log \sigma(x)\bigr)

    with :math:`q` = ``pos_weight``; :math:`q = 1` gives
    :func:`sigmoid_cross_entropy_with_logits`.

    Parameters
    ----------
    labels : array_like
        Targets :math:`z`, usually in [0, 1]; same shape as ``logits``.
    logits : array_like
        Scores :math:`x`; any shape.
    pos_weight : float or array_like
        Weight :math:`q` of the positive term; broadcast against ``logits`` (a scalar or one
        value per class on the last axis).

    Returns
    -------
    numpy.ndarray
        The broadcast shape; ``logits``' float dtype.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes differ or ``pos_weight`` does not broadcast against ``logits``.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    labels = _labels_like(labels, logits)
    pos_weight = as_float_array(pos_weight, "pos_weight").astype(logits.dtype, copy=False)
    try:
        np.broadcast_shapes(pos_weight.shape, logits.shape)
    except ValueError:
        raise ValueError(
            f"pos_weight must broadcast against logits of shape {logits.shape}, "
            f"got shape {pos_weight.shape}"
        ) from None
    log_weight = 1 + (pos_weight - 1) * labels
    return (1 - labels) * logits + log_weight * -_log_sigmoid(logits)
