#include <vps/net/http/message.hpp>

#include <ostream>  // Boost 1.74's beast/http/status.hpp needs it

#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <cctype>

namespace vps::net::http {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

std::optional<std::string_view> find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

Response Response::text(unsigned status, std::string body) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
}

Response Response::json(unsigned status, std::string body) {
  return Response{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

std::string_view status_reason(unsigned status) {
  auto reason = boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(status));
  return std::string_view(reason.data(), reason.size());
}

std::string status_line(unsigned status) { return std::to_string(status) + " " + std::string(status_reason(status)); }

}  // namespace vps::net::http
