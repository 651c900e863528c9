# SPDX-License-Identifier: Apache-2.0
"""The C API of libedgeopt through ctypes: one declaration per function,
statuses turned into exceptions.  Nothing here does arithmetic on parameters
or state: every bit of an update comes from the library.

The shared library is looked up in this order: $EDGEOPT_LIBRARY, a
libedgeopt.so next to this file, build/shared/ of the source tree this
package sits in (cmake -S . -B build/shared -DBUILD_SHARED_LIBS=ON), then the
system's library path (an installed libedgeopt-dev).
"""
import ctypes
import ctypes.util
import os
import pathlib

from edgeopt.errors import EdgeoptError, error_for_status

# edgeopt_status, in the order of include/edgeopt/edgeopt.h (a test compares).
STATUS_NAMES = (
    "OK", "ERR_NULL_POINTER", "ERR_UNKNOWN_ALGORITHM", "ERR_LR_REQUIRED", "ERR_INVALID_LR",
    "ERR_INVALID_MOMENTUM", "ERR_INVALID_DAMPENING", "ERR_NESTEROV_REQUIRES_MOMENTUM",
    "ERR_INVALID_WEIGHT_DECAY", "ERR_INVALID_LR_DECAY", "ERR_INVALID_INITIAL_ACCUMULATOR", "ERR_INVALID_EPS",
    "ERR_INVALID_ALPHA", "ERR_INVALID_RHO", "ERR_INVALID_BETA1", "ERR_INVALID_BETA2",
    "ERR_INVALID_MOMENTUM_DECAY", "ERR_NO_TENSORS", "ERR_ARENA_TOO_SMALL", "ERR_TENSOR_COUNT_MISMATCH",
    "ERR_LENGTH_MISMATCH", "ERR_OVERLAP", "ERR_NOT_INITIALIZED", "ERR_LAYOUT_CHANGE", "ERR_UNKNOWN_ISA",
    "ERR_ISA_UNAVAILABLE", "ERR_NONFINITE_GRADIENT", "ERR_INVALID_SCHEDULE", "ERR_INVALID_CLIP",
    "ERR_BUFFER_TOO_SMALL", "ERR_CHECKPOINT_EMPTY", "ERR_CHECKPOINT_CORRUPT", "ERR_CHECKPOINT_TRUNCATED",
    "ERR_CHECKPOINT_VERSION", "ERR_CHECKPOINT_MISMATCH", "ERR_INVALID_DTYPE", "ERR_INVALID_ROUNDING",
    "ERR_DTYPE_UNSUPPORTED", "ERR_NO_SUCH_STATE", "ERR_INVALID_STEP", "ERR_RANGE_OUTSIDE",
    "ERR_RANGE_SPLITS_BLOCK", "ERR_STEP_NOT_BEGUN", "ERR_PLAN_FOREIGN", "ERR_PLAN_STALE", "ERR_CHANGED_MID_STEP",
    "ERR_INVALID_TASKS", "ERR_CHUNK_TOO_SMALL", "ERR_INVALID_ETAS", "ERR_INVALID_STEP_SIZES", "ERR_INVALID_LAMBD",
    "ERR_INVALID_T0", "ERR_INVALID_FORM",
)
DTYPES = ("f32", "bf16", "f16", "q8")  # edgeopt_dtype
ROUNDINGS = ("nearest", "stochastic")  # edgeopt_rounding
FORMS = ("torch", "folded")  # edgeopt_form
OPTION_REAL, OPTION_FLAG = 0, 1  # edgeopt_option_kind


class Config(ctypes.Structure):
    # The options union's largest member is 6 doubles (NAdam) or 5 doubles
    # and 2 bools: 48 bytes, 8-aligned.
    _fields_ = [("algorithm", ctypes.c_int), ("state_dtype", ctypes.c_int * 3), ("param_rounding", ctypes.c_int),
                ("form", ctypes.c_int), ("seed", ctypes.c_uint64), ("options", ctypes.c_double * 6)]


class Optimizer(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("generation", ctypes.c_uint32), ("config", Config), ("isa", ctypes.c_int), ("step", ctypes.c_uint64),
                ("nadam_mu_product", ctypes.c_double), ("tensor_count", ctypes.c_size_t),
                ("lengths", ctypes.c_void_p), ("state", ctypes.c_void_p), ("arena", ctypes.c_void_p),
                ("arena_bytes", ctypes.c_size_t), ("q8_nonfinite_steps", ctypes.c_uint64)]


class Tensor(ctypes.Structure):
    _fields_ = [("param", ctypes.c_void_p), ("grad", ctypes.c_void_p), ("length", ctypes.c_size_t),
                ("param_dtype", ctypes.c_int), ("grad_dtype", ctypes.c_int)]


class OptionInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("torch_keyword", ctypes.c_char_p), ("torch_index", ctypes.c_int),
                ("kind", ctypes.c_int), ("offset", ctypes.c_size_t)]


class CheckpointInfo(ctypes.Structure):
    _fields_ = [("format_version", ctypes.c_uint32), ("sequence", ctypes.c_uint32), ("algorithm", ctypes.c_int),
                ("step", ctypes.c_uint64), ("tensor_count", ctypes.c_size_t), ("blob_bytes", ctypes.c_size_t),
                ("has_params", ctypes.c_bool), ("image_bytes", ctypes.c_size_t), ("slot", ctypes.c_uint)]


StorageWrite = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t)
StorageErase = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)


class Storage(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("memory", ctypes.c_void_p), ("read", ctypes.c_void_p),
                ("write", StorageWrite), ("erase", StorageErase), ("context", ctypes.c_void_p)]


