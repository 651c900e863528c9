#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turns an edgeopt-bench JSON file into README material.

    python3 bench/report.py bench/results/<host>.json [--out DIR]

writes DIR/README-table.md (machine, tables, the targets checked) and
DIR/performance.svg (a hand-written plot: no numpy or matplotlib needed).
DIR defaults to the JSON file's folder.  Standard library only.

Reads medians when the run had repetitions (--benchmark_repetitions with
--benchmark_report_aggregates_only), else the single runs.  Benchmark names
are those of bench/benchmarks.hpp.
"""
import argparse
import math
import os
import sys

from report_checks import targets
from report_data import (CASE_ORDER, FOLDED, KERNELS, ROOF_ISAS, SHAPES, Results, fmt_bytes, fmt_rate, fmt_ratio,
                         load, ratio)

def machine_section(r):
    c = r.context
    caches = ", ".join("L%d%s %d KiB%s" % (x["level"], {"Data": "d", "Instruction": "i"}.get(x["type"], ""),
                                           x["size"] // 1024, " (shared by %d)" % x["num_sharing"] if x["num_sharing"] > 1 else "")
                       for x in c.get("caches", []))
    lines = [
        "| | |",
        "|---|---|",
        "| CPU | %s, %s cores visible, %s MHz (as reported) |" % (c.get("cpu_model"), c.get("num_cpus"),
                                                                 c.get("mhz_per_cpu")),
        "| caches | %s |" % caches,
        "| kernels on this host | %s |" % c.get("kernels"),
        "| compiler | %s |" % c.get("compiler"),
        "| library flags | `%s` |" % c.get("library_flags"),
        "| peer flags | `%s` |" % c.get("peer_flags"),
        "| libtorch | %s |" % c.get("torch"),
        "| pinned to CPU | %s |" % c.get("affinity"),
        "| load average at start | %s |" % ", ".join("%.2f" % x for x in c.get("load_avg", [])),
        "| date, host | %s, %s |" % (c.get("date"), c.get("host_name")),
        "| timing | median of repetitions (error bars: slowest and fastest), CPU time; state warm (2 steps before "
        "timing, RAdam 5); repetitions interleaved at random |",
    ]
    return "\n".join(lines)


def kernel_table(r):
    head = ["optimizer", "size", "default"] + r.kernels + ["B/param", "GB/s", "× triad", "× streams",
                                                          "× compute", "× roofline"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in r.cases:
        for shape in r.shapes:
            d = r.edgeopt(case, shape)
            cells = [case, shape, r.default_kernel(case)]
            cells += [fmt_rate(r.opt.get((case, k, shape))) for k in r.kernels]
            bw = d * r.bytes_per_param(case) if d else None
            cells += [str(r.bytes_per_param(case)), "%.1f" % (bw / 1e9) if bw else "–",
                      fmt_ratio(ratio(bw, r.roof_bandwidth("triad", case, shape))),
                      fmt_ratio(ratio(bw, r.roof_bandwidth("streams", case, shape))),
                      fmt_ratio(ratio(d, r.roof_compute(case))),
                      fmt_ratio(ratio(d, r.roofline(case, shape)))]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


DTYPE_VARIANTS = ["f32", "bf16_state", "f16_state", "q8_state", "bf16_params", "bf16_all", "bf16_q8", "f16_params"]


def dtype_table(r):
    """Low-precision rows: params/s per storage variant, and its ratio to float32 on the same kernel."""
    cases = [c for c in CASE_ORDER if any(k[0] == c for k in r.dtype)]
    kernels = [k for k in KERNELS if any(key[2] == k for key in r.dtype)]
    shapes = [s for s in SHAPES if any(key[3] == s for key in r.dtype)]
    variants = [v for v in DTYPE_VARIANTS if any(key[1] == v for key in r.dtype)]
    head = ["optimizer", "kernel", "size"] + variants
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in cases:
        for kernel in kernels:
            for shape in shapes:
                base = r.dtype.get((case, "f32", kernel, shape))
                if base is None:
                    continue
                cells = [case, kernel, shape]
                for v in variants:
                    x = r.dtype.get((case, v, kernel, shape))
                    cells.append(fmt_rate(x) if v == "f32" else "%s (%s)" % (fmt_rate(x), fmt_ratio(ratio(x, base))))
                rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def peer_table(r):
    head = ["optimizer", "size", "edgeopt"] + ["%s" % p for p in r.peers] + \
           ["edgeopt ÷ %s" % p for p in r.peers]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in r.cases:
        for shape in r.shapes:
            d = r.edgeopt(case, shape)
            peers = [r.peer.get((case, p, shape)) for p in r.peers]
            cells = [case, shape, fmt_rate(d)] + [fmt_rate(x) for x in peers] + \
                    [fmt_ratio(ratio(d, x)) for x in peers]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def folded_table(r):
    """The opt-in folded form against the torch-exact step, kernel for kernel."""
    pairs = [(c[:-len(FOLDED)], c) for c in r.cases if c.endswith(FOLDED) and c[:-len(FOLDED)] in r.cases]
    kernels = [k for k in ("avx2", "avx512") if k in r.kernels]
    head = ["optimizer", "size"] + ["folded ÷ torch form, %s" % k for k in kernels]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for torch_case, case in pairs:
        for shape in r.shapes:
            cells = [torch_case, shape] + [fmt_ratio(ratio(r.opt.get((case, k, shape)), r.opt.get((torch_case, k, shape))))
                                           for k in kernels]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def roof_table(r):
    head = ["slots", "size", "footprint"] + ["%s %s GB/s" % (k, isa) for k in ("copy", "triad", "streams")
                                             for isa in ROOF_ISAS]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    totals = {"4K": 1 << 12, "64K": 1 << 16, "1M": 1 << 20, "16M": 1 << 24}
    for slots in range(4):
        for shape in r.shapes:
            if not any((k, slots, shape) in r.stream for k in ("copy", "triad", "streams")):
                continue
            n = totals.get(shape)
            foot = fmt_bytes(n * 4 * (2 + slots)) if n else "model's"
            cells = [str(slots), shape, foot]
            for kind in ("copy", "triad", "streams"):
                for isa in ROOF_ISAS:
                    x = r.stream.get((kind, slots, shape), {}).get(isa)
                    cells.append("%.1f" % (x / 1e9) if x else "–")
            rows.append("| " + " | ".join(cells) + " |")
    head2 = ["optimizer", "ops per element"] + ["compute %s" % isa for isa in ROOF_ISAS]
    rows2 = ["| " + " | ".join(head2) + " |", "|" + "---|" * len(head2)]
    for case in r.cases:
        rows2.append("| " + " | ".join([case, r.context.get("ops/" + case, "")] +
                                       [fmt_rate(r.compute.get(case, {}).get(isa)) for isa in ROOF_ISAS]) + " |")
    return "\n".join(rows) + "\n\nCompute bound (params/s, values in registers):\n\n" + "\n".join(rows2)


def svg_plot(r, path):
    """One panel per size: params/s of edgeopt (default kernel) and the peers,
    log scale, with the roofline (min of compute and streams bound) as a tick."""
    colors = ["#ff7f0e", "#ffbb78", "#2ca02c", "#d62728", "#9467bd", "#c5b0d5"]
    series = [("edgeopt", "#1f77b4")] + list(zip(r.peers, colors))
    keys = [lambda case, shape: ("opt", case, r.default_kernel(case), shape)] + \
        [lambda case, shape, p=p: ("peer", case, p, shape) for p in r.peers]
    width, left, top, panel_h, gap = 1400, 70, 40, 190, 55
    height = top + len(r.shapes) * (panel_h + gap) + 30
    group_w = (width - left - 20) / max(1, len(r.cases))
    bar_w = group_w * 0.8 / len(series)
    lo, hi = 1e7, 1e11

    def y_of(v, y0):
        v = min(max(v, lo), hi)
        return y0 + panel_h - panel_h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
           % (width, height), '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">edgeopt vs peers, parameters/second (log scale); '
           'black tick = roofline, whiskers = slowest..fastest repetition; %s</text>'
           % (left, esc(r.context.get("cpu_model", "")))]
    for i, (name, color) in enumerate(series):
        out.append('<rect x="%d" y="24" width="10" height="10" fill="%s"/><text x="%d" y="33">%s</text>'
                   % (left + i * 140, color, left + 14 + i * 140, esc(name)))
    for pi, shape in enumerate(r.shapes):
        y0 = top + pi * (panel_h + gap)
        out.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>' % (left, y0 - 4, shape))
        for decade in range(7, 12):
            y = y_of(10 ** decade, y0)
            out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, width - 20, y, y))
            out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (
                left - 4, y + 4, {7: "10M", 8: "100M", 9: "1G", 10: "10G", 11: "100G"}[decade]))
        for ci, case in enumerate(r.cases):
            x0 = left + ci * group_w + group_w * 0.1
            values = [r.edgeopt(case, shape)] + [r.peer.get((case, p, shape)) for p in r.peers]
            for si, ((name, color), v, key) in enumerate(zip(series, values, keys)):
                if not v:
                    continue
                y = y_of(v, y0)
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s %s: %s/s'
                           '</title></rect>' % (x0 + si * bar_w, y, bar_w - 1, y0 + panel_h - y, color, case,
                                                 shape, name, fmt_rate(v)))
                spread = r.spread.get(key(case, shape))
                if spread:
                    xm = x0 + si * bar_w + (bar_w - 1) / 2
                    out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#333" stroke-width="1"/>'
                               % (xm, xm, y_of(spread[1], y0), y_of(spread[0], y0)))
            roof = r.roofline(case, shape)
            if roof:
                y = y_of(roof, y0)
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black" stroke-width="2"/>'
                           % (x0 - 2, x0 + len(series) * bar_w + 1, y, y))
            out.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="10">%s</text>'
                       % (x0 + len(series) * bar_w / 2, y0 + panel_h + 14, esc(case)))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json")
    parser.add_argument("--out", help="output folder (default: the JSON file's)")
    args = parser.parse_args()
    context, runs = load(args.json)
    r = Results(context, runs)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.json))
    os.makedirs(out_dir, exist_ok=True)
    svg_path = os.path.join(out_dir, "performance.svg")
    svg_plot(r, svg_path)

    checks = targets(r)
    md = ["<!-- Generated by bench/report.py from %s; do not edit. -->" % os.path.basename(args.json),
          "", "### Machine", "", machine_section(r), "",
          "![edgeopt vs peers](performance.svg)", "",
          "### Targets", ""]
    for title, met, lines in checks:
        md.append("- **%s**: %s" % (title, "met" if met else "missed"))
        md += ["  - " + line for line in lines]
    md += ["", "### Kernels and roofline", "",
           "Parameters per second for each kernel (forced with `edgeopt_set_isa`); `default` is what "
           "`EDGEOPT_ISA_AUTO` picks, and the columns after B/param are for it. GB/s counts what a step "
           "must move: read p, g and every state slot, write p and every slot. × triad and × streams divide "
           "it by the STREAM Triad bandwidth and by the bandwidth of a loop with the optimizer's own streams "
           "and no arithmetic, each over the same footprint, every loop's bytes counted alike: what crosses "
           "the memory bus, so Triad counts 16 B per element (read b and c, the write-allocate read of a, "
           "write a) where STREAM itself counts 12, and Copy 12 where STREAM counts 8. × compute divides "
           "params/s by the in-register op-mix bound; × roofline by min(compute, streams).", "", kernel_table(r), "",
           "### Against what users would otherwise run", "",
           "Parameters per second; `edgeopt ÷ peer` above 1 means edgeopt is faster. plain: the loop a user "
           "writes from torch's formulas, -O3 -march=native (GCC keeps std::sqrt scalar under errno rules); "
           "plain_no_errno: the same with -fno-math-errno; eigen: Eigen 3.4 arrays, one statement per formula "
           "line (EIGEN_FAST_MATH's default approximate sqrt); torch: libtorch's optimizer step, one thread; "
           "deepspeed_avx512 and deepspeed_avx2: DeepSpeed's CPU Adam form (bias corrections folded, one "
           "divide, unrolled eight vectors) as a plain loop, -O3 -march=native -fno-math-errno at 512 and "
           "256 bits (bench/peers/deepspeed_form.cpp); it is not torch's rounding order.",
           "", peer_table(r), "", "### The folded form (opt-in, not torch-bit-exact)", "",
           "Parameters per second of the folded form over the torch-exact step on the same kernel "
           "(README, \"Folded form\").", "", folded_table(r), "", "### Low-precision storage", "",
           "Parameters per second with bf16/f16/q8 optimizer state and bf16 parameters and gradients "
           "(`bf16_all`: bf16 parameters, gradients and state; `bf16_q8`: bf16 tensors, q8 state), and in "
           "brackets the ratio to the float32 step on the same kernel and size.", "", dtype_table(r), "",
           "### Roofline measurements", "", roof_table(r), ""]
    md_path = os.path.join(out_dir, "README-table.md")
    with open(md_path, "w") as f:
        f.write("\n".join(md))

    print("machine: %s; compiler: %s" % (context.get("cpu_model"), context.get("compiler")))
    print("library flags: %s" % context.get("library_flags"))
    print("peer flags: %s" % context.get("peer_flags"))
    for title, met, lines in checks:
        print("%s: %s" % (title, "met" if met else "MISSED"))
        for line in lines:
            print("    " + line)
    print("wrote %s and %s" % (md_path, svg_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
