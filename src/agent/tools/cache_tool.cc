// The `cache` tool: saves directories as tar.gz archives under a key on the server, and
// restores the newest entry of the first key that has one. A cache miss is not an error.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

StepOutcome Save(ToolContext& ctx, const std::string& key, const std::vector<std::string>& paths,
                 const std::string& cwd) {
  std::string tmp = fmt::format("{}/.kraken-cache-{}", ctx.workspace, getpid());
  std::error_code ec;
  fs::create_directories(tmp, ec);
  Json files = Json::array();
  std::vector<std::string> archives;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!fs::exists(fs::path(cwd) / paths[i], ec)) {
      ctx.Log("cache: " + paths[i] + " does not exist; skipped\n");
      continue;
    }
    std::string archive = fmt::format("{}/{}.tar.gz", tmp, i);
    if (auto missing = MissingProgram(ctx, "tar")) return *missing;
    CommandOptions tar;
    tar.cwd = cwd;
    tar.argv = {"tar", "-czf", archive, paths[i]};
    StepOutcome r = RunCommand(ctx, tar);
    if (!r.ok) return r;
    files.push_back(Json{{"path", paths[i]}, {"size", fs::file_size(archive, ec)}});
    archives.push_back(archive);
  }
  StepOutcome out = StepOutcome::Done();
  if (!ctx.services) {
    for (const auto& f : files)
      ctx.reporter->Note("cache", Json{{"key", key}, {"path", f["path"]}, {"size", f["size"]}});
  } else if (!files.empty()) {
    auto grant = ctx.services->Call("cache/save", Json{{"key", key}, {"files", files}});
    if (!grant) {
      out = StepOutcome::Error("cache: " + grant.error().message);
    } else {
      for (size_t i = 0; i < archives.size(); ++i) {
        if (auto st = ctx.services->Upload((*grant)["files"][i]["url"], archives[i]); !st) {
          out = StepOutcome::Error("cache: uploading " + files[i]["path"].get<std::string>() +
                                   ": " + st.error().message);
          break;
        }
        ctx.Log(fmt::format("cache: saved {} under key '{}'\n", files[i]["path"].get<std::string>(),
                            key));
      }
    }
  }
  fs::remove_all(tmp, ec);
  return out;
}

StepOutcome Restore(ToolContext& ctx, const std::vector<std::string>& keys,
                    const std::string& cwd) {
  if (!ctx.services) return StepOutcome::Error("cache: restore needs a server (run it in a job)");
  auto found = ctx.services->Call("cache/restore", Json{{"keys", keys}});
  if (!found) return StepOutcome::Error("cache: " + found.error().message);
  if ((*found)["files"].empty()) {
    ctx.Log("cache: no entry for any of the keys\n");
    return StepOutcome::Done();
  }
  std::string tmp = fmt::format("{}/.kraken-cache-{}.tar.gz", ctx.workspace, getpid());
  std::error_code ec;
  fs::create_directories(cwd, ec);
  for (const auto& f : (*found)["files"]) {
    if (auto st = ctx.services->Download(f["url"], tmp); !st)
      return StepOutcome::Error("cache: downloading " + f["path"].get<std::string>() + ": " +
                                st.error().message);
    if (auto missing = MissingProgram(ctx, "tar")) return *missing;
    CommandOptions tar;
    tar.cwd = cwd;
    tar.argv = {"tar", "-xzf", tmp};
    StepOutcome r = RunCommand(ctx, tar);
    fs::remove(tmp, ec);
    if (!r.ok) return r;
    ctx.Log(fmt::format("cache: restored {} from key '{}'\n", f["path"].get<std::string>(),
                        (*found).value("key", "")));
    ctx.reporter->Note("cache", Json{{"key", (*found).value("key", "")}, {"path", f["path"]}});
  }
  return StepOutcome::Done();
}

StepOutcome RunCache(const Json& fields, ToolContext& ctx) {
  auto action = StringField(fields, "action");
  auto key = StringField(fields, "key");
  auto keys = StringListField(fields, "keys");
  auto paths = StringListField(fields, "paths");
  auto cwd = StringField(fields, "cwd");
  if (auto expiry = StringField(fields, "expiry"); !expiry)
    return StepOutcome::Error("expiry: " + expiry.error().message);
  if (!action) return StepOutcome::Error("action: " + action.error().message);
  if (!key) return StepOutcome::Error("key: " + key.error().message);
  if (!keys) return StepOutcome::Error("keys: " + keys.error().message);
  if (!paths) return StepOutcome::Error("paths: " + paths.error().message);
  if (!cwd) return StepOutcome::Error("cwd: " + cwd.error().message);
  std::vector<std::string> all_keys = *keys;
  if (!key->empty()) all_keys.insert(all_keys.begin(), *key);
  if (all_keys.empty()) return StepOutcome::Error("key: a key (or keys) is required");
  if (*action == "save") {
    if (paths->empty()) return StepOutcome::Error("paths: at least one path to save is needed");
    return Save(ctx, all_keys.front(), *paths, StepCwd(ctx, *cwd));
  }
  if (*action == "restore") return Restore(ctx, all_keys, StepCwd(ctx, *cwd));
  return StepOutcome::Error("action: must be save or restore");
}

}  // namespace

ToolSpec CacheTool() {
  return ToolSpec{
      "cache",
      "Saves directories under a key on the server, or restores the newest entry for a key.",
      {{"action", "string", "save or restore", nullptr, true},
       {"key", "string", "Key to save under, or the first key to restore"},
       {"keys", "array", "Keys to try in order when restoring"},
       {"paths", "string|array", "Files or directories to save"},
       {"cwd", "string", "Directory the paths are relative to", "."},
       {"expiry", "string",
        "Accepted for Kraken CI stages and not used: entries follow the branch's retention"}},
      RunCache};
}

}  // namespace kraken::tools
