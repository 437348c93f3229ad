#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "settings/secret_box.h"

namespace kraken::settings {
namespace {

std::string TempDir() {
  char dir[] = "/tmp/kraken-settings-test-XXXXXX";
  EXPECT_TRUE(mkdtemp(dir));
  return dir;
}

TEST(SecretBox, KeyFileIsMadeOnceWithOwnerOnlyPermissions) {
  std::string dir = TempDir();
  auto first = SecretBox::LoadOrCreate(dir + "/server.key");
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(stat((dir + "/server.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto again = SecretBox::LoadOrCreate(dir + "/server.key");
  ASSERT_TRUE(again);
  // The same key: what the first sealed, the second opens.
  EXPECT_EQ(*again->Open(first->Seal("wJalrXUtnFEMI/K7MDENG")), "wJalrXUtnFEMI/K7MDENG");
  chmod((dir + "/server.key").c_str(), 0644);
  EXPECT_FALSE(SecretBox::LoadOrCreate(dir + "/server.key"));  // readable by others: refused
  std::filesystem::remove_all(dir);
}

TEST(SecretBox, SealedTextHidesTheSecretAndDetectsTampering) {
  SecretBox box = SecretBox::FromKey(std::string(32, 'k'));
  std::string sealed = box.Seal("wJalrXUtnFEMI/K7MDENG");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("wJalr"), std::string::npos);
  EXPECT_NE(sealed, box.Seal("wJalrXUtnFEMI/K7MDENG"));  // a fresh nonce each time
  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(altered));
  EXPECT_FALSE(SecretBox::FromKey(std::string(32, 'x')).Open(sealed));  // another server's key
  EXPECT_EQ(*box.Open(""), "");
  EXPECT_EQ(Mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
}

}  // namespace
}  // namespace kraken::settings
