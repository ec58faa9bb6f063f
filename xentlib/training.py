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
    as_matrix,
    check_bool,
    check_fraction,
    check_int,
    check_logits,
    check_probabilities,
    check_real,
    result_dtype,
)
from .gradients import _softmax_cross_entropy, _softmax_cross_entropy_grad
from .softmax import softmax


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
    return _one_hot(targets, num_classes)


def _one_hot(targets, num_classes):
    """The maths of :func:`one_hot`, without the argument checks."""
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

    References
    ----------
    Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016
    (``szegedy2016`` in the book's bibliography).

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    labels = as_float_array(labels, "labels")
    eps = check_fraction(label_smoothing, "label_smoothing")
    if labels.ndim == 0:
        raise ValueError("labels must have at least one dimension (the class axis), got a scalar")
    return _smooth_labels(labels, eps)


def _smooth_labels(labels, label_smoothing):
    """The maths of :func:`smooth_labels`, without the argument checks."""
    eps, num_classes = label_smoothing, labels.shape[-1]
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
        If a size or ``seed`` is not an int, or ``scale`` is not a real number.
    ValueError
        If a size is below 1, ``scale`` is negative or infinite, or ``seed`` is negative.

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    num_features = check_int(num_features, "num_features", minimum=1)
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    scale = check_real(scale, "scale", 0, np.inf, bounds="[)")
    seed = check_int(seed, "seed", minimum=0)
    return _init_softmax_regression(num_features, num_classes, scale, seed)


def _init_softmax_regression(num_features, num_classes, scale, seed):
    """The maths of :func:`init_softmax_regression`, without the argument checks."""
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
    features = as_matrix(features, "features")
    weight = as_matrix(weight, "weight")
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
    return _softmax_regression_logits(features, weight, bias)


def _softmax_regression_logits(features, weight, bias):
    """The maths of :func:`softmax_regression_logits`, without the argument checks."""
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
    features = as_matrix(features, "features")
    logits = softmax_regression_logits(features, weight, bias)
    labels = as_float_array(labels, "labels")
    if labels.shape != logits.shape:
        raise ValueError(
            f"labels must have shape {logits.shape} to match the logits, got {labels.shape}"
        )
    dtype = result_dtype(logits, labels)
    return _softmax_regression_grad(features, labels.astype(dtype), logits.astype(dtype))


def _softmax_regression_grad(features, labels, logits):
    """The maths of :func:`softmax_regression_grad`, without the argument checks."""
    grad_logits = _softmax_cross_entropy_grad(logits, labels)  # G = (softmax(Z) - Y) / N
    loss = _softmax_cross_entropy(logits, labels)
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
    features = as_matrix(features, "features")
    weight = as_matrix(weight, "weight")
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
    learning_rate = check_real(learning_rate, "learning_rate", 0, np.inf, bounds="()")
    epochs = check_int(epochs, "epochs", minimum=0)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", minimum=1)
    label_smoothing = check_fraction(label_smoothing, "label_smoothing")
    seed = check_int(seed, "seed", minimum=0)
    progress = check_bool(progress, "progress")
    if validation is not None:
        try:
            val_features, val_targets = validation
        except (TypeError, ValueError):
            raise TypeError(
                "validation must be a pair (features_val, targets_val), got "
                f"{type(validation).__name__} {np.shape(validation)}"
            ) from None
        val_features = as_matrix(val_features, "validation features")
        val_targets = as_class_indices(val_targets, num_classes, "validation targets")
        if val_targets.shape != (val_features.shape[0],):
            raise ValueError(
                f"validation targets must have shape ({val_features.shape[0]},) to match the "
                f"validation features, got {val_targets.shape}"
            )
        softmax_regression_logits(val_features[:1], weight, bias)  # checks the shapes fit
        validation = (val_features.astype(dtype, copy=False), val_targets)
    return _fit_softmax_regression(
        features.astype(dtype, copy=False),
        targets,
        weight,
        bias,
        learning_rate,
        epochs,
        batch_size,
        label_smoothing,
        seed,
        validation,
        progress,
    )


def _fit_softmax_regression(
    features,
    targets,
    weight,
    bias,
    learning_rate,
    epochs,
    batch_size,
    label_smoothing,
    seed,
    validation,
    progress,
):
    """The maths of :func:`fit_softmax_regression`, without the argument checks.

    ``weight`` and ``bias`` are updated in place: the wrapper passes copies.
    """
    n, num_classes = features.shape[0], weight.shape[1]
    labels = _smooth_labels(_one_hot(targets, num_classes), label_smoothing).astype(weight.dtype)
    history = {"train_loss": [], "train_accuracy": []}
    if validation is not None:
        val_features, val_targets = validation
        val_labels = _one_hot(val_targets, num_classes).astype(weight.dtype)
        history.update(val_loss=[], val_accuracy=[])

    def record():
        logits = features @ weight + bias
        history["train_loss"].append(float(_softmax_cross_entropy(logits, labels)))
        history["train_accuracy"].append(_accuracy(logits, targets))
        if validation is not None:
            val_logits = val_features @ weight + bias
            history["val_loss"].append(float(_softmax_cross_entropy(val_logits, val_labels)))
            history["val_accuracy"].append(_accuracy(val_logits, val_targets))

    rng = np.random.default_rng(seed)
    step = n if batch_size is None else batch_size
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
            # G = (softmax(x W + b) - y) / |B|, then one chain-rule step to W and b
            grad_logits = _softmax_cross_entropy_grad(x @ weight + bias, labels[rows])
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


def _scores_and_targets(scores, targets, name="scores"):
    """Scores with a class axis (the last) and class indices of the matching shape."""
    scores = as_float_array(scores, name)
    if scores.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (the class axis), got a scalar")
    targets = as_class_indices(targets, scores.shape[-1])
    if targets.shape != scores.shape[:-1]:
        raise ValueError(
            f"targets must have shape {scores.shape[:-1]} to match {name} {scores.shape}, "
            f"got {targets.shape}"
        )
    return scores, targets


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
    scores, targets = _scores_and_targets(scores, targets)
    check_logits(scores, "scores", -1)
    return _accuracy(scores, targets)


def _accuracy(scores, targets):
    """The maths of :func:`accuracy`, without the argument checks."""
    if targets.size == 0:
        return float("nan")  # the mean of nothing
    return float(np.mean(scores.argmax(axis=-1) == targets))


def confusion_matrix(predictions, targets, num_classes):
    r"""Counts of (true class, predicted class) pairs.

    .. math:: M_{ij} = \#\{n : t_n = i,\ \hat t_n = j\}

    Rows are true classes, columns predictions (the convention of scikit-learn), so the
    diagonal holds the correct predictions and each row sums to the class's support. The
    prediction comes first, as in every xentlib function (scikit-learn's
    ``confusion_matrix(y_true, y_pred)`` takes the target first; the matrix is the same).

    Parameters
    ----------
    predictions : array_like of int
        Predicted class indices, 1-D.
    targets : array_like of int
        True class indices, same shape.
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
    predictions = as_class_indices(predictions, num_classes, "predictions")
    targets = as_class_indices(targets, num_classes)
    if targets.shape != predictions.shape or targets.ndim != 1:
        raise ValueError(
            "predictions and targets must be 1-D with the same shape, got "
            f"{predictions.shape} and {targets.shape}"
        )
    return _confusion_matrix(predictions, targets, num_classes)


def _confusion_matrix(predictions, targets, num_classes):
    """The maths of :func:`confusion_matrix`, without the argument checks."""
    flat = targets * num_classes + predictions  # the pair (t, p) as one index, row-major
    counts = np.bincount(flat, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


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
    probs = as_matrix(probs, "probs")
    check_probabilities(probs, "probs")
    probs, targets = _scores_and_targets(probs, targets, "probs")
    return _reliability_bins(probs, targets, n_bins)


def _reliability_bins(probs, targets, n_bins):
    """The maths of :func:`reliability_bins`, without the argument checks."""
    if probs.shape[1] == 0:  # no classes, so no samples either: every bin is empty
        confidence, correct = np.zeros(0), np.zeros(0)
    else:
        confidence = probs.max(axis=-1)
        correct = (probs.argmax(axis=-1) == targets).astype(np.float64)
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

    with the equal-width bins of :func:`reliability_bins`.

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

    References
    ----------
    Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017
    (``guo2017calibration`` in the book's bibliography).

    See the chapter :doc:`/chapters/10_training_softmax_regression`.
    """
    bins = reliability_bins(probs, targets, n_bins)
    if bins.counts.sum() == 0:
        raise ValueError("probs must hold at least one prediction to compute a calibration error")
    return _expected_calibration_error(bins)


def _expected_calibration_error(bins):
    """The maths of :func:`expected_calibration_error`, from the bins of the predictions."""
    total = bins.counts.sum()
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
    logits = softmax_regression_logits(features, weight, bias)
    return _predict_proba(logits)


def _predict_proba(logits):
    """The maths of :func:`predict_proba`, from the logits of :func:`softmax_regression_logits`."""
    return softmax(logits, axis=-1)
