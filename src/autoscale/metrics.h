// The autoscaler's counters and start-up phase histograms, rendered in the Prometheus
// text exposition format (version 0.0.4) together with gauges the caller computes.
//
// Not thread-safe: updated and rendered on the server's event loop.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kraken::autoscale {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  Metrics();
  void Inc(const std::string& name, const Labels& labels, double by = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  void Observe(const std::string& name, const Labels& labels, double seconds);
  // Declares a metric's type and help text (counters, gauges, histograms).
  void Describe(const std::string& name, const std::string& type, const std::string& help);
  void ClearGauge(const std::string& name);
  double Value(const std::string& name, const Labels& labels) const;
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative)
    double sum = 0;
    uint64_t count = 0;
  };
  static std::string Key(const Labels& labels);
  std::map<std::string, std::pair<std::string, std::string>> meta_;  // name → type, help
  std::map<std::string, std::map<std::string, double>> values_;      // name → labels → value
  std::map<std::string, std::map<std::string, Histogram>> histograms_;
  std::vector<double> buckets_;
};

}  // namespace kraken::autoscale
