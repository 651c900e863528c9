// SPDX-License-Identifier: Apache-2.0
#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "cases.hpp"
#include "peers/peers.hpp"
#include "workload.hpp"

namespace bench {

namespace {

constexpr unsigned check_steps = 12;  // past RAdam's rectification at step 6

// Parameters after check_steps of edgeopt (scalar reference) from the workload's start.
std::vector<float> reference(const optimizer_case& c, const std::vector<std::size_t>& lengths) {
    workload w(lengths, 0);
    const std::size_t bytes = edgeopt_state_bytes(&c.config, w.lengths().data(), w.count());
    float_buffer arena(bytes / sizeof(float) + 1);
    edgeopt_optimizer opt;
    edgeopt_init(&opt, &c.config, w.lengths().data(), w.count(), arena.data(), bytes);
    edgeopt_set_isa(&opt, EDGEOPT_ISA_SCALAR);
    for (unsigned i = 0; i < check_steps; ++i) edgeopt_step(&opt, w.tensors().data(), w.count());
    return std::vector<float>(w.param(0), w.param(0) + w.total());
}

}  // namespace

int check_peers() {
    const std::vector<std::size_t> lengths = {1000};
    int failures = 0;
    std::printf("%-14s %-15s %12s %12s\n", "case", "peer", "max |diff|", "max |update|");
    for (const optimizer_case& c : optimizer_cases()) {
        const std::vector<float> expected = reference(c, lengths);
        const workload start(lengths, 0);
        float update = 0.0f;
        for (std::size_t i = 0; i < expected.size(); ++i)
            update = std::max(update, std::fabs(expected[i] - start.param(0)[i]));
        struct {
            const char* name;
            std::unique_ptr<stepper> (*make)(const optimizer_case&, workload&);
            unsigned slots;
        } const peers[] = {{"plain", make_plain, state_slots(c)},
                           {"plain_no_errno", make_plain_no_errno, state_slots(c)},
                           {"eigen", make_eigen, state_slots(c)},
                           {"torch", make_torch, 0}};
        for (const auto& peer : peers) {
            workload w(lengths, peer.slots);
            std::unique_ptr<stepper> s = peer.make(c, w);
            if (!s) continue;
            for (unsigned i = 0; i < check_steps; ++i) s->step();
            float diff = 0.0f;
            for (std::size_t i = 0; i < expected.size(); ++i)
                diff = std::max(diff, std::fabs(w.param(0)[i] - expected[i]));
            // Peers round differently (contraction, Eigen's approximate sqrt),
            // never by more than a small part of what the steps moved.
            const bool ok = diff <= 1e-3f * update && update > 0.0f;
            failures += !ok;
            std::printf("%-14s %-15s %12.3g %12.3g%s\n", c.name.c_str(), peer.name, diff, update, ok ? "" : "  MISMATCH");
        }
    }
    return failures;
}

}  // namespace bench
