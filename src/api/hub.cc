#include "api/hub.h"

#include "protocol/agent_messages.h"

namespace kraken::api {

std::string LogText(const std::vector<store::LogChunk>& chunks) {
  std::string text;
  for (const auto& c : chunks) text += c.data;
  return text;
}

void Hub::AddWatch(Id job_id, std::shared_ptr<http::Responder> responder) {
  // Drop answered or closed watches of this job before adding.
  auto [lo, hi] = watches_.equal_range(job_id);
  for (auto it = lo; it != hi;) it = it->second->open() ? std::next(it) : watches_.erase(it);
  watches_.emplace(job_id, std::move(responder));
}

void Hub::JobCancelled(Id job_id, Id agent_id) {
  auto [lo, hi] = watches_.equal_range(job_id);
  for (auto it = lo; it != hi; ++it)
    if (it->second->open())
      it->second->Send(http::Response::Json(200, protocol::WatchAnswer(true).dump()));
  watches_.erase(job_id);
  Changed("job", job_id);
}

void Hub::Follow(Id job_id, int64_t step, size_t offset, std::shared_ptr<http::StreamWriter> out) {
  Follower f{step, offset, std::move(out)};
  auto job = store_.GetJob(job_id);
  bool done = !job || job->state == JobState::kCompleted;
  if (Feed(job_id, f, done)) followers_[job_id].push_back(std::move(f));
}

bool Hub::Feed(Id job_id, Follower& f, bool job_done) {
  if (!f.out->open()) return false;
  auto chunks = store_.ReadLog(job_id, f.step);
  if (!chunks) {
    f.out->Close();
    return false;
  }
  std::string text = LogText(*chunks);
  if (text.size() > f.sent) {
    if (!f.out->Write(text.substr(f.sent))) return false;
    f.sent = text.size();
  }
  if (job_done) {
    f.out->Close();
    return false;
  }
  return true;
}

void Hub::LogAppended(Id job_id) {
  auto it = followers_.find(job_id);
  if (it == followers_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](Follower& f) { return !Feed(job_id, f, false); });
  if (list.empty()) followers_.erase(it);
}

void Hub::AddEventStream(std::shared_ptr<http::StreamWriter> out) {
  out->SetContentType("text/event-stream");
  if (out->Write(": connected\n\n")) event_streams_.push_back(std::move(out));
}

void Hub::Heartbeat() {
  std::erase_if(event_streams_, [](auto& s) { return !s->Write(": ping\n\n"); });
}

void Hub::Changed(const std::string& kind, Id id) {
  if (!event_streams_.empty()) {
    std::string event =
        "event: change\ndata: {\"kind\":\"" + kind + "\",\"id\":" + std::to_string(id) + "}\n\n";
    std::erase_if(event_streams_, [&](auto& s) { return !s->Write(event); });
  }
  if (kind != "job") return;
  auto watched = watches_.equal_range(id);
  auto it = followers_.find(id);
  if (watched.first == watched.second && it == followers_.end()) return;
  auto job = store_.GetJob(id);
  if (job && job->state != JobState::kCompleted) return;
  // The agent's watch of an ended job returns now, so it can take the next job at once.
  for (auto w = watched.first; w != watched.second; ++w)
    if (w->second->open())
      w->second->Send(http::Response::Json(200, protocol::WatchAnswer(false, true).dump()));
  watches_.erase(id);
  if (it == followers_.end()) return;
  for (Follower& f : it->second) Feed(id, f, true);
  followers_.erase(it);
}

}  // namespace kraken::api
