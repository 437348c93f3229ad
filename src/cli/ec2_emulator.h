// `kraken ec2-emulator`: runs the EC2 emulator (src/ec2emu) as a program until SIGINT or
// SIGTERM. See docs/ec2-emulator.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ec2emu/emulator.h"

namespace kraken::cli {

struct Ec2EmulatorOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8788;            // 0: any free port (printed at start)
  std::string boot_mode = "auto";  // netns, process, or auto (netns when root)
  std::string work_dir;            // default: a fresh directory under /tmp
  std::vector<int> forward_ports;  // host loopback ports every instance can reach
  // "AMI=DIR": instances of that AMI boot in the root filesystem DIR (netns mode only).
  std::vector<std::string> images;
  ec2emu::EmulatorOptions emulator;
};

// Returns the process exit code. The caller has blocked SIGINT and SIGTERM.
int RunEc2Emulator(Ec2EmulatorOptions options);

}  // namespace kraken::cli
