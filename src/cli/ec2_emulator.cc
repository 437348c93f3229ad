#include "cli/ec2_emulator.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "ec2emu/async_booter.h"
#include "ec2emu/booter.h"
#include "http/router.h"
#include "http/server.h"

namespace kraken::cli {

int RunEc2Emulator(Ec2EmulatorOptions options) {
  std::string mode = options.boot_mode;
  if (mode == "auto") mode = ec2emu::NetnsBooter::Supported() ? "netns" : "process";
  if (mode != "netns" && mode != "process") {
    std::cerr << "kraken ec2-emulator: --boot-mode must be netns, process or auto\n";
    return 2;
  }
  if (mode == "netns" && !ec2emu::NetnsBooter::Supported()) {
    std::cerr << "kraken ec2-emulator: --boot-mode netns needs root and iproute2 (ip)\n";
    return 2;
  }
  std::map<std::string, std::string> images;
  for (const std::string& spec : options.images) {
    size_t eq = spec.find('=');
    std::error_code ec;
    if (eq == std::string::npos || eq == 0 ||
        !std::filesystem::is_directory(spec.substr(eq + 1), ec)) {
      std::cerr << "kraken ec2-emulator: --image must be AMI=DIR with DIR a root filesystem: "
                << spec << "\n";
      return 2;
    }
    images[spec.substr(0, eq)] = std::filesystem::absolute(spec.substr(eq + 1)).string();
  }
  if (!images.empty() && mode != "netns") {
    std::cerr << "kraken ec2-emulator: --image needs --boot-mode netns (root and iproute2)\n";
    return 2;
  }
  bool own_work_dir = options.work_dir.empty();
  if (own_work_dir) {
    char pattern[] = "/tmp/kraken-ec2emu-XXXXXX";
    if (!mkdtemp(pattern)) {
      std::cerr << "kraken ec2-emulator: cannot create a work directory in /tmp\n";
      return 1;
    }
    options.work_dir = pattern;
  }
  std::filesystem::create_directories(options.work_dir);

  std::unique_ptr<ec2emu::Booter> booter;
  if (mode == "netns")
    booter = std::make_unique<ec2emu::NetnsBooter>(options.work_dir, options.forward_ports, images);
  else
    booter = std::make_unique<ec2emu::ProcessBooter>(options.work_dir);
  // Boots run off the loop, so the API answers while a hundred instances boot.
  auto async_booter = std::make_unique<ec2emu::AsyncBooter>(*booter);

  http::Loop loop;
  http::Router router;
  auto emulator = std::make_unique<ec2emu::Emulator>(loop, *async_booter, options.emulator);
  emulator->Register(router);
  http::ServerOptions server_options;
  server_options.address = options.address;
  server_options.port = options.port;
  http::Server server(loop, router, server_options);
  if (auto st = server.Start(); !st) {
    std::cerr << "kraken ec2-emulator: " << st.error().message << "\n";
    return 1;
  }
  std::thread waiter([&loop, &server] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    loop.Post([&] {
      server.Stop();
      loop.Stop();
    });
  });
  std::cout << "ec2 emulator listening on http://" << options.address << ":" << server.port()
            << " (boot mode " << mode << ", work dir " << options.work_dir << ")" << std::endl;
  loop.Run();
  waiter.join();
  emulator.reset();      // halts every instance still running
  async_booter.reset();  // waits for those halts
  booter.reset();
  if (own_work_dir) std::filesystem::remove_all(options.work_dir);
  return 0;
}

}  // namespace kraken::cli
