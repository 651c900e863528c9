// SPDX-License-Identifier: Apache-2.0
// Shared by the checkpoint tests: an optimizer rig, bit snapshots, the
// "nothing modified" guard, image helpers and a flash-like region that can
// lose power after any byte.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "edgeopt/checkpoint.h"
#include "support.hpp"

namespace ckpt {

using bytes = std::vector<unsigned char>;

inline std::vector<std::uint32_t> bits(const float* p, std::size_t n) {
    std::vector<std::uint32_t> out(n);
    if (n) std::memcpy(out.data(), p, 4 * n);
    return out;
}

inline std::uint64_t bits(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}

// The hyper-parameters, spelled out independently of the library's encoder.
inline std::vector<std::uint64_t> config_fields(const edgeopt_config& c) {
    std::vector<double> d;
    std::vector<bool> b;
    switch (c.algorithm) {
        case EDGEOPT_SGD: d = {c.sgd.lr, c.sgd.momentum, c.sgd.dampening, c.sgd.weight_decay}, b = {c.sgd.nesterov, c.sgd.maximize}; break;
        case EDGEOPT_ADAGRAD:
            d = {c.adagrad.lr, c.adagrad.lr_decay, c.adagrad.weight_decay, c.adagrad.initial_accumulator_value, c.adagrad.eps};
            b = {c.adagrad.maximize};
            break;
        case EDGEOPT_RMSPROP:
            d = {c.rmsprop.lr, c.rmsprop.alpha, c.rmsprop.eps, c.rmsprop.weight_decay, c.rmsprop.momentum};
            b = {c.rmsprop.centered, c.rmsprop.maximize};
            break;
        case EDGEOPT_ADADELTA: d = {c.adadelta.lr, c.adadelta.rho, c.adadelta.eps, c.adadelta.weight_decay}, b = {c.adadelta.maximize}; break;
        case EDGEOPT_ADAM:
        case EDGEOPT_ADAMW: d = {c.adam.lr, c.adam.beta1, c.adam.beta2, c.adam.eps, c.adam.weight_decay}, b = {c.adam.amsgrad, c.adam.maximize}; break;
        case EDGEOPT_ADAMAX: d = {c.adamax.lr, c.adamax.beta1, c.adamax.beta2, c.adamax.eps, c.adamax.weight_decay}, b = {c.adamax.maximize}; break;
        case EDGEOPT_NADAM: d = {c.nadam.lr, c.nadam.beta1, c.nadam.beta2, c.nadam.eps, c.nadam.weight_decay, c.nadam.momentum_decay}; break;
        case EDGEOPT_RADAM: d = {c.radam.lr, c.radam.beta1, c.radam.beta2, c.radam.eps, c.radam.weight_decay}; break;
        case EDGEOPT_LION: d = {c.lion.lr, c.lion.beta1, c.lion.beta2, c.lion.weight_decay}; break;
        case EDGEOPT_RPROP:
            d = {c.rprop.lr, c.rprop.etaminus, c.rprop.etaplus, c.rprop.step_size_min, c.rprop.step_size_max};
            b = {c.rprop.maximize};
            break;
        case EDGEOPT_ASGD:
            d = {c.asgd.lr, c.asgd.lambd, c.asgd.alpha, c.asgd.t0, c.asgd.weight_decay}, b = {c.asgd.maximize};
            break;
    }
    std::vector<std::uint64_t> out{static_cast<std::uint64_t>(c.algorithm)};
    for (double x : d) out.push_back(bits(x));
    for (bool x : b) out.push_back(x);
    return out;
}

// An optimizer with its own arena and parameters; the gradient of step t
// depends only on t, so two rigs at the same step take the same step.
struct rig {
    edgeopt_config config;
    std::vector<std::size_t> lengths;
    bytes arena;
    std::vector<std::vector<float>> params, grads;
    edgeopt_optimizer opt;

    rig(const edgeopt_config& c, std::vector<std::size_t> lens) : config(c), lengths(std::move(lens)) {
        arena.assign(edgeopt_state_bytes(&config, lengths.data(), lengths.size()), 0x5A);
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            params.push_back(test::random_values(lengths[i], 100 + static_cast<std::uint32_t>(i)));
            grads.push_back(std::vector<float>(lengths[i]));
        }
        std::memset(&opt, 0, sizeof opt);
        REQUIRE(edgeopt_init(&opt, &config, lengths.data(), lengths.size(), arena.data(), arena.size()) == EDGEOPT_OK);
    }
    rig(const rig&) = delete;

    std::vector<edgeopt_tensor> tensors() {
        std::vector<edgeopt_tensor> t;
        for (std::size_t i = 0; i < lengths.size(); ++i) t.push_back({params[i].data(), grads[i].data(), lengths[i]});
        return t;
    }
    void steps(int n) {
        for (int k = 0; k < n; ++k) {
            const std::uint64_t t = edgeopt_step_count(&opt) + 1;
            for (std::size_t i = 0; i < lengths.size(); ++i)
                grads[i] = test::random_values(lengths[i], static_cast<std::uint32_t>(1000 * t + i), 2.0f);
            const std::vector<edgeopt_tensor> ts = tensors();
            REQUIRE(edgeopt_step(&opt, ts.data(), ts.size()) == EDGEOPT_OK);
        }
    }
};

