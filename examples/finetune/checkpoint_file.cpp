// SPDX-License-Identifier: Apache-2.0
#include "checkpoint_file.hpp"

#include <cstdio>
#include <cstring>
#if defined(__unix__)
#include <unistd.h>  // fsync
#endif

namespace finetune {

checkpoint_region::checkpoint_region() : storage_{} { attach(); }

void checkpoint_region::attach() {
    storage_ = {};
    storage_.size = bytes_.size();
    storage_.memory = bytes_.data();  // memory-mapped: the library reads it directly
    storage_.write = &checkpoint_region::write;
    storage_.context = this;
}

bool checkpoint_region::write(void* context, std::size_t offset, const void* bytes, std::size_t length) {
    auto* region = static_cast<checkpoint_region*>(context);
    if (offset > region->bytes_.size() || length > region->bytes_.size() - offset) return false;
    std::memcpy(region->bytes_.data() + offset, bytes, length);
    return true;
}

void checkpoint_region::create(std::size_t bytes) {
    bytes_.assign(bytes, 0);  // all zero: neither slot holds a commit record
    attach();
}

bool checkpoint_region::read_file(const std::string& path, std::string& error) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        error = "cannot open checkpoint " + path;
        return false;
    }
    std::vector<unsigned char> bytes;
    unsigned char chunk[1 << 16];
    for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, file)) > 0;)
        bytes.insert(bytes.end(), chunk, chunk + got);
    const bool ok = !std::ferror(file);
    std::fclose(file);
    if (!ok) {
        error = "cannot read checkpoint " + path;
        return false;
    }
    bytes_ = std::move(bytes);
    attach();
    return true;
}

bool checkpoint_region::write_file(const std::string& path, std::string& error) const {
    const std::string temporary = path + ".tmp";
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    bool ok = file && std::fwrite(bytes_.data(), 1, bytes_.size(), file) == bytes_.size() && std::fflush(file) == 0;
#if defined(__unix__)
    ok = ok && fsync(fileno(file)) == 0;  // on disk before it replaces the old file
#endif
    if (file) ok = std::fclose(file) == 0 && ok;
    ok = ok && std::rename(temporary.c_str(), path.c_str()) == 0;
    if (!ok) error = "cannot write checkpoint " + path;
    return ok;
}

}  // namespace finetune
