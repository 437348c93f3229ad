#include "core/entities.h"

namespace kraken {
namespace {

Json TimeOrNull(Millis t) { return t ? Json(t) : Json(nullptr); }

template <typename T>
Json OptOrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

Json ToJson(const Project& v) {
  return {{"id", v.id}, {"name", v.name}, {"description", v.description}, {"created", v.created}};
}

Json ToJson(const Branch& v) {
  return {{"id", v.id},
          {"project_id", v.project_id},
          {"name", v.name},
          {"branch_name", v.branch_name},
          {"env", v.env},
          {"sequences", {{"flow", v.flow_seq}, {"ci", v.ci_seq}, {"dev", v.dev_seq}}},
          {"created", v.created}};
}

Json ToJson(const Stage& v) {
  return {{"id", v.id},
          {"branch_id", v.branch_id},
          {"name", v.name},
          {"description", v.description},
          {"enabled", v.enabled},
          {"schema_format", v.schema_format},
          {"schema_code", v.schema_code},
          {"schema", v.schema},
          {"created", v.created},
          {"updated", v.updated}};
}

Json ToJson(const Flow& v) {
  return {{"id", v.id},
          {"branch_id", v.branch_id},
          {"kind", Name(v.kind)},
          {"state", Name(v.state)},
          {"seq", {{"shared", v.seq}, {"own", v.kind_seq}}},
          {"label", v.label},
          {"args", v.args},
          {"data", v.data},
          {"created", v.created},
          {"finished", TimeOrNull(v.finished)}};
}

Json ToJson(const Run& v) {
  return {{"id", v.id},
          {"flow_id", v.flow_id},
          {"stage_id", v.stage_id},
          {"stage_name", v.stage_name},
          {"state", Name(v.state)},
          {"args", v.args},
          {"label", v.label},
          {"reason", v.reason},
          {"note", v.note},
          {"jobs_total", v.jobs_total},
          {"jobs_error", v.jobs_error},
          {"created", v.created},
          {"started", TimeOrNull(v.started)},
          {"finished", TimeOrNull(v.finished)}};
}

Json ToJson(const Job& v) {
  return {{"id", v.id},
          {"run_id", v.run_id},
          {"name", v.name},
          {"state", Name(v.state)},
          {"completion_status", v.completion == CompletionStatus::kNone
                                    ? Json(nullptr)
                                    : Json(std::string(Name(v.completion)))},
          {"agents_group_id", v.group_id},
          {"agents_group", v.group_name},
          {"system", v.system},
          {"executor", v.executor},
          {"timeout", v.timeout},
          {"agent_id", OptOrNull(v.agent_id)},
          {"attempt", v.attempt},
          {"covered", v.covered},
          {"wait_reason", v.wait_reason},
          {"notes", v.notes},
          {"created", v.created},
          {"assigned", TimeOrNull(v.assigned)},
          {"started", TimeOrNull(v.started)},
          {"finished", TimeOrNull(v.finished)},
          {"completed", TimeOrNull(v.completed)}};
}

Json ToJson(const Step& v) {
  Json duration = nullptr;
  if (v.started && v.finished) duration = (v.finished - v.started) / 1000.0;
  return {{"id", v.id},
          {"job_id", v.job_id},
          {"index", v.index},
          {"tool", v.tool},
          {"name", v.name},
          {"fields", v.fields},
          {"when", v.when},
          {"status", Name(v.status)},
          {"retcode", OptOrNull(v.retcode)},
          {"reason", v.reason},
          {"message", v.message},
          {"started", TimeOrNull(v.started)},
          {"finished", TimeOrNull(v.finished)},
          {"duration", duration}};
}

Json ToJson(const Agent& v) {
  return {{"id", v.id},
          {"name", v.name},
          {"authorized", v.authorized},
          {"disabled", v.disabled},
          {"host_info", v.host_info},
          {"system", v.system},
          {"last_seen", TimeOrNull(v.last_seen)},
          {"state", v.lost ? "lost" : "online"},
          {"job_id", OptOrNull(v.job_id)},
          {"machine_id", OptOrNull(v.machine_id)},
          {"groups", v.group_ids},
          {"created", v.created}};
}

Json ToJson(const AgentsGroup& v) {
  return {{"id", v.id},
          {"name", v.name},
          {"project_id", OptOrNull(v.project_id)},
          {"deployment", v.deployment},
          {"created", v.created}};
}

Json ToJson(const User& v) {
  return {{"id", v.id}, {"name", v.name}, {"is_admin", v.is_admin}, {"created", v.created}};
}

}  // namespace kraken
