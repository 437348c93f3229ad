// The `local` driver: a machine is a `kraken agent` process of the server's own binary,
// started as a daemon (its own session and process group) as the agent account of
// agent_account.h, with a work directory of its own under the agents dir (outside the
// server's data dir) and its log beside it. Its tags travel in its environment (KRAKEN_TAG_SERVER,
// _GROUP, _MACHINE), so List finds the agents of a group again after a server restart by reading
// /proc. A driver id is "PID:START_TIME", which names one process for good even when pids
// are recycled; Destroy also checks the command line before it kills anything.
//
// Thread-safe: no mutable state.
#pragma once

#include <string>

#include "cloud/driver.h"

namespace kraken::autoscale {

class LocalDriver : public cloud::Driver {
 public:
  // `kraken_binary`: the program to start (the server's /proc/self/exe);
  // `machines_dir`: the agents dir, where each machine gets its work directory;
  // `data_dir`: the server's, hidden from the agents with the agents dir (agent_account.h).
  LocalDriver(std::string kraken_binary, std::string machines_dir, std::string data_dir = {})
      : binary_(std::move(kraken_binary)),
        dir_(std::move(machines_dir)),
        data_dir_(std::move(data_dir)) {}

  std::string method() const override { return "local"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override;
  cloud::DriverResult<void> Destroy(const std::string& driver_id) override;
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string& server_id,
                                                              Id group_id) override;

 private:
  std::string binary_, dir_, data_dir_;
};

// The agent's command line for a machine (shared by drivers that run the agent directly):
// `binary agent ...` for the kraken binary (`subcommand`), `binary ...` for kraken-agent.
std::vector<std::string> AgentArgv(const std::string& binary, const cloud::MachineSpec& spec,
                                   const std::string& data_dir, bool subcommand = true);

}  // namespace kraken::autoscale
