// SPDX-License-Identifier: Apache-2.0
// Checkpoints from untrusted bytes and through power cuts.  The first input
// byte picks the mode:
//   image   an image -- the rest of the input, or one the library wrote
//           with the input's edits applied -- with its CRC optionally
//           recomputed (so edited contents get past it), for image_info()
//           and read();
//           oracles: a rejected read changed nothing (optimizer, arena,
//           parameters, blob buffer); an accepted one round-trips: write()
//           then read() into a fresh optimizer gives the same bits.
//   region  the rest scripts steps, saves (cut after any byte, with or
//           without an erase callback, failing or silently stopping
//           writes), damage by the application and loads over a flash-like
//           region; oracle: after each save, load() gives the image saved
//           or exactly what it gave before the save (never an older image),
//           and a failed load changed nothing.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "edgeopt/checkpoint.h"

namespace {

using bytes = std::vector<unsigned char>;

void expect(bool ok, const char* what) {
    if (!ok) {
        __builtin_fprintf(stderr, "fuzz_checkpoint: %s\n", what);
        std::abort();
    }
}

edgeopt_config config_of(unsigned pick) {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAM);
    switch (pick % 5) {
        case 0: break;
        case 1: c.state_dtype[0] = EDGEOPT_Q8, c.state_dtype[1] = EDGEOPT_BF16; break;
        case 2: c = edgeopt_defaults(EDGEOPT_LION), c.state_dtype[0] = EDGEOPT_F16; break;
        case 3: c = edgeopt_defaults(EDGEOPT_SGD), c.sgd.lr = 0.1, c.sgd.momentum = 0.9; break;
        default: c = edgeopt_defaults(EDGEOPT_NADAM); break;
    }
    return c;
}

// An optimizer with its memory; the gradient of step t depends on t only.
struct rig {
    edgeopt_config config;
    std::vector<std::size_t> lengths{3, 0, 5};
    bytes arena;
    std::vector<std::vector<float>> params;
    edgeopt_optimizer opt;

    explicit rig(const edgeopt_config& c) : config(c) {
        arena.assign(edgeopt_state_bytes(&config, lengths.data(), lengths.size()), 0x5A);
        for (std::size_t i = 0; i < lengths.size(); ++i) params.emplace_back(lengths[i], 0.25f * float(i + 1));
        expect(edgeopt_init(&opt, &config, lengths.data(), lengths.size(), arena.data(), arena.size()) == EDGEOPT_OK,
               "init");
    }
    rig(const rig&) = delete;
    std::vector<edgeopt_tensor> tensors(std::vector<std::vector<float>>* grads = nullptr) {
        std::vector<edgeopt_tensor> t;
        for (std::size_t i = 0; i < lengths.size(); ++i)
            t.push_back({params[i].data(), grads ? (*grads)[i].data() : nullptr, lengths[i]});
        return t;
    }
    void step() {
        const std::uint64_t t = edgeopt_step_count(&opt) + 1;
        std::vector<std::vector<float>> grads;
        for (std::size_t i = 0; i < lengths.size(); ++i) grads.emplace_back(lengths[i], 0.125f * float(t % 7) - 0.3f);
        const std::vector<edgeopt_tensor> ts = tensors(&grads);
        expect(edgeopt_step(&opt, ts.data(), ts.size()) == EDGEOPT_OK, "step");
    }
    bytes memory() const {  // everything a failed call must leave alone
        bytes out(reinterpret_cast<const unsigned char*>(&opt), reinterpret_cast<const unsigned char*>(&opt + 1));
        out.insert(out.end(), arena.begin(), arena.end());
        for (const auto& p : params)
            out.insert(out.end(), reinterpret_cast<const unsigned char*>(p.data()),
                       reinterpret_cast<const unsigned char*>(p.data() + p.size()));
        return out;
    }
    bytes state() const {  // what a restore brings back, as bits (arena placement aside)
        bytes out;
        auto add = [&](const void* p, std::size_t n) {
            out.insert(out.end(), static_cast<const unsigned char*>(p), static_cast<const unsigned char*>(p) + n);
        };
        const std::uint64_t step = edgeopt_step_count(&opt);
        add(&step, sizeof step);
        add(&opt.nadam_mu_product, sizeof opt.nadam_mu_product);
        add(&opt.config, sizeof opt.config);
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            for (unsigned k = 0; k < 3; ++k) {
                std::vector<float> v(lengths[i] + 1);
                if (edgeopt_state_read(&opt, i, k, v.data()) == EDGEOPT_OK) add(v.data(), 4 * lengths[i]);
            }
            add(params[i].data(), 4 * lengths[i]);
        }
        return out;
    }
};

