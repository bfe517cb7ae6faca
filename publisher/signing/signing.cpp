#include "publisher/signing/signing.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "publisher/common/file_io.hpp"

namespace gazette {

namespace {

constexpr std::string_view kKeyFileHeader = "gazette signing key (Ed25519); keep it secret\n";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Decodes standard base64 with its padding; nothing on anything else.
std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string_view bytes_of(const auto& array) {
  return {reinterpret_cast<const char*>(array.data()), array.size()};
}

Result<std::string> ed25519_sign(const std::array<std::uint8_t, 32>& seed, std::string_view message) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return Status::io_error("Ed25519: cannot set up signing");
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != 64)
    return Status::io_error("Ed25519: signing failed");
  return sig;
}

bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(public_key.data()), 32));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), 64,
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string blake2b512(std::string_view data) {
  SignedDigest d;
  d.update(data);
  return d.finish();
}

std::string id_hex_of(std::string_view id) {
  // minisign prints the id as a little-endian 64-bit number.
  std::string hex;
  char buf[3];
  for (std::size_t i = id.size(); i-- > 0;) {
    std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned char>(id[i]));
    hex += buf;
  }
  return hex;
}

// The base64 line after an "untrusted comment:" line, or after a "trusted comment:" line.
struct MinisignLines {
  std::string untrusted, first, trusted, second;
};
std::optional<MinisignLines> split_lines(std::string_view text, bool with_trusted) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  if (lines.size() < (with_trusted ? 4u : 2u)) return std::nullopt;
  constexpr std::string_view untrusted = "untrusted comment: ", trusted = "trusted comment: ";
  if (lines[0].substr(0, untrusted.size()) != untrusted) return std::nullopt;
  MinisignLines m{std::string(lines[0].substr(untrusted.size())), std::string(lines[1]), "", ""};
  if (with_trusted) {
    if (lines[2].substr(0, trusted.size()) != trusted) return std::nullopt;
    m.trusted = std::string(lines[2].substr(trusted.size()));
    m.second = std::string(lines[3]);
  }
  return m;
}

}  // namespace

struct SignedDigest::Ctx {
  MdCtx md{EVP_MD_CTX_new()};
  bool ok = false;
};

SignedDigest::SignedDigest() : ctx_(std::make_unique<Ctx>()) {
  ctx_->ok = ctx_->md && EVP_DigestInit_ex(ctx_->md.get(), EVP_blake2b512(), nullptr) == 1;
}
SignedDigest::~SignedDigest() = default;

void SignedDigest::update(std::string_view bytes) {
  if (ctx_->ok && !bytes.empty()) ctx_->ok = EVP_DigestUpdate(ctx_->md.get(), bytes.data(), bytes.size()) == 1;
}

std::string SignedDigest::finish() {
  std::string out(64, '\0');
  unsigned int len = 0;
  if (!ctx_->ok || EVP_DigestFinal_ex(ctx_->md.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != 64)
    return {};
  ctx_->ok = false;
  return out;
}

Result<SigningKey> SigningKey::generate() {
  SigningKey k;
  if (RAND_bytes(k.id_.data(), static_cast<int>(k.id_.size())) != 1 ||
      RAND_bytes(k.seed_.data(), static_cast<int>(k.seed_.size())) != 1)
    return Status::io_error("no randomness for a new key");
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.seed_.data(), k.seed_.size()));
  std::size_t len = k.public_.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), k.public_.data(), &len) != 1 || len != 32)
    return Status::io_error("Ed25519: cannot make a key");
  return k;
}

Status SigningKey::save(const std::filesystem::path& file) const {
  const std::string text = std::string(kKeyFileHeader) + "id: " + base64(bytes_of(id_)) +
                           "\nsecret: " + base64(bytes_of(seed_)) + "\n";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error(file.string() + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::io_error(file.string() + ": cannot write the key");
  return {};
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Status::not_found(file.string() + ": no signing key (gazette key generate)");
  if ((st.st_mode & 077) != 0)
    return Status::invalid_input(file.string() + ": a signing key others may read is not used (chmod 600)");
  auto text = read_small_file(file);
  if (!text.ok()) return text.status();
  auto field = [&](std::string_view name) -> std::optional<std::string> {
    const std::string tag = "\n" + std::string(name) + ": ";
    const std::size_t at = text->find(tag);
    if (at == std::string::npos) return std::nullopt;
    const std::size_t start = at + tag.size(), end = text->find('\n', start);
    return unbase64(std::string_view(*text).substr(start, end - start));
  };
  auto id = field("id");
  auto secret = field("secret");
  if (text->rfind(kKeyFileHeader, 0) != 0 || !id || !secret || id->size() != 8 || secret->size() != 32)
    return Status::invalid_input(file.string() + ": not a gazette signing key");
  SigningKey k;
  std::copy(id->begin(), id->end(), k.id_.begin());
  std::copy(secret->begin(), secret->end(), k.seed_.begin());
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.seed_.data(), k.seed_.size()));
  std::size_t len = k.public_.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), k.public_.data(), &len) != 1 || len != 32)
    return Status::invalid_input(file.string() + ": not an Ed25519 key");
  return k;
}

