#include <vps/net/http/client.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <utility>

#include <vps/base/duration.hpp>
#include <vps/net/http/backoff.hpp>
#include <vps/net/http/tls_policy.hpp>

namespace vps::net::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// One request on one connection. All asynchronous operations run on a private io_context that
// wait() drains completely, so no handler outlives the locals it references, and beast's
// tcp_stream timers give every step its deadline.
class Exchange {
 public:
  Exchange(const Url& url, const ClientOptions& options)
      : m_url(url), m_options(options), m_deadline(Clock::now() + options.total_timeout) {}

  Result<Response> run(const Request& request) {
    auto message = VPS_TRY(build(request));
    auto endpoints = VPS_TRY(resolve());
    if (!m_url.tls()) {
      beast::tcp_stream stream(m_ioc);
      VPS_CHECK(connect(stream, endpoints));
      return transact(stream, message);
    }
    ssl::context context(ssl::context::tls_client);
    VPS_CHECK(configure(context));
    beast::ssl_stream<beast::tcp_stream> stream(m_ioc, context);
    VPS_CHECK(connect(stream.next_layer(), endpoints));
    VPS_CHECK(handshake(stream));
    return transact(stream, message);
  }

 private:
  template <class Start>
  error_code wait(Start&& start) {
    error_code result = asio::error::would_block;
    std::forward<Start>(start)([&result](error_code ec, auto&&...) { result = ec; });
    m_ioc.restart();
    m_ioc.run();
    return result;
  }

