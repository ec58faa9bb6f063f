"""Benchmark of cross-entropy at large-vocabulary scale: time and peak memory, measured side by side.

Usage::

    python -m booktools.bench              # full run; writes chapters/data/large_vocabulary_bench.json
    python -m booktools.bench --quick      # small shapes, a minute or less; writes nothing by default
    python -m booktools.bench --quick --output /tmp/bench.json
    python -m booktools.bench --device cuda   # also time the torch streaming loss on the GPU

Options: ``--repeats R`` (timed calls per method, default 5, 2 with ``--quick``), ``--no-large``
(skip the N=8192, V=256000 case), ``--output PATH``, ``--rescore PATH`` (re-evaluate the targets
of an existing results file without measuring anything).

What it measures, in float32:

* **Time.** For each shape, every method is called once to warm up, then ``R`` times, with the
  order of the methods rotated each round so that the load of other processes on this shared
  machine falls on all of them alike. Ratios use the best (minimum) time of each method, as
  ``timeit`` recommends; medians are stored too.
* **Peak extra memory.** Each method runs once more in a fresh Python process that builds the same
  inputs first; the extra memory is the growth of the process's peak resident set size
  (``VmHWM``, reset to the current RSS through ``/proc/self/clear_refs`` just before the call). RSS counts every page the call touches, whoever
  allocated it (NumPy, PyTorch's allocator, BLAS, thread stacks), which ``tracemalloc`` cannot:
  it sees only allocations reported to Python, i.e. NumPy's. Its peak is stored as a cross-check
  for the NumPy methods. A fresh process keeps memory that earlier calls freed, and that the
  allocators keep for reuse, from hiding a call's own allocations.
* **Memory bandwidth**, in the same run: the best time of a read-only pass (``max``) over the
  logits array, split over as many threads as the streaming loss uses. One such read of N*V*4
  bytes is the physical lower limit of any exact loss that reads every logit.

The methods: ``naive_numpy`` (the textbook ``shifted = logits - max``, ``log_probs = shifted -
log(sum(exp(shifted)))``, ``-log_probs[rows, targets].mean()``, which materialises the shifted
logits with their exponentials, then with the log-probabilities), ``torch_cpu`` (``torch.nn.functional.cross_entropy``),
``streaming`` (:func:`xentlib.streaming_cross_entropy`); for a linear head with hidden size D:
``matmul_torch`` (NumPy ``hidden @ weight.T``, then torch's cross-entropy) and ``fused``
(:func:`xentlib.fused_linear_cross_entropy`).

See the chapter :doc:`/chapters/11_large_vocabulary`.
"""

import argparse
import datetime
import gc
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "chapters" / "data" / "large_vocabulary_bench.json"
SEED = 2026

FULL = {
    "tokens": 1024,
    "hidden": 256,
    "vocabularies": [50257, 128256, 256000],
    "large": (8192, 256000),
    "fwd_bwd": (256, 256000),
}
QUICK = {
    "tokens": 256,
    "hidden": 64,
    "vocabularies": [8000, 32000],
    "large": None,
    "fwd_bwd": (64, 32000),
}
CE_METHODS = ["naive_numpy", "torch_cpu", "streaming"]
FUSED_METHODS = ["matmul_torch", "fused"]
TARGETS = {
    "stream_time": 0.8,
    "stream_memory": 0.03,
    "stream_error": 2e-6,
    "fused_time": 1.2,
    "fused_memory": 0.05,
}


# ---------------------------------------------------------------------------------------------
# inputs


def make_logits(n, v, seed=SEED):
    """float32 logits uniform in [-4, 4) and targets, built in place (no temporary arrays)."""
    rng = np.random.default_rng(seed)
    logits = np.empty((n, v), dtype=np.float32)
    for r0 in range(0, n, 256):
        rng.random(out=logits[r0 : r0 + 256], dtype=np.float32)
    logits *= 8
    logits -= 4
    return logits, rng.integers(0, v, size=n)


