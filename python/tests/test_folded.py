# SPDX-License-Identifier: Apache-2.0
"""form="folded": the drop-in classes run the library's folded form (close to
torch's bits, not equal to them, the same on every kernel), and refuse it
where the algorithm has none."""
import unittest

import torch

import edgeopt.torch as et
from edgeopt import EdgeoptError
from support import drop_in, gradients, make_params, run, same_bits

FOLDED = ("Adam", "AdamW", "NAdam", "RAdam")


class FoldedForm(unittest.TestCase):
    def test_close_to_torch_form_but_not_its_bits(self):
        grads = gradients(30)
        for name in FOLDED:
            with self.subTest(name=name):
                exact, folded = make_params(), make_params()
                run(drop_in(name)(exact), exact, grads)
                run(drop_in(name)(folded, form="folded"), folded, grads)
                self.assertFalse(same_bits(exact, folded), name)
                for a, b in zip(exact, folded):
                    self.assertTrue(torch.allclose(a, b, rtol=1e-5, atol=1e-7), name)

    def test_every_kernel_gives_the_same_bits(self):
        grads = gradients(20)
        available = [isa for isa in ("scalar", "sse2", "avx2", "avx512", "neon64", "neonv7")
                     if et.isa_available(isa)]
        for name in FOLDED:
            results = []
            for isa in available:
                params = make_params()
                run(drop_in(name)(params, isa=isa, form="folded"), params, grads)
                results.append(params)
            for isa, params in zip(available, results):
                self.assertTrue(same_bits(results[0], params), "%s on %s" % (name, isa))

    def test_refused_where_there_is_no_folded_form(self):
        with self.assertRaises(EdgeoptError) as refused:
            et.SGD(make_params(), lr=0.1, form="folded")
        self.assertEqual(refused.exception.status, "EDGEOPT_ERR_INVALID_FORM")
        with self.assertRaises(EdgeoptError) as unknown:
            et.Adam(make_params(), form="fold")
        self.assertEqual(unknown.exception.status, "EDGEOPT_ERR_INVALID_FORM")


if __name__ == "__main__":
    unittest.main()
