// SPDX-License-Identifier: Apache-2.0
// Line charts and small multiples as hand-written SVG: axes, ticks, grid,
// legend.  No dependency beyond the standard library.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "training.hpp"  // curve_point

namespace finetune {

struct series {
    std::string label;
    const char* colour;
    std::vector<curve_point> points;
};

struct chart_style {
    std::string title, subtitle, x_label, y_label;
    bool log_y = false;
    double y_scale = 1;  // 100 to show fractions as percent
    const char* y_format = "%g";
};

// One chart, all series, legend ordered by each series' last value (top to
// bottom, like the lines' ends).  Returns false if the file cannot be written.
bool write_line_chart(const std::string& path, const std::vector<series>& all, const chart_style& style);

// The colour of series k (12 distinct ones, then repeating).
const char* series_colour(std::size_t k);

// Ticks at 1, 2, 2.5 or 5 × 10^k covering [low, high], about `target` of them.
std::vector<double> nice_ticks(double low, double high, int target);

// "<text ...>" with &, < and > escaped.
std::string svg_escape(const std::string& text);

// Maps data coordinates to a rectangle of the SVG and draws its frame,
// grid and tick labels; used by the line chart and by the bowl panels.
struct plot_frame {
    double left, top, width, height;  // in SVG units
    double x_low, x_high, y_low, y_high;
    bool log_y = false;
    double sx(double x) const;
    double sy(double y) const;
    void draw_axes(std::FILE* out, const std::vector<double>& x_ticks, const std::vector<double>& y_ticks,
                   const char* x_format, const char* y_format, double y_scale, int font_size) const;
};

}  // namespace finetune
