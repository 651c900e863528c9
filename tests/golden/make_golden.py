#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate golden optimizer trajectories for edgeopt's tests.

Rerun (needs torch 1.13, e.g. Debian's python3-torch; CI does not run this):

    /usr/bin/python3 tests/golden/make_golden.py

It deletes tests/golden/cases/*.case and rewrites one file per case below.
Output is deterministic: every case has a fixed seed (crc32 of its name), so a
rerun on the same torch build regenerates identical files.

File format, one directive per line ('#' starts a comment):
    optimizer NAME key=value ...   torch keyword names; omitted keys = torch default
    params v1 v2 ...               initial float32 parameters (one flat tensor)
    lr X                           set param_groups[0]['lr'] for following steps
    grad g1 g2 ...                 one optimizer step with this gradient
    expect p1 p2 ...               parameters after that step, as torch computed them
    state KEY v1 v2 ...            after the last expect: torch's state tensor KEY
                                   (state_dict key, parameter-shaped) after that step
All floats use '%.9g', which round-trips float32 exactly.

torch 1.13 single-tensor (foreach=False) paths are used (Rprop too: its
foreach path does the same operations in the same order), except:
  * NAdam runs with foreach=True: the 1.13 single-tensor NAdam multiplies
    mu_product by mu twice; the foreach path matches torch >= 2.0 and the paper.
  * Lion is not in torch 1.13; it is implemented below with torch float32 ops
    following the lion-pytorch reference.
"""
import os
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")  # pin CPU kernels (FMA use)
import pathlib
import zlib

import torch

OUT = pathlib.Path(__file__).resolve().parent / "cases"


class Lion(torch.optim.Optimizer):
    """lion-pytorch reference update, in torch float32 ops."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                exp_avg = self.state[p].setdefault("exp_avg", torch.zeros_like(p))
                p.mul_(1 - lr * wd)
                update = exp_avg.clone().mul_(beta1).add(p.grad, alpha=1 - beta1).sign_()
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(p.grad, alpha=1 - beta2)


OPTIMIZERS = {
    "sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop, "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
    "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam, "lion": Lion,
    "rprop": torch.optim.Rprop, "asgd": torch.optim.ASGD,
}

T, F = True, False
# (file name, optimizer, hyper-parameters, n params, n steps, {step index: new lr})
CASES = [
    ("sgd_default", "sgd", dict(lr=0.01), 17, 15, {}),
    ("sgd_momentum", "sgd", dict(lr=0.05, momentum=0.9), 23, 20, {8: 0.01, 14: 0.03}),
    ("sgd_momentum_dampening", "sgd", dict(lr=0.02, momentum=0.8, dampening=0.3), 13, 16, {}),
    ("sgd_nesterov", "sgd", dict(lr=0.01, momentum=0.9, nesterov=T, weight_decay=0.01), 29, 18, {}),
    ("sgd_weight_decay", "sgd", dict(lr=0.03, weight_decay=0.1), 19, 12, {}),
    ("sgd_maximize", "sgd", dict(lr=0.01, momentum=0.5, maximize=T), 31, 14, {}),
    ("sgd_long", "sgd", dict(lr=0.01, momentum=0.9, weight_decay=0.001), 37, 100, {50: 0.002}),
    ("adagrad_default", "adagrad", dict(), 21, 15, {}),
    ("adagrad_lr_decay", "adagrad", dict(lr=0.05, lr_decay=0.1), 16, 20, {}),
    ("adagrad_wd_init_eps", "adagrad",
     dict(weight_decay=0.05, initial_accumulator_value=0.5, eps=1e-6), 27, 17, {}),
    ("adagrad_maximize", "adagrad", dict(lr=0.1, lr_decay=0.01, maximize=T), 14, 13, {7: 0.02}),
    ("rmsprop_default", "rmsprop", dict(), 25, 18, {}),
    ("rmsprop_alpha_eps_wd", "rmsprop", dict(alpha=0.9, eps=1e-6, weight_decay=0.02), 18, 15, {}),
    ("rmsprop_momentum", "rmsprop", dict(lr=0.005, momentum=0.9), 33, 22, {10: 0.001}),
    ("rmsprop_centered", "rmsprop", dict(centered=T), 15, 16, {}),
    ("rmsprop_centered_momentum", "rmsprop",
     dict(lr=0.002, momentum=0.5, centered=T, weight_decay=0.01), 22, 19, {}),
    ("rmsprop_maximize", "rmsprop", dict(momentum=0.3, maximize=T), 13, 12, {}),
    ("adadelta_default", "adadelta", dict(), 20, 16, {}),
    ("adadelta_custom", "adadelta", dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01), 26, 21, {}),
    ("adadelta_maximize", "adadelta", dict(lr=2.0, maximize=T), 17, 13, {}),
    ("adam_default", "adam", dict(), 24, 20, {}),
    ("adam_amsgrad", "adam", dict(amsgrad=T), 19, 18, {}),
    ("adam_weight_decay", "adam", dict(lr=0.01, weight_decay=0.1), 28, 15, {}),
    ("adam_maximize", "adam", dict(maximize=T), 14, 14, {}),
    ("adam_betas_eps", "adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), 35, 22, {}),
    ("adam_amsgrad_wd_maximize", "adam",
     dict(lr=0.003, weight_decay=0.05, amsgrad=T, maximize=T), 21, 17, {}),
    ("adam_lr_change", "adam", dict(lr=0.01), 30, 24, {6: 0.001, 15: 0.003}),
    ("adam_long", "adam", dict(lr=0.005, amsgrad=T), 37, 100, {60: 0.001}),
    ("adamw_default", "adamw", dict(), 23, 19, {}),
    ("adamw_weight_decay", "adamw", dict(lr=0.01, weight_decay=0.1), 16, 15, {}),
    ("adamw_no_weight_decay", "adamw", dict(weight_decay=0.0), 13, 12, {}),
    ("adamw_amsgrad", "adamw", dict(lr=0.005, weight_decay=0.05, amsgrad=T), 27, 20, {}),
    ("adamw_maximize", "adamw", dict(betas=(0.85, 0.995), maximize=T), 20, 14, {}),
    ("adamax_default", "adamax", dict(), 22, 17, {}),
    ("adamax_weight_decay", "adamax", dict(weight_decay=0.05), 15, 16, {}),
    ("adamax_maximize_betas", "adamax",
     dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, maximize=T), 32, 19, {}),
    ("nadam_default", "nadam", dict(), 25, 20, {}),
    ("nadam_weight_decay", "nadam", dict(weight_decay=0.05), 18, 15, {}),
    ("nadam_momentum_decay_betas", "nadam",
     dict(lr=0.01, betas=(0.85, 0.99), eps=1e-6, momentum_decay=0.01), 29, 23, {}),
    ("radam_default", "radam", dict(), 24, 25, {}),
    ("radam_weight_decay", "radam", dict(lr=0.01, weight_decay=0.1, eps=1e-6), 19, 22, {}),
    ("radam_beta2_09", "radam", dict(betas=(0.8, 0.9)), 34, 20, {}),
    ("lion_default", "lion", dict(), 21, 16, {}),
    ("lion_betas_wd", "lion", dict(lr=0.001, betas=(0.95, 0.98), weight_decay=0.1), 36, 20, {}),
    ("rprop_default", "rprop", dict(), 23, 20, {}),
    # Step sizes hit both bounds; Rprop reads lr once (its first step_size), so the change is a no-op.
    ("rprop_etas_step_sizes", "rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)), 31, 24, {9: 0.5}),
    ("rprop_maximize", "rprop", dict(lr=0.001, etas=(0.6, 1.1), maximize=T), 18, 16, {}),
    # ASGD: a constant lr (torch forms eta with the previous step's lr; see src/optim/asgd.hpp).
    # The average ax never feeds back into the parameters: its 'state' line is what checks it.
    ("asgd_default", "asgd", dict(), 19, 15, {}),
    ("asgd_averaging", "asgd", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3), 27, 22, {}),
    ("asgd_wd_maximize", "asgd", dict(lr=0.02, lambd=0.1, alpha=1.0, t0=0, weight_decay=0.05, maximize=T),
     16, 18, {}),
    ("asgd_long", "asgd", dict(lr=0.01, lambd=0.001, t0=40), 33, 100, {}),
]


def fmt(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, tuple):
        return ",".join(fmt(v) for v in x)
    assert float("%.9g" % x) == x, x  # hyper-parameters must print exactly
    return "%.9g" % x


def floats(t):
    return " ".join("%.9g" % v for v in t.tolist())


def mixed(gen, n, zero_frac):
    """float32 values of mixed sign, magnitudes ~1e-3..10, some exact zeros."""
    mag = torch.pow(10.0, torch.empty(n).uniform_(-3.0, 1.0, generator=gen))
    x = torch.randn(n, generator=gen) * mag
    x[torch.rand(n, generator=gen) < zero_frac] = 0.0
    return x


def run_case(name, opt_name, kw, n, steps, lr_changes):
    seed = zlib.crc32(name.encode())
    gen = torch.Generator().manual_seed(seed)
    p = torch.nn.Parameter(mixed(gen, n, 0.05))
    extra = {"foreach": opt_name == "nadam"} if opt_name != "lion" else {}
    opt = OPTIMIZERS[opt_name]([p], **kw, **extra)
    lines = [f"# Generated by tests/golden/make_golden.py: torch {torch.__version__} (CPU), "
             f"float32, seed {seed}.",
             "# Do not edit; rerun: /usr/bin/python3 tests/golden/make_golden.py"]
    if opt_name == "nadam":
        lines.append("# NAdam stepped with foreach=True (torch 1.13 single-tensor NAdam "
                     "mu_product bug; foreach path matches torch >= 2.0).")
    if opt_name == "lion":
        lines.append("# Lion: lion-pytorch reference update in torch float32 ops "
                     "(Lion is not in torch 1.13).")
    lines.append(" ".join(["optimizer", opt_name] + [f"{k}={fmt(v)}" for k, v in kw.items()]))
    lines.append("params " + floats(p.detach()))
    for i in range(steps):
        if i in lr_changes:
            opt.param_groups[0]["lr"] = lr_changes[i]
            lines.append(f"lr {fmt(lr_changes[i])}")
        g = mixed(gen, n, 0.1)
        lines.append("grad " + floats(g))
        p.grad = g.clone()  # foreach NAdam modifies grads in place
        opt.step()
        assert torch.isfinite(p).all(), name
        lines.append("expect " + floats(p.detach()))
    for key, value in opt.state[p].items():
        if isinstance(value, torch.Tensor) and value.shape == p.shape:
            lines.append(f"state {key} " + floats(value))
    return "\n".join(lines) + "\n"


def main():
    torch.set_num_threads(1)
    OUT.mkdir(exist_ok=True)
    for stale in OUT.glob("*.case"):
        stale.unlink()
    assert len({c[0] for c in CASES}) == len(CASES)
    for case in CASES:
        (OUT / f"{case[0]}.case").write_text(run_case(*case))
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
