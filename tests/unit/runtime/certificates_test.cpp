#include "vfo/runtime/certificates.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <filesystem>

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
  struct stat st {};
  ASSERT_EQ(stat((dir / "agent-1.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(verifies(test::slurp(dir / "ca.pem"), test::slurp(dir / "agent-1.pem")));
}

}  // namespace
}  // namespace vfo::runtime
