#include "cli/results_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <iostream>

#include "agent/tools/tool.h"
#include "cli/client_config.h"
#include "results/result_record.h"

namespace kraken::cli {
namespace {

// Prints each finding as one JSON object per line, tagged with its kind.
class StdoutReporter : public tools::Reporter {
 public:
  void Result(results::ResultRecord record) override {
    Json j = results::ToJson(record);
    j["kind"] = "result";
    j["status_name"] = std::string(results::StatusName(record.status));
    std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  }
  void Issue(Json issue) override {
    issue["kind"] = "issue";
    std::cout << issue.dump() << "\n";
  }
  void Note(std::string_view kind, Json item) override {
    item["kind"] = std::string(kind);
    std::cout << item.dump() << "\n";
  }
};

// FIELD=VALUE: VALUE is read as JSON when it parses (numbers, lists, dicts, true), else as
// a string.
Json ParseFields(const std::vector<std::string>& pairs, std::string& error) {
  Json fields = Json::object();
  for (const auto& kv : pairs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "fields are FIELD=VALUE, got '" + kv + "'";
      return nullptr;
    }
    std::string value = kv.substr(eq + 1);
    Json parsed = Json::parse(value, nullptr, false);
    fields[kv.substr(0, eq)] = parsed.is_discarded() || parsed.is_string() ? Json(value) : parsed;
  }
  return fields;
}

}  // namespace

ResultsCommands::ResultsCommands(CLI::App& app) {
  auto* tool = app.add_subcommand("tool", "Run a step tool locally");
  tool->require_subcommand(1);
  tool_run_ = tool->add_subcommand(
      "run", "Run TOOL here, outside any job; print what it reports as JSON lines");
  tool_run_->add_option("tool", tool_name_, "Tool name (kraken tools lists them)")->required();
  tool_run_->add_option("fields", fields_, "Step fields as FIELD=VALUE (VALUE may be JSON)");
  tool_run_->add_option("--cwd", cwd_, "Workspace the tool runs in")->capture_default_str();

  tools_ = app.add_subcommand("tools", "List the step tools and their fields");
  tools_->add_flag("--schema", schema_, "Print each tool's field JSON Schema");

  results_ = app.add_subcommand("results", "Show a run's test results");
  results_->add_option("run", run_id_, "Run id")->required();
  results_->add_option("--status", status_, "Statuses, comma-separated (failed,error,...)");
  results_->add_option("--change", change_,
                       "Changes, comma-separated (regression,fix,new,no-change)");
  results_->add_option("--name", name_, "Part of the test name");
  results_->add_option("--sort", sort_, "Sort key, '-' for descending")->capture_default_str();
  results_->add_option("--limit", limit_, "At most this many")->capture_default_str();
  results_->add_flag("--json", json_, "Print the API answer as JSON");
  results_->add_option("--server", server_, "Server URL (or KRAKEN_SERVER)");
  results_->add_option("--token", token_, "API token (or KRAKEN_TOKEN)");
  results_->add_option("--data-dir", data_dir_, "Where `kraken up` saved cli.json")
      ->capture_default_str();
  results_->add_option("--ca-file", tls_.ca_file,
                       "Trust the server if signed by a CA of this PEM file");
}

std::optional<int> ResultsCommands::RunIfParsed() {
  if (tool_run_->parsed()) return ToolRun();
  if (tools_->parsed()) return ToolList();
  if (results_->parsed()) return Results();
  return std::nullopt;
}

