#pragma once
// A running endpoint with one authorized operator (alice, key file on disk) and one stranger
// (mallory), plus helpers to run the real CLI and send raw requests.

#include <vps/enroll/store/store.hpp>
#include <nlohmann/json.hpp>
#include <vps/net/http/client.hpp>

#include "../../unit/enroll/enroll_fixture.hpp"
#include "../../unit/enroll/snapshot.hpp"
#include "server_process.hpp"
#include "test_support.hpp"

namespace vps::test::enroll {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct ServerFixture {
  TempDir dir;
  crypto::Ed25519KeyPair alice = key_pair();
  crypto::Ed25519KeyPair mallory = key_pair();
  std::filesystem::path db_path = dir / "enroll.db";
  std::unique_ptr<ServerProcess> server;

  std::optional<std::filesystem::path> ca_file;  // trusted CA when the server runs HTTPS

  explicit ServerFixture(std::vector<std::string> extra = {"--request-timeout", "1", "--idle-timeout", "2"},
                         std::optional<std::filesystem::path> ca = std::nullopt, const ServerProcess::Files& files = {})
      : ca_file(std::move(ca)) {
    write_text(dir / "operators", "# test operators\n" + public_line(alice, "alice") + "\n");
    write_text(dir / "alice.key", private_key_text(alice));
    write_text(dir / "mallory.key", private_key_text(mallory));
    std::filesystem::permissions(dir / "alice.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    server = std::make_unique<ServerProcess>(db_path, dir / "operators", std::move(extra), files);
  }

  ProcessResult cli(std::vector<std::string> args, const std::string& key = "alice.key") {
    std::vector<std::string> argv = {enroll_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--endpoint", server->url(), "--key", (dir / key).string()});
    if (ca_file) argv.insert(argv.end(), {"--ca-file", ca_file->string()});
    ProcessOptions options;
    options.timeout_seconds = 30;
    return run(argv, options);
  }

  Result<net::http::Response> try_send(const net::http::Request& request) {
    net::http::ClientOptions options;
    options.total_timeout = std::chrono::seconds(10);
    options.ca_file = ca_file;
    auto url = net::http::parse_url(server->url()).value();
    return net::http::send(url, request, options);
  }

  net::http::Response send(const net::http::Request& request) {
    auto response = try_send(request);
    REQUIRE_MESSAGE(response, (response ? "" : response.error().message));
    return *response;
  }

  // What the server answers to (its loopback default): requests and publications sign for it.
  std::string origin() const { return server->url(); }

  net::http::Response publish(const crypto::Ed25519KeyPair& host, const std::string& name,
                              std::optional<std::string> token = std::nullopt) {
    return send(publish_request(publication_body(host, name, unix_now(), std::move(token), origin())));
  }

  net::http::Request sign(const crypto::Ed25519KeyPair& key, const std::string& method, const std::string& target,
                            const std::string& body = "", std::int64_t at = unix_now()) const {
    return signed_request(key, method, target, body, at, origin());
  }

  net::http::Response signed_as(const crypto::Ed25519KeyPair& key, const std::string& method, const std::string& target,
                                const std::string& body = "") {
    return send(sign(key, method, target, body));
  }

  // alice uploads `content` for `host` (its current key), with a manifest she signed.
  net::http::Response push(const crypto::Ed25519KeyPair& host_key, const std::string& host, const std::string& name,
                           const std::string& content) {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    return send(signed_upload(alice, host, fingerprint(host_key), name, content, millis, unix_now(), origin()));
  }

  std::string snap() {
    auto store = vps::enroll::store::Store::open(db_path).value();
    return snapshot(*store);
  }

  std::int64_t audit_count() {
    auto store = vps::enroll::store::Store::open(db_path).value();
    return store->audit_count().value();
  }
};

}  // namespace vps::test::enroll
