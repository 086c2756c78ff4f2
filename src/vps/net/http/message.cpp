#include <vps/net/http/message.hpp>

#include <vps/base/text.hpp>

#include <ostream>  // Boost 1.74's beast/http/status.hpp needs it

#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <cctype>

namespace vps::net::http {

std::optional<std::string_view> find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (vps::text::equal_ignore_case(h.name, name)) return std::string_view(h.value);
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
