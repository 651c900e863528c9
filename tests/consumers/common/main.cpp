// SPDX-License-Identifier: Apache-2.0
// The C++ layer (edgeopt.hpp, C++17) and the C checks from one C++ program.
#include <edgeopt/edgeopt.hpp>

extern "C" int edgeopt_consumer_check(void);

alignas(64) static unsigned char arena[edgeopt::arena_bytes(1, {4})];

int main() {
    float params[4] = {1, 2, 3, 4};
    const float grads[4] = {1, 1, 1, 1};
    edgeopt::config config = edgeopt::defaults(EDGEOPT_SGD);
    config.sgd.lr = 0.25;
    config.sgd.momentum = 0.5;
    edgeopt::optimizer opt;
    if (opt.init(config, {4}, arena) != EDGEOPT_OK) return 1;
    const edgeopt::tensor tensors[] = {edgeopt_tensor_f32(params, grads, 4)};
    if (opt.step(tensors) != EDGEOPT_OK || params[0] != 0.75f || params[3] != 3.75f) return 1;
    return edgeopt_consumer_check();
}
