"""Cross-entropy across processes, on ``torch.distributed``: the code chapter 16 runs.

This is the one module of ``xentlib`` whose functions run PyTorch rather than NumPy, because
the thing it shows is PyTorch's distributed engine: worker processes that form a process group
and all-reduce through it. :func:`spawn` starts the workers (one per rank, bound to 127.0.0.1 on a
free port, each with a deadline; they print nothing and return their results to the caller); the
worker functions below are what the chapter's ranks run:

- :func:`vocab_parallel_cross_entropy_torch`, the vocabulary-parallel loss as an autograd
  function of one rank's logit shard, whose backward is the local formula (no communication);
- :func:`vocab_parallel_worker`, :func:`memory_worker` and :func:`ddp_worker`, the experiments.

The backend is an argument: ``"gloo"`` runs on CPU processes, as here; ``"nccl"`` runs the same
code on GPUs, one per rank (each worker then moves its tensors to ``cuda:RANK``; not run by the
book's tests, whose machines have no GPU). PyTorch is
imported inside the functions, never at import of ``xentlib``.

Defined in :doc:`/chapters/16_across_devices`.
"""

import contextlib
import datetime
import os
import queue as queue_module
import socket
import tempfile
import time
import traceback
import tracemalloc

import numpy as np

from . import vocab_parallel

#: seconds a whole spawn may take (imports, process group, work) before its workers are killed
DEFAULT_TIMEOUT = 120


def free_port():
    """A TCP port on 127.0.0.1 that is free now (the operating system picks it).

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _loopback_interface():
    """The name of the loopback interface (``lo`` on Linux, ``lo0`` on macOS), or None."""
    try:
        names = [name for _, name in socket.if_nameindex()]
    except (OSError, AttributeError):
        return None
    return next((name for name in names if name.startswith("lo")), None)


def spawn(fn, world_size, *args, backend="gloo", timeout=DEFAULT_TIMEOUT):
    """Run ``fn(rank, world_size, *args)`` in ``world_size`` new processes that form one process
    group; return the list of their return values, by rank.

    Each worker joins the group through a TCP store on 127.0.0.1 at a port chosen now, and its
    collectives use the loopback interface. The workers' output goes to a log file, not to the
    caller's screen. If a worker raises, dies, or the whole run takes more than ``timeout``
    seconds, every worker is killed and a ``RuntimeError`` names the rank and shows its traceback
    (or the end of its log).

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results_queue = context.Queue()
    port = free_port()
    logs = [
        tempfile.NamedTemporaryFile(prefix=f"xent-rank{r}-", suffix=".log", delete=False)
        for r in range(world_size)
    ]
    workers = [
        context.Process(
            target=_worker,
            args=(rank, world_size, port, backend, logs[rank].name, fn, args, results_queue),
            daemon=True,
        )
        for rank in range(world_size)
    ]
    for worker in workers:
        worker.start()
    results, deadline = {}, time.monotonic() + timeout
    try:
        while len(results) < world_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                waiting = sorted(set(range(world_size)) - set(results))
                raise RuntimeError(f"ranks {waiting} did not finish within {timeout} s")
            try:
                rank, ok, value = results_queue.get(timeout=min(remaining, 0.5))
            except queue_module.Empty:
                for rank, worker in enumerate(workers):
                    if rank not in results and worker.exitcode not in (None, 0):
                        raise RuntimeError(
                            f"rank {rank} died with exit code {worker.exitcode}:\n"
                            + _tail(logs[rank].name)
                        ) from None
                continue
            if not ok:
                raise RuntimeError(_failures(rank, value, results_queue))
            results[rank] = value
    finally:
        for worker in workers:
            worker.join(timeout=10 if len(results) == world_size else 0)
            if worker.is_alive():
                worker.kill()
                worker.join()
        results_queue.close()
        for log in logs:
            log.close()
            with contextlib.suppress(OSError):
                os.unlink(log.name)
    return [results[rank] for rank in range(world_size)]


def _failures(rank, error, results_queue, grace=3.0):
    """The traceback of the first failing rank and of any other that fails within ``grace``
    seconds (the first to report is not always the cause: its peers see a broken connection)."""
    failed = [(rank, error)]
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            other, ok, value = results_queue.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue_module.Empty:
            break
        if not ok:
            failed.append((other, value))
    return "\n".join(f"rank {r} failed:\n{e}" for r, e in failed)


