"""Cross-entropy against targets that are not one-hot: label smoothing in its two conventions,
knowledge distillation from a teacher's softened outputs, and the contrastive losses InfoNCE and
CLIP, which are cross-entropies whose classes are the other members of the batch.

Defined in :doc:`/chapters/15_soft_targets`.
"""

import math

import numpy as np

from ._checks import (
    as_float_array,
    as_matrix,
    check_finite,
    check_fraction,
    check_logits,
    check_real,
    check_same_shape,
    result_dtype,
)
from ._ops import reduce
from .entropy import _cross_entropy_with_logits
from .softmax import softmax


def _check_temperature(temperature):
    return check_real(temperature, "temperature", 0, math.inf, bounds="()")


def smooth_labels_other_classes(labels, label_smoothing):
    r"""Label smoothing that moves mass only onto the wrong classes: :math:`\alpha/(C-1)` each.

    .. math:: \tilde y_c = (1 - \alpha)\, y_c + \frac{\alpha}{C - 1}\, (1 - y_c)

    For a one-hot label the true class keeps exactly :math:`1 - \alpha` and each of the other
    :math:`C - 1` classes gets :math:`\alpha / (C - 1)`, as in fairseq's
    ``label_smoothed_cross_entropy``, against the :math:`\alpha / C` on every class of
    :func:`xentlib.smooth_labels` (PyTorch's and Keras's ``label_smoothing``). The result still
    sums to 1 whenever ``labels`` does.

    Parameters
    ----------
    labels : array_like
        One-hot or soft labels, shape ``(..., C)`` with :math:`C \ge 2`.
    label_smoothing : float
        :math:`\alpha` in [0, 1]; 0 returns the labels unchanged.

    Returns
    -------
    numpy.ndarray
        Same shape as ``labels``; float32 for float32 input, float64 otherwise.

    Raises
    ------
    TypeError
        If ``labels`` is not real-valued or ``label_smoothing`` not a real number.
    ValueError
        If ``labels`` has fewer than two classes on its last axis, or ``label_smoothing`` is
        outside [0, 1].

    References
    ----------
    Label smoothing :cite:p:`szegedy2016`; what it does to a network :cite:p:`muller2019`.

    See the chapter :doc:`/chapters/15_soft_targets`.
    """
    labels = as_float_array(labels, "labels")
    alpha = check_fraction(label_smoothing, "label_smoothing")
    if labels.ndim == 0 or labels.shape[-1] < 2:
        raise ValueError(
            f"labels must have at least 2 classes on the last axis, got shape {labels.shape}"
        )
    return _smooth_labels_other_classes(labels, alpha)


def _smooth_labels_other_classes(labels, alpha):
    """The maths of :func:`smooth_labels_other_classes`, without the argument checks."""
    num_classes = labels.shape[-1]
    return (labels * (1 - alpha) + (1 - labels) * (alpha / (num_classes - 1))).astype(labels.dtype)


