#include "cli/up_tls.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "http/certificate.h"

namespace kraken::cli {

namespace fs = std::filesystem;

Result<UpTls> PrepareUpTls(const std::string& data_dir, const std::string& address) {
  fs::path dir = fs::absolute(fs::path(data_dir) / "tls");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot create " + dir.string() + ": " + ec.message());
  UpTls tls{(dir / "server.crt").string(), (dir / "server.key").string(), ""};
  if (!fs::exists(tls.cert_file) || !fs::exists(tls.key_file)) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
    if (host[0] != '\0') names.insert(names.begin(), host);
    if (address != "0.0.0.0" && address != "::" && address != host) names.push_back(address);
    KR_TRY(http::WriteSelfSignedCertificate(tls.cert_file, tls.key_file, names));
  }
  KR_ASSIGN(auto info, http::ReadCertificateInfo(tls.cert_file));
  tls.fingerprint = info.fingerprint;
  return tls;
}

}  // namespace kraken::cli
