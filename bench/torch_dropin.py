# SPDX-License-Identifier: Apache-2.0
"""The drop-in optimizers against torch.optim 1.13 on one thread: the
wall time of optimizer.step() over one float32 tensor, median of
interleaved repetitions, state warm.

  /usr/bin/python3 bench/torch_dropin.py            # the README table
  /usr/bin/python3 bench/torch_dropin.py --smoke    # CI: runs, times nothing
"""
import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import torch  # noqa: E402

import edgeopt.torch as et  # noqa: E402

CASES = [("SGD", dict(lr=0.01, momentum=0.9)), ("RMSprop", {}), ("Adam", {}), ("AdamW", {}), ("NAdam", {})]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def make(kind, name, kwargs, size, foreach):
    param = torch.randn(size, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    param.grad = torch.randn(size, generator=torch.Generator().manual_seed(1))
    if kind == "edgeopt":
        return getattr(et, name)([param], **kwargs)
    return getattr(torch.optim, name)([param], foreach=foreach, **kwargs)


def seconds_per_step(optimizer, steps):
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.step()
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    sizes = [4096] if args.smoke else [4096, 65536, 1 << 20, 1 << 24]
    repetitions = 1 if args.smoke else args.repetitions
    print("torch %s, one thread, %s; median of %d interleaved repetitions" % (torch.__version__, cpu_model(),
                                                                                repetitions))
    print("| optimizer | params | torch.optim µs | torch.optim foreach µs | edgeopt drop-in µs | speed-up |")
    print("|---|---|---|---|---|---|")
    for name, kwargs in CASES:
        for size in sizes:
            kinds = [("torch", False), ("torch", True), ("edgeopt", None)]
            optimizers = [make(kind, name, kwargs, size, foreach) for kind, foreach in kinds]
            steps = 1 if args.smoke else max(3, int(2e7 // size))
            for optimizer in optimizers:
                seconds_per_step(optimizer, 1)  # state allocated, caches warm
            times = [[] for _ in kinds]
            for _ in range(repetitions):
                for index, optimizer in enumerate(optimizers):
                    times[index].append(seconds_per_step(optimizer, steps))
            plain, foreach, ours = (statistics.median(t) * 1e6 for t in times)
            print("| %s | %d | %.1f | %.1f | %.1f | %.1f× |" % (name, size, plain, foreach, ours,
                                                               min(plain, foreach) / ours))


if __name__ == "__main__":
    main()
