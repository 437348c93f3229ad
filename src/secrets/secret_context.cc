#include "secrets/secret_context.h"

#include <algorithm>

namespace kraken::secrets {
namespace {

void CollectStrings(const Json& j, std::vector<const std::string*>* out) {
  if (j.is_string())
    out->push_back(&j.get_ref<const std::string&>());
  else if (j.is_structured())
    for (const auto& v : j) CollectStrings(v, out);
}

}  // namespace

Json ContextSecrets(const std::vector<Secret>& secrets) {
  Json out = Json::object();
  for (const auto& s : secrets) {
    if (s.info.kind == kSshKey)
      out[s.info.name] =
          Json{{"user", s.value.username}, {"key", s.value.key}, {"password", s.value.key}};
    else
      out[s.info.name] = s.value.secret;
  }
  return out;
}

Json PlaceholderSecrets(const std::vector<SecretInfo>& secrets) {
  Json out = Json::object();
  for (const auto& s : secrets) {
    std::string base = "#{secrets." + s.name;
    if (s.kind == kSshKey)
      out[s.name] = Json{
          {"user", base + ".user}"}, {"key", base + ".key}"}, {"password", base + ".password}"}};
    else
      out[s.name] = base + "}";
  }
  return out;
}

std::vector<std::string> SecretValues(const Json& context_secrets) {
  std::vector<const std::string*> strings;
  CollectStrings(context_secrets, &strings);
  std::vector<std::string> out;
  for (const std::string* s : strings)
    if (!s->empty() && std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
  // Longest first, so that a value containing another is masked whole.
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

std::vector<std::string> UsedValues(const Json& json, const std::vector<std::string>& values) {
  std::vector<const std::string*> strings;
  CollectStrings(json, &strings);
  std::vector<std::string> used;
  for (const auto& v : values)
    if (std::any_of(strings.begin(), strings.end(),
                    [&](const std::string* s) { return s->find(v) != std::string::npos; }))
      used.push_back(v);
  return used;
}

}  // namespace kraken::secrets
