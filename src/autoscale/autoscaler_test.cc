// The autoscaler over the real engine, store (SQLite), event loop and worker pool, with a
// driver that records what it is asked and lists whatever the test says exists.
#include "autoscale/autoscaler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "auth/crypto.h"
#include "exec/job_attempts.h"
#include "store/store.h"

namespace kraken::autoscale {
namespace {

using namespace std::chrono_literals;

class RecordingDriver : public cloud::Driver {
 public:
  std::string method() const override { return "fake"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override {
    std::lock_guard lock(mu_);
    specs_.push_back(spec);
    listed_.insert("i-" + std::to_string(spec.machine_id));
    tags_["i-" + std::to_string(spec.machine_id)] = std::to_string(spec.machine_id);
    cv_.notify_all();
    return "i-" + std::to_string(spec.machine_id);
  }
  cloud::DriverResult<void> Destroy(const std::string& id) override {
    std::lock_guard lock(mu_);
    listed_.erase(id);
    return {};
  }
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string&, Id) override {
    std::lock_guard lock(mu_);
    std::vector<cloud::DriverMachine> out;
    for (const std::string& id : listed_)
      out.push_back({id, {{cloud::kTagMachine, tags_[id]}}, "running"});
    return out;
  }
  // The provider takes the machine away (a spot interruption).
  void Vanish(const std::string& id) {
    std::lock_guard lock(mu_);
    listed_.erase(id);
  }
  cloud::MachineSpec WaitCreate() {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, 10s, [&] { return !specs_.empty(); })) << "no create call";
    return specs_.empty() ? cloud::MachineSpec{} : specs_.front();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<cloud::MachineSpec> specs_;    // guarded by mu_
  std::set<std::string> listed_;             // guarded by mu_
  std::map<std::string, std::string> tags_;  // guarded by mu_
};

class AutoscalerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth::InitCrypto());
    namespace fs = std::filesystem;
    dir_ = fs::temp_directory_path() /
           ("kraken-autoscaler-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto db = store::OpenDb("sqlite:" + (dir_ / "kraken.db").string());
    ASSERT_TRUE(db);
    auto st = store::Store::Open(std::move(*db));
    ASSERT_TRUE(st);
    store_ = std::move(*st);
    ASSERT_TRUE(store_->SetSetting("server_id", "test"));
    engine_ = std::make_unique<exec::Engine>(
        *store_, RealClock::Instance(),
        [this](std::function<void()> fn) { loop_.Post(std::move(fn)); });
    ASSERT_TRUE(engine_->Bootstrap());
    AllowFakeDriver(true);
    drivers_ = std::make_unique<Drivers>("/bin/true", (dir_ / "machines").string());
    drivers_->Set("fake", driver_);
    AutoscalerOptions options;
    options.server_id = "test";
    options.server_url = "http://127.0.0.1:8080";  // the listen address
    options.sweep_interval = 3'600'000;            // sweeps only when a test asks
    autoscaler_ = std::make_unique<Autoscaler>(*engine_, *store_, loop_, RealClock::Instance(),
                                               *drivers_, options);
    engine_->add_listener(autoscaler_.get());

    Millis now = RealClock::Instance().Now();
    AgentsGroup g;
    g.name = "auto";
    g.deployment = Json{{"method", "fake"}, {"instances_limit", 1}, {"boot_timeout", 600}};
    g.created = now;
    auto group = store_->CreateGroup(g);
    ASSERT_TRUE(group);
    group_id_ = group->id;
    auto project = store_->CreateProject(Project{0, "p", "", now});
    ASSERT_TRUE(project);
    Branch b{0, project->id, "main", "main"};
    b.created = now;
    auto branch = store_->CreateBranch(b);
    ASSERT_TRUE(branch);
    branch_id_ = branch->id;
    Stage stage;
    stage.branch_id = branch->id;
    stage.name = "one";
    stage.schema =
        Json{{"parent", "root"},
             {"triggers", {{"parent", true}}},
             {"jobs",
              Json::array({Json{{"name", "j"},
                                {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "true"}}})},
                                {"environments", Json::array({Json{{"system", "any"},
                                                                   {"agents_group", "auto"},
                                                                   {"config", "c"}}})}}})}};
    stage.schema_code = stage.schema.dump();
    stage.created = stage.updated = now;
    ASSERT_TRUE(store_->CreateStage(stage));
    loop_thread_ = std::thread([this] { loop_.Run(); });
  }

  void TearDown() override {
    if (loop_thread_.joinable()) {
      OnLoop([&] { autoscaler_->Stop(); });
      loop_.Post([&] { loop_.Stop(); });
      loop_thread_.join();
    }
    autoscaler_.reset();
    engine_.reset();
    store_.reset();
    AllowFakeDriver(false);  // a process-wide switch: other tests expect it off
    std::filesystem::remove_all(dir_);
  }

  template <typename F>
  void OnLoop(F fn) {
    std::promise<void> done;
    loop_.Post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  Id StartFlowAndGetJob() {
    Id job_id = 0;
    OnLoop([&] {
      ASSERT_TRUE(autoscaler_->Start());
      auto flow = engine_->StartFlow(branch_id_, FlowKind::kCi, Json::object());
      ASSERT_TRUE(flow) << flow.error().message;
      auto runs = store_->ListRuns(flow->id);
      ASSERT_TRUE(runs && runs->size() == 1u);
      auto jobs = store_->ListJobs((*runs)[0].id);
      ASSERT_TRUE(jobs && jobs->size() == 1u);
      job_id = (*jobs)[0].id;
    });
    return job_id;
  }

  std::filesystem::path dir_;
  http::Loop loop_;
  std::thread loop_thread_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<exec::Engine> engine_;
  std::shared_ptr<RecordingDriver> driver_ = std::make_shared<RecordingDriver>();
  std::unique_ptr<Drivers> drivers_;
  std::unique_ptr<Autoscaler> autoscaler_;
  Id group_id_ = 0, branch_id_ = 0;
};

