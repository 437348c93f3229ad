#include "agent/secret_masker.h"

#include <gtest/gtest.h>

namespace kraken::agent {
namespace {

// Feeds text in chunks of `size` bytes and returns what would be shipped.
std::string Stream(SecretMasker masker, const std::string& text, size_t size) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += size) out += masker.Push(text.substr(i, size));
  return out + masker.Finish();
}

TEST(SecretMasker, MasksSecretsSplitAcrossChunks) {
  SecretMasker masker({"hunter2", "s3cr3t-token"});
  std::string text = "login with hunter2 then s3cr3t-token; hunter is fine\n";
  for (size_t size : {1, 2, 3, 5, 64})
    EXPECT_EQ(Stream(masker, text, size), "login with ****** then ******; hunter is fine\n")
        << size;
}

TEST(SecretMasker, MasksMultiLineKeysAndTheLongestFirst) {
  std::string key = "-----BEGIN KEY-----\nabc\ndef\n-----END KEY-----";
  SecretMasker masker({"abc", key});
  EXPECT_EQ(Stream(masker, "k=" + key + "\nabc\n", 4), "k=******\n******\n");
}

TEST(SecretMasker, HoldsBackOnlyAPossibleSecretStart) {
  SecretMasker masker({"password"});
  EXPECT_EQ(masker.Push("a pass"), "a ");  // "pass" may begin the secret
  EXPECT_EQ(masker.Push("port\n"), "passport\n");
  EXPECT_EQ(masker.Push("pass"), "");
  EXPECT_EQ(masker.Finish(), "pass");
  EXPECT_EQ(masker.Mask("bad password: password"), "bad ******: ******");
}

TEST(SecretMasker, WithoutSecretsPassesBytesThrough) {
  SecretMasker masker({});
  EXPECT_EQ(masker.Push("anything"), "anything");
  EXPECT_EQ(masker.Finish(), "");
}

}  // namespace
}  // namespace kraken::agent