def distillation_loss(student_logits, teacher_logits, temperature=1.0):
    r"""Knowledge-distillation loss: :math:`T^2` times the batch-mean KL divergence of the
    student's softened distribution from the teacher's.

    .. math:: L = \frac{T^2}{N} \sum_{n=1}^{N}
              D_{\mathrm{KL}}\bigl(\operatorname{softmax}(t_n / T) \,\big\|\,
              \operatorname{softmax}(s_n / T)\bigr)

    computed as :math:`H(p, q) - H(p)`, the cross-entropy to the teacher's soft targets minus
    their entropy, with the one soft-label cross-entropy of xentlib. It equals
    ``torch.nn.functional.kl_div(log_softmax(s / T), softmax(t / T), reduction="batchmean")``
    times :math:`T^2`. The factor :math:`T^2` keeps the gradient with respect to the student's
    logits, :math:`T\,(\operatorname{softmax}(s/T) - \operatorname{softmax}(t/T)) / N`, of the
    same size as :math:`T` changes.

    Parameters
    ----------
    student_logits : array_like
        The student's logits :math:`s`, shape ``(N, C)``; no NaN or ``+inf``.
    teacher_logits : array_like
        The teacher's logits :math:`t`, same shape; no NaN or ``+inf``.
    temperature : float, default 1.0
        :math:`T`, positive and finite.

    Returns
    -------
    numpy.ndarray
        A 0-d array, non-negative up to rounding; float32 if both inputs are float32, float64
        otherwise. An empty batch gives ``nan``.

    Raises
    ------
    TypeError
        If an array is not real-valued or ``temperature`` is not a real number.
    ValueError
        If an array is not 2-D, the shapes differ, the logits hold NaN or ``+inf``, or
        ``temperature`` is not positive and finite.

    References
    ----------
    Distilling the knowledge in a neural network :cite:p:`hinton2015`.

    See the chapter :doc:`/chapters/15_soft_targets`.
    """
    student_logits = as_matrix(student_logits, "student_logits", "(N, C)")
    teacher_logits = as_matrix(teacher_logits, "teacher_logits", "(N, C)")
    check_same_shape(student_logits, teacher_logits, "student_logits", "teacher_logits")
    check_logits(student_logits, "student_logits", axis=1)
    check_logits(teacher_logits, "teacher_logits", axis=1)
    temperature = _check_temperature(temperature)
    dtype = result_dtype(student_logits, teacher_logits)
    return _distillation_loss(
        student_logits.astype(dtype, copy=False),
        teacher_logits.astype(dtype, copy=False),
        temperature,
    )


def _distillation_loss(student_logits, teacher_logits, temperature):
    """The maths of :func:`distillation_loss`, without the argument checks."""
    t = student_logits.dtype.type(temperature)
    soft_targets = softmax(teacher_logits / t)
    # KL(p || q) = H(p, q) - H(p); the teacher's entropy H(p) does not depend on the student
    cross_entropy = _cross_entropy_with_logits(student_logits / t, soft_targets)
    teacher_entropy = _cross_entropy_with_logits(teacher_logits / t, soft_targets)
    return t * t * reduce(cross_entropy - teacher_entropy, "mean")


def info_nce(queries, keys, temperature=1.0):
    r"""InfoNCE: the cross-entropy of picking each query's own key out of all the keys.

    .. math:: L = -\frac{1}{N} \sum_{n=1}^{N} \log
              \frac{\exp(q_n \cdot k_n / T)}{\sum_{m=1}^{M} \exp(q_n \cdot k_m / T)}

    The mean softmax cross-entropy of the logits ``queries @ keys.T / temperature`` with the
    diagonal as the targets: key :math:`n` is the positive of query :math:`n` and the other
    :math:`M - 1` keys are its negatives. The embeddings are used as given (normalise them first
    for a cosine similarity). At chance, when every logit of a row is equal, the loss is
    :math:`\log M`.

    Parameters
    ----------
    queries : array_like
        Shape ``(N, D)``; finite.
    keys : array_like
        Shape ``(M, D)`` with :math:`M \ge N`; finite. Rows ``N`` onwards are extra negatives.
    temperature : float, default 1.0
        :math:`T`, positive and finite.

    Returns
    -------
    numpy.ndarray
        A 0-d array; float32 if both inputs are float32, float64 otherwise. No queries give
        ``nan``.

    Raises
    ------
    TypeError
        If an array is not real-valued or ``temperature`` is not a real number.
    ValueError
        If an array is not 2-D or not finite, the embedding sizes differ, there are fewer keys
        than queries, or ``temperature`` is not positive and finite.

    References
    ----------
    Contrastive predictive coding, which names the loss InfoNCE :cite:p:`vandenoord2018`.

    See the chapter :doc:`/chapters/15_soft_targets`.
    """
    queries = as_matrix(queries, "queries", "(N, D)")
    keys = as_matrix(keys, "keys", "(N, D)")
    check_finite(queries, "queries")
    check_finite(keys, "keys")
    if queries.shape[1] != keys.shape[1]:
        raise ValueError(
            f"queries and keys must have the same embedding size, got shapes {queries.shape} "
            f"and {keys.shape}"
        )
    if keys.shape[0] < queries.shape[0]:
        raise ValueError(
            f"keys must have at least as many rows as queries (key n is the positive of query n), "
            f"got {keys.shape[0]} keys for {queries.shape[0]} queries"
        )
    temperature = _check_temperature(temperature)
    dtype = result_dtype(queries, keys)
    return _info_nce(queries.astype(dtype, copy=False), keys.astype(dtype, copy=False), temperature)


