"""The loss that trains a language model: next-token cross-entropy over sequences.

A causal language model scores, at every position of a sequence, the token that comes next. The
loss is one cross-entropy per position, counted only where the label is not ``ignore_index``
(padding, prompts), and its exponential is the perplexity. The z-loss keeps the log-normaliser of
the output layer near zero, and the bigram table is the counting solution that chapter 12 trains
against.

Defined in :doc:`/chapters/12_language_models`.
"""

import numpy as np

from ._checks import as_class_indices, as_float_array, check_int, check_logits, check_real
from ._ops import positive_zero
from .nll import _sparse_cross_entropy_with_logits
from .softmax import logsumexp


def causal_lm_loss(logits, labels, ignore_index=-100, num_items=None):
    r"""Next-token cross-entropy of a batch of sequences: the logits at ``t`` predict ``t + 1``.

    .. math:: \mathcal{L} = \frac{1}{M} \sum_{b=1}^{B} \sum_{t=1}^{T-1}
              [y_{b,t+1} \ne \mathrm{ignore}]\,
              \bigl(\operatorname{LSE}(z_{b,t}) - z_{b,t,y_{b,t+1}}\bigr)

    with :math:`M` the number of counted targets (the labels from position 1 on that are not
    ``ignore_index``), or ``num_items`` when it is given. The shift is done here, as in Hugging
    Face's causal language models: pass the labels aligned with the inputs (usually the input
    ids themselves, with ``ignore_index`` at padding and at prompt tokens).

    Parameters
    ----------
    logits : array_like, shape (B, T, V)
        Scores of every vocabulary entry at every position.
    labels : array_like of int, shape (B, T)
        Token ids in ``[0, V)``, or ``ignore_index`` at positions that must not be counted. The
        label at position 0 is never used (nothing predicts it).
    ignore_index : int, default -100
        The label value that marks a position as not counted (PyTorch's default).
    num_items : real, optional
        Divide the summed loss by this number instead of the number of counted targets: with
        the count of the whole batch, micro-batch losses add up to the full-batch loss
        (gradient accumulation).

    Returns
    -------
    numpy.floating
        The loss, float32 for float32 ``logits`` and float64 otherwise; ``nan`` when no target
        is counted and ``num_items`` is not given (as in PyTorch).

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued, ``labels`` is not integer, ``ignore_index`` is not an
        int or ``num_items`` is not a real number.
    ValueError
        If ``logits`` is not 3-D or holds NaN or ``+inf``, ``labels`` does not have shape
        ``(B, T)`` or holds a value outside ``[0, V)`` other than ``ignore_index``, or
        ``num_items`` is not positive.

    References
    ----------
    Bengio et al. (2003), "A neural probabilistic language model" :cite:p:`bengio2003`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim != 3:
        raise ValueError(f"logits must have shape (B, T, V), got shape {logits.shape}")
    check_logits(logits, "logits", axis=-1)
    ignore_index = check_int(ignore_index, "ignore_index")
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:2]:
        raise ValueError(
            f"labels must have shape logits.shape[:2] = {logits.shape[:2]}, got {labels.shape}"
        )
    counted = labels != ignore_index
    # the ignored positions are checked as class 0; every other label must be a class index
    labels = as_class_indices(
        np.where(counted, labels, 0), logits.shape[-1], f"labels (other than {ignore_index})"
    )
    if num_items is not None:
        num_items = check_real(num_items, "num_items", low=0, bounds="()")
    return _causal_lm_loss(logits, labels, counted, num_items)


def _causal_lm_loss(logits, labels, counted, num_items):
    """The maths of :func:`causal_lm_loss`, without the argument checks."""
    # shift: the logits at positions 0 .. T-2 score the labels at positions 1 .. T-1
    logits, labels, counted = logits[:, :-1], labels[:, 1:], counted[:, 1:]
    # one cross-entropy per position (chapter 02's), the ignored ones left out of the sum
    losses = _sparse_cross_entropy_with_logits(logits, labels, reduction="none")
    total = np.where(counted, losses, 0).sum(dtype=logits.dtype)
    denominator = counted.sum() if num_items is None else num_items
    with np.errstate(invalid="ignore"):  # nothing counted: 0 / 0 is nan, as in PyTorch
        return positive_zero(total / logits.dtype.type(denominator))


def perplexity(mean_nll):
    r"""Perplexity of a model from its mean negative log-likelihood per token, in nats.

    .. math:: \mathrm{PPL} = \exp\Bigl(-\frac{1}{N}\sum_{t=1}^{N} \log p(x_t \mid x_{<t})\Bigr)

    The uniform model over :math:`V` tokens has perplexity :math:`V`, a model that is always
    certain and right has perplexity 1: the perplexity is the number of equally likely tokens
    that would leave the model as unsure as it is.

    Parameters
    ----------
    mean_nll : real
        The mean loss per token in nats (what :func:`causal_lm_loss` returns); at least 0.

    Returns
    -------
    float
        :math:`e^{\text{mean\_nll}}`; ``inf`` for an infinite loss.

    Raises
    ------
    TypeError
        If ``mean_nll`` is not a real number.
    ValueError
        If ``mean_nll`` is negative or NaN.

    References
    ----------
    Bengio et al. (2003), "A neural probabilistic language model", which compares models by
    their test-set perplexity :cite:p:`bengio2003`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    return _perplexity(check_real(mean_nll, "mean_nll", low=0))


