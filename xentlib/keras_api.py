"""NumPy mirrors of the cross-entropy functions in ``keras.losses``: same names, arguments, defaults.

Each function returns the per-sample loss that the Keras 3 function of the same name returns on
the TensorFlow backend, step for step: the probability path renormalises (categorical only),
clips to :math:`[\\epsilon, 1 - \\epsilon]` with :math:`\\epsilon = 10^{-7}` and takes logs; the
``from_logits=True`` path hands over to the ``tf.nn`` ops, mirrored in :mod:`xentlib.tf_api`.
The loss *classes* (``keras.losses.CategoricalCrossentropy`` ...) average these per-sample values
over the batch ("sum_over_batch_size"). Each public function checks its arguments and calls a
short private function ``_name`` that holds only the maths.

Defined in :doc:`/chapters/06_keras`.
"""

import numpy as np

from . import tf_api
from ._checks import (
    as_float_array,
    check_axis,
    check_bool,
    check_fraction,
    check_int,
    check_logits,
    check_no_nan,
    check_positive,
    check_probabilities,
    check_same_shape,
)
from .binary import _binary_cross_entropy
from .imbalance import _alpha_t, _check_focal, _focal_loss_with_logits
from .softmax import logsumexp
from .softmax import softmax as _core_softmax
from .training import _smooth_labels

#: ``keras.config.epsilon()``: the clip applied to probabilities before the logarithm.
EPSILON = 1e-7


def _check_probs(y_pred, axis=None):
    """Raise unless ``y_pred`` holds non-negative probabilities (rows with a positive sum)."""
    check_no_nan(y_pred, "y_pred")
    if y_pred.size and (y_pred.min() < 0 or not np.isfinite(y_pred.max())):
        raise ValueError(
            "y_pred must hold finite non-negative probabilities (or pass from_logits=True), "
            f"got values in [{y_pred.min():.6g}, {y_pred.max():.6g}]"
        )
    if axis is not None and y_pred.size and (y_pred.sum(axis=axis) == 0).any():
        raise ValueError(
            f"y_pred must have a positive sum along axis {axis}, found an all-zero row"
        )


def _smooth_binary_labels(y_true, label_smoothing):
    """Keras's binary label smoothing, :math:`t (1 - s) + s / 2`, in ``y_true``'s dtype."""
    return (y_true * (1 - label_smoothing) + 0.5 * label_smoothing).astype(y_true.dtype)


def _mean_along(elementwise, axis, dtype):
    """``tf.reduce_mean`` along ``axis``: the mean of nothing is ``nan``, without a warning."""
    if elementwise.shape[axis] == 0:
        return np.full(np.delete(elementwise.shape, axis), np.nan, dtype=dtype)
    return np.mean(elementwise, axis=axis).astype(dtype, copy=False)


def _clip(probs):
    # Python floats are "weak" scalars: float32 stays float32, so 1 - 1e-7 becomes 0.99999988
    return np.clip(probs, EPSILON, 1 - EPSILON)


def _dense_arguments(y_true, y_pred, from_logits, label_smoothing, axis):
    """The checked arguments of a loss with dense ``y_true``: same shape, ``y_pred``'s dtype."""
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true")
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    y_true = y_true.astype(y_pred.dtype, copy=False)
    from_logits = check_bool(from_logits, "from_logits")
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    return y_true, y_pred, from_logits, label_smoothing, check_axis(axis, y_pred.ndim)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    r"""``keras.losses.categorical_crossentropy``: cross-entropy per sample from one-hot labels.

    With probabilities (``from_logits=False``) Keras renormalises, clips, then takes logs:

    .. math:: \ell = -\sum_c t_c \log \operatorname{clip}\!\left(\frac{p_c}{\sum_k p_k},
              \epsilon, 1 - \epsilon\right), \qquad \epsilon = 10^{-7}

    With logits it is ``tf.nn.softmax_cross_entropy_with_logits``. Label smoothing first replaces
    :math:`t` by :math:`t (1 - s) + s / C`.

    Parameters
    ----------
    y_true : array_like
        One-hot (or soft) labels, same shape as ``y_pred``; cast to ``y_pred``'s dtype.
    y_pred : array_like
        Probabilities (need not sum to 1: rows are renormalised) or, with ``from_logits=True``,
        logits.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits.
    label_smoothing : float, default 0.0
        :math:`s` in [0, 1]. As in Keras, :math:`C` is the length of the *last* axis of
        ``y_true`` whatever ``axis`` is.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        One loss per sample: ``y_pred``'s shape without ``axis``; ``y_pred``'s float dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued, ``from_logits`` is not a bool, ``label_smoothing`` not a
        number or ``axis`` not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range, ``label_smoothing`` is outside [0, 1], or
        (probabilities only) ``y_pred`` has a negative or NaN entry or an all-zero row.

    References
    ----------
    The Keras API documentation of ``keras.losses`` :cite:p:`kerasdocs`.

    See the chapter :doc:`/chapters/06_keras`.
    """
    y_true, y_pred, from_logits, label_smoothing, axis = _dense_arguments(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    if not from_logits:
        _check_probs(y_pred, axis)
    return _categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)


