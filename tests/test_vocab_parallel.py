"""xentlib.vocab_parallel and xentlib.distributed against torch.nn.functional.cross_entropy on the
whole vocabulary, its autograd gradient, and the error messages; then the same loss on a real
process group of two ranks (torch.distributed with gloo, on 127.0.0.1)."""

import time

import numpy as np
import pytest
from tolerances import DTYPES, assert_close

import xentlib
from xentlib import distributed
from xentlib.vocab_parallel import run_in_lockstep

IGNORE = -100


def split(logits, widths):
    """The shards of ``logits`` with the given widths, left to right."""
    return np.split(logits, np.cumsum(widths)[:-1], axis=1)


def problem(seed, n, widths, dtype, scale=4.0, ignored=0.25):
    rng = np.random.default_rng(seed)
    logits = (scale * rng.standard_normal((n, sum(widths)))).astype(dtype)
    targets = rng.integers(0, sum(widths), size=n)
    targets[rng.random(n) < ignored] = IGNORE
    return logits, targets


def torch_reference(torch, logits, targets, label_smoothing=0.0, ignore_index=IGNORE):
    """Per-token losses and the gradient of their sum, from PyTorch on the whole vocabulary."""
    z = torch.tensor(logits, requires_grad=True)
    losses = torch.nn.functional.cross_entropy(
        z, torch.from_numpy(targets), reduction="none", ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )  # fmt: skip
    losses.sum().backward()
    return losses.detach().numpy(), z.grad.numpy()


WIDTHS = [[9], [4, 5], [1, 7, 3], [5, 5, 5, 6], [2, 9, 1, 4, 8]]  # 1 to 5 shards, uneven


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("widths", WIDTHS, ids=lambda w: f"{len(w)}shards")
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
def test_matches_torch_loss_and_gradient(torch, dtype, widths, label_smoothing):
    logits, targets = problem(len(widths), 12, widths, dtype)
    shards = split(logits, widths)
    losses = xentlib.vocab_parallel_cross_entropy(shards, targets, label_smoothing=label_smoothing)
    grads = xentlib.vocab_parallel_cross_entropy_grad(
        shards, targets, label_smoothing=label_smoothing
    )
    expected, expected_grad = torch_reference(torch, logits, targets, label_smoothing)
    assert_close(losses, expected, dtype, scale=4.0)
    assert [g.shape for g in grads] == [s.shape for s in shards]
    assert all(g.dtype == dtype for g in grads)
    assert_close(np.concatenate(grads, axis=1), expected_grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_ignored_tokens_give_zero_loss_and_zero_gradient(dtype):
    logits, targets = problem(3, 6, [3, 4], dtype, ignored=0)
    targets[[1, 4]] = IGNORE
    shards = split(logits, [3, 4])
    losses = xentlib.vocab_parallel_cross_entropy(shards, targets, label_smoothing=0.2)
    grads = np.concatenate(xentlib.vocab_parallel_cross_entropy_grad(shards, targets), axis=1)
    assert losses[1] == losses[4] == 0 and (losses[[0, 2, 3, 5]] > 0).all()
    assert not grads[[1, 4]].any()


def test_an_ignore_index_inside_the_vocabulary(torch):
    # padding token 0 as the ignore index: a valid column, ignored all the same
    logits, targets = problem(4, 10, [4, 6], np.float64, ignored=0)
    targets[:3] = 0
    losses = xentlib.vocab_parallel_cross_entropy(split(logits, [4, 6]), targets, ignore_index=0)
    expected, _ = torch_reference(torch, logits, targets, ignore_index=0)
    assert_close(losses, expected, np.float64, scale=4.0)
    assert not losses[:3].any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits(torch, dtype):
    logits = np.array([[1e4, -1e4, 0.0, 50.0], [-3e3, -3e3, -3e3, -2e3], [88.8, 88.7, -88.8, 0.0]])
    logits = logits.astype(dtype)
    targets = np.array([1, 3, 2])
    for widths in ([1, 3], [2, 2], [3, 1]):
        shards = split(logits, widths)
        losses = xentlib.vocab_parallel_cross_entropy(shards, targets)
        grads = np.concatenate(xentlib.vocab_parallel_cross_entropy_grad(shards, targets), axis=1)
        expected, expected_grad = torch_reference(torch, logits, targets)
        assert np.isfinite(losses).all()
        assert_close(losses, expected, dtype, scale=1e4)
        assert_close(grads, expected_grad, dtype)


def test_a_minus_infinity_logit_rules_its_class_out(torch):
    logits = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]])
    targets = np.array([0, 1])
    losses = xentlib.vocab_parallel_cross_entropy(split(logits, [2, 1]), targets)
    expected, _ = torch_reference(torch, logits, targets)
    assert_close(losses, expected, np.float64)


def test_a_large_vocabulary_over_four_ranks(torch):
    # GPT-2's 50,257 entries over 4 ranks: widths 12,565, 12,564, 12,564, 12,564
    widths = distributed.shard_widths(50_257, 4)
    assert widths == [12_565, 12_564, 12_564, 12_564]
    logits, targets = problem(9, 8, widths, np.float32)
    targets[:4] = [0, 12_564, 12_565, 50_256]  # the first and last column of shards 0, 1, 3
    losses = xentlib.vocab_parallel_cross_entropy(split(logits, widths), targets)
    expected, _ = torch_reference(torch, logits, targets)
    assert_close(losses, expected, np.float32, scale=4.0)


