"""Cross-entropy over a large vocabulary without materialising the softmax (or the logits).

The loss of a row needs one number from all ``V`` logits: their log-sum-exp. That number can be
computed block by block, keeping a running pair (maximum, sum of exponentials) per row and merging
pairs with :func:`online_lse_merge`, so no more than one block of ``exp`` values ever exists.
:func:`fused_linear_cross_entropy` goes one step further and computes each block of logits from
the hidden states and the output weights just before it is used.

Defined in :doc:`/chapters/11_large_vocabulary`.
"""

import contextlib
import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._checks import as_class_indices, as_float_array, check_int

# Default block: 16 token rows x 16384 vocabulary columns = 1 MiB of float32, which stays in a
# core's L2 cache while it is exponentiated and summed.
DEFAULT_BLOCK_TOKENS = 16
DEFAULT_BLOCK_VOCAB = 16384
# The fused loss multiplies a block of hidden states by a block of weights: larger blocks keep
# the matrix multiply efficient; 512 x 2048 float32 logits are 4 MiB.
DEFAULT_FUSED_BLOCK = (512, 2048)


def online_lse_merge(max_a, sum_a, max_b, sum_b):
    r"""Merge two partial log-sum-exp states (running maximum, rescaled sum) into one.

    A state :math:`(m, s)` stands for :math:`\log \sum_j e^{x_j} = m + \log s` over some of the
    values, with :math:`s = \sum_j e^{x_j - m}`. Two states over disjoint parts merge as

    .. math:: m = \max(m_a, m_b), \qquad s = s_a e^{m_a - m} + s_b e^{m_b - m}.

    The empty state is :math:`(-\infty, 0)`; it is the identity of the merge.

    Parameters
    ----------
    max_a, sum_a : array_like
        Running maximum and sum of the first state (broadcastable shapes).
    max_b, sum_b : array_like
        Running maximum and sum of the second state.

    Returns
    -------
    tuple of numpy.ndarray
        ``(max, sum)`` of the merged state; the sum in float64, the maximum in the dtype of
        ``max_a`` and ``max_b``.

    Raises
    ------
    TypeError
        If an argument is not real-valued.

    References
    ----------
    Milakov and Gimelshein, "Online normalizer calculation for softmax", 2018
    (``milakov2018`` in the book's bibliography).

    See the chapter :doc:`/chapters/11_large_vocabulary`.
    """
    max_a, max_b = as_float_array(max_a, "max_a"), as_float_array(max_b, "max_b")
    sum_a, sum_b = as_float_array(sum_a, "sum_a"), as_float_array(sum_b, "sum_b")
    return _online_lse_merge(max_a, sum_a, max_b, sum_b)


def _online_lse_merge(max_a, sum_a, max_b, sum_b):
    """The maths of :func:`online_lse_merge`, without the argument checks."""
    new_max = np.maximum(max_a, max_b)
    # where both states are empty the maximum is -inf; shift by 0 there so -inf - -inf never occurs
    shift = np.where(np.isneginf(new_max), 0, new_max)
    with np.errstate(under="ignore"):
        scale_a = np.exp(np.subtract(max_a, shift, dtype=np.float64))
        scale_b = np.exp(np.subtract(max_b, shift, dtype=np.float64))
    new_sum = (
        np.asarray(sum_a, dtype=np.float64) * scale_a
        + np.asarray(sum_b, dtype=np.float64) * scale_b
    )
    return new_max, new_sum


def _check_block_size(block_size, default):
    """Return ``(block_tokens, block_vocab)`` from ``None``, an int or a pair of ints."""
    if block_size is None:
        return default
    pair = (block_size, block_size) if np.ndim(block_size) == 0 else tuple(block_size)
    if len(pair) != 2:
        raise ValueError(
            f"block_size must be an int or a pair (block_tokens, block_vocab), got {block_size!r}"
        )
    return tuple(check_int(value, "block_size", minimum=1) for value in pair)


def _check_num_threads(num_threads):
    if num_threads is None:
        return (
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1
        )
    return check_int(num_threads, "num_threads", minimum=1)


def _check_targets(targets, num_tokens, num_classes):
    targets = as_class_indices(targets, num_classes)
    if targets.shape != (num_tokens,):
        raise ValueError(
            f"targets must have shape ({num_tokens},), one class index per row, got {targets.shape}"
        )
    return targets