def _categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis):
    """The maths of :func:`categorical_crossentropy`, without the argument checks."""
    if label_smoothing:
        num_classes = y_true.shape[-1]  # Keras: the last axis, whatever ``axis`` is
        y_true = y_true * (1 - label_smoothing) + label_smoothing / num_classes
        y_true = y_true.astype(y_pred.dtype, copy=False)
    if from_logits:
        return tf_api._softmax_cross_entropy_with_logits(y_true, y_pred, axis)
    # renormalise each row, clip to [eps, 1 - eps], then -sum t log p
    probs = _clip(y_pred / np.sum(y_pred, axis=axis, keepdims=True))
    return -np.sum(y_true * np.log(probs), axis=axis)


def _sparse_targets(y_true, shape):
    """``y_true`` as class indices (integral floats allowed, as Keras casts them)."""
    y_true = np.asarray(y_true)
    if y_true.dtype.kind == "f":
        if y_true.size and not np.all(np.isfinite(y_true) & (y_true == np.round(y_true))):
            raise TypeError("y_true must hold integer class indices, got non-integral floats")
        y_true = y_true.astype(np.int64)
    elif y_true.size == 0 and y_true.dtype.kind == "b":
        y_true = y_true.astype(np.int64)
    if y_true.dtype.kind not in "iu":
        raise TypeError(f"y_true must hold integer class indices, got dtype {y_true.dtype}")
    if y_true.shape != shape:
        raise ValueError(
            f"y_true must have shape {shape} (y_pred without its class axis), got {y_true.shape}"
        )
    return y_true.astype(np.int64, copy=False)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    r"""``keras.losses.sparse_categorical_crossentropy``: cross-entropy per sample from indices.

    With probabilities Keras clips and takes logs, then applies the sparse softmax op to those
    logs, so the renormalisation comes *after* the clip:

    .. math:: \ell = -\log \frac{\operatorname{clip}(p_y, \epsilon, 1 - \epsilon)}
              {\sum_k \operatorname{clip}(p_k, \epsilon, 1 - \epsilon)}

    With logits it is ``tf.nn.sparse_softmax_cross_entropy_with_logits``. Samples whose label is
    ``ignore_class`` get loss 0 (the loss class then averages over the other samples only).

    Parameters
    ----------
    y_true : array_like of int
        Class indices, ``y_pred``'s shape without ``axis`` (a trailing length-1 axis is
        squeezed, as Keras does). Integral floats are accepted, as Keras casts them.
    y_pred : array_like
        Probabilities or, with ``from_logits=True``, logits.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits.
    ignore_class : int or None, default None
        A label value whose samples are skipped (e.g. -1 or 255 for "void" pixels).
    axis : int, default -1
        The class axis. (Keras's TensorFlow backend accepts only the last axis; the mirror
        accepts any.)

    Returns
    -------
    numpy.ndarray
        One loss per sample; ``y_pred``'s float dtype.

    Raises
    ------
    TypeError
        If ``y_true`` is not integral, ``y_pred`` not real-valued, ``from_logits`` not a bool,
        ``ignore_class`` not an int or None, or ``axis`` not an int.
    ValueError
        If the shapes do not fit, ``axis`` is out of range, ``y_pred`` holds a negative or NaN
        probability, or a label (other than ``ignore_class``) is outside ``[0, C)``.

    References
    ----------
    The Keras API documentation of ``keras.losses`` :cite:p:`kerasdocs`.

    See the chapter :doc:`/chapters/06_keras`.
    """
    y_pred = as_float_array(y_pred, "y_pred")
    from_logits = check_bool(from_logits, "from_logits")
    axis = check_axis(axis, y_pred.ndim)
    if ignore_class is not None:
        ignore_class = check_int(ignore_class, "ignore_class")
    shape = y_pred.shape[:axis] + y_pred.shape[axis + 1 :]
    y_true_arr = np.asarray(y_true)
    if y_true_arr.ndim == y_pred.ndim and y_true_arr.shape[axis] == 1:
        y_true_arr = np.squeeze(y_true_arr, axis=axis)
    targets = _sparse_targets(y_true_arr, shape)

    valid = np.ones(shape, dtype=bool) if ignore_class is None else targets != ignore_class
    num_classes = y_pred.shape[axis]
    bad = valid & ((targets < 0) | (targets >= num_classes))
    if bad.any():
        got = targets[bad]
        raise ValueError(
            f"y_true must be class indices in [0, {num_classes})"
            + ("" if ignore_class is None else f" or ignore_class={ignore_class}")
            + f", got values in [{got.min()}, {got.max()}]"
        )
    if not from_logits:
        _check_probs(y_pred)
    return _sparse_categorical_crossentropy(targets, y_pred, from_logits, valid, axis)