std::uint32_t le32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t(p[3]) << 24; }

void fuzz_image(FuzzedDataProvider& in) {
    const edgeopt_config config = config_of(in.ConsumeIntegral<std::uint8_t>());
    const bool reseal = in.ConsumeBool();
    bytes image;
    if (in.ConsumeBool()) {  // a real image, edited
        rig source(config_of(in.ConsumeIntegral<std::uint8_t>()));
        for (int k = in.ConsumeIntegralInRange<int>(0, 3); k > 0; --k) source.step();
        const bytes blob(in.ConsumeIntegralInRange<std::size_t>(0, 40), 0x3C);
        const bool with_params = in.ConsumeBool();
        const std::vector<edgeopt_tensor> ts = source.tensors();
        image.resize(edgeopt_checkpoint_bytes_with_params(&source.opt, blob.size()));
        std::size_t written = 0;
        expect(edgeopt_checkpoint_write(&source.opt, with_params ? ts.data() : nullptr, with_params ? ts.size() : 0,
                                        blob.data(), blob.size(), image.data(), image.size(), &written) == EDGEOPT_OK,
               "write");
        image.resize(written);
        for (int k = in.ConsumeIntegralInRange<int>(0, 6); k > 0 && !image.empty(); --k) {
            const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, image.size() - 1);
            image[at] ^= in.ConsumeIntegral<unsigned char>();
        }
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0) image.resize(in.ConsumeIntegralInRange<std::size_t>(0, image.size()));
    } else {
        image = in.ConsumeRemainingBytes<unsigned char>();
    }
    if (reseal && image.size() >= 16) {  // a CRC that matches whatever the sizes say
        const std::uint64_t body = std::uint64_t(image[6] | image[7] << 8) + le32(image.data() + 8);
        if (body + 4 <= image.size()) {
            const std::uint32_t crc = edgeopt_crc32(0, image.data(), body);
            for (int i = 0; i < 4; ++i) image[body + i] = static_cast<unsigned char>(crc >> (8 * i));
        }
    }
    edgeopt_checkpoint_info info;
    edgeopt_checkpoint_image_info(image.data(), image.size(), &info);

    rig r(config);
    r.step();
    bytes blob(64, 0xB0);
    const bytes before = r.memory(), blob_before = blob;
    std::size_t blob_bytes = 12345;
    const std::vector<edgeopt_tensor> ts = r.tensors();
    const edgeopt_status s = edgeopt_checkpoint_read(&r.opt, ts.data(), ts.size(), blob.data(), blob.size(),
                                                     &blob_bytes, image.data(), image.size());
    if (s != EDGEOPT_OK) {
        expect(r.memory() == before && blob == blob_before && blob_bytes == 12345, "a rejected read changed something");
        return;
    }
    expect(edgeopt_checkpoint_image_info(image.data(), image.size(), &info) == EDGEOPT_OK, "read OK, info not");
    bytes again(edgeopt_checkpoint_bytes_with_params(&r.opt, blob_bytes));
    std::size_t written = 0;
    expect(edgeopt_checkpoint_write(&r.opt, ts.data(), ts.size(), blob.data(), blob_bytes, again.data(), again.size(),
                                    &written) == EDGEOPT_OK,
           "write after read");
    rig copy(config);
    bytes blob_copy(64);
    const std::vector<edgeopt_tensor> tc = copy.tensors();
    expect(edgeopt_checkpoint_read(&copy.opt, tc.data(), tc.size(), blob_copy.data(), blob_copy.size(), nullptr,
                                   again.data(), written) == EDGEOPT_OK,
           "round trip read");
    expect(copy.state() == r.state() && std::memcmp(blob_copy.data(), blob.data(), blob_bytes) == 0,
           "round trip differs");
}

