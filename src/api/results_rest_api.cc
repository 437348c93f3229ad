// REST API of test results: a run's results table, a result with its comment thread and
// history, flow comparison, issues, artifacts, user data and branch retention.
#include <fmt/format.h>

#include <map>
#include <tuple>

#include "api/blob_download.h"
#include "api/json_io.h"
#include "api/results_api.h"
#include "artifacts/retention.h"
#include "resultdb/user_data.h"

namespace kraken::api {
namespace {

Result<std::optional<int>> IntQuery(const http::Request& req, const std::string& name) {
  std::string v = req.Query(name);
  if (v.empty()) return std::optional<int>();
  auto n = ToInteger(v);
  if (!n || *n < INT32_MIN || *n > INT32_MAX) return Invalid(name, "must be a whole number");
  return std::optional<int>(static_cast<int>(*n));
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string part =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<resultdb::ResultFilter> FilterOf(const http::Request& req) {
  resultdb::ResultFilter f;
  for (const auto& s : SplitCommas(req.Query("status"))) {
    std::optional<int> code;
    for (int c = 0; c <= 5; ++c)
      if (results::StatusName(static_cast<results::TestStatus>(c)) == s) code = c;
    if (!code)
      return Invalid("status", "unknown status '" + s +
                                   "' (not-run, passed, failed, error, disabled, unsupported)");
    f.statuses.push_back(*code);
  }
  for (const auto& s : SplitCommas(req.Query("change"))) {
    auto code = resultdb::ChangeFromName(s);
    if (!code)
      return Invalid("change", "unknown change '" + s + "' (new, fix, regression, no-change)");
    f.changes.push_back(*code);
  }
  KR_ASSIGN(f.min_age, IntQuery(req, "min_age"));
  KR_ASSIGN(f.max_age, IntQuery(req, "max_age"));
  KR_ASSIGN(f.min_instability, IntQuery(req, "min_instability"));
  KR_ASSIGN(f.max_instability, IntQuery(req, "max_instability"));
  if (auto fl = req.Query("flaky"); !fl.empty()) f.flaky = fl == "true" || fl == "1";
  f.name = req.Query("name");
  KR_ASSIGN(auto job, IntQuery(req, "job_id"));
  if (job) f.job_id = *job;
  f.job_name = req.Query("job");
  f.system = req.Query("system");
  KR_ASSIGN(auto group, IntQuery(req, "group_id"));
  if (group) f.group_id = *group;
  std::string sort = req.Query("sort", "-relevancy");
  f.descending = sort.starts_with("-");
  f.sort = f.descending ? sort.substr(1) : sort;
  KR_ASSIGN(auto limit, IntQuery(req, "limit"));
  KR_ASSIGN(auto offset, IntQuery(req, "offset"));
  f.limit = std::clamp<int64_t>(limit.value_or(50), 1, 1000);
  f.offset = std::max<int64_t>(offset.value_or(0), 0);
  return f;
}

Json Page(const std::vector<resultdb::StoredResult>& items, int64_t total, int64_t limit,
          int64_t offset) {
  Json list = Json::array();
  for (const auto& r : items) list.push_back(resultdb::ToJson(r));
  return Json{{"items", list}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

// Flow comparison: each test (by name, group and system) whose status differs between the
// two flows, grouped as fixes, regressions, new, missing and other changes.
Json Compare(const std::vector<resultdb::StoredResult>& base,
             const std::vector<resultdb::StoredResult>& other) {
  using Key = std::tuple<std::string, Id, std::string>;
  std::map<Key, const resultdb::StoredResult*> a, b;
  for (const auto& r : base) a[{r.test_name, r.group_id, r.system}] = &r;
  for (const auto& r : other) b[{r.test_name, r.group_id, r.system}] = &r;
  Json groups = {{"fixes", Json::array()},
                 {"regressions", Json::array()},
                 {"new", Json::array()},
                 {"missing", Json::array()},
                 {"other", Json::array()}};
  auto status_name = [](int s) {
    return std::string(
        results::StatusName(results::StatusFromCode(s).value_or(results::TestStatus::kNotRun)));
  };
  auto entry = [&](const resultdb::StoredResult* x, const resultdb::StoredResult* y) {
    const auto* any = y ? y : x;
    return Json{{"test", any->test_name},
                {"system", any->system},
                {"agents_group_id", any->group_id},
                {"job_name", any->job_name},
                {"base_status", x ? Json(status_name(x->status)) : Json(nullptr)},
                {"other_status", y ? Json(status_name(y->status)) : Json(nullptr)},
                {"base_result_id", x ? Json(x->id) : Json(nullptr)},
                {"other_result_id", y ? Json(y->id) : Json(nullptr)}};
  };
  int64_t same = 0;
  for (const auto& [k, y] : b) {
    auto it = a.find(k);
    if (it == a.end()) {
      groups["new"].push_back(entry(nullptr, y));
      continue;
    }
    const auto* x = it->second;
    if (x->status == y->status) {
      ++same;
      continue;
    }
    bool x_passed = x->status == 1, y_passed = y->status == 1;
    auto y_status = results::StatusFromCode(y->status).value_or(results::TestStatus::kNotRun);
    if (!x_passed && y_passed)
      groups["fixes"].push_back(entry(x, y));
    else if (x_passed && results::IsFailing(y_status))
      groups["regressions"].push_back(entry(x, y));
    else
      groups["other"].push_back(entry(x, y));
  }
  for (const auto& [k, x] : a)
    if (!b.contains(k)) groups["missing"].push_back(entry(x, nullptr));
  Json counts = Json::object();
  for (auto& [name, list] : groups.items()) counts[name] = list.size();
  counts["unchanged"] = same;
  return Json{{"groups", groups}, {"counts", counts}};
}

// A run's test results and issues, a result's history and comments, and the comparison of two
// flows.
// A run's test results and lint issues, filtered and paged.
void RegisterRunResultRoutes(http::Router& r, ResultsContext rc) {
  ApiContext ctx = rc.api;
  store::Store& store = ctx.store;
  r.Get("/api/v1/runs/{id}/results",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto run = store.GetRun(*id); !run) return ErrorResponse(run.error());
          auto f = FilterOf(req);
          if (!f) return ErrorResponse(f.error());
          resultdb::ResultStore rs(store.db());
          auto page = rs.ListRunResults(*id, *f);
          if (!page) return ErrorResponse(page.error());
          Json out = Page(page->first, page->second, f->limit, f->offset);
          out["counters"] = RunTestCounters(store.db(), *id);
          return JsonResponse(200, out);
        }));

  r.Get("/api/v1/runs/{id}/issues",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto run = store.GetRun(*id); !run) return ErrorResponse(run.error());
          Json filter = Json::object();
          if (auto t = req.Query("type"); !t.empty()) {
            auto type = results::IssueTypeFromName(t);
            if (!type)
              return ErrorResponse(Error{ErrorCode::kInvalid,
                                         "must be error, warning, convention or refactor", "type"});
            filter["type"] = static_cast<int>(*type);
          }
          for (const char* k : {"path", "symbol"})
            if (auto v = req.Query(k); !v.empty()) filter[k] = v;
          for (const char* k : {"min_age", "max_age", "job_id"}) {
            auto v = IntQuery(req, k);
            if (!v) return ErrorResponse(v.error());
            if (*v) filter[k] = **v;
          }
          resultdb::ResultStore rs(store.db());
          auto issues = rs.ListIssues(*id, filter);
          if (!issues) return ErrorResponse(issues.error());
          return JsonResponse(200, Json{{"items", *issues}, {"total", issues->size()}});
        }));
}

