#include "planner/planner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/json_limits.h"
#include "workflow/triggers.h"

namespace kraken::planner {
namespace {

std::string IsoTime(Millis ms) {
  auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  std::chrono::year_month_day ymd{days};
  int64_t rest = (ms - days.time_since_epoch().count() * 86'400'000LL) / 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     rest / 3600, rest / 60 % 60, rest % 60);
}

// The stage's triggers as (kind, spec) rows.
std::vector<std::pair<std::string, std::string>> Wanted(const workflow::StageDef& def) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& t = def.triggers;
  if (t.interval) out.emplace_back("interval", std::to_string(*t.interval));
  if (t.date) out.emplace_back("date", std::to_string(*t.date));
  if (!t.cron.empty()) out.emplace_back("cron", t.cron);
  if (!t.repos.empty()) {
    Json repos = Json::array();
    for (const auto& r : t.repos) repos.push_back(Json{{"url", r.url}, {"branch", r.branch}});
    out.emplace_back("repo", Json{{"repos", repos}, {"interval", t.repo_interval}}.dump());
  }
  return out;
}

std::vector<workflow::RepoDef> ReposOf(const TriggerRow& row) {
  std::vector<workflow::RepoDef> out;
  Json spec = ParseJson(row.spec).value_or(Json());
  if (spec.is_object())
    for (const auto& r : spec.value("repos", Json::array()))
      out.push_back({r.value("url", ""), r.value("branch", "")});
  return out;
}

}  // namespace

Result<Json> GitRepoLister::ListHeads(const std::vector<workflow::RepoDef>& repos) {
  Json heads = Json::object();
  for (const auto& repo : repos) {
    // The URL and branch go through argv-safe quoting: single quotes, none inside.
    if (repo.url.find('\'') != std::string::npos || repo.branch.find('\'') != std::string::npos)
      return Invalid("triggers.repo", "a repo url or branch must not contain a quote");
    std::string ref = repo.branch.empty() ? "HEAD" : "refs/heads/" + repo.branch;
    std::string cmd = fmt::format(
        "GIT_TERMINAL_PROMPT=0 timeout 60 git ls-remote -- '{}' '{}' 2>&1", repo.url, ref);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return Fail(ErrorCode::kUnavailable, "cannot run git");
    std::string output;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    int status = pclose(pipe);
    if (status != 0)
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("git ls-remote {} failed: {}", repo.url, output.substr(0, 500)));
    std::string sha = output.substr(0, output.find_first_of("\t \n"));
    if (sha.size() < 40)
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("no branch '{}' in {}", repo.branch.empty() ? "HEAD" : repo.branch,
                              repo.url));
    heads[repo.url + "#" + repo.branch] = sha;
  }
  return heads;
}

void GitRepoLister::Heads(const std::vector<workflow::RepoDef>& repos,
                          std::function<void(Result<Json>)> done) {
  std::thread([repos, done = std::move(done), post = post_]() mutable {
    auto heads = ListHeads(repos);
    post([done = std::move(done), heads = std::move(heads)]() mutable { done(std::move(heads)); });
  }).detach();
}

Planner::Planner(store::Store& store, exec::Engine& engine, const Clock& clock, Timers& timers,
                 RepoLister& repos)
    : store_(store),
      engine_(engine),
      clock_(clock),
      timers_(timers),
      repos_(repos),
      rows_(store.db()) {}

Planner::~Planner() { *alive_ = false; }

Result<Millis> Planner::NextFire(const TriggerRow& row, Millis after) const {
  if (row.kind == "interval") return after + std::stoll(row.spec) * 1000;
  if (row.kind == "date") return std::stoll(row.spec) > after ? std::stoll(row.spec) : 0;
  if (row.kind == "cron") {
    KR_ASSIGN(auto cron, workflow::CronSpec::Parse(row.spec, "triggers.cron"));
    return cron.Next(after).value_or(0);
  }
  if (row.kind == "repo") {
    Json spec = ParseJson(row.spec).value_or(Json());
    return after + spec.value("interval", int64_t{300}) * 1000;
  }
  return Invalid("kind", "unknown trigger kind " + row.kind);
}

