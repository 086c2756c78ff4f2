#include <vps/net/metadata/metadata_client.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

#include <vps/net/metadata/user_data.hpp>

namespace vps::net::metadata {

MetadataClient::MetadataClient(http::Url base, MetadataOptions options)
    : m_base(std::move(base)), m_options(std::move(options)) {
  m_client.allow_link_local_http = true;
  m_client.connect_timeout = m_options.timeout;
  m_client.io_timeout = m_options.timeout;
  m_client.total_timeout = m_options.timeout;
  m_client.max_body_bytes = k_max_user_data_body;
}

Result<MetadataClient> MetadataClient::create(const MetadataOptions& options) {
  auto base = VPS_TRY(http::parse_url(options.base_url));
  MetadataClient client(std::move(base), options);
  VPS_CHECK(http::check_destination(client.m_base, client.m_client).map_error([](Error e) {
    return std::move(e).context("metadata base url");
  }));
  return client;
}

Result<http::Response> MetadataClient::call(const char* method, const char* path, std::vector<http::Header> headers) {
  http::Request request;
  request.method = method;
  request.target = m_base.target(path);
  request.headers = std::move(headers);
  const std::string what = std::string("metadata service ") + method + " " + path;
  auto response = http::send(m_base, request, m_client);
  if (!response) return fail(std::move(response).error().context(what));
  return response;
}

Status MetadataClient::authenticate() {
  auto response = VPS_TRY(
      call("PUT", "/v1/token", {{"Metadata-Token-Expiry-Seconds", std::to_string(m_options.token_ttl.count())}}));
  if (response.status != 200) {
    return fail(Errc::refused, "metadata service PUT /v1/token: " + http::status_line(response.status));
  }
  std::string_view token = response.body;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.remove_suffix(1);
  if (token.empty() || token.size() > 1024 ||
      !std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return fail(Errc::malformed, "metadata service PUT /v1/token: invalid token in the response");
  }
  m_token = std::string(token);
  return {};
}

Result<std::string> MetadataClient::instance_id() {
  auto response = VPS_TRY(call("GET", "/v1/instance", {{"Metadata-Token", m_token}, {"Accept", "application/json"}}));
  if (response.status != 200) {
    return fail(Errc::refused, "metadata service GET /v1/instance: " + http::status_line(response.status));
  }
  auto document = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("id") || !document["id"].is_number_unsigned()) {
    return fail(Errc::malformed, "metadata service GET /v1/instance: no numeric \"id\" in the response");
  }
  return std::to_string(document["id"].get<std::uint64_t>());
}

Result<std::optional<std::string>> MetadataClient::user_data() {
  auto response = VPS_TRY(call("GET", "/v1/user-data", {{"Metadata-Token", m_token}}));
  if (response.status == 404 || response.status == 204) return std::optional<std::string>();
  if (response.status != 200) {
    return fail(Errc::refused, "metadata service GET /v1/user-data: " + http::status_line(response.status));
  }
  if (response.body.empty()) return std::optional<std::string>();
  auto text = VPS_TRY(decode_user_data(response.body));
  return std::optional<std::string>(std::move(text));
}

}  // namespace vps::net::metadata
