// Test support for tools: a temporary workspace, a reporter that records what a tool
// reports, and a runner of real processes. Tests only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/tools/tool.h"
#include "proc/runner.h"

namespace kraken::tools {

class RecordingReporter : public Reporter {
 public:
  void Result(results::ResultRecord r) override { results.push_back(std::move(r)); }
  void Issue(Json i) override { issues.push_back(std::move(i)); }
  std::vector<results::ResultRecord> results;
  std::vector<Json> issues;
};

class ToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    dir_ = fs::temp_directory_path() /
           ("kraken-tool-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "ws");
    ctx_.workspace = (dir_ / "ws").string();
    ctx_.cache_dir = (dir_ / "cache").string();
    ctx_.job_deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    ctx_.runner = &runner_;
    ctx_.reporter = &rec_;
    ctx_.cancel = &cancel_;
    ctx_.output = [this](std::string_view s) { log_ += s; };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes a file under the workspace.
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = std::filesystem::path(ctx_.workspace) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string Read(const std::string& rel) {
    std::ifstream in(std::filesystem::path(ctx_.workspace) / rel, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  StepOutcome Run(const std::string& tool, const Json& fields) {
    return FindTool(tool)->run(fields, ctx_);
  }

  std::filesystem::path dir_;  // the workspace is dir_/ws, the agent's cache dir_/cache
  proc::RealRunner runner_;
  CancelHandle cancel_;
  RecordingReporter rec_;
  ToolContext ctx_;
  std::string log_;
};

}  // namespace kraken::tools
