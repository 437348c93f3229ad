// Makes one TCP port of this host's loopback reachable from inside a network namespace,
// at the same address: the namespace's 127.0.0.1:PORT is forwarded to the host's
// 127.0.0.1:PORT. An emulated instance lives in a namespace of its own (nothing but its
// own loopback), so this is the one way out it has: to the Kraken server it was told of.
//
// The listening socket is created inside the namespace (by a thread that enters it with
// setns), and each accepted connection is joined to a new host-side connection by a
// thread that copies bytes both ways. Stop() closes everything and joins the threads.
// Start/Stop from one thread; the object must outlive neither of them being called.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace kraken::ec2emu {

class NetnsForwarder {
 public:
  NetnsForwarder() = default;
  ~NetnsForwarder();
  NetnsForwarder(const NetnsForwarder&) = delete;
  NetnsForwarder& operator=(const NetnsForwarder&) = delete;

  // Brings the namespace's loopback up and listens on its 127.0.0.1:`port`.
  // `netns_path` is a namespace file: /var/run/netns/NAME or /proc/PID/ns/net.
  Status Start(const std::string& netns_path, int port);
  void Stop();

 private:
  void AcceptLoop();
  void Pipe(int inside, int outside);

  int port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;  // guards connections_ and pipes_
  std::vector<int> connections_;
  std::vector<std::thread> pipes_;
};

}  // namespace kraken::ec2emu
