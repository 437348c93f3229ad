// Users and their groups from /etc/passwd and /etc/group, read directly instead of through
// the C library (getpwnam, getgrouplist), whose NSS modules a statically linked program
// such as kraken-agent cannot load. Users that only a directory service (LDAP, sssd) knows
// are not found. Thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "proc/process.h"

namespace kraken::proc {

struct UserRecord {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::vector<gid_t> groups;  // the primary group, then the others that list the user
};

// The user named `name` in `etc_dir`/passwd, with its groups from `etc_dir`/group.
tl::expected<UserRecord, Error> LookUpUser(const std::string& name,
                                           const std::string& etc_dir = "/etc");

}  // namespace kraken::proc
