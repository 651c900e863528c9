// SPDX-License-Identifier: Apache-2.0
// A checkpoint region — edgeopt_checkpoint_save/load's two A/B slots, as a
// device would keep them in flash — held in RAM and copied to a file after
// every save (written to FILE.tmp, then renamed over FILE, so a crash while
// writing the file leaves the previous one whole).
#pragma once
#include <string>
#include <vector>

#include "edgeopt/checkpoint.h"

namespace finetune {

class checkpoint_region {
public:
    checkpoint_region();
    checkpoint_region(const checkpoint_region&) = delete;  // storage_ points at this object
    checkpoint_region& operator=(const checkpoint_region&) = delete;

    // An empty region (no committed image) of `bytes`.
    void create(std::size_t bytes);
    // The region as a previous --save left it in `path`.
    bool read_file(const std::string& path, std::string& error);
    bool write_file(const std::string& path, std::string& error) const;

    std::size_t size() const { return bytes_.size(); }
    const edgeopt_checkpoint_storage* storage() const { return &storage_; }

private:
    static bool write(void* context, std::size_t offset, const void* bytes, std::size_t length);
    void attach();
    std::vector<unsigned char> bytes_;
    edgeopt_checkpoint_storage storage_;
};

}  // namespace finetune
