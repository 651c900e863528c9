# SPDX-License-Identifier: Apache-2.0
"""torch.optim's state and param groups <-> edgeopt optimizers.

torch keeps a step count per parameter; edgeopt keeps one per parameter
group (its optimizer object).  So every parameter of a group must be at the
same step, which is what torch.optim gives whenever each step() sees a
gradient for each parameter of the group (the usual case).
"""
import warnings

import torch

from edgeopt._lib import Tensor
from edgeopt._native import ALGORITHMS, Native, make_config, options_of, slots_of
from edgeopt.errors import ForeachWarning, MismatchError, UnsupportedError

SGD, ADAGRAD, RMSPROP, ADADELTA = (ALGORITHMS[n] for n in ("SGD", "Adagrad", "RMSprop", "Adadelta"))
NADAM = ALGORITHMS["NAdam"]
# torch 1.13 keeps these algorithms' step as a Python int (the others: a float32 tensor).
INT_STEPS = {ALGORITHMS[n] for n in ("RMSprop", "Adadelta", "Rprop") if n in ALGORITHMS}
TENSOR_DTYPES = {torch.float32: 0, torch.bfloat16: 1, torch.float16: 2}  # edgeopt_dtype
# torch.optim flags whose behaviour edgeopt does not have.
_UNSUPPORTED_FLAGS = ("capturable", "differentiable", "fused")


def algorithm_of(optimizer):
    """The edgeopt_algorithm of a torch.optim optimizer (or edgeopt's drop-in)."""
    own = getattr(optimizer, "edgeopt_algorithm", None)
    if own is not None:
        return own
    for cls in type(optimizer).__mro__:
        if cls.__module__.startswith("torch.optim") and cls.__name__ in ALGORITHMS:
            return ALGORITHMS[cls.__name__]
    raise UnsupportedError("%s is not an optimizer edgeopt has (it has %s)"
                           % (type(optimizer).__name__, ", ".join(sorted(ALGORITHMS))))


def group_values(algorithm, group, where="param group"):
    """The edgeopt option values of a torch param group dict."""
    for flag in _UNSUPPORTED_FLAGS:
        if group.get(flag):
            raise UnsupportedError("%s: %s=True is not supported by edgeopt" % (where, flag))
    if algorithm == NADAM and not group.get("foreach", True):
        warnings.warn("%s: NAdam with foreach=%r; edgeopt continues in the foreach form" % (where, group["foreach"]),
                      ForeachWarning, stacklevel=3)
    values = {}
    for option in options_of(algorithm):
        if option.torch_keyword not in group:
            raise MismatchError("%s has no %r: not a torch.optim.%s group" % (where, option.torch_keyword,
                                                                             torch_name(algorithm)))
        value = group[option.torch_keyword]
        if option.torch_index >= 0:
            value = value[option.torch_index]
        values[option.name] = value.item() if isinstance(value, torch.Tensor) else value
    return values


def torch_name(algorithm):
    return next(name for name, value in ALGORITHMS.items() if value == algorithm)


def group_dict(template, config, algorithm):
    """A torch param group dict (without 'params') holding config's options:
    torch's keys from `template`, values from edgeopt."""
    group = {key: value for key, value in template.items() if key != "params"}
    tuples = {}  # torch keyword ("betas", "etas", ...) -> {index: value}
    for option in options_of(algorithm):
        value = option.get(config)
        if option.torch_index >= 0:
            tuples.setdefault(option.torch_keyword, {})[option.torch_index] = value
        else:
            group[option.torch_keyword] = value
    for keyword, elements in tuples.items():
        group[keyword] = tuple(elements[i] for i in range(len(elements)))
    if algorithm == NADAM:
        group["foreach"] = True  # torch 1.13's single-tensor NAdam differs; its foreach form is edgeopt's
    return group


def tensor_dtype(tensor, what):
    if tensor.layout != torch.strided or tensor.is_sparse:
        raise UnsupportedError("%s: sparse tensors are not supported" % what)
    if tensor.device.type != "cpu":
        raise UnsupportedError("%s: edgeopt steps CPU tensors (this one is on %s)" % (what, tensor.device))
    if tensor.dtype not in TENSOR_DTYPES:
        raise UnsupportedError("%s: dtype %s (edgeopt has float32, bfloat16, float16)" % (what, tensor.dtype))
    return TENSOR_DTYPES[tensor.dtype]


def _step_of(algorithm, state, where):
    if algorithm == SGD:
        return 1 if isinstance(state.get("momentum_buffer"), torch.Tensor) else 0
    if "step" not in state:
        raise MismatchError("%s: state without 'step'" % where)
    step = state["step"]
    step = float(step.item() if isinstance(step, torch.Tensor) else step)
    if step < 0 or step != int(step):
        raise MismatchError("%s: step %r is not a step count" % (where, step))
    return int(step)


