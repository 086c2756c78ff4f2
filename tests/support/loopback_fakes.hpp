#pragma once
// Network fakes for tests, loopback only: TLS material made at test time with the openssl CLI,
// and a raw TCP server that misbehaves on purpose (resets or stalls) where a well-behaved HTTP
// server cannot. Header-only so test folders can use it without touching the support library.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace vps::test {

struct TestCerts {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
};

// The server key's type: P-256 (ECDSA suites) or RSA 2048 (what static-RSA key exchange needs,
// so a test can prove those suites are refused rather than merely impossible).
enum class CertKey { ec_p256, rsa_2048 };

// A CA and a server certificate it signs, valid for 127.0.0.1, ::1 and localhost.
// nullopt (and a MESSAGE) when the openssl CLI is missing or fails.
inline std::optional<TestCerts> make_test_certs(const std::filesystem::path& dir, const std::string& name,
                                                CertKey server_key = CertKey::ec_p256) {
  auto openssl = find_program("openssl");
  if (!openssl) return std::nullopt;
  std::filesystem::create_directories(dir);
  const auto p = [&](const std::string& f) { return (dir / (name + "-" + f)).string(); };
  const std::string o = openssl->string();
  write_text(p("san.cnf"), "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
  const std::vector<std::vector<std::string>> steps = {
      {o, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", p("ca.key"),
       "-out", p("ca.pem"), "-days", "2", "-subj", "/CN=" + name + " test CA"},
      server_key == CertKey::ec_p256
          ? std::vector<std::string>{o, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                     "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"}
          : std::vector<std::string>{o, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out",
                                     p("server.csr"), "-subj", "/CN=localhost"},
      {o, "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out",
       p("server.pem"), "-days", "2", "-extfile", p("san.cnf")},
  };
  for (const auto& argv : steps) {
    ProcessOptions options;
    options.timeout_seconds = 60;
    auto result = run(argv, options);
    if (result.exit_code != 0) {
      MESSAGE("openssl failed: " << result.err);
      return std::nullopt;
    }
  }
  return TestCerts{p("ca.pem"), p("server.pem"), p("server.key")};
}

// Accepts on 127.0.0.1:<ephemeral>, reads what the client sends, then either resets the
// connection (RST via SO_LINGER 0) or stalls (holds it open, silent) until destroyed.
class RawTcpServer {
 public:
  enum class Mode { reset, stall };

  explicit RawTcpServer(Mode mode) : m_mode(mode) {
    using boost::asio::ip::tcp;
    m_acceptor.open(tcp::v4());
    m_acceptor.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    m_acceptor.listen();
    m_port = m_acceptor.local_endpoint().port();
    m_acceptor_fd = m_acceptor.native_handle();
    m_thread = std::thread([this] { serve(); });
  }
  ~RawTcpServer() {
    m_stop = true;
    // shutdown() wakes the thread blocked in accept() (EINVAL) without racing on the fd.
    ::shutdown(m_acceptor_fd, SHUT_RDWR);
    m_thread.join();
    boost::system::error_code ignored;
    for (auto& socket : m_open) socket.close(ignored);
    m_acceptor.close(ignored);
  }
  RawTcpServer(const RawTcpServer&) = delete;
  RawTcpServer& operator=(const RawTcpServer&) = delete;

  std::uint16_t port() const { return m_port; }
  int connections() const { return m_connections.load(); }

 private:
  void serve() {
    using boost::asio::ip::tcp;
    for (int i = 0; i < 100 && !m_stop; ++i) {  // bounded
      boost::system::error_code ec;
      tcp::socket socket(m_ioc);
      m_acceptor.accept(socket, ec);
      if (ec || m_stop) return;
      ++m_connections;
      // Bounded read: a client that sends nothing must not keep the thread (and ~RawTcpServer) waiting.
      timeval timeout{2, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      char buffer[4096];
      socket.read_some(boost::asio::buffer(buffer), ec);  // the request (or part of it)
      if (m_mode == Mode::reset) {
        socket.set_option(boost::asio::socket_base::linger(true, 0), ec);
        socket.close(ec);
      } else {
        std::lock_guard lock(m_mutex);
        m_open.push_back(std::move(socket));
      }
    }
  }

  Mode m_mode;
  boost::asio::io_context m_ioc;
  boost::asio::ip::tcp::acceptor m_acceptor{m_ioc};
  int m_acceptor_fd = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_connections{0};
  std::mutex m_mutex;
  std::vector<boost::asio::ip::tcp::socket> m_open;
  std::thread m_thread;
};

}  // namespace vps::test
