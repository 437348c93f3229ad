// What the whole-system benchmarks share: starting `kraken` processes on loopback, calling
// their JSON APIs, and percentiles. A failed API call ends the benchmark (exit 1) with the
// server's answer on stderr: a benchmark that cannot set itself up has nothing to report.
//
// Not thread-safe: an Endpoint is used from one thread at a time.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "http/client.h"

namespace kraken::bench {

// A TCP port free on 127.0.0.1 right now.
int FreePort();

// Starts argv (argv[0] a path) in a process group of its own, stdout and stderr appended
// to `log`, with the admin password `bench` for servers it starts. Whatever is still
// running when the benchmark exits, or is stopped by SIGTERM, SIGINT or SIGHUP, gets a
// SIGTERM.
pid_t Launch(std::vector<std::string> argv, const std::string& log);

// SIGTERM, then waits for it to exit.
void Stop(pid_t pid);

// The value at fraction `p` (0..1) of the sorted samples; `v` must not be empty.
double Percentile(std::vector<double> v, double p);

// A JSON HTTP API at `url`, with a bearer token once logged in.
struct Endpoint {
  std::string url, token;
  http::Client client;

  // The parsed answer to a call that must succeed.
  Json Call(const std::string& method, const std::string& path, const Json& body = nullptr);
  // True when GET `path` answers 200.
  bool Up(const std::string& path);
  // Waits (up to `attempts` × 20 ms) for every endpoint to answer GET on its path.
  static bool WaitUp(const std::vector<std::pair<Endpoint*, std::string>>& endpoints,
                     int attempts = 500);
  // Logs in as admin (password `bench`) and keeps the token.
  void Login();
};

}  // namespace kraken::bench
