# SPDX-License-Identifier: Apache-2.0
"""Converts a torch.save'd {"model": state_dict, "optimizer": state_dict}
file to an edgeopt checkpoint file, and back.

  python3 -m edgeopt.convert to-image run.pt run.ckpt --optimizer adam
  python3 -m edgeopt.convert to-torch run.ckpt back.pt --like run.pt

torch's optimizer state_dict does not name its class, hence --optimizer
(edgeopt's or torch's name, any case).  The optimizer's parameters are the
model entries in order, skipping BatchNorm's running statistics, unless
--param-keys lists them.  to-torch takes the model and groups of --like and
replaces the parameters and the optimizer state with the image's.
"""
import argparse
import os
import sys
import tempfile

import torch

import edgeopt.torch as et
from edgeopt._native import ALGORITHMS, NAMES
from edgeopt.errors import EdgeoptError, MismatchError, UnsupportedError

_BUFFER_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")


def torch_class_of(name):
    for torch_name, algorithm in ALGORITHMS.items():
        if name.lower() in (torch_name.lower(), NAMES[algorithm]):
            return getattr(et, torch_name) if not hasattr(torch.optim, torch_name) else getattr(torch.optim, torch_name)
    raise UnsupportedError("unknown optimizer %r (one of %s)" % (name, ", ".join(NAMES.values())))


def _parameter_keys(model, param_keys, count):
    keys = param_keys or [k for k, v in model.items()
                          if torch.is_floating_point(v) and not k.endswith(_BUFFER_SUFFIXES)]
    missing = [k for k in keys if k not in model]
    if missing:
        raise MismatchError("--param-keys names entries the model lacks: %s" % ", ".join(missing))
    if len(keys) != count:
        raise MismatchError("the model has %d parameter entries, the optimizer %d parameters: list them with "
                            "--param-keys" % (len(keys), count))
    return keys


def optimizer_from(checkpoint, optimizer_name, param_keys):
    """A live torch optimizer (and its parameters by model key) holding a
    torch.save'd checkpoint's parameters and optimizer state."""
    for key in ("model", "optimizer"):
        if key not in checkpoint:
            raise MismatchError("the torch file has no %r entry (it needs 'model' and 'optimizer')" % key)
    saved = checkpoint["optimizer"]
    count = sum(len(group["params"]) for group in saved["param_groups"])
    keys = _parameter_keys(checkpoint["model"], param_keys, count)
    params = {k: checkpoint["model"][k].detach().clone().float().requires_grad_(True) for k in keys}
    ordered = [params[k] for k in keys]
    groups, first = [], 0
    for group in saved["param_groups"]:
        options = {k: v for k, v in group.items() if k != "params"}
        groups.append(dict(options, params=ordered[first:first + len(group["params"])]))
        first += len(group["params"])
    optimizer = torch_class_of(optimizer_name)(groups)
    optimizer.load_state_dict(saved)
    return optimizer, params


def _save_torch(data, path):
    handle, temporary = tempfile.mkstemp(prefix=".edgeopt-", dir=os.path.dirname(os.path.abspath(path)))
    os.close(handle)
    try:
        with open(temporary, "wb") as out:
            torch.save(data, out)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def to_image(source, target, optimizer_name, param_keys=None):
    optimizer, _ = optimizer_from(torch.load(source), optimizer_name, param_keys)
    et.save(optimizer, target, params=True)


def to_torch(source, target, like, optimizer_name, param_keys=None):
    template = torch.load(like)
    optimizer, params = optimizer_from(template, optimizer_name, param_keys)
    et.load(source, optimizer, params=True)
    model = dict(template["model"])
    for key, value in params.items():
        model[key] = value.detach().to(template["model"][key].dtype)
    _save_torch(dict(template, model=model, optimizer=optimizer.state_dict()), target)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m edgeopt.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("direction", choices=("to-image", "to-torch"))
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--optimizer", required=True, help="adam, AdamW, sgd, ... (the torch optimizer's class)")
    parser.add_argument("--like", help="to-torch: the torch file whose model and groups to fill")
    parser.add_argument("--param-keys", help="comma-separated model keys of the optimizer's parameters, in order")
    args = parser.parse_args(argv)
    keys = args.param_keys.split(",") if args.param_keys else None
    try:
        if args.direction == "to-image":
            to_image(args.source, args.target, args.optimizer, keys)
        else:
            if not args.like:
                parser.error("to-torch needs --like FILE (the torch file the image came from)")
            to_torch(args.source, args.target, args.like, args.optimizer, keys)
    except (EdgeoptError, OSError) as error:
        print("edgeopt.convert: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