def make_linear(n, d, v, seed=SEED):
    """float32 hidden states (N, D), output weights (V, D) and targets."""
    rng = np.random.default_rng(seed)
    hidden = rng.standard_normal((n, d), dtype=np.float32)
    weight = rng.standard_normal((v, d), dtype=np.float32)
    weight *= np.float32(1 / np.sqrt(d))
    return hidden, weight, rng.integers(0, v, size=n)


# ---------------------------------------------------------------------------------------------
# the methods


def _torch():
    from xentlib.frameworks import load_torch

    torch = load_torch()
    torch.use_deterministic_algorithms(False)  # no effect on these CPU ops; keep torch's defaults
    return torch


def run_method(name, data, torch):
    """Call one method on its inputs and return the loss as a Python float."""
    import xentlib

    if name == "naive_numpy":
        # the textbook log-softmax: two N x V temporaries alive at once beside the logits
        logits, targets = data
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(targets)), targets].mean(dtype=np.float64))
    if name == "torch_cpu":
        logits, targets = data
        return torch.nn.functional.cross_entropy(
            torch.from_numpy(logits), torch.from_numpy(targets)
        ).item()
    if name == "streaming":
        return float(xentlib.streaming_cross_entropy(*data))
    if name == "matmul_torch":
        hidden, weight, targets = data
        logits = torch.from_numpy(hidden @ weight.T)
        return torch.nn.functional.cross_entropy(logits, torch.from_numpy(targets)).item()
    if name == "fused":
        return float(xentlib.fused_linear_cross_entropy(*data))
    if name == "torch_cpu_fwd_bwd":
        logits, targets = data
        x = torch.from_numpy(logits).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, torch.from_numpy(targets))
        loss.backward()
        return loss.item()
    raise ValueError(f"unknown method {name!r}")


def torch_streaming_cross_entropy(logits, targets, block_vocab=32768):
    """The streaming loss written with torch tensors, for a GPU: online (max, sum) over columns.

    Same algorithm as :func:`xentlib.streaming_cross_entropy`, one vocabulary block at a time
    for all rows at once (a GPU has the parallelism to take every row together).
    """
    import torch

    n, v = logits.shape
    run_max = torch.full((n,), -torch.inf, dtype=logits.dtype, device=logits.device)
    run_sum = torch.zeros(n, dtype=torch.float64, device=logits.device)
    for c0 in range(0, v, block_vocab):
        block = logits[:, c0 : c0 + block_vocab]
        new_max = torch.maximum(run_max, block.amax(dim=1))
        shift = torch.where(torch.isneginf(new_max), torch.zeros_like(new_max), new_max)
        block_sum = torch.exp(block - shift[:, None]).sum(dim=1, dtype=torch.float64)
        run_sum = run_sum * torch.exp((run_max - shift).double()) + block_sum
        run_max = new_max
    lse = run_max.double() + torch.log(run_sum)
    picked = logits.gather(1, targets[:, None]).squeeze(1).double()
    return (lse - picked).mean()


def reference_loss(logits, targets, torch, rows=64):
    """The loss in float64 (torch's logsumexp), a block of rows at a time."""
    total = 0.0
    for r0 in range(0, logits.shape[0], rows):
        block = torch.from_numpy(logits[r0 : r0 + rows]).double()
        lse = torch.logsumexp(block, dim=1)
        picked = block[torch.arange(block.shape[0]), torch.from_numpy(targets[r0 : r0 + rows])]
        total += (lse - picked).sum().item()
    return total / logits.shape[0]


# ---------------------------------------------------------------------------------------------
# measurements


