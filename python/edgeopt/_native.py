# SPDX-License-Identifier: Apache-2.0
"""One edgeopt_optimizer and the arena it owns, and its checkpoint images.

Algorithms and their options come from the library's introspection calls
(edgeopt_option_describe), so this package keeps no table of its own.
"""
import ctypes
import functools
import struct
from dataclasses import dataclass

from edgeopt._lib import (DTYPES, FORMS, OPTION_FLAG, ROUNDINGS, CheckpointInfo, Config, OptionInfo, Optimizer, Storage,
                          StorageErase, StorageWrite, Tensor, check, lib)
from edgeopt.errors import CheckpointError, EdgeoptError

ALGORITHMS = {}  # torch class name ("Adam") -> edgeopt_algorithm
NAMES = {}       # edgeopt_algorithm -> edgeopt name ("adam")
for _value in range(1, 64):
    _torch_name = lib.edgeopt_algorithm_torch_name(_value)
    if _torch_name is None:
        break
    ALGORITHMS[_torch_name.decode()] = _value
    NAMES[_value] = lib.edgeopt_algorithm_name(_value).decode()


@dataclass(frozen=True)
class Option:
    name: str           # the C field: "beta1"
    torch_keyword: str  # "betas"
    torch_index: int    # 0 for betas[0]; -1 for a plain keyword
    is_flag: bool
    offset: int         # in edgeopt_config

    def get(self, config):
        kind = ctypes.c_bool if self.is_flag else ctypes.c_double
        return kind.from_buffer(config, self.offset).value

    def set(self, config, value):
        kind = ctypes.c_bool if self.is_flag else ctypes.c_double
        kind.from_buffer(config, self.offset).value = bool(value) if self.is_flag else float(value)


@functools.lru_cache(maxsize=None)
def options_of(algorithm):
    """The algorithm's options (a tuple of Option), asked of the library once."""
    options = []
    for index in range(lib.edgeopt_option_count(algorithm)):
        info = OptionInfo()
        check(lib.edgeopt_option_describe(algorithm, index, ctypes.byref(info)), "option %d" % index)
        options.append(Option(info.name.decode(), info.torch_keyword.decode(), info.torch_index,
                              info.kind == OPTION_FLAG, info.offset))
    return tuple(options)


def slots_of(config):
    """(slot index, torch state key) of every state slot these options use."""
    return [(k, lib.edgeopt_state_slot_name(ctypes.byref(config), k).decode())
            for k in range(3) if lib.edgeopt_state_slot_used(ctypes.byref(config), k)]


def dtype_code(name):
    if name not in DTYPES:
        raise EdgeoptError("unknown state dtype %r (one of %s)" % (name, ", ".join(DTYPES)), "EDGEOPT_ERR_INVALID_DTYPE")
    return DTYPES.index(name)


def make_config(algorithm, values, state_dtypes=("f32",) * 3, rounding="nearest", seed=0, form="torch"):
    """A validated edgeopt_config: torch's defaults, then values[option name]."""
    config = lib.edgeopt_defaults(algorithm)
    for option in options_of(algorithm):
        if option.name in values:
            option.set(config, values[option.name])
    for k, dtype in enumerate(state_dtypes):
        config.state_dtype[k] = dtype_code(dtype)
    if rounding not in ROUNDINGS:
        raise EdgeoptError("unknown rounding %r (nearest or stochastic)" % rounding, "EDGEOPT_ERR_INVALID_ROUNDING")
    config.param_rounding = ROUNDINGS.index(rounding)
    config.seed = seed
    if form not in FORMS:
        raise EdgeoptError("unknown form %r (torch or folded)" % form, "EDGEOPT_ERR_INVALID_FORM")
    config.form = FORMS.index(form)
    check(lib.edgeopt_validate(ctypes.byref(config)), "%s options" % NAMES[algorithm])
    return config


def option_values(config):
    return {option.name: option.get(config) for option in options_of(config.algorithm)}


