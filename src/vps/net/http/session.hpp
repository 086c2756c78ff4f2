#pragma once
// One connection of the HTTP server (internal to server.cpp). The session owns its stream,
// buffer and parser, and binds shared_from_this() into every handler, so it lives exactly as
// long as an operation is pending. A deadline is set before every step:
//   new connection   TLS handshake and the first byte of the first request: first_byte_timeout,
//                    counted from accept (a client that connects and says nothing is dropped)
//   request          its header: header_timeout; header and body: request_timeout, both
//                    counted from the request's first byte
//   handler          none here: a parked request is bounded by its handler (see Responder)
//   response         request_timeout
//   kept alive       the next request's first byte: idle_timeout
// Idle (waiting for the first byte of a ClientHello or of a request: new, or kept alive between
// requests) is reported to the server's ConnectionTable, which may evict the session for a new
// client when the server is full. Handshaking, reading, handling, parked or writing is busy.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include <vps/base/log.hpp>
#include <vps/net/http/connection_table.hpp>
#include <vps/net/http/server.hpp>

namespace vps::net::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on the I/O thread by Server::stop(): idle sessions close now, busy ones after
  // their current response.
  virtual void begin_stop() = 0;
  // Called on the I/O thread when the ConnectionTable gave this idle session's slot to a new
  // connection: close now.
  virtual void evict() = 0;
};

// What every session shares with the server; kept alive by the sessions themselves, so it
// outlives the io_context that destroys the last pending handler.
struct Shared {
  explicit Shared(ServerOptions server_options)
      : options(std::move(server_options)),
        connections({options.max_connections, options.max_connections_per_address}) {}
  ServerOptions options;
  Handler handler;
  AsyncHandler async_handler;  // used instead of handler when set
  ConnectionTable connections;  // I/O thread only (and the io_context's destructor)
  std::unordered_map<ConnectionTable::Id, std::weak_ptr<SessionBase>> sessions;  // likewise
  std::atomic<std::size_t> active{0};
  bool stopping = false;  // I/O thread only
};