def test_all_reduces_per_call():
    # three all-reduces of one value per token; a fourth with label smoothing
    logits, targets = problem(5, 7, [3, 3, 3], np.float64)
    for smoothing, ops in [(0.0, ["max", "sum", "sum"]), (0.1, ["max", "sum", "sum", "sum"])]:
        ranks = [
            xentlib.vocab_parallel._rank_loss(s, targets, 3 * r, 9, IGNORE, smoothing)
            for r, s in enumerate(split(logits, [3, 3, 3]))
        ]
        _, sent = run_in_lockstep(ranks)
        assert sent == [(op, 7) for op in ops]


def test_shard_widths_cover_the_vocabulary():
    for vocab, world in [(10, 3), (256_000, 8), (5, 5), (7, 1)]:
        widths = distributed.shard_widths(vocab, world)
        assert sum(widths) == vocab and max(widths) - min(widths) <= 1 and len(widths) == world


# ------------------------------------------------------------------------------------------------
# Bad input


GOOD = [np.zeros((3, 2)), np.zeros((3, 4))]
TARGETS = np.array([0, 5, IGNORE])


@pytest.mark.parametrize(
    ("shards", "targets", "kwargs", "error", "match"),
    [
        ([], TARGETS, {}, ValueError, "logit_shards must hold at least one shard"),
        (np.zeros((3, 6)), TARGETS, {}, TypeError, "logit_shards must be a list or tuple"),
        ([np.zeros((3, 2)), np.zeros((2, 4))], TARGETS, {}, ValueError, "same number of rows"),
        ([np.zeros((3, 2)), np.zeros((3, 4), np.float32)], TARGETS, {}, TypeError, "share one dtype"),
        ([np.zeros((3, 2)), np.zeros((3, 0))], TARGETS, {}, ValueError, r"logit_shards\[1\] must have shape"),
        ([np.zeros(6)], TARGETS, {}, ValueError, r"logit_shards\[0\] must have shape \(N, V_r\)"),
        ([np.zeros((3, 2)), np.array([["a"] * 4] * 3)], TARGETS, {}, TypeError, r"logit_shards\[1\] must be a real-valued"),
        ([np.zeros((3, 2)), np.full((3, 4), np.nan)], TARGETS, {}, ValueError, r"logit_shards\[1\] must not contain NaN"),
        ([np.zeros((3, 2)), np.full((3, 4), np.inf)], TARGETS, {}, ValueError, r"logit_shards\[1\] must not contain \+inf"),
        ([np.full((3, 2), -np.inf), np.full((3, 4), -np.inf)], TARGETS, {}, ValueError, "token 0 has logits of -inf in every shard"),
        (GOOD, np.array([0, 6, 1]), {}, ValueError, r"targets must be indices in \[0, 6\) of the whole vocabulary.*got 6"),
        (GOOD, np.array([0, -1, 1]), {}, ValueError, "got -1"),
        (GOOD, np.array([0.0, 1.0, 2.0]), {}, TypeError, "targets must hold integer"),
        (GOOD, np.array([0, 1]), {}, ValueError, r"targets must have shape \(3,\)"),
        (GOOD, TARGETS, {"ignore_index": 1.5}, TypeError, "ignore_index must be an int"),
        (GOOD, TARGETS, {"label_smoothing": 1.5}, ValueError, "label_smoothing"),
        (GOOD, TARGETS, {"label_smoothing": "0.1"}, TypeError, "label_smoothing"),
    ],
)  # fmt: skip
def test_bad_input(shards, targets, kwargs, error, match):
    for function in (
        xentlib.vocab_parallel_cross_entropy,
        xentlib.vocab_parallel_cross_entropy_grad,
    ):
        with pytest.raises(error, match=match):
            function(shards, targets, **kwargs)


# ------------------------------------------------------------------------------------------------
# On torch.distributed: two processes, gloo, 127.0.0.1


@pytest.mark.slow
def test_two_ranks_on_torch_distributed_match_one_process(torch):
    calls = []
    cases = []
    for dtype, smoothing in [(np.float64, 0.0), (np.float64, 0.1), (np.float32, 0.0)]:
        logits, targets = problem(11, 10, [7, 6], dtype)
        cases.append((logits, targets, smoothing))
        calls.append((distributed.vocab_parallel_worker, (logits, targets, IGNORE, smoothing)))
    start = time.monotonic()
    ranks = distributed.spawn(distributed.run_all, 2, calls, timeout=60)
    assert time.monotonic() - start < 30
    for (logits, targets, smoothing), rank0, rank1 in zip(cases, ranks[0], ranks[1], strict=True):
        dtype = logits.dtype.type
        z = torch.tensor(logits, requires_grad=True)
        expected = torch.nn.functional.cross_entropy(
            z, torch.from_numpy(targets), reduction="none", label_smoothing=smoothing
        )
        expected.sum().div(int((targets != IGNORE).sum())).backward()
        assert_close(rank0[0], expected.detach(), dtype, scale=4.0)
        assert np.array_equal(rank0[0], rank1[0])  # every rank ends with the same losses
        assert_close(np.concatenate([rank0[1], rank1[1]], axis=1), z.grad, dtype)
        assert [op for op, _, _ in rank0[2]] == ["max", "sum", "sum"] + ["sum"] * bool(smoothing)


def failing_worker(rank, world_size):
    if rank == 1:
        raise ValueError("rank 1 fails on purpose")
    import torch.distributed as dist

    dist.barrier()  # rank 0 waits for a rank that never comes


@pytest.mark.slow
def test_a_failing_rank_fails_the_spawn_instead_of_hanging_it():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"rank 1 failed:\n(.|\n)*rank 1 fails on purpose"):
        distributed.spawn(failing_worker, 2, timeout=60)
    assert time.monotonic() - start < 30


def test_free_port_is_on_loopback():
    import socket

    port = distributed.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # still free, and bindable on the loopback address