Status Planner::Start() {
  KR_ASSIGN(auto projects, store_.ListProjects());
  KR_ASSIGN(auto rows, rows_.List());
  for (const auto& project : projects) {
    KR_ASSIGN(auto branches, store_.ListBranches(project.id));
    for (const auto& branch : branches) {
      KR_ASSIGN(auto stages, store_.ListStages(branch.id));
      for (const auto& stage : stages) KR_TRY(SyncStageRows(stage, rows));
    }
  }
  // Fires taken before a restart but perhaps not started: start them unless their flow exists.
  KR_ASSIGN(rows, rows_.List());
  for (TriggerRow row : rows) {
    if (!row.pending) continue;
    auto stage = store_.GetStage(row.stage_id);
    std::string key = fmt::format("{}:{}", row.id, row.pending);
    if (stage) {
      KR_ASSIGN(bool done, FireRecorded(*stage, key));
      if (!done && row.kind != "repo") {
        spdlog::info("planner: finishing the {} fire of stage '{}' taken before a restart",
                     row.kind, stage->name);
        KR_TRY(StartStage(row, key, Json{{"reason", row.kind}}));
      }
    }
    row.pending = 0;
    KR_TRY(rows_.Save(row));
  }
  Arm();
  return {};
}

Status Planner::SyncStageRows(const Stage& stage, std::vector<TriggerRow>& existing) {
  std::vector<std::pair<std::string, std::string>> wanted;
  if (stage.enabled)
    if (auto def = workflow::ParseStage(stage.schema)) wanted = Wanted(*def);
  Millis now = clock_.Now();
  for (const auto& [kind, spec] : wanted) {
    bool have = std::any_of(existing.begin(), existing.end(), [&](const TriggerRow& r) {
      return r.stage_id == stage.id && r.kind == kind && r.spec == spec;
    });
    if (have) continue;  // unchanged: keeps its next fire time
    TriggerRow row;
    row.stage_id = stage.id;
    row.kind = kind;
    row.spec = spec;
    row.created = now;
    // A repo trigger polls at once to learn the current commits (without starting a run).
    if (kind == "repo") {
      row.next_fire = now;
    } else {
      KR_ASSIGN(row.next_fire, NextFire(row, now));
    }
    KR_ASSIGN(row, rows_.Insert(row));
    existing.push_back(row);
  }
  for (auto it = existing.begin(); it != existing.end();) {
    bool keep =
        it->stage_id != stage.id || std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) {
          return w.first == it->kind && w.second == it->spec;
        });
    if (keep) {
      ++it;
    } else {
      KR_TRY(rows_.Delete(it->id));
      it = existing.erase(it);
    }
  }
  return {};
}

Status Planner::SyncStage(Id stage_id) {
  KR_ASSIGN(auto rows, rows_.List(stage_id));
  auto stage = store_.GetStage(stage_id);
  if (stage) {
    KR_TRY(SyncStageRows(*stage, rows));
  } else {
    for (const auto& r : rows) KR_TRY(rows_.Delete(r.id));
  }
  Arm();
  return {};
}

Result<Json> Planner::Schedule(Id stage_id) {
  KR_ASSIGN(auto stage, store_.GetStage(stage_id));
  KR_ASSIGN(auto rows, rows_.List(stage_id));
  Json triggers = Json::array();
  for (const auto& r : rows) {
    Json t{{"kind", r.kind},
           {"next_fire", r.next_fire ? Json(r.next_fire) : Json()},
           {"next_fire_utc", r.next_fire ? Json(IsoTime(r.next_fire)) : Json()},
           {"last_fire", r.last_fire ? Json(r.last_fire) : Json()}};
    if (r.kind == "repo") {
      t["spec"] = ParseJson(r.spec).value_or(Json());
      t["commits"] = r.state.value("heads", Json::object());
    } else if (r.kind == "interval") {
      t["spec"] = std::stoll(r.spec);
    } else if (r.kind == "date") {
      t["spec"] = IsoTime(std::stoll(r.spec));
    } else {
      t["spec"] = r.spec;
    }
    triggers.push_back(std::move(t));
  }
  return Json{{"stage_id", stage.id}, {"time_zone", "UTC"}, {"triggers", triggers}};
}

void Planner::Arm() {
  timer_.reset();
  auto rows = rows_.List();
  if (!rows) return;
  Millis earliest = 0;
  for (const auto& r : *rows)
    if (r.next_fire && !r.pending && (!earliest || r.next_fire < earliest)) earliest = r.next_fire;
  if (!earliest) return;
  Millis delay = std::max<Millis>(0, earliest - clock_.Now());
  // Long waits are cut into steps of at most an hour, so a clock jump is noticed.
  timer_ = timers_.After(std::min<Millis>(delay, 3'600'000), [this] { FireDue(); });
}

void Planner::FireDue() {
  Millis now = clock_.Now();
  auto rows = rows_.List();
  if (rows) {
    for (const TriggerRow& row : *rows) {
      if (!row.next_fire || row.pending || row.next_fire > now) continue;
      if (auto st = Fire(row); !st)
        spdlog::warn("planner: trigger {} of stage {}: {}", row.kind, row.stage_id,
                     st.error().message);
    }
  }
  Arm();
}

