"""NumPy mirrors of TensorFlow's ``tf.nn`` cross-entropy ops: same names, arguments, defaults.

Each function computes what the TensorFlow 2 op of the same name computes, per element or per
sample (no reduction: the ``tf.nn`` ops never reduce), in the order of operations the op's
kernel uses, so float32 and float64 results agree to the last few ulps. Each public function
checks its arguments and calls a short private function ``_name`` that holds only the maths,
built from :mod:`xentlib.softmax` and, for the softmax cross-entropy, from the one implementation
of the soft-label formula, ``xentlib.entropy._cross_entropy_with_logits``.

Defined in :doc:`/chapters/07_tensorflow`.
"""

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_axis,
    check_bool,
    check_class_axis,
    check_int,
    check_real,
    check_same_shape,
)
from .entropy import _cross_entropy_with_logits
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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    labels = _labels_like(labels, logits)
    axis = check_axis(axis, logits.ndim)
    return _softmax_cross_entropy_with_logits(labels, logits, axis)


def _softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """The maths of :func:`softmax_cross_entropy_with_logits`, without the argument checks."""
    # TensorFlow's order of arguments, xentlib's one formula: sum_c t_c (LSE(z) - z_c)
    return _cross_entropy_with_logits(logits, labels, axis)


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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    check_class_axis(logits, "logits")
    labels = as_class_indices(labels, logits.shape[-1], "labels")
    if labels.shape != logits.shape[:-1]:
        raise ValueError(
            f"labels must have shape logits.shape[:-1] = {logits.shape[:-1]}, got {labels.shape}"
        )
    return _sparse_softmax_cross_entropy_with_logits(labels, logits)