def _perplexity(mean_nll):
    """The maths of :func:`perplexity`, without the argument checks."""
    with np.errstate(over="ignore"):
        return float(np.exp(mean_nll))


def bits_per_unit(total_nll, num_units):
    r"""Total loss in nats turned into bits per unit of text (token, character or byte).

    .. math:: \mathrm{bpu} = \frac{\sum_t -\ln p(x_t \mid x_{<t})}{U \ln 2}

    Dividing the summed loss of a text by its number of characters (or bytes) instead of its
    number of tokens gives a figure that does not depend on the tokenizer, so models with
    different vocabularies can be compared.

    Parameters
    ----------
    total_nll : real
        The summed negative log-likelihood of the text, in nats; at least 0.
    num_units : int
        How many units (tokens, characters, bytes) the text has; at least 1.

    Returns
    -------
    float
        Bits per unit.

    Raises
    ------
    TypeError
        If ``total_nll`` is not a real number or ``num_units`` is not an int.
    ValueError
        If ``total_nll`` is negative or NaN, or ``num_units`` is less than 1.

    References
    ----------
    Shannon (1948), "A mathematical theory of communication", which measures the information of
    English text in bits per letter :cite:p:`shannon1948`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    total_nll = check_real(total_nll, "total_nll", low=0)
    num_units = check_int(num_units, "num_units", minimum=1)
    return _bits_per_unit(total_nll, num_units)


def _bits_per_unit(total_nll, num_units):
    """The maths of :func:`bits_per_unit`, without the argument checks."""
    return total_nll / (num_units * np.log(2))


def z_loss(logits, weight=1e-4):
    r"""The z-loss: a penalty on the squared log-normaliser of each row of logits, averaged.

    .. math:: \mathcal{L}_z = \frac{w}{N} \sum_{i=1}^{N} \bigl(\log Z_i\bigr)^2,
              \qquad \log Z_i = \operatorname{LSE}(z_i) = \log \sum_{c} e^{z_{ic}}

    Added to the cross-entropy it pulls :math:`\log Z` towards 0 without changing the softmax
    (which does not depend on a shift of the logits); PaLM trains with :math:`w = 10^{-4}`.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Scores, class axis last; every leading axis counts rows.
    weight : real, default 1e-4
        The factor :math:`w`; at least 0.

    Returns
    -------
    numpy.floating
        The penalty, float32 for float32 ``logits`` and float64 otherwise.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued or ``weight`` is not a real number.
    ValueError
        If ``logits`` is a scalar or holds NaN, ``+inf`` or a row of ``-inf``, or ``weight`` is
        negative.

    References
    ----------
    Chowdhery et al. (2022), "PaLM: scaling language modeling with pathways"
    :cite:p:`chowdhery2022palm`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim == 0:
        raise ValueError("logits must have a class axis (at least 1 dimension), got a scalar")
    check_logits(logits, "logits", axis=-1)
    weight = check_real(weight, "weight", low=0)
    return _z_loss(logits, weight)


def _z_loss(logits, weight):
    """The maths of :func:`z_loss`, without the argument checks."""
    log_z = logsumexp(logits, axis=-1)
    return positive_zero(logits.dtype.type(weight) * np.mean(log_z**2, dtype=logits.dtype))


def bigram_log_probs(ids, vocab_size, smoothing=0.0):
    r"""Log-probabilities of the next token given the current one, estimated by counting pairs.

    .. math:: \log p(b \mid a) = \log \frac{n_{ab} + \alpha}{\sum_{c} n_{ac} + \alpha V}

    With :math:`\alpha = 0` this is the maximum-likelihood estimate of a bigram model (one
    categorical distribution per current token, estimated by normalised counts); a pair never
    seen gets probability 0 and a held-out loss of ``inf``. Additive smoothing
    (:math:`\alpha > 0`) gives every pair some probability. A row whose token never occurs as a
    current token is uniform when :math:`\alpha > 0` and ``nan`` otherwise.

    Parameters
    ----------
    ids : array_like of int, shape (N,)
        A sequence of token ids in ``[0, vocab_size)``.
    vocab_size : int
        The number of tokens :math:`V`; at least 1.
    smoothing : real, default 0.0
        The pseudo-count :math:`\alpha` added to every pair; at least 0.

    Returns
    -------
    numpy.ndarray, shape (V, V)
        Row ``a`` holds :math:`\log p(\cdot \mid a)`, in float64.

    Raises
    ------
    TypeError
        If ``ids`` is not integer, ``vocab_size`` is not an int or ``smoothing`` is not a real
        number.
    ValueError
        If ``ids`` is not 1-D or holds a value outside ``[0, vocab_size)``, ``vocab_size`` is
        less than 1 or ``smoothing`` is negative.

    References
    ----------
    Shannon (1948), "A mathematical theory of communication", whose digram approximation of
    English is this model :cite:p:`shannon1948`.

    See the chapter :doc:`/chapters/12_language_models`.
    """
    vocab_size = check_int(vocab_size, "vocab_size", minimum=1)
    ids = as_class_indices(ids, vocab_size, "ids")
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D sequence of token ids, got shape {ids.shape}")
    smoothing = check_real(smoothing, "smoothing", low=0)
    return _bigram_log_probs(ids, vocab_size, smoothing)


def _bigram_log_probs(ids, vocab_size, smoothing):
    """The maths of :func:`bigram_log_probs`, without the argument checks."""
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)  # one count per (current, next) pair
    counts += smoothing
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf; 0 / 0 = nan
        return np.log(counts / counts.sum(axis=1, keepdims=True))