def _status_bytes(field):
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak_rss():
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS; return that RSS in bytes.

    Writing 5 to /proc/self/clear_refs does this on Linux >= 4.0; without it the growth of
    ``ru_maxrss`` is used, which can hide a call's peak under an earlier, higher one.
    """
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
        return _status_bytes("VmRSS")
    except OSError:
        return _maxrss_bytes()


def _peak_rss():
    try:
        return _status_bytes("VmHWM")
    except (OSError, KeyError):
        return _maxrss_bytes()


def _maxrss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def measure_memory_in_this_process(spec):
    """Worker: build the inputs, then the peak-RSS growth and tracemalloc peak of one call."""
    torch = _torch()
    torch.tensor([1.0]).sum()  # load torch's kernels before the baseline
    method, n, v, d = spec["method"], spec["n"], spec["v"], spec.get("d")
    data = make_linear(n, d, v) if method in FUSED_METHODS else make_logits(n, v)
    gc.collect()
    tracemalloc.start()
    before = _reset_peak_rss()
    start = time.perf_counter()
    loss = run_method(method, data, torch)
    seconds = time.perf_counter() - start
    peak = _peak_rss()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out = {
        "rss_peak_extra": peak - before,
        "tracemalloc_peak": traced_peak,
        "loss": loss,
        "seconds": seconds,
    }
    if spec.get("reference"):
        out["reference"] = reference_loss(data[0], data[1], torch)
    return out


def measure_memory(spec):
    """Run :func:`measure_memory_in_this_process` in a fresh interpreter and return its result."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "booktools.bench", "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"memory worker {spec} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_bandwidth(array, num_threads, repeats):
    """Best bytes per second of a read-only pass (max) over ``array``, split over threads."""
    parts = np.array_split(array, num_threads)
    best = np.inf
    for _ in range(repeats + 1):  # the first pass warms up
        threads = [threading.Thread(target=np.max, args=(part,)) for part in parts]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        best = min(best, time.perf_counter() - start)
    return array.nbytes / best


def time_methods(methods, data, torch, repeats):
    """Interleaved timing: warm up each method, then ``repeats`` rounds in rotated order."""
    times = {m: [] for m in methods}
    losses = {m: run_method(m, data, torch) for m in methods}
    for r in range(repeats):
        order = methods[r % len(methods) :] + methods[: r % len(methods)]
        for m in order:
            gc.collect()
            start = time.perf_counter()
            run_method(m, data, torch)
            times[m].append(time.perf_counter() - start)
    return {
        m: {
            "time_min": min(ts),
            "time_median": statistics.median(ts),
            "times": ts,
            "loss": losses[m],
        }
        for m, ts in times.items()
    }


def mem_available_bytes():
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def mem_total_bytes():
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def run_gpu(torch, n, v, repeats):
    """Time torch's streaming loss and F.cross_entropy on the GPU; fraction of bandwidth reached."""
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev).manual_seed(SEED)
    logits = torch.rand((n, v), generator=gen, device=dev) * 8 - 4
    targets = torch.randint(0, v, (n,), generator=gen, device=dev)

    def best(fn):
        fn()
        torch.cuda.synchronize()
        out = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            torch.cuda.synchronize()
            out = min(out, time.perf_counter() - start)
        return out

    read = best(lambda: logits.amax())
    stream = best(lambda: torch_streaming_cross_entropy(logits, targets))
    ce = best(lambda: torch.nn.functional.cross_entropy(logits, targets))
    nbytes = logits.numel() * logits.element_size()
    return {
        "run": True,
        "device": torch.cuda.get_device_name(),
        "N": n,
        "V": v,
        "bandwidth_Bps": nbytes / read,
        "time_streaming": stream,
        "time_cross_entropy": ce,
        "bandwidth_fraction_streaming": (nbytes / stream) / (nbytes / read),
        "loss_streaming": torch_streaming_cross_entropy(logits, targets).item(),
        "loss_cross_entropy": torch.nn.functional.cross_entropy(logits, targets).item(),
    }


# ---------------------------------------------------------------------------------------------
# the run


