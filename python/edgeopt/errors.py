# SPDX-License-Identifier: Apache-2.0
"""The exceptions edgeopt raises.  Every one is a ValueError, so code that
guards torch's own argument checks catches them too; a failed call has
changed nothing (no parameter, no optimizer state, no file)."""


class EdgeoptError(ValueError):
    """A call was refused.  .status is the C status name
    (e.g. "EDGEOPT_ERR_INVALID_BETA2") when the library refused it, else None."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class UnsupportedError(EdgeoptError):
    """An optimizer, option or tensor edgeopt does not have: capturable=True,
    differentiable=True, fused=True, sparse gradients, a float64 parameter,
    a parameter group stepped with only some of its gradients, ..."""


class MismatchError(EdgeoptError):
    """State that does not fit the optimizer it is loaded into: another
    algorithm, group count, parameter count, shape, state layout or step."""


class CheckpointError(EdgeoptError):
    """An image that is not one: corrupt (magic, CRC), truncated, of a newer
    format version, or empty."""


_CHECKPOINT = {"EDGEOPT_ERR_CHECKPOINT_EMPTY", "EDGEOPT_ERR_CHECKPOINT_CORRUPT",
               "EDGEOPT_ERR_CHECKPOINT_TRUNCATED", "EDGEOPT_ERR_CHECKPOINT_VERSION"}
_MISMATCH = {"EDGEOPT_ERR_CHECKPOINT_MISMATCH", "EDGEOPT_ERR_TENSOR_COUNT_MISMATCH",
             "EDGEOPT_ERR_LENGTH_MISMATCH", "EDGEOPT_ERR_LAYOUT_CHANGE"}
_UNSUPPORTED = {"EDGEOPT_ERR_DTYPE_UNSUPPORTED", "EDGEOPT_ERR_UNKNOWN_ALGORITHM", "EDGEOPT_ERR_ISA_UNAVAILABLE"}


def error_for_status(name, message):
    cls = (CheckpointError if name in _CHECKPOINT else MismatchError if name in _MISMATCH
           else UnsupportedError if name in _UNSUPPORTED else EdgeoptError)
    return cls(message, name)


class ForeachWarning(UserWarning):
    """A torch NAdam run with foreach=False (torch 1.13's CPU default): its
    state crosses exactly, but edgeopt, like torch's foreach form and torch
    2.0, takes mu once where 1.13's single-tensor form takes it twice, so
    the continuation is not the bits that torch run would have gone on to."""
