#pragma once
// A fake Linode metadata service on 127.0.0.1 (the real one is never contacted in tests):
// it insists on the token flow and serves configurable user-data.

#include <zlib.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <vps/base/base64.hpp>
#include <vps/net/http/server.hpp>

#include <doctest/doctest.h>

namespace vps::test {

struct FakeMetadata {
  std::optional<std::string> user_data_body;  // served as is; nullopt: 404
  std::string instance_json = R"({"id": 51234567, "label": "web-1", "region": "us-east"})";
  std::atomic<int> token_requests{0};
  std::atomic<int> unauthorized{0};
  std::unique_ptr<net::http::Server> server;

  static constexpr const char* k_token = "fake-metadata-token-123";

  void start() {
    auto started = net::http::Server::start({}, [this](const net::http::Request& r) { return handle(r); });
    REQUIRE(started);
    server = std::move(*started);
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server->local_port()); }

  net::http::Response handle(const net::http::Request& r) {
    using net::http::Response;
    if (r.method == "PUT" && r.target == "/v1/token") {
      ++token_requests;
      if (!r.header("Metadata-Token-Expiry-Seconds")) return Response::text(400, "missing expiry\n");
      return Response::text(200, k_token);
    }
    if (r.header("Metadata-Token") != std::optional<std::string_view>(k_token)) {
      ++unauthorized;
      return Response::text(401, "unauthorized\n");
    }
    if (r.method == "GET" && r.target == "/v1/instance") return Response::json(200, instance_json);
    if (r.method == "GET" && r.target == "/v1/user-data") {
      if (!user_data_body) return Response::text(404, "no user data\n");
      return Response::text(200, *user_data_body);
    }
    return Response::text(404, "not found\n");
  }
};

inline std::string gzip_bytes(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(text.size() + 128, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

inline std::string base64_of(const std::string& bytes) { return base64::encode(as_bytes(bytes)); }

}  // namespace vps::test
