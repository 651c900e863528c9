// SPDX-License-Identifier: Apache-2.0
#include "bowl.hpp"

#include <cmath>
#include <cstdio>

#include "optimizers.hpp"
#include "svg_chart.hpp"

namespace finetune {

bool bowl_paths(std::vector<bowl_run>& runs, std::string& error) {
    for (bowl_run& run : runs) {
        unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, 2)];
        const size_t length = 2;
        edgeopt_optimizer opt;
        edgeopt_status status = edgeopt_init(&opt, &run.config, &length, 1, arena, sizeof arena);
        float params[2] = {-7.0f, 2.0f}, grads[2];
        run.path.assign(1, {params[0], params[1]});
        for (int t = 0; t < bowl_steps && status == EDGEOPT_OK; ++t) {
            grads[0] = params[0] / 10.0f;  // ∇f = (x/10, 2y)
            grads[1] = 2.0f * params[1];
            const edgeopt_tensor tensor{params, grads, 2, EDGEOPT_F32, EDGEOPT_F32};
            status = edgeopt_step(&opt, &tensor, 1);
            run.path.push_back({params[0], params[1]});
        }
        if (status != EDGEOPT_OK) {
            error = "bowl, " + run.label + ": " + edgeopt_status_message(status);
            return false;
        }
    }
    return true;
}

bool write_bowl_svg(const std::string& path, const std::vector<bowl_run>& runs) {
    const int columns = runs.size() < 4 ? int(runs.size()) : 4;
    const int rows = int((runs.size() + columns - 1) / columns);
    const double panel_w = 300, panel_h = 150, gap_x = 50, gap_y = 62, left = 40, top = 78;
    std::FILE* out = std::fopen(path.c_str(), "w");
    if (!out) return false;
    const double width = left + columns * (panel_w + gap_x), height = top + rows * (panel_h + gap_y) - 10;
    std::fprintf(out,
                 "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='DejaVu Sans, "
                 "Helvetica, Arial, sans-serif'>\n<rect width='%.0f' height='%.0f' fill='white'/>\n",
                 width, height, width, height);
    std::fprintf(out,
                 "<text x='%.0f' y='26' font-size='18' font-weight='bold'>Optimizer paths on f(x, y) = "
                 "x\u00b2/20 + y\u00b2</text>\n",
                 left);
    std::fprintf(out,
                 "<text x='%.0f' y='46' font-size='12' fill='#555'>%d steps from (\u22127, 2), one dot per step; "
                 "the cross is the minimum; contours at f = 0.5, 2, 5, 10, 20. Each panel's lr is for the bowl, not "
                 "the MLP (tools/demo.cpp's).</text>\n",
                 left, bowl_steps);
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const double panel_left = left + (k % columns) * (panel_w + gap_x);
        const double panel_top = top + (k / columns) * (panel_h + gap_y);
        const plot_frame frame{panel_left, panel_top, panel_w, panel_h, -10, 10, -5, 5};
        frame.draw_axes(out, {-10, -5, 0, 5, 10}, {-4, 0, 4}, "%g", "%g", 1, 10);
        std::fprintf(out,
                     "<g><clipPath id='bowl%zu'><rect x='%.1f' y='%.1f' width='%.1f' height='%.1f'/></clipPath>\n"
                     "<g clip-path='url(#bowl%zu)'>\n",
                     k, frame.left, frame.top, panel_w, panel_h, k);
        for (double level : {0.5, 2.0, 5.0, 10.0, 20.0})  // ellipses x²/20 + y² = level
            std::fprintf(out, "<ellipse cx='%.1f' cy='%.1f' rx='%.1f' ry='%.1f' fill='none' stroke='#d8d8d8'/>\n",
                         frame.sx(0), frame.sy(0), std::sqrt(20 * level) * panel_w / 20,
                         std::sqrt(level) * panel_h / 10);
        std::fprintf(out, "<path d='M%.1f,%.1f l8,8 m0,-8 l-8,8' stroke='#444' stroke-width='1.5'/>\n", frame.sx(0) - 4,
                     frame.sy(0) - 4);
        const bowl_run& run = runs[k];
        std::fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='1.6' points='", run.colour);
        for (const curve_point& p : run.path) std::fprintf(out, "%.1f,%.1f ", frame.sx(p.x), frame.sy(p.y));
        std::fprintf(out, "'/>\n");
        for (const curve_point& p : run.path)
            std::fprintf(out, "<circle cx='%.1f' cy='%.1f' r='1.8' fill='%s'/>\n", frame.sx(p.x), frame.sy(p.y),
                         run.colour);
        std::fprintf(out, "<circle cx='%.1f' cy='%.1f' r='4' fill='white' stroke='#333'/>\n</g></g>\n",
                     frame.sx(run.path[0].x), frame.sy(run.path[0].y));
        const curve_point& end = run.path.back();
        std::fprintf(out,
                     "<text x='%.1f' y='%.1f' font-size='13'><tspan font-weight='bold'>%s</tspan>"
                     "<tspan dx='8' fill='#555'>lr %g, ends at f = %.3g</tspan></text>\n",
                     frame.left, frame.top - 7, svg_escape(run.label).c_str(), config_lr(run.config),
                     end.x * end.x / 20 + end.y * end.y);
    }
    std::fprintf(out, "</svg>\n");
    return std::fclose(out) == 0;
}

}  // namespace finetune
