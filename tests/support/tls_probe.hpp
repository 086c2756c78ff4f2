#pragma once
// TLS probes for tests, loopback only, written against OpenSSL directly so a test controls exactly
// which protocol versions and cipher suites one side offers (the product's own client and server
// refuse to offer weak ones): a client handshake that reports what was negotiated, and a one-shot
// server that offers only the suites it is given. Header-only, like loopback_fakes.hpp.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace vps::test {

struct TlsProbe {
  bool connected = false;
  std::string version;  // "TLSv1.2", "TLSv1.3"
  std::string cipher;   // OpenSSL's name, e.g. "ECDHE-RSA-AES128-GCM-SHA256"
  std::string error;    // why the handshake failed
};

namespace detail {

inline std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no OpenSSL error queued" : text;
}

inline void bound_io(int fd, int seconds) {
  timeval timeout{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

}  // namespace detail

// One TLS handshake with 127.0.0.1:port offering only `version` (TLS1_2_VERSION or
// TLS1_3_VERSION) and, for TLS 1.2, only the suites in `tls12_ciphers` (OpenSSL cipher-list
// syntax). The client's own security level is 0 so that only the server's policy decides; the
// certificate is not verified (this probes cipher negotiation, not trust). Every step is bounded
// (5 s socket timeouts).
inline TlsProbe tls_handshake(std::uint16_t port, int version, const std::string& tls12_ciphers = "") {
  TlsProbe probe;
  detail::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX_set_min_proto_version(ctx.get(), version);
  SSL_CTX_set_max_proto_version(ctx.get(), version);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (version == TLS1_2_VERSION &&
      SSL_CTX_set_cipher_list(ctx.get(), (tls12_ciphers + ":@SECLEVEL=0").c_str()) != 1) {
    probe.error = "client cannot offer '" + tls12_ciphers + "': " + detail::openssl_errors();
    return probe;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    probe.error = "socket failed";
    return probe;
  }
  detail::bound_io(fd, 5);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    probe.error = "connect failed";
    return probe;
  }
  detail::SslPtr ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  if (SSL_connect(ssl.get()) == 1) {
    probe.connected = true;
    probe.version = SSL_get_version(ssl.get());
    probe.cipher = SSL_get_cipher_name(ssl.get());
    SSL_shutdown(ssl.get());
  } else {
    probe.error = detail::openssl_errors();
  }
  ssl.reset();
  close(fd);
  return probe;
}

// Accepts one connection on 127.0.0.1:<ephemeral> (for at most 10 s), offers TLS 1.2 with only
// `tls12_ciphers`, and answers one HTTP request with 200 and an empty body. handshake_ok() tells
// whether the handshake completed (valid after the object is destroyed or the client is done).
class OneShotTlsServer {
 public:
  OneShotTlsServer(const std::filesystem::path& cert, const std::filesystem::path& key, const std::string& tls12_ciphers)
      : m_ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free) {
    SSL_CTX_set_min_proto_version(m_ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(m_ctx.get(), TLS1_2_VERSION);
    m_ready = SSL_CTX_set_cipher_list(m_ctx.get(), (tls12_ciphers + ":@SECLEVEL=0").c_str()) == 1 &&
              SSL_CTX_use_certificate_chain_file(m_ctx.get(), cert.c_str()) == 1 &&
              SSL_CTX_use_PrivateKey_file(m_ctx.get(), key.c_str(), SSL_FILETYPE_PEM) == 1;
    m_listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t length = sizeof addr;
    m_ready = m_ready && m_listener >= 0 && bind(m_listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              listen(m_listener, 4) == 0 &&
              getsockname(m_listener, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
    m_port = ntohs(addr.sin_port);
    if (m_ready) m_thread = std::thread([this] { serve(); });
  }
  ~OneShotTlsServer() {
    if (m_thread.joinable()) m_thread.join();
    if (m_listener >= 0) close(m_listener);
  }
  OneShotTlsServer(const OneShotTlsServer&) = delete;
  OneShotTlsServer& operator=(const OneShotTlsServer&) = delete;

  bool ready() const { return m_ready; }
  std::uint16_t port() const { return m_port; }
  bool handshake_ok() const { return m_handshake_ok; }

 private:
  void serve() {
    pollfd p{m_listener, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return;
    const int fd = accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    detail::bound_io(fd, 5);
    detail::SslPtr ssl(SSL_new(m_ctx.get()), SSL_free);
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) == 1) {
      m_handshake_ok = true;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
        const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      SSL_write(ssl.get(), response.data(), static_cast<int>(response.size()));
      SSL_shutdown(ssl.get());
    }
    ssl.reset();
    close(fd);
  }

  detail::SslCtxPtr m_ctx;
  int m_listener = -1;
  std::uint16_t m_port = 0;
  bool m_ready = false;
  std::atomic<bool> m_handshake_ok{false};
  std::thread m_thread;
};

}  // namespace vps::test
