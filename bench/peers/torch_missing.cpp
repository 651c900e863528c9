// SPDX-License-Identifier: Apache-2.0
// Built instead of torch.cpp when CMake does not find libtorch.
#include "peers/peers.hpp"

namespace bench {

bool torch_available() { return false; }
std::unique_ptr<stepper> make_torch(const optimizer_case&, workload&) { return nullptr; }

}  // namespace bench