class Native:
    """An initialized edgeopt_optimizer over tensors of `lengths` elements;
    the arena is a ctypes buffer owned by this object, allocated once."""

    def __init__(self, config, lengths, isa=None):
        self.lengths = (ctypes.c_size_t * len(lengths))(*lengths)
        size = lib.edgeopt_state_bytes(ctypes.byref(config), self.lengths, len(lengths))
        if size == 0:
            check(lib.edgeopt_validate(ctypes.byref(config)), "options")
            raise EdgeoptError("an optimizer needs at least one tensor", "EDGEOPT_ERR_NO_TENSORS")
        self.arena = (ctypes.c_ubyte * size)()
        self.opt = Optimizer()
        check(lib.edgeopt_init(ctypes.byref(self.opt), ctypes.byref(config), self.lengths, len(lengths),
                               self.arena, size), "init")
        if isa is not None:
            check(lib.edgeopt_set_isa(ctypes.byref(self.opt), isa), "isa")

    @property
    def config(self):
        config = Config()
        check(lib.edgeopt_get_config(ctypes.byref(self.opt), ctypes.byref(config)), "get_config")
        return config

    def set_config(self, config):
        check(lib.edgeopt_set_config(ctypes.byref(self.opt), ctypes.byref(config)), "set_config")

    @property
    def step_count(self):
        return lib.edgeopt_step_count(ctypes.byref(self.opt))

    @property
    def mu_product(self):
        return lib.edgeopt_nadam_mu_product(ctypes.byref(self.opt))

    @property
    def scalars(self):
        """torch's per-parameter scalar state besides 'step' ({"eta": ..., "mu": ...} for ASGD)."""
        out = {}
        name, value = ctypes.c_char_p(), ctypes.c_double()
        while lib.edgeopt_state_scalar(ctypes.byref(self.opt), len(out), ctypes.byref(name),
                                       ctypes.byref(value)) == 0:
            out[name.value.decode()] = value.value
        return out

    def set_step_count(self, step, mu_product):
        check(lib.edgeopt_set_step_count(ctypes.byref(self.opt), step, mu_product), "step count")

    def read_slot(self, tensor, slot, out_address):
        check(lib.edgeopt_state_read(ctypes.byref(self.opt), tensor, slot, out_address), "state read")

    def write_slot(self, tensor, slot, values_address):
        check(lib.edgeopt_state_write(ctypes.byref(self.opt), tensor, slot, values_address), "state write")

    def step(self, tensors):
        check(lib.edgeopt_step(ctypes.byref(self.opt), tensors, len(tensors)), "step")

    # ---- images (include/edgeopt/checkpoint.h) ----

    def write_image(self, params=None):
        """The image bytes; params: a Tensor array of float32 parameters, or None."""
        count = len(params) if params is not None else 0
        size = (lib.edgeopt_checkpoint_bytes_with_params if params is not None
                else lib.edgeopt_checkpoint_bytes)(ctypes.byref(self.opt), 0)
        image = (ctypes.c_ubyte * size)()
        written = ctypes.c_size_t()
        check(lib.edgeopt_checkpoint_write(ctypes.byref(self.opt), params, count, None, 0, image, size,
                                           ctypes.byref(written)), "checkpoint write")
        return bytes(image[:written.value])

    def read_image(self, image, params=None):
        """Restores an image; params: a Tensor array whose param buffers receive
        the image's parameters (CheckpointError/MismatchError change nothing)."""
        count = len(params) if params is not None else 0
        buffer = (ctypes.c_ubyte * len(image)).from_buffer_copy(image)
        check(lib.edgeopt_checkpoint_read(ctypes.byref(self.opt), params, count, None, 0, None, buffer,
                                          len(image)), "checkpoint read")

    def write_region(self, size, params=None):
        """An A/B region of `size` bytes holding this state as its one committed
        image: what edgeopt_checkpoint_load() reads from flash."""
        region = (ctypes.c_ubyte * size)()
        base = ctypes.addressof(region)

        def write(_context, offset, data, length):
            ctypes.memmove(base + offset, data, length)
            return True

        callback = StorageWrite(write)
        storage = Storage(size, base, None, callback, StorageErase(), None)
        count = len(params) if params is not None else 0
        check(lib.edgeopt_checkpoint_save(ctypes.byref(self.opt), params, count, None, 0, ctypes.byref(storage)),
              "checkpoint save")
        return bytes(region)

    def read_region(self, region, params=None):
        buffer = (ctypes.c_ubyte * len(region)).from_buffer_copy(region)
        storage = Storage(len(region), ctypes.addressof(buffer), None, StorageWrite(), StorageErase(), None)
        count = len(params) if params is not None else 0
        check(lib.edgeopt_checkpoint_load(ctypes.byref(self.opt), params, count, None, 0, None,
                                          ctypes.byref(storage)), "checkpoint load")


