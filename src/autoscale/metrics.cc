#include "autoscale/metrics.h"

#include <fmt/format.h>

namespace kraken::autoscale {

namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string WithLe(const std::string& key, const std::string& le) {
  std::string l = "le=\"" + le + "\"";
  return key.empty() ? "{" + l + "}" : key.substr(0, key.size() - 1) + "," + l + "}";
}

}  // namespace

Metrics::Metrics() : buckets_{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600} {}

std::string Metrics::Key(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i)
    out += (i ? "," : "") + labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
  return out + "}";
}

void Metrics::Describe(const std::string& name, const std::string& type, const std::string& help) {
  meta_[name] = {type, help};
}

void Metrics::Inc(const std::string& name, const Labels& labels, double by) {
  values_[name][Key(labels)] += by;
}

void Metrics::Set(const std::string& name, const Labels& labels, double value) {
  values_[name][Key(labels)] = value;
}

void Metrics::ClearGauge(const std::string& name) { values_[name].clear(); }

double Metrics::Value(const std::string& name, const Labels& labels) const {
  auto it = values_.find(name);
  if (it == values_.end()) return 0;
  auto v = it->second.find(Key(labels));
  return v == it->second.end() ? 0 : v->second;
}

void Metrics::Observe(const std::string& name, const Labels& labels, double seconds) {
  Histogram& h = histograms_[name][Key(labels)];
  if (h.counts.empty()) h.counts.assign(buckets_.size(), 0);
  for (size_t i = 0; i < buckets_.size(); ++i)
    if (seconds <= buckets_[i]) {
      ++h.counts[i];
      break;
    }
  h.sum += seconds;
  ++h.count;
}

std::string Metrics::Render() const {
  std::string out;
  auto header = [&](const std::string& name) {
    auto m = meta_.find(name);
    if (m == meta_.end()) return;
    out +=
        fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, m->second.second, name, m->second.first);
  };
  for (const auto& [name, series] : values_) {
    header(name);
    for (const auto& [key, v] : series) out += fmt::format("{}{} {}\n", name, key, v);
  }
  for (const auto& [name, series] : histograms_) {
    header(name);
    for (const auto& [key, h] : series) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < buckets_.size(); ++i) {
        cumulative += h.counts[i];
        out += fmt::format("{}_bucket{} {}\n", name, WithLe(key, fmt::format("{}", buckets_[i])),
                           cumulative);
      }
      out += fmt::format("{}_bucket{} {}\n", name, WithLe(key, "+Inf"), h.count);
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, key, h.sum, name, key, h.count);
    }
  }
  return out;
}

}  // namespace kraken::autoscale
