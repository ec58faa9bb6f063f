"""Multinomial logistic regression trained with xentlib's loss and gradient, and how to judge it:
accuracy, the confusion matrix, and calibration (reliability bins, expected calibration error).

Defined in :doc:`/chapters/10_training_softmax_regression`.
"""

import os
import sys
from typing import NamedTuple

import numpy as np

from ._checks import (
    as_class_indices,
    as_float_array,
    check_fraction,
    check_int,
    result_dtype,
)
from .gradients import softmax_cross_entropy, softmax_cross_entropy_grad
from .softmax import softmax


def _as_matrix(x, name):
    x = as_float_array(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples, features), got shape {x.shape}")
    return x


def one_hot(targets, num_classes):
    r"""One-hot labels from class indices.

    .. math:: y_{nc} = [\,t_n = c\,]

    Parameters
    ----------
    targets : array_like of int
        Class indices in ``[0, num_classes)``; any shape.
    num_classes : int
        Number of classes :math:`C`, at least 1.

    Returns
    -------
    numpy.ndarray
        float64, shape ``targets.shape + (num_classes,)``.

    Raises
    ------
    TypeError
        If ``targets`` are not integers or ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is below 1 or a target is out of range.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    targets = as_class_indices(targets, num_classes)
    return (targets[..., None] == np.arange(num_classes)).astype(np.float64)


def smooth_labels(labels, label_smoothing):
    r"""Label smoothing: mix the labels with the uniform distribution over the classes.

    .. math:: \tilde y_c = (1 - \varepsilon)\, y_c + \frac{\varepsilon}{C}

    the convention of ``keras.losses.categorical_crossentropy(label_smoothing=...)`` and of
    ``torch.nn.functional.cross_entropy(label_smoothing=...)``.

    Parameters
    ----------
    labels : array_like
        One-hot or soft labels, shape ``(..., C)``.
    label_smoothing : float
        :math:`\varepsilon` in [0, 1]; 0 returns the labels unchanged.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``labels`` (float64 for integer input).

    Raises
    ------
    TypeError
        If ``labels`` is not real-valued or ``label_smoothing`` not a real number.
    ValueError
        If ``labels`` is a scalar or ``label_smoothing`` is outside [0, 1].

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    labels = as_float_array(labels, "labels")
    eps = check_fraction(label_smoothing, "label_smoothing")
    if labels.ndim == 0:
        raise ValueError("labels must have at least one dimension (the class axis), got a scalar")
    num_classes = labels.shape[-1]
    return (labels * (1 - eps) + eps / num_classes).astype(labels.dtype)


def init_softmax_regression(num_features, num_classes, scale=0.01, seed=0):
    r"""Initial parameters of a softmax regression: small Gaussian weights, zero biases.

    .. math:: W_{dc} \sim \mathcal N(0, s^2), \qquad b_c = 0

    Parameters
    ----------
    num_features : int
        Number of input features :math:`D`, at least 1.
    num_classes : int
        Number of classes :math:`C`, at least 1.
    scale : float, default 0.01
        Standard deviation :math:`s` of the weights, non-negative.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(weight, bias)``, float64, shapes ``(D, C)`` and ``(C,)``.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is below 1 or ``scale`` is negative.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    num_features = check_int(num_features, "num_features", minimum=1)
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    if not scale >= 0:
        raise ValueError(f"scale must be non-negative, got {scale}")
    rng = np.random.default_rng(seed)
    weight = rng.normal(0.0, scale, size=(num_features, num_classes))
    return weight, np.zeros(num_classes)


def softmax_regression_logits(features, weight, bias):
    r"""Logits of a softmax regression: an affine map of the features.

    .. math:: z_n = x_n W + b

    Parameters
    ----------
    features : array_like
        Shape ``(N, D)``.
    weight : array_like
        Shape ``(D, C)``.
    bias : array_like
        Shape ``(C,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, C)``.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not fit together.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    features = _as_matrix(features, "features")
    weight = _as_matrix(weight, "weight")
    bias = as_float_array(bias, "bias")
    if features.shape[1] != weight.shape[0]:
        raise ValueError(
            f"features has {features.shape[1]} columns but weight has {weight.shape[0]} rows; "
            "they must match"
        )
    if bias.shape != (weight.shape[1],):
        raise ValueError(
            f"bias must have shape ({weight.shape[1]},) to match weight, got {bias.shape}"
        )
    return features @ weight + bias


