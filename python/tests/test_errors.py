# SPDX-License-Identifier: Apache-2.0
"""Every bad input raises a named exception and changes nothing: not the
parameters, not the optimizer's state or options, not the file."""
import os
import tempfile
import unittest
import warnings

import torch

import edgeopt

import edgeopt.torch as et
from edgeopt import CheckpointError, EdgeoptError, MismatchError, UnsupportedError
from edgeopt import _lib
from support import gradients, make_params, run, same_bits, snapshot


class Refusals(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.directory.name, "run.ckpt")
        self.params = make_params()
        self.torch_opt = torch.optim.Adam(self.params, lr=0.01)
        run(self.torch_opt, self.params, gradients(3))
        et.save(self.torch_opt, self.path)
        with open(self.path, "rb") as image_file:
            self.image = image_file.read()
        self.device_params = make_params(seed=4)
        self.device = et.Adam(self.device_params, lr=0.01)
        run(self.device, self.device_params, gradients(2, seed=9))

    def tearDown(self):
        self.directory.cleanup()

    def assert_refused(self, error, call, optimizer=None, params=None):
        optimizer = optimizer or self.device
        params = params or self.device_params
        before = snapshot(optimizer, params)
        with self.assertRaises(error) as raised:
            call()
        self.assertTrue(same_bits(before, snapshot(optimizer, params)), "changed after %r" % raised.exception)
        self.assertTrue(str(raised.exception))
        return raised.exception

    def load_bytes(self, data, optimizer=None):
        return lambda: et.load(bytes(data), optimizer or self.device)

    def test_corrupt_truncated_foreign_and_empty_images(self):
        flipped = bytearray(self.image)
        flipped[len(flipped) // 2] ^= 1
        error = self.assert_refused(CheckpointError, self.load_bytes(flipped))
        self.assertEqual(error.status, "EDGEOPT_ERR_CHECKPOINT_CORRUPT")
        self.assert_refused(CheckpointError, self.load_bytes(self.image[:-5]))
        self.assert_refused(CheckpointError, self.load_bytes(b"PK\x03\x04" + bytes(200)))
        self.assert_refused(CheckpointError, self.load_bytes(b""))
        newer = bytearray(self.image)
        newer[4] = 99
        self.assert_refused(CheckpointError, self.load_bytes(newer))

    def test_another_algorithm_shape_or_group_count(self):
        sgd_params = make_params()
        sgd = torch.optim.SGD(sgd_params, lr=0.1, momentum=0.9)
        self.assert_refused(MismatchError, self.load_bytes(self.image, sgd), sgd, sgd_params)
        other_params = [torch.zeros(36, requires_grad=True)] + make_params()[1:]
        other = et.Adam(other_params)
        self.assert_refused(MismatchError, self.load_bytes(self.image, other), other, other_params)
        two_groups = et.Adam([{"params": self.device_params[:1]}, {"params": self.device_params[1:]}])
        self.assert_refused(MismatchError, self.load_bytes(self.image, two_groups), two_groups)

    def test_options_and_tensors_edgeopt_lacks(self):
        with self.assertRaises(UnsupportedError):
            et.Adam(make_params(), capturable=True)
        capturable = torch.optim.Adam(make_params(), capturable=True)
        self.assertRaises(UnsupportedError, et.save, capturable, self.path)
        self.assertRaises(UnsupportedError, et.save, torch.optim.LBFGS(make_params()), self.path)
        with self.assertRaises(UnsupportedError):
            et.SGD([torch.zeros(3, dtype=torch.float64, requires_grad=True)], lr=0.1)
        with self.assertRaises(ValueError):  # torch's own argument checks
            et.Adam(make_params(), betas=(0.9, 1.5))
        with self.assertRaises(EdgeoptError):
            et.Adam(make_params(), state_dtype="f64")

    def test_asgd_eta_of_another_lr_is_refused(self):
        # edgeopt derives ASGD's eta and mu from the step count and options; torch's eta after an lr
        # change between steps is the old lr's, which would not continue bit for bit.
        params = make_params()
        optimizer = torch.optim.ASGD(params, lr=0.05)
        run(optimizer, params, gradients(3))
        et.save(optimizer, self.path)  # the same lr: accepted
        optimizer.param_groups[0]["lr"] = 0.01
        self.assertRaises(MismatchError, et.save, optimizer, self.path)

    def test_single_tensor_nadam_is_flagged(self):
        nadam = torch.optim.NAdam(make_params())  # foreach=None: 1.13's single-tensor form on CPU
        with self.assertWarns(edgeopt.ForeachWarning):
            et.save(nadam, self.path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            et.save(torch.optim.NAdam(make_params(), foreach=True), self.path)

    def test_bad_gradients_step_nothing(self):
        self.device_params[0].grad = torch.zeros_like(self.device_params[0]).to_sparse()
        for p in self.device_params[1:]:
            p.grad = torch.ones_like(p)
        self.assert_refused(UnsupportedError, self.device.step)
        self.device_params[0].grad = None
        self.assert_refused(UnsupportedError, self.device.step)  # some but not all gradients
        self.device_params[0].grad = torch.ones(37)
        self.device.param_groups[0]["lr"] = -1.0
        error = self.assert_refused(EdgeoptError, self.device.step)
        self.assertEqual(error.status, "EDGEOPT_ERR_INVALID_LR")

    def test_state_dicts_that_do_not_fit(self):
        state = self.torch_opt.state_dict()
        state["state"][1]["step"] = torch.tensor(7.0)  # one parameter ahead of the others
        self.assert_refused(MismatchError, lambda: self.device.load_state_dict(state))
        state = self.torch_opt.state_dict()
        state["state"][0]["exp_avg"] = torch.zeros(3)
        self.assert_refused(MismatchError, lambda: self.device.load_state_dict(state))
        state = self.torch_opt.state_dict()
        state["param_groups"][0]["params"] = [0, 1]
        self.assert_refused(MismatchError, lambda: self.device.load_state_dict(state))

    def test_a_failed_save_keeps_the_old_file(self):
        bf16 = et.Adam([torch.zeros(4, dtype=torch.bfloat16, requires_grad=True)])
        self.assertRaises(UnsupportedError, et.save, bf16, self.path, params=True)
        with open(self.path, "rb") as image_file:
            self.assertEqual(image_file.read(), self.image)
        self.assertEqual(os.listdir(self.directory.name), ["run.ckpt"])  # no temporary left behind
        umask = os.umask(0o022)
        try:
            et.save(self.torch_opt, self.path)
        finally:
            os.umask(umask)
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o644)  # as open() would have made it

    def test_status_names_follow_the_header(self):
        header = os.path.join(os.path.dirname(__file__), "..", "..", "include", "edgeopt", "edgeopt.h")
        with open(header) as text:
            body = text.read().split("typedef enum edgeopt_status {")[1].split("EDGEOPT_STATUS_COUNT")[0]
        names = [line.strip().split(",")[0].split(" ")[0][len("EDGEOPT_"):]
                 for line in body.splitlines() if line.strip().startswith("EDGEOPT_")]
        self.assertEqual(tuple(names), _lib.STATUS_NAMES)


if __name__ == "__main__":
    unittest.main()