def plan(config, large, device):
    steps = [("bandwidth", None)]
    for v in config["vocabularies"]:
        steps += [("time_ce", v)] + [("mem_ce", (m, v)) for m in CE_METHODS]
    for v in config["vocabularies"]:
        steps += [("time_fused", v)] + [("mem_fused", (m, v)) for m in FUSED_METHODS]
    steps.append(("fwd_bwd", None))
    if large and config["large"]:
        steps.append(("large", None))
    steps.append(("gpu", device))
    return steps


def evaluate_targets(results, config):
    """The issue's targets at the largest vocabulary of the sweep, with the measured ratios."""
    ce = results["sweep"][-1]
    fu = results["fused_sweep"][-1]
    rows = [
        (
            "streaming time / torch CPU cross_entropy",
            ce["ratio_time_streaming_torch"],
            TARGETS["stream_time"],
            "<=",
        ),
        (
            "streaming peak extra memory / logits bytes",
            ce["ratio_memory_streaming_logits"],
            TARGETS["stream_memory"],
            "<=",
        ),
        (
            "|streaming loss - float64 reference|",
            ce["error_streaming"],
            TARGETS["stream_error"],
            "<=",
        ),
        (
            "fused time / (numpy matmul + torch cross_entropy)",
            fu["ratio_time_fused_matmul_torch"],
            TARGETS["fused_time"],
            "<=",
        ),
        (
            "fused peak extra memory / naive logits bytes",
            fu["ratio_memory_fused_logits"],
            TARGETS["fused_memory"],
            "<=",
        ),
    ]
    out = [
        {"target": name, "shape": "", "measured": value, "limit": limit, "met": value <= limit}
        for name, value, limit, _ in rows
    ]
    for row in out[:3]:
        row["shape"] = f"N={ce['N']}, V={ce['V']}"
    for row in out[3:]:
        row["shape"] = f"N={fu['N']}, D={fu['D']}, V={fu['V']}"
    large = results.get("large")
    if large and large.get("run"):
        # the naive NumPy forward needs 3x the logits, more than any process could get here;
        # a naive training step (torch forward + backward) needs 4x, more than the whole machine
        cannot = (
            large["naive_numpy_needs_bytes"] > large["mem_available_before"]
            and large["torch_fwd_bwd_needs_bytes"] > large["mem_total_bytes"]
        )
        out.append(
            {
                "target": "streaming completes at N=8192, V=256000 where naive cannot (time, s)",
                "shape": f"N={large['N']}, V={large['V']}",
                "measured": large["time"],
                "limit": None,
                "met": bool(large["completed"] and cannot),
            }
        )
    return out


