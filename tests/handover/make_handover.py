# SPDX-License-Identifier: Apache-2.0
"""Golden data for the handover tests: torch.optim trains, edgeopt continues.

For each case below, torch 1.13 takes K steps on two float32 tensors with
seeded random gradients (p.grad set directly, no autograd); edgeopt.torch
saves the optimizer and parameters as an A/B flash region (what
edgeopt_checkpoint_load reads); torch then takes M more steps.  Per case, in
tests/handover/data:
  <case>.region    the region file, one committed image (step K, parameters)
  <case>.grads     the M steps' gradients: raw little-endian float32,
                   step-major, tensors in order
  <case>.expected  torch's parameters after K + M steps, raw float32
continue.c restores the region on the target and must reproduce .expected
bit for bit.  The same cases, with the same options, are in continue.c's
case table (a device knows its configuration; the image must agree).

Run from the repository root with Debian's Python (torch 1.13):
  cmake -S . -B build/shared -DBUILD_SHARED_LIBS=ON -DEDGEOPT_BUILD_TESTS=OFF \
        -DEDGEOPT_BUILD_TOOLS=OFF && cmake --build build/shared -j2
  PYTHONPATH=python /usr/bin/python3 tests/handover/make_handover.py [--check]
--check writes into a temporary directory instead and fails unless every
file is byte for byte the committed one (the data is this script's output).
"""
import filecmp
import os
import sys
import tempfile

import torch

import edgeopt.torch as et

K, M = 5, 7
SHAPES = [(37,), (5, 3)]
HERE = os.path.dirname(os.path.abspath(__file__))

# name: (torch.optim class, keyword arguments).  Non-default options, so the
# image must carry them; continue.c's case table repeats them.
CASES = {
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01,
                                            amsgrad=True, maximize=True)),
    "adamw": (torch.optim.AdamW, dict(lr=0.02, betas=(0.9, 0.995), weight_decay=0.05)),
    # torch 1.13's single-tensor NAdam differs from its foreach form; edgeopt follows the foreach form.
    "nadam": (torch.optim.NAdam, dict(lr=0.01, weight_decay=0.01, momentum_decay=0.006, foreach=True)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.001, nesterov=True)),
    "rmsprop_centered": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.95, eps=1e-7, weight_decay=0.002,
                                                   momentum=0.5, centered=True)),
    "adagrad": (torch.optim.Adagrad, dict(lr=0.05, lr_decay=0.01, weight_decay=0.003,
                                          initial_accumulator_value=0.1)),
    "adadelta": (torch.optim.Adadelta, dict(lr=0.5, rho=0.85, eps=1e-5, weight_decay=0.01)),
    "adamax": (torch.optim.Adamax, dict(lr=0.02, betas=(0.85, 0.98), weight_decay=0.01)),
    # beta2 = 0.999: the rectification term rho_t passes 5 at step 6, so the
    # first steps are torch's and the rectified ones are edgeopt's.
    "radam": (torch.optim.RAdam, dict(lr=0.01, weight_decay=0.01)),
}


def region_bytes(optimizer):
    """EDGEOPT_CHECKPOINT_REGION_BYTES(image): two 32-byte-aligned slots with commit records."""
    image = len(et.images(optimizer, params=True)[0])
    return 2 * ((image + 31) // 32 * 32 + 32)


def raw(tensors):
    return b"".join(t.detach().contiguous().numpy().astype("<f4").tobytes() for t in tensors)


def make(directory, name, cls, options, seed):
    generator = torch.Generator().manual_seed(seed)
    params = [torch.randn(shape, generator=generator).requires_grad_() for shape in SHAPES]
    optimizer = cls(params, **options)

    def step_with_random_gradients():
        grads = [torch.randn(shape, generator=generator) for shape in SHAPES]
        for param, grad in zip(params, grads):
            param.grad = grad.clone()
        optimizer.step()
        return grads

    for _ in range(K):
        step_with_random_gradients()
    base = os.path.join(directory, name)
    et.save(optimizer, base + ".region", params=True, region_bytes=region_bytes(optimizer))
    grads = [step_with_random_gradients() for _ in range(M)]
    with open(base + ".grads", "wb") as out:
        out.write(b"".join(raw(step) for step in grads))
    with open(base + ".expected", "wb") as out:
        out.write(raw(params))
    return [base + suffix for suffix in (".region", ".grads", ".expected")]


def generate(directory):
    paths = []
    for seed, (name, (cls, options)) in enumerate(sorted(CASES.items()), start=1):
        paths += make(directory, name, cls, options, seed)
    return paths


def main():
    if not torch.__version__.startswith("1.13"):
        sys.exit("make_handover.py: the golden data is torch 1.13's; this is torch %s" % torch.__version__)
    committed = os.path.join(HERE, "data")
    if sys.argv[1:] == ["--check"]:
        with tempfile.TemporaryDirectory() as scratch:
            names = [os.path.basename(path) for path in generate(scratch)]
            _, differ, missing = filecmp.cmpfiles(scratch, committed, names, shallow=False)
            extra = sorted(set(os.listdir(committed)) - set(names))
        for kind, files in (("differs", differ), ("missing", missing), ("not generated", extra)):
            for name in files:
                print("data/%s: %s" % (name, kind))
        if differ or missing or extra:
            sys.exit(1)
        print("data/: all %d files are this script's output" % len(names))
        return
    if sys.argv[1:]:
        sys.exit("usage: make_handover.py [--check]")
    os.makedirs(committed, exist_ok=True)
    total = 0
    for path in generate(committed):
        total += os.path.getsize(path)
        print("%6d %s" % (os.path.getsize(path), os.path.relpath(path, HERE)))
    print("%6d bytes in all" % total)


if __name__ == "__main__":
    main()
