#include "proc/process.h"

#include <string.h>

namespace kraken::proc {

std::vector<std::string> ShellArgv(std::string command) {
  return {"/bin/sh", "-c", std::move(command)};
}

std::vector<std::string> BashScriptArgv(std::string path) {
  return {"/bin/bash", "--noprofile", "--norc", "-e", "-o", "pipefail", std::move(path)};
}

std::string Describe(const ProcessResult& result) {
  std::string text;
  if (result.signal != 0) {
    const char* name = sigabbrev_np(result.signal);
    text = name != nullptr ? std::string("killed by SIG") + name
                           : "killed by signal " + std::to_string(result.signal);
  } else {
    text = "exit code " + std::to_string(result.exit_code);
  }
  if (result.timed_out) text += " after timing out";
  if (result.cancelled) text += " after being cancelled";
  return text;
}

}  // namespace kraken::proc
