#include "svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hanzo::cli {
namespace {

constexpr double kW = 960, kH = 480, kLeft = 70, kRight = 170, kTop = 40, kBottom = 50;
const char* const kLineColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
                                    "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"};
// Regime shading, in the default regime order (slack, balanced, congested, shock); others cycle.
const char* const kRegimeColours[] = {"#e8f5e9", "#ffffff", "#fff3e0", "#ffebee", "#ede7f6", "#e0f7fa"};

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string render_svg(const PriceChart& c) {
  const std::size_t n = c.times.size();
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : c.series)
    for (double v : s.values)
      if (v > 0 && std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo < hi)) lo = (lo > 0 && std::isfinite(lo)) ? lo / 2 : 0.5, hi = lo * 4;
  const double llo = std::floor(std::log10(lo) * 4) / 4, lhi = std::ceil(std::log10(hi) * 4) / 4;
  const double t0 = n ? c.times.front() : 0.0, t1 = n && c.times.back() > t0 ? c.times.back() : t0 + 1.0;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x = [&](double t) { return kLeft + (t - t0) / (t1 - t0) * pw; };
  auto y = [&](double v) { return kTop + (lhi - std::log10(v)) / (lhi - llo) * ph; };

  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kW) + "\" height=\"" + num(kH) +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(kLeft) + "\" y=\"24\" font-size=\"16\">" + escape(c.title) + "</text>\n";
  // Regime bands: one rect per run of equal regimes.
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && c.regime[j + 1] == c.regime[i]) ++j;
    const double xa = i == 0 ? kLeft : x((c.times[i - 1] + c.times[i]) / 2);
    const double xb = j + 1 == n ? kLeft + pw : x((c.times[j] + c.times[j + 1]) / 2);
    s += "<rect x=\"" + num(xa) + "\" y=\"" + num(kTop) + "\" width=\"" + num(std::max(0.5, xb - xa)) + "\" height=\"" +
         num(ph) + "\" fill=\"" + kRegimeColours[c.regime[i] % 6] + "\"/>\n";
    i = j + 1;
  }
  // Axes, decades and labels.
  s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
       "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double e = std::ceil(llo * 4) / 4; e <= lhi + 1e-9; e += 0.25) {
    const double v = std::pow(10.0, e), yy = y(v);
    char label[32];
    std::snprintf(label, sizeof label, "%.3g", v);
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + pw) + "\" y1=\"" + num(yy) + "\" y2=\"" + num(yy) +
         "\" stroke=\"#ddd\"/>\n<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(yy + 4) + "\" text-anchor=\"end\">" +
         label + "</text>\n";
  }
  for (int k = 0; k <= 5; ++k) {
    const double t = t0 + (t1 - t0) * k / 5.0;
    char label[32];
    std::snprintf(label, sizeof label, t1 - t0 >= 100 ? "%.0f" : "%.3g", t);
    s += "<text x=\"" + num(x(t)) + "\" y=\"" + num(kTop + ph + 18) + "\" text-anchor=\"middle\">" + label + "</text>\n";
  }
  s += "<text x=\"" + num(kLeft + pw / 2) + "\" y=\"" + num(kH - 10) + "\" text-anchor=\"middle\">time (s)</text>\n";
  s += "<text transform=\"translate(18," + num(kTop + ph / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">price (credits per GPU-second, log scale)</text>\n";
  // Price lines.
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    std::string pts;
    for (std::size_t i = 0; i < n && i < c.series[k].values.size(); ++i) {
      const double v = c.series[k].values[i];
      if (!(v > 0) || !std::isfinite(v)) continue;
      pts += num(x(c.times[i])) + "," + num(y(v)) + " ";
    }
    s += "<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"" + std::string(kLineColours[k % 10]) + "\" points=\"" +
         pts + "\"/>\n";
  }
  // Legend: classes, then regimes.
  double ly = kTop + 10;
  for (std::size_t k = 0; k < c.series.size(); ++k, ly += 18)
    s += "<line x1=\"" + num(kW - kRight + 12) + "\" x2=\"" + num(kW - kRight + 32) + "\" y1=\"" + num(ly) + "\" y2=\"" +
         num(ly) + "\" stroke-width=\"3\" stroke=\"" + kLineColours[k % 10] + "\"/><text x=\"" +
         num(kW - kRight + 38) + "\" y=\"" + num(ly + 4) + "\">" + escape(c.series[k].name) + "</text>\n";
  ly += 10;
  for (std::size_t r = 0; r < c.regime_names.size(); ++r, ly += 18)
    s += "<rect x=\"" + num(kW - kRight + 12) + "\" y=\"" + num(ly - 7) + "\" width=\"20\" height=\"12\" stroke=\"#999\" fill=\"" +
         kRegimeColours[r % 6] + "\"/><text x=\"" + num(kW - kRight + 38) + "\" y=\"" + num(ly + 4) + "\">" +
         escape(c.regime_names[r]) + "</text>\n";
  return s + "</svg>\n";
}

