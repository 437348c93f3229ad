#include "tests/e2e/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "http/free_port.h"

namespace kraken::e2e {

namespace fs = std::filesystem;

int FreePort() { return http::FreeLoopbackPort(); }

SingleAgentSystem::SingleAgentSystem(const std::string& dir) {
  server = std::make_unique<ServerProcess>(dir);
  server->Start();
  api = std::make_unique<Api>(server->url());
  api->Login();
  agent = std::make_unique<AgentProcess>(server->url(), dir + "/agent1", api->RegistrationToken(),
                                         "agent-1");
  agent->Start();
  api->WaitAgents(1);
}

SingleAgentSystem::~SingleAgentSystem() {
  agent.reset();
  server.reset();
}

int64_t ProjectOf(Api& api, int64_t branch) {
  return api.Ok("GET", "/api/v1/branches/" + std::to_string(branch))["project_id"];
}

std::string TempDir(const std::string& name) {
  std::string tmpl = (fs::temp_directory_path() / ("kraken-e2e-" + name + "-XXXXXX")).string();
  char* dir = mkdtemp(tmpl.data());
  // Passable, so that local agents of another user reach their work dirs inside.
  if (dir) chmod(dir, 0711);
  return dir ? dir : "";
}

pid_t Launch(const std::vector<std::string>& argv, const std::string& log,
             const std::vector<std::string>& env) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void Reap(pid_t pid, int sig) {
  if (pid <= 0) return;
  kill(pid, sig);
  int status;
  waitpid(pid, &status, 0);
}

ServerProcess::ServerProcess(std::string dir, std::string db, std::vector<std::string> extra)
    : dir_(std::move(dir)), db_(std::move(db)), extra_(std::move(extra)), port_(FreePort()) {}

ServerProcess::~ServerProcess() { Reap(pid_, SIGKILL); }

std::string ServerProcess::url() const {
  bool tls = std::find(extra_.begin(), extra_.end(), "--tls-cert") != extra_.end();
  return (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
}

void ServerProcess::Start() {
  std::vector<std::string> argv = {KRAKEN_BIN,        "server",
                                   "--data-dir",      dir_ + "/server",
                                   "--port",          std::to_string(port_),
                                   "--agent-timeout", "3",
                                   "--poll-wait",     "1"};
  if (!db_.empty()) {
    argv.push_back("--db");
    argv.push_back(db_);
  }
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  pid_ = Launch(argv, dir_ + "/server.log", {"KRAKEN_ADMIN_PASSWORD=test-password"});
  http::Client c;
  bool up = WaitFor(
      [&] {
        auto r = c.Request("GET", url() + "/api/v1/health", "", {}, std::chrono::seconds(1));
        return r && r->status == 200;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(up) << "server did not start; see " << dir_ << "/server.log";
}

void ServerProcess::Kill() {
  Reap(pid_, SIGKILL);
  pid_ = 0;
}

void ServerProcess::Stop() {
  Reap(pid_, SIGTERM);
  pid_ = 0;
}

AgentProcess::AgentProcess(std::string url, std::string dir, std::string token, std::string name,
                           std::vector<std::string> extra)
    : url_(std::move(url)),
      dir_(std::move(dir)),
      token_(std::move(token)),
      name_(std::move(name)),
      extra_(std::move(extra)) {}

AgentProcess::~AgentProcess() { Reap(pid_, SIGTERM); }

void AgentProcess::Start() {
  fs::create_directories(dir_);
  std::vector<std::string> argv = {KRAKEN_BIN, "agent",      "--server",
                                   url_,       "--data-dir", dir_,
                                   "--name",   name_,        "--registration-token",
                                   token_};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  pid_ = Launch(argv, dir_ + "/agent.log");
}

void AgentProcess::Kill() {
  Reap(pid_, SIGKILL);
  pid_ = 0;
}

Api::Api(std::string url) : url_(std::move(url)) {}

void Api::Login(const std::string& password) {
  Json r = Ok("POST", "/api/v1/auth/login", Json{{"user", "admin"}, {"password", password}});
  token_ = r["token"];
}

std::pair<int, Json> Api::Call(const std::string& method, const std::string& path,
                               const Json& body) {
  return CallRaw(method, path, body.is_null() ? "" : body.dump());
}

std::pair<int, Json> Api::CallRaw(const std::string& method, const std::string& path,
                                  const std::string& body) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!token_.empty()) headers.push_back("Authorization: Bearer " + token_);
  auto r = client_.Request(method, url_ + path, body, headers, std::chrono::seconds(30));
  if (!r) return {0, Json(r.error().message)};
  Json j = Json::parse(r->body, nullptr, false);
  return {r->status, j.is_discarded() ? Json(r->body) : j};
}

Json Api::Ok(const std::string& method, const std::string& path, const Json& body) {
  auto [status, json] = Call(method, path, body);
  EXPECT_GE(status, 200) << method << " " << path << ": " << json.dump();
  EXPECT_LT(status, 300) << method << " " << path << ": " << json.dump();
  return json;
}

std::string Api::Text(const std::string& path) {
  auto r = client_.Request("GET", url_ + path, "", {"Authorization: Bearer " + token_},
                           std::chrono::seconds(30));
  return r ? r->body : "";
}

int64_t Api::CreateBranch(const std::string& project, const std::string& branch) {
  Json p = Ok("POST", "/api/v1/projects", Json{{"name", project}});
  Json b = Ok("POST", "/api/v1/projects/" + std::to_string(p["id"].get<int64_t>()) + "/branches",
              Json{{"name", branch}});
  return b["id"];
}

int64_t Api::CreateStage(int64_t branch_id, const std::string& name, const Json& schema) {
  Json s = Ok("POST", "/api/v1/branches/" + std::to_string(branch_id) + "/stages",
              Json{{"name", name}, {"schema", schema}});
  return s.value("id", int64_t{0});
}

std::string Api::RegistrationToken(const std::string& group) {
  Json t = Ok("POST", "/api/v1/registration-tokens", Json{{"group", group}});
  return t["token"];
}

Json Api::FlowWithJobs(int64_t flow_id) {
  auto [status, flow] = Call("GET", "/api/v1/flows/" + std::to_string(flow_id));
  if (status != 200) return Json();
  auto [s2, runs] = Call("GET", "/api/v1/flows/" + std::to_string(flow_id) + "/runs");
  if (s2 != 200) return Json();
  flow["runs"] = runs;
  return flow;
}

Json Api::WaitFlow(int64_t flow_id, const std::function<bool(const Json&)>& pred,
                   std::chrono::seconds timeout) {
  Json last;
  bool ok = WaitFor(
      [&] {
        last = FlowWithJobs(flow_id);
        return !last.is_null() && pred(last);
      },
      timeout);
  EXPECT_TRUE(ok) << "flow " << flow_id << " did not reach the expected state: " << last.dump(1);
  return last;
}

Json Api::WaitFlowCompleted(int64_t flow_id, std::chrono::seconds timeout) {
  return WaitFlow(
      flow_id, [](const Json& f) { return f["state"] == "completed"; }, timeout);
}

void Api::WaitAgents(size_t count, std::chrono::seconds timeout) {
  bool ok = WaitFor(
      [&] {
        auto [status, agents] = Call("GET", "/api/v1/agents?authorized=true");
        if (status != 200) return false;
        size_t online = 0;
        for (const auto& a : agents) online += a["state"] == "online";
        return online >= count;
      },
      timeout);
  ASSERT_TRUE(ok) << "agents did not come online";
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

std::vector<pid_t> ProcessesWith(const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd, st;
    try {
      std::ifstream in(entry.path() / "cmdline", std::ios::binary);
      cmd.assign(std::istreambuf_iterator<char>(in), {});
      std::ifstream stat(entry.path() / "stat");
      std::getline(stat, st);
    } catch (const std::ios_base::failure&) {
      continue;  // the process ended while being read (libstdc++ throws on ESRCH)
    }
    auto paren = st.rfind(')');
    bool zombie = paren != std::string::npos && paren + 2 < st.size() && st[paren + 2] == 'Z';
    if (!zombie && cmd.find(needle) != std::string::npos && std::stoi(name) != getpid())
      out.push_back(std::stoi(name));
  }
  return out;
}

Json ShellStep(const std::string& cmd, const Json& extra) {
  Json s = {{"tool", "shell"}, {"cmd", cmd}};
  for (auto& [k, v] : extra.items()) s[k] = v;
  return s;
}

Json AnyEnvironment(const std::string& group) {
  return Json::array({Json{{"system", "any"}, {"agents_group", group}, {"config", "default"}}});
}

}  // namespace kraken::e2e
