# SPDX-License-Identifier: Apache-2.0
"""torch.optim.Optimizer subclasses whose step() is edgeopt's.

Each param group is one edgeopt optimizer whose arena this object owns,
allocated when the group is added; a step allocates nothing in the library.
Param groups keep torch's keys and values (built by torch's own class, so
its argument checks and defaults apply), and state_dict()/load_state_dict()
speak torch's format, so state moves both ways between these and torch.optim.
"""
import torch

from edgeopt._lib import parse_isa
from edgeopt._native import ALGORITHMS, make_config, options_of, slots_of
from edgeopt._state import (NADAM, group_dict, group_values, native_from_torch, tensor_array, torch_name,
                            torch_states)
from edgeopt.errors import MismatchError, UnsupportedError


class _Group:
    """One param group's edgeopt optimizer, and the options it was last given."""

    def __init__(self, native, values, group):
        self.native = native
        self.values = values
        self.tensors = None
        self.seen = self.snapshot(group)

    @staticmethod
    def snapshot(group):
        # What step() compares to find changed options: cheaper than converting them.
        return [value for key, value in group.items() if key != "params"]


class EdgeoptOptimizer(torch.optim.Optimizer):
    """Base of the drop-in classes; edgeopt_algorithm is set by each subclass.

    Keywords beyond torch's:
      state_dtype  "f32", "bf16", "f16" or "q8" for every state slot, or a dict
                   {torch state key: dtype}, e.g. {"exp_avg": "q8", "exp_avg_sq": "bf16"}
      rounding     "nearest" or "stochastic" (bf16 parameters only)
      seed         the stochastic rounding stream's seed
      isa          force a kernel ("scalar", "avx2", ...); default: the fastest
      form         "torch" (default: torch's bits) or "folded" (Adam, AdamW,
                   NAdam, RAdam: bias corrections folded, one divide per
                   element; not torch-bit-exact, README "Folded form")
    """
    edgeopt_algorithm = None

    def __init__(self, params, *args, state_dtype="f32", rounding="nearest", seed=0, isa=None, form="torch",
                 **kwargs):
        self._state_dtype = state_dtype
        self._form = form
        self._rounding = rounding
        self._seed = seed
        self._isa = parse_isa(isa) if isa is not None else None
        self._groups = []
        super().__init__(params, self._torch_defaults(*args, **kwargs))

    @classmethod
    def _torch_defaults(cls, *args, **kwargs):
        name = torch_name(cls.edgeopt_algorithm)
        probe = [torch.zeros(1, requires_grad=True)]
        if hasattr(torch.optim, name):  # torch's own class checks the arguments and makes the group keys
            defaults = dict(getattr(torch.optim, name)(probe, *args, **kwargs).defaults)
            if cls.edgeopt_algorithm == NADAM:
                defaults["foreach"] = True
            return defaults
        # Lion: no torch class; edgeopt's defaults under torch-style keywords.
        config = make_config(cls.edgeopt_algorithm, {})
        defaults = group_dict({}, config, cls.edgeopt_algorithm)
        keywords = list(defaults)
        if len(args) > len(keywords):
            raise TypeError("%s takes at most %d positional options" % (cls.__name__, len(keywords)))
        for key, value in zip(keywords, args):
            defaults[key] = value
        for key, value in kwargs.items():
            if key not in defaults:
                raise TypeError("%s got an unexpected keyword argument %r" % (cls.__name__, key))
            defaults[key] = value
        make_config(cls.edgeopt_algorithm, group_values(cls.edgeopt_algorithm, defaults))
        return defaults

    def _state_dtypes(self, values):
        if isinstance(self._state_dtype, str):
            return (self._state_dtype,) * 3
        dtypes = ["f32"] * 3
        config = make_config(self.edgeopt_algorithm, values)
        keys = dict((key, k) for k, key in slots_of(config))
        for key, dtype in self._state_dtype.items():
            if key not in keys:
                raise UnsupportedError("state_dtype names %r, not a state of these options (%s)"
                                       % (key, ", ".join(keys) or "none"))
            dtypes[keys[key]] = dtype
        return tuple(dtypes)

    def _make_group(self, group, states, where):
        params = group["params"]
        for i, param in enumerate(params):
            tensor_array([param], where="%s, parameter %d" % (where, i))
        values = group_values(self.edgeopt_algorithm, group, where)
        native = native_from_torch(self.edgeopt_algorithm, values, params, states, where, self._state_dtypes(values),
                                   self._rounding, self._seed, self._isa, self._form)
        return _Group(native, values, group)

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        where = "param group %d" % (len(self.param_groups) - 1)
        try:
            self._groups.append(self._make_group(group, [{} for _ in group["params"]], where))
        except Exception:
            self.param_groups.pop()
            raise

    def step(self, closure=None):  # no torch arithmetic here: no grad mode to set
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for index, (group, state) in enumerate(zip(self.param_groups, self._groups)):
            self._step_group(group, state, "param group %d" % index)
        return loss

    def _step_group(self, group, state, where):
        params = group["params"]
        grads = [p.grad for p in params]
        if all(g is None for g in grads):
            return  # torch skips parameters without a gradient; here, all of them
        if any(g is None for g in grads):
            missing = [i for i, g in enumerate(grads) if g is None]
            raise UnsupportedError("%s: parameters %s have no gradient; edgeopt steps a group as a whole (put "
                                   "them in a group of their own)" % (where, missing))
        if len(params) != len(state.native.lengths):
            raise MismatchError("%s has %d parameters, its optimizer state %d"
                                % (where, len(params), len(state.native.lengths)))
        seen = state.snapshot(group)
        if seen != state.seen:  # a scheduler changed lr, or the user an option
            values = group_values(self.edgeopt_algorithm, group, where)
            if values != state.values:
                state.native.set_config(make_config(self.edgeopt_algorithm, values, self._state_dtypes(values),
                                                    self._rounding, self._seed, self._form))
                state.values = values
            state.seen = seen
        grads = [g if g.is_contiguous() else g.contiguous() for g in grads]
        for i, (param, grad) in enumerate(zip(params, grads)):
            if grad.is_sparse:
                raise UnsupportedError("%s, parameter %d: sparse gradients are not supported" % (where, i))
            if grad.dtype != param.dtype or grad.shape != param.shape:
                raise MismatchError("%s, parameter %d: gradient %s %s for a parameter %s %s" % (
                    where, i, grad.dtype, tuple(grad.shape), param.dtype, tuple(param.shape)))
        if state.tensors is None or len(state.tensors) != len(params):
            state.tensors = tensor_array(params, grads, where + ", parameter")
        else:  # the same array each step: only the pointers may have moved
            for entry, param, grad in zip(state.tensors, params, grads):
                if param.numel():
                    entry.param, entry.grad = param.data_ptr(), grad.data_ptr()
        state.native.step(state.tensors)

    # ---- torch's state_dict format ----

    def state_dict(self):
        packed, state, first = [], {}, 0
        for group, own in zip(self.param_groups, self._groups):
            params = group["params"]
            entry = {key: value for key, value in group.items() if key != "params"}
            entry["params"] = list(range(first, first + len(params)))
            packed.append(entry)
            for i, param_state in enumerate(torch_states(own.native, self.edgeopt_algorithm, params)):
                if param_state:
                    state[first + i] = param_state
            first += len(params)
        return {"state": state, "param_groups": packed}

    def load_state_dict(self, state_dict):
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise MismatchError("state_dict has %d param groups, this optimizer %d"
                                % (len(saved_groups), len(self.param_groups)))
        groups, owns = [], []
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            where = "param group %d" % index
            if len(saved["params"]) != len(group["params"]):
                raise MismatchError("%s: state_dict has %d parameters, this optimizer %d"
                                    % (where, len(saved["params"]), len(group["params"])))
            merged = dict(saved)
            merged["params"] = group["params"]
            states = [state_dict["state"].get(i, {}) for i in saved["params"]]
            owns.append(self._make_group(merged, states, where))
            groups.append(merged)
        self.param_groups, self._groups = groups, owns  # nothing changes until every group is made

    def adopt(self, natives):
        """Takes edgeopt optimizers as they are (checkpoint images with this
        object's dtypes: no float32 round trip) and their options into the groups."""
        for group, own, native in zip(self.param_groups, self._groups, natives):
            group.update(group_dict(group, native.config, self.edgeopt_algorithm))
            own.native, own.values = native, group_values(self.edgeopt_algorithm, group)
            own.seen, own.tensors = own.snapshot(group), None


def _drop_in(torch_class_name):
    algorithm = ALGORITHMS[torch_class_name]
    doc = ("torch.optim.%s's update, defaults and state_dict, stepped by edgeopt's kernels. Options: %s; "
           "see EdgeoptOptimizer for state_dtype, rounding, seed and isa."
           % (torch_class_name, ", ".join(sorted({o.torch_keyword for o in options_of(algorithm)}))))
    return type(torch_class_name, (EdgeoptOptimizer,), {"edgeopt_algorithm": algorithm, "__doc__": doc,
                                                        "__module__": "edgeopt.torch"})


DROP_INS = {name: _drop_in(name) for name in ALGORITHMS}