bhttp::response<bhttp::string_body> to_beast(const Response& response, unsigned version, bool keep_alive);
Request from_beast(const bhttp::request<bhttp::string_body>& message, std::string remote_address);

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool k_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `id` is the connection's admission in shared->connections, made when it was accepted.
  template <class... StreamArgs>
  Session(std::shared_ptr<Shared> shared, std::string remote, ConnectionTable::Id id, StreamArgs&&... args)
      : m_stream(std::forward<StreamArgs>(args)...),
        m_shared(std::move(shared)),
        m_remote(std::move(remote)),
        m_id(id),
        m_accepted(Clock::now()) {
    ++m_shared->active;
  }
  ~Session() override {
    m_shared->connections.remove(m_id);
    m_shared->sessions.erase(m_id);
    --m_shared->active;
  }

  void start() {
    if constexpr (k_tls) {
      // The first bytes of the ClientHello are read here, on the TCP layer, so the connection
      // counts as idle (evictable) until it sends something and as busy while it handshakes;
      // the handshake is handed the bytes already read. One deadline, from accept, covers the
      // wait, the handshake and (in wait_for_request) the first byte of the first request.
      lowest().expires_at(m_accepted + m_shared->options.first_byte_timeout);
      lowest().async_read_some(
          m_buffer.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec || self->m_stopping) return self->close_now();
            self->m_buffer.commit(n);
            self->set_idle(false);
            self->m_stream.async_handshake(asio::ssl::stream_base::server, self->m_buffer.data(),
                                           [self](beast::error_code e, std::size_t used) {
                                             self->m_buffer.consume(used);
                                             // The engine takes every byte it is handed; anything
                                             // left would be ciphertext, never a request.
                                             if (e || self->m_stopping || self->m_buffer.size() > 0) {
                                               return self->close_now();
                                             }
                                             self->wait_for_request();
                                           });
          });
    } else {
      wait_for_request();
    }
  }

  void begin_stop() override {
    m_stopping = true;
    if (m_idle) lowest().cancel();  // the pending first-byte read ends with operation_aborted
    if (m_parked) finish_parked(Response::text(503, "server stopping\n"));
  }

  void evict() override { close_now(); }  // the pending first-byte read ends with an error

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

  void set_idle(bool idle) {
    m_idle = idle;
    m_shared->connections.set_idle(m_id, idle);
  }

  // Idle phase: wait for the first byte of a request (a new connection: until its first-byte
  // deadline; a kept-alive one: idle_timeout), then the request's deadlines start.
  void wait_for_request() {
    if (m_stopping) return close_now();
    if (m_buffer.size() > 0) return read_request();  // pipelined bytes already here
    set_idle(true);
    if (m_requests == 0) {
      lowest().expires_at(m_accepted + m_shared->options.first_byte_timeout);
    } else {
      lowest().expires_after(m_shared->options.idle_timeout);
    }
    m_stream.async_read_some(m_buffer.prepare(4096),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                               if (ec || self->m_stopping) return self->close_now();
                               self->m_buffer.commit(n);
                               self->read_request();
                             });
  }

  void read_request() {
    set_idle(false);
    ++m_requests;
    m_parser.emplace();  // a fresh parser per message, so limits apply per request
    m_parser->header_limit(static_cast<std::uint32_t>(m_shared->options.max_header_bytes));
    m_parser->body_limit(m_shared->options.max_body_bytes);
    const auto& o = m_shared->options;
    const auto request_deadline = Clock::now() + o.request_timeout;
    lowest().expires_after(std::min(o.header_timeout, o.request_timeout));
    // Header first, body second: Boost 1.74's eager parse (what async_read does) drops the
    // body_limit error for a Content-Length body, and string_body would then reserve whatever
    // length the peer announced. Reading the header alone reports body_limit properly.
    bhttp::async_read_header(
        m_stream, m_buffer, *m_parser,
        [self = this->shared_from_this(), request_deadline](beast::error_code ec, std::size_t) {
          if (ec) return self->on_read(ec);
          self->lowest().expires_at(request_deadline);
          bhttp::async_read(self->m_stream, self->m_buffer, *self->m_parser,
                            [self](beast::error_code e, std::size_t) { self->on_read(e); });
        });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return reply_and_close(Response::text(413, "request body too large\n"));
    if (ec == bhttp::error::header_limit) return reply_and_close(Response::text(431, "request header too large\n"));
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return reply_and_close(Response::text(400, "malformed request\n"));
    }
    if (ec) return close_now();  // timeout, reset, or the peer went away mid-request
    const auto& message = m_parser->get();
    if (message.target().empty() || message.target()[0] != '/') {
      return write(to_beast(Response::text(400, "illegal request target\n"), message.version(),
                            message.keep_alive() && !m_stopping));
    }
    if (m_shared->async_handler) return dispatch_async(from_beast(message, m_remote));
    Response response = handle_safely(m_shared->handler, from_beast(message, m_remote));
    write(to_beast(response, message.version(), message.keep_alive() && !m_stopping));
  }

  // The handler answers through the Responder, now or later; m_parked makes the first answer
  // (or the 503 of begin_stop) the only one written.
  void dispatch_async(const Request& request) {
    m_parked = true;
    // The session keeps itself alive while parked; the Responder only refers to it, so a
    // handler holding an answered (or, at stop, superseded) Responder keeps nothing open.
    m_parked_self = this->shared_from_this();
    std::weak_ptr<Session> weak = m_parked_self;
    Responder respond(
        [weak](Response response) {
          if (auto self = weak.lock()) self->finish_parked(std::move(response));
        },
        m_stream.get_executor());
    try {
      m_shared->async_handler(request, std::move(respond));
    } catch (const std::exception& e) {
      // As handle_safely does for the synchronous handlers: the client gets a bare 500, the
      // journal gets the cause.
      log::error("http handler failed on " + request.method + " " + request.target + ": " + e.what());
      finish_parked(Response::text(500, "internal error\n"));
    }
  }

  void finish_parked(Response response) {
    if (!m_parked) return;
    m_parked = false;
    auto self = std::move(m_parked_self);  // until write() has bound its own reference
    if (response.status < 100 || response.status > 999) response = Response::text(500, "internal error\n");
    const auto& message = m_parser->get();
    write(to_beast(response, message.version(), message.keep_alive() && !m_stopping));
  }

  void reply_and_close(const Response& response) { write(to_beast(response, 11, false)); }

  void write(bhttp::response<bhttp::string_body> response) {
    m_response.emplace(std::move(response));
    lowest().expires_after(m_shared->options.request_timeout);
    bhttp::async_write(m_stream, *m_response, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      const bool keep_alive = self->m_response->keep_alive();
      self->m_response.reset();
      if (ec || !keep_alive) return self->close_gracefully();
      self->wait_for_request();
    });
  }

  void close_gracefully() {
    if constexpr (k_tls) {
      lowest().expires_after(std::chrono::seconds(2));
      m_stream.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      close_now();
    }
  }

  void close_now() { lowest().close(); }  // also cancels the stream's timer

  Stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  std::optional<bhttp::response<bhttp::string_body>> m_response;
  std::shared_ptr<Shared> m_shared;
  std::string m_remote;
  ConnectionTable::Id m_id;
  Clock::time_point m_accepted;
  std::size_t m_requests = 0;  // requests begun on this connection
  bool m_idle = true;  // waiting for a first byte (ClientHello or request), see set_idle
  bool m_parked = false;  // an async handler owes this request its response
  std::shared_ptr<Session> m_parked_self;  // set while parked
  bool m_stopping = false;
};

}  // namespace vps::net::http::detail