def progress_of(algorithm, params, states, where):
    """The (step, NAdam mu product) shared by every parameter of a group."""
    seen = {}
    for i, state in enumerate(states):
        step = _step_of(algorithm, state, "%s, parameter %d" % (where, i)) if state else 0
        mu = 1.0
        if algorithm == NADAM and state:
            mu = state.get("mu_product", 1.0)
            mu = float(mu.item() if isinstance(mu, torch.Tensor) else mu)
        seen.setdefault((step, mu), []).append(i)
    if len(seen) > 1:
        detail = "; ".join("parameters %s at step %d" % (ids, step) for (step, _), ids in seen.items())
        raise MismatchError("%s: its parameters are at different steps (%s), but edgeopt keeps one step count "
                            "per group" % (where, detail))
    return next(iter(seen)) if seen else (0, 1.0)


def native_from_torch(algorithm, values, params, states, where, state_dtypes=("f32",) * 3, rounding="nearest",
                      seed=0, isa=None, form="torch"):
    """A new edgeopt optimizer holding a torch group's options and state."""
    config = make_config(algorithm, values, state_dtypes, rounding, seed, form)
    native = Native(config, [p.numel() for p in params], isa)
    slots = slots_of(config)
    slot_keys = {key for _, key in slots}
    scalar_keys = set(native.scalars)  # names only: the values depend on the step count, set below
    for i, (param, state) in enumerate(zip(params, states)):
        for key, value in state.items():
            if isinstance(value, torch.Tensor) and key not in slot_keys | scalar_keys | {"step", "mu_product"}:
                raise MismatchError("%s, parameter %d: state %r, which these options do not use" % (where, i, key))
        if not state:
            continue
        for k, key in slots:
            value = state.get(key)
            if not isinstance(value, torch.Tensor) or value.shape != param.shape:
                got = "missing" if value is None else "shape %s" % (tuple(value.shape),) if isinstance(
                    value, torch.Tensor) else type(value).__name__
                raise MismatchError("%s, parameter %d: state %r is %s, parameter shape %s"
                                    % (where, i, key, got, tuple(param.shape)))
            if value.numel():
                source = value.detach().to(device="cpu", dtype=torch.float32).contiguous()
                native.write_slot(i, k, source.data_ptr())
    step, mu = progress_of(algorithm, params, states, where)
    native.set_step_count(step, mu)
    _check_scalars(native, states, where)
    return native


def _check_scalars(native, states, where):
    """The library derives scalars such as ASGD's eta and mu from the step
    count and the options; a state whose values differ (an lr changed since
    the last step) would not continue bit for bit, so it is refused."""
    ours = native.scalars
    for i, state in enumerate(states):
        for key, value in ours.items():
            if key not in state:
                if state:
                    raise MismatchError("%s, parameter %d: state without %r" % (where, i, key))
                continue
            theirs = state[key]
            theirs = float(theirs.item() if isinstance(theirs, torch.Tensor) else theirs)
            if torch.tensor(theirs, dtype=torch.float32).item() != torch.tensor(value, dtype=torch.float32).item():
                raise MismatchError("%s, parameter %d: state %r is %r where these options and step count give %r "
                                    "(edgeopt derives it from them; was lr changed after the last step?)"
                                    % (where, i, key, theirs, value))


def _step_value(algorithm, step):
    # As torch 1.13 keeps it: a Python int for RMSprop, Adadelta and Rprop, else a float32 scalar tensor.
    return step if algorithm in INT_STEPS else torch.tensor(float(step))


def torch_states(native, algorithm, params):
    """torch's per-parameter state dicts for what `native` holds (float32 tensors)."""
    step = native.step_count
    if step == 0 and algorithm != ADAGRAD:  # torch makes state lazily; Adagrad's at construction
        return [{} for _ in params]
    config = native.config
    states = []
    for i, param in enumerate(params):
        state = {} if algorithm == SGD else {"step": _step_value(algorithm, step)}
        if algorithm == NADAM:
            state["mu_product"] = torch.tensor(native.mu_product, dtype=torch.float32)
        for key, value in native.scalars.items():
            state[key] = torch.tensor(value, dtype=torch.float32)
        for k, key in slots_of(config):
            value = torch.empty(param.shape, dtype=torch.float32)
            if value.numel():
                native.read_slot(i, k, value.data_ptr())
            state[key] = value
        if algorithm == SGD and not state:
            state["momentum_buffer"] = None  # torch's entry for momentum=0
        states.append(state)
    return states


def tensor_array(params, grads=None, where="parameter"):
    """An edgeopt_tensor array over torch tensors (pointers only: no copy)."""
    array = (Tensor * len(params))()
    for i, param in enumerate(params):
        dtype = tensor_dtype(param, "%s %d" % (where, i))
        if not param.is_contiguous():
            raise UnsupportedError("%s %d is not contiguous" % (where, i))
        array[i].param = param.data_ptr() if param.numel() else None
        array[i].length = param.numel()
        array[i].param_dtype = array[i].grad_dtype = dtype
        if grads is not None:
            array[i].grad = grads[i].data_ptr() if param.numel() else None
    return array


def float32_params(params, what):
    for i, param in enumerate(params):
        if param.dtype != torch.float32:
            raise UnsupportedError("%s: parameter %d is %s; checkpoint images hold float32 parameters "
                                   "(save with params=False)" % (what, i, param.dtype))
    return tensor_array([p.detach() for p in params])