def softmax_regression_grad(features, labels, weight, bias):
    r"""Batch-mean cross-entropy of a softmax regression and its gradient by the parameters.

    With :math:`G = \partial L / \partial Z` from :func:`~xentlib.softmax_cross_entropy_grad`,
    the chain rule through :math:`Z = XW + b` gives

    .. math:: \frac{\partial L}{\partial W} = X^{\top} G, \qquad
              \frac{\partial L}{\partial b} = \mathbf 1^{\top} G

    Parameters
    ----------
    features : array_like
        Shape ``(N, D)``.
    labels : array_like
        One-hot or soft labels, shape ``(N, C)``.
    weight : array_like
        Shape ``(D, C)``.
    bias : array_like
        Shape ``(C,)``.

    Returns
    -------
    tuple
        ``(loss, grad_weight, grad_bias)``.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not fit together.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    features = _as_matrix(features, "features")
    logits = softmax_regression_logits(features, weight, bias)
    grad_logits = softmax_cross_entropy_grad(logits, labels)
    loss = softmax_cross_entropy(logits, labels)
    return loss, features.T @ grad_logits, grad_logits.sum(axis=0)


class SoftmaxRegressionFit(NamedTuple):
    """What :func:`fit_softmax_regression` returns: the trained parameters and the curves."""

    weight: np.ndarray
    """Trained weights, shape ``(D, C)``."""
    bias: np.ndarray
    """Trained biases, shape ``(C,)``."""
    history: dict
    """Per-epoch curves (lists of floats), the first entry before any update."""


def fit_softmax_regression(
    features,
    targets,
    weight,
    bias,
    *,
    learning_rate=0.5,
    epochs=30,
    batch_size=None,
    label_smoothing=0.0,
    seed=0,
    validation=None,
    progress=False,
):
    r"""Train a softmax regression by (mini-batch) gradient descent on the mean cross-entropy.

    .. math:: W \leftarrow W - \eta\, X_B^{\top} G_B, \qquad
              b \leftarrow b - \eta\, \mathbf 1^{\top} G_B, \qquad
              G_B = \frac{\operatorname{softmax}(X_B W + b) - \tilde Y_B}{|B|}

    where :math:`\tilde Y` are the one-hot labels, smoothed if ``label_smoothing > 0``. With
    ``batch_size=None`` every step uses the whole training set in its given order (full-batch
    gradient descent, one step per epoch). Otherwise each epoch visits the rows in the order
    ``rng.permutation(N)``, with ``rng = numpy.random.default_rng(seed)`` created once before the
    first epoch, in consecutive batches of ``batch_size`` (the last one may be smaller). That
    order is part of the contract, so another framework can replay the same run.

    Parameters
    ----------
    features : array_like
        Training inputs, shape ``(N, D)``, at least one row.
    targets : array_like of int
        Class indices, shape ``(N,)``, in ``[0, C)``.
    weight, bias : array_like
        Initial parameters, shapes ``(D, C)`` and ``(C,)`` (see
        :func:`init_softmax_regression`); not modified.
    learning_rate : float, default 0.5
        The step size :math:`\eta`, positive.
    epochs : int, default 30
        Passes over the training set, at least 0.
    batch_size : int or None, default None
        Rows per step; ``None`` for full-batch descent.
    label_smoothing : float, default 0.0
        :math:`\varepsilon` in [0, 1] for :func:`smooth_labels`.
    seed : int, default 0
        Seed of the shuffling.
    validation : tuple or None, default None
        ``(features_val, targets_val)`` to evaluate after every epoch.
    progress : bool, default False
        Show a ``tqdm`` progress bar over the epochs (on standard error). Pass
        :func:`interactive_session` to show it only to a person watching.

    Returns
    -------
    SoftmaxRegressionFit
        ``(weight, bias, history)``. ``history`` has ``"train_loss"`` (mean cross-entropy on the
        whole training set against the labels trained on, smoothed or not), ``"train_accuracy"``,
        and with ``validation`` also ``"val_loss"`` (against one-hot labels) and
        ``"val_accuracy"``; each list has ``epochs + 1`` entries, the first before any update.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes do not fit, the training set is empty, or a hyperparameter is out of range.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    features = _as_matrix(features, "features")
    weight = _as_matrix(weight, "weight")
    num_classes = weight.shape[1]
    targets = as_class_indices(targets, num_classes)
    if targets.shape != (features.shape[0],):
        raise ValueError(
            f"targets must have shape ({features.shape[0]},) to match features, got {targets.shape}"
        )
    if features.shape[0] == 0:
        raise ValueError("features must hold at least one training sample, got 0 rows")
    dtype = result_dtype(features, weight)
    weight = weight.astype(dtype)  # copies: the caller's arrays stay as they were
    bias = as_float_array(bias, "bias").astype(dtype)
    softmax_regression_logits(features[:1], weight, bias)  # checks the shapes fit
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.floating)):
        raise TypeError(f"learning_rate must be a real number, got {type(learning_rate).__name__}")
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be positive and finite, got {learning_rate}")
    epochs = check_int(epochs, "epochs", minimum=0)
    n = features.shape[0]
    step = n if batch_size is None else check_int(batch_size, "batch_size", minimum=1)
    labels = smooth_labels(one_hot(targets, num_classes), label_smoothing).astype(dtype)
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError("validation must be a pair (features_val, targets_val)")
        val_features = _as_matrix(validation[0], "validation features")
        val_targets = as_class_indices(validation[1], num_classes, "validation targets")
        val_labels = one_hot(val_targets, num_classes).astype(dtype)

    history = {"train_loss": [], "train_accuracy": []}
    if validation is not None:
        history.update(val_loss=[], val_accuracy=[])

    def record():
        logits = features @ weight + bias
        history["train_loss"].append(float(softmax_cross_entropy(logits, labels)))
        history["train_accuracy"].append(accuracy(logits, targets))
        if validation is not None:
            val_logits = val_features @ weight + bias
            history["val_loss"].append(float(softmax_cross_entropy(val_logits, val_labels)))
            history["val_accuracy"].append(accuracy(val_logits, val_targets))

    rng = np.random.default_rng(seed)
    epoch_range = range(epochs)
    if progress:
        from tqdm import tqdm  # imported only when a bar is wanted

        epoch_range = tqdm(epoch_range, desc="training", unit="epoch")
    record()
    for _ in epoch_range:
        order = np.arange(n) if batch_size is None else rng.permutation(n)
        for start in range(0, n, step):
            rows = order[start : start + step]
            x = features[rows]
            grad_logits = softmax_cross_entropy_grad(x @ weight + bias, labels[rows])
            weight -= learning_rate * (x.T @ grad_logits)
            bias -= learning_rate * grad_logits.sum(axis=0)
        record()
    return SoftmaxRegressionFit(weight, bias, history)


