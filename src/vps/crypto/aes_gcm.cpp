#include <vps/crypto/aes_gcm.hpp>

#include <climits>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <sodium.h>

namespace vps::crypto::aes256gcm {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

int as_int(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("aes-256-gcm: buffer too large");
  return static_cast<int>(n);
}

// With EVP_aes_256_gcm() OpenSSL 3 looks the implementation up again on every init (a sops
// file of 1000 values paid that 1000 times); fetched once, the cipher is read-only and shared
// by all threads. Never freed on purpose: a static destructor could run after OpenSSL's own
// atexit cleanup.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return fetched ? fetched : EVP_aes_256_gcm();
}

// Sets up ctx for AES-256-GCM with this key and IV, encrypting (1) or decrypting (0).
Ctx start(ByteView key, ByteView iv, int encrypt) {
  if (key.size() != k_key_size) throw std::invalid_argument("aes-256-gcm: key must be 32 bytes");
  if (iv.empty() || iv.size() > k_max_iv_size) throw std::invalid_argument("aes-256-gcm: bad iv size");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  if (EVP_CipherInit_ex(ctx.get(), aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, as_int(iv.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data(), encrypt) != 1)
    throw std::runtime_error("aes-256-gcm: openssl init failed");
  return ctx;
}

void feed(EVP_CIPHER_CTX* ctx, ByteView aad, ByteView in, std::span<std::uint8_t> out) {
  int len = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), as_int(aad.size())) != 1)
    throw std::runtime_error("aes-256-gcm: aad update failed");
  if (!in.empty() && EVP_CipherUpdate(ctx, out.data(), &len, in.data(), as_int(in.size())) != 1)
    throw std::runtime_error("aes-256-gcm: update failed");
}

}  // namespace

void seal(ByteView key, ByteView iv, ByteView plaintext, ByteView aad, std::span<std::uint8_t> ciphertext,
          std::span<std::uint8_t, k_tag_size> tag) {
  if (ciphertext.size() != plaintext.size()) throw std::invalid_argument("aes-256-gcm: bad output size");
  Ctx ctx = start(key, iv, 1);
  feed(ctx.get(), aad, plaintext, ciphertext);
  int len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + ciphertext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(k_tag_size), tag.data()) != 1)
    throw std::runtime_error("aes-256-gcm: finalize failed");
}

Status open(ByteView key, ByteView iv, ByteView ciphertext, ByteView tag, ByteView aad,
            std::span<std::uint8_t> plaintext) {
  if (plaintext.size() != ciphertext.size()) throw std::invalid_argument("aes-256-gcm: bad output size");
  if (tag.size() != k_tag_size) return fail(Errc::malformed, "aes-256-gcm: tag must be 16 bytes");
  if (iv.empty() || iv.size() > k_max_iv_size) return fail(Errc::malformed, "aes-256-gcm: bad iv size");
  Ctx ctx = start(key, iv, 0);
  feed(ctx.get(), aad, ciphertext, plaintext);
  // OpenSSL's ctrl takes a non-const pointer but only reads the expected tag.
  Bytes expected(tag.begin(), tag.end());
  int len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(k_tag_size), expected.data()) != 1)
    throw std::runtime_error("aes-256-gcm: set tag failed");
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + plaintext.size(), &len) != 1) {
    if (!plaintext.empty()) sodium_memzero(plaintext.data(), plaintext.size());
    return fail(Errc::integrity, "aes-256-gcm: authentication tag mismatch");
  }
  return {};
}

}  // namespace vps::crypto::aes256gcm
