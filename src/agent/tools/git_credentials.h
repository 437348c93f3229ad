// How the `git` tool hands git the secrets a step names (`access-token`, `ssh-key`; the
// server puts their values under the step's "#secrets" field, see secrets/named_secrets.h).
// Neither value is ever written into a repository's config or onto a command line (visible
// in `ps`):
//
//  - an access token becomes an `Authorization: Basic base64(x-access-token:TOKEN)` header,
//    scoped to the repository's scheme://host[:port]/ through `http.<url>.extraHeader`, given
//    to git in the GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n environment
//    (read by git, never stored). GitHub, GitLab and Gitea accept a token as the password of
//    Basic authentication; `x-access-token` is the user name GitHub documents for it;
//  - an ssh key becomes a file with mode 0600 in a private (0700) temporary directory, used
//    through GIT_SSH_COMMAND="ssh -i FILE -o IdentitiesOnly=yes -o
//    StrictHostKeyChecking=accept-new -o BatchMode=yes"; the secret's user name is added
//    (`-o User=`) only when the URL names none. The directory is removed when the
//    GitCredentials is destroyed, i.e. at the end of the step.
//
// Owns the key file. Movable; not thread-safe (one per step).
#pragma once

#include <map>
#include <string>

#include "agent/tools/step_secrets.h"
#include "core/error.h"
#include "core/json.h"

namespace kraken::tools {

class GitCredentials {
 public:
  // Reads the step's `access-token` / `ssh-key` fields and their values; an error names the
  // field (a secret the server did not give, a token for a non-HTTP(S) URL, a key that
  // cannot be written).
  static Result<GitCredentials> FromFields(const Json& fields, const std::string& url);

  // Environment for the git commands that talk to the remote; empty without secrets.
  const std::map<std::string, std::string>& env() const { return env_; }
  // The key file, or "" (for tests and messages).
  const std::string& key_file() const { return key_.path(); }

 private:
  std::map<std::string, std::string> env_;
  SshKeyFile key_;
};

// Standard base64 with padding.
std::string Base64(const std::string& bytes);

}  // namespace kraken::tools
