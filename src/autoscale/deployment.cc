#include "autoscale/deployment.h"

#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <set>

#include "cloud/docker/engine_address.h"
#include "cloud/ec2/ec2_options.h"

namespace kraken::autoscale {

namespace {

std::atomic<bool> fake_allowed{false};

std::string Field(const std::string& key) { return "deployment." + key; }

// Reads an optional integer `key` within [lo, hi] into `out`.
Status ReadInt(const Json& j, const std::string& key, int64_t lo, int64_t hi, int64_t& out,
               const std::string& prefix = "") {
  if (!j.contains(key) || j[key].is_null()) return {};
  const Json& v = j[key];
  bool integral = v.is_number_integer() ||
                  (v.is_number_float() && v.get<double>() == static_cast<int64_t>(v.get<double>()));
  if (!integral || v.get<double>() < lo || v.get<double>() > hi)
    return Invalid(Field(prefix + key),
                   fmt::format("must be a whole number from {} to {}", lo, hi));
  out = static_cast<int64_t>(v.get<double>());
  return {};
}

Status ReadNumber(const Json& j, const std::string& key, double lo, double hi, double& out,
                  const std::string& prefix = "") {
  if (!j.contains(key) || j[key].is_null()) return {};
  const Json& v = j[key];
  if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi)
    return Invalid(Field(prefix + key), fmt::format("must be a number from {} to {}", lo, hi));
  out = v.get<double>();
  return {};
}

Status ReadString(const Json& j, const std::string& key, std::string& out,
                  const std::string& prefix = "") {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (!j[key].is_string()) return Invalid(Field(prefix + key), "must be a string");
  out = j[key].get<std::string>();
  return {};
}

Status ParseDocker(const Json& d, DockerOptions& o) {
  // The UI nests docker options under `docker`; flat keys are accepted too.
  const Json& j = d.contains("docker") && d["docker"].is_object() ? d["docker"] : d;
  std::string p = &j == &d ? "" : "docker.";
  KR_TRY(ReadString(j, "engine", o.engine, p));
  if (o.engine.empty()) o.engine = DockerOptions().engine;
  if (auto a = docker::ParseEngineAddress(o.engine); !a)
    return Invalid(Field(p + "engine"), a.error().message);
  KR_TRY(ReadString(j, "image", o.image, p));
  KR_TRY(ReadString(j, "network", o.network, p));
  if (o.network.empty()) o.network = "host";
  if (j.contains("env") && !j["env"].is_null()) {
    if (!j["env"].is_object()) return Invalid(Field(p + "env"), "must be an object of NAME: value");
    for (auto& [k, v] : j["env"].items()) {
      if (k.empty() || k.find('=') != std::string::npos)
        return Invalid(Field(p + "env"), "'" + k + "' is not a variable name");
      if (!v.is_string() && !v.is_number() && !v.is_boolean())
        return Invalid(Field(p + "env." + k), "must be a string");
      o.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  KR_TRY(ReadNumber(j, "cpus", 0, 1024, o.cpus, p));
  KR_TRY(ReadInt(j, "memory_mb", 0, 1 << 24, o.memory_mb, p));
  if (o.memory_mb > 0 && o.memory_mb < 6)
    return Invalid(Field(p + "memory_mb"), "must be 0 (no limit) or at least 6");
  return {};
}

}  // namespace

void AllowFakeDriver(bool allow) { fake_allowed = allow; }
bool FakeDriverAllowed() { return fake_allowed; }

std::string Deployment::Fingerprint() const {
  // What a running machine was made from; policy numbers (limits, timeouts) are left out,
  // as changing them needs no new machines.
  Json f = {{"method", method}, {"default_system", default_system}};
  if (method == "docker")
    f["docker"] = {{"engine", docker.engine},   {"image", docker.image},
                   {"network", docker.network}, {"env", docker.env},
                   {"cpus", docker.cpus},       {"memory_mb", docker.memory_mb}};
  if (method == "aws_ec2")
    for (const char* key : {"region", "instance_type", "default_ami", "spot", "monitoring",
                            "cpu_credits_unlimited", "disk_size_gb", "init_script", "subnet_id",
                            "security_group_ids", "key_name", "iam_instance_profile"})
      f["aws_ec2"][key] = raw.value(key, Json());
  f["one_job"] = destroy_after_jobs == 1;
  return fmt::format("{:016x}", std::hash<std::string>{}(f.dump()));
}

Result<Deployment> ParseDeployment(const Json& json, bool allow_fake) {
  if (!json.is_object()) return Invalid("deployment", "must be an object");
  Deployment d;
  d.raw = json;
  KR_TRY(ReadString(json, "method", d.method));
  if (d.method.empty()) d.method = "manual";
  static const std::set<std::string> kMethods = {"manual", "local", "docker", "aws_ec2",
                                                 "kubernetes"};
  if (!kMethods.count(d.method) && !(d.method == "fake" && (allow_fake || FakeDriverAllowed())))
    return Invalid(Field("method"), "must be one of manual, local, docker, aws_ec2, kubernetes");
  if (d.method == "docker") d.destroy_after_jobs = 1;  // containers are single-use by default
  KR_TRY(ReadInt(json, "instances_limit", 0, 100000, d.instances_limit));
  KR_TRY(ReadInt(json, "destroy_after_jobs", 0, 1000000, d.destroy_after_jobs));
  KR_TRY(ReadNumber(json, "destroy_after_idle_minutes", 0, 525600, d.destroy_after_idle_minutes));
  KR_TRY(ReadInt(json, "min_idle", 0, 100000, d.min_idle));
  KR_TRY(ReadInt(json, "boot_timeout", 1, 86400, d.boot_timeout));
  KR_TRY(ReadString(json, "default_system", d.default_system));
  if (d.default_system.empty()) d.default_system = "any";
  if (d.min_idle > d.instances_limit)
    return Invalid(Field("min_idle"),
                   fmt::format("must not exceed instances_limit ({})", d.instances_limit));
  if (d.method == "docker") KR_TRY(ParseDocker(json, d.docker));
  if (d.method == "aws_ec2") {
    auto ec2 = ec2::ParseEc2Options(json);  // errors name "deployment.<option>"
    if (!ec2) return tl::unexpected(ec2.error());
  }
  if (d.method == "fake") {
    const Json& f =
        json.contains("fake") && json["fake"].is_object() ? json["fake"] : Json::object();
    int64_t pct = 0;
    KR_TRY(ReadInt(f, "transient_pct", 0, 100, pct, "fake."));
    d.fake.transient_pct = static_cast<int>(pct);
    if (f.contains("permanent") && !f["permanent"].is_boolean())
      return Invalid(Field("fake.permanent"), "must be true or false");
    d.fake.permanent = f.value("permanent", false);
    KR_TRY(ReadInt(f, "boot_delay_ms", 0, 600000, d.fake.boot_delay_ms, "fake."));
  }
  return d;
}

}  // namespace kraken::autoscale
