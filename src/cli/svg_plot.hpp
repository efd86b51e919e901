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

}  // namespace hanzo::cli
