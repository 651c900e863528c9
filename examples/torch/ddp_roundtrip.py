# SPDX-License-Identifier: Apache-2.0
"""When a model outgrows the device: device -> DDP cluster -> device, losing nothing.

  1. device   a 20-32-4 MLP trained K steps with edgeopt's drop-in et.AdamW,
              then et.save(opt, "device.ckpt") (optimizer state + float32 params)
  2. cluster  2 processes, torch.distributed over gloo on 127.0.0.1; each builds
              the model and a plain torch.optim.AdamW, et.load("device.ckpt", opt)
              restores parameters and state, DistributedDataParallel trains M
              steps (each rank holds half of every global batch, DDP averages
              the gradients), rank 0 writes et.save(opt, "cluster.ckpt")
  3. device   a fresh model and et.AdamW, et.load("cluster.ckpt", opt), N more steps

Exact (exit status 1 if any fails): each hand-over, compared bit for bit
against the optimizer it came from, and the device's continuation against
torch.optim.AdamW continuing from rank 0's state.  Within rounding (reported,
and bounded): the whole run against one process training on the full global
batch, since the allreduce averages two shard means where one process takes
one mean over the batch.
"""
import argparse
import copy
import os
import shutil
import socket
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

import edgeopt.torch as et

SIZES = (20, 32, 4)
WORLD = 2
GLOBAL_BATCH, DEVICE_BATCH = 64, 16
K_DEVICE, M_CLUSTER, N_BACK = 30, 30, 10
OPTIONS = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
# One process and DDP sum the same numbers in a different order: a few float32
# ulps per gradient, measured 3e-8 on the parameters after M steps.  Losing the
# optimizer state at the hand-over costs 0.1 (the control line).  The bound only
# tells these apart; the exact checks are what prove the hand-over.
ROUNDING_BOUND = 1e-4


def make_model(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.Tanh(),
                               torch.nn.Linear(SIZES[1], SIZES[2]))


def batches(seed, steps, size):
    """Synthetic regression data: a fixed random teacher plus noise."""
    teacher = torch.randn(SIZES[0], SIZES[2], generator=torch.Generator().manual_seed(1234)) / SIZES[0] ** 0.5
    generator = torch.Generator().manual_seed(seed)
    data = []
    for _ in range(steps):
        x = torch.randn(size, SIZES[0], generator=generator)
        data.append((x, torch.tanh(x @ teacher) + 0.1 * torch.randn(size, SIZES[2], generator=generator)))
    return data


def device_data():
    return batches(1, K_DEVICE, DEVICE_BATCH)


def cluster_data():
    return batches(2, M_CLUSTER, GLOBAL_BATCH)


def back_data():
    return batches(3, N_BACK, DEVICE_BATCH)


