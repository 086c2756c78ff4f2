#pragma once
// Asynchronous HTTP/1.1 server (Boost.Beast) for the enrollment endpoint and for test fakes.
// The server only does I/O: each connection is a session object that reads a request under
// limits and deadlines, hands it to the handler (a pure function Request -> Response) and
// writes the answer; routing and meaning belong to the handler.
//
// One I/O thread runs every session, so the handler is called serially and must not block
// for long (it should consult a store and return). Port 0 binds an ephemeral port, reported
// by local_port(), which is how tests run servers on 127.0.0.1 without collisions.
//
// Connections are capped per source address and in all, and idle ones yield to new clients
// (connection_table.hpp); when a cap bites, a warning names the address, at most one line per
// kind every 10 s. HTTPS speaks only TLS 1.3 and TLS 1.2 with ECDHE + AEAD (tls_policy.hpp).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include <vps/base/result.hpp>
#include <vps/net/http/message.hpp>

namespace vps::net::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral, see local_port()
  // HTTPS when both are set (PEM; the certificate file may hold the chain).
  std::optional<std::filesystem::path> cert_file;
  std::optional<std::filesystem::path> key_file;
  std::size_t max_header_bytes = 16 * 1024;  // larger: 431, connection closed
  std::size_t max_body_bytes = 1024 * 1024;  // larger: 413, connection closed
  // A new connection: the TLS handshake and the first byte of its first request, from accept.
  // Short, so connections that say nothing cannot hold slots (and they are evicted first).
  std::chrono::milliseconds first_byte_timeout{10000};
  // Every request: from its first byte to the end of its header (at most request_timeout).
  std::chrono::milliseconds header_timeout{10000};
  // Every request: from its first byte to the end of its body; and writing the response.
  std::chrono::milliseconds request_timeout{30000};
  // A kept-alive connection waiting for its next request (it yields its slot when the server is full).
  std::chrono::milliseconds idle_timeout{60000};
  // Open connections in all; when reached, a new one replaces the longest-idle connection, or
  // is closed at once when none is idle (see ConnectionTable). Each needs a file descriptor.
  std::size_t max_connections = 2048;
  // Open connections from one source address; further ones are closed at once.
  std::size_t max_connections_per_address = 32;
  std::chrono::milliseconds stop_grace{5000};  // stop() waits this long for busy sessions
};

using Handler = std::function<Response(const Request&)>;

// Long polling: an asynchronous handler answers through a Responder, at once or later (from a
// timer or a post on executor(), i.e. on the I/O thread). The first call sends the response,
// later ones do nothing; when the server stops, a parked request is answered 503 by the server
// and the handler's late answer is dropped. A parked request holds its connection (which is busy,
// never evicted), so the handler must bound how many it parks and for how long; a request whose
// Responder is dropped unanswered stays parked until stop().
class Responder {
 public:
  Responder(std::function<void(Response)> send, boost::asio::any_io_executor executor)
      : m_send(std::move(send)), m_executor(std::move(executor)) {}
  void operator()(Response response) const { m_send(std::move(response)); }
  const boost::asio::any_io_executor& executor() const { return m_executor; }

 private:
  std::function<void(Response)> m_send;
  boost::asio::any_io_executor m_executor;
};

using AsyncHandler = std::function<void(const Request&, Responder)>;

class Server {
 public:
  // Validates options, loads TLS material, binds, listens and starts the I/O thread.
  // Errc::config for bad options or TLS files, Errc::io when binding fails.
  static Result<std::unique_ptr<Server>> start(ServerOptions options, Handler handler);
  // As start, with a handler that may answer later (see Responder).
  static Result<std::unique_ptr<Server>> start_async(ServerOptions options, AsyncHandler handler);

  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t local_port() const;
  bool tls() const;
  std::size_t connection_count() const;

  // Graceful: stop accepting, close idle connections, let busy ones finish their current
  // response (up to stop_grace), then stop the I/O thread. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Server>> start_async(ServerOptions options, AsyncHandler async_handler,
                                                     Handler handler);
  std::unique_ptr<Impl> m_impl;
};

// The handler's request as the server hands it over; exposed for routing tests.
Response handle_safely(const Handler& handler, const Request& request);

}  // namespace vps::net::http
