// Whole-system test harness: boots the real `kraken server` and real `kraken agent`
// processes on loopback in a temporary directory, and talks to them only through the public
// API. Each test gets its own data directory and port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "http/client.h"

namespace kraken::e2e {

// A free TCP port on 127.0.0.1 (bound and released; the server binds it right after).
int FreePort();

class ServerProcess {
 public:
  // `db`: empty for SQLite in the data dir, or a PostgreSQL URL.
  ServerProcess(std::string dir, std::string db = {}, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  void Start();  // starts and waits until /api/v1/health answers
  void Kill();   // SIGKILL
  void Stop();   // SIGTERM and wait
  // https:// when the extra arguments give it a --tls-cert.
  std::string url() const;
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }

 private:
  std::string dir_, db_;
  std::vector<std::string> extra_;
  int port_;
  pid_t pid_ = 0;
};

class AgentProcess {
 public:
  AgentProcess(std::string server_url, std::string dir, std::string registration_token,
               std::string name, std::vector<std::string> extra_args = {});
  ~AgentProcess();
  void Start();
  void Kill();  // SIGKILL, the agent alone (its running step is left to the server to judge)
  pid_t pid() const { return pid_; }

 private:
  std::string url_, dir_, token_, name_;
  std::vector<std::string> extra_;
  pid_t pid_ = 0;
};

// An API client signed in as the admin.
class Api {
 public:
  explicit Api(std::string url);
  void Login(const std::string& password = "test-password");
  // Returns {status, json body}; on transport failure status is 0.
  std::pair<int, Json> Call(const std::string& method, const std::string& path,
                            const Json& body = nullptr);
  // Like Call, with the body sent as it is (which need not be JSON).
  std::pair<int, Json> CallRaw(const std::string& method, const std::string& path,
                               const std::string& body);
  // Like Call, but fails the test unless the status is 2xx.
  Json Ok(const std::string& method, const std::string& path, const Json& body = nullptr);
  std::string Text(const std::string& path);

  // Conveniences over the REST API.
  int64_t CreateBranch(const std::string& project, const std::string& branch);
  int64_t CreateStage(int64_t branch_id, const std::string& name, const Json& schema);
  std::string RegistrationToken(const std::string& group = "all");
  // Waits until `pred(flow)` holds for GET /flows/{id} with runs and jobs; returns the flow.
  Json WaitFlow(int64_t flow_id, const std::function<bool(const Json&)>& pred,
                std::chrono::seconds timeout = std::chrono::seconds(60));
  Json WaitFlowCompleted(int64_t flow_id, std::chrono::seconds timeout = std::chrono::seconds(60));
  // Waits until `count` authorized agents are online (polling for work).
  void WaitAgents(size_t count, std::chrono::seconds timeout = std::chrono::seconds(30));
  Json FlowWithJobs(int64_t flow_id);

 private:
  std::string url_;
  std::string token_;
  http::Client client_;
};

// Waits until `pred()` holds, checking every 20 ms; false on timeout.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

// A started server in `dir`, an admin API client and one agent it has seen (`agent-1`).
struct SingleAgentSystem {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Api> api;
  std::unique_ptr<AgentProcess> agent;
  explicit SingleAgentSystem(const std::string& dir);
  ~SingleAgentSystem();  // the agent stops first
};

// The id of the project a branch belongs to.
int64_t ProjectOf(Api& api, int64_t branch);

// Pids of live processes whose command line contains `needle`.
std::vector<pid_t> ProcessesWith(const std::string& needle);

// A shell step and an environment, in stage-schema form.
Json ShellStep(const std::string& cmd, const Json& extra = Json::object());
Json AnyEnvironment(const std::string& group = "all");

// A fresh temporary directory, removed by the test's end.
std::string TempDir(const std::string& name);

// Starts `argv` (argv[0] a path) in a process group of its own with stdout and stderr
// appended to `log` and `env` ("NAME=value") added to its environment.
pid_t Launch(const std::vector<std::string>& argv, const std::string& log,
             const std::vector<std::string>& env = {});
// Sends `sig` to `pid` and waits for it to exit.
void Reap(pid_t pid, int sig);

}  // namespace kraken::e2e
