#include "proc/user_db.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

namespace kraken::proc {
namespace {

std::vector<std::string> SplitFields(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, separator)) fields.push_back(field);
  if (!line.empty() && line.back() == separator) fields.emplace_back();
  return fields;
}

bool ParseId(const std::string& text, unsigned& id) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
  id = static_cast<unsigned>(std::stoul(text));
  return true;
}

}  // namespace

tl::expected<UserRecord, Error> LookUpUser(const std::string& name, const std::string& etc_dir) {
  std::ifstream passwd(etc_dir + "/passwd");
  if (!passwd)
    return tl::make_unexpected(
        Error{"cannot look up user '" + name + "': no " + etc_dir + "/passwd", ENOENT});
  std::string line;
  std::optional<UserRecord> user;
  // name:password:uid:gid:gecos:home:shell
  while (!user && std::getline(passwd, line)) {
    std::vector<std::string> fields = SplitFields(line, ':');
    unsigned uid = 0, gid = 0;
    if (fields.size() < 7 || fields[0] != name || !ParseId(fields[2], uid) ||
        !ParseId(fields[3], gid))
      continue;
    user = UserRecord{uid, gid, fields[5], {gid}};
  }
  if (!user) return tl::make_unexpected(Error{"user '" + name + "' does not exist", ENOENT});
  // name:password:gid:member,member,...
  std::ifstream group(etc_dir + "/group");
  while (std::getline(group, line)) {
    std::vector<std::string> fields = SplitFields(line, ':');
    unsigned gid = 0;
    if (fields.size() < 4 || !ParseId(fields[2], gid) || gid == user->gid) continue;
    std::vector<std::string> members = SplitFields(fields[3], ',');
    if (std::find(members.begin(), members.end(), name) != members.end())
      user->groups.push_back(gid);
  }
  return *user;
}

}  // namespace kraken::proc