// A flash-like region: writes spend a byte budget; at 0 the power is cut.
struct flash {
    bytes memory;
    long budget = -1;
    bool report_failure = true, with_erase = true, mapped = true;
    static bool write(void* c, std::size_t at, const void* data, std::size_t n) { return spend(c, at, data, n); }
    static bool erase(void* c, std::size_t at, std::size_t n) { return spend(c, at, nullptr, n); }
    static bool read(void* c, std::size_t at, void* out, std::size_t n) {
        const flash& f = *static_cast<flash*>(c);
        expect(at <= f.memory.size() && n <= f.memory.size() - at, "read out of range");
        std::memcpy(out, f.memory.data() + at, n);
        return true;
    }
    static bool spend(void* c, std::size_t at, const void* data, std::size_t n) {
        flash& f = *static_cast<flash*>(c);
        expect(at <= f.memory.size() && n <= f.memory.size() - at, "write out of range");
        for (std::size_t i = 0; i < n; ++i) {
            if (f.budget == 0) return !f.report_failure;
            if (f.budget > 0) --f.budget;
            f.memory[at + i] = data ? static_cast<const unsigned char*>(data)[i] : 0xFF;
        }
        return true;
    }
    edgeopt_checkpoint_storage storage() {
        return {memory.size(), mapped ? memory.data() : nullptr, &read, &write, with_erase ? &erase : nullptr, this};
    }
};

struct loaded {
    edgeopt_status status;
    bytes state;
    bool operator==(const loaded& o) const { return status == o.status && state == o.state; }
};

loaded load(const edgeopt_config& config, flash& f) {
    rig back(config);
    const bytes before = back.memory();
    const std::vector<edgeopt_tensor> ts = back.tensors();
    const edgeopt_checkpoint_storage s = f.storage();
    const edgeopt_status status = edgeopt_checkpoint_load(&back.opt, ts.data(), ts.size(), nullptr, 0, nullptr, &s);
    if (status != EDGEOPT_OK) {
        expect(back.memory() == before, "a failed load changed something");
        return {status, {}};
    }
    return {status, back.state()};
}

void fuzz_region(FuzzedDataProvider& in) {
    const edgeopt_config config = config_of(in.ConsumeIntegral<std::uint8_t>());
    rig saver(config);
    flash f;
    f.memory.assign(edgeopt_checkpoint_region_bytes(edgeopt_checkpoint_bytes_with_params(&saver.opt, 0)) +
                        32 * in.ConsumeIntegralInRange<std::size_t>(0, 3),
                    in.ConsumeBool() ? 0xFF : 0x00);
    f.with_erase = in.ConsumeBool();
    f.mapped = in.ConsumeBool();
    for (int op = 0; op < 24 && in.remaining_bytes() > 0; ++op) {
        switch (in.ConsumeIntegralInRange<int>(0, 4)) {
            case 0: saver.step(); break;
            case 1: {  // a save, maybe cut
                const loaded before = load(config, f);
                f.budget = in.ConsumeBool() ? -1 : in.ConsumeIntegralInRange<long>(0, 2000);
                f.report_failure = in.ConsumeBool();
                const std::vector<edgeopt_tensor> ts = saver.tensors();
                const edgeopt_checkpoint_storage s = f.storage();
                const edgeopt_status saved = edgeopt_checkpoint_save(&saver.opt, ts.data(), ts.size(), nullptr, 0, &s);
                f.budget = -1;
                const loaded after = load(config, f);
                const loaded next{EDGEOPT_OK, saver.state()};
                if (saved == EDGEOPT_OK) {
                    expect(after == next, "a successful save does not load back");
                } else if (before.status == EDGEOPT_OK) {
                    expect(after == before || after == next, "a cut save lost the previous image or brought back another");
                } else {
                    expect(after == next || (after.status != EDGEOPT_OK &&
                                             (before.status != EDGEOPT_ERR_CHECKPOINT_EMPTY ||
                                              after.status == EDGEOPT_ERR_CHECKPOINT_EMPTY)),
                           "a cut save over an empty or damaged region brought back an image");
                }
                break;
            }
            case 2: {  // the application damages bytes
                const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, f.memory.size() - 1);
                const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, 64);
                const int how = in.ConsumeIntegralInRange<int>(0, 2);
                const unsigned char x = in.ConsumeIntegral<unsigned char>();
                for (std::size_t i = at; i < at + n && i < f.memory.size(); ++i)
                    f.memory[i] = how == 0 ? 0x00 : how == 1 ? 0xFF : static_cast<unsigned char>(f.memory[i] ^ x);
                break;
            }
            case 3: {
                edgeopt_checkpoint_info info;
                const edgeopt_checkpoint_storage s = f.storage();
                edgeopt_checkpoint_newest(&s, &info);
                break;
            }
            default: load(config, f); break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeBool())
        fuzz_image(in);
    else
        fuzz_region(in);
    return 0;
}
