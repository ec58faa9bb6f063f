"""Cross-entropy with the vocabulary split over ranks (Megatron-LM's vocabulary-parallel loss).

Rank ``r`` holds the logits of its slice of the vocabulary, columns ``[offset_r, offset_r + V_r)``
of the full ``(N, V)`` matrix, which no rank ever holds whole. The loss of each token needs only
three all-reduces of one number per token (the maximum logit, the sum of shifted exponentials, the
target's logit) and one more with label smoothing (the sum of the logits); the gradient needs
none. Each rank's share is written once, as a generator that yields what it contributes to each
all-reduce and receives the reduced result: :func:`vocab_parallel_cross_entropy` runs the ranks in
lockstep on a list of shards in one process, and :mod:`xentlib.distributed` runs the same
generator on ``torch.distributed``, one process per rank.

Defined in :doc:`/chapters/16_across_devices`.
"""

import functools

import numpy as np

from ._checks import as_float_array, check_int, check_no_nan, check_real

#: the reductions an all-reduce applies elementwise across the ranks
ALL_REDUCE_OPS = {"max": np.maximum, "sum": np.add}


def vocab_parallel_cross_entropy(logit_shards, targets, ignore_index=-100, label_smoothing=0.0):
    r"""Per-token cross-entropy of logits whose vocabulary is split into shards.

    .. math:: \ell_n = (1 - \varepsilon)\,\bigl(\log Z_n - z_{n, y_n}\bigr)
              + \varepsilon \Bigl(\log Z_n - \frac{1}{V} \sum_{c=1}^{V} z_{n,c}\Bigr),
              \qquad \log Z_n = m_n + \log \sum_{r} \sum_{c \in r} e^{z_{n,c} - m_n}

    with :math:`m_n = \max_r \max_{c \in r} z_{n,c}`, each sum over the ranks an all-reduce, and
    :math:`\ell_n = 0` where :math:`y_n` is ``ignore_index``. Equal to PyTorch's
    ``F.cross_entropy(torch.cat(logit_shards, 1), targets, reduction="none", ignore_index=...,
    label_smoothing=...)``.

    Parameters
    ----------
    logit_shards : sequence of array_like, each of shape (N, V_r)
        The logits of consecutive slices of the vocabulary, in order: shard ``r`` holds the
        columns ``[V_0 + ... + V_{r-1}, V_0 + ... + V_r)``. The widths may differ; every shard has
        the same rows and the same float dtype.
    targets : array_like of int, shape (N,)
        Global vocabulary indices in ``[0, V)`` with ``V`` the sum of the widths, or
        ``ignore_index``.
    ignore_index : int, default -100
        The target value of tokens that give 0 and count in no mean (PyTorch's default).
    label_smoothing : float, default 0.0
        The weight :math:`\varepsilon` in ``[0, 1]`` of the uniform distribution in the target.

    Returns
    -------
    numpy.ndarray, shape (N,)
        The loss of each token, in the shards' dtype (float32 for float32 shards).

    Raises
    ------
    TypeError
        If ``logit_shards`` is not a sequence of real arrays of one dtype, ``targets`` is not
        integer, ``ignore_index`` is not an int or ``label_smoothing`` not a real number.
    ValueError
        If ``logit_shards`` is empty, a shard is not 2-D with at least one column, the shards
        differ in rows or hold NaN or ``+inf``, a token's logits are ``-inf`` in every shard,
        ``targets`` is not of shape ``(N,)`` or holds a value outside ``[0, V)`` other than
        ``ignore_index``, or ``label_smoothing`` is outside ``[0, 1]``.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    shards, targets, offsets = _check_shards(logit_shards, targets, ignore_index, label_smoothing)
    losses, _ = _vocab_parallel_cross_entropy(
        shards, targets, offsets, ignore_index, float(label_smoothing)
    )
    return losses


def vocab_parallel_cross_entropy_grad(
    logit_shards, targets, ignore_index=-100, label_smoothing=0.0
):
    r"""Gradient shards of the summed vocabulary-parallel cross-entropy, with no communication
    beyond the loss's own all-reduces.

    .. math:: \frac{\partial}{\partial z_{n,c}} \sum_{n'} \ell_{n'}
              = \operatorname{softmax}(z_n)_c - (1 - \varepsilon)\,[c = y_n]
              - \frac{\varepsilon}{V}

    for the columns ``c`` of each shard, and 0 in the rows of ignored tokens. Each rank computes
    its shard from its own logits and the all-reduced :math:`\log Z_n`.

    Parameters
    ----------
    logit_shards, targets, ignore_index, label_smoothing
        As in :func:`vocab_parallel_cross_entropy`.

    Returns
    -------
    list of numpy.ndarray
        One gradient per shard, of the shard's shape and dtype.

    Raises
    ------
    TypeError, ValueError
        As :func:`vocab_parallel_cross_entropy`.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    shards, targets, offsets = _check_shards(logit_shards, targets, ignore_index, label_smoothing)
    _, log_z = _vocab_parallel_cross_entropy(
        shards, targets, offsets, ignore_index, float(label_smoothing)
    )
    vocab_size = offsets[-1] + shards[-1].shape[1]
    return [
        _shard_grad(shard, targets, offset, vocab_size, log_z, ignore_index, label_smoothing)
        for shard, offset in zip(shards, offsets, strict=True)
    ]