// Everything a restore must bring back, as bits.
struct snapshot {
    std::uint64_t step = 0, mu = 0;
    std::vector<std::uint64_t> config;
    std::vector<std::vector<std::uint32_t>> state, params;
    bytes blob;

    bool operator==(const snapshot& o) const {
        return step == o.step && mu == o.mu && config == o.config && state == o.state && params == o.params &&
               blob == o.blob;
    }
};

inline snapshot take(const rig& r, const bytes& blob = {}) {
    snapshot s;
    s.step = edgeopt_step_count(&r.opt);
    s.mu = bits(r.opt.nadam_mu_product);
    edgeopt_config c;
    REQUIRE(edgeopt_get_config(&r.opt, &c) == EDGEOPT_OK);
    s.config = config_fields(c);
    for (std::size_t i = 0; i < r.lengths.size(); ++i) {
        for (unsigned k = 0; k < 3; ++k) {
            const float* buffer = edgeopt_state_buffer(&r.opt, i, k);
            s.state.push_back(buffer ? bits(buffer, r.lengths[i]) : std::vector<std::uint32_t>{});
        }
        s.params.push_back(bits(r.params[i].data(), r.lengths[i]));
    }
    s.blob = blob;
    return s;
}

// Every byte a failed call must leave alone.
struct untouched {
    const rig& r;
    bytes opt, arena;
    std::vector<std::vector<float>> params;
    explicit untouched(const rig& x)
        : r(x), opt(reinterpret_cast<const unsigned char*>(&x.opt), reinterpret_cast<const unsigned char*>(&x.opt + 1)),
          arena(x.arena), params(x.params) {}
    bool holds() const {
        std::vector<std::vector<std::uint32_t>> a, b;
        for (std::size_t i = 0; i < params.size(); ++i) {
            a.push_back(bits(params[i].data(), params[i].size()));
            b.push_back(bits(r.params[i].data(), r.params[i].size()));
        }
        return std::memcmp(opt.data(), &r.opt, sizeof r.opt) == 0 && arena == r.arena && a == b;
    }
};

inline edgeopt_config with_lr(edgeopt_config c, double lr) {
    rig probe(c, {1});
    REQUIRE(edgeopt_set_lr(&probe.opt, lr) == EDGEOPT_OK);
    REQUIRE(edgeopt_get_config(&probe.opt, &c) == EDGEOPT_OK);
    return c;
}

// A blob standing in for a schedule's state.
inline bytes blob_for(std::uint64_t step, std::size_t n) {
    bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(step * 37 + i * 11 + 1);
    return b;
}

inline bytes write_image(rig& r, bool with_params, const bytes& blob) {
    const std::vector<edgeopt_tensor> ts = r.tensors();
    const std::size_t size = with_params ? edgeopt_checkpoint_bytes_with_params(&r.opt, blob.size())
                                         : edgeopt_checkpoint_bytes(&r.opt, blob.size());
    bytes image(size + 8, 0xEE);
    std::size_t written = 0;
    REQUIRE(edgeopt_checkpoint_write(&r.opt, with_params ? ts.data() : nullptr, with_params ? ts.size() : 0,
                                     blob.data(), blob.size(), image.data(), image.size(), &written) == EDGEOPT_OK);
    REQUIRE(written == size);
    for (std::size_t i = size; i < image.size(); ++i) REQUIRE(image[i] == 0xEE);  // nothing past the end
    image.resize(size);
    return image;
}

// read() with parameters and a blob buffer, returning the status and the blob.
inline edgeopt_status read_image(rig& r, const bytes& image, bytes* blob_out = nullptr, bool with_params = true) {
    const std::vector<edgeopt_tensor> ts = r.tensors();
    bytes blob(256, 0xB0);
    std::size_t blob_bytes = 12345;
    static const unsigned char nothing[1] = {};
    const edgeopt_status s = edgeopt_checkpoint_read(&r.opt, with_params ? ts.data() : nullptr,
                                                     with_params ? ts.size() : 0, blob.data(), blob.size(),
                                                     &blob_bytes, image.empty() ? nothing : image.data(), image.size());
    if (s == EDGEOPT_OK && blob_out) *blob_out = bytes(blob.begin(), blob.begin() + static_cast<long>(blob_bytes));
    if (s != EDGEOPT_OK) {
        CHECK(blob_bytes == 12345);
        CHECK(std::all_of(blob.begin(), blob.end(), [](unsigned char x) { return x == 0xB0; }));
    }
    return s;
}

inline std::uint32_t le32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24; }
inline void put32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Recomputes an image's CRC after a test edits it (a "valid" foreign image).
inline void reseal(unsigned char* image) {
    const std::size_t body = (image[6] | image[7] << 8) + le32(image + 8);
    put32(image + body, edgeopt_crc32(0, image, body));
}

inline const std::vector<std::size_t> small_lengths = {3, 0, 5};

}  // namespace ckpt

// ---- The flash simulator -------------------------------------------------------

