#include <vps/net/http/server.hpp>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <thread>
#include <vector>

#include <vps/base/duration.hpp>
#include <vps/base/log.hpp>
#include <vps/base/log_throttle.hpp>
#include <vps/net/http/backoff.hpp>
#include <vps/net/http/session.hpp>
#include <vps/net/http/tls_policy.hpp>

namespace vps::net::http {

namespace {
using detail::asio::ip::tcp;
namespace asio = detail::asio;
namespace beast = detail::beast;
namespace ssl = asio::ssl;
using PlainSession = detail::Session<beast::tcp_stream>;
using TlsSession = detail::Session<beast::ssl_stream<beast::tcp_stream>>;
}  // namespace

namespace detail {

bhttp::response<bhttp::string_body> to_beast(const Response& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> message{bhttp::int_to_status(response.status), version};
  message.result(response.status);
  for (const auto& header : response.headers) message.set(header.name, header.value);
  message.body() = response.body;
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

Request from_beast(const bhttp::request<bhttp::string_body>& message, std::string remote_address) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
  }
  request.body = message.body();
  request.remote_address = std::move(remote_address);
  return request;
}

}  // namespace detail

Response handle_safely(const Handler& handler, const Request& request) {
  try {
    Response response = handler(request);
    if (response.status < 100 || response.status > 999) return Response::text(500, "internal error\n");
    return response;
  } catch (const std::exception& e) {
    log::error("http handler failed on " + request.method + " " + request.target + ": " + e.what());
    return Response::text(500, "internal error\n");
  }
}

namespace {

// The peer's address as the connection limits count it: an IPv4 client of a dual-stack
// listener ("::ffff:192.0.2.1") is the IPv4 address it is.
std::string peer_address(const tcp::socket& socket) {
  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

// " (and 12 more in the last 10s)" when a throttled log line stands for several events.
std::string left_out(std::size_t count, const log::Throttle& throttle) {
  if (count == 0) return "";
  return " (and " + std::to_string(count) + " more in the last " +
         describe_duration(std::chrono::duration_cast<Millis>(throttle.interval())) + ")";
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<detail::Shared> shared;
  std::optional<ssl::context> tls;  // declared before ioc: sessions die with ioc's handlers
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_pause{ioc};
  std::uint16_t port = 0;
  std::thread thread;
  // A flood refuses connections at the rate the attacker chooses; the journal hears of it
  // once per kind every 10 s (I/O thread only).
  log::Throttle address_full_log{std::chrono::seconds(10)};
  log::Throttle all_busy_log{std::chrono::seconds(10)};
  log::Throttle evicted_log{std::chrono::seconds(10)};

  Status load_tls() {
    const auto& o = shared->options;
    if (!o.cert_file && !o.key_file) return {};
    if (!o.cert_file || !o.key_file) return fail(Errc::config, "https needs both a certificate and a key file");
    tls.emplace(ssl::context::tls_server);
    SSL_CTX* context = tls->native_handle();
    VPS_CHECK(apply_tls_policy(context));
    // A client cannot make the server renegotiate (a handshake's CPU cost, again and again, on
    // one connection); TLS 1.3 has no renegotiation at all.
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    // Idle and parked connections (hundreds of long polls) give their read and write buffers
    // back to the allocator between records instead of holding about 34 KiB each.
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    beast::error_code ec;
    tls->use_certificate_chain_file(o.cert_file->string(), ec);
    if (ec) return fail(Errc::config, "loading certificate '" + o.cert_file->string() + "': " + ec.message());
    tls->use_private_key_file(o.key_file->string(), ssl::context::pem, ec);
    if (ec) return fail(Errc::config, "loading private key '" + o.key_file->string() + "': " + ec.message());
    return {};
  }

  Status listen() {
    const auto& o = shared->options;
    beast::error_code ec;
    auto address = asio::ip::make_address(o.address, ec);
    if (ec) return fail(Errc::config, "invalid listen address '" + o.address + "'");
    const tcp::endpoint endpoint(address, o.port);
    const std::string where = o.address + ":" + std::to_string(o.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "listening on " + where + ": " + ec.message());
    port = acceptor.local_endpoint().port();
    return {};
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (shared->stopping || !acceptor.is_open()) return;
      if (ec) {
        // EMFILE and friends: pause briefly instead of spinning on the same error.
        log::warning("http server: accept failed: " + ec.message());
        accept_pause.expires_after(std::chrono::milliseconds(100));
        accept_pause.async_wait([this](beast::error_code) { accept(); });
        return;
      }
      on_connection(std::move(socket));
      accept();
    });
  }

