#include "vfo/runtime/certificates.hpp"

#include "vfo/runtime/data_plane_keys.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/scratch.hpp"

namespace vfo::runtime {
namespace {

X509* read(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// Whether `member` verifies against `ca` as the only trusted root.
bool verifies(const std::string& ca, const std::string& member) {
  X509* root = read(ca);
  X509* leaf = read(member);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(leaf);
  X509_free(root);
  return ok;
}

TEST(Certificates, MembersVerifyAgainstTheirClusterCaOnly) {
  const KeyPair ca = make_certificate_authority("test CA");
  const KeyPair agent = make_member_certificate(ca, "agent-1", {"localhost"}, {"127.0.0.1"});
  EXPECT_NE(agent.key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(verifies(ca.cert_pem, agent.cert_pem));
  const KeyPair other_ca = make_certificate_authority("another cluster");
  EXPECT_FALSE(verifies(other_ca.cert_pem, agent.cert_pem));
  EXPECT_FALSE(verifies(ca.cert_pem, other_ca.cert_pem));
}

TEST(Certificates, ClusterFolderHasEveryFileAndPrivateKeys) {
  const auto dir = test::fresh_dir("certs");
  write_cluster_certificates(dir, {"orchestrator", "agent-1"});
  for (const char* f : {"ca.pem", "ca.key", "orchestrator.pem", "orchestrator.key", "agent-1.pem", "agent-1.key"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  const auto mode = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(dir), 0700u);
  for (const char* key : {"ca.key", "agent-1.key", "orchestrator.key", "data-plane.key"})
    EXPECT_EQ(mode(dir / key), 0600u);
  EXPECT_TRUE(verifies(test::slurp(dir / "ca.pem"), test::slurp(dir / "agent-1.pem")));
  const CurveKeyPair keys = read_curve_key_pair(dir / "data-plane.key");
  EXPECT_TRUE(is_curve_key(keys.public_key));
  EXPECT_TRUE(is_curve_key(keys.secret_key));
}

TEST(Certificates, AKeyWrittenOverAWorldReadableFileIsCreatedPrivate) {
  const auto dir = test::fresh_dir("certs-over");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "data-plane.key") << "left by someone\n";
  std::filesystem::permissions(dir / "data-plane.key", std::filesystem::perms::all);
  write_curve_key_pair(dir / "data-plane.key", make_curve_key_pair());
  struct stat st {};
  ASSERT_EQ(stat((dir / "data-plane.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // a new file, not the old one narrowed
}

TEST(Certificates, ADataPlaneKeyFileThatIsNotOneIsRefusedNamingFileAndLine) {
  const auto dir = test::fresh_dir("certs-bad");
  std::filesystem::create_directories(dir);
  const CurveKeyPair a = make_curve_key_pair(), b = make_curve_key_pair();
  const auto refused = [&](const std::string& text) {
    std::ofstream(dir / "k") << text;
    try {
      read_curve_key_pair(dir / "k");
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string file = (dir / "k").string();
  EXPECT_EQ(refused(""), file + ":1: expected 'public KEY' (KEY: 40 characters of Z85)");
  EXPECT_EQ(refused("public short\nsecret " + a.secret_key + "\n"),
            file + ":1: expected 'public KEY' (KEY: 40 characters of Z85)");
  EXPECT_EQ(refused("public " + a.public_key + "\n"), file + ":2: expected 'secret KEY' (KEY: 40 characters of Z85)");
  EXPECT_EQ(refused("public " + a.public_key + "\nsecret " + b.secret_key + "\n"),
            file + ":2: the secret key is not the public key's");
  EXPECT_EQ(refused("public " + a.public_key + "\nsecret " + a.secret_key + "\n"), "accepted");
  try {
    read_curve_key_pair(dir / "missing");
    ADD_FAILURE() << "a missing file was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("missing: cannot read file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vfo::runtime
