// Secrets named by `access-token` / `ssh-key`: resolved against ctx.secrets, refused with
// the field named when missing or of the wrong kind, kept out of the stored fields, and
// masked (tokens and keys, not user names).
#include "secrets/named_secrets.h"

#include <gtest/gtest.h>

#include "secrets/secret_context.h"

namespace kraken::secrets {
namespace {

Json Context() {
  std::vector<Secret> list = {
      Secret{SecretInfo{1, 1, "gh", kSimple}, SecretValue{"tok-123", "", ""}},
      Secret{SecretInfo{2, 1, "deploy", kSshKey}, SecretValue{"", "git", "-----KEY-----\nabc\n"}}};
  return ContextSecrets(list);
}

TEST(NamedSecretsTest, TheNamedSecretsAreAttached) {
  auto out = AttachNamedSecrets(
      Json{{"checkout", "https://x/r"}, {"access-token", "gh"}, {"ssh-key", "deploy"}}, Context());
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["access-token"], "gh");  // the name stays
  const Json& named = (*out)[kNamedSecretsField];
  EXPECT_EQ(named["access-token"], (Json{{"name", "gh"}, {"secret", "tok-123"}}));
  EXPECT_EQ(named["ssh-key"]["username"], "git");
  EXPECT_EQ(named["ssh-key"]["key"], "-----KEY-----\nabc\n");
  EXPECT_EQ(WithoutNamedSecrets(*out),
            (Json{{"checkout", "https://x/r"}, {"access-token", "gh"}, {"ssh-key", "deploy"}}));
  // Only what the step names is masked, and not the user name; the token also in the form
  // the git tool sends it (base64 of "x-access-token:tok-123", as Python's base64 gives it).
  std::vector<std::string> masked = StepSecretValues(*out, SecretValues(Context()));
  EXPECT_EQ(masked, (std::vector<std::string>{
                        "eC1hY2Nlc3MtdG9rZW46dG9rLTEyMw==", "-----KEY-----\nabc\n", "tok-123"}));
}

TEST(NamedSecretsTest, FieldsWithoutSecretNamesAreUnchanged) {
  Json fields = {{"cmd", "echo tok-123"}, {"access-token", ""}};
  auto out = AttachNamedSecrets(fields, Context());
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, fields);
  EXPECT_EQ(StepSecretValues(*out, SecretValues(Context())), std::vector<std::string>{"tok-123"});
}

TEST(NamedSecretsTest, AMissingSecretOrTheWrongKindNamesTheFieldAndTheSecret) {
  auto missing = AttachNamedSecrets(Json{{"access-token", "nope"}}, Context());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "access-token");
  EXPECT_NE(missing.error().message.find("'nope'"), std::string::npos);
  auto no_secrets = AttachNamedSecrets(Json{{"ssh-key", "deploy"}}, Json::object());
  ASSERT_FALSE(no_secrets);
  EXPECT_EQ(no_secrets.error().field, "ssh-key");
  auto wrong = AttachNamedSecrets(Json{{"access-token", "deploy"}}, Context());
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("ssh-key secret"), std::string::npos);
  auto wrong_key = AttachNamedSecrets(Json{{"ssh-key", "gh"}}, Context());
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().field, "ssh-key");
}

TEST(NamedSecretsTest, StageCodeCannotSupplyItsOwnSecretValues) {
  auto out = AttachNamedSecrets(Json{{kNamedSecretsField, {{"access-token", {{"secret", "x"}}}}}},
                                Context());
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->contains(kNamedSecretsField));
}

}  // namespace
}  // namespace kraken::secrets