def _check_finite(block_max, name):
    """Raise if a block's row maxima show a NaN or +inf inside the block (-inf is allowed)."""
    if np.isnan(block_max).any() or np.isposinf(block_max).any():
        raise ValueError(f"{name} must not contain NaN or +inf")


def _block_state(block, buffer, name):
    """The (max, sum) state of each row of ``block``, using ``buffer`` for the exponentials."""
    block_max = block.max(axis=1)
    _check_finite(block_max, name)
    shift = np.where(np.isneginf(block_max), 0, block_max).astype(block.dtype, copy=False)
    np.subtract(block, shift[:, None], out=buffer)
    np.exp(buffer, out=buffer)
    # each block is summed in its own dtype (pairwise, so accurate); blocks add up in float64
    return block_max, buffer.sum(axis=1)


def _online_rows_logsumexp(start, stop, block, num_classes, dtype, block_state):
    """Log-sum-exp of rows ``start:stop``, merging one block of classes at a time.

    ``block_state(r0, r1, c0, c1, buffer)`` returns the (max, sum of exponentials) pair of the
    block of logits at rows ``r0:r1`` and classes ``c0:c1``, using ``buffer`` (of the block's
    shape) as its scratch space; the pairs are merged with :func:`online_lse_merge`.
    """
    block_tokens, block_vocab = block
    buffer = np.empty((min(block_tokens, stop - start), min(block_vocab, num_classes)), dtype=dtype)
    out = np.empty(stop - start, dtype=np.float64)
    for r0 in range(start, stop, block_tokens):
        r1 = min(r0 + block_tokens, stop)
        run_max = np.full(r1 - r0, -np.inf, dtype=dtype)
        run_sum = np.zeros(r1 - r0, dtype=np.float64)
        for c0 in range(0, num_classes, block_vocab):
            c1 = min(c0 + block_vocab, num_classes)
            state = block_state(r0, r1, c0, c1, buffer[: r1 - r0, : c1 - c0])
            run_max, run_sum = _online_lse_merge(run_max, run_sum, *state)
        with np.errstate(divide="ignore"):
            out[r0 - start : r1 - start] = run_max + np.log(run_sum)
    return out


def _rows_logsumexp(logits, start, stop, block):
    """Log-sum-exp of rows ``start:stop`` of ``logits``, one block of exponentials at a time."""

    def block_state(r0, r1, c0, c1, buffer):
        return _block_state(logits[r0:r1, c0:c1], buffer, "logits")

    return _online_rows_logsumexp(start, stop, block, logits.shape[1], logits.dtype, block_state)