def _sparse_categorical_crossentropy(targets, y_pred, from_logits, valid, axis):
    """The maths of :func:`sparse_categorical_crossentropy`, without the argument checks.

    ``valid`` is False where ``targets`` equals ``ignore_class``.
    """
    targets = np.where(valid, targets, 0)
    logits = np.moveaxis(y_pred, axis, -1)
    if not from_logits:
        logits = np.log(_clip(logits))  # clip and log first ...
    # ... then the sparse softmax op, which renormalises what the clip left
    picked = np.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]
    loss = logsumexp(logits, axis=-1) - picked
    return np.where(valid, loss, 0).astype(y_pred.dtype, copy=False)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    r"""``keras.losses.binary_crossentropy``: binary cross-entropy, averaged along ``axis``.

    With probabilities:

    .. math:: \ell = \operatorname{mean}\Bigl(-t \log \operatorname{clip}(p)
              - (1 - t) \log\bigl(1 - \operatorname{clip}(p)\bigr)\Bigr),
              \qquad \operatorname{clip}(p) = \min(\max(p, \epsilon), 1 - \epsilon)

    With logits each term is ``tf.nn.sigmoid_cross_entropy_with_logits``. Label smoothing first
    replaces :math:`t` by :math:`t (1 - s) + s / 2`.

    Parameters
    ----------
    y_true : array_like
        Targets in [0, 1], same shape as ``y_pred``; cast to ``y_pred``'s dtype.
    y_pred : array_like
        Probabilities in [0, 1] or, with ``from_logits=True``, logits.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits.
    label_smoothing : float, default 0.0
        :math:`s` in [0, 1]: squeezes the targets towards 1/2.
    axis : int, default -1
        The axis averaged over.

    Returns
    -------
    numpy.ndarray
        ``y_pred``'s shape without ``axis``; ``y_pred``'s float dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued, ``from_logits`` is not a bool, ``label_smoothing`` not a
        number or ``axis`` not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range, ``label_smoothing`` is outside [0, 1], or
        (probabilities only) ``y_pred`` is outside [0, 1].

    References
    ----------
    The Keras API documentation of ``keras.losses`` :cite:p:`kerasdocs`.

    See the chapter :doc:`/chapters/06_keras`.
    """
    y_true, y_pred, from_logits, label_smoothing, axis = _dense_arguments(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    if not from_logits:
        check_probabilities(y_pred, "y_pred")
    return _binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)


