#include "secrets/project_secrets.h"

#include <gtest/gtest.h>

#include "secrets/secret_context.h"
#include "store/migrations.h"
#include "store/test_db.h"

namespace kraken::secrets {
namespace {

class ProjectSecretsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    test_db_ = store::TestDatabase::Create(GetParam(), &skip);
    if (!test_db_) GTEST_SKIP() << skip;
    db_ = test_db_->Connect();
    ASSERT_TRUE(store::Migrate(*db_));
    auto p = db_->Exec("INSERT INTO projects (name, created) VALUES ('p', 1) RETURNING id");
    ASSERT_TRUE(p);
    project_ = p->rows[0].Int(0);
  }
  std::unique_ptr<store::TestDatabase> test_db_;
  std::unique_ptr<store::Db> db_;
  settings::SecretBox box_ = settings::SecretBox::FromKey(std::string(32, 'k'));
  Id project_ = 0;
};

TEST_P(ProjectSecretsTest, ValuesAreSealedAtRestAndOpenedOnlyOnRequest) {
  ProjectSecrets secrets(*db_, box_);
  auto gh = SecretFromBody(Json{{"name", "gh"}, {"kind", "simple"}, {"secret", "ghp_Sup3rS3cret"}},
                           std::nullopt);
  ASSERT_TRUE(gh);
  auto made = secrets.Create(project_, *gh, 10);
  ASSERT_TRUE(made) << made.error().message;
  auto ssh = SecretFromBody(
      Json{{"name", "deploy"}, {"kind", "ssh-key"}, {"username", "ci"}, {"key", "-----KEY-----"}},
      std::nullopt);
  ASSERT_TRUE(secrets.Create(project_, *ssh, 11));
  EXPECT_EQ(secrets.Create(project_, *gh, 12).error().code, ErrorCode::kConflict);

  auto raw = db_->Exec("SELECT sealed FROM project_secrets");
  ASSERT_TRUE(raw);
  for (const auto& row : raw->rows) {
    EXPECT_EQ(row.Text(0).find("ghp_"), std::string::npos);
    EXPECT_EQ(row.Text(0).find("KEY"), std::string::npos);
  }
  // Listings carry no value.
  auto list = ListSecretInfo(*db_, project_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(ToJson((*list)[1]).dump().find("ghp_"), std::string::npos);

  auto opened = secrets.Open(project_);
  ASSERT_TRUE(opened);
  Json ctx = ContextSecrets(*opened);
  EXPECT_EQ(ctx["gh"], "ghp_Sup3rS3cret");
  EXPECT_EQ(ctx["deploy"],
            (Json{{"user", "ci"}, {"key", "-----KEY-----"}, {"password", "-----KEY-----"}}));
  EXPECT_EQ(SecretValues(ctx),
            (std::vector<std::string>{"ghp_Sup3rS3cret", "-----KEY-----", "ci"}));
  Json placeholders = PlaceholderSecrets(*list);
  EXPECT_EQ(placeholders["gh"], "#{secrets.gh}");
  EXPECT_EQ(placeholders["deploy"]["user"], "#{secrets.deploy.user}");

  // An update changes the value; another key cannot open it.
  auto update = SecretFromBody(Json{{"secret", "ghp_N3w"}}, *made);
  ASSERT_TRUE(update);
  ASSERT_TRUE(secrets.Update(made->id, *update, 20));
  EXPECT_EQ(ContextSecrets(*secrets.Open(project_))["gh"], "ghp_N3w");
  auto other = settings::SecretBox::FromKey(std::string(32, 'x'));
  EXPECT_FALSE(ProjectSecrets(*db_, other).Open(project_));
  ASSERT_TRUE(secrets.Delete(made->id));
  EXPECT_EQ(secrets.Delete(made->id).error().code, ErrorCode::kNotFound);
}

TEST_P(ProjectSecretsTest, BadBodiesNameTheField) {
  auto field = [](const Json& body) { return SecretFromBody(body, std::nullopt).error().field; };
  EXPECT_EQ(field(Json{{"kind", "simple"}, {"secret", "x"}}), "name");
  EXPECT_EQ(field(Json{{"name", "a-b"}, {"kind", "simple"}, {"secret", "x"}}), "name");
  EXPECT_EQ(field(Json{{"name", "a"}, {"kind", "password"}, {"secret", "x"}}), "kind");
  EXPECT_EQ(field(Json{{"name", "a"}, {"kind", "simple"}}), "secret");
  EXPECT_EQ(field(Json{{"name", "a"}, {"kind", "ssh-key"}, {"username", "u"}}), "key");
  SecretInfo simple{1, 1, "a", "simple", 0, 0};
  EXPECT_EQ(SecretFromBody(Json{{"kind", "ssh-key"}}, simple).error().field, "kind");
}

TEST_P(ProjectSecretsTest, AStepWithoutSecretsHasNoKeptFields) {
  EXPECT_FALSE(*ProjectSecrets(*db_, box_).StepFields(1));
}

INSTANTIATE_TEST_SUITE_P(Backends, ProjectSecretsTest, ::testing::Values("sqlite", "postgresql"));

TEST(SecretContext, UsedValuesAreThoseInTheFields) {
  Json fields = {{"cmd", "curl -H 'token: abc123' x"}, {"env", {{"K", "zzz"}}}};
  EXPECT_EQ(UsedValues(fields, {"abc123", "nope", "zzz"}),
            (std::vector<std::string>{"abc123", "zzz"}));
}

}  // namespace
}  // namespace kraken::secrets
