// SPDX-License-Identifier: Apache-2.0
// Bad input on the board: every named error, its message, and that the call
// changed nothing (parameters, state, step count).  Also what this board's
// build says about its kernels.
#include <cstring>

#include "check.h"
#include "spec.hpp"

namespace {

struct bad_spec {
    const char* spec;
    edgeopt_status status;
};

// One line per hyper-parameter rule (torch's names; "inf" and "nan" are strtod's).
const bad_spec bad_specs[] = {
    {"sgd", EDGEOPT_ERR_LR_REQUIRED},
    {"sgd lr=-0.1", EDGEOPT_ERR_INVALID_LR},
    {"sgd lr=0.1 momentum=-1", EDGEOPT_ERR_INVALID_MOMENTUM},
    {"sgd lr=0.1 dampening=inf", EDGEOPT_ERR_INVALID_DAMPENING},
    {"sgd lr=0.1 nesterov=true", EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM},
    {"sgd lr=0.1 momentum=0.9 dampening=0.1 nesterov=true", EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM},
    {"sgd lr=0.1 weight_decay=-1", EDGEOPT_ERR_INVALID_WEIGHT_DECAY},
    {"adagrad lr_decay=-1", EDGEOPT_ERR_INVALID_LR_DECAY},
    {"adagrad initial_accumulator_value=-1", EDGEOPT_ERR_INVALID_INITIAL_ACCUMULATOR},
    {"adagrad eps=nan", EDGEOPT_ERR_INVALID_EPS},
    {"rmsprop alpha=-0.5", EDGEOPT_ERR_INVALID_ALPHA},
    {"rmsprop momentum=inf", EDGEOPT_ERR_INVALID_MOMENTUM},
    {"adadelta rho=1.5", EDGEOPT_ERR_INVALID_RHO},
    {"adam lr=nan", EDGEOPT_ERR_INVALID_LR},
    {"adam betas=1,0.999", EDGEOPT_ERR_INVALID_BETA1},
    {"adamw betas=0.9,-0.1", EDGEOPT_ERR_INVALID_BETA2},
    {"adamax eps=-1e-8", EDGEOPT_ERR_INVALID_EPS},
    {"nadam momentum_decay=-1", EDGEOPT_ERR_INVALID_MOMENTUM_DECAY},
    {"radam weight_decay=inf", EDGEOPT_ERR_INVALID_WEIGHT_DECAY},
    {"lion betas=1.5,0.99", EDGEOPT_ERR_INVALID_BETA1},
    {"rprop etas=0.5,1", EDGEOPT_ERR_INVALID_ETAS},
    {"rprop step_sizes=1e-6,inf", EDGEOPT_ERR_INVALID_STEP_SIZES},
    {"asgd lambd=-1", EDGEOPT_ERR_INVALID_LAMBD},
    {"asgd t0=nan", EDGEOPT_ERR_INVALID_T0},
};

bool has_message(edgeopt_status status) {
    const char* message = edgeopt_status_message(status);
    return message && message[0] != '\0' && std::strcmp(message, "unknown status") != 0;
}

void check_bad_specs() {
    const std::size_t length = 4;
    alignas(64) static unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, 4)];
    for (const bad_spec& bad : bad_specs) {
        check_context("%s", bad.spec);
        edgeopt_config config;
        if (!CHECK(firmware::parse_spec(bad.spec, config) == nullptr)) continue;
        edgeopt_optimizer opt;
        std::memset(&opt, 0, sizeof opt);
        CHECK(edgeopt_validate(&config) == bad.status);
        CHECK(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == bad.status);
        CHECK(edgeopt_state_bytes(&config, &length, 1) == 0);
        CHECK(edgeopt_step_count(&opt) == 0 && has_message(bad.status));
    }
}

// A working Adam optimizer over two tensors, and what a failed call must not change.
struct fixture {
    float a[5] = {1, -2, 3, -4, 5}, b[3] = {0.5f, 0.25f, -1};
    float grad_a[5] = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f}, grad_b[3] = {1, -1, 1};
    std::size_t lengths[2] = {5, 3};
    alignas(64) unsigned char arena[EDGEOPT_ARENA_BYTES(2, 2, 8)];
    edgeopt_optimizer opt;
    edgeopt_tensor tensors[2] = {{a, grad_a, 5}, {b, grad_b, 3}};
    unsigned char snapshot[sizeof arena];
    float params_snapshot[8];

    fixture() {
        const edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
        CHECK(edgeopt_init(&opt, &config, lengths, 2, arena, sizeof arena) == EDGEOPT_OK);
        CHECK(edgeopt_step(&opt, tensors, 2) == EDGEOPT_OK);
        std::memcpy(snapshot, arena, sizeof arena);
        std::memcpy(params_snapshot, a, sizeof a);
        std::memcpy(params_snapshot + 5, b, sizeof b);
    }
    bool unchanged() const {
        return std::memcmp(snapshot, arena, sizeof arena) == 0 && std::memcmp(params_snapshot, a, sizeof a) == 0 &&
               std::memcmp(params_snapshot + 5, b, sizeof b) == 0 && edgeopt_step_count(&opt) == 1;
    }
    // The call must fail with `want`, have a message, and change nothing.
    void expect(edgeopt_status got, edgeopt_status want, const char* what) {
        check_context("%s: got %d", what, int(got));
        CHECK(got == want && has_message(got) && unchanged());
    }
};