// One result: itself, its history and its comment thread.
void RegisterResultRoutes(http::Router& r, ResultsContext rc) {
  ApiContext ctx = rc.api;
  const Clock& clock = ctx.clock;
  store::Store& store = ctx.store;
  r.Get("/api/v1/results/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          resultdb::ResultStore rs(store.db());
          auto res = rs.GetResult(*id);
          if (!res) return ErrorResponse(res.error());
          Json out = resultdb::ToJson(*res);
          auto comment = rs.CommentOf(*res);
          out["comment"] = comment ? *comment : Json(nullptr);
          return JsonResponse(200, out);
        }));

  r.Get("/api/v1/results/{id}/history",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          resultdb::ResultStore rs(store.db());
          auto res = rs.GetResult(*id);
          if (!res) return ErrorResponse(res.error());
          auto limit = IntQuery(req, "limit");
          auto offset = IntQuery(req, "offset");
          if (!limit) return ErrorResponse(limit.error());
          if (!offset) return ErrorResponse(offset.error());
          int64_t l = std::clamp<int64_t>(limit->value_or(50), 1, 500),
                  o = std::max(offset->value_or(0), 0);
          auto page = rs.History(*res, l, o);
          if (!page) return ErrorResponse(page.error());
          Json out = Page(page->first, page->second, l, o);
          // Flow numbers, for chart labels.
          for (auto& item : out["items"])
            if (auto f = store.GetFlow(item["flow_id"].get<int64_t>()))
              item["flow_label"] = f->label;
          return JsonResponse(200, out);
        }));

  r.Get("/api/v1/results/{id}/comments",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          resultdb::ResultStore rs(store.db());
          auto res = rs.GetResult(*id);
          if (!res) return ErrorResponse(res.error());
          auto c = rs.CommentOf(*res);
          return Reply(c, [](const Json& j) { return j; });
        }));

  r.Post("/api/v1/results/{id}/comments",
         Authed(ctx, [&store, &clock](http::Request& req, const auth::Principal& who) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto text = OptionalString(*body, "text", "");
           auto state_name = OptionalString(*body, "state", "new");
           if (!text) return ErrorResponse(text.error());
           if (!state_name) return ErrorResponse(state_name.error());
           auto state = resultdb::CommentStateFromName(*state_name);
           if (!state)
             return ErrorResponse(Error{ErrorCode::kInvalid,
                                        "must be new, investigating, bug-in-product or bug-in-test",
                                        "state"});
           store::Transaction tx(store.db());
           resultdb::ResultStore rs(store.db());
           auto c = rs.AddComment(*id, who.user.name, *text, *state, clock.Now());
           if (!c) return ErrorResponse(c.error());
           if (auto st = tx.Commit(); !st) return ErrorResponse(st.error());
           return JsonResponse(201, *c);
         }));
}