Status Planner::Fire(TriggerRow row) {
  Millis now = clock_.Now();
  Millis scheduled = row.next_fire;
  // Missed fires (the server was down) collapse into this one: the next is computed from now.
  KR_ASSIGN(row.next_fire, NextFire(row, now));
  row.last_fire = now;
  row.pending = scheduled;
  {
    store::Transaction tx(store_.db());
    KR_TRY(rows_.Save(row));
    KR_TRY(tx.Commit());
  }
  if (row.kind == "repo") {
    std::weak_ptr<bool> alive = alive_;
    Id id = row.id;
    repos_.Heads(ReposOf(row), [this, alive, id, scheduled](Result<Json> heads) {
      if (auto a = alive.lock(); a && *a) RepoAnswer(id, scheduled, std::move(heads));
    });
    return {};
  }
  std::string key = fmt::format("{}:{}", row.id, scheduled);
  auto started = StartStage(row, key, Json{{"reason", row.kind}});
  row.pending = 0;
  KR_TRY(rows_.Save(row));
  return started;
}

void Planner::RepoAnswer(Id row_id, Millis scheduled, Result<Json> heads) {
  auto rows = rows_.List();
  if (!rows) return;
  for (TriggerRow row : *rows) {
    if (row.id != row_id) continue;
    row.pending = 0;
    if (!heads) {
      row.state["error"] = heads.error().message;
      spdlog::warn("planner: repo trigger of stage {}: {}", row.stage_id, heads.error().message);
    } else {
      Json before = row.state.value("heads", Json());
      row.state.erase("error");
      // The first poll only learns the commits; later ones start a run when any moved.
      if (before.is_object()) {
        Json commits = Json::array();
        for (auto& [repo, sha] : heads->items())
          if (before.value(repo, "") != sha.get<std::string>())
            commits.push_back(
                Json{{"repo", repo}, {"before", before.value(repo, "")}, {"after", sha}});
        if (!commits.empty()) {
          std::string key = fmt::format("{}:{}", row.id, scheduled);
          if (auto st =
                  StartStage(row, key, Json{{"reason", "commit to repo"}, {"commits", commits}});
              !st)
            spdlog::warn("planner: repo trigger of stage {}: {}", row.stage_id, st.error().message);
        }
      }
      row.state["heads"] = *heads;
    }
    (void)rows_.Save(row);
  }
  Arm();
}

Result<bool> Planner::FireRecorded(const Stage& stage, const std::string& fire_key) {
  KR_ASSIGN(auto flows, store_.ListFlows(stage.branch_id, std::nullopt, 20, 0));
  for (const auto& f : flows) {
    if (f.args.value("KK_PLANNER_FIRE", "") == fire_key) return true;
    KR_ASSIGN(auto runs, store_.ListRuns(f.id));
    for (const auto& r : runs)
      if (r.args.value("KK_PLANNER_FIRE", "") == fire_key) return true;
  }
  return false;
}

Status Planner::StartStage(const TriggerRow& row, const std::string& fire_key, const Json& reason) {
  KR_ASSIGN(auto stage, store_.GetStage(row.stage_id));
  KR_ASSIGN(auto def, workflow::ParseStage(stage.schema));
  Json args{{"KK_PLANNER_FIRE", fire_key}};
  std::optional<Run> run;
  if (def.parent == "root") {
    // A new CI flow; the stage is started in it unless the flow start already did.
    KR_ASSIGN(auto flow, engine_.StartFlow(stage.branch_id, FlowKind::kCi, args));
    KR_ASSIGN(auto runs, store_.ListRuns(flow.id));
    for (const auto& r : runs)
      if (r.stage_id == stage.id) run = r;
    if (!run) {
      KR_ASSIGN(run, engine_.StartRun(flow.id, stage.id, args));
    }
  } else {
    // A child stage: a run in the latest flow where its parent ran and it has not.
    KR_ASSIGN(auto flows, store_.ListFlows(stage.branch_id, std::nullopt, 20, 0));
    for (const auto& f : flows) {
      KR_ASSIGN(auto runs, store_.ListRuns(f.id));
      bool parent = false, self = false;
      for (const auto& r : runs) {
        parent = parent || r.stage_name == def.parent;
        self = self || r.stage_id == stage.id;
      }
      if (!parent) continue;
      if (self) return {};
      KR_ASSIGN(run, engine_.StartRun(f.id, stage.id, args));
      break;
    }
    if (!run) return {};
  }
  // The run records why it started (for a repo trigger: the new commits).
  KR_ASSIGN(Run current, store_.GetRun(run->id));
  current.reason = reason;
  KR_TRY(store_.SaveRun(current));
  return {};
}

}  // namespace kraken::planner
