# SPDX-License-Identifier: Apache-2.0
"""The drop-in classes give torch.optim 1.13's float32 bits, every optimizer
and option, for 60 steps; low-precision state and bf16 weights run too."""
import unittest

import torch

import edgeopt.torch as et
from support import cases, drop_in, gradients, make_params, run, same_bits, torch_class

STEPS = 60


class DropInMatchesTorch(unittest.TestCase):
    def test_every_optimizer_and_option_bit_for_bit(self):
        grads = gradients(STEPS)
        for case, name, kwargs in cases():
            with self.subTest(case=case):
                reference, ours = make_params(), make_params()
                torch_opt = torch_class(name)(reference, **kwargs)
                our_opt = drop_in(name)(ours, **kwargs)
                run(torch_opt, reference, grads)
                run(our_opt, ours, grads)
                self.assertTrue(same_bits(reference, ours), case)
                self.assertTrue(same_bits(torch_opt.state_dict()["state"], our_opt.state_dict()["state"]), case)

    def test_every_kernel_gives_the_same_bits(self):
        grads = gradients(20)
        available = [isa for isa in ("scalar", "sse2", "avx2", "avx512", "neon64", "neonv7")
                     if et.isa_available(isa)]
        for name in ("Adam", "RMSprop", "SGD"):
            results = []
            for isa in available:
                params = make_params()
                kwargs = dict(lr=0.05, momentum=0.9) if name == "SGD" else {}
                run(drop_in(name)(params, isa=isa, **kwargs), params, grads)
                results.append(params)
            for isa, params in zip(available, results):
                self.assertTrue(same_bits(results[0], params), "%s on %s" % (name, isa))

    def test_param_groups_and_a_scheduler(self):
        grads = gradients(30)
        reference, ours = make_params(), make_params()
        groups = lambda p: [{"params": p[:2]}, {"params": p[2:], "lr": 0.003, "amsgrad": True}]
        torch_opt, our_opt = torch.optim.Adam(groups(reference), lr=0.01), et.Adam(groups(ours), lr=0.01)
        schedulers = [torch.optim.lr_scheduler.CosineAnnealingLR(o, 10) for o in (torch_opt, our_opt)]
        for step_grads in grads:
            for params, opt, scheduler in ((reference, torch_opt, schedulers[0]), (ours, our_opt, schedulers[1])):
                for param, grad in zip(params, step_grads):
                    param.grad = grad.clone()
                opt.step()
                scheduler.step()
        self.assertTrue(same_bits(reference, ours))

    def test_low_precision_state_and_bf16_weights(self):
        grads = gradients(10)
        for dtype in ("bf16", "f16", "q8", {"exp_avg": "q8", "exp_avg_sq": "bf16"}):
            params = make_params()
            opt = et.AdamW(params, lr=0.01, state_dtype=dtype)
            run(opt, params, grads)
            self.assertTrue(all(torch.isfinite(p).all() for p in params), dtype)
            full = make_params()
            run(et.AdamW(full, lr=0.01), full, grads)
            for p, f in zip(params, full):  # the same trajectory, to within state rounding
                self.assertLess((p - f).abs().max().item(), 0.05, dtype)
        weights = make_params(dtype=torch.bfloat16)
        opt = et.Adam(weights, lr=0.01, rounding="stochastic", seed=7)
        run(opt, weights, gradients(10, dtype=torch.bfloat16))
        again = make_params(dtype=torch.bfloat16)
        run(et.Adam(again, lr=0.01, rounding="stochastic", seed=7), again, gradients(10, dtype=torch.bfloat16))
        self.assertTrue(same_bits(weights, again))  # stochastic rounding is reproducible

    def test_lion_has_torch_style_defaults(self):
        params = make_params()
        opt = et.Lion(params)
        self.assertEqual(opt.defaults, {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0})
        run(opt, params, gradients(3))
        self.assertEqual(sorted(opt.state_dict()["state"][0]), ["exp_avg", "step"])


if __name__ == "__main__":
    unittest.main()
