// SPDX-License-Identifier: Apache-2.0
// What users would otherwise run, for the same option sets and data:
//   plain  the loop a user writes from torch's formulas, -O3 -march=native,
//          the compiler free to vectorise and contract (plain.cpp);
//   eigen  Eigen 3.4 array expressions, one statement per formula line (eigen.cpp);
//   torch  libtorch's CPU optimizers, one thread (torch.cpp; optional);
//   deepspeed_avx512, deepspeed_avx2  DeepSpeed's CPU Adam form as a plain
//          loop: bias corrections folded, one divide (deepspeed_form.cpp).
#pragma once
#include <memory>

#include "cases.hpp"
#include "workload.hpp"

namespace bench {

// One optimizer instance of a peer over a workload; step() is what is timed.
// plain and eigen keep state in the workload's state_slots(c) buffers;
// torch keeps its own.
class stepper {
public:
    virtual ~stepper() = default;
    virtual void step() = 0;
};

// Null when the peer has no implementation of the case.
std::unique_ptr<stepper> make_plain(const optimizer_case& c, workload& w);
std::unique_ptr<stepper> make_plain_no_errno(const optimizer_case& c, workload& w);
std::unique_ptr<stepper> make_eigen(const optimizer_case& c, workload& w);
std::unique_ptr<stepper> make_torch(const optimizer_case& c, workload& w);
std::unique_ptr<stepper> make_deepspeed_avx512(const optimizer_case& c, workload& w);
std::unique_ptr<stepper> make_deepspeed_avx2(const optimizer_case& c, workload& w);
// False when built without libtorch (then make_torch returns null).
bool torch_available();

// The peers were written for the ten algorithms up to Lion; a later one has
// no peer until someone writes it (the factories return null).
inline bool peers_implement(edgeopt_algorithm algorithm) { return algorithm <= EDGEOPT_LION; }

}  // namespace bench
