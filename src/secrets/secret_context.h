// What stage code and `#{...}` expressions see of the secrets: `ctx.secrets` is
// {name: value} for simple secrets and {name: {user, key, password}} for ssh-key ones (as in
// Kraken CI), and the legacy variables KK_SECRET_SIMPLE_<name>, KK_SECRET_USER_<name> and
// KK_SECRET_KEY_<name> come from it (workflow::LegacyVariables).
//
// Stage code (at save and at run start) gets placeholders instead of values: the text
// `#{secrets.NAME}` (`#{secrets.NAME.user}`, ...), which the step's fields expand just before
// the step runs. So a secret never lands in a stored schema, job or step; the steps table
// keeps the expanded fields masked. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "secrets/project_secrets.h"

namespace kraken::secrets {

// ctx.secrets with the values.
Json ContextSecrets(const std::vector<Secret>& secrets);
// ctx.secrets for stage code: the same names, each value a `#{secrets...}` placeholder.
Json PlaceholderSecrets(const std::vector<SecretInfo>& secrets);
// Every value in a ctx.secrets object (the strings to mask), longest first.
std::vector<std::string> SecretValues(const Json& context_secrets);
// The values of `values` that occur in the strings of `json`.
std::vector<std::string> UsedValues(const Json& json, const std::vector<std::string>& values);

}  // namespace kraken::secrets