def _check_shards(logit_shards, targets, ignore_index, label_smoothing):
    """The shards as arrays, the targets as indices, and each shard's first global column."""
    if isinstance(logit_shards, np.ndarray) or not isinstance(logit_shards, (list, tuple)):
        raise TypeError(
            "logit_shards must be a list or tuple of 2-D arrays (one per rank), got "
            f"{type(logit_shards).__name__}"
        )
    if not logit_shards:
        raise ValueError("logit_shards must hold at least one shard, got an empty sequence")
    shards = [as_float_array(s, f"logit_shards[{r}]") for r, s in enumerate(logit_shards)]
    for r, shard in enumerate(shards):
        if shard.ndim != 2 or shard.shape[1] == 0:
            raise ValueError(
                f"logit_shards[{r}] must have shape (N, V_r) with V_r >= 1, got {shard.shape}"
            )
        if shard.dtype != shards[0].dtype:
            raise TypeError(
                f"logit_shards must share one dtype: logit_shards[0] is {shards[0].dtype}, "
                f"logit_shards[{r}] is {shard.dtype}"
            )
        if shard.shape[0] != shards[0].shape[0]:
            raise ValueError(
                f"logit_shards must have the same number of rows: logit_shards[0] has "
                f"{shards[0].shape[0]}, logit_shards[{r}] has {shard.shape[0]}"
            )
        check_no_nan(shard, f"logit_shards[{r}]")
        if np.isposinf(shard).any():
            raise ValueError(f"logit_shards[{r}] must not contain +inf")
    all_neg_inf = functools.reduce(np.logical_and, [np.isneginf(s).all(axis=1) for s in shards])
    if all_neg_inf.any():
        raise ValueError(
            f"logit_shards: token {int(all_neg_inf.argmax())} has logits of -inf in every shard "
            "(its softmax is undefined)"
        )
    ignore_index = check_int(ignore_index, "ignore_index")
    check_real(label_smoothing, "label_smoothing", 0, 1)
    widths = [s.shape[1] for s in shards]
    offsets = [int(o) for o in np.cumsum([0, *widths[:-1]])]
    vocab_size = sum(widths)
    targets = np.asarray(targets)
    if targets.size == 0 and targets.dtype.kind in "fb":  # [] arrives as float64
        targets = targets.astype(np.intp)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must hold integer vocabulary indices, got dtype {targets.dtype}")
    if targets.shape != (shards[0].shape[0],):
        raise ValueError(
            f"targets must have shape ({shards[0].shape[0]},), one per row of the shards, got "
            f"{targets.shape}"
        )
    bad = targets[((targets < 0) | (targets >= vocab_size)) & (targets != ignore_index)]
    if bad.size:
        raise ValueError(
            f"targets must be indices in [0, {vocab_size}) of the whole vocabulary or "
            f"ignore_index={ignore_index}, got {int(bad[0])}"
        )
    return shards, targets.astype(np.intp), offsets