def _binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis):
    """The maths of :func:`binary_crossentropy`, without the argument checks."""
    if label_smoothing:
        y_true = _smooth_binary_labels(y_true, label_smoothing)
    if from_logits:
        elementwise = tf_api._sigmoid_cross_entropy_with_logits(y_true, y_pred)
    else:  # clipped to [eps, 1 - eps] first
        elementwise = _binary_cross_entropy(y_pred, y_true, EPSILON)
    return _mean_along(elementwise, axis, y_pred.dtype)


# --- focal losses (chapter 14) ------------------------------------------------------------------


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    r"""``keras.losses.binary_focal_crossentropy``: the focal loss, averaged along ``axis``.

    Keras multiplies each element's binary cross-entropy by :math:`(1 - p_t)^\gamma`, with
    :math:`p_t = t p + (1 - t)(1 - p)` computed from the unclipped probabilities, and, with
    ``apply_class_balancing``, by :math:`\alpha_t = t \alpha + (1 - t)(1 - \alpha)`
    :cite:p:`lin2017focal`:

    .. math:: \ell = \operatorname{mean}\bigl(\alpha_t\, (1 - p_t)^\gamma\,
              \mathrm{BCE}(t, p)\bigr)

    With probabilities the cross-entropy is the clipped one of :func:`binary_crossentropy`;
    with logits it is the exact ``sigmoid_cross_entropy_with_logits`` (Keras recovers the
    logits from its own sigmoid), which is :func:`xentlib.imbalance.focal_loss_with_logits`.
    Label smoothing first replaces :math:`t` by :math:`t (1 - s) + s / 2`, for the weights too.

    Parameters
    ----------
    y_true : array_like
        Targets in [0, 1], same shape as ``y_pred``; cast to ``y_pred``'s dtype.
    y_pred : array_like
        Probabilities in [0, 1] or, with ``from_logits=True``, logits.
    apply_class_balancing : bool, default False
        Whether to weight by :math:`\alpha_t`.
    alpha : float, default 0.25
        :math:`\alpha` in [0, 1], the weight of the label 1 (used with
        ``apply_class_balancing`` only; Keras does not check its range, the mirror does).
    gamma : float, default 2.0
        The focusing exponent :math:`\gamma \ge 0`.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits.
    label_smoothing : float, default 0.0
        :math:`s` in [0, 1].
    axis : int, default -1
        The axis averaged over.

    Returns
    -------
    numpy.ndarray
        ``y_pred``'s shape without ``axis``; ``y_pred``'s float dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued, a flag is not a bool, ``alpha``, ``gamma`` or
        ``label_smoothing`` is not a number, or ``axis`` is not an int.
    ValueError
        If the shapes differ, ``axis`` is out of range, ``alpha`` or ``label_smoothing`` is
        outside [0, 1], ``gamma`` is negative, or ``y_pred`` holds NaN (or, for
        probabilities, leaves [0, 1]).

    References
    ----------
    :cite:t:`lin2017focal`.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    y_true, y_pred, from_logits, label_smoothing, axis = _dense_arguments(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    apply_class_balancing = check_bool(apply_class_balancing, "apply_class_balancing")
    alpha, gamma = _check_focal(alpha, gamma)
    check_no_nan(y_pred, "y_pred")
    if not from_logits:
        check_probabilities(y_pred, "y_pred")
    return _binary_focal_crossentropy(
        y_true, y_pred, apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis
    )


def _binary_focal_crossentropy(
    y_true, y_pred, apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis
):
    """The maths of :func:`binary_focal_crossentropy`, without the argument checks."""
    if label_smoothing:
        y_true = _smooth_binary_labels(y_true, label_smoothing)
    weight = alpha if apply_class_balancing else None
    if from_logits:
        elementwise = _focal_loss_with_logits(y_pred, y_true, weight, gamma)
    else:
        # the weights see the unclipped probabilities, the cross-entropy the clipped ones
        one_minus_p_t = y_true * (1 - y_pred) + (1 - y_true) * y_pred
        elementwise = one_minus_p_t**gamma * _binary_cross_entropy(y_pred, y_true, EPSILON)
        if weight is not None:
            elementwise = _alpha_t(y_true, weight) * elementwise
    return _mean_along(elementwise, axis, y_pred.dtype)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    r"""``keras.losses.categorical_focal_crossentropy``: the softmax focal loss per sample.

    Keras renormalises and clips the probabilities as in :func:`categorical_crossentropy`, then
    weights every class's term by :math:`\alpha (1 - p_c)^\gamma` :cite:p:`lin2017focal`:

    .. math:: \ell = -\sum_c \alpha_c\, (1 - \hat p_c)^\gamma\, t_c \log \hat p_c, \qquad
              \hat p = \operatorname{clip}\!\left(\frac{p}{\sum_k p_k},
              \epsilon, 1 - \epsilon\right)

    With logits, :math:`p` is their softmax, and the clip still applies (unlike
    :func:`categorical_crossentropy`, which hands logits to the fused op). Label smoothing first
    replaces :math:`t` by :math:`t (1 - s) + s / C`.

    Parameters
    ----------
    y_true : array_like
        One-hot (or soft) labels, same shape as ``y_pred``; cast to ``y_pred``'s dtype.
    y_pred : array_like
        Probabilities (rows are renormalised) or, with ``from_logits=True``, logits.
    alpha : float or array_like, default 0.25
        A non-negative weight: one number, or one per class (an array that broadcasts against
        ``y_pred``, e.g. shape ``(C,)`` for the last axis), as Keras allows. A Python list is
        rounded to float32 first, as Keras converts it to a float32 tensor.
    gamma : float, default 2.0
        The focusing exponent :math:`\gamma \ge 0`.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits.
    label_smoothing : float, default 0.0
        :math:`s` in [0, 1]; :math:`C` is the length of the last axis of ``y_true``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        One loss per sample: ``y_pred``'s shape without ``axis``; ``y_pred``'s float dtype.

    Raises
    ------
    TypeError
        If an array (``alpha`` included) is not real-valued, ``from_logits`` is not a bool,
        ``gamma`` or ``label_smoothing`` is not a number, or ``axis`` is not an int.
    ValueError
        If the shapes differ or ``alpha`` does not broadcast, ``axis`` is out of range,
        ``alpha`` is negative or NaN, ``gamma`` is negative, ``label_smoothing`` is outside
        [0, 1], or ``y_pred`` holds NaN, ``+inf`` or (probabilities only) a negative entry or an
        all-zero row.

    References
    ----------
    :cite:t:`lin2017focal`.

    See the chapter :doc:`/chapters/14_imbalance_and_focal_loss`.
    """
    y_true, y_pred, from_logits, label_smoothing, axis = _dense_arguments(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    _, gamma = _check_focal(None, gamma)
    # Keras turns a Python list into a tensor of its floatx, float32
    alpha = as_float_array(alpha, "alpha", list_dtype=np.float32)
    check_positive(alpha, "alpha", allow_zero=True)
    try:
        np.broadcast_shapes(alpha.shape, y_pred.shape)
    except ValueError:
        raise ValueError(
            f"alpha of shape {alpha.shape} must broadcast against y_pred's shape {y_pred.shape}"
        ) from None
    alpha = alpha.astype(y_pred.dtype)
    if from_logits:
        check_logits(y_pred, "y_pred", axis)
    else:
        _check_probs(y_pred, axis)
    return _categorical_focal_crossentropy(
        y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis
    )


def _categorical_focal_crossentropy(
    y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis
):
    """The maths of :func:`categorical_focal_crossentropy`, without the argument checks."""
    if label_smoothing:  # over the last axis of y_true, whatever ``axis`` is, as Keras
        y_true = _smooth_labels(y_true, label_smoothing)
    probs = _core_softmax(y_pred, axis=axis) if from_logits else y_pred
    probs = _clip(probs / np.sum(probs, axis=axis, keepdims=True))
    # every class's cross-entropy term, weighted by how far its probability is from 1
    terms = (1 - probs) ** gamma * alpha * (-y_true * np.log(probs))
    return np.sum(terms, axis=axis).astype(y_pred.dtype, copy=False)