def _tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def _worker(rank, world_size, port, backend, log_path, fn, args, results_queue):
    """One rank: quiet output, join the process group, run ``fn``, report back."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        interface = _loopback_interface()
        if interface and backend == "gloo":
            os.environ["GLOO_SOCKET_IFNAME"] = interface
        from .frameworks import load_torch

        torch = load_torch()
        torch.set_num_threads(1)  # one thread per rank: the ranks share the machine's cores
        import torch.distributed as dist

        dist.init_process_group(
            backend,
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=world_size,
            timeout=datetime.timedelta(seconds=DEFAULT_TIMEOUT),
        )
        try:
            value = fn(rank, world_size, *args)
        finally:
            dist.destroy_process_group()
        results_queue.put((rank, True, value))
    except BaseException:
        results_queue.put((rank, False, traceback.format_exc()))


def run_all(rank, world_size, calls):
    """Run several worker functions one after the other in the same process group (one spawn,
    one import of PyTorch per rank): ``calls`` is a list of ``(function, args)``; return the list
    of their results.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    return [function(rank, world_size, *args) for function, args in calls]


def _device(backend, rank):
    """Where a rank's tensors live: its GPU under NCCL, the CPU under gloo."""
    return f"cuda:{rank}" if backend == "nccl" else "cpu"


# ------------------------------------------------------------------------------------------------
# The vocabulary-parallel loss as an autograd function


class _Recorder:
    """Counts the values each collective call of this rank sends (for the chapter's table)."""

    def __init__(self):
        self.calls = []

    def all_reduce(self, tensor, op, group):
        import torch.distributed as dist

        self.calls.append(
            (str(op).rsplit(".", 1)[-1].lower(), tensor.numel(), tensor.element_size())
        )
        dist.all_reduce(tensor, op=op, group=group)
        return tensor


def _vocab_parallel_function():
    import torch
    import torch.distributed as dist

    class VocabParallelCrossEntropy(torch.autograd.Function):
        """Forward: the per-token loss from one rank's shard and three all-reduces (four with
        label smoothing). Backward: this rank's slice of softmax minus the smoothed one-hot,
        from the saved ``log Z``; no communication."""

        @staticmethod
        def forward(
            ctx, shard, targets, vocab_start, vocab_size, ignore_index, smoothing, group, recorder
        ):
            width = shard.shape[1]
            m = shard.amax(dim=1)  # 1. the largest logit of the vocabulary: MAX
            recorder.all_reduce(m, dist.ReduceOp.MAX, group)
            sum_exp = torch.exp(shard - m[:, None]).sum(dim=1)  # 2. the normaliser: SUM
            recorder.all_reduce(sum_exp, dist.ReduceOp.SUM, group)
            log_z = m + torch.log(sum_exp)
            local = targets - vocab_start
            mine = (local >= 0) & (local < width)
            picked = shard.gather(1, local.clamp(0, width - 1)[:, None])[:, 0]
            z_target = torch.where(mine, picked, torch.zeros_like(picked))  # 3. SUM
            recorder.all_reduce(z_target, dist.ReduceOp.SUM, group)
            losses = log_z - z_target
            if smoothing:
                sum_z = shard.sum(dim=1)  # 4. the sum of the logits: SUM
                recorder.all_reduce(sum_z, dist.ReduceOp.SUM, group)
                losses = (1 - smoothing) * losses + smoothing * (log_z - sum_z / vocab_size)
            counted = targets != ignore_index
            losses = torch.where(counted, losses, torch.zeros_like(losses))
            ctx.save_for_backward(shard, log_z, local, mine, counted)
            ctx.smoothing, ctx.vocab_size = smoothing, vocab_size
            return losses

        @staticmethod
        def backward(ctx, grad_losses):
            shard, log_z, local, mine, counted = ctx.saved_tensors
            grad = torch.exp(shard - log_z[:, None])
            rows = torch.nonzero(mine)[:, 0]
            grad[rows, local[rows]] -= 1 - ctx.smoothing
            grad -= ctx.smoothing / ctx.vocab_size
            grad *= (grad_losses * counted)[:, None]
            return grad, None, None, None, None, None, None, None

    return VocabParallelCrossEntropy