def _rank_loss(shard, targets, offset, vocab_size, ignore_index, label_smoothing):
    """One rank's part of the loss. Each ``yield (op, local)`` is an all-reduce: every rank sends
    its ``local`` array, one number per token, and receives the reduction over the ranks. The
    generator returns the per-token losses (the same on every rank) and ``log Z``."""
    rows = np.arange(len(targets))
    # 1. the largest logit of the whole vocabulary: every rank's maximum, reduced with MAX
    m = yield "max", shard.max(axis=1)
    # 2. the normaliser, shifted by that maximum so that no exponential overflows: SUM
    sum_exp = yield "sum", np.exp(shard - m[:, None]).sum(axis=1)
    log_z = m + np.log(sum_exp)
    # 3. the target's logit, from the rank whose slice holds it and 0 from the others: SUM
    local = targets - offset
    mine = (local >= 0) & (local < shard.shape[1])
    z_target = yield "sum", np.where(mine, shard[rows, np.where(mine, local, 0)], 0)
    losses = log_z - z_target
    if label_smoothing:
        # 4. the mean of -log p over the vocabulary is log Z minus the mean logit: SUM
        sum_z = yield "sum", shard.sum(axis=1)
        losses = (1 - label_smoothing) * losses + label_smoothing * (log_z - sum_z / vocab_size)
    counted = targets != ignore_index
    return np.where(counted, losses, 0).astype(shard.dtype), log_z


def _shard_grad(shard, targets, offset, vocab_size, log_z, ignore_index, label_smoothing):
    """The gradient of the summed loss in one shard: its slice of softmax - smoothed one-hot."""
    grad = np.exp(shard - log_z[:, None])
    local = targets - offset
    mine = (local >= 0) & (local < shard.shape[1])
    grad[np.flatnonzero(mine), local[mine]] -= 1 - label_smoothing
    grad -= label_smoothing / vocab_size
    grad[targets == ignore_index] = 0
    return grad


def run_in_lockstep(ranks):
    r"""Run the ranks' generators side by side, all-reducing what they yield, as a collective
    library does. Return each rank's return value and the list of all-reduces, as ``(op, number
    of values each rank sent)``.

    .. math:: a = \max_r a_r \quad\text{or}\quad a = \textstyle\sum_r a_r, \text{ elementwise}

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    requests = [next(rank) for rank in ranks]
    sent = []
    while True:
        ops = {op for op, _ in requests}
        if len(ops) != 1:
            raise RuntimeError(f"the ranks asked for different all-reduces at once: {ops}")
        op = ops.pop()
        sent.append((op, requests[0][1].size))
        reduced = functools.reduce(ALL_REDUCE_OPS[op], [local for _, local in requests])
        results, requests = [], []
        for rank in ranks:
            try:
                requests.append(rank.send(reduced.copy()))
            except StopIteration as done:
                results.append(done.value)
        if results and requests:
            raise RuntimeError("some ranks finished while others asked for an all-reduce")
        if results:
            return results, sent


def _vocab_parallel_cross_entropy(shards, targets, offsets, ignore_index, label_smoothing):
    """The maths of :func:`vocab_parallel_cross_entropy`: every rank's part, run in lockstep."""
    vocab_size = offsets[-1] + shards[-1].shape[1]
    ranks = [
        _rank_loss(shard, targets, offset, vocab_size, ignore_index, label_smoothing)
        for shard, offset in zip(shards, offsets, strict=True)
    ]
    results, _ = run_in_lockstep(ranks)
    return results[0]
