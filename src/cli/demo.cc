#include "cli/demo.h"

namespace kraken::cli {

Status CreateDemoProject(store::Store& store) {
  KR_ASSIGN(auto existing, store.FindProject("demo"));
  if (existing) return {};
  Millis now = RealClock::Instance().Now();
  KR_ASSIGN(auto project,
            store.CreateProject(Project{0, "demo", "A first project to try Kraken", now}));
  Branch branch{0, project.id, "main", "main", Json{{"GREETING", "hello from Kraken"}}};
  branch.created = now;
  KR_ASSIGN(branch, store.CreateBranch(branch));
  Json env = Json::array({Json{{"system", "any"}, {"agents_group", "all"}, {"config", "default"}}});
  Stage build;
  build.branch_id = branch.id;
  build.name = "build";
  build.schema = Json{
      {"parent", "root"},
      {"triggers", {{"parent", true}}},
      {"parameters", Json::array({Json{{"name", "COUNT"},
                                       {"type", "string"},
                                       {"default", "3"},
                                       {"description", "how many lines to print"}}})},
      {"jobs",
       Json::array(
           {Json{{"name", "hello"},
                 {"timeout", 60},
                 {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "echo \"$GREETING\""}},
                                        Json{{"tool", "shell"}, {"cmd", "uname -a"}}})},
                 {"environments", env}},
            Json{{"name", "count"},
                 {"timeout", 60},
                 {"steps",
                  Json::array({Json{
                      {"tool", "shell"},
                      {"script", "for i in $(seq 1 3); do\n  echo line $i\n  sleep 0.2\ndone"}}})},
                 {"environments", env}}})}};
  build.schema_code = build.schema.dump(2);
  build.created = build.updated = now;
  KR_TRY(store.CreateStage(build));
  Stage test = build;
  test.name = "test";
  test.schema = Json{
      {"parent", "build"},
      {"triggers", {{"parent", true}}},
      {"jobs",
       Json::array(
           {Json{{"name", "unit tests"},
                 {"timeout", 60},
                 {"steps",
                  Json::array(
                      {Json{{"tool", "shell"}, {"cmd", "echo all tests passed"}},
                       Json{{"tool", "shell"}, {"cmd", "echo cleaning up"}, {"when", "always"}}})},
                 {"environments", env}}})}};
  test.schema_code = test.schema.dump(2);
  KR_TRY(store.CreateStage(test));
  return {};
}

}  // namespace kraken::cli
