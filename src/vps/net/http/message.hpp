#pragma once
// Plain HTTP message values shared by the client and the server. They carry no I/O state, so
// request handling is a pure function Request -> Response that tests can call directly.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vps::net::http {

struct Header {
  std::string name;
  std::string value;
};

// Header lookup is case-insensitive, as RFC 9110 says; the first match wins.
std::optional<std::string_view> find_header(const std::vector<Header>& headers, std::string_view name);

struct Request {
  std::string method = "GET";  // upper case, as sent on the wire
  std::string target = "/";    // origin-form: path and optional query
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // server side only: peer IP, for logs and audit

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

struct Response {
  unsigned status = 200;
  std::vector<Header> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }

  static Response text(unsigned status, std::string body);  // text/plain; charset=utf-8
  static Response json(unsigned status, std::string body);  // application/json
};

// "Service Unavailable" for 503; "Unknown" for codes without a standard reason.
std::string_view status_reason(unsigned status);

// "503 Service Unavailable".
std::string status_line(unsigned status);

}  // namespace vps::net::http