def shard(x, y, rank):
    rows = slice(rank * GLOBAL_BATCH // WORLD, (rank + 1) * GLOBAL_BATCH // WORLD)
    return x[rows], y[rows]


def loss_of(model, x, y):
    # A mean over the batch: the mean of the shards' gradients is the batch's gradient.
    return torch.nn.functional.mse_loss(model(x), y)


def train(model, optimizer, data):
    for x, y in data:
        optimizer.zero_grad()
        loss_of(model, x, y).backward()
        optimizer.step()


def snapshot(model, optimizer):
    return {"params": [p.detach().clone() for p in model.parameters()],
            "optimizer": copy.deepcopy(optimizer.state_dict())}


def mismatches(a, b, where):
    """Every difference between two nested values; tensors compared bit for bit."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.dtype != b.dtype or a.shape != b.shape:
            return ["%s: %s %s vs %s %s" % (where, a.dtype, tuple(a.shape), b.dtype, tuple(b.shape))]
        if a.is_floating_point():
            bits = {2: torch.int16, 4: torch.int32, 8: torch.int64}[a.element_size()]
            a, b = a.contiguous().view(bits), b.contiguous().view(bits)
        differ = int((a != b).sum())
        return ["%s: %d of %d elements differ" % (where, differ, a.numel())] if differ else []
    if type(a) != type(b):
        return ["%s: %r vs %r" % (where, a, b)]
    if isinstance(a, dict):
        if set(a) != set(b):
            return ["%s: keys %s vs %s" % (where, sorted(a, key=str), sorted(b, key=str))]
        return [m for key in a for m in mismatches(a[key], b[key], "%s[%r]" % (where, key))]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return ["%s: length %d vs %d" % (where, len(a), len(b))]
        return [m for i, (x, y) in enumerate(zip(a, b)) for m in mismatches(x, y, "%s[%d]" % (where, i))]
    return [] if a == b else ["%s: %r vs %r" % (where, a, b)]


def max_differences(a, b):
    """Max |a - b| of parameters and each state tensor, and whether the steps agree."""
    def largest(pairs):
        return max(float((x - y).abs().max()) for x, y in pairs)
    sa, sb = a["optimizer"]["state"], b["optimizer"]["state"]
    row = {"params": largest(zip(a["params"], b["params"]))}
    for key in ("exp_avg", "exp_avg_sq"):
        row[key] = largest((sa[i][key], sb[i][key]) for i in sa)
    row["step"] = "equal" if all(float(sa[i]["step"]) == float(sb[i]["step"]) for i in sa) else "DIFFER"
    return row


# ---- (2) the cluster: one process per rank ----

def cluster_rank(rank, port, workdir):
    torch.set_num_threads(1)  # 2 ranks on 2 cores
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    model = make_model(seed=100 + rank)  # not the device's weights: et.load must bring those
    optimizer = torch.optim.AdamW(model.parameters(), **OPTIONS)
    et.load(os.path.join(workdir, "device.ckpt"), optimizer)
    device = torch.load(os.path.join(workdir, "device_state.pt"))
    torch.save(mismatches(snapshot(model, optimizer), device, "rank %d" % rank),
               os.path.join(workdir, "handover_rank%d.pt" % rank))

    ddp = DistributedDataParallel(model)
    for x, y in cluster_data():
        optimizer.zero_grad()
        loss_of(ddp, *shard(x, y, rank)).backward()  # backward averages the gradients over the ranks
        optimizer.step()
    if rank == 0:
        et.save(optimizer, os.path.join(workdir, "cluster.ckpt"))
        torch.save(snapshot(model, optimizer), os.path.join(workdir, "cluster_state.pt"))
    dist.barrier()
    dist.destroy_process_group()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- single-process references ----

def full_batch_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    optimizer.step()


def shard_mean_step(model, optimizer, x, y):
    """The gradient as DDP forms it: each shard's own, then their mean."""
    shard_grads = []
    for rank in range(WORLD):
        model.zero_grad()
        loss_of(model, *shard(x, y, rank)).backward()
        shard_grads.append([p.grad.clone() for p in model.parameters()])
    for param, *grads in zip(model.parameters(), *shard_grads):
        param.grad = sum(grads[1:], grads[0]) / WORLD
    optimizer.step()


def reference(cluster_step, keep_state=True):
    """torch.optim.AdamW alone: K device steps, M global-batch steps, N device steps."""
    model = make_model(seed=0)
    optimizer = torch.optim.AdamW(model.parameters(), **OPTIONS)
    train(model, optimizer, device_data())
    after_device = snapshot(model, optimizer)
    if not keep_state:
        optimizer = torch.optim.AdamW(model.parameters(), **OPTIONS)
    for x, y in cluster_data():
        cluster_step(model, optimizer, x, y)
    after_cluster = snapshot(model, optimizer)
    train(model, optimizer, back_data())
    return after_device, after_cluster, snapshot(model, optimizer)


class Checks:
    def __init__(self):
        self.run = self.failed = 0

    def count(self, passed):
        self.run += 1
        self.failed += not passed

    def exact(self, what, problems):
        print("  %-70s %s" % (what, "bit-identical" if not problems else "FAILED"))
        for problem in problems[:8]:
            print("      " + problem)
        self.count(not problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", help="keep the checkpoints here (default: a temporary directory)")
    args = parser.parse_args()
    started = time.time()
    torch.set_num_threads(1)  # the references and the ranks do their maths the same way
    workdir = args.workdir or tempfile.mkdtemp(prefix="edgeopt-ddp-")
    os.makedirs(workdir, exist_ok=True)
    checks = Checks()
    print("MLP %s, AdamW %s; device %d steps (batch %d) -> %d gloo ranks %d steps (global batch %d, %d per rank)"
          " -> device %d steps" % ("-".join(map(str, SIZES)), OPTIONS, K_DEVICE, DEVICE_BATCH, WORLD, M_CLUSTER,
                                   GLOBAL_BATCH, GLOBAL_BATCH // WORLD, N_BACK))
    try:
        # (1) the device
        model = make_model(seed=0)
        optimizer = et.AdamW(model.parameters(), state_dtype="f32", **OPTIONS)
        train(model, optimizer, device_data())
        et.save(optimizer, os.path.join(workdir, "device.ckpt"))
        device = snapshot(model, optimizer)
        torch.save(device, os.path.join(workdir, "device_state.pt"))
        full_batch = reference(full_batch_step)
        checks.exact("device: et.AdamW vs torch.optim.AdamW, %d steps" % K_DEVICE,
                     mismatches(device, full_batch[0], "device"))

        # (2) the cluster
        mp.spawn(cluster_rank, args=(free_port(), workdir), nprocs=WORLD, join=True)
        for rank in range(WORLD):
            checks.exact("rank %d: torch.optim.AdamW after et.load == device's et.AdamW" % rank,
                         torch.load(os.path.join(workdir, "handover_rank%d.pt" % rank)))
        cluster = torch.load(os.path.join(workdir, "cluster_state.pt"))

        # (3) back on the device
        model = make_model(seed=200)
        optimizer = et.AdamW(model.parameters(), state_dtype="f32", **OPTIONS)
        et.load(os.path.join(workdir, "cluster.ckpt"), optimizer)
        checks.exact("device: et.AdamW after et.load == rank 0's torch.optim.AdamW",
                     mismatches(snapshot(model, optimizer), cluster, "device"))
        twin = make_model(seed=300)
        with torch.no_grad():
            for param, value in zip(twin.parameters(), cluster["params"]):
                param.copy_(value)
        twin_optimizer = torch.optim.AdamW(twin.parameters(), **OPTIONS)
        twin_optimizer.load_state_dict(copy.deepcopy(cluster["optimizer"]))
        train(model, optimizer, back_data())
        train(twin, twin_optimizer, back_data())
        back = snapshot(model, optimizer)
        checks.exact("device: %d more steps == torch.optim.AdamW continuing from rank 0" % N_BACK,
                     mismatches(back, snapshot(twin, twin_optimizer), "continuation"))

        # the whole trip against one process
        shard_mean = reference(shard_mean_step)
        checks.exact("cluster: DDP == one process averaging the 2 shards' gradients",
                     mismatches(cluster, shard_mean[1], "cluster"))
        fresh = reference(full_batch_step, keep_state=False)
        print("\nvs one process on the full global batch (max |difference|):")
        print("  %-34s %10s %10s %10s  %s" % ("", "params", "exp_avg", "exp_avg_sq", "step"))
        rows = [("after the cluster (rank 0)", max_differences(cluster, full_batch[1])),
                ("back on the device, %d steps later" % N_BACK, max_differences(back, full_batch[2])),
                ("control: state lost at hand-over", max_differences(fresh[1], full_batch[1]))]
        for label, row in rows:
            print("  %-34s %10.3g %10.3g %10.3g  %s" % (label, row["params"], row["exp_avg"], row["exp_avg_sq"],
                                                     row["step"]))
        within = all(row["params"] <= ROUNDING_BOUND and row["exp_avg"] <= ROUNDING_BOUND
                     and row["exp_avg_sq"] <= ROUNDING_BOUND and row["step"] == "equal" for _, row in rows[:2])
        print("  -> %s (bound %g): the gradients are summed in another order, nothing else differs"
              % ("within rounding" if within else "NOT within rounding", ROUNDING_BOUND))
        checks.count(within)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n%d of %d checks passed in %.1f s" % (checks.run - checks.failed, checks.run, time.time() - started))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
