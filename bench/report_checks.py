# SPDX-License-Identifier: Apache-2.0
"""The targets bench/report.py checks, each as (title, met, lines)."""
from report_data import FOLDED, IN_CACHE, NOISE, fmt_ratio, ratio

# DeepSpeed's CPU Adam form against the edgeopt kernel of the same width.
DEEPSPEED_PEERS = (("avx512", "deepspeed_avx512"), ("avx2", "deepspeed_avx2"))
LOW_PRECISION_ISAS = ("avx2", "avx512")


def stream_roof(r):
    """Out of cache: the default kernel at >= 0.9 of its own streams roof (bytes counted alike)."""
    lines, met = [], True
    for case in r.cases:
        d = r.edgeopt(case, "16M")
        if d is None:
            continue
        bw = d * r.bytes_per_param(case)
        t = ratio(bw, r.roof_bandwidth("triad", case, "16M"))
        s = ratio(bw, r.roof_bandwidth("streams", case, "16M"))
        ok = s is not None and s >= 0.9
        met &= ok
        lines.append("%s %s: %.1f GB/s = %s × its streams roof, %s × triad" % (
            "ok  " if ok else "MISS", case, bw / 1e9, fmt_ratio(s), fmt_ratio(t)))
    return ("16M: default kernel ≥ 0.9 × the optimizer's own streams roof", met, lines) if lines else None


def deepspeed_form(r):
    """>= 1.0x DeepSpeed's Adam form at every size, kernel for kernel; the
    torch-exact step is the goal, the folded form is listed beside it."""
    lines, met = [], True
    for case in r.cases:
        torch_case = case[:-len(FOLDED)] if case.endswith(FOLDED) else case
        for kernel, peer in DEEPSPEED_PEERS:
            for shape in r.shapes:
                x = ratio(r.opt.get((case, kernel, shape)), r.peer.get((torch_case, peer, shape)))
                if x is None:
                    continue
                ok = x >= 1.0
                if case == torch_case:
                    met &= ok
                lines.append("%s %s %s %s: %.2f× %s%s" % (
                    "ok  " if ok else ("MISS" if case == torch_case else "(opt-in)"), case, kernel, shape, x, peer,
                    spread_note(r, case, torch_case, kernel, peer, shape)))
    return ("≥ 1.0× DeepSpeed's CPU Adam form at every size, on AVX-512 and AVX2", met, lines) if lines else None


def spread_note(r, case, torch_case, kernel, peer, shape):
    """The ratio's range over the repetitions: slowest edgeopt ÷ fastest peer .. fastest ÷ slowest."""
    a, b = r.spread.get(("opt", case, kernel, shape)), r.spread.get(("peer", torch_case, peer, shape))
    if not a or not b:
        return ""
    return " (repetitions %.2f–%.2f×)" % (a[0] / b[1], a[1] / b[0])


def plain_loop(r):
    """>= 1.2x the plain loop in cache, never slower at any size.  A miss by
    less than NOISE (the spread of repeated A/B runs of identical code on a
    shared 2-core machine) is listed apart."""
    if "plain" not in r.peers:
        return None
    lines, met, within = [], True, []
    for case in r.cases:
        for shape in r.shapes:
            kernel = r.default_kernel(case)
            x = ratio(r.edgeopt(case, shape), r.peer.get((case, "plain", shape)))
            if x is None:
                continue
            need = 1.2 if shape in IN_CACHE else 1.0
            if x >= need:
                continue
            met = False
            cv = max(r.cv.get(("opt", case, kernel, shape), 0.0), r.cv.get(("peer", case, "plain", shape), 0.0))
            text = "%s %s: %.2f× plain (needs ≥ %.1f×; cv %.0f%%)" % (case, shape, x, need, 100 * cv)
            (within if x >= need * (1 - NOISE) else lines).append(text)
    best_misses = []
    for case in r.cases:
        for shape in r.shapes:
            best, kernel = r.best_kernel(case, shape)
            x = ratio(best, r.peer.get((case, "plain", shape)))
            if x is not None and x < (1.2 if shape in IN_CACHE else 1.0) * (1 - NOISE):
                best_misses.append("%s %s %.2f× (%s)" % (case, shape, x, kernel))
    lines = ["MISS " + t for t in lines] + ["miss by < %d%%: " % (100 * NOISE) + t for t in within]
    lines.append("all other (optimizer, size) pairs meet it" if lines else "every (optimizer, size) pair meets it")
    lines.append("with the fastest kernel instead of the default, misses by ≥ %d%%: %s" % (
        100 * NOISE, "; ".join(best_misses) if best_misses else "none"))
    return ("≥ 1.2× the -O3 -march=native plain loop in cache (4K, 64K), never slower at any size", met, lines)


def over_scalar(r):
    lines, met = [], True
    for case in r.cases:
        for shape in r.shapes:
            s = r.opt.get((case, "scalar", shape))
            for k in r.kernels:
                x = ratio(r.opt.get((case, k, shape)), s)
                if k != "scalar" and x is not None and x < 1.0:
                    met = False
                    lines.append("MISS %s %s %s: %.2f× scalar" % (case, shape, k, x))
    found = ((ratio(r.opt.get((c, k, sh)), r.opt.get((c, "scalar", sh))), c, k, sh)
             for c in r.cases for sh in r.shapes for k in r.kernels if k != "scalar")
    slowest = min((x for x in found if x[0] is not None), default=None)
    if slowest:
        lines.append("closest: %s %s %s at %.2f× scalar" % (slowest[1], slowest[3], slowest[2], slowest[0]))
    return ("No kernel slower than scalar anywhere", met, lines)


def low_precision(r):
    """Adam against its float32 step on the same kernel: out of cache bf16
    state >= 1.25x and q8 state >= 1.2x; in cache every storage variant
    >= 0.8x; bf16 parameters and gradients >= 1.0x from 1M up."""
    goals = [(v, "16M", need) for v, need in (("bf16_state", 1.25), ("q8_state", 1.2))]
    goals += [(v, shape, 0.8) for shape in IN_CACHE for v in sorted({k[1] for k in r.dtype if k[1] != "f32"})]
    goals += [("bf16_params", shape, 1.0) for shape in ("1M", "16M")]
    lines, met = [], True
    for variant, shape, need in goals:
        for kernel in LOW_PRECISION_ISAS:
            x = ratio(r.dtype.get(("adam", variant, kernel, shape)), r.dtype.get(("adam", "f32", kernel, shape)))
            if x is None:
                continue
            ok = x >= need
            met &= ok
            lines.append("%s adam %s %s %s: %.2f× float32 (needs ≥ %.2f×)" % ("ok  " if ok else "MISS", variant,
                                                                             shape, kernel, x, need))
    return ("Low-precision storage pays for Adam (issue 15's goals)", met, lines) if lines else None


def targets(r):
    checks = (stream_roof(r), deepspeed_form(r), plain_loop(r), over_scalar(r), low_precision(r))
    return [c for c in checks if c is not None]