def vocab_parallel_cross_entropy_torch(
    shard,
    targets,
    vocab_start,
    vocab_size,
    ignore_index=-100,
    label_smoothing=0.0,
    group=None,
    recorder=None,
):
    r"""Per-token cross-entropy of one rank's logit shard, on ``torch.distributed``.

    The same computation as :func:`xentlib.vocab_parallel_cross_entropy`, with each all-reduce a
    collective of the process group: call it on every rank of ``group`` with that rank's shard
    (the columns ``[vocab_start, vocab_start + shard.shape[1])`` of the vocabulary). Autograd
    differentiates it through the local formula of
    :func:`xentlib.vocab_parallel_cross_entropy_grad`.

    .. math:: \ell_n = (1 - \varepsilon)(\log Z_n - z_{n,y_n})
              + \varepsilon\,(\log Z_n - \tfrac{1}{V} \textstyle\sum_c z_{n,c})

    Parameters
    ----------
    shard : torch.Tensor, shape (N, V_r)
        This rank's logits.
    targets : torch.Tensor of int64, shape (N,)
        Global vocabulary indices, or ``ignore_index``; the same on every rank.
    vocab_start, vocab_size : int
        The first global column of the shard, and the size of the whole vocabulary.
    ignore_index : int, default -100
    label_smoothing : float, default 0.0
    group : ProcessGroup, optional
        The ranks that hold the shards (default: the whole world).
    recorder : optional
        An object whose ``all_reduce(tensor, op, group)`` performs (and may record) each
        collective; by default the collectives go straight to ``torch.distributed``.

    Returns
    -------
    torch.Tensor, shape (N,)
        The loss of each token, the same on every rank; 0 for ignored tokens.

    Raises
    ------
    ValueError
        If the shard is not 2-D or ``targets`` does not have one entry per row.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    if shard.ndim != 2 or targets.shape != (shard.shape[0],):
        raise ValueError(
            f"shard must have shape (N, V_r) and targets shape (N,), got {tuple(shard.shape)} "
            f"and {tuple(targets.shape)}"
        )
    recorder = recorder if recorder is not None else _Recorder()
    function = _vocab_parallel_function()
    return function.apply(
        shard,
        targets,
        vocab_start,
        vocab_size,
        ignore_index,
        float(label_smoothing),
        group,
        recorder,
    )


def shard_widths(vocab_size, world_size):
    r"""The widths of ``world_size`` consecutive slices of a vocabulary, as even as possible (the
    first ``vocab_size % world_size`` ranks hold one column more).

    .. math:: V_r = \lfloor V / R \rfloor + [r < V \bmod R]

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    base, extra = divmod(vocab_size, world_size)
    return [base + (r < extra) for r in range(world_size)]


def vocab_parallel_worker(
    rank, world_size, logits, targets, ignore_index, label_smoothing, backend="gloo"
):
    r"""One rank of the chapter's check: slice this rank's shard out of ``logits``, compute the
    loss with :func:`vocab_parallel_cross_entropy_torch`, and back-propagate their mean over the
    counted tokens. Return the per-token losses, this rank's gradient shard and the collectives
    it made (``(op, values, bytes per value)``).

    .. math:: \mathcal{L} = \frac{1}{M} \sum_n \ell_n, \quad M = \sum_n [y_n \ne \mathrm{ignore}]

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    import torch

    widths = shard_widths(logits.shape[1], world_size)
    start = sum(widths[:rank])
    device = _device(backend, rank)
    shard = torch.tensor(logits[:, start : start + widths[rank]], device=device, requires_grad=True)
    targets = torch.tensor(targets, dtype=torch.int64, device=device)
    recorder = _Recorder()
    losses = vocab_parallel_cross_entropy_torch(
        shard, targets, start, logits.shape[1], ignore_index, label_smoothing, recorder=recorder
    )
    (losses.sum() / (targets != ignore_index).sum()).backward()
    return losses.detach().cpu().numpy(), shard.grad.cpu().numpy(), recorder.calls


# ------------------------------------------------------------------------------------------------
# Memory of one rank's loss


def _drive_with_all_reduce(rank_generator, group=None):
    """Run one rank's NumPy generator (:func:`xentlib.vocab_parallel._rank_loss`) with each of its
    all-reduces done by ``torch.distributed`` on the same memory."""
    import torch
    import torch.distributed as dist

    ops = {"max": dist.ReduceOp.MAX, "sum": dist.ReduceOp.SUM}
    try:
        op, local = next(rank_generator)
        while True:
            local = np.ascontiguousarray(local)
            dist.all_reduce(torch.from_numpy(local), op=ops[op], group=group)
            op, local = rank_generator.send(local)
    except StopIteration as done:
        return done.value


def _rank_loss_and_grad(
    shard, targets, vocab_start, vocab_size, ignore_index=-100, label_smoothing=0.0, all_reduce=None
):
    """One rank's losses and gradient shard with NumPy; the all-reduces by ``torch.distributed``
    (or, in one process with one shard, by nothing)."""
    rank = vocab_parallel._rank_loss(
        shard, targets, vocab_start, vocab_size, ignore_index, label_smoothing
    )
    if all_reduce is None:
        results, _ = vocab_parallel.run_in_lockstep([rank])
        losses, log_z = results[0]
    else:
        losses, log_z = all_reduce(rank)
    grad = vocab_parallel._shard_grad(
        shard, targets, vocab_start, vocab_size, log_z, ignore_index, label_smoothing
    )
    return losses, grad


def peak_memory_of_loss(num_tokens, width, vocab_start, vocab_size, seed, all_reduce=None):
    """Bytes NumPy holds at the peak of one rank's loss and gradient (tracemalloc), counting the
    rank's float32 logits of shape ``(num_tokens, width)``, made inside the measurement.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    tracemalloc.start()
    try:
        rng = np.random.default_rng([seed, vocab_start])
        shard = rng.standard_normal((num_tokens, width), dtype=np.float32)
        targets = rng.integers(0, vocab_size, size=num_tokens)
        _rank_loss_and_grad(shard, targets, vocab_start, vocab_size, all_reduce=all_reduce)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_worker(rank, world_size, num_tokens, vocab_size, seed):
    """One rank's peak memory for its shard of a ``(num_tokens, vocab_size)`` float32 problem.

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    widths = shard_widths(vocab_size, world_size)
    start = sum(widths[:rank])
    return peak_memory_of_loss(
        num_tokens, widths[rank], start, vocab_size, seed, _drive_with_all_reduce
    )


# ------------------------------------------------------------------------------------------------
# The batch split over ranks: DistributedDataParallel


def next_token_mlp(vocab_size, context, embed, hidden, seed):
    r"""Chapter 12's next-character model in PyTorch, float64: ``context`` characters, each
    embedded in ``embed`` numbers, concatenated, one ``tanh`` layer of ``hidden`` units, and the
    logits of the next character.

    .. math:: z = W_2 \tanh(W_1 [e_{x_1}; \dots; e_{x_K}] + b_1) + b_2

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Embedding(vocab_size, embed),
        torch.nn.Flatten(),
        torch.nn.Linear(context * embed, hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, vocab_size),
    ).double()