def interactive_session(environ=None, stream=None):
    """Whether a person is watching: decides if a progress bar should be drawn.

    True when the environment variable ``XENTLIB_PROGRESS`` says so (``1``/``true``/``yes``;
    ``0``/``false``/``no``/empty turn it off), otherwise when the kernel was started by a
    Jupyter server (JupyterLab or Notebook set ``JPY_SESSION_NAME`` in the kernel's
    environment), otherwise when standard error is a terminal. A kernel started by ``nbval``,
    ``nbclient`` or ``python -m booktools.refresh`` has none of these, so re-executed notebooks
    store no progress output.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read; ``os.environ`` by default.
    stream : file-like, optional
        The stream a bar would be written to; ``sys.stderr`` by default.

    Returns
    -------
    bool

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    environ = os.environ if environ is None else environ
    override = environ.get("XENTLIB_PROGRESS")
    if override is not None:
        return override.strip().lower() in ("1", "true", "yes", "on")
    if "JPY_SESSION_NAME" in environ:
        return True
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _predictions(scores, targets):
    """Predicted classes (argmax of the last axis) and checked targets of the same shape."""
    scores = as_float_array(scores, "scores")
    if scores.ndim == 0:
        raise ValueError("scores must have at least one dimension (the class axis), got a scalar")
    targets = as_class_indices(targets, scores.shape[-1])
    if targets.shape != scores.shape[:-1]:
        raise ValueError(
            f"targets must have shape {scores.shape[:-1]} to match scores {scores.shape}, "
            f"got {targets.shape}"
        )
    return scores.argmax(axis=-1) if scores.shape[-1] else targets, targets


def accuracy(scores, targets):
    r"""Fraction of samples whose highest score is the target class.

    .. math:: \operatorname{acc} = \frac{1}{N} \sum_n [\,\arg\max_c s_{nc} = t_n\,]

    Parameters
    ----------
    scores : array_like
        Logits or probabilities, shape ``(..., C)``; ties go to the lowest class index.
    targets : array_like of int
        Class indices, shape ``scores.shape[:-1]``.

    Returns
    -------
    float
        In [0, 1]; ``nan`` for an empty batch.

    Raises
    ------
    TypeError
        If ``scores`` is not real-valued or ``targets`` not integers.
    ValueError
        If the shapes do not match or a target is out of range.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    predictions, targets = _predictions(scores, targets)
    if targets.size == 0:
        return float("nan")
    return float(np.mean(predictions == targets))