def _sparse_softmax_cross_entropy_with_logits(labels, logits):
    """The maths of :func:`sparse_softmax_cross_entropy_with_logits`, without the argument checks."""
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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

    See the chapter :doc:`/chapters/07_tensorflow`.
    """
    logits = as_float_array(logits, "logits")
    labels = _labels_like(labels, logits)
    return _sigmoid_cross_entropy_with_logits(labels, logits)


def _sigmoid_cross_entropy_with_logits(labels, logits):
    """The maths of :func:`sigmoid_cross_entropy_with_logits`, without the argument checks."""
    # TensorFlow's kernel: max(x, 0) - x z + log(1 + exp(-|x|)), the last term as -log sigmoid(|x|)
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

    References
    ----------
    The TensorFlow API documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

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
    return _weighted_cross_entropy_with_logits(labels, logits, pos_weight)


def _weighted_cross_entropy_with_logits(labels, logits, pos_weight):
    """The maths of :func:`weighted_cross_entropy_with_logits`, without the argument checks."""
    log_weight = 1 + (pos_weight - 1) * labels
    return (1 - labels) * logits + log_weight * -_log_sigmoid(logits)


def sampled_softmax_loss(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=True,
):
    r"""``tf.nn.sampled_softmax_loss``: softmax cross-entropy over the true and a few sampled classes.

    .. math:: \ell = -\sum_{j=1}^{T} \frac{1}{T} \log
              \frac{e^{\tilde z_{y_j}}}{\sum_{j'=1}^{T} e^{\tilde z_{y_{j'}}}
              + \sum_{k=1}^{S} e^{\tilde z_{s_k}}},
              \qquad \tilde z_c = x \cdot w_c + b_c - \log Q(c)

    where :math:`y_1 \dots y_T` are the example's ``num_true`` labels, :math:`s_1 \dots s_S` the
    ``num_sampled`` sampled classes shared by the batch, and :math:`Q(c)` the expected count of
    class :math:`c` in the sample (the log-Q correction). With ``remove_accidental_hits`` a sampled
    class that equals one of the example's labels gets ``float32``'s lowest value added to its
    logit, as TensorFlow does, so it drops out of the normaliser; like TensorFlow, only the last
    copy of a class that a sample drawn with replacement holds several times is removed.

    TensorFlow draws the sample itself when ``sampled_values`` is ``None``; a NumPy mirror cannot
    replay TensorFlow's random sampler, so here ``sampled_values`` is required: pass the triple
    that a ``tf.random.*_candidate_sampler`` returned (or one built in NumPy).

    Parameters
    ----------
    weights : array_like, shape (num_classes, D)
        The class embeddings (the output layer's weight, one row per class).
    biases : array_like, shape (num_classes,)
        The class biases.
    labels : array_like of int, shape (B, num_true)
        The true classes of each example, in ``[0, num_classes)``; shape ``(B,)`` is accepted for
        ``num_true=1``.
    inputs : array_like, shape (B, D)
        The hidden states that feed the output layer; their float dtype is the result's.
    num_sampled : int
        The number of sampled classes :math:`S`.
    num_classes : int
        The number of classes; ``weights.shape[0]``.
    num_true : int, default 1
        The number of true classes per example :math:`T`; each gets target probability
        :math:`1/T`.
    sampled_values : tuple of 3 array_like
        ``(sampled_candidates, true_expected_count, sampled_expected_count)`` with shapes
        ``(S,)``, ``(B, num_true)`` and ``(S,)``: the sampled class ids and the expected counts
        of the true and of the sampled classes. Required (see above).
    remove_accidental_hits : bool, default True
        Whether to drop a sampled class that equals one of the example's true classes.

    Returns
    -------
    numpy.ndarray, shape (B,)
        The per-example losses, in ``inputs``' float dtype.

    Raises
    ------
    TypeError
        If an array is not real-valued (labels and candidates: not integer), an int argument is
        not an int or ``remove_accidental_hits`` is not a bool.
    ValueError
        If ``sampled_values`` is ``None`` or not a triple, a shape does not fit, a class id is
        outside ``[0, num_classes)`` or an expected count is not positive.

    References
    ----------
    Jean et al. (2015), "On using very large target vocabulary for neural machine translation"
    :cite:p:`jean2015`; Bengio and Senécal (2008), "Adaptive importance sampling to accelerate
    training of a neural probabilistic language model" :cite:p:`bengio2008`; the TensorFlow API
    documentation of ``tf.nn`` :cite:p:`tensorflowdocs`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    num_sampled = check_int(num_sampled, "num_sampled", minimum=1)
    num_true = check_int(num_true, "num_true", minimum=1)
    remove_accidental_hits = check_bool(remove_accidental_hits, "remove_accidental_hits")
    inputs = as_float_array(inputs, "inputs")
    if inputs.ndim != 2:
        raise ValueError(f"inputs must have shape (batch_size, dim), got shape {inputs.shape}")
    batch, dim = inputs.shape
    weights = as_float_array(weights, "weights").astype(inputs.dtype, copy=False)
    if weights.shape != (num_classes, dim):
        raise ValueError(
            f"weights must have shape (num_classes, dim) = {(num_classes, dim)}, "
            f"got {weights.shape}"
        )
    biases = as_float_array(biases, "biases").astype(inputs.dtype, copy=False)
    if biases.shape != (num_classes,):
        raise ValueError(f"biases must have shape ({num_classes},), got {biases.shape}")
    labels = as_class_indices(labels, num_classes, "labels")
    if num_true == 1 and labels.shape == (batch,):
        labels = labels[:, None]
    if labels.shape != (batch, num_true):
        raise ValueError(
            f"labels must have shape (batch_size, num_true) = {(batch, num_true)}, "
            f"got {labels.shape}"
        )
    if sampled_values is None:
        raise ValueError(
            "sampled_values is required: a NumPy mirror cannot replay TensorFlow's random "
            "candidate sampler, so pass the (sampled_candidates, true_expected_count, "
            "sampled_expected_count) triple that a tf.random.*_candidate_sampler returned"
        )
    if len(sampled_values) != 3:
        raise ValueError(
            "sampled_values must be a triple (sampled_candidates, true_expected_count, "
            f"sampled_expected_count), got {len(sampled_values)} items"
        )
    sampled = as_class_indices(sampled_values[0], num_classes, "sampled_values[0]")
    counts = []
    for i, shape in ((1, (batch, num_true)), (2, (num_sampled,))):
        count = as_float_array(sampled_values[i], f"sampled_values[{i}]")
        if count.shape != shape:
            raise ValueError(f"sampled_values[{i}] must have shape {shape}, got {count.shape}")
        check_real(float(count.min(initial=1)), f"sampled_values[{i}]", low=0, bounds="()")
        counts.append(count.astype(inputs.dtype, copy=False))
    if sampled.shape != (num_sampled,):
        raise ValueError(
            f"sampled_values[0] must have shape (num_sampled,) = ({num_sampled},), "
            f"got {sampled.shape}"
        )
    return _sampled_softmax_loss(
        weights, biases, labels, inputs, sampled, *counts, remove_accidental_hits
    )


def _sampled_softmax_loss(
    weights, biases, labels, inputs, sampled, true_count, sampled_count, remove_accidental_hits
):
    """The maths of :func:`sampled_softmax_loss`, without the argument checks."""
    true_logits = np.sum(inputs[:, None, :] * weights[labels], axis=-1) + biases[labels]
    sampled_logits = inputs @ weights[sampled].T + biases[sampled]
    if remove_accidental_hits:
        # a sampled class equal to one of the row's labels: TensorFlow adds float32's lowest value,
        # at the last position of a class that the sample holds more than once
        _, first_from_end = np.unique(sampled[::-1], return_index=True)
        last = np.zeros(sampled.shape, dtype=bool)
        last[sampled.size - 1 - first_from_end] = True
        hits = (labels[:, :, None] == sampled[None, None, :]).any(axis=1) & last
        lowest = inputs.dtype.type(np.finfo(np.float32).min)
        sampled_logits = sampled_logits + np.where(hits, lowest, inputs.dtype.type(0))
    # the log-Q correction: subtract the log of each class's expected count in the sample
    logits = np.concatenate(
        [true_logits - np.log(true_count), sampled_logits - np.log(sampled_count)], axis=1
    )
    num_true = labels.shape[1]
    targets = np.zeros_like(logits)
    targets[:, :num_true] = 1 / num_true
    return _cross_entropy_with_logits(logits, targets, axis=-1)
