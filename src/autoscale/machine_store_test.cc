// The machines table on both backends: records, states and transitions round-trip, and
// listing by group returns live machines only unless asked.
#include "autoscale/machine_store.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "store/store.h"
#include "store/test_db.h"

namespace kraken::autoscale {
namespace {

class MachineStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = store::TestDatabase::Create(GetParam(), &skip);
    if (!db_) GTEST_SKIP() << skip;
    auto st = store::Store::Open(db_->Connect());
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
  }
  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(MachineStoreContract, RecordsRoundTrip) {
  MachineStore ms(store_->db());
  Machine m;
  m.group_id = 7;
  m.system = "localhost/img:1";
  m.method = "docker";
  m.created = m.updated = 1000;
  m.boot_deadline = 61'000;
  m.MoveTo(MachineState::kRequested, 1000);
  auto made = ms.Create(m);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GT(made->id, 0);
  made->driver_id = "abc";
  made->agent_id = 42;
  made->job_count = 3;
  made->MoveTo(MachineState::kBooting, 2000, "created as abc");
  ASSERT_TRUE(ms.Save(*made));
  auto got = ms.Get(made->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->state, MachineState::kBooting);
  EXPECT_EQ(got->driver_id, "abc");
  EXPECT_EQ(got->agent_id, 42);
  EXPECT_EQ(got->job_count, 3);
  EXPECT_EQ(got->system, "localhost/img:1");
  EXPECT_EQ(got->boot_deadline, 61'000);
  EXPECT_EQ(got->EnteredAt(MachineState::kRequested), 1000);
  EXPECT_EQ(got->EnteredAt(MachineState::kBooting), 2000);
  EXPECT_EQ(got->transitions.size(), 2u);

  Machine other = m;
  other.group_id = 8;
  ASSERT_TRUE(ms.Create(other));
  got->MoveTo(MachineState::kGone, 3000);
  ASSERT_TRUE(ms.Save(*got));
  EXPECT_EQ(ms.List(7)->size(), 0u);
  EXPECT_EQ(ms.List(7, true)->size(), 1u);
  EXPECT_EQ(ms.List(0)->size(), 1u);
  EXPECT_EQ(ms.List(8)->at(0).group_id, 8);
  EXPECT_FALSE(ms.Get(9999));
  EXPECT_EQ(*ms.CountAgentJobs(42), 0);
}

// Live views (the UI's group page) hear of every machine written, with its new state.
TEST_P(MachineStoreContract, TellsOfEachWrite) {
  MachineStore ms(store_->db());
  std::vector<std::pair<Id, MachineState>> heard;
  ms.set_on_change([&](const Machine& m) { heard.emplace_back(m.id, m.state); });
  Machine m;
  m.group_id = 7;
  m.created = m.updated = 1000;
  auto made = ms.Create(m);
  ASSERT_TRUE(made);
  made->MoveTo(MachineState::kGone, 2000);
  ASSERT_TRUE(ms.Save(*made));
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0], std::make_pair(made->id, MachineState::kRequested));
  EXPECT_EQ(heard[1], std::make_pair(made->id, MachineState::kGone));
}

INSTANTIATE_TEST_SUITE_P(Backends, MachineStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kraken::autoscale