def confusion_matrix(targets, predictions, num_classes):
    r"""Counts of (true class, predicted class) pairs.

    .. math:: M_{ij} = \#\{n : t_n = i,\ \hat t_n = j\}

    Rows are true classes, columns predictions (the convention of scikit-learn), so the
    diagonal holds the correct predictions and each row sums to the class's support.

    Parameters
    ----------
    targets : array_like of int
        True class indices, 1-D.
    predictions : array_like of int
        Predicted class indices, same shape.
    num_classes : int
        Number of classes :math:`C`, at least 1.

    Returns
    -------
    numpy.ndarray
        int64, shape ``(C, C)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the shapes differ or an index is out of range.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    targets = as_class_indices(targets, num_classes)
    predictions = as_class_indices(predictions, num_classes, "predictions")
    if targets.shape != predictions.shape or targets.ndim != 1:
        raise ValueError(
            "targets and predictions must be 1-D with the same shape, got "
            f"{targets.shape} and {predictions.shape}"
        )
    flat = targets * num_classes + predictions
    return (
        np.bincount(flat, minlength=num_classes**2)
        .reshape(num_classes, num_classes)
        .astype(np.int64)
    )


class ReliabilityBins(NamedTuple):
    """Per-bin summary of confidence against accuracy; see :func:`reliability_bins`."""

    edges: np.ndarray
    """Bin edges, ``n_bins + 1`` values from 0 to 1."""
    counts: np.ndarray
    """Samples per bin (int64)."""
    confidence: np.ndarray
    """Mean confidence of the samples in each bin; ``nan`` for an empty bin."""
    accuracy: np.ndarray
    """Fraction of correct predictions in each bin; ``nan`` for an empty bin."""


def reliability_bins(probs, targets, n_bins=10):
    r"""Bin predictions by confidence and compare each bin's confidence with its accuracy.

    The confidence of a prediction is its largest probability :math:`\hat p_n = \max_c p_{nc}`;
    bin :math:`k` holds the samples with :math:`\hat p_n \in (k/K, (k+1)/K]` (the first bin also
    takes 0). A calibrated model has accuracy equal to confidence in every bin: the diagonal of
    a reliability diagram.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``.
    targets : array_like of int
        Class indices, shape ``(N,)``.
    n_bins : int, default 10
        Number of equal-width bins :math:`K` on [0, 1], at least 1.

    Returns
    -------
    ReliabilityBins
        ``(edges, counts, confidence, accuracy)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``probs`` is not 2-D, holds values outside [0, 1], or does not match ``targets``.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    probs = _as_matrix(probs, "probs")
    if probs.size and (np.isnan(probs).any() or probs.min() < 0 or probs.max() > 1):
        raise ValueError("probs must hold probabilities in [0, 1] (no NaN)")
    predictions, targets = _predictions(probs, targets)
    confidence = probs.max(axis=-1) if probs.shape[1] else np.zeros(len(targets))
    correct = (predictions == targets).astype(np.float64)
    # bin k is (k/K, (k+1)/K]; ceil puts an exact edge into the bin below it
    index = np.clip(np.ceil(confidence * n_bins).astype(np.intp) - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(index, weights=confidence, minlength=n_bins) / counts
        mean_acc = np.bincount(index, weights=correct, minlength=n_bins) / counts
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return ReliabilityBins(edges, counts, mean_conf, mean_acc)


def expected_calibration_error(probs, targets, n_bins=10):
    r"""Expected calibration error: the bin-weighted gap between confidence and accuracy.

    .. math:: \operatorname{ECE} = \sum_{k=1}^{K} \frac{|B_k|}{N}
              \bigl| \operatorname{acc}(B_k) - \operatorname{conf}(B_k) \bigr|

    with the equal-width bins of :func:`reliability_bins` (Guo et al., 2017).

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``, at least one row.
    targets : array_like of int
        Class indices, shape ``(N,)``.
    n_bins : int, default 10
        Number of bins :math:`K`.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        As :func:`reliability_bins`, or for an empty batch.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    bins = reliability_bins(probs, targets, n_bins)
    total = bins.counts.sum()
    if total == 0:
        raise ValueError("probs must hold at least one prediction to compute a calibration error")
    filled = bins.counts > 0
    gaps = np.abs(bins.accuracy[filled] - bins.confidence[filled])
    return float(np.sum(bins.counts[filled] / total * gaps))


def predict_proba(features, weight, bias):
    r"""Class probabilities of a softmax regression.

    .. math:: p_n = \operatorname{softmax}(x_n W + b)

    Parameters
    ----------
    features : array_like
        Shape ``(N, D)``.
    weight : array_like
        Shape ``(D, C)``.
    bias : array_like
        Shape ``(C,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, C)``, rows summing to 1.

    Raises
    ------
    TypeError
        If an argument is not real-valued.
    ValueError
        If the shapes do not fit together.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    return softmax(softmax_regression_logits(features, weight, bias), axis=-1)
