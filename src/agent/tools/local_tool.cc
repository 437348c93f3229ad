// The `local_tool` tool: runs a tool written in Python the way Kraken CI runs its custom
// tools, from a directory on the agent (`tool_location`, relative to the workspace or
// absolute) holding the module `tool_entry` (default `main`, i.e. main.py). The step's other
// fields are the tool's parameters: the module gets them as the `step` dict.
//
// Kraken CI's tool interface: the module defines some of `run_tests(step, report_result)`
// (after `collect_tests(step)`, whose list is passed as step['tests']),
// `run_analysis(step, report_issue)` and `run(step)`; the first of these it has is called and
// returns `(retcode, message)` (or nothing: success). retcode 0 is success and 10000 a step
// timeout. A result is {test, status (a code 0-5 or a name: passed, failed, ...), cmd?,
// values?, message?, duration?}, an issue {path, line, column, symbol, message, type}. Its
// `vendor/` directory, where Kraken CI vendors a tool's requirements, goes on sys.path.
//
// A small Python driver (below) imports the module with python3, calls it and writes what it
// reports as JSON lines to a file the agent reads afterwards. `run_artifacts` and `run_data`
// (Kraken CI's uploads and user data from a custom tool) are refused: the `artifacts` and
// `data` tools do that here.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDriver = R"PY(
import importlib, json, os, sys, traceback
location, entry, step_file, out_file = sys.argv[1:5]
sys.path.insert(0, location)
if os.path.isdir(os.path.join(location, 'vendor')):
    sys.path.insert(0, os.path.join(location, 'vendor'))
with open(step_file) as f:
    step = json.load(f)
out = open(out_file, 'w')
def emit(kind, item):
    out.write(json.dumps({'kind': kind, 'item': item}) + '\n')
    out.flush()
try:
    module = importlib.import_module(entry)
except Exception:
    traceback.print_exc()
    emit('end', {'retcode': 1, 'message': 'cannot import %s from %s' % (entry, location)})
    sys.exit(0)
for name in ('run_artifacts', 'run_data'):
    if hasattr(module, name) and not any(hasattr(module, n) for n in ('run_tests', 'run_analysis', 'run')):
        emit('end', {'retcode': 1, 'message': '%s is not supported by local_tool; use the %s tool' % (name, name[4:])})
        sys.exit(0)
try:
    if hasattr(module, 'run_tests'):
        if hasattr(module, 'collect_tests'):
            step['tests'] = list(module.collect_tests(step))
        ret = module.run_tests(step, report_result=lambda r: emit('result', r))
    elif hasattr(module, 'run_analysis'):
        ret = module.run_analysis(step, report_issue=lambda i: emit('issue', i))
    elif hasattr(module, 'run'):
        ret = module.run(step)
    else:
        ret = (1, '%s defines none of run_tests, run_analysis, run' % entry)
except Exception:
    traceback.print_exc()
    ret = (1, 'the tool raised %s' % sys.exc_info()[0].__name__)
if ret is None:
    ret = (0, '')
elif isinstance(ret, int):
    ret = (ret, '')
emit('end', {'retcode': int(ret[0]), 'message': str(ret[1] if len(ret) > 1 else '')})
)PY";

constexpr int64_t kTimeoutRetcode = 10000;  // Kraken CI: the step timed out

// A result as Kraken CI tools report it, with the status as a code or a name.
Result<results::ResultRecord> ToRecord(Json item) {
  if (item.is_object() && item.contains("status") && item["status"].is_string()) {
    static const char* kNames[] = {"not-run", "passed",   "failed",
                                   "error",   "disabled", "unsupported"};
    std::string name = item["status"].get<std::string>();
    for (char& c : name)
      c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "notrun") name = "not-run";
    for (int code = 0; code < 6; ++code)
      if (name == kNames[code]) item["status"] = code;
  }
  if (item.is_object() && item.contains("cmd") && item["cmd"].is_string() &&
      item["cmd"].get_ref<const std::string&>().empty())
    item.erase("cmd");
  auto record = results::ResultRecordFromJson(item);
  if (!record) return Invalid("result", record.error());
  return *record;
}

StepOutcome RunLocalTool(const Json& fields, ToolContext& ctx) {
  auto location = StringField(fields, "tool_location");
  auto entry = StringField(fields, "tool_entry", "main");
  for (const auto* r : {&location, &entry})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (location->empty())
    return StepOutcome::Error("tool_location: the tool's directory is required");
  std::string dir = StepCwd(ctx, *location);
  if (!fs::is_directory(dir))
    return StepOutcome::Error("tool_location: " + dir + " is not a directory");
  if (entry->empty() || entry->find_first_of("/\\ ") != std::string::npos)
    return StepOutcome::Error("tool_entry: must be a Python module name");
  if (!fs::exists(fs::path(dir) / (*entry + ".py")) && !fs::is_directory(fs::path(dir) / *entry))
    return StepOutcome::Error("tool_entry: " + dir + " has no " + *entry + ".py");

  // The driver's input and output live in a private temporary directory.
  std::string tmp = (fs::temp_directory_path() / "kraken-local-tool-XXXXXX").string();
  if (!mkdtemp(tmp.data())) return StepOutcome::Error("cannot make a temporary directory");
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  Json step = fields;
  step.erase("#secrets");
  step["tool"] = "local_tool";
  std::ofstream(tmp + "/step.json") << step.dump();
  std::ofstream(tmp + "/driver.py") << kDriver;

  CommandOptions cmd;
  cmd.argv = {"python3", tmp + "/driver.py", dir, *entry, tmp + "/step.json", tmp + "/out.jsonl"};
  StepOutcome run = RunCommand(ctx, cmd);
  if (!run.ok) return run;  // the driver itself exits 0; anything else is a timeout, cancel, crash

  std::ifstream in(tmp + "/out.jsonl");
  std::optional<Json> end;
  int results = 0, issues = 0;
  for (std::string line; std::getline(in, line);) {
    Json msg = Json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) continue;
    std::string kind = msg.value("kind", "");
    if (kind == "result") {
      auto record = ToRecord(msg["item"]);
      if (!record)
        return StepOutcome::Error("local_tool: a reported result is invalid: " +
                                  record.error().message);
      ctx.reporter->Result(std::move(*record));
      ++results;
    } else if (kind == "issue") {
      if (!msg["item"].is_object())
        return StepOutcome::Error("local_tool: a reported issue is not an object");
      ctx.reporter->Issue(msg["item"]);
      ++issues;
    } else if (kind == "end") {
      end = msg["item"];
    }
  }
  if (results || issues)
    ctx.Log(fmt::format("local_tool: {} results and {} issues reported\n", results, issues));
  if (!end) return StepOutcome::Error("local_tool: the tool ended without a result");
  int64_t retcode = end->value("retcode", int64_t{1});
  std::string message = end->value("message", "");
  if (retcode == 0) return StepOutcome::Done();
  StepOutcome out{false, retcode, retcode == kTimeoutRetcode ? "step-timeout" : "exit-code",
                  message};
  if (out.message.empty()) out.message = fmt::format("the tool returned {}", retcode);
  return out;
}

}  // namespace

ToolSpec LocalTool() {
  return ToolSpec{"local_tool",
                  "Runs a Kraken CI style Python tool from a directory on the agent; other fields "
                  "are its parameters.",
                  {{"tool_location", "string",
                    "Directory holding the tool's module (relative to the workspace)"},
                   {"tool_entry", "string", "The tool's Python module in that directory", "main"}},
                  RunLocalTool};
}

}  // namespace kraken::tools