// Two flows' results side by side.
void RegisterCompareRoute(http::Router& r, ResultsContext rc) {
  ApiContext ctx = rc.api;
  store::Store& store = ctx.store;
  r.Get("/api/v1/flows/{id}/compare",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto with = IntQuery(req, "with");
          if (!with) return ErrorResponse(with.error());
          if (!*with)
            return ErrorResponse(
                Error{ErrorCode::kInvalid, "the flow to compare with is required", "with"});
          auto a = store.GetFlow(*id);
          if (!a) return ErrorResponse(a.error());
          auto b = store.GetFlow(**with);
          if (!b) return ErrorResponse(Error{ErrorCode::kNotFound, b.error().message, "with"});
          auto ba = store.GetBranch(a->branch_id);
          auto bb = store.GetBranch(b->branch_id);
          if (!ba || !bb || ba->project_id != bb->project_id)
            return ErrorResponse(
                Error{ErrorCode::kInvalid, "both flows must belong to one project", "with"});
          resultdb::ResultStore rs(store.db());
          auto ra = rs.FlowResults(a->id);
          auto rb = rs.FlowResults(b->id);
          if (!ra) return ErrorResponse(ra.error());
          if (!rb) return ErrorResponse(rb.error());
          Json out = Compare(*ra, *rb);
          out["base_flow_id"] = a->id;
          out["other_flow_id"] = b->id;
          return JsonResponse(200, out);
        }));
}