# ---- what an image says about itself, before an optimizer exists for it ----

@dataclass
class ImageHeader:
    info: CheckpointInfo
    config: Config         # the image's algorithm, options and state dtypes
    lengths: list


def describe_image(image):
    """Checks an image (magic, version, sizes, CRC: the library's checks) and
    reads the fields a matching optimizer needs: its algorithm, options, slot
    dtypes and tensor lengths, at the offsets checkpoint.h documents."""
    info = CheckpointInfo()
    buffer = (ctypes.c_ubyte * len(image)).from_buffer_copy(image)
    check(lib.edgeopt_checkpoint_image_info(buffer, len(image), ctypes.byref(info)), "checkpoint")
    header = 32
    layout, count = struct.unpack_from("<II", image, 20)
    doubles = struct.unpack_from("<6d", image, header + 16)
    bools, = struct.unpack_from("<I", image, header + 64)
    lengths = list(struct.unpack_from("<%dQ" % count, image, header + 72))
    if info.algorithm not in NAMES:
        raise CheckpointError("image of unknown algorithm %d" % info.algorithm, "EDGEOPT_ERR_CHECKPOINT_CORRUPT")
    config = lib.edgeopt_defaults(info.algorithm)
    reals = [o for o in options_of(info.algorithm) if not o.is_flag]
    flags = [o for o in options_of(info.algorithm) if o.is_flag]
    for option, value in zip(reals, doubles):
        option.set(config, value)
    for bit, option in enumerate(flags):
        option.set(config, (bools >> bit) & 1)
    for k in range(3):
        dtype = (layout >> (8 + 4 * k)) & 0xF
        config.state_dtype[k] = dtype if dtype < len(DTYPES) else 0
    return ImageHeader(info, config, lengths)


def split_images(data):
    """The images of a file holding one or more back to back (one per param
    group); CheckpointError if the bytes are not exactly that."""
    images, offset = [], 0
    while offset < len(data):
        info = CheckpointInfo()
        rest = data[offset:]
        buffer = (ctypes.c_ubyte * len(rest)).from_buffer_copy(rest)
        check(lib.edgeopt_checkpoint_image_info(buffer, len(rest), ctypes.byref(info)),
              "image %d at byte %d" % (len(images), offset))
        images.append(bytes(rest[:info.image_bytes]))
        offset += info.image_bytes
    if not images:
        raise CheckpointError("empty file: no checkpoint image", "EDGEOPT_ERR_CHECKPOINT_EMPTY")
    return images


def newest_in_region(data):
    """The committed image an A/B region holds (edgeopt_checkpoint_newest),
    or None if `data` is not a region with one."""
    buffer = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
    storage = Storage(len(data), ctypes.addressof(buffer), None, StorageWrite(), StorageErase(), None)
    info = CheckpointInfo()
    if lib.edgeopt_checkpoint_newest(ctypes.byref(storage), ctypes.byref(info)) != 0:
        return None
    start = info.slot * (len(data) // 2 // 32 * 32)
    return bytes(data[start:start + info.image_bytes])
