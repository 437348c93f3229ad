#include "proc/proc_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace kraken::proc {
namespace {

// Reads a whole file; nullopt if it cannot be opened.
std::optional<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

std::optional<std::string> ReadProcFile(pid_t pid, const char* name) {
  return ReadWholeFile("/proc/" + std::to_string(pid) + "/" + name);
}

// Splits a NUL-separated /proc file (environ, cmdline) into its entries.
std::vector<std::string> ReadNulSeparated(pid_t pid, const char* name) {
  std::vector<std::string> entries;
  std::optional<std::string> text = ReadProcFile(pid, name);
  if (!text) return entries;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t end = rest.find('\0');
    entries.emplace_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return entries;
}

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcessInfo> ParseStat(std::string_view stat) {
  // The command name sits in parentheses and may itself hold ')' or
  // spaces, so the fields start after the last ')'.
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string_view::npos) return std::nullopt;
  std::string_view head = stat.substr(0, stat.find(' '));
  std::string_view rest = stat.substr(close_paren + 1);

  // Fields 3.. of proc(5): state ppid pgrp session ... starttime (22).
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < rest.size() && fields.size() < 20) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (end > pos) fields.push_back(rest.substr(pos, end - pos));
    pos = end;
  }
  if (fields.size() < 20 || fields[0].size() != 1) return std::nullopt;

  ProcessInfo info;
  std::string_view start_time = fields[19];
  while (!start_time.empty() && start_time.back() == '\n') start_time.remove_suffix(1);
  if (!ParseNumber(head, &info.pid) || !ParseNumber(fields[1], &info.parent_pid) ||
      !ParseNumber(fields[2], &info.group_id) || !ParseNumber(fields[3], &info.session_id) ||
      !ParseNumber(start_time, &info.start_time)) {
    return std::nullopt;
  }
  info.state = fields[0][0];
  return info;
}

std::optional<ProcessInfo> ReadProcessInfo(pid_t pid) {
  std::optional<std::string> stat = ReadProcFile(pid, "stat");
  if (!stat) return std::nullopt;
  return ParseStat(*stat);
}

std::vector<ProcessInfo> ListProcesses() {
  std::vector<ProcessInfo> processes;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return processes;
  while (struct dirent* entry = readdir(dir)) {
    pid_t pid = 0;
    if (!ParseNumber(std::string_view(entry->d_name), &pid)) continue;
    if (auto info = ReadProcessInfo(pid)) processes.push_back(*info);
  }
  closedir(dir);
  return processes;
}

namespace {

// Appends the children of every thread of `pid` ("self" for this process); false if
// not one children list could be read.
bool AppendChildren(const std::string& pid, std::vector<pid_t>& out) {
  std::string tasks = "/proc/" + pid + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return false;
  bool any = false;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::optional<std::string> text = ReadWholeFile(tasks + "/" + entry->d_name + "/children");
    if (!text) continue;
    any = true;
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t end = rest.find(' ');
      pid_t child = 0;
      if (ParseNumber(rest.substr(0, end), &child)) out.push_back(child);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  closedir(dir);
  return any;
}

}  // namespace

std::optional<std::vector<pid_t>> ListChildren() {
  std::vector<pid_t> children;
  if (!AppendChildren("self", children)) return std::nullopt;
  return children;
}

std::optional<std::vector<ProcessInfo>> ListDescendants() {
  std::vector<pid_t> pending;
  if (!AppendChildren("self", pending)) return std::nullopt;
  std::vector<ProcessInfo> processes;
  while (!pending.empty()) {
    pid_t pid = pending.back();
    pending.pop_back();
    auto info = ReadProcessInfo(pid);
    if (!info) continue;  // gone since its parent listed it
    processes.push_back(*info);
    AppendChildren(std::to_string(pid), pending);
  }
  return processes;
}

bool EnvironContains(pid_t pid, std::string_view entry) {
  for (const std::string& current : ReadNulSeparated(pid, "environ")) {
    if (current == entry) return true;
  }
  return false;
}

std::optional<std::string> ReadEnvironEntry(pid_t pid, std::string_view name) {
  for (std::string& entry : ReadNulSeparated(pid, "environ")) {
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=') {
      return std::move(entry);
    }
  }
  return std::nullopt;
}

std::vector<std::string> ReadCommandLine(pid_t pid) { return ReadNulSeparated(pid, "cmdline"); }

}  // namespace kraken::proc
