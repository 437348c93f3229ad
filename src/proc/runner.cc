#include "proc/runner.h"

#include "proc/child_process.h"

namespace kraken::proc {

tl::expected<ProcessResult, Error> Runner::Run(const SpawnOptions& options) {
  auto process = Spawn(options);
  if (!process) return tl::make_unexpected(process.error());
  return (*process)->Wait();
}

tl::expected<std::unique_ptr<Process>, Error> RealRunner::Spawn(const SpawnOptions& options) {
  auto process = ChildProcess::Start(options);
  if (!process) return tl::make_unexpected(process.error());
  return std::unique_ptr<Process>(std::move(*process));
}

}  // namespace kraken::proc
