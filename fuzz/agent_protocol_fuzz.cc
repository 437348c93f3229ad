// The agent protocol's JSON messages, read on both sides: the server reads an agent's body
// with the API's body parsing and field readers; the agent reads the server's answers
// (register, hello, poll, step finish, watch, refusals).
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/server_messages.h"
#include "api/json_io.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Server side: what /agent/v1/register, /steps/{idx}/finish and /logs read.
  http::Request request;
  request.body = text;
  if (auto body = api::ParseObject(request)) {
    for (const char* field : {"name", "status"}) (void)api::RequiredString(*body, field);
    for (const char* field : {"registration_token", "reason", "message"})
      (void)api::OptionalString(*body, field, "");
  }

  // Agent side.
  (void)agent::RefusalMessage(text);
  Json answer = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) return 0;
  (void)agent::ParseRegisterAnswer(answer);
  (void)agent::ParseHelloAnswer(answer);
  (void)agent::ParsePollAnswer(answer);
  (void)agent::ParseDispatch(answer);
  (void)agent::ParseWatchAnswer(answer);
  return 0;
}
