// The agent protocol's JSON messages, read on both sides: the server reads an agent's body
// with the API's body parsing and the protocol's readers (register, step report, log
// batch); the agent reads the server's answers (register, hello, poll, step finish, watch,
// refusals). Whatever reads without error must write back to JSON that reads the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/json_io.h"
#include "protocol/agent_messages.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Server side: what /agent/v1/register, /steps/{idx}/finish and /logs read.
  http::Request request;
  request.body = text;
  if (auto body = api::ParseObject(request)) {
    (void)api::RequiredString(*body, "name");
    (void)api::OptionalString(*body, "registration_token", "");
    if (auto report = protocol::ParseStepReport(*body)) {
      Json written = protocol::ToJson(*report);
      auto again = protocol::ParseStepReport(written);
      if (!again || protocol::ToJson(*again) != written) std::abort();
    }
    if (auto batch = protocol::ParseLogBatch(*body)) {
      Json written = protocol::ToJson(*batch);
      auto again = protocol::ParseLogBatch(written);
      if (!again || protocol::ToJson(*again) != written) std::abort();
    }
  }

  // Agent side.
  (void)protocol::RefusalMessage(text);
  Json answer = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) return 0;
  (void)protocol::ParseRegisterAnswer(answer);
  (void)protocol::ParseHelloAnswer(answer);
  (void)protocol::ParsePollAnswer(answer);
  if (auto dispatch = protocol::ParseDispatch(answer)) {
    Json written = protocol::ToJson(*dispatch);
    auto again = protocol::ParseDispatch(written);
    if (!again || protocol::ToJson(*again) != written) std::abort();
  }
  (void)protocol::ParseWatchAnswer(answer);
  return 0;
}