_P = ctypes.POINTER
_status = ctypes.c_int
# name: (restype, argtypes)
_SIGNATURES = {
    "edgeopt_status_message": (ctypes.c_char_p, [_status]),
    "edgeopt_defaults": (Config, [ctypes.c_int]),
    "edgeopt_algorithm_name": (ctypes.c_char_p, [ctypes.c_int]),
    "edgeopt_algorithm_torch_name": (ctypes.c_char_p, [ctypes.c_int]),
    "edgeopt_validate": (_status, [_P(Config)]),
    "edgeopt_option_count": (ctypes.c_size_t, [ctypes.c_int]),
    "edgeopt_option_describe": (_status, [ctypes.c_int, ctypes.c_size_t, _P(OptionInfo)]),
    "edgeopt_state_slot_used": (ctypes.c_bool, [_P(Config), ctypes.c_uint]),
    "edgeopt_state_slot_name": (ctypes.c_char_p, [_P(Config), ctypes.c_uint]),
    "edgeopt_isa_parse": (ctypes.c_bool, [ctypes.c_char_p, _P(ctypes.c_int)]),
    "edgeopt_isa_name": (ctypes.c_char_p, [ctypes.c_int]),
    "edgeopt_isa_available": (ctypes.c_bool, [ctypes.c_int]),
    "edgeopt_state_bytes": (ctypes.c_size_t, [_P(Config), _P(ctypes.c_size_t), ctypes.c_size_t]),
    "edgeopt_init": (_status, [_P(Optimizer), _P(Config), _P(ctypes.c_size_t), ctypes.c_size_t, ctypes.c_void_p,
                               ctypes.c_size_t]),
    "edgeopt_step": (_status, [_P(Optimizer), _P(Tensor), ctypes.c_size_t]),
    "edgeopt_set_config": (_status, [_P(Optimizer), _P(Config)]),
    "edgeopt_get_config": (_status, [_P(Optimizer), _P(Config)]),
    "edgeopt_set_isa": (_status, [_P(Optimizer), ctypes.c_int]),
    "edgeopt_get_isa": (ctypes.c_int, [_P(Optimizer)]),
    "edgeopt_step_count": (ctypes.c_uint64, [_P(Optimizer)]),
    "edgeopt_set_step_count": (_status, [_P(Optimizer), ctypes.c_uint64, ctypes.c_double]),
    "edgeopt_nadam_mu_product": (ctypes.c_double, [_P(Optimizer)]),
    "edgeopt_state_scalar": (_status, [_P(Optimizer), ctypes.c_uint, _P(ctypes.c_char_p), _P(ctypes.c_double)]),
    "edgeopt_state_read": (_status, [_P(Optimizer), ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p]),
    "edgeopt_state_write": (_status, [_P(Optimizer), ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p]),
    "edgeopt_checkpoint_bytes_with_params": (ctypes.c_size_t, [_P(Optimizer), ctypes.c_size_t]),
    "edgeopt_checkpoint_bytes": (ctypes.c_size_t, [_P(Optimizer), ctypes.c_size_t]),
    "edgeopt_checkpoint_write": (_status, [_P(Optimizer), _P(Tensor), ctypes.c_size_t, ctypes.c_void_p,
                                           ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                                           _P(ctypes.c_size_t)]),
    "edgeopt_checkpoint_read": (_status, [_P(Optimizer), _P(Tensor), ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t, _P(ctypes.c_size_t), ctypes.c_void_p, ctypes.c_size_t]),
    "edgeopt_checkpoint_image_info": (_status, [ctypes.c_void_p, ctypes.c_size_t, _P(CheckpointInfo)]),
    "edgeopt_checkpoint_region_bytes": (ctypes.c_size_t, [ctypes.c_size_t]),
    "edgeopt_checkpoint_save": (_status, [_P(Optimizer), _P(Tensor), ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t, _P(Storage)]),
    "edgeopt_checkpoint_load": (_status, [_P(Optimizer), _P(Tensor), ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t, _P(ctypes.c_size_t), _P(Storage)]),
    "edgeopt_checkpoint_newest": (_status, [_P(Storage), _P(CheckpointInfo)]),
}


def _candidates():
    here = pathlib.Path(__file__).resolve().parent
    env = os.environ.get("EDGEOPT_LIBRARY")
    if env:
        yield env
        return
    yield str(here / "libedgeopt.so")
    yield str(here.parent.parent / "build" / "shared" / "libedgeopt.so")
    found = ctypes.util.find_library("edgeopt")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        library = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(library, name, None)
            if function is None:
                raise OSError("%s has no %s: it is older than this package; rebuild it (cmake --build "
                              "build/shared) or point EDGEOPT_LIBRARY at a current one" % (path, name))
            function.restype = restype
            function.argtypes = argtypes
        return library
    raise OSError("libedgeopt.so not found (tried %s). Build it with: cmake -S . -B build/shared "
                  "-DBUILD_SHARED_LIBS=ON && cmake --build build/shared, or set EDGEOPT_LIBRARY."
                  % ", ".join(tried + ["the system library path"]))


lib = _load()


def status_name(status):
    return "EDGEOPT_" + STATUS_NAMES[status] if 0 <= status < len(STATUS_NAMES) else "status %d" % status


def check(status, what):
    """Raises the exception for a non-OK status, naming the call's subject."""
    if status != 0:
        message = lib.edgeopt_status_message(status).decode()
        raise error_for_status(status_name(status), "%s: %s (%s)" % (what, message, status_name(status)))


def parse_isa(name):
    isa = ctypes.c_int()
    if not lib.edgeopt_isa_parse(name.encode(), ctypes.byref(isa)):
        raise EdgeoptError("unknown ISA %r" % name)
    return isa.value
