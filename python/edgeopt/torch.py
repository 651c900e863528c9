# SPDX-License-Identifier: Apache-2.0
"""The PyTorch bridge: optimizer state between torch.optim and edgeopt,
bit for bit, and drop-in torch.optim optimizers backed by edgeopt.

  save(optimizer, path, params=True)   torch.optim (or drop-in) -> checkpoint file
  load(path, optimizer)                checkpoint file (written on any target) -> optimizer
  SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Lion, Rprop, ASGD: drop-ins
  (one per algorithm of the library: the list comes from its introspection)

A checkpoint file is one image of include/edgeopt/checkpoint.h per param
group, back to back (one group: exactly what edgeopt_checkpoint_read takes),
or, with region_bytes, an A/B region holding one committed image: what
edgeopt_checkpoint_load reads from flash.  Images hold float32 parameters.
"""
import os
import tempfile

import torch

from edgeopt._dropin import DROP_INS, EdgeoptOptimizer
from edgeopt._lib import FORMS, ROUNDINGS
from edgeopt._native import NAMES, Native, describe_image, newest_in_region, split_images
from edgeopt._state import (algorithm_of, float32_params, group_dict, group_values, native_from_torch,
                            torch_states)
from edgeopt.errors import CheckpointError, MismatchError, UnsupportedError

globals().update(DROP_INS)
__all__ = ["save", "load", "EdgeoptOptimizer"] + sorted(DROP_INS)


def _natives_of(optimizer):
    if isinstance(optimizer, EdgeoptOptimizer):
        return [own.native for own in optimizer._groups]
    algorithm = algorithm_of(optimizer)
    natives = []
    for index, group in enumerate(optimizer.param_groups):
        where = "param group %d" % index
        params = group["params"]
        states = [optimizer.state.get(p, {}) for p in params]
        natives.append(native_from_torch(algorithm, group_values(algorithm, group, where), params, states, where))
    return natives


def _write_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".edgeopt-", dir=directory)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a file from open() would follow the umask
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def images(optimizer, params=True):
    """The checkpoint images of an optimizer's param groups (bytes each)."""
    natives = _natives_of(optimizer)
    return [native.write_image(float32_params(group["params"], "param group %d" % i) if params else None)
            for i, (native, group) in enumerate(zip(natives, optimizer.param_groups))]


def save(optimizer, path, params=True, region_bytes=None):
    """Writes the optimizer's state (and float32 parameters, if params) as a
    checkpoint file; through a temporary file and a rename, so `path` is
    either the old file or the whole new one."""
    natives = _natives_of(optimizer)
    if region_bytes is not None:
        if len(natives) != 1:
            raise UnsupportedError("a region holds one image: this optimizer has %d param groups" % len(natives))
        group = optimizer.param_groups[0]
        data = natives[0].write_region(region_bytes, float32_params(group["params"], "param group 0")
                                       if params else None)
    else:
        data = b"".join(images(optimizer, params))
    _write_atomically(path, data)


def read_images(data):
    """A file's images: back-to-back images, or an A/B region's newest."""
    try:
        return split_images(data)
    except CheckpointError:
        newest = newest_in_region(data)
        if newest is None:
            raise
        return [newest]


def load(path_or_bytes, optimizer, params=None):
    """Restores a checkpoint into an optimizer of the same algorithm and
    parameter shapes: state, step count, NAdam's mu product, every option (so
    a scheduler's current lr too) and, if params (default: when the image
    has them), the parameters.  Any error leaves optimizer and parameters as
    they were."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        data = path_or_bytes
    else:
        with open(path_or_bytes, "rb") as source:
            data = source.read()
    found = read_images(bytes(data))
    algorithm = algorithm_of(optimizer)
    groups = optimizer.param_groups
    if len(found) != len(groups):
        raise MismatchError("the file holds %d images (param groups), the optimizer has %d groups"
                            % (len(found), len(groups)))
    natives, restored = [], []
    for index, (image, group) in enumerate(zip(found, groups)):
        where = "param group %d" % index
        head = describe_image(image)
        if head.info.algorithm != algorithm:
            raise MismatchError("%s: the image is %s, the optimizer %s"
                                % (where, NAMES[head.info.algorithm], NAMES[algorithm]))
        plist = group["params"]
        if head.lengths != [p.numel() for p in plist]:
            raise MismatchError("%s: the image's tensors have %s elements, the parameters %s"
                                % (where, head.lengths, [p.numel() for p in plist]))
        want_params = head.info.has_params if params is None else params
        if want_params and not head.info.has_params:
            raise MismatchError("%s: the image holds no parameters (load with params=False)" % where)
        isa = None
        if isinstance(optimizer, EdgeoptOptimizer):  # rounding, seed, form and kernel are the object's, not state
            head.config.param_rounding = ROUNDINGS.index(optimizer._rounding)
            head.config.seed = optimizer._seed
            head.config.form = FORMS.index(optimizer._form)
            isa = optimizer._isa
        native = Native(head.config, head.lengths, isa)
        targets = [torch.empty(p.shape, dtype=torch.float32) for p in plist] if want_params else None
        native.read_image(image, float32_params(targets, where) if targets is not None else None)
        natives.append(native)
        restored.append(targets)
    _apply(optimizer, algorithm, natives)
    with torch.no_grad():
        for group, targets in zip(groups, restored):
            for param, value in zip(group["params"], targets or []):
                param.copy_(value)



def _apply(optimizer, algorithm, natives):
    if isinstance(optimizer, EdgeoptOptimizer) and all(
            [native.config.state_dtype[k] for k in range(3)] == [own.native.config.state_dtype[k] for k in range(3)]
            for native, own in zip(natives, optimizer._groups)):
        optimizer.adopt(natives)
        return
    state, packed, first = {}, [], 0
    for group, native in zip(optimizer.param_groups, natives):
        params = group["params"]
        entry = group_dict(group, native.config, algorithm)
        entry["params"] = list(range(first, first + len(params)))
        packed.append(entry)
        for i, param_state in enumerate(torch_states(native, algorithm, params)):
            if param_state:
                state[first + i] = param_state
        first += len(params)
    optimizer.load_state_dict({"state": state, "param_groups": packed})


def isa_available(name):
    """Whether the kernel `name` ("avx2", ...) is compiled in and runs here."""
    from edgeopt._lib import lib, parse_isa
    return bool(lib.edgeopt_isa_available(parse_isa(name)))
