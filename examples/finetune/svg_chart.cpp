// SPDX-License-Identifier: Apache-2.0
#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace finetune {

namespace {

// Tableau-like colours, then two darker ones for the eleventh and twelfth series.
constexpr const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                   "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#b8860b"};

// Log-axis ticks: 1, 2 and 5 × 10^k, or more (3, 4, 7) when the axis spans
// under two decades and would otherwise get three ticks or fewer.
std::vector<double> log_ticks(double low, double high) {
    const bool narrow = high / low < 100;
    std::vector<double> ticks;
    for (int power = int(std::floor(std::log10(low))); power <= int(std::ceil(std::log10(high))); ++power)
        for (double mantissa : {1.0, 2.0, 3.0, 4.0, 5.0, 7.0}) {
            if (!narrow && (mantissa == 3 || mantissa == 4 || mantissa == 7)) continue;
            const double tick = mantissa * std::pow(10.0, power);
            if (tick >= low * (1 - 1e-9) && tick <= high * (1 + 1e-9)) ticks.push_back(tick);
        }
    return ticks;
}

std::string format(const char* pattern, double value) {
    char text[32];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

}  // namespace

const char* series_colour(std::size_t k) { return colours[k % (sizeof colours / sizeof *colours)]; }

std::vector<double> nice_ticks(double low, double high, int target) {
    const double raw = (high - low) / std::max(target, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude * 10;
    for (double mantissa : {1.0, 2.0, 2.5, 5.0})
        if (raw <= mantissa * magnitude * (1 + 1e-9)) {  // 0.025 must not round up to the 0.05 step
            step = mantissa * magnitude;
            break;
        }
    std::vector<double> ticks;
    for (double tick = std::ceil(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step)
        ticks.push_back(std::abs(tick) < step * 1e-9 ? 0.0 : tick);
    return ticks;
}

std::string svg_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

double plot_frame::sx(double x) const { return left + (x - x_low) / (x_high - x_low) * width; }

double plot_frame::sy(double y) const {
    const double t =
        log_y ? (std::log(y) - std::log(y_low)) / (std::log(y_high) - std::log(y_low)) : (y - y_low) / (y_high - y_low);
    return top + (1 - t) * height;
}

void plot_frame::draw_axes(std::FILE* out, const std::vector<double>& x_ticks, const std::vector<double>& y_ticks,
                           const char* x_format, const char* y_format, double y_scale, int font_size) const {
    std::fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#fcfcfc' stroke='#999'/>\n", left, top,
                 width, height);
    for (double x : x_ticks) {
        std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#e4e4e4'/>\n", sx(x), top, sx(x),
                     top + height);
        std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#999'/>\n", sx(x), top + height, sx(x),
                     top + height + 4);
        std::fprintf(out, "<text x='%.1f' y='%.1f' font-size='%d' text-anchor='middle'>%s</text>\n", sx(x),
                     top + height + 6 + font_size, font_size, format(x_format, x).c_str());
    }
    for (double y : y_ticks) {
        std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#e4e4e4'/>\n", left, sy(y),
                     left + width, sy(y));
        std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#999'/>\n", left - 4, sy(y), left,
                     sy(y));
        std::fprintf(out, "<text x='%.1f' y='%.1f' font-size='%d' text-anchor='end'>%s</text>\n", left - 6,
                     sy(y) + font_size * 0.35, font_size, format(y_format, y * y_scale).c_str());
    }
}

