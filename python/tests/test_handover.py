# SPDX-License-Identifier: Apache-2.0
"""State crosses between torch.optim and edgeopt bit for bit: train k steps
on one side, hand over (checkpoint file, or torch's state_dict), continue m
steps on the other, and compare with the first side continuing m steps."""
import os
import tempfile
import unittest

import edgeopt.torch as et
from support import cases, drop_in, gradients, make_params, run, same_bits, torch_class

K, M = 6, 9


class Handover(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.directory.name, "run.ckpt")
        all_grads = gradients(K + M)
        self.before, self.after = all_grads[:K], all_grads[K:]

    def tearDown(self):
        self.directory.cleanup()

    def continue_both(self, source, source_params, target, target_params, case):
        run(source, source_params, self.after)
        run(target, target_params, self.after)
        self.assertTrue(same_bits(source_params, target_params), case)
        self.assertTrue(same_bits(source.state_dict()["state"], target.state_dict()["state"]), case)

    def test_torch_to_edgeopt_through_a_checkpoint(self):
        for case, name, kwargs in cases():
            with self.subTest(case=case):
                params = make_params()
                torch_opt = torch_class(name)(params, **kwargs)
                run(torch_opt, params, self.before)
                et.save(torch_opt, self.path, params=True)
                device_params = make_params(seed=99)  # overwritten by the image's parameters
                device = drop_in(name)(device_params, **kwargs)
                et.load(self.path, device)
                self.assertTrue(same_bits(params, device_params), case)
                self.continue_both(torch_opt, params, device, device_params, case)

    def test_edgeopt_to_torch_through_a_checkpoint(self):
        for case, name, kwargs in cases():
            with self.subTest(case=case):
                device_params = make_params()
                device = drop_in(name)(device_params, **kwargs)
                run(device, device_params, self.before)
                et.save(device, self.path)
                params = make_params(seed=99)
                # Other hyper-parameters on purpose: the image's come back.
                torch_opt = torch_class(name)(params, **dict(kwargs, lr=0.123))
                et.load(self.path, torch_opt)
                self.continue_both(device, device_params, torch_opt, params, case)

    def test_state_dict_both_ways(self):
        for case, name, kwargs in cases():
            with self.subTest(case=case):
                params, device_params = make_params(), make_params()
                torch_opt = torch_class(name)(params, **kwargs)
                run(torch_opt, params, self.before)
                device_params = [p.detach().clone().requires_grad_(True) for p in params]
                device = drop_in(name)(device_params, **kwargs)
                device.load_state_dict(torch_opt.state_dict())
                self.continue_both(torch_opt, params, device, device_params, case)
                back_params = [p.detach().clone().requires_grad_(True) for p in device_params]
                back = torch_class(name)(back_params, **kwargs)
                back.load_state_dict(device.state_dict())
                self.continue_both(device, device_params, back, back_params, case + " back")

    def test_param_groups_map_to_images(self):
        params = make_params()
        groups = [{"params": params[:1], "lr": 0.01}, {"params": params[1:], "amsgrad": True}]
        torch_opt = torch_class("Adam")(groups)
        run(torch_opt, params, self.before)
        et.save(torch_opt, self.path)
        with open(self.path, "rb") as image_file:
            self.assertEqual(len(et.read_images(image_file.read())), 2)
        device_params = make_params(seed=5)
        device = drop_in("Adam")([{"params": device_params[:1]}, {"params": device_params[1:], "amsgrad": True}])
        et.load(self.path, device)
        self.assertEqual(device.param_groups[0]["lr"], 0.01)
        self.continue_both(torch_opt, params, device, device_params, "groups")

    def test_low_precision_state_survives_a_checkpoint_exactly(self):
        for dtype in ("q8", "bf16"):
            params = make_params()
            device = drop_in("Adam")(params, lr=0.01, state_dtype=dtype)
            run(device, params, self.before)
            et.save(device, self.path)
            again_params = make_params(seed=3)
            again = drop_in("Adam")(again_params, lr=0.01, state_dtype=dtype)
            et.load(self.path, again)
            self.continue_both(device, params, again, again_params, dtype)

    def test_lion_round_trips(self):
        params = make_params()
        device = drop_in("Lion")(params, lr=0.01, weight_decay=0.1)
        run(device, params, self.before)
        other_params = make_params(seed=4)
        other = drop_in("Lion")(other_params)
        other.load_state_dict(device.state_dict())
        with __import__("torch").no_grad():
            for a, b in zip(other_params, params):
                a.copy_(b)
        self.continue_both(device, params, other, other_params, "lion")

    def test_flash_region_file(self):
        params = make_params()
        torch_opt = torch_class("RMSprop")(params, centered=True, momentum=0.5)
        run(torch_opt, params, self.before)
        et.save(torch_opt, self.path, region_bytes=8192)
        self.assertEqual(os.path.getsize(self.path), 8192)
        device_params = make_params(seed=8)
        device = drop_in("RMSprop")(device_params, centered=True, momentum=0.5)
        et.load(self.path, device)
        self.continue_both(torch_opt, params, device, device_params, "region")


if __name__ == "__main__":
    unittest.main()