def rescore(path):
    """Recompute the targets of a results file from its measurements, print and rewrite it."""
    results = json.loads(path.read_text())
    results["targets"] = evaluate_targets(results, None)
    report(results)
    path.write_text(json.dumps(results, indent=1) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m booktools.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small shapes, for a smoke test")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per method")
    parser.add_argument("--no-large", action="store_true", help="skip the N=8192 case")
    parser.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="cuda: also time the torch streaming loss on the GPU",
    )
    parser.add_argument(
        "--output",
        type=pathlib.Path,
        default=None,
        help=f"results file (default for a full run: {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--rescore", type=pathlib.Path, help="only re-evaluate the targets of a results file"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rescore:
        rescore(args.rescore)
        return 0

    if args.worker:  # a fresh process that measures one method's memory
        spec = json.loads(args.worker)
        result = run_large(spec) if spec.get("large") else measure_memory_in_this_process(spec)
        print(json.dumps(result))
        return 0

    from tqdm import tqdm

    import xentlib.streaming as streaming

    config = QUICK if args.quick else FULL
    repeats = args.repeats or (2 if args.quick else 5)
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    torch = _torch()
    num_threads = streaming._check_num_threads(None)
    n, d = config["tokens"], config["hidden"]
    results = {
        "created": datetime.date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "threads_streaming": num_threads,
            "threads_torch": torch.get_num_threads(),
            "mem_total_bytes": mem_total_bytes(),
            "processor": platform.processor() or platform.machine(),
            "numpy": np.__version__,
            "torch": torch.__version__,
        },
        "method": {
            "time": f"best of {repeats} interleaved calls after one warm-up call",
            "memory": "peak RSS (VmHWM, reset before the call) minus RSS before, one call in a fresh process",
            "bandwidth": "best read-only pass (max) over the logits, split over threads",
        },
        "targets_limits": TARGETS,
        "sweep": [],
        "fused_sweep": [],
    }
    bandwidths = []
    steps = plan(config, not args.no_large, args.device)
    with tqdm(steps, desc="bench", unit="step") as bar:
        for kind, arg in bar:
            bar.set_postfix_str(f"{kind} {arg}" if arg else kind)
            if kind == "bandwidth":
                logits, _ = make_logits(n, config["vocabularies"][-1])
                bandwidths.append(measure_bandwidth(logits, num_threads, repeats))
                del logits
            elif kind == "time_ce":
                data = make_logits(n, arg)
                row = {
                    "N": n,
                    "V": arg,
                    "logits_bytes": data[0].nbytes,
                    "methods": time_methods(CE_METHODS, data, torch, repeats),
                }
                row["reference"] = reference_loss(*data, torch)
                bandwidths.append(measure_bandwidth(data[0], num_threads, repeats))
                del data
                results["sweep"].append(row)
            elif kind == "mem_ce":
                method, v = arg
                mem = measure_memory({"method": method, "n": n, "v": v})
                results["sweep"][-1]["methods"][method].update(
                    rss_peak_extra=mem["rss_peak_extra"], tracemalloc_peak=mem["tracemalloc_peak"]
                )
            elif kind == "time_fused":
                data = make_linear(n, d, arg)
                row = {
                    "N": n,
                    "D": d,
                    "V": arg,
                    "logits_bytes": n * arg * 4,
                    "methods": time_methods(FUSED_METHODS, data, torch, repeats),
                }
                del data
                results["fused_sweep"].append(row)
            elif kind == "mem_fused":
                method, v = arg
                mem = measure_memory({"method": method, "n": n, "v": v, "d": d})
                results["fused_sweep"][-1]["methods"][method].update(
                    rss_peak_extra=mem["rss_peak_extra"], tracemalloc_peak=mem["tracemalloc_peak"]
                )
            elif kind == "fwd_bwd":
                fn, fv = config["fwd_bwd"]
                mem = measure_memory({"method": "torch_cpu_fwd_bwd", "n": fn, "v": fv})
                results["fwd_bwd"] = {"N": fn, "V": fv, "logits_bytes": fn * fv * 4, **mem}
            elif kind == "large":
                results["large"] = plan_large(*config["large"])
            elif kind == "gpu":
                results["gpu"] = gpu_step(torch, arg, repeats)
            gc.collect()

    bandwidth = max(bandwidths)
    results["bandwidth_Bps"] = bandwidth
    for row in results["sweep"]:
        ms = row["methods"]
        row["physical_limit_s"] = row["logits_bytes"] / bandwidth
        row["ratio_time_streaming_torch"] = (
            ms["streaming"]["time_min"] / ms["torch_cpu"]["time_min"]
        )
        row["ratio_memory_streaming_logits"] = (
            ms["streaming"]["rss_peak_extra"] / row["logits_bytes"]
        )
        row["error_streaming"] = abs(ms["streaming"]["loss"] - row["reference"])
    for row in results["fused_sweep"]:
        ms = row["methods"]
        row["ratio_time_fused_matmul_torch"] = (
            ms["fused"]["time_min"] / ms["matmul_torch"]["time_min"]
        )
        row["ratio_memory_fused_logits"] = ms["fused"]["rss_peak_extra"] / row["logits_bytes"]
    results["targets"] = evaluate_targets(results, config)
    report(results)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {output}")
    return 0


