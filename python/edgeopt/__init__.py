# SPDX-License-Identifier: Apache-2.0
"""edgeopt: torch.optim-compatible optimizers for on-device fine-tuning.

  import edgeopt.torch as et      # the PyTorch bridge (needs torch)
  et.save(torch_optimizer, "run.ckpt", params=True)
  et.load("run.ckpt", torch_optimizer)
  opt = et.Adam(model.parameters(), lr=1e-3, state_dtype="q8")

The library itself is libedgeopt.so, called through ctypes (edgeopt._lib).
"""
from edgeopt.errors import CheckpointError, EdgeoptError, ForeachWarning, MismatchError, UnsupportedError

__version__ = "0.1.0"
__all__ = ["CheckpointError", "EdgeoptError", "ForeachWarning", "MismatchError", "UnsupportedError"]