TEST_F(AutoscalerTest, MachinesConnectToTheListenAddressWhenNoServerUrlIsSaved) {
  StartFlowAndGetJob();
  EXPECT_EQ(driver_->WaitCreate().server_url, "http://127.0.0.1:8080");
}

TEST_F(AutoscalerTest, MachinesConnectToTheSavedServerUrl) {
  ASSERT_TRUE(store_->SetSetting("server_url", "https://ci.example.com"));
  StartFlowAndGetJob();
  EXPECT_EQ(driver_->WaitCreate().server_url, "https://ci.example.com");
}

TEST_F(AutoscalerTest, BusyMachineThatVanishesRequeuesItsJobAsPreempted) {
  Id job_id = StartFlowAndGetJob();
  cloud::MachineSpec spec = driver_->WaitCreate();
  // The machine's agent registers with its token, takes the job and starts it.
  OnLoop([&] {
    auto reg = engine_->RegisterAgent("m1", Json{{"system", "any"}}, spec.registration_token);
    ASSERT_TRUE(reg) << reg.error().message;
    engine_->presence().Park({reg->agent.id, reg->agent.group_ids, reg->agent.system,
                              reg->agent.machine_id.has_value(), false, nullptr, nullptr});
    ASSERT_EQ(engine_->SchedulePass(), 1);
    auto dispatch = engine_->Poll(reg->agent.id);
    ASSERT_TRUE(dispatch && *dispatch) << "the job was not dispatched";
    autoscaler_->Pass();  // the machine follows its agent
  });
  std::this_thread::sleep_for(5ms);  // the sweep must start after the machine booted
  driver_->Vanish("i-" + std::to_string(spec.machine_id));
  OnLoop([&] { autoscaler_->Sweep(); });

  Job job;
  for (int i = 0; i < 500; ++i) {
    OnLoop([&] { job = *store_->GetJob(job_id); });
    if (job.attempt == 2) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(job.attempt, 2);
  EXPECT_EQ(job.state, JobState::kQueued);  // re-queued, not failed
  EXPECT_EQ(job.completion, CompletionStatus::kNone);
  std::vector<exec::JobAttempt> attempts;
  OnLoop([&] { attempts = *exec::JobAttemptStore(store_->db()).List(job_id); });
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].outcome, CompletionStatus::kPreempted);
  EXPECT_NE(attempts[0].reason.find("vanished"), std::string::npos) << attempts[0].reason;
  EXPECT_GT(attempts[0].started, 0);
  EXPECT_EQ(exec::ToJson(attempts[0])["outcome"], "preempted");
}

}  // namespace
}  // namespace kraken::autoscale
