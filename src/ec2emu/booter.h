// How the EC2 emulator turns an instance into something that runs: its user data is
// executed, for real, in an isolated "machine", and halting the instance ends everything
// that machine started.
//
//  - NetnsBooter (the default; needs root): the machine is a network namespace with only
//    its loopback, plus its own mount, PID and UTS namespaces (host name: the instance
//    id). /var, /usr/local, /tmp and /root are private, empty directories of the
//    instance, so the user data installs the agent
//    at /usr/local/bin/kraken-agent exactly as on EC2 without touching the host. The loopback
//    ports named in the user data (the Kraken server's URL) are forwarded to the host's
//    loopback, so the script reaches the server at the very URL it was given. Halting kills
//    the namespace's init, and the kernel ends every process in it.
//  - ProcessBooter (no root needed): the user data runs as a session of ordinary processes
//    with the paths it writes (/var/lib/kraken-agent, /usr/local/bin, /var/log) moved under
//    the instance's directory. Less faithful: it shares the host's network and file system.
//
// Both keep each instance's console output (what its user data printed) for
// Console(). Both are thread-safe for calls about different instances (the emulator boots
// through an AsyncBooter); one instance's calls must not overlap.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"

namespace kraken::ec2emu {

class NetnsForwarder;

class Booter {
 public:
  virtual ~Booter() = default;
  // Starts running `user_data` as instance `instance_id`, booted from the image `image_id`;
  // returns once it is started.
  virtual Status Boot(const std::string& instance_id, const std::string& image_id,
                      const std::string& user_data) = 0;
  // Stops everything the instance runs and frees what it holds. Idempotent.
  virtual void Halt(const std::string& instance_id) = 0;
  // What the instance's user data printed so far, like EC2's GetConsoleOutput.
  virtual std::string Console(const std::string& instance_id) = 0;
};

// The loopback ports of the URLs in a script ("http://127.0.0.1:8080", "localhost:9000"):
// the ports an instance must be able to reach on the host.
std::vector<int> LoopbackPorts(const std::string& script);

class NetnsBooter : public Booter {
 public:
  // `work_dir` holds one directory per running instance; `extra_ports` are forwarded into
  // every instance besides those found in its user data. `images` maps AMI ids to root
  // filesystems (directories): an instance of such an AMI boots inside its own writable
  // copy of that root (an overlay), with nothing of the host's but the kernel, /dev's
  // basic devices and the forwarded ports. An AMI without a root boots on the host's
  // file system with private /var, /usr/local, /tmp and /root, as described above.
  NetnsBooter(std::string work_dir, std::vector<int> extra_ports,
              std::map<std::string, std::string> images = {});
  ~NetnsBooter() override;

  Status Boot(const std::string& instance_id, const std::string& image_id,
              const std::string& user_data) override;
  void Halt(const std::string& instance_id) override;
  std::string Console(const std::string& instance_id) override;

  // True when this process may create namespaces (it runs as root).
  static bool Supported();

 private:
  struct Machine;
  std::string work_dir_;
  std::vector<int> extra_ports_;
  std::map<std::string, std::string> images_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Machine>> machines_;  // guarded by mu_
};

class ProcessBooter : public Booter {
 public:
  explicit ProcessBooter(std::string work_dir);
  ~ProcessBooter() override;

  Status Boot(const std::string& instance_id, const std::string& image_id,
              const std::string& user_data) override;
  void Halt(const std::string& instance_id) override;
  std::string Console(const std::string& instance_id) override;

 private:
  std::string work_dir_;
  std::mutex mu_;
  std::map<std::string, int> sessions_;  // guarded by mu_: instance id -> session leader pid
};

}  // namespace kraken::ec2emu