void RegisterTestResultRoutes(http::Router& r, ResultsContext rc) {
  RegisterRunResultRoutes(r, rc);
  RegisterResultRoutes(r, rc);
  RegisterCompareRoute(r, rc);
}

// Artifacts: listed per run or flow, downloaded.
void RegisterArtifactRoutes(http::Router& r, ResultsContext rc) {
  store::Store& store = rc.api.store;
  auto list_artifacts = [rc, &store](bool by_run) {
    return Authed(rc.api, [rc, &store, by_run](http::Request& req, const auth::Principal&) {
      auto id = IdParam(req, "id");
      if (!id) return ErrorResponse(id.error());
      artifacts::ArtifactStore as(store.db(), *rc.blobs);
      auto list = by_run ? as.ListRun(*id) : as.ListFlow(*id);
      return Reply(list, [](const auto& v) {
        Json out = Json::array();
        for (const auto& a : v) out.push_back(artifacts::ToJson(a));
        return Json{{"items", out}};
      });
    });
  };
  r.Get("/api/v1/runs/{id}/artifacts", list_artifacts(true));
  r.Get("/api/v1/flows/{id}/artifacts", list_artifacts(false));
  r.Add("GET", "/api/v1/artifacts/{id}/download",
        http::StreamHandler(
            [rc, &store](http::Request& req, std::shared_ptr<http::StreamWriter> out) {
              if (auto who = rc.api.auth.Authenticate(RequestToken(req)); !who)
                return StreamError(out, who.error());
              auto id = IdParam(req, "id");
              if (!id) return StreamError(out, id.error());
              artifacts::ArtifactStore as(store.db(), *rc.blobs);
              auto a = as.Get(*id);
              if (!a) return StreamError(out, a.error());
              if (!a->complete)
                return StreamError(
                    out, Error{ErrorCode::kConflict, "the upload of this file is not complete"});
              SetUserContentHeaders(*out, a->path);
              StreamBlob(rc.api.loop, rc.blobs, a->BlobKey(), out);
            }));
}

// A branch's retention policy, and the user data of branches and projects.
void RegisterRetentionAndDataRoutes(http::Router& r, ResultsContext rc) {
  ApiContext ctx = rc.api;
  store::Store& store = ctx.store;
  r.Get("/api/v1/branches/{id}/retention",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
          auto p = artifacts::GetPolicy(store.db(), *id);
          return Reply(p, [](const auto& v) { return artifacts::ToJson(v); });
        }));
  r.Put("/api/v1/branches/{id}/retention",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
          auto body = ParseObject(req);
          if (!body) return ErrorResponse(body.error());
          auto p = artifacts::GetPolicy(store.db(), *id);
          if (!p) return ErrorResponse(p.error());
          if (auto st = artifacts::ReadPolicy(*body, *p); !st) return ErrorResponse(st.error());
          if (auto st = artifacts::SavePolicy(store.db(), *id, *p); !st)
            return ErrorResponse(st.error());
          return JsonResponse(200, artifacts::ToJson(*p));
        }));

  r.Get("/api/v1/branches/{id}/data",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
          Json out = Json::object();
          for (const char* scope : {"branch", "branch-ci", "branch-dev"}) {
            auto d = resultdb::ReadUserData(store.db(), scope, *id);
            if (!d) return ErrorResponse(d.error());
            out[scope] = *d;
          }
          return JsonResponse(200, out);
        }));
  r.Get("/api/v1/projects/{id}/data",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto p = store.GetProject(*id); !p) return ErrorResponse(p.error());
          auto d = resultdb::ReadUserData(store.db(), "project", *id);
          return Reply(d, [](const Json& j) { return Json{{"project", j}}; });
        }));
}

}  // namespace

void RegisterResultsRestRoutes(http::Router& r, ResultsContext rc) {
  RegisterTestResultRoutes(r, rc);
  RegisterArtifactRoutes(r, rc);
  RegisterRetentionAndDataRoutes(r, rc);
}

}  // namespace kraken::api
