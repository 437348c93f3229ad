// A TCP port on 127.0.0.1 that nothing listens on right now, for tests and benchmarks that
// start servers of their own (another process may still take it before they bind it).
#pragma once

namespace kraken::http {

int FreeLoopbackPort();

}  // namespace kraken::http
