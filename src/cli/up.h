// `kraken up`: the one-command start. A server on SQLite in the data dir, a demo project on
// first start, local agents started on demand by the autoscaler (group `all`), and the URL
// and admin login printed. Blocks until SIGINT/SIGTERM, then stops the agents it started.
#pragma once

#include <string>

namespace kraken::cli {

struct UpOptions {
  std::string data_dir = "kraken-data";
  std::string address = "127.0.0.1";
  int port = 8080;
  int agents = 0;  // fixed local agents; 0: group `all` autoscales local agents
  std::string ui_dir;
  std::string agents_dir;  // local agents' work dirs; empty: autoscale::DefaultAgentsDir
};

int Up(const UpOptions& options);

}  // namespace kraken::cli
