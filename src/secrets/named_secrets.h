// Secrets a step names rather than expands: Kraken CI's `ssh-key: NAME` and
// `access-token: NAME` fields (the `git` and `shell` tools). The server resolves the names
// against the project's secrets just before the step runs and hands the agent only those
// values, under one reserved field of the step's dispatched fields:
//
//   "#secrets": {"access-token": {"name": "gh", "secret": "..."},
//                "ssh-key": {"name": "deploy", "username": "git", "key": "-----BEGIN ..."}}
//
// The step's stored fields never hold that entry (WithoutNamedSecrets), and the token and
// key go to the agent's log masker (StepSecretValues). A user name is not masked: it is a
// login, and masking a short one (`git`) would garble the log. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::secrets {

// The reserved field; the stage schema of the tools that read it forbids other fields, so
// stage code cannot set it itself.
inline constexpr const char* kNamedSecretsField = "#secrets";

// Whether the fields name a secret (a non-empty `ssh-key` or `access-token`).
bool NamesSecrets(const Json& fields);

// `fields` with kNamedSecretsField filled in for each non-empty `ssh-key` / `access-token`
// field, from ctx.secrets (secret_context.h). An error names the field when the secret does
// not exist, is empty or is of the wrong kind (an access token is a simple secret, an ssh-key one
// has a user name and a key). Fields that name no secret come back unchanged.
Result<Json> AttachNamedSecrets(Json fields, const Json& context_secrets);

// The fields as stored and shown: without kNamedSecretsField.
Json WithoutNamedSecrets(Json fields);

// The values the agent masks in a step's log: the `context_values` (SecretValues) that occur
// in the fields proper, plus the tokens and keys attached by AttachNamedSecrets; longest
// first.
std::vector<std::string> StepSecretValues(const Json& fields,
                                          const std::vector<std::string>& context_values);

}  // namespace kraken::secrets
