#include "agent/background_steps.h"

#include <fmt/format.h>

namespace kraken::agent {

// One command: its process, the thread that delivers its output until it ends, and the
// masker and line state of that output (touched only by the pump thread, and by the
// destructor once the thread is joined).
struct BackgroundSteps::Command {
  std::unique_ptr<proc::Process> process;
  std::thread pump;
  SecretMasker masker;
  std::string label;
  bool at_line_start = true;

  Command(std::vector<std::string> secrets, std::string l)
      : masker(std::move(secrets)), label(std::move(l)) {}

  // The masked bytes with the label at the start of each line.
  std::string Labelled(const std::string& masked) {
    std::string out;
    for (char c : masked) {
      if (at_line_start) out += label;
      out += c;
      at_line_start = c == '\n';
    }
    return out;
  }
};

BackgroundSteps::BackgroundSteps(proc::Runner& runner, std::function<void(std::string_view)> log)
    : runner_(runner), log_(std::move(log)) {}

BackgroundSteps::~BackgroundSteps() { StopAll(); }

void BackgroundSteps::SetStep(int64_t index, std::vector<std::string> secrets) {
  step_ = index;
  secrets_ = std::move(secrets);
}

Status BackgroundSteps::Start(proc::SpawnOptions options) {
  auto command = std::make_unique<Command>(secrets_, fmt::format("[background step {}] ", step_));
  Command* c = command.get();
  options.on_output = [this, c](std::string_view bytes) {
    if (std::string out = c->Labelled(c->masker.Push(bytes)); !out.empty()) log_(out);
  };
  auto process = runner_.Spawn(options);
  if (!process) return Fail(ErrorCode::kInternal, "cannot start it: " + process.error().message);
  c->process = std::move(*process);
  c->pump = std::thread([this, c] {
    proc::ProcessResult r = c->process->Wait();
    std::string rest = c->Labelled(c->masker.Finish());
    if (!c->at_line_start) rest += "\n";
    if (!r.cancelled) rest += c->label + "ended: " + proc::Describe(r) + "\n";
    log_(rest);
  });
  commands_.push_back(std::move(command));
  return {};
}

void BackgroundSteps::StopAll() {
  for (auto& c : commands_) c->process->Cancel();
  for (auto& c : commands_)
    if (c->pump.joinable()) c->pump.join();
  commands_.clear();
}

}  // namespace kraken::agent
