# SPDX-License-Identifier: Apache-2.0
"""An edgeopt-bench JSON file read into one Results object, and the number
formats the report uses (bench/report.py)."""
import json
from collections import defaultdict

SHAPES = ["4K", "64K", "1M", "16M", "model"]
IN_CACHE = ["4K", "64K"]
KERNELS = ["scalar", "sse2", "avx2", "avx512", "neon64", "neonv7", "helium"]
PEERS = ["plain", "plain_no_errno", "eigen", "torch", "deepspeed_avx512", "deepspeed_avx2"]
ROOF_ISAS = ["avx2", "avx512"]
NOISE = 0.10  # a miss by less than this is reported apart: within run-to-run spread


def load(path):
    with open(path) as f:
        data = json.load(f)
    medians, singles, cvs, spreads = {}, {}, {}, defaultdict(dict)
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            continue
        # run_name is "opt/adam/avx2/4K/min_time:0.050/repeats:5": keep the path.
        parts = [p for p in b["run_name"].split("/") if ":" not in p]
        key = tuple(parts)
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = b
            elif b.get("aggregate_name") == "cv":
                cvs[key] = b.get("params/s", 0.0)
            elif b.get("aggregate_name") in ("min", "max"):
                spreads[key][b["aggregate_name"]] = b.get("params/s")
        else:
            singles.setdefault(key, b)
    runs = dict(singles)
    runs.update(medians)
    for key, cv in cvs.items():
        if key in runs:
            runs[key] = dict(runs[key], cv=cv)
    # A params/s statistic: "min" is the slowest repetition's rate.
    for key, spread in spreads.items():
        if key in runs and "min" in spread and "max" in spread:
            runs[key] = dict(runs[key], spread=(spread["min"], spread["max"]))
    return data["context"], runs


class Results:
    def __init__(self, context, runs):
        self.context = context
        self.opt = {}  # (case, kernel, shape) -> params/s
        self.peer = {}  # (case, peer, shape) -> params/s
        self.cv = {}  # ("opt" | "peer", case, kernel or peer, shape) -> coefficient of variation
        self.spread = {}  # ("opt" | "peer" | "dtype", ...) -> (slowest, fastest) params/s of the repetitions
        self.stream = defaultdict(dict)  # (kind, slots, shape) -> {isa: bytes/s}
        self.compute = defaultdict(dict)  # case -> {isa: params/s}
        self.dtype = {}  # (case, variant, kernel, shape) -> params/s
        for key, b in runs.items():
            group = key[0]
            if "spread" in b:
                self.spread[key] = b["spread"]
            if group == "dtype":
                self.dtype[key[1:5]] = b["params/s"]
            elif group in ("opt", "peer"):
                (self.opt if group == "opt" else self.peer)[key[1:4]] = b["params/s"]
                self.cv[key[:4]] = b.get("cv", 0.0)
            elif group == "roof" and key[1] == "compute":
                self.compute[key[2]][key[3]] = b["params/s"]
            elif group == "roof":
                kind, slots, shape, isa = key[1], int(key[2][1:]), key[3], key[4]
                self.stream[(kind, slots, shape)][isa] = b["bytes/s"]
        self.cases = []
        for (case, _, _) in self.opt:
            if case not in self.cases:
                self.cases.append(case)
        self.cases.sort(key=lambda c: CASE_ORDER.index(c) if c in CASE_ORDER else len(CASE_ORDER))
        self.shapes = [s for s in SHAPES if any(k[2] == s for k in list(self.opt) + list(self.peer)) or
                       any(k[2] == s for k in self.stream)]
        self.kernels = [k for k in KERNELS if any(key[1] == k for key in self.opt)]
        self.peers = [p for p in PEERS if any(key[1] == p for key in self.peer)]

    def slots(self, case):
        return int(self.context.get("slots/" + case, 0))

    def bytes_per_param(self, case):
        s = self.slots(case)
        return 4 * (2 + s) + 4 * (1 + s)

    def default_kernel(self, case):
        return self.context.get("default_isa/" + case, "avx2")

    def edgeopt(self, case, shape, kernel=None):
        return self.opt.get((case, kernel or self.default_kernel(case), shape))

    def best_kernel(self, case, shape):
        found = [(self.opt[(case, k, shape)], k) for k in self.kernels if (case, k, shape) in self.opt]
        return max(found) if found else (None, None)

    def roof_bandwidth(self, kind, case, shape):
        by_isa = self.stream.get((kind, self.slots(case), shape), {})
        return max(by_isa.values()) if by_isa else None

    def roof_compute(self, case):
        by_isa = self.compute.get(case, {})
        return max(by_isa.values()) if by_isa else None

    def roofline(self, case, shape):
        """Attainable params/s: min(compute bound, streams bandwidth / bytes per param)."""
        compute = self.roof_compute(case)
        bandwidth = self.roof_bandwidth("streams", case, shape)
        bounds = [x for x in (compute, bandwidth and bandwidth / self.bytes_per_param(case)) if x]
        return min(bounds) if bounds else None


CASE_ORDER = ["sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adam_folded",
              "adam_amsgrad", "adamw", "adamw_folded", "adamax", "nadam", "nadam_folded", "radam", "radam_folded",
              "lion", "rprop", "asgd"]
FOLDED = "_folded"  # a case in the opt-in folded form; its torch-form case is the name without it


def fmt_rate(x):
    if x is None:
        return "–"
    if x >= 1e9:
        return "%.2fG" % (x / 1e9)
    return "%.0fM" % (x / 1e6) if x >= 1e7 else "%.1fM" % (x / 1e6)


def fmt_bytes(n):
    return "%d KiB" % (n // 1024) if n < 2 ** 20 else "%g MiB" % (n / 2 ** 20)


def fmt_ratio(x, digits=2):
    return "–" if x is None else ("%." + str(digits) + "f") % x


def ratio(a, b):
    return a / b if a and b else None
