// Signatures in minisign's format, checked by Debian's minisign (a client none of us wrote),
// and minisign's own signatures checked by gazette.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "publisher/common/file_io.hpp"
#include "publisher/signing/signing.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gazette;
using namespace gazette::testing;

namespace {
const char* kMinisign = "/usr/bin/minisign";
}

TEST_CASE("minisign verifies what gazette signs, and refuses what was altered", "[signing]") {
  TempDir dir;
  auto key = SigningKey::generate();
  REQUIRE(key.ok());
  const std::string data = "{\n  \"dataset\": \"naptan-stops\",\n  \"release\": \"2026-07-24\"\n}\n";
  auto sig = key->sign(data, "naptan-stops 2026-07-24 manifest");
  REQUIRE(sig.ok());
  auto pub = write_text(dir / "key.pub", key->public_key_file());
  auto file = write_text(dir / "manifest.json", data);
  auto sig_file = write_text(dir / "manifest.json.minisig", *sig);
  auto ok = run_process({kMinisign, "-V", "-p", pub.string(), "-m", file.string(), "-x", sig_file.string()});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Trusted comment: naptan-stops 2026-07-24 manifest"));
  auto ours = verify_signature(key->public_key_file(), data, *sig);
  REQUIRE(ours.ok());
  CHECK(ours->trusted_comment == "naptan-stops 2026-07-24 manifest");
  CHECK(ours->key_id == key->id_hex());

  // A byte flipped in the data.
  std::string flipped = data;
  flipped[5] ^= 1;
  write_text(file, flipped);
  CHECK(run_process({kMinisign, "-V", "-p", pub.string(), "-m", file.string(), "-x", sig_file.string()}).exit_code != 0);
  CHECK_FALSE(verify_signature(key->public_key_file(), flipped, *sig).ok());
  // The trusted comment altered.
  write_text(file, data);
  std::string forged = *sig;
  forged.replace(forged.find("2026-07-24 manifest"), 10, "2099-01-01");
  write_text(sig_file, forged);
  CHECK(run_process({kMinisign, "-V", "-p", pub.string(), "-m", file.string(), "-x", sig_file.string()}).exit_code != 0);
  CHECK_THAT(verify_signature(key->public_key_file(), data, forged).status().message(),
             Catch::Contains("trusted comment"));
  // Another key.
  auto other = SigningKey::generate();
  REQUIRE(other.ok());
  CHECK_THAT(verify_signature(other->public_key_file(), data, *sig).status().message(),
             Catch::Contains("signed by key " + key->id_hex()));
}

TEST_CASE("gazette verifies what minisign signs", "[signing]") {
  TempDir dir;
  auto pub = dir / "m.pub", sec = dir / "m.key";
  auto made = run_process({kMinisign, "-G", "-W", "-p", pub.string(), "-s", sec.string()});
  INFO(made.out << made.err);
  REQUIRE(made.exit_code == 0);
  auto file = write_text(dir / "release.csv", "ATCOCode,CommonName\r\n268060001,Pasture Lane\r\n");
  auto signed_ = run_process({kMinisign, "-S", "-s", sec.string(), "-m", file.string(), "-t", "by minisign"});
  INFO(signed_.err);
  REQUIRE(signed_.exit_code == 0);
  auto verified = verify_signature(read_text(pub), read_text(file), read_text(dir / "release.csv.minisig"));
  INFO(verified.status().message());
  REQUIRE(verified.ok());
  CHECK(verified->trusted_comment == "by minisign");
}

TEST_CASE("a signing key is kept owner-only, never overwritten, and read back whole", "[signing]") {
  TempDir dir;
  auto key = SigningKey::generate();
  REQUIRE(key.ok());
  const auto path = dir / "signing.key";
  REQUIRE(key->save(path).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(key->save(path).ok());  // never over an existing key
  auto back = SigningKey::load(path);
  REQUIRE(back.ok());
  CHECK(back->id_hex() == key->id_hex());
  CHECK(back->public_key_file() == key->public_key_file());
  ::chmod(path.c_str(), 0644);
  CHECK_THAT(SigningKey::load(path).status().message(), Catch::Contains("others may read"));
  ::chmod(path.c_str(), 0600);
  write_text(path, "not a key\n");
  CHECK_THAT(SigningKey::load(path).status().message(), Catch::Contains("not a gazette signing key"));
}
