# SPDX-License-Identifier: Apache-2.0
"""python3 -m edgeopt.convert: a torch.save'd model + optimizer to an image
and back, and its refusals."""
import os
import subprocess
import sys
import tempfile
import unittest

import torch

import edgeopt.torch as et
from support import gradients, run, same_bits

PYTHON_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


class Convert(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.file = lambda name: os.path.join(self.directory.name, name)
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Linear(37, 5), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 3))
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=0.01, amsgrad=True)
        for _ in range(4):
            self.optimizer.zero_grad()
            self.model(torch.randn(8, 37)).square().mean().backward()
            self.optimizer.step()
        torch.save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict()}, self.file("run.pt"))

    def tearDown(self):
        self.directory.cleanup()

    def convert(self, *args):
        return subprocess.run([sys.executable, "-m", "edgeopt.convert", *args], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=PYTHON_DIR))

    def test_to_image_and_back(self):
        done = self.convert("to-image", self.file("run.pt"), self.file("run.ckpt"), "--optimizer", "adamw")
        self.assertEqual(done.returncode, 0, done.stderr)
        params = [p.detach().clone().requires_grad_(True) for p in self.model.parameters()]
        device = et.AdamW([torch.zeros_like(p, requires_grad=True) for p in params], amsgrad=True)
        et.load(self.file("run.ckpt"), device)
        device_params = device.param_groups[0]["params"]
        self.assertTrue(same_bits(params, device_params))
        run(device, device_params, [[torch.ones_like(p) * 0.1 for p in params]] * 3)
        et.save(device, self.file("device.ckpt"))
        done = self.convert("to-torch", self.file("device.ckpt"), self.file("back.pt"), "--optimizer", "AdamW",
                            "--like", self.file("run.pt"))
        self.assertEqual(done.returncode, 0, done.stderr)
        back = torch.load(self.file("back.pt"))
        self.assertTrue(same_bits(back["optimizer"]["state"], device.state_dict()["state"]))
        self.assertTrue(same_bits(back["model"]["0.weight"], device_params[0]))
        self.assertTrue(same_bits(back["model"]["1.running_mean"], self.model.state_dict()["1.running_mean"]))

    def test_refusals_exit_1_and_write_nothing(self):
        done = self.convert("to-image", self.file("run.pt"), self.file("x.ckpt"), "--optimizer", "sgd")
        self.assertEqual(done.returncode, 1)
        self.assertIn("edgeopt.convert:", done.stderr)
        done = self.convert("to-image", self.file("run.pt"), self.file("x.ckpt"), "--optimizer", "lbfgs")
        self.assertEqual(done.returncode, 1)
        self.assertIn("unknown optimizer", done.stderr)
        self.assertFalse(os.path.exists(self.file("x.ckpt")))


if __name__ == "__main__":
    unittest.main()