namespace ckpt {

// A flash-like region in RAM.  Erase and write spend a budget of bytes; when
// it runs out the power is cut: nothing more is stored, and the callback
// either reports failure or (like a device losing power) does not get to.
struct flash {
    bytes memory;
    long budget = -1;  // bytes left to erase or write; -1: no cut
    bool report_failure = true;
    bool with_erase = true;
    bool mapped = true;
    long fail_read = -1;     // this read call fails
    long garble_read = -1;   // this read call returns a flipped bit
    long reads = 0, spent = 0;
    bool misaligned = false, out_of_range = false;
    long record_units = -1;  // bytes spent when the commit record's write began
    std::size_t record_offset = 0;

    explicit flash(std::size_t size, unsigned char fill = 0xFF) : memory(size, fill) {}

    edgeopt_checkpoint_storage storage() {
        return {memory.size(), mapped ? memory.data() : nullptr, &flash::read, &flash::write,
                with_erase ? &flash::erase : nullptr, this};
    }
    bool spend(std::size_t offset, const unsigned char* data, std::size_t n) {
        if (offset > memory.size() || n > memory.size() - offset) return out_of_range = true, false;
        for (std::size_t i = 0; i < n; ++i, ++spent) {
            if (budget == 0) return !report_failure;
            if (budget > 0) --budget;
            memory[offset + i] = data ? data[i] : 0xFF;
        }
        return true;
    }
    static bool write(void* context, std::size_t offset, const void* data, std::size_t n) {
        flash& f = *static_cast<flash*>(context);
        if (offset % EDGEOPT_CHECKPOINT_ALIGN != 0 || n % EDGEOPT_CHECKPOINT_ALIGN != 0) f.misaligned = true;
        if (n == EDGEOPT_CHECKPOINT_COMMIT_BYTES && le32(static_cast<const unsigned char*>(data)) == EDGEOPT_CHECKPOINT_COMMIT_MAGIC)
            f.record_units = f.spent, f.record_offset = offset;
        return f.spend(offset, static_cast<const unsigned char*>(data), n);
    }
    static bool erase(void* context, std::size_t offset, std::size_t n) {
        return static_cast<flash*>(context)->spend(offset, nullptr, n);
    }
    static bool read(void* context, std::size_t offset, void* out, std::size_t n) {
        flash& f = *static_cast<flash*>(context);
        const long call = f.reads++;
        if (offset > f.memory.size() || n > f.memory.size() - offset) return f.out_of_range = true, false;
        if (call == f.fail_read) return false;
        std::memcpy(out, f.memory.data() + offset, n);
        if (call == f.garble_read && n) static_cast<unsigned char*>(out)[n / 2] ^= 0x10;
        return true;
    }
};

inline std::size_t region_for(const rig& r, std::size_t max_blob) {
    return edgeopt_checkpoint_region_bytes(edgeopt_checkpoint_bytes_with_params(&r.opt, max_blob));
}

inline edgeopt_status save(rig& r, flash& f, const bytes& blob) {
    const std::vector<edgeopt_tensor> ts = r.tensors();
    const edgeopt_checkpoint_storage s = f.storage();
    return edgeopt_checkpoint_save(&r.opt, ts.data(), ts.size(), blob.data(), blob.size(), &s);
}

inline edgeopt_status load(rig& r, flash& f, bytes* blob_out = nullptr) {
    const std::vector<edgeopt_tensor> ts = r.tensors();
    const edgeopt_checkpoint_storage s = f.storage();
    bytes blob(256, 0xB0);
    std::size_t blob_bytes = 0;
    const edgeopt_status status =
        edgeopt_checkpoint_load(&r.opt, ts.data(), ts.size(), blob.data(), blob.size(), &blob_bytes, &s);
    if (status == EDGEOPT_OK && blob_out) *blob_out = bytes(blob.begin(), blob.begin() + static_cast<long>(blob_bytes));
    return status;
}

// A fresh optimizer for the same model, with another lr (the image's must win).
struct fresh : rig {
    explicit fresh(const edgeopt_config& c, std::vector<std::size_t> lens = small_lengths)
        : rig(with_lr(c, 0.125), std::move(lens)) {}
};


// Slot geometry of a region, for tests that edit it.
struct slot_view {
    std::size_t base, image, record;
};
inline slot_view view(const flash& f, unsigned slot) {
    const std::size_t slot_bytes = f.memory.size() / 2 / EDGEOPT_CHECKPOINT_ALIGN * EDGEOPT_CHECKPOINT_ALIGN;
    const std::size_t base = slot * slot_bytes;
    const unsigned char* p = f.memory.data() + base;
    const std::size_t image = (p[6] | p[7] << 8) + le32(p + 8) + 4;
    return {base, image, base + (image + 31) / 32 * 32};
}

// After editing a committed slot: new CRC in the trailer and the record.
inline void reseal_slot(flash& f, unsigned slot) {
    const slot_view v = view(f, slot);
    reseal(f.memory.data() + v.base);
    std::memcpy(f.memory.data() + v.record + 8, f.memory.data() + v.base + v.image - 4, 4);
}


}  // namespace ckpt
