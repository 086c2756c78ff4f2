#include <vps/net/api/signed_client.hpp>

#include <vps/base/clock.hpp>

#include <chrono>

#include <vps/base/text.hpp>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/protocol/host_status.hpp>
#include <vps/protocol/signed_request.hpp>

namespace vps::net::api {

namespace {

std::string reason_of(const http::Response& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  std::string text(text::utf8_prefix(response.body, 200));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.empty() ? http::status_line(response.status) : text;
}

}  // namespace

SigningKey signing_key(std::shared_ptr<const crypto::Signer> signer) {
  SigningKey key;
  key.fingerprint = formats::openssh::sha256_fingerprint(signer->public_key());
  key.signer = std::move(signer);
  return key;
}

Result<SigningKey> load_signing_key(const std::filesystem::path& path) {
  auto text = sys::read_secret_file(path, formats::openssh::k_max_private_key_text);
  if (!text) return fail(std::move(text).error().context("reading key"));
  auto parsed = formats::openssh::parse_private_key(as_chars(ByteView(text->data(), text->size())), path.string());
  if (!parsed) return fail(std::move(parsed).error());
  return signing_key(std::make_shared<crypto::SeedSigner>(parsed->seed));
}

SignedClient::SignedClient(http::Url endpoint, SigningKey key, http::ClientOptions options)
    : m_endpoint(std::move(endpoint)), m_key(std::move(key)), m_options(std::move(options)) {}

Result<http::Response> SignedClient::send(std::string_view method, std::string_view path, std::string body,
                                          std::string_view content_type, std::vector<http::Header> extra_headers) {
  http::Request request;
  request.method = std::string(method);
  request.target = m_endpoint.target(path);
  auto signature = VPS_TRY(protocol::sign_request(m_endpoint.origin(), request.method, request.target, body,
                                                  *m_key.signer, clock::unix_seconds()));
  request.headers = {{std::string(protocol::k_header_endpoint), signature.endpoint},
                     {std::string(protocol::k_header_key), signature.key},
                     {std::string(protocol::k_header_timestamp), signature.timestamp},
                     {std::string(protocol::k_header_nonce), signature.nonce},
                     {std::string(protocol::k_header_signature), signature.signature}};
  if (!body.empty()) request.headers.push_back({"Content-Type", std::string(content_type)});
  for (auto& header : extra_headers) request.headers.push_back(std::move(header));
  request.body = std::move(body);
  return http::send(m_endpoint, request, m_options);
}

Result<nlohmann::json> SignedClient::call_json(std::string_view method, std::string_view path, std::string body) {
  auto response = VPS_TRY(send(method, path, std::move(body)));
  if (response.status < 200 || response.status > 299) return fail(response_error(response));
  auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail(Errc::malformed, "endpoint answered with invalid JSON");
  return parsed;
}

Error response_error(const http::Response& response) {
  Errc code = Errc::refused;
  if (response.status == 401 || response.status == 403) code = Errc::unauthorized;
  else if (response.status == 404) code = Errc::missing;
  else if (response.status >= 500) code = Errc::retry;
  return Error{code, "endpoint refused (" + std::to_string(response.status) + "): " + reason_of(response)};
}

std::optional<KeyRefusal> key_refusal(const http::Response& response) {
  if (response.status != 401 && response.status != 403) return std::nullopt;
  const auto answer = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  const std::string code = answer.is_object() ? answer.value("code", std::string()) : std::string();
  const auto status = protocol::parse_enrollment_status(code);
  if (status && *status == protocol::EnrollmentStatus::revoked) return KeyRefusal::revoked;
  if (status && *status == protocol::EnrollmentStatus::retired) return KeyRefusal::retired;
  return KeyRefusal::not_approved;
}

}  // namespace vps::net::api
