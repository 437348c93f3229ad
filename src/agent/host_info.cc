#include "agent/host_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "agent/container_job.h"

namespace kraken::agent {
namespace {

std::string OsRelease(const std::string& key) {
  std::ifstream in("/etc/os-release");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(key + "=")) continue;
    std::string v = line.substr(key.size() + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    return v;
  }
  return {};
}

}  // namespace

Json CollectHostInfo() {
  struct utsname u {};
  uname(&u);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return Json{{"system", u.sysname},
              {"system_type", "linux"},
              {"hostname", host},
              {"kernel", u.release},
              {"arch", u.machine},
              {"distro_name", OsRelease("ID")},
              {"distro_version", OsRelease("VERSION_ID")},
              {"cpus", sysconf(_SC_NPROCESSORS_ONLN)},
              {"memory_mb", pages > 0 && page > 0 ? (pages / 1024) * page / 1024 : 0},
              {"docker", LocalEngineUsable()}};
}

}  // namespace kraken::agent
