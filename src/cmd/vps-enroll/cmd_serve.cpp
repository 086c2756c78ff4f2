// vps-enroll serve: run the enrollment endpoint until SIGTERM.
#include <optional>
#include <string>
#include <vector>

#include <vps/enroll/server/enroll_server.hpp>
#include <vps/cli/duration_option.hpp>
#include <vps/cli/registry.hpp>
#include <vps/sys/fs/file.hpp>

namespace {

struct Options {
  std::optional<std::string> listen;
  std::vector<std::string> endpoint_urls;
  std::optional<int> port;
  std::optional<std::string> database;
  std::optional<std::string> operators;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::optional<std::string> request_timeout;  // DURATION
  std::optional<std::string> idle_timeout;
  std::optional<std::size_t> max_body;
};

vps::Result<vps::enroll::server::ServeConfig> load_config(const vps::cli::Context& ctx) {
  namespace server = vps::enroll::server;
  const bool explicit_file = !ctx.config_path.empty();
  const std::filesystem::path path = explicit_file ? std::filesystem::path(ctx.config_path)
                                                   : ctx.under(std::string(server::k_default_config));
  auto text = vps::sys::read_text_file(path, 1024 * 1024);
  if (!text) {
    // The default file is optional; one named on the command line is not.
    if (text.error().code == vps::Errc::missing && !explicit_file) return server::ServeConfig{};
    return vps::fail(std::move(text).error());
  }
  return server::parse_serve_config(*text, path.string());
}

vps::Result<int> run_serve(const vps::cli::Context& ctx, const Options& o) {
  auto config = VPS_TRY(load_config(ctx));
  if (o.listen) config.http.address = *o.listen;
  if (!o.endpoint_urls.empty()) config.endpoint_urls = o.endpoint_urls;
  if (o.port) {
    if (*o.port < 0 || *o.port > 65535) return vps::fail(vps::Errc::usage, "--port must be 0-65535");
    config.http.port = static_cast<std::uint16_t>(*o.port);
  }
  if (o.database) config.database = *o.database;
  if (o.operators) config.operators = *o.operators;
  if (o.tls_cert) config.http.cert_file = *o.tls_cert;
  if (o.tls_key) config.http.key_file = *o.tls_key;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  if (o.request_timeout) {
    config.http.request_timeout =
        VPS_TRY(vps::cli::duration_option(*o.request_timeout, "--request-timeout", milliseconds(50), minutes(10)));
  }
  if (o.idle_timeout) {
    config.http.idle_timeout =
        VPS_TRY(vps::cli::duration_option(*o.idle_timeout, "--idle-timeout", milliseconds(50), minutes(60)));
  }
  if (o.max_body) {
    config.http.max_body_bytes = *o.max_body;
    config.policy.max_bundle_bytes = *o.max_body;
  }
  if (!o.database) config.database = ctx.under(config.database);
  if (!o.operators) config.operators = ctx.under(config.operators);
  VPS_CHECK(vps::enroll::server::serve_until_signal(config));
  return 0;
}

const bool registered = vps::cli::register_command(10, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "serve", "Run the enrollment endpoint (until SIGTERM)",
                                    [&ctx, o] { return run_serve(ctx, *o); });
  sub->add_option("--listen", o->listen, "Listen address (plain HTTP only on loopback)")->option_text("ADDRESS");
  sub->add_option("--endpoint-url", o->endpoint_urls,
                  "A URL clients use to reach this endpoint (repeatable; serve.yaml endpoint_urls); signed "
                  "requests must name one. Default on loopback: the listen address and localhost")
      ->option_text("URL");
  sub->add_option("--port", o->port, "Port (0: any free port, printed on stdout)")->option_text("PORT");
  sub->add_option("--database", o->database, "SQLite database (default /var/lib/vps-enroll/enroll.db)")->option_text("FILE");
  sub->add_option("--operators", o->operators, "Authorized operators file (default /etc/vps-enroll/operators)")
      ->option_text("FILE");
  sub->add_option("--tls-cert", o->tls_cert, "PEM certificate chain for HTTPS")->option_text("FILE");
  sub->add_option("--tls-key", o->tls_key, "PEM private key for HTTPS")->option_text("FILE");
  sub->add_option("--request-timeout", o->request_timeout, "Time to read one request or write a response")
      ->option_text("DURATION");
  sub->add_option("--idle-timeout", o->idle_timeout, "Time a kept-alive connection waits for its next request")
      ->option_text("DURATION");
  sub->add_option("--max-body", o->max_body, "Largest request body in bytes")->option_text("BYTES")
      ->check(CLI::Range(std::size_t{16 * 1024}, std::size_t{256} * 1024 * 1024));
});

}  // namespace