void check_misuse() {
    static fixture f;
    edgeopt_tensor t[2] = {f.tensors[0], f.tensors[1]};
    f.expect(edgeopt_step(nullptr, t, 2), EDGEOPT_ERR_NULL_POINTER, "step(NULL)");
    f.expect(edgeopt_step(&f.opt, nullptr, 2), EDGEOPT_ERR_NULL_POINTER, "step(tensors NULL)");
    f.expect(edgeopt_step(&f.opt, t, 1), EDGEOPT_ERR_TENSOR_COUNT_MISMATCH, "one tensor of two");
    t[1].length = 4;
    f.expect(edgeopt_step(&f.opt, t, 2), EDGEOPT_ERR_LENGTH_MISMATCH, "a longer second tensor");
    t[1] = f.tensors[1];
    t[1].grad = nullptr;
    f.expect(edgeopt_step(&f.opt, t, 2), EDGEOPT_ERR_NULL_POINTER, "a NULL gradient");
    t[1].grad = f.b;
    f.expect(edgeopt_step(&f.opt, t, 2), EDGEOPT_ERR_OVERLAP, "gradient == parameter");
    t[1] = f.tensors[1];
    t[0].param = reinterpret_cast<float*>(f.arena + 64);
    f.expect(edgeopt_step(&f.opt, t, 2), EDGEOPT_ERR_OVERLAP, "a parameter inside the arena");
    t[0] = f.tensors[0];

    edgeopt_config amsgrad = edgeopt_defaults(EDGEOPT_ADAM);
    amsgrad.adam.amsgrad = true;
    f.expect(edgeopt_set_config(&f.opt, &amsgrad), EDGEOPT_ERR_LAYOUT_CHANGE, "amsgrad needs a third slot");
    f.expect(edgeopt_set_lr(&f.opt, -1.0), EDGEOPT_ERR_INVALID_LR, "set_lr(-1)");
    f.expect(edgeopt_set_isa(&f.opt, static_cast<edgeopt_isa>(99)), EDGEOPT_ERR_UNKNOWN_ISA, "ISA 99");
    f.expect(edgeopt_set_isa(&f.opt, EDGEOPT_ISA_AVX2), EDGEOPT_ERR_ISA_UNAVAILABLE, "AVX2 on a Cortex-M");

    const edgeopt_config adam = edgeopt_defaults(EDGEOPT_ADAM);
    edgeopt_optimizer other;
    const std::size_t length = 5;
    f.expect(edgeopt_init(&other, &adam, &length, 0, f.arena + 1, 8), EDGEOPT_ERR_NO_TENSORS, "init with 0 tensors");
    f.expect(edgeopt_init(&other, &adam, &length, 1, f.snapshot, 64), EDGEOPT_ERR_ARENA_TOO_SMALL, "a 64-byte arena");
    alignas(8) unsigned char scratch[256];
    std::size_t* lengths_in_arena = reinterpret_cast<std::size_t*>(scratch + 128);
    *lengths_in_arena = 5;
    f.expect(edgeopt_init(&other, &adam, lengths_in_arena, 1, scratch, sizeof scratch), EDGEOPT_ERR_OVERLAP,
             "lengths inside the arena");
    edgeopt_config unknown = adam;
    unknown.algorithm = static_cast<edgeopt_algorithm>(99);
    f.expect(edgeopt_validate(&unknown), EDGEOPT_ERR_UNKNOWN_ALGORITHM, "algorithm 99");
    std::memset(&other, 0, sizeof other);
    f.expect(edgeopt_step(&other, t, 2), EDGEOPT_ERR_NOT_INITIALIZED, "step before init");
}

// What the build and the core offer: the M55 has Helium (default, not bit-exact), the M4 only scalar.
void check_board_kernels() {
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
    const bool helium = true;
#else
    const bool helium = false;
#endif
    check_context("kernels on this board");
    CHECK(edgeopt_isa_available(EDGEOPT_ISA_SCALAR) && edgeopt_isa_bit_exact(EDGEOPT_ISA_SCALAR));
    CHECK(edgeopt_isa_available(EDGEOPT_ISA_HELIUM) == helium);
    CHECK(!edgeopt_isa_bit_exact(EDGEOPT_ISA_HELIUM));
    CHECK(edgeopt_isa_default(EDGEOPT_ADAM) == (helium ? EDGEOPT_ISA_HELIUM : EDGEOPT_ISA_SCALAR));
    for (int isa = EDGEOPT_ISA_SSE2; isa <= EDGEOPT_ISA_NEONV7; ++isa)
        CHECK(!edgeopt_isa_available(static_cast<edgeopt_isa>(isa)));
}

}  // namespace

int main() {
    check_bad_specs();
    check_misuse();
    check_board_kernels();
    return check_summary("errors");
}