  // The step's own timeout, shortened to what is left of the whole exchange.
  std::chrono::milliseconds budget(std::chrono::milliseconds step) const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline - Clock::now());
    return std::max(std::chrono::milliseconds(1), std::min(step, left));
  }

  // `budget` is what the step got: its own timeout, or less when the exchange's deadline
  // clipped it; the message names the configured limit that fired, not a clipped remainder.
  Error transport_error(std::string_view step, error_code ec, std::chrono::milliseconds budget,
                        std::chrono::milliseconds step_timeout) const {
    const std::string where = std::string(step) + " " + m_url.authority();
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
      const auto limit = budget < step_timeout ? m_options.total_timeout : step_timeout;
      return Error{Errc::timeout, "timed out after " + describe_duration(limit) + " " + where};
    }
    if (ec == bhttp::error::body_limit) {
      return Error{Errc::malformed, "response from " + m_url.authority() + " is larger than " +
                                        std::to_string(m_options.max_body_bytes) + " bytes"};
    }
    if (ec == bhttp::error::header_limit) {
      return Error{Errc::malformed, "response header from " + m_url.authority() + " is larger than " +
                                        std::to_string(m_options.max_header_bytes) + " bytes"};
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == ssl::error::stream_truncated) {
      return Error{Errc::retry, "connection closed by " + m_url.authority() + " before a complete response"};
    }
    if (ec.category() ==
        bhttp::make_error_code(bhttp::error::end_of_stream).category()) {  // any other beast http parse error
      return Error{Errc::malformed, "invalid HTTP response from " + m_url.authority() + ": " + ec.message()};
    }
    return Error{Errc::retry, where + ": " + ec.message()};
  }

  Result<bhttp::request<bhttp::string_body>> build(const Request& request) const {
    bhttp::request<bhttp::string_body> message;
    const auto verb = bhttp::string_to_verb(request.method);
    if (verb == bhttp::verb::unknown) return fail(Errc::internal, "unknown HTTP method '" + request.method + "'");
    if (has_crlf(request.target) || request.target.empty() || request.target[0] != '/') {
      return fail(Errc::internal, "invalid request target");
    }
    message.method(verb);
    message.target(request.target);
    message.version(11);
    message.set(bhttp::field::host, m_url.authority());
    message.set(bhttp::field::user_agent, m_options.user_agent);
    for (const auto& header : request.headers) {
      if (has_crlf(header.name) || has_crlf(header.value) || header.name.empty()) {
        return fail(Errc::internal, "invalid request header '" + header.name + "'");
      }
      message.set(header.name, header.value);
    }
    message.set(bhttp::field::connection, "close");
    message.body() = request.body;
    message.prepare_payload();
    return message;
  }

  Result<tcp::resolver::results_type> resolve() {
    const auto step = budget(m_options.connect_timeout);
    tcp::resolver resolver(m_ioc);
    asio::steady_timer timer(m_ioc);
    timer.expires_after(step);
    timer.async_wait([&resolver](error_code ec) {
      if (!ec) resolver.cancel();
    });
    tcp::resolver::results_type results;
    auto flags = m_url.host_is_ip() ? tcp::resolver::numeric_host : tcp::resolver::flags();
    error_code ec = wait([&](auto handler) {
      resolver.async_resolve(m_url.host, std::to_string(m_url.port), flags | tcp::resolver::numeric_service,
                             [&, handler](error_code e, tcp::resolver::results_type r) mutable {
                               timer.cancel();
                               results = std::move(r);
                               handler(e);
                             });
    });
    if (ec == asio::error::operation_aborted) {
      return fail(transport_error("resolving", beast::error::timeout, step, m_options.connect_timeout));
    }
    if (ec) return fail(Errc::retry, "resolving '" + m_url.host + "': " + ec.message());
    if (!m_url.tls() && !m_options.allow_insecure && m_url.host == "localhost") {
      // "localhost" passed the loopback policy by name; make sure it really is loopback.
      for (const auto& entry : results) {
        if (!entry.endpoint().address().is_loopback()) {
          return fail(Errc::config, "refusing plain http: 'localhost' resolves to a non-loopback address");
        }
      }
    }
    return results;
  }

  Status connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints) {
    const auto step = budget(m_options.connect_timeout);
    stream.expires_after(step);
    error_code ec = wait([&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    if (ec) return fail(transport_error("connecting to", ec, step, m_options.connect_timeout));
    return {};
  }

  Status configure(ssl::context& context) const {
    error_code ec;
    context.set_verify_mode(ssl::verify_peer, ec);
    VPS_CHECK(apply_tls_policy(context.native_handle()));
    if (m_options.ca_file) {
      context.load_verify_file(m_options.ca_file->string(), ec);
      if (ec) return fail(Errc::config, "loading CA file '" + m_options.ca_file->string() + "': " + ec.message());
    } else {
      context.set_default_verify_paths(ec);
      if (ec) return fail(Errc::config, "loading the system CA certificates: " + ec.message());
    }
    return {};
  }

  Status handshake(beast::ssl_stream<beast::tcp_stream>& stream) {
    SSL* ssl_handle = stream.native_handle();
    if (m_url.host_is_ip()) {
      // No SNI for IP literals (RFC 6066); verify the address against the certificate's IP SANs.
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), m_url.host.c_str());
    } else {
      // SNI; SSL_set_tlsext_host_name is this call behind a macro with a C cast.
      SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(m_url.host.c_str()));
      SSL_set1_host(ssl_handle, m_url.host.c_str());
    }
    const auto step = budget(m_options.connect_timeout);
    beast::get_lowest_layer(stream).expires_after(step);
    error_code ec = wait([&](auto handler) { stream.async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (!ec) return {};
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) {
      return fail(Errc::integrity,
                  "TLS certificate of " + m_url.authority() + " not trusted: " + X509_verify_cert_error_string(verify));
    }
    return fail(transport_error("TLS handshake with", ec, step, m_options.connect_timeout));
  }

  template <class Stream>
  Result<Response> transact(Stream& stream, bhttp::request<bhttp::string_body>& message) {
    auto step = budget(m_options.io_timeout);
    beast::get_lowest_layer(stream).expires_after(step);
    error_code ec = wait([&](auto handler) { bhttp::async_write(stream, message, std::move(handler)); });
    if (ec) return fail(transport_error("sending request to", ec, step, m_options.io_timeout));

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(m_options.max_header_bytes));
    parser.body_limit(m_options.max_body_bytes);
    step = budget(m_options.io_timeout);
    beast::get_lowest_layer(stream).expires_after(step);
    // Header first, then body: Boost 1.74's eager parse (async_read) loses the body_limit
    // error for a Content-Length body; a header-only read reports it before any allocation.
    ec = wait([&](auto handler) { bhttp::async_read_header(stream, buffer, parser, std::move(handler)); });
    if (!ec) ec = wait([&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) return fail(transport_error("waiting for the response from", ec, step, m_options.io_timeout));

    auto& message_in = parser.get();
    Response response;
    response.status = message_in.result_int();
    for (const auto& field : message_in) {
      response.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    response.body = std::move(message_in.body());
    // The response is complete; closing the socket is enough ("Connection: close"). A TLS
    // close_notify exchange could only fail or stall here without changing the outcome.
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    return response;
  }

  const Url& m_url;
  const ClientOptions& m_options;
  Clock::time_point m_deadline;
  asio::io_context m_ioc;
};

}  // namespace

Status check_destination(const Url& url, const ClientOptions& options) {
  if (url.tls() || options.allow_insecure || is_loopback_host(url.host)) return {};
  if (options.allow_link_local_http && is_link_local_host(url.host)) return {};
  return fail(Errc::config, "refusing plain http:// to '" + url.host +
                                "': without TLS only loopback is allowed; use https:// or set allow_insecure");
}

Result<Response> send(const Url& url, const Request& request, const ClientOptions& options) {
  VPS_CHECK(check_destination(url, options));
  return Exchange(url, options).run(request);
}

}  // namespace vps::net::http