std::string SigningKey::id_hex() const { return id_hex_of(bytes_of(id_)); }

std::string SigningKey::public_key_file() const {
  return "untrusted comment: minisign public key " + id_hex() + "\n" +
         base64("Ed" + std::string(bytes_of(id_)) + std::string(bytes_of(public_))) + "\n";
}

Result<std::string> SigningKey::sign(std::string_view data, std::string_view trusted_comment) const {
  return sign_digest(blake2b512(data), trusted_comment);
}

Result<std::string> SigningKey::sign_digest(std::string_view digest, std::string_view trusted_comment) const {
  if (trusted_comment.find_first_of("\r\n") != std::string_view::npos)
    return Status::invalid_input("a trusted comment is one line");
  if (digest.size() != 64) return Status::io_error("BLAKE2b-512 is not available");
  auto signature = ed25519_sign(seed_, digest);
  if (!signature.ok()) return signature.status();
  auto global = ed25519_sign(seed_, *signature + std::string(trusted_comment));
  if (!global.ok()) return global.status();
  return "untrusted comment: signature from gazette secret key " + id_hex() + "\n" +
         base64("ED" + std::string(bytes_of(id_)) + *signature) + "\ntrusted comment: " +
         std::string(trusted_comment) + "\n" + base64(*global) + "\n";
}

std::filesystem::path signing_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "signing.key";
}

Result<SigningKey> create_signing_key(const std::filesystem::path& data_dir) {
  const auto path = signing_key_path(data_dir);
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return Status::conflict(path.string() + ": the store has a signing key; gazette key rotate replaces it");
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Status::io_error(path.parent_path().string() + ": " + ec.message());
  std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  if (ec) return Status::io_error(path.parent_path().string() + ": " + ec.message());
  auto key = SigningKey::generate();
  if (!key.ok()) return key.status();
  GAZETTE_RETURN_IF_ERROR(key->save(path));
  return key;
}

namespace {

// `data` is the file itself, or (prehashed) its BLAKE2b-512, which only an "ED" signature takes.
Result<VerifiedSignature> verify(std::string_view public_key_file, std::string_view data, bool prehashed,
                                 std::string_view signature_file) {
  auto pk_lines = split_lines(public_key_file, false);
  auto pk = pk_lines ? unbase64(pk_lines->first) : std::nullopt;
  if (!pk || pk->size() != 42 || pk->substr(0, 2) != "Ed") return Status::invalid_input("not a minisign public key");
  auto sig_lines = split_lines(signature_file, true);
  auto sig = sig_lines ? unbase64(sig_lines->first) : std::nullopt;
  auto global = sig_lines ? unbase64(sig_lines->second) : std::nullopt;
  if (!sig || sig->size() != 74 || !global || global->size() != 64)
    return Status::invalid_input("not a minisign signature");
  const std::string_view algorithm = std::string_view(*sig).substr(0, 2);
  if (algorithm != "ED" && algorithm != "Ed") return Status::invalid_input("not a minisign signature");
  if (sig->substr(2, 8) != pk->substr(2, 8))
    return Status::invalid_input("signed by key " + id_hex_of(sig->substr(2, 8)) + ", not by key " +
                                 id_hex_of(pk->substr(2, 8)));
  const std::string_view public_key = std::string_view(*pk).substr(10, 32);
  const std::string_view signature = std::string_view(*sig).substr(10, 64);
  if (prehashed && algorithm != "ED") return Status::invalid_input("not a prehashed minisign signature");
  const std::string signed_bytes = prehashed || algorithm != "ED" ? std::string(data) : blake2b512(data);
  if (!ed25519_verify(public_key, signed_bytes, signature))
    return Status::invalid_input("signature does not match the data");
  if (!ed25519_verify(public_key, std::string(signature) + sig_lines->trusted, *global))
    return Status::invalid_input("signature's trusted comment was altered");
  return VerifiedSignature{id_hex_of(pk->substr(2, 8)), sig_lines->trusted};
}

}  // namespace

Result<VerifiedSignature> verify_signature(std::string_view public_key_file, std::string_view data,
                                           std::string_view signature_file) {
  return verify(public_key_file, data, false, signature_file);
}

Result<VerifiedSignature> verify_digest(std::string_view public_key_file, std::string_view blake2b512,
                                        std::string_view signature_file) {
  return verify(public_key_file, blake2b512, true, signature_file);
}

std::optional<std::string> signature_key_id(std::string_view minisign_file) {
  auto lines = split_lines(minisign_file, false);
  auto bytes = lines ? unbase64(lines->first) : std::nullopt;
  if (!bytes || (bytes->size() != 74 && bytes->size() != 42)) return std::nullopt;
  return id_hex_of(bytes->substr(2, 8));
}

}  // namespace gazette