def _info_nce(queries, keys, temperature):
    """The maths of :func:`info_nce`, without the argument checks."""
    logits = queries @ keys.T / queries.dtype.type(temperature)
    # the "class" of query n is key n: one-hot labels on the diagonal
    labels = np.eye(*logits.shape, dtype=logits.dtype)
    return reduce(_cross_entropy_with_logits(logits, labels), "mean")


def clip_loss(image_embeds, text_embeds, temperature):
    r"""CLIP's symmetric contrastive loss: InfoNCE from images to texts and from texts to images.

    .. math:: Z = \frac{\hat I \hat X^\top}{T}, \qquad
              L = \frac{1}{2} \Bigl( \frac{1}{N} \sum_n H(e_n, \operatorname{softmax}(Z_{n,\cdot}))
              + \frac{1}{N} \sum_n H(e_n, \operatorname{softmax}(Z_{\cdot,n})) \Bigr)

    where :math:`\hat I` and :math:`\hat X` are the image and text embeddings with every row
    scaled to unit length, so :math:`Z` holds cosine similarities divided by the temperature, and
    image :math:`n` belongs with text :math:`n`. CLIP learns :math:`1/T` as ``logit_scale``.

    Parameters
    ----------
    image_embeds : array_like
        Shape ``(N, D)``; finite, no row of zeros.
    text_embeds : array_like
        Same shape; finite, no row of zeros.
    temperature : float
        :math:`T`, positive and finite (CLIP starts at 0.07).

    Returns
    -------
    numpy.ndarray
        A 0-d array; float32 if both inputs are float32, float64 otherwise. Between 0 and
        :math:`\log N + 2/T`; :math:`\log N` when all similarities are equal.

    Raises
    ------
    TypeError
        If an array is not real-valued or ``temperature`` is not a real number.
    ValueError
        If an array is not 2-D, not finite or has a row of zeros, the shapes differ, or
        ``temperature`` is not positive and finite.

    References
    ----------
    CLIP :cite:p:`radford2021`.

    See the chapter :doc:`/chapters/15_soft_targets`.
    """
    image_embeds = as_matrix(image_embeds, "image_embeds", "(N, D)")
    text_embeds = as_matrix(text_embeds, "text_embeds", "(N, D)")
    check_same_shape(image_embeds, text_embeds, "image_embeds", "text_embeds")
    for arr, name in ((image_embeds, "image_embeds"), (text_embeds, "text_embeds")):
        check_finite(arr, name)
        if arr.size and not (np.abs(arr).max(axis=1) > 0).all():
            raise ValueError(f"{name} has a row of zeros, which has no direction to normalise")
    temperature = _check_temperature(temperature)
    dtype = result_dtype(image_embeds, text_embeds)
    return _clip_loss(
        image_embeds.astype(dtype, copy=False), text_embeds.astype(dtype, copy=False), temperature
    )


def _unit_rows(x):
    """Every row of ``x`` divided by its Euclidean length (computed in float64)."""
    work = x.astype(np.float64, copy=False)
    scale = np.abs(work).max(axis=1, keepdims=True)  # no overflow or underflow in the squares
    work = work / scale
    return (work / np.linalg.norm(work, axis=1, keepdims=True)).astype(x.dtype)


def _clip_loss(image_embeds, text_embeds, temperature):
    """The maths of :func:`clip_loss`, without the argument checks."""
    logits = _unit_rows(image_embeds) @ _unit_rows(text_embeds).T
    logits = logits / logits.dtype.type(temperature)
    labels = np.eye(*logits.shape, dtype=logits.dtype)
    images_to_texts = reduce(_cross_entropy_with_logits(logits, labels), "mean")
    texts_to_images = reduce(_cross_entropy_with_logits(logits.T, labels), "mean")
    return (images_to_texts + texts_to_images) / logits.dtype.type(2)