  void on_connection(tcp::socket socket) {
    std::string remote = peer_address(socket);
    const auto admission = shared->connections.admit(remote);
    const auto& limits = shared->connections.limits();
    if (admission.verdict != ConnectionTable::Verdict::admitted) {
      beast::error_code ignored;
      socket.close(ignored);
      if (admission.verdict == ConnectionTable::Verdict::address_full) {
        if (auto more = address_full_log.admit()) {
          log::warning("http server: refused a connection from " + remote + ": it already holds " +
                       std::to_string(limits.max_per_address) + " connections (max_connections_per_address)" +
                       left_out(*more, address_full_log));
        }
      } else if (auto more = all_busy_log.admit()) {
        log::warning("http server: refused a connection from " + remote + ": all " +
                     std::to_string(limits.max_total) + " connections (max_connections) are busy" +
                     left_out(*more, all_busy_log));
      }
      return;
    }
    if (admission.evicted) {
      evict(admission.evicted->id);
      if (auto more = evicted_log.admit()) {
        log::warning("http server: " + std::to_string(limits.max_total) +
                     " connections open (max_connections): closed the longest-idle one, from " +
                     admission.evicted->address + ", for a new one from " + remote + left_out(*more, evicted_log));
      }
    }
    if (tls) {
      auto session = std::make_shared<TlsSession>(shared, std::move(remote), admission.id, std::move(socket), *tls);
      shared->sessions.emplace(admission.id, session);
      session->start();
    } else {
      auto session = std::make_shared<PlainSession>(shared, std::move(remote), admission.id, std::move(socket));
      shared->sessions.emplace(admission.id, session);
      session->start();
    }
  }

  void evict(ConnectionTable::Id id) {
    auto it = shared->sessions.find(id);
    if (it == shared->sessions.end()) return;
    if (auto session = it->second.lock()) session->evict();
  }

  // Every live session, held: calling into them may end one, which erases it from the map.
  std::vector<std::shared_ptr<detail::SessionBase>> live_sessions() const {
    std::vector<std::shared_ptr<detail::SessionBase>> live;
    for (const auto& [id, weak] : shared->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }
};

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, Handler handler) {
  if (!handler) return fail(Errc::internal, "http server needs a handler");
  return start_async(std::move(options), {}, std::move(handler));
}

Result<std::unique_ptr<Server>> Server::start_async(ServerOptions options, AsyncHandler handler) {
  if (!handler) return fail(Errc::internal, "http server needs a handler");
  return start_async(std::move(options), std::move(handler), {});
}

Result<std::unique_ptr<Server>> Server::start_async(ServerOptions options, AsyncHandler async_handler,
                                                    Handler handler) {
  if (options.max_connections == 0) return fail(Errc::config, "max_connections must be at least 1");
  if (options.max_connections_per_address == 0) {
    return fail(Errc::config, "max_connections_per_address must be at least 1");
  }
  for (auto timeout : {options.first_byte_timeout, options.header_timeout, options.request_timeout,
                       options.idle_timeout}) {
    if (timeout <= std::chrono::milliseconds::zero()) return fail(Errc::config, "server timeouts must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->shared = std::make_shared<detail::Shared>(std::move(options));
  impl->shared->handler = std::move(handler);
  impl->shared->async_handler = std::move(async_handler);
  VPS_CHECK(impl->load_tls());
  VPS_CHECK(impl->listen());
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::~Server() { stop(); }

std::uint16_t Server::local_port() const { return m_impl->port; }
bool Server::tls() const { return m_impl->tls.has_value(); }
std::size_t Server::connection_count() const { return m_impl->shared->active.load(); }

void Server::stop() {
  if (!m_impl->thread.joinable()) return;
  asio::post(m_impl->ioc, [impl = m_impl.get()] {
    impl->shared->stopping = true;
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_pause.cancel();
    for (const auto& session : impl->live_sessions()) session->begin_stop();
  });
  // Bounded wait for busy sessions to finish their response.
  const auto deadline = std::chrono::steady_clock::now() + m_impl->shared->options.stop_grace;
  while (m_impl->shared->active.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m_impl->ioc.stop();
  m_impl->thread.join();
}

}  // namespace vps::net::http
