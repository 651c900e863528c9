// SPDX-License-Identifier: Apache-2.0
#include "fashion_mnist.hpp"

#include <zlib.h>

#include <cstdio>

namespace finetune {

namespace {

constexpr const char* file_names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

// An IDX file: a big-endian magic 0x0000 08 D (unsigned bytes, D dimensions),
// D big-endian sizes, then the bytes.
bool read_idx(const std::string& path, int dimensions, std::vector<std::uint8_t>& bytes, int& count,
              std::string& error) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) {
        error = "cannot open " + path;
        return false;
    }
    auto read_exact = [&](void* data, std::size_t size) {
        return gzread(file, data, static_cast<unsigned>(size)) == static_cast<int>(size);
    };
    auto big_endian = [](const unsigned char* b) {
        return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
    };
    unsigned char header[16];
    std::size_t item_bytes = 1;
    bool ok = read_exact(header, 4 * (1 + dimensions)) && big_endian(header) == (0x0800u | unsigned(dimensions));
    if (ok) {
        count = static_cast<int>(big_endian(header + 4));
        for (int d = 1; d < dimensions; ++d) item_bytes *= big_endian(header + 4 + 4 * d);
        ok = count > 0 && (dimensions == 1 || item_bytes == image_pixels);
    }
    if (ok) {
        bytes.resize(std::size_t(count) * item_bytes);
        ok = read_exact(bytes.data(), bytes.size());
    }
    gzclose(file);
    if (!ok) error = path + " is not a Fashion-MNIST IDX file (or is truncated)";
    return ok;
}

bool load_set(const std::string& dir, const char* images_name, const char* labels_name, image_set& out,
              std::string& error) {
    std::vector<std::uint8_t> images, labels;
    int image_count = 0, label_count = 0;
    if (!read_idx(dir + "/" + images_name, 3, images, image_count, error) ||
        !read_idx(dir + "/" + labels_name, 1, labels, label_count, error))
        return false;
    if (image_count != label_count) {
        error = dir + ": " + images_name + " and " + labels_name + " hold different counts";
        return false;
    }
    out.count = image_count;
    out.labels = std::move(labels);
    out.pixels.resize(images.size());
    for (std::size_t i = 0; i < images.size(); ++i) out.pixels[i] = images[i] / 255.0f;
    return true;
}

}  // namespace

std::string first_missing_file(const std::string& dir) {
    for (const char* name : file_names) {
        const std::string path = dir + "/" + name;
        if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
            std::fclose(f);
        } else {
            return path;
        }
    }
    return "";
}

bool load_fashion_mnist(const std::string& dir, fashion_mnist& out, std::string& error) {
    return load_set(dir, file_names[0], file_names[1], out.train, error) &&
           load_set(dir, file_names[2], file_names[3], out.test, error);
}

}  // namespace finetune
