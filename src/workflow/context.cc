#include "workflow/context.h"

namespace kraken::workflow {

Json MergeArgs(const ContextInput& in) {
  Json args = in.parameter_defaults.is_object() ? in.parameter_defaults : Json::object();
  if (in.flow)
    for (auto& [k, v] : in.flow->args.items()) args[k] = v;
  for (auto& [k, v] : in.run_args.items()) args[k] = v;
  if (in.flow) args["KK_FLOW_TYPE"] = std::string(Name(in.flow->kind));
  if (in.branch) {
    args["KK_BRANCH"] = in.branch->branch_name;
    args["branch"] = in.branch->branch_name;
  }
  return args;
}

Json BuildContext(const ContextInput& in) {
  Json ctx = Json::object();
  ctx["args"] = MergeArgs(in);
  Json project = in.project ? ToJson(*in.project) : Json::object();
  project["data"] = Json::object();
  ctx["project"] = project;
  Json branch = in.branch ? ToJson(*in.branch) : Json::object();
  for (const char* k : {"data", "data_ci", "data_dev"}) branch[k] = Json::object();
  ctx["branch"] = branch;
  ctx["branch_name"] = in.branch ? in.branch->branch_name : "";
  ctx["env"] = in.branch && in.branch->env.is_object() ? in.branch->env : Json::object();
  ctx["secrets"] = in.secrets;
  Json stage = in.stage ? ToJson(*in.stage) : Json::object();
  for (const char* k : {"schema", "schema_code"}) stage.erase(k);
  ctx["stage"] = stage;
  bool is_ci = false, is_dev = false;
  if (in.flow) {
    is_ci = in.flow->kind == FlowKind::kCi;
    is_dev = !is_ci;
    ctx["flow"] = Json{{"id", in.flow->id},
                       {"kind", std::string(Name(in.flow->kind))},
                       {"label", in.flow->label},
                       {"seq", {{"shared", in.flow->seq}, {"own", in.flow->kind_seq}}},
                       {"args", in.flow->args},
                       {"data", in.flow->data.is_object() ? in.flow->data : Json::object()},
                       {"created", in.flow->created}};
    ctx["flow_label"] = in.flow->label;
  } else {
    ctx["flow"] = nullptr;
    ctx["flow_label"] = nullptr;
  }
  if (in.run) {
    Json run = ToJson(*in.run);
    run.erase("schema");
    ctx["run"] = run;
    ctx["run_label"] = in.run->label;
  } else {
    ctx["run"] = nullptr;
    ctx["run_label"] = nullptr;
  }
  ctx["is_ci"] = is_ci;
  ctx["is_dev"] = is_dev;
  return ctx;
}

Json SampleContext() {
  Project project;
  project.id = 1;
  project.name = "project";
  Branch branch;
  branch.id = 1;
  branch.project_id = 1;
  branch.name = branch.branch_name = "master";
  Stage stage;
  stage.id = 1;
  stage.branch_id = 1;
  stage.name = "stage";
  ContextInput in;
  in.project = &project;
  in.branch = &branch;
  in.stage = &stage;
  return BuildContext(in);
}

Json LegacyVariables(const Json& ctx) {
  Json vars = Json::object();
  // Named copies: items() of a temporary would dangle in the loop.
  const Json args = ctx.value("args", Json::object());
  for (auto& [k, v] : args.items())
    vars[k] = v.is_string() ? v.get<std::string>()
                            : v.dump(-1, ' ', false, Json::error_handler_t::replace);
  const Json& flow = ctx.value("flow", Json());
  if (flow.is_object()) {
    std::string shared = std::to_string(flow["seq"].value("shared", 0));
    std::string own = std::to_string(flow["seq"].value("own", 0));
    vars["KK_FLOW_SEQ"] = shared;
    vars["KK_CI_DEV_FLOW_SEQ"] = own;
    vars["KK_RUN_SEQ"] = shared;
    vars["KK_CI_DEV_RUN_SEQ"] = own;
  }
  const Json secrets = ctx.value("secrets", Json::object());
  for (auto& [name, v] : secrets.items()) {
    if (v.is_string()) {
      vars["KK_SECRET_SIMPLE_" + name] = v;
    } else if (v.is_object()) {
      vars["KK_SECRET_USER_" + name] = v.value("user", "");
      vars["KK_SECRET_KEY_" + name] = v.value("key", v.value("password", ""));
    }
  }
  return vars;
}

Json StepContext(Json ctx, const Job& job, const std::vector<Step>& steps, const Step& step,
                 const Json& config) {
  auto step_json = [](const Step& s) {
    Json j = ToJson(s);
    j["index"] = s.index;
    j["result"] =
        Json{{"status", std::string(Name(s.status))},
             {"retcode", s.retcode ? Json(*s.retcode) : Json()},
             {"reason", s.reason},
             {"message", s.message},
             {"duration", s.finished && s.started ? (s.finished - s.started) / 1000.0 : 0.0}};
    return j;
  };
  Json job_json = ToJson(job);
  Json list = Json::array();
  for (const Step& s : steps) list.push_back(step_json(s));
  job_json["steps"] = std::move(list);
  ctx["job"] = std::move(job_json);
  ctx["step"] = step_json(step);
  ctx["config"] = config.is_object() ? config : Json::object();
  return ctx;
}

}  // namespace kraken::workflow
