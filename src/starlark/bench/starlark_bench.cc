// Benchmarks of the Starlark interpreter on Kraken stage schemas: a typical
// ~200-line schema (target: <= 200 us per evaluation) and one that fans out
// 10,000 jobs (target: <= 50 ms). Each iteration loads the module, calls
// stage(ctx) and converts the result to JSON, as the CI server does.
#include <benchmark/benchmark.h>

#include <string>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

// A realistic stage: helper functions, constants, loops over platforms and
// test shards, string formatting, conditionals on the context.
const char kTypicalStage[] = R"star(
# Stage schema for the "backend" pipeline.

PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-arm64"]
PYTHON_VERSIONS = ["3.10", "3.11", "3.12"]
SHARDS = 4
DEFAULT_TIMEOUT = 1800
IMAGES = {
    "linux-amd64": "registry.local/build/ubuntu:22.04",
    "linux-arm64": "registry.local/build/ubuntu-arm:22.04",
    "darwin-arm64": None,
}

def env_for(platform, extra = {}):
    env = {
        "PLATFORM": platform,
        "CI": "true",
        "KRAKEN_STAGE": "backend",
    }
    for k, v in extra.items():
        env[k] = v
    return env

def runner_labels(platform):
    os, arch = platform.split("-")
    labels = ["os:" + os, "arch:" + arch]
    if os == "darwin":
        labels.append("pool:mac")
    else:
        labels.append("pool:default")
    return labels

def checkout_step(ctx):
    return {
        "name": "checkout",
        "uses": "git",
        "with": {"repo": ctx.repo.url, "ref": ctx.flow.sha, "depth": 1},
    }

def cache_step(platform, key):
    return {
        "name": "cache-%s" % key,
        "uses": "cache",
        "with": {"key": "%s-%s-v3" % (key, platform), "paths": [".cache/%s" % key]},
    }

def build_job(ctx, platform):
    steps = [checkout_step(ctx), cache_step(platform, "bazel")]
    steps.append({
        "name": "build",
        "run": "bazel build //... --config=%s --jobs=%d" % (platform, 8),
        "timeout": DEFAULT_TIMEOUT,
    })
    steps.append({
        "name": "upload",
        "run": "kraken artifacts upload bazel-bin/backend.tar --name build-%s" % platform,
    })
    job = {
        "name": "build-%s" % platform,
        "labels": runner_labels(platform),
        "env": env_for(platform, {"BAZEL_CONFIG": platform}),
        "steps": steps,
    }
    if IMAGES[platform]:
        job["image"] = IMAGES[platform]
    return job

def test_job(ctx, platform, python, shard):
    name = "test-%s-py%s-%d" % (platform, python.replace(".", ""), shard)
    return {
        "name": name,
        "needs": ["build-%s" % platform],
        "labels": runner_labels(platform),
        "env": env_for(platform, {
            "PYTHON": python,
            "SHARD_INDEX": str(shard),
            "SHARD_COUNT": str(SHARDS),
        }),
        "steps": [
            checkout_step(ctx),
            {"name": "download", "run": "kraken artifacts download build-%s" % platform},
            {"name": "test", "run": "pytest -n 4 --shard %d/%d tests/" % (shard + 1, SHARDS)},
        ],
        "retries": 1 if ctx.flow.kind == "pull_request" else 2,
    }

def lint_jobs(ctx):
    jobs = []
    for tool in ["ruff", "mypy", "clang-format", "buildifier"]:
        jobs.append({
            "name": "lint-" + tool,
            "labels": runner_labels("linux-amd64"),
            "steps": [checkout_step(ctx), {"name": tool, "run": "make lint-%s" % tool}],
        })
    return jobs

def deploy_jobs(ctx):
    if ctx.flow.kind != "push" or ctx.flow.branch != "main":
        return []
    jobs = []
    for env in ["staging", "production"]:
        needs = ["build-linux-amd64"] + ["test-linux-amd64-py312-%d" % s for s in range(SHARDS)]
        if env == "production":
            needs.append("deploy-staging")
        jobs.append({
            "name": "deploy-" + env,
            "needs": needs,
            "labels": ["pool:deploy"],
            "env": {"TARGET": env, "VERSION": ctx.flow.sha[:12]},
            "steps": [{"name": "deploy", "run": "kraken deploy --env %s --version %s" % (env, ctx.flow.sha[:12])}],
            "approval": env == "production",
        })
    return jobs

