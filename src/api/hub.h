// The server's live side: answers parked agent watches when a job is cancelled, and feeds
// clients following a job's log as new lines arrive. It is the engine's Listener.
//
// Not thread-safe: lives on the event loop with the engine.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "exec/engine.h"
#include "http/server.h"

namespace kraken::api {

class Hub : public exec::Listener {
 public:
  explicit Hub(store::Store& store) : store_(store) {}

  // An agent's watch of its running job: answered {"cancel": true} on cancel.
  void AddWatch(Id job_id, std::shared_ptr<http::Responder> responder);
  // Streams the log of a job (step < 0) or one step from byte `offset`, until the job ends.
  void Follow(Id job_id, int64_t step, size_t offset, std::shared_ptr<http::StreamWriter> out);

  // A client of the live events stream (server-sent events).
  void AddEventStream(std::shared_ptr<http::StreamWriter> out);
  // Keeps event streams alive through proxies and drops clients that went away.
  void Heartbeat();

  void JobCancelled(Id job_id, Id agent_id) override;
  void LogAppended(Id job_id) override;
  void Changed(const std::string& kind, Id id) override;

 private:
  struct Follower {
    int64_t step;
    size_t sent;
    std::shared_ptr<http::StreamWriter> out;
  };
  // Writes what the follower has not seen; returns false when it should be dropped.
  bool Feed(Id job_id, Follower& f, bool job_done);

  store::Store& store_;
  std::multimap<Id, std::shared_ptr<http::Responder>> watches_;
  std::map<Id, std::vector<Follower>> followers_;
  std::vector<std::shared_ptr<http::StreamWriter>> event_streams_;
};

// Concatenates a job's (step < 0) or a step's log chunks.
std::string LogText(const std::vector<store::LogChunk>& chunks);

}  // namespace kraken::api