def token_losses_and_counts(model, contexts, targets, ignore_index=-100):
    r"""The summed loss of a batch and its number of counted targets.

    .. math:: S = \sum_n [y_n \ne \mathrm{ignore}]\,\ell_n, \quad M = \sum_n [y_n \ne \mathrm{ignore}]

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    import torch

    logits = model(torch.as_tensor(contexts))
    targets = torch.as_tensor(targets)
    summed = torch.nn.functional.cross_entropy(
        logits, targets, ignore_index=ignore_index, reduction="sum"
    )
    return summed, int((targets != ignore_index).sum())


def ddp_worker(
    rank, world_size, model_args, batches, scaling, micro_batches, ignore_index=-100, backend="gloo"
):
    r"""One rank of DistributedDataParallel training step: its batch ``batches[rank]`` (contexts,
    targets) in ``micro_batches`` pieces, gradients accumulated and averaged by DDP over the ranks.

    ``scaling`` is ``"local mean"`` (each micro-batch's own token mean, divided by the number of
    micro-batches: what a training loop written for one device does) or ``"global count"`` (the
    summed loss divided by the number of counted tokens of all ranks, all-reduced first, times
    the world size that DDP's average divides by). Return the gradients, by parameter name.

    .. math:: \nabla \frac{1}{R} \sum_r \frac{R\,S_r}{M} = \nabla \frac{S}{M}

    See the chapter :doc:`/chapters/16_across_devices`.
    """
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    device = _device(backend, rank)
    model = next_token_mlp(*model_args).to(device)
    ddp = DistributedDataParallel(model, device_ids=None if device == "cpu" else [rank])
    contexts, targets = (np.array_split(a, micro_batches) for a in batches[rank])
    if scaling == "global count":
        count = torch.tensor(float((batches[rank][1] != ignore_index).sum()), device=device)
        dist.all_reduce(count)  # the tokens of every rank, before any loss is scaled
    elif scaling != "local mean":
        raise ValueError(f"scaling must be 'local mean' or 'global count', got {scaling!r}")
    for i, (x, y) in enumerate(zip(contexts, targets, strict=True)):
        last = i == micro_batches - 1
        with contextlib.nullcontext() if last else ddp.no_sync():  # DDP all-reduces on the last
            summed, counted = token_losses_and_counts(
                ddp,
                torch.as_tensor(x, device=device),
                torch.as_tensor(y, device=device),
                ignore_index,
            )
            if scaling == "local mean":
                loss = summed / counted / micro_batches
            else:
                loss = summed / count * world_size
            loss.backward()
    return {name: p.grad.cpu().numpy() for name, p in model.named_parameters()}