def notify_job(ctx, all_jobs):
    return {
        "name": "notify",
        "needs": [j["name"] for j in all_jobs],
        "when": "always",
        "steps": [{"name": "slack", "run": "kraken notify --channel #%s" % ctx.repo.name}],
    }

def triggers(ctx):
    return {
        "push": {"branches": ["main", "release/*"]},
        "pull_request": {"branches": ["main"], "paths_ignore": ["docs/**", "*.md"]},
        "schedule": [{"cron": "0 3 * * *"}],
    }

def stage(ctx):
    jobs = []
    jobs.extend(lint_jobs(ctx))
    for platform in PLATFORMS:
        jobs.append(build_job(ctx, platform))
        for python in PYTHON_VERSIONS:
            if platform == "darwin-arm64" and python != "3.12":
                continue
            for shard in range(SHARDS):
                jobs.append(test_job(ctx, platform, python, shard))
    jobs.extend(deploy_jobs(ctx))
    jobs.append(notify_job(ctx, jobs))
    return {
        "parent": "root",
        "triggers": triggers(ctx),
        "concurrency": {"group": "backend-%s" % ctx.flow.branch, "cancel_in_progress": ctx.flow.kind == "pull_request"},
        "jobs": jobs,
    }
)star";

const char kFanOutStage[] = R"star(
def job(i):
    return {
        "name": "shard-%d" % i,
        "labels": ["pool:default", "arch:amd64"],
        "env": {"SHARD": str(i), "TOTAL": "10000"},
        "steps": [{"name": "run", "run": "make test SHARD=%d" % i}],
    }

def stage(ctx):
    return {
        "parent": "root",
        "triggers": {"push": {"branches": [ctx.flow.branch]}},
        "jobs": [job(i) for i in range(10000)],
    }
)star";

// The "jobs" entry of a stage's result dict.
Value Index(const Value& dict, const char* key) {
  const Value* v = dict.as<DictObject>()->table.Find(Value::String(key));
  return v != nullptr ? *v : Value();
}

nlohmann::json Context() {
  return nlohmann::json::parse(R"({
    "flow": {"kind": "push", "branch": "main", "sha": "0123456789abcdef0123456789abcdef01234567"},
    "repo": {"url": "https://git.local/backend.git", "name": "backend"}
  })");
}

// Evaluation is loading the module (parse, resolve, run the top level)
// and calling stage(ctx); with to_json, also converting the result to JSON.
void Evaluate(benchmark::State& state, const char* source, bool to_json) {
  Value ctx = StructFromJson("ctx", Context());
  int64_t jobs = 0;
  for (auto _ : state) {
    auto module = Module::Load(source, "stage.star");
    if (!module) {
      state.SkipWithError(module.error().backtrace.c_str());
      return;
    }
    auto result = module->Call("stage", {ctx});
    if (!result) {
      state.SkipWithError(result.error().backtrace.c_str());
      return;
    }
    jobs = Len(Index(*result, "jobs"));
    if (to_json) {
      auto json = ToJson(*result);
      if (!json) {
        state.SkipWithError(json.error().message.c_str());
        return;
      }
      benchmark::DoNotOptimize(json);
    }
  }
  state.counters["jobs"] = static_cast<double>(jobs);
}

void BM_TypicalStage(benchmark::State& state) { Evaluate(state, kTypicalStage, false); }
BENCHMARK(BM_TypicalStage)->Unit(benchmark::kMicrosecond);

void BM_TypicalStageToJson(benchmark::State& state) { Evaluate(state, kTypicalStage, true); }
BENCHMARK(BM_TypicalStageToJson)->Unit(benchmark::kMicrosecond);

void BM_FanOut10000Jobs(benchmark::State& state) { Evaluate(state, kFanOutStage, false); }
BENCHMARK(BM_FanOut10000Jobs)->Unit(benchmark::kMillisecond);

void BM_FanOut10000JobsToJson(benchmark::State& state) { Evaluate(state, kFanOutStage, true); }
BENCHMARK(BM_FanOut10000JobsToJson)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kraken::starlark

BENCHMARK_MAIN();