int ResultsCommands::ToolRun() {
  const tools::ToolSpec* spec = tools::FindTool(tool_name_);
  if (!spec) {
    std::cerr << "kraken: no tool named '" << tool_name_ << "' (kraken tools lists them)\n";
    return 2;
  }
  std::string error;
  Json fields = ParseFields(fields_, error);
  if (!error.empty()) {
    std::cerr << "kraken: " << error << "\n";
    return 2;
  }
  proc::RealRunner runner;
  tools::CancelHandle cancel;
  StdoutReporter reporter;
  tools::ToolContext ctx;
  ctx.workspace = std::filesystem::absolute(cwd_).lexically_normal().string();
  while (ctx.workspace.size() > 1 && ctx.workspace.back() == '/') ctx.workspace.pop_back();
  ctx.job_deadline = std::chrono::steady_clock::now() + std::chrono::hours(24);
  ctx.output = [](std::string_view bytes) {
    std::cerr.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  ctx.cancel = &cancel;
  ctx.runner = &runner;
  ctx.reporter = &reporter;
  tools::StepOutcome out = spec->run(fields, ctx);
  std::cout.flush();
  if (!out.ok) {
    std::cerr << "kraken: step failed (" << (out.reason.empty() ? "error" : out.reason) << ")"
              << (out.message.empty() ? "" : ": " + out.message) << "\n";
    return out.retcode > 0 ? static_cast<int>(out.retcode) : 1;
  }
  return 0;
}

int ResultsCommands::ToolList() {
  for (const auto& t : tools::AllTools()) {
    if (schema_) {
      std::cout << Json{{"tool", t.name}, {"schema", tools::FieldsSchema(t)}}.dump() << "\n";
      continue;
    }
    std::cout << t.name << ": " << t.description << "\n";
    for (const auto& f : t.fields)
      std::cout << "  " << f.name << " (" << f.type << (f.required ? ", required" : "") << ")"
                << (f.default_value.is_null() ? "" : " = " + f.default_value.dump()) << ": "
                << f.description << "\n";
  }
  return 0;
}

int ResultsCommands::Results() {
  auto config = ResolveClientConfig(server_, token_, data_dir_, tls_);
  if (!config) {
    std::cerr << "kraken: " << config.error().message << "\n";
    return 2;
  }
  std::string path = "/api/v1/runs/" + std::to_string(run_id_) +
                     "/results?limit=" + std::to_string(limit_) + "&sort=" + sort_;
  auto add = [&](const char* key, const std::string& v) {
    if (v.empty()) return;
    path += std::string("&") + key + "=";
    for (char c : v)
      path += std::isalnum(static_cast<unsigned char>(c)) || c == ',' || c == '-' || c == '_' ||
                      c == '.'
                  ? std::string(1, c)
                  : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  };
  add("status", status_);
  add("change", change_);
  add("name", name_);
  http::Client client;
  client.set_tls_trust(config->tls);
  auto res = Api(client, *config, "GET", path);
  if (!res) {
    std::cerr << "kraken: " << res.error().message << "\n";
    return 1;
  }
  if (json_) {
    std::cout << res->dump(2) << "\n";
    return 0;
  }
  const Json& c = (*res)["counters"];
  if (!c.is_null())
    std::cout << fmt::format(
        "run {}: {} tests, {} passed, {} not run, {} new, {} fixes, {} regressions, {} flaky\n",
        run_id_, c["total"].get<int64_t>(), c["passed"].get<int64_t>(), c["not_run"].get<int64_t>(),
        c["new"].get<int64_t>(), c["fixes"].get<int64_t>(), c["regressions"].get<int64_t>(),
        c["flaky"].get<int64_t>());
  else
    std::cout << "run " << run_id_ << ": not analysed yet\n";
  std::cout << fmt::format("{:<10} {:<11} {:>4} {:>5} {:>4}  {}\n", "STATUS", "CHANGE", "AGE",
                           "INSTB", "REL", "TEST");
  for (const auto& r : (*res)["items"])
    std::cout << fmt::format(
        "{:<10} {:<11} {:>4} {:>5} {:>4}  {}{}\n", r["status"].get<std::string>(),
        r["change"].is_null() ? "-" : r["change"].get<std::string>(), r["age"].get<int64_t>(),
        r["instability"].get<int64_t>(), r["relevancy"].get<int64_t>(),
        r["test"].get<std::string>(), r["flaky"].get<bool>() ? "  (flaky)" : "");
  std::cout << fmt::format("{} of {} shown\n", (*res)["items"].size(),
                           (*res)["total"].get<int64_t>());
  return 0;
}

}  // namespace kraken::cli
