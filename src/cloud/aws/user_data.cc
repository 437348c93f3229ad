#include "cloud/aws/user_data.h"

#include <cctype>

#include "cloud/aws/crypto.h"

namespace kraken::aws {
namespace {

tl::unexpected<AwsError> Invalid(std::string message) {
  return Fail(MakeAwsError("InvalidParameterValue", std::move(message), 0));
}

bool HasControlCharacter(const std::string& value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Lower-cases `hex` in place; false unless it is 64 hex digits.
bool NormalizeSha256(std::string& hex) {
  if (hex.size() != 64) return false;
  for (char& c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return true;
}

// Checks the inputs and returns them with the URL's trailing slashes and the checksum's
// case normalised.
Result<AgentBootstrap> Validate(AgentBootstrap bootstrap) {
  while (bootstrap.server_url.ends_with('/')) bootstrap.server_url.pop_back();
  if (!bootstrap.server_url.starts_with("https://") &&
      !bootstrap.server_url.starts_with("http://")) {
    return Invalid("server URL must start with https:// or http://: " + bootstrap.server_url);
  }
  if (HasControlCharacter(bootstrap.server_url)) {
    return Invalid("server URL contains control characters");
  }
  if (!NormalizeSha256(bootstrap.agent_sha256)) {
    return Invalid("agent SHA-256 must be 64 hex digits");
  }
  if (!bootstrap.server_fingerprint.empty() && !NormalizeSha256(bootstrap.server_fingerprint)) {
    return Invalid("server certificate fingerprint must be 64 hex digits");
  }
  if (bootstrap.registration_token.empty()) return Invalid("registration token is empty");
  if (HasControlCharacter(bootstrap.registration_token)) {
    return Invalid("registration token contains control characters");
  }
  if (bootstrap.init_script.find('\0') != std::string::npos) {
    return Invalid("init script contains a NUL byte");
  }
  return bootstrap;
}

bool HasLine(const std::string& text, const std::string& line) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, end - start, line) == 0 && end - start == line.size()) return true;
    start = end + 1;
  }
  return false;
}

// A quoted here-document carries the init script verbatim; only a line equal to the
// delimiter could end it early, so the delimiter is chosen not to occur.
std::string HereDocument(const std::string& text) {
  std::string delimiter = "KRAKEN_INIT_SCRIPT";
  for (int n = 1; HasLine(text, delimiter); ++n) {
    delimiter = "KRAKEN_INIT_SCRIPT_" + std::to_string(n);
  }
  std::string body = text;
  if (!body.ends_with('\n')) body.push_back('\n');
  return "<<'" + delimiter + "'\n" + body + delimiter + "\n";
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

}  // namespace

std::string ShellQuote(const std::string& value) {
  std::string quoted = value;
  ReplaceAll(quoted, "'", "'\\''");
  return "'" + quoted + "'";
}

Result<std::string> RenderLinuxUserData(const AgentBootstrap& input) {
  Result<AgentBootstrap> valid = Validate(input);
  if (!valid) return Fail(std::move(valid.error()));
  const AgentBootstrap& b = *valid;
  // POSIX sh, so that it runs on any Linux image: busybox's ash, Debian's dash, bash.
  std::string script = R"sh(#!/bin/sh
# Kraken agent bootstrap. The registration token is good for one registration only.
set -eu

)sh";
  script += "server=" + ShellQuote(b.server_url) + "\n";
  script += "agent_sha256=" + ShellQuote(b.agent_sha256) + "\n";
  script += "registration_token=" + ShellQuote(b.registration_token) + "\n";
  const bool pinned = !b.server_fingerprint.empty();
  if (pinned) script += "tls_fingerprint=" + ShellQuote(b.server_fingerprint) + "\n";
  script += R"sh(data_dir=/var/lib/kraken-agent
agent=/usr/local/bin/kraken-agent

# Downloads URL to FILE with curl or wget; on an image with neither (Debian's minbase has
# none), a plain http:// URL is fetched with bash's /dev/tcp.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL )sh";
  // The server's certificate is self-signed: the download's checksum is what vouches for it.
  if (pinned) script += "--insecure ";
  script += R"sh(-o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q )sh";
  if (pinned) script += "--no-check-certificate ";
  script += R"sh(-O "$2" "$1"
  elif command -v bash >/dev/null 2>&1 && [ "${1#http://}" != "$1" ]; then
    bash -s "$1" "$2" <<'KRAKEN_FETCH'
rest=${1#http://} out=$2
hostport=${rest%%/*} path=/${rest#*/}
[ "$rest" = "$hostport" ] && path=/
host=${hostport%:*} port=${hostport##*:}
[ "$host" = "$hostport" ] && port=80
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
IFS= read -r status <&3 || exit 1
case $status in
  "HTTP/1."?" 200"*) ;;
  *) echo "$1: ${status%$'\r'}" >&2; exit 1 ;;
esac
while IFS= read -r line <&3 && [ -n "${line%$'\r'}" ]; do :; done
cat <&3 >"$out"
KRAKEN_FETCH
  else
    echo "kraken: cannot download the agent: this machine has neither curl nor wget" >&2
    echo "kraken: (bash can fetch only plain http://): install one of them in the image" >&2
    return 1
  fi
}

mkdir -p "$data_dir" "$(dirname "$agent")"
tries=1
until fetch "$server/install/agent" "$agent.download"; do
  if [ "$tries" -ge 10 ]; then
    echo "kraken: could not download the agent from $server after $tries tries" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 3
done
echo "$agent_sha256  $agent.download" | sha256sum -c -
chmod 0755 "$agent.download"
mv -f "$agent.download" "$agent"
)sh";
  // The group's init script prepares the machine (packages, tools) before its agent takes
  // a job; the agent starts whether it succeeded or not, so its jobs say what is missing.
  if (!b.init_script.empty()) {
    script += "\n# The agents group's init script.\n";
    script += "cat >\"$data_dir/init-script\" " + HereDocument(b.init_script);
    script += "chmod 0700 \"$data_dir/init-script\"\ninit_status=0\n";
    // A script with its own interpreter line runs under that interpreter.
    // Without one: bash where the image has it, else sh. Its failure does not end the
    // user data (set -e).
    script += b.init_script.starts_with("#!")
                  ? "\"$data_dir/init-script\" || init_status=$?\n"
                  : "if command -v bash >/dev/null 2>&1; then bash \"$data_dir/init-script\" || "
                    "init_status=$?; else sh \"$data_dir/init-script\" || init_status=$?; fi\n";
    script += "echo \"kraken: the init script exited with status $init_status\"\n";
  }
  script += R"sh(nohup "$agent" --server "$server" )sh";
  if (pinned) script += R"sh(--tls-fingerprint "$tls_fingerprint" )sh";
  script +=
      R"sh(--registration-token "$registration_token" --data-dir "$data_dir" >>/var/log/kraken-agent.log 2>&1 </dev/null &
)sh";
  return script;
}

}  // namespace kraken::aws
