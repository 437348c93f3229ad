#include "secrets/project_secrets.h"

#include <algorithm>

#include "core/json_limits.h"

namespace kraken::secrets {
namespace {

constexpr const char* kCols = "id, project_id, name, kind, created, updated";

SecretInfo InfoOf(const store::Row& r) {
  return SecretInfo{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

Json SealedJson(const Secret& s) {
  if (s.info.kind == kSshKey) return Json{{"username", s.value.username}, {"key", s.value.key}};
  return Json{{"secret", s.value.secret}};
}

Result<std::string> RequiredString(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string()) return Invalid(field, "must be a string");
  if (it->get_ref<const std::string&>().empty()) return Invalid(field, "must not be empty");
  return it->get<std::string>();
}

// Kraken CI's rule, so that a name is usable in KK_SECRET_SIMPLE_<name> and #{secrets.<name>}.
bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && !std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

}  // namespace

Json ToJson(const SecretInfo& s) {
  return Json{{"id", s.id},     {"project_id", s.project_id}, {"name", s.name},
              {"kind", s.kind}, {"created", s.created},       {"updated", s.updated}};
}

Result<Secret> SecretFromBody(const Json& body, const std::optional<SecretInfo>& existing) {
  if (!body.is_object()) return Invalid("", "the body must be a JSON object");
  Secret s;
  if (existing) s.info = *existing;
  if (body.contains("name") || !existing) {
    KR_ASSIGN(s.info.name, RequiredString(body, "name"));
    if (!ValidName(s.info.name))
      return Invalid("name",
                     "must be letters, digits and _, not starting with a digit (at most 64)");
  }
  if (existing) {
    if (body.contains("kind") && body["kind"] != existing->kind)
      return Invalid("kind", "cannot be changed; delete the secret and make a new one");
  } else {
    KR_ASSIGN(s.info.kind, RequiredString(body, "kind"));
    if (s.info.kind != kSimple && s.info.kind != kSshKey)
      return Invalid("kind", "must be simple or ssh-key");
  }
  if (s.info.kind == kSimple) {
    KR_ASSIGN(s.value.secret, RequiredString(body, "secret"));
  } else {
    KR_ASSIGN(s.value.username, RequiredString(body, "username"));
    KR_ASSIGN(s.value.key, RequiredString(body, "key"));
  }
  return s;
}

Result<SecretInfo> ProjectSecrets::Create(Id project_id, const Secret& s, Millis now) {
  KR_ASSIGN(auto exists,
            db_.Exec("SELECT id FROM project_secrets WHERE project_id = ? AND name = ?",
                     {project_id, s.info.name}));
  if (!exists.rows.empty())
    return Conflict("secret " + s.info.name + " already exists in the project");
  KR_ASSIGN(
      auto r,
      db_.Exec("INSERT INTO project_secrets (project_id, name, kind, sealed, created, "
               "updated) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
               {project_id, s.info.name, s.info.kind, box_.Seal(SealedJson(s).dump()), now, now}));
  return Get(r.rows.at(0).Int(0));
}

Result<SecretInfo> ProjectSecrets::Get(Id id) {
  KR_ASSIGN(auto r,
            db_.Exec(std::string("SELECT ") + kCols + " FROM project_secrets WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("secret " + std::to_string(id) + " not found");
  return InfoOf(r.rows[0]);
}

Result<std::vector<SecretInfo>> ListSecretInfo(store::Db& db, Id project_id) {
  KR_ASSIGN(auto r, db.Exec(std::string("SELECT ") + kCols +
                                " FROM project_secrets WHERE project_id = ? ORDER BY name",
                            {project_id}));
  std::vector<SecretInfo> out;
  for (const auto& row : r.rows) out.push_back(InfoOf(row));
  return out;
}

Result<std::vector<SecretInfo>> ProjectSecrets::List(Id project_id) {
  return ListSecretInfo(db_, project_id);
}

Status ProjectSecrets::Update(Id id, const Secret& s, Millis now) {
  KR_ASSIGN(auto clash,
            db_.Exec("SELECT id FROM project_secrets WHERE project_id = ? AND name = ? AND id <> ?",
                     {s.info.project_id, s.info.name, id}));
  if (!clash.rows.empty())
    return Conflict("secret " + s.info.name + " already exists in the project");
  KR_ASSIGN(auto r,
            db_.Exec("UPDATE project_secrets SET name = ?, sealed = ?, updated = ? WHERE id = ?",
                     {s.info.name, box_.Seal(SealedJson(s).dump()), now, id}));
  if (r.affected == 0) return NotFound("secret " + std::to_string(id) + " not found");
  return {};
}

Status ProjectSecrets::Delete(Id id) {
  KR_ASSIGN(auto r, db_.Exec("DELETE FROM project_secrets WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("secret " + std::to_string(id) + " not found");
  return {};
}

Result<std::vector<Secret>> ProjectSecrets::Open(Id project_id) {
  KR_ASSIGN(auto r, db_.Exec(std::string("SELECT ") + kCols +
                                 ", sealed FROM project_secrets WHERE project_id = ? ORDER BY name",
                             {project_id}));
  std::vector<Secret> out;
  for (const auto& row : r.rows) {
    Secret s;
    s.info = InfoOf(row);
    KR_ASSIGN(std::string plain, box_.Open(row.Text(6)));
    Json v = ParseJson(plain).value_or(Json());
    if (!v.is_object()) return Fail(ErrorCode::kInternal, "secret " + s.info.name + " is damaged");
    s.value.secret = v.value("secret", "");
    s.value.username = v.value("username", "");
    s.value.key = v.value("key", "");
    out.push_back(std::move(s));
  }
  return out;
}

Status ProjectSecrets::KeepStepFields(Id step_id, const Json& fields) {
  KR_TRY(db_.Exec("DELETE FROM step_secret_fields WHERE step_id = ?", {step_id}));
  KR_TRY(db_.Exec("INSERT INTO step_secret_fields (step_id, sealed) VALUES (?, ?)",
                  {step_id, box_.Seal(fields.dump())}));
  return {};
}

Result<std::optional<Json>> ProjectSecrets::StepFields(Id step_id) {
  KR_ASSIGN(auto r, db_.Exec("SELECT sealed FROM step_secret_fields WHERE step_id = ?", {step_id}));
  if (r.rows.empty()) return std::optional<Json>();
  KR_ASSIGN(std::string plain, box_.Open(r.rows[0].Text(0)));
  return std::optional<Json>(ParseJson(plain).value_or(Json()));
}

}  // namespace kraken::secrets