def _one_blas_thread():
    """A context in which BLAS uses one thread, so our worker threads do not fight over cores.

    Uses threadpoolctl (installed with scikit-learn) when it is there; without it BLAS threads and
    ours share the cores, which is slower but gives the same result.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _split(num_rows, num_parts, block_tokens):
    """Cut ``range(num_rows)`` into at most ``num_parts`` contiguous chunks of whole blocks."""
    # a block never spans more rows than one thread's share, so that every thread has work
    block_tokens = max(1, min(block_tokens, -(-num_rows // num_parts)))
    num_blocks = -(-num_rows // block_tokens)
    num_parts = max(1, min(num_parts, num_blocks))
    edges = [
        min(num_rows, (num_blocks * i // num_parts) * block_tokens) for i in range(num_parts + 1)
    ]
    return list(itertools.pairwise(edges))


def _map_chunks(function, chunks, num_threads):
    """Run ``function(start, stop)`` on every chunk; in threads when there is more than one.

    NumPy releases the GIL inside its array loops, so two threads really run on two cores.
    """
    if len(chunks) == 1 or num_threads == 1:
        return [function(a, b) for a, b in chunks]
    with ThreadPoolExecutor(max_workers=num_threads) as pool:
        return list(pool.map(lambda chunk: function(*chunk), chunks))


def _as_logits_2d(logits, name="logits"):
    logits = as_float_array(logits, name)
    if logits.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (tokens, classes), got shape {logits.shape}")
    if logits.shape[1] == 0:
        raise ValueError(f"{name} must have at least one class (column), got shape {logits.shape}")
    return logits


def streaming_cross_entropy(logits, targets, block_size=None, *, num_threads=None):
    r"""Mean cross-entropy of class-index targets, computed one block of logits at a time.

    .. math:: \mathcal{L} = \frac{1}{N} \sum_{i=1}^{N}
              \Bigl(\log \sum_{j=1}^{V} e^{z_{ij}} - z_{i, y_i}\Bigr)

    The log-sum-exp of each row is accumulated block by block as a running (maximum, sum) pair,
    merged with :func:`online_lse_merge`; only one block of exponentials per thread is ever
    allocated, never an array of the logits' size. Sums of blocks, the log-sum-exp and the mean
    are accumulated in float64.

    Parameters
    ----------
    logits : array_like, shape (N, V)
        Unnormalised scores, one row per token. ``-inf`` entries are allowed (probability 0).
    targets : array_like of int, shape (N,)
        Class indices in ``[0, V)``.
    block_size : int or tuple of two ints, optional
        ``(block_tokens, block_vocab)``, the block of logits processed at once; an int ``b``
        means ``(b, b)``. Default ``(16, 16384)``: 1 MiB of float32, which fits in L2 cache.
    num_threads : int, optional
        Threads that share the rows; default: the CPU cores this process may use.

    Returns
    -------
    numpy.floating
        The mean loss; float32 for float32 logits, float64 otherwise; NaN when ``N = 0``.

    Raises
    ------
    TypeError
        If ``logits`` is not real-valued, ``targets`` not integer, or ``block_size`` /
        ``num_threads`` not ints.
    ValueError
        If ``logits`` is not 2-D with at least one column or holds NaN or +inf, ``targets`` has
        the wrong shape or an index outside ``[0, V)``, or ``block_size`` is not positive.

    References
    ----------
    Milakov and Gimelshein, "Online normalizer calculation for softmax", 2018
    (``milakov2018`` in the book's bibliography).

    See the chapter :doc:`/chapters/11_large_vocabulary`.
    """
    logits = _as_logits_2d(logits)
    num_tokens, num_classes = logits.shape
    targets = _check_targets(targets, num_tokens, num_classes)
    block = _check_block_size(block_size, (DEFAULT_BLOCK_TOKENS, DEFAULT_BLOCK_VOCAB))
    num_threads = _check_num_threads(num_threads)
    return _streaming_cross_entropy(logits, targets, block, num_threads)


def _streaming_cross_entropy(logits, targets, block, num_threads):
    """The maths of :func:`streaming_cross_entropy`, without the argument checks."""
    num_tokens = logits.shape[0]
    if num_tokens == 0:
        return logits.dtype.type(np.nan)  # the mean of nothing, as in PyTorch
    chunks = _split(num_tokens, num_threads, block[0])
    parts = _map_chunks(lambda a, b: _rows_logsumexp(logits, a, b, block), chunks, num_threads)
    lse = np.concatenate(parts)
    target_logits = logits[np.arange(num_tokens), targets].astype(np.float64)
    return logits.dtype.type(np.mean(lse - target_logits))


def _rows_fused_logsumexp(hidden, weight, start, stop, block):
    """Log-sum-exp of rows ``start:stop`` of ``hidden @ weight.T``, one block of logits at a time."""

    def block_state(r0, r1, c0, c1, buffer):
        # this block of logits exists only here, in the buffer, and is overwritten by its exp
        np.matmul(hidden[r0:r1], weight[c0:c1].T, out=buffer)
        return _block_state(buffer, buffer, "hidden @ weight.T")

    return _online_rows_logsumexp(start, stop, block, weight.shape[0], hidden.dtype, block_state)


def fused_linear_cross_entropy(hidden, weight, targets, block_size=None, *, num_threads=None):
    r"""Mean cross-entropy of a linear output layer, without materialising its (N, V) logits.

    .. math:: \mathcal{L} = \frac{1}{N} \sum_{i=1}^{N}
              \Bigl(\log \sum_{j=1}^{V} e^{h_i \cdot w_j} - h_i \cdot w_{y_i}\Bigr),
              \qquad z = h W^\top

    Each block of logits ``hidden[rows] @ weight[cols].T`` is computed into a reused buffer,
    reduced to a (maximum, sum) state and merged with :func:`online_lse_merge`. The target
    logits :math:`h_i \cdot w_{y_i}` are dot products computed in float64.

    Parameters
    ----------
    hidden : array_like, shape (N, D)
        The hidden states that feed the output layer, one row per token.
    weight : array_like, shape (V, D)
        The output layer's weight, laid out as in ``torch.nn.Linear(D, V, bias=False)``.
    targets : array_like of int, shape (N,)
        Class indices in ``[0, V)``.
    block_size : int or tuple of two ints, optional
        ``(block_tokens, block_vocab)``: the block of logits computed at once; an int ``b`` means
        ``(b, b)``. Default ``(512, 2048)`` (4 MiB of float32 logits).
    num_threads : int, optional
        Threads that share the rows; default: the CPU cores this process may use. With more
        than one, each thread's matrix multiplies run on a single-threaded BLAS (through
        ``threadpoolctl`` when it is installed), so that the threads do not fight over cores.

    Returns
    -------
    numpy.floating
        The mean loss; float32 when both ``hidden`` and ``weight`` are float32, float64
        otherwise; NaN when ``N = 0``.

    Raises
    ------
    TypeError
        If ``hidden`` or ``weight`` is not real-valued, ``targets`` not integer, or
        ``block_size`` / ``num_threads`` not ints.
    ValueError
        If ``hidden`` or ``weight`` is not 2-D, their feature sizes differ, ``weight`` has no
        rows, the logits hold NaN or +inf, ``targets`` has the wrong shape or an index outside
        ``[0, V)``, or ``block_size`` is not positive.

    References
    ----------
    Wijmans et al., "Cut Your Losses in Large-Vocabulary Language Models", 2024
    (``wijmans2024``), and Hsu et al., "Liger Kernel: Efficient Triton Kernels for LLM
    Training", 2024 (``hsu2024liger``), in the book's bibliography.

    See the chapter :doc:`/chapters/11_large_vocabulary`.
    """
    hidden = as_float_array(hidden, "hidden")
    weight = as_float_array(weight, "weight")
    if hidden.ndim != 2:
        raise ValueError(f"hidden must be a 2-D array (tokens, features), got shape {hidden.shape}")
    if weight.ndim != 2:
        raise ValueError(
            f"weight must be a 2-D array (classes, features), got shape {weight.shape}"
        )
    if hidden.shape[1] != weight.shape[1]:
        raise ValueError(
            f"hidden and weight must have the same number of features (columns), got "
            f"hidden {hidden.shape} and weight {weight.shape}"
        )
    if weight.shape[0] == 0:
        raise ValueError(f"weight must have at least one class (row), got shape {weight.shape}")
    dtype = np.result_type(hidden, weight)
    hidden, weight = hidden.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    num_tokens, num_classes = hidden.shape[0], weight.shape[0]
    targets = _check_targets(targets, num_tokens, num_classes)
    block = _check_block_size(block_size, DEFAULT_FUSED_BLOCK)
    num_threads = _check_num_threads(num_threads)
    return _fused_linear_cross_entropy(hidden, weight, targets, block, num_threads)


def _fused_linear_cross_entropy(hidden, weight, targets, block, num_threads):
    """The maths of :func:`fused_linear_cross_entropy`, without the argument checks."""
    num_tokens, dtype = hidden.shape[0], hidden.dtype
    if num_tokens == 0:
        return dtype.type(np.nan)  # the mean of nothing, as in PyTorch
    chunks = _split(num_tokens, num_threads, block[0])
    threaded = len(chunks) > 1 and num_threads > 1
    with _one_blas_thread() if threaded else contextlib.nullcontext():
        parts = _map_chunks(
            lambda a, b: _rows_fused_logsumexp(hidden, weight, a, b, block), chunks, num_threads
        )
    lse = np.concatenate(parts)
    # target logits h_i . w_{y_i}, a row block at a time so the gathered weights stay small
    target_logits = np.empty(num_tokens, dtype=np.float64)
    for r0 in range(0, num_tokens, block[0]):
        r1 = min(r0 + block[0], num_tokens)
        picked = weight[targets[r0:r1]]
        target_logits[r0:r1] = np.einsum(
            "ij,ij->i", hidden[r0:r1], picked, dtype=np.float64, casting="safe"
        )
    return dtype.type(np.mean(lse - target_logits))