std::string render_svg(const LineChart& c) {
  const std::size_t n = c.x.size();
  double lo = 0.0, hi = 0.0;
  for (const auto& s : c.series)
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(hi > lo)) hi = lo + 1.0;
  const double x0 = n ? c.x.front() : 0.0, x1 = n && c.x.back() > x0 ? c.x.back() : x0 + 1.0;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x = [&](double t) { return kLeft + (t - x0) / (x1 - x0) * pw; };
  auto y = [&](double v) { return kTop + (hi - v) / (hi - lo) * ph; };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kW) + "\" height=\"" + num(kH) +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(kLeft) + "\" y=\"24\" font-size=\"16\">" + escape(c.title) + "</text>\n";
  if (c.band_to > c.band_from) {
    const double xa = x(std::max(c.band_from, x0)), xb = x(std::min(c.band_to, x1));
    s += "<rect x=\"" + num(xa) + "\" y=\"" + num(kTop) + "\" width=\"" + num(std::max(0.5, xb - xa)) +
         "\" height=\"" + num(ph) + "\" fill=\"" + kRegimeColours[3] + "\"/>\n<text x=\"" + num(xa + 4) + "\" y=\"" +
         num(kTop + 14) + "\">" + escape(c.band_label) + "</text>\n";
  }
  s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
       "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (int k = 0; k <= 5; ++k) {
    const double v = lo + (hi - lo) * k / 5.0, t = x0 + (x1 - x0) * k / 5.0;
    char label[32];
    std::snprintf(label, sizeof label, "%.4g", v);
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + pw) + "\" y1=\"" + num(y(v)) + "\" y2=\"" + num(y(v)) +
         "\" stroke=\"#ddd\"/>\n<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(y(v) + 4) + "\" text-anchor=\"end\">" +
         label + "</text>\n";
    std::snprintf(label, sizeof label, "%.0f", t);
    s += "<text x=\"" + num(x(t)) + "\" y=\"" + num(kTop + ph + 18) + "\" text-anchor=\"middle\">" + label + "</text>\n";
  }
  s += "<text x=\"" + num(kLeft + pw / 2) + "\" y=\"" + num(kH - 10) + "\" text-anchor=\"middle\">" + escape(c.x_label) +
       "</text>\n<text transform=\"translate(18," + num(kTop + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       escape(c.y_label) + "</text>\n";
  double ly = kTop + 10;
  for (std::size_t k = 0; k < c.series.size(); ++k, ly += 18) {
    std::string pts;
    for (std::size_t i = 0; i < n && i < c.series[k].values.size(); ++i)
      if (std::isfinite(c.series[k].values[i])) pts += num(x(c.x[i])) + "," + num(y(c.series[k].values[i])) + " ";
    const std::string colour = kLineColours[k % 10];
    s += "<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"" + colour + "\" points=\"" + pts + "\"/>\n";
    s += "<line x1=\"" + num(kW - kRight + 12) + "\" x2=\"" + num(kW - kRight + 32) + "\" y1=\"" + num(ly) + "\" y2=\"" +
         num(ly) + "\" stroke-width=\"3\" stroke=\"" + colour + "\"/><text x=\"" + num(kW - kRight + 38) + "\" y=\"" +
         num(ly + 4) + "\">" + escape(c.series[k].name) + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace hanzo::cli
