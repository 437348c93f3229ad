#include "exec/trigger_commits.h"

#include <algorithm>

namespace kraken::exec {

Json TriggerCommits(const std::vector<Run>& runs) {
  Json out = Json::array();
  for (const Run& run : runs) {
    if (!run.reason.is_object()) continue;
    auto commits = run.reason.find("commits");
    if (commits == run.reason.end() || !commits->is_array()) continue;
    for (const Json& c : *commits) {
      if (!c.is_object() || !c.contains("repo") || !c["repo"].is_string() || !c.contains("after") ||
          !c["after"].is_string())
        continue;
      // The planner keys repositories as URL#BRANCH (an empty branch: the remote's HEAD).
      std::string repo = c["repo"];
      size_t hash = repo.rfind('#');
      Json entry{{"url", repo.substr(0, hash)},
                 {"branch", hash == std::string::npos ? "" : repo.substr(hash + 1)},
                 {"commit", c["after"]}};
      if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace kraken::exec
