// A test fixture: an Engine over a fresh SQLite store, with one project and branch, and a
// fake clock. Work posted by the engine is dropped; tests call its passes directly.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "exec/engine.h"
#include "store/test_db.h"

namespace kraken::exec {

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = store::TestDatabase::Create("sqlite", &skip);
    ASSERT_TRUE(db_) << skip;
    store_ = std::move(*store::Store::Open(db_->Connect()));
    engine_ = std::make_unique<Engine>(*store_, clock_, [](std::function<void()>) {});
    ASSERT_TRUE(engine_->Bootstrap());
    Project p;
    p.name = "p";
    project_ = *store_->CreateProject(p);
    Branch b;
    b.project_id = project_.id;
    b.name = b.branch_name = "main";
    b.env = Json{{"OS", "debian-12"}};
    branch_ = *store_->CreateBranch(b);
  }

  // A stage stored with `schema` as its evaluated JSON, as the API would have saved it.
  void AddStoredStage(const std::string& name, const Json& schema) {
    Stage s;
    s.branch_id = branch_.id;
    s.name = name;
    s.schema = schema;
    ASSERT_TRUE(store_->CreateStage(s));
  }

  FakeClock clock_;
  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Engine> engine_;
  Project project_;
  Branch branch_;
};

}  // namespace kraken::exec
