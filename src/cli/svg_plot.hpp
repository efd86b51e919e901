// A dependency-free SVG line chart for `market replay`: one line per compute class (price over
// time, log scale) on a background shaded by the market regime of each tick, so a supply shock
// and the recovery after it are visible at a glance.
#pragma once

#include <string>
#include <vector>

namespace hanzo::cli {

struct PriceSeries {
  std::string name;
  std::vector<double> values;  // one per tick, > 0
};

struct PriceChart {
  std::string title;
  std::vector<double> times;        // seconds, one per tick
  std::vector<PriceSeries> series;  // one per class
  std::vector<std::size_t> regime;  // regime index per tick
  std::vector<std::string> regime_names;
};

std::string render_svg(const PriceChart& chart);

// A linear-scale line chart (e.g. `simulate`'s cumulative regret per policy), with an optional
// shaded band on the x axis (the outage).
struct LineChart {
  std::string title, x_label, y_label;
  std::vector<double> x;
  std::vector<PriceSeries> series;  // values may be 0 or negative here
  double band_from{0.0}, band_to{0.0};  // shaded when band_to > band_from
  std::string band_label;
};

std::string render_svg(const LineChart& chart);

}  // namespace hanzo::cli
