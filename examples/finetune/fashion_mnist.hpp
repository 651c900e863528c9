// SPDX-License-Identifier: Apache-2.0
// Fashion-MNIST as Debian's dataset-fashion-mnist package ships it: gzip IDX
// files under /usr/share/datasets/fashion-mnist/, read with zlib.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace finetune {

constexpr const char* default_data_dir = "/usr/share/datasets/fashion-mnist";
constexpr const char* data_package = "dataset-fashion-mnist";
constexpr int image_pixels = 28 * 28;
constexpr int class_count = 10;

// Images as floats in [0, 1].  Not standardised, so that the background
// (half of all pixels) stays exactly 0 and the first layer can skip it.
struct image_set {
    std::vector<float> pixels;  // count × image_pixels, row-major
    std::vector<std::uint8_t> labels;
    int count = 0;
    const float* image(int index) const { return pixels.data() + std::size_t(index) * image_pixels; }
};

struct fashion_mnist {
    image_set train, test;
};

// Loads the four files from dir.  On failure returns false and sets error to
// a message that names the missing or broken file.
bool load_fashion_mnist(const std::string& dir, fashion_mnist& out, std::string& error);

// The path of a file load_fashion_mnist needs that is absent, or "" if all are there.
std::string first_missing_file(const std::string& dir);

}  // namespace finetune
