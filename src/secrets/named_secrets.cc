#include "secrets/named_secrets.h"

#include <algorithm>

#include "secrets/secret_context.h"
#include "settings/secret_box.h"

namespace kraken::secrets {

namespace {
constexpr const char* kNameFields[] = {"access-token", "ssh-key"};
}  // namespace

bool NamesSecrets(const Json& fields) {
  if (!fields.is_object()) return false;
  for (const char* field : kNameFields) {
    auto it = fields.find(field);
    if (it != fields.end() && !(it->is_string() && it->get_ref<const std::string&>().empty()) &&
        !it->is_null())
      return true;
  }
  return false;
}

Result<Json> AttachNamedSecrets(Json fields, const Json& context_secrets) {
  if (!fields.is_object()) return fields;
  fields.erase(kNamedSecretsField);  // only the server fills it in
  Json named = Json::object();
  for (const char* field : kNameFields) {
    auto it = fields.find(field);
    if (it == fields.end() || it->is_null()) continue;
    if (!it->is_string()) return Invalid(field, "must be the name of a project secret");
    const std::string name = it->get<std::string>();
    if (name.empty()) continue;
    auto secret = context_secrets.is_object() ? context_secrets.find(name) : context_secrets.end();
    if (!context_secrets.is_object() || secret == context_secrets.end())
      return Invalid(field, "the project has no secret named '" + name + "'");
    bool is_token = std::string(field) == "access-token";
    if (is_token) {
      if (!secret->is_string())
        return Invalid(field, "secret '" + name +
                                  "' is an ssh-key secret; an access token needs a simple secret");
      if (secret->get_ref<const std::string&>().empty())
        return Invalid(field, "secret '" + name + "' is empty");
      named[field] = Json{{"name", name}, {"secret", *secret}};
    } else {
      if (!secret->is_object())
        return Invalid(
            field, "secret '" + name +
                       "' is a simple secret; ssh-key needs an ssh-key secret (user name and key)");
      if (secret->value("key", "").empty())
        return Invalid(field, "secret '" + name + "' has no key");
      named[field] = Json{{"name", name},
                          {"username", secret->value("user", "")},
                          {"key", secret->value("key", "")}};
    }
  }
  if (!named.empty()) fields[kNamedSecretsField] = std::move(named);
  return fields;
}

Json WithoutNamedSecrets(Json fields) {
  if (fields.is_object()) fields.erase(kNamedSecretsField);
  return fields;
}

std::vector<std::string> StepSecretValues(const Json& fields,
                                          const std::vector<std::string>& context_values) {
  std::vector<std::string> out = UsedValues(WithoutNamedSecrets(fields), context_values);
  auto named = fields.is_object() ? fields.find(kNamedSecretsField) : fields.end();
  if (fields.is_object() && named != fields.end() && named->is_object()) {
    for (const auto& [field, entry] : named->items()) {
      std::vector<std::string> values = {entry.value("secret", ""), entry.value("key", "")};
      // The git tool sends a token as `Authorization: Basic base64(x-access-token:TOKEN)`:
      // that form is masked too, should anything print the header.
      if (field == "access-token" && !values[0].empty())
        values.push_back(settings::ToBase64("x-access-token:" + values[0]));
      for (const std::string& v : values)
        if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

}  // namespace kraken::secrets
