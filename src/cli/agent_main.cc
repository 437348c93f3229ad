// `kraken-agent`: the agent alone, statically linked, that the server hands to new machines
// (GET /install/agent). It needs nothing from the machine but a Linux kernel; the programs
// its tools call (git, python, ...) are the machine's own.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "agent/agent_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Kraken agent: runs the jobs of a Kraken server on this machine"};
  // Not CLI11's version flag, which ends the parse with an exception: in a static binary the
  // first exception thrown sorts the unwind tables of the whole program (milliseconds).
  app.add_flag_callback("--version",
                        [] {
                          std::cout << "kraken-agent " << KRAKEN_VERSION << std::endl;
                          std::exit(0);
                        })
      ->trigger_on_parse()
      ->description("Print the version and exit");
  kraken::agent::AgentCommand command;
  command.options.self_is_static = true;  // what it puts in a job's container is itself
  kraken::agent::AddAgentOptions(app, command);
  CLI11_PARSE(app, argc, argv);
  return kraken::agent::RunAgentCommand(command);
}