def plan_large(n, v):
    """The N=8192 case: run only when the memory is there; naive memory by arithmetic."""
    logits_bytes = n * v * 4
    # naive NumPy: the logits, the shifted logits and their exponentials are alive together
    out = {
        "N": n,
        "V": v,
        "logits_bytes": logits_bytes,
        "mem_total_bytes": mem_total_bytes(),
        "naive_numpy_needs_bytes": 3 * logits_bytes,
        "torch_fwd_bwd_needs_bytes": 4 * logits_bytes,
    }
    available = mem_available_bytes()
    out["mem_available_before"] = available
    if available < logits_bytes + 2 * 2**30:  # logits plus a 2 GiB margin, or do not start
        return {**out, "run": False, "reason": f"only {available / 2**30:.1f} GiB available"}
    spec = {"large": True, "n": n, "v": v}
    return {**out, "run": True, **measure_memory(spec)}


def run_large(spec):
    """Worker: N x V logits built in place, one streaming call, peak-RSS growth, reference."""
    import xentlib

    torch = _torch()
    logits, targets = make_logits(spec["n"], spec["v"])
    gc.collect()
    before = _reset_peak_rss()
    start = time.perf_counter()
    loss = float(xentlib.streaming_cross_entropy(logits, targets))
    seconds = time.perf_counter() - start
    extra = _peak_rss() - before
    ref = reference_loss(logits, targets, torch, rows=16)
    return {
        "completed": True,
        "time": seconds,
        "rss_peak_extra": extra,
        "loss": loss,
        "reference": ref,
        "error": abs(loss - ref),
    }


def gpu_step(torch, device, repeats):
    if device != "cuda":
        return {"run": False, "reason": "not requested (run with --device cuda)"}
    if not torch.cuda.is_available():
        return {"run": False, "reason": "no CUDA device visible to torch"}
    return run_gpu(torch, 1024, 256000, repeats)


def _fmt_bytes(b):
    return f"{b / 2**20:9.1f} MiB" if b < 2**30 else f"{b / 2**30:9.2f} GiB"


def report(results):
    """Print the measurements side by side and the targets with their measured ratios."""
    print(f"\nmemory bandwidth (read): {results['bandwidth_Bps'] / 1e9:.1f} GB/s")
    for title, rows, methods in (
        ("cross-entropy of (N, V) logits", results["sweep"], CE_METHODS),
        ("linear head + cross-entropy", results["fused_sweep"], FUSED_METHODS),
    ):
        print(f"\n{title}: best time [s] / peak extra memory")
        for row in rows:
            cells = [
                f"{m} {row['methods'][m]['time_min']:.3f} s {_fmt_bytes(row['methods'][m]['rss_peak_extra'])}"
                for m in methods
            ]
            lim = f" | limit {row['physical_limit_s']:.3f} s" if "physical_limit_s" in row else ""
            print(f"  N={row['N']} V={row['V']:>6}: " + " | ".join(cells) + lim)
    large = results.get("large")
    if large:
        print(
            f"\nN={large['N']}, V={large['V']}: logits {large['logits_bytes'] / 1e9:.2f} GB; naive NumPy "
            f"needs {large['naive_numpy_needs_bytes'] / 1e9:.1f} GB, torch forward+backward "
            f"{large['torch_fwd_bwd_needs_bytes'] / 1e9:.1f} GB; MemTotal {large['mem_total_bytes'] / 1e9:.1f} GB"
        )
        if large["run"]:
            print(
                f"  streaming: {large['time']:.2f} s, peak extra {_fmt_bytes(large['rss_peak_extra'])}, "
                f"|error| {large['error']:.1e}"
            )
        else:
            print(f"  not run: {large['reason']}")
    print(f"\nGPU: {results['gpu']}")
    print("\ntargets:")
    for t in results["targets"]:
        limit = "" if t["limit"] is None else f" (target <= {t['limit']:g})"
        print(
            f"  [{'MET' if t['met'] else 'NOT MET'}] {t['target']} at {t['shape']}: "
            f"{t['measured']:.4g}{limit}"
        )


if __name__ == "__main__":
    sys.exit(main())
