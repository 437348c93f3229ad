#include "autoscale/deployment.h"

#include <gtest/gtest.h>

#include "autoscale/backoff.h"
#include "autoscale/metrics.h"

namespace kraken::autoscale {
namespace {

std::string FieldOf(const Json& j) {
  auto d = ParseDeployment(j);
  return d ? "" : d.error().field;
}

TEST(DeploymentTest, DefaultsAndMethods) {
  auto d = ParseDeployment(Json{{"method", "local"}});
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->autoscaled());
  EXPECT_EQ(d->instances_limit, 5);
  EXPECT_EQ(d->destroy_after_jobs, 0);
  auto docker = ParseDeployment(Json{{"method", "docker"}, {"image", "alpine"}});
  ASSERT_TRUE(docker);
  EXPECT_EQ(docker->destroy_after_jobs, 1);
  EXPECT_EQ(docker->docker.network, "host");
  EXPECT_FALSE(ParseDeployment(Json::object())->autoscaled());
}

TEST(DeploymentTest, ErrorsNameTheField) {
  EXPECT_EQ(FieldOf(Json{{"method", "ftp"}}), "deployment.method");
  EXPECT_EQ(FieldOf(Json{{"method", "fake"}}), "deployment.method");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"instances_limit", -1}}),
            "deployment.instances_limit");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"instances_limit", "3"}}),
            "deployment.instances_limit");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"destroy_after_jobs", 1.5}}),
            "deployment.destroy_after_jobs");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"destroy_after_idle_minutes", -2}}),
            "deployment.destroy_after_idle_minutes");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"boot_timeout", 0}}), "deployment.boot_timeout");
  EXPECT_EQ(FieldOf(Json{{"method", "local"}, {"min_idle", 6}}), "deployment.min_idle");
  EXPECT_EQ(FieldOf(Json{{"method", "docker"}, {"engine", "ftp://x"}}), "deployment.engine");
  EXPECT_EQ(FieldOf(Json{{"method", "docker"}, {"docker", {{"memory_mb", 3}}}}),
            "deployment.docker.memory_mb");
  EXPECT_EQ(FieldOf(Json{{"method", "docker"}, {"env", {{"A=B", "x"}}}}), "deployment.env");
  EXPECT_EQ(FieldOf(Json{{"method", "docker"}, {"cpus", "two"}}), "deployment.cpus");
  EXPECT_EQ(FieldOf(Json::array()), "deployment");
}

TEST(DeploymentTest, FingerprintIgnoresPolicyNumbers) {
  auto a = ParseDeployment(Json{{"method", "local"}, {"instances_limit", 2}});
  auto b = ParseDeployment(Json{{"method", "local"}, {"instances_limit", 9}});
  auto c = ParseDeployment(Json{{"method", "docker"}, {"image", "x"}});
  EXPECT_EQ(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->Fingerprint(), c->Fingerprint());
}

TEST(BackoffTest, GrowsWithJitterUpToTheCapAndResets) {
  Backoff b(1000, 8000, 7);
  Millis now = 0;
  std::vector<Millis> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(b.Failed(now));
  Millis expected[] = {1000, 2000, 4000, 8000, 8000, 8000};
  for (int i = 0; i < 6; ++i) {
    EXPECT_GE(delays[i], expected[i] / 2) << i;
    EXPECT_LE(delays[i], expected[i]) << i;
  }
  EXPECT_FALSE(b.Ready(now));
  EXPECT_TRUE(b.Ready(now + 8000));
  b.Succeeded();
  EXPECT_TRUE(b.Ready(now));
  EXPECT_EQ(b.failures(), 0);
}

TEST(BackoffTest, AlwaysFailingCallsAreBoundedPerMinute) {
  Backoff b(1000, 60'000, 3);
  int calls = 0;
  for (Millis now = 0; now < 10 * 60'000; now += 100)
    if (b.Ready(now)) {
      ++calls;
      b.Failed(now);
    }
  // 1, 2, 4, ... 32 s, then at least 30 s apart: about 25 calls in ten minutes, not 6000.
  EXPECT_LE(calls, 30);
  EXPECT_GE(calls, 10);
}

TEST(MetricsTest, PrometheusText) {
  Metrics m;
  m.Describe("x_total", "counter", "Things");
  m.Inc("x_total", {{"group", "a\"b"}, {"class", "transient"}});
  m.Inc("x_total", {{"group", "a\"b"}, {"class", "transient"}});
  m.Describe("h_seconds", "histogram", "Times");
  m.Observe("h_seconds", {{"phase", "p"}}, 0.07);
  m.Observe("h_seconds", {{"phase", "p"}}, 700);
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE x_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{group=\"a\\\"b\",class=\"transient\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("h_seconds_bucket{phase=\"p\",le=\"0.05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{phase=\"p\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{phase=\"p\",le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_count{phase=\"p\"} 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace kraken::autoscale
