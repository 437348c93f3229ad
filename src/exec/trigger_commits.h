// The commits that triggered a flow, as the git tool needs them: when the planner starts a
// flow because a repository moved, the run it starts records the new commits in its reason
// ({"commits": [{"repo": "URL#BRANCH", "before": SHA, "after": SHA}]}). Every job of the
// flow gets them in KK_TRIGGER_COMMITS, a JSON list of {"url", "branch", "commit"}, so a
// checkout of that repository builds the commit that triggered the flow rather than
// whatever the branch head has become since.
//
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "core/entities.h"
#include "core/json.h"

namespace kraken::exec {

inline constexpr const char* kTriggerCommitsEnv = "KK_TRIGGER_COMMITS";

// The trigger commits recorded in the reasons of a flow's runs; an empty list when the flow
// was not started by a commit.
Json TriggerCommits(const std::vector<Run>& runs);

}  // namespace kraken::exec
