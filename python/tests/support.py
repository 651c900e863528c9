# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the bridge tests: the option matrix, seeded gradients,
and exact (bitwise) comparisons of parameters and state."""
import torch

import edgeopt.torch as et

# torch.optim keyword sets per optimizer: each state layout and every option at least once.
MATRIX = {
    "SGD": [dict(lr=0.05), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
            dict(lr=0.05, momentum=0.9, dampening=0.1, maximize=True)],
    "Adagrad": [dict(), dict(lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)],
    "RMSprop": [dict(), dict(centered=True), dict(momentum=0.9),
                dict(centered=True, momentum=0.5, alpha=0.9, eps=1e-6, weight_decay=0.1, maximize=True)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.5, eps=1e-5, weight_decay=0.1, maximize=True)],
    "Adam": [dict(), dict(amsgrad=True), dict(weight_decay=0.1, maximize=True),
             dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, amsgrad=True)],
    "AdamW": [dict(), dict(amsgrad=True, weight_decay=0.5), dict(maximize=True, betas=(0.5, 0.6))],
    "Adamax": [dict(), dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, maximize=True)],
    # torch 1.13's single-tensor NAdam multiplies mu twice (fixed in 2.0); edgeopt is its foreach form.
    "NAdam": [dict(foreach=True), dict(foreach=True, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)],
    "RAdam": [dict(), dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)],
    "Rprop": [dict(), dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)],
    "ASGD": [dict(), dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1, maximize=True)],
}
SHAPES = [(37,), (5, 3), (130,)]


def cases():
    for name, options in MATRIX.items():
        for index, kwargs in enumerate(options):
            yield "%s-%d" % (name, index), name, kwargs


def make_params(seed=0, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=generator).to(dtype).requires_grad_(True) for shape in SHAPES]


def gradients(steps, seed=1, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    return [[torch.randn(shape, generator=generator).to(dtype) for shape in SHAPES] for _ in range(steps)]


def run(optimizer, params, grads):
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = grad.clone()
        optimizer.step()


def torch_class(name):
    return getattr(torch.optim, name)


def drop_in(name):
    return getattr(et, name)


def bits(tensor):
    tensor = tensor.detach()
    if tensor.dtype == torch.float32:
        return tensor.contiguous().view(torch.int32)
    if tensor.dtype in (torch.bfloat16, torch.float16):
        return tensor.contiguous().view(torch.int16)
    return tensor


def same_bits(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        a, b = a.detach(), b.detach()
        if a.dtype != b.dtype:
            a, b = a.float(), b.float()
        return a.shape == b.shape and torch.equal(bits(a), bits(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_bits(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))
    return a == b


def snapshot(optimizer, params):
    """Everything a failed call must leave as it was."""
    state = optimizer.state_dict()
    return ([p.detach().clone() for p in params],
            {k: {n: v.clone() if isinstance(v, torch.Tensor) else v for n, v in s.items()}
             for k, s in state["state"].items()},
            [dict(g) for g in state["param_groups"]])