bool write_line_chart(const std::string& path, const std::vector<series>& all, const chart_style& style) {
    double x_high = 1, y_low = std::numeric_limits<double>::infinity(), y_high = -y_low;
    for (const series& s : all)
        for (const curve_point& p : s.points) {
            if (!std::isfinite(p.y) || (style.log_y && p.y <= 0)) continue;
            x_high = std::max(x_high, p.x);
            y_low = std::min(y_low, p.y);
            y_high = std::max(y_high, p.y);
        }
    if (!(y_low <= y_high)) y_low = style.log_y ? 0.1 : 0, y_high = 1;  // no data: an empty frame
    std::vector<double> y_ticks;
    if (style.log_y) {
        y_low = std::pow(10.0, std::floor(std::log10(y_low) * 5) / 5);  // round out to 10^(k/5)
        y_high = std::pow(10.0, std::ceil(std::log10(y_high) * 5) / 5);
        y_ticks = log_ticks(y_low, y_high);
    } else {
        const double margin = std::max((y_high - y_low) * 0.05, 1e-3);
        y_ticks = nice_ticks(y_low - margin, y_high + margin, 6);
        const double step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
        y_low = std::floor((y_low - margin) / step) * step;
        y_high = std::ceil((y_high + margin) / step) * step;
        y_ticks = nice_ticks(y_low, y_high, 6);
    }
    const plot_frame frame{70, 50, 620, 380, 0, x_high, y_low, y_high, style.log_y};
    std::vector<double> x_ticks = nice_ticks(0, x_high, 8);

    std::FILE* out = std::fopen(path.c_str(), "w");
    if (!out) return false;
    std::fprintf(out,
                 "<svg xmlns='http://www.w3.org/2000/svg' width='880' height='490' font-family='DejaVu Sans, "
                 "Helvetica, Arial, sans-serif'>\n<rect width='880' height='490' fill='white'/>\n");
    std::fprintf(out, "<text x='%.0f' y='22' font-size='17' font-weight='bold'>%s</text>\n", frame.left,
                 svg_escape(style.title).c_str());
    std::fprintf(out, "<text x='%.0f' y='40' font-size='12' fill='#555'>%s</text>\n", frame.left,
                 svg_escape(style.subtitle).c_str());
    frame.draw_axes(out, x_ticks, y_ticks, "%g", style.y_format, style.y_scale, 12);
    std::fprintf(out, "<text x='%.1f' y='%.1f' font-size='13' text-anchor='middle'>%s</text>\n",
                 frame.left + frame.width / 2, frame.top + frame.height + 40, svg_escape(style.x_label).c_str());
    std::fprintf(out,
                 "<text transform='translate(18,%.1f) rotate(-90)' font-size='13' text-anchor='middle'>%s</text>\n",
                 frame.top + frame.height / 2, svg_escape(style.y_label).c_str());

    std::fprintf(out,
                 "<defs><clipPath id='plot'><rect x='%.1f' y='%.1f' width='%.1f' height='%.1f'/></clipPath></defs>\n",
                 frame.left, frame.top, frame.width, frame.height);
    std::fprintf(out, "<g clip-path='url(#plot)' fill='none' stroke-width='1.8' stroke-linejoin='round'>\n");
    for (std::size_t k = 0; k < all.size(); ++k) {
        std::fprintf(out, "<polyline stroke='%s' points='", all[k].colour);
        for (const curve_point& p : all[k].points)
            if (std::isfinite(p.y) && (!style.log_y || p.y > 0))
                std::fprintf(out, "%.1f,%.1f ", frame.sx(p.x), frame.sy(p.y));
        std::fprintf(out, "'/>\n");
        if (all[k].points.size() <= 30)  // sparse curves (one point per epoch) get markers
            for (const curve_point& p : all[k].points)
                std::fprintf(out, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s' stroke='none'/>\n", frame.sx(p.x),
                             frame.sy(p.y), all[k].colour);
    }
    std::fprintf(out, "</g>\n");

    // Legend, in the order the lines end from top to bottom.
    std::vector<std::size_t> order(all.size());
    std::iota(order.begin(), order.end(), 0);
    auto last = [&](std::size_t k) { return all[k].points.empty() ? 0.0 : all[k].points.back().y; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return last(a) > last(b); });
    const double legend_x = frame.left + frame.width + 16;
    for (std::size_t row = 0; row < order.size(); ++row) {
        const std::size_t k = order[row];
        const double y = frame.top + 8 + 22 * row;
        std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' stroke-width='3'/>\n", legend_x, y,
                     legend_x + 22, y, all[k].colour);
        std::fprintf(out, "<text x='%.1f' y='%.1f' font-size='12'>%s  %s</text>\n", legend_x + 28, y + 4,
                     svg_escape(all[k].label).c_str(), format(style.y_format, last(k) * style.y_scale).c_str());
    }
    std::fprintf(out, "</svg>\n");
    return std::fclose(out) == 0;
}

}  // namespace finetune
