#pragma once
// One HTTP/1.1 request to the test server from a chosen loopback source address (127.0.0.2,
// 127.0.0.3, ...): the server's per-address limits see each as a different client. The HTTP
// client the project ships cannot choose its source address, so this writes the request by
// hand; bounded in size and time (10 s), `Connection: close`, body read until EOF.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include <doctest/doctest.h>

#include <vps/net/http/message.hpp>

namespace vps::test::enroll {

inline net::http::Response send_from(const std::string& source, std::uint16_t port, const net::http::Request& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  REQUIRE(::inet_pton(AF_INET, source.c_str(), &local.sin_addr) == 1);
  REQUIRE_MESSAGE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0, "cannot bind " << source);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0);
  std::string wire = request.method + " " + request.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : request.headers) wire += h.name + ": " + h.value + "\r\n";
  wire += "Content-Length: " + std::to_string(request.body.size()) + "\r\n\r\n" + request.body;
  for (std::size_t sent = 0; sent < wire.size();) {
    const ssize_t n = ::write(fd, wire.data() + sent, wire.size() - sent);
    REQUIRE(n > 0);
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  char buffer[4096];
  for (ssize_t n; in.size() < (1u << 20) && (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
    in.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto end_of_head = in.find("\r\n\r\n");
  const bool http_response = in.starts_with("HTTP/1.1 ") && end_of_head != std::string::npos;
  REQUIRE_MESSAGE(http_response, "no HTTP response: " << in);
  net::http::Response response;
  response.status = static_cast<unsigned>(std::stoul(in.substr(9, 3)));
  std::size_t line = in.find("\r\n") + 2;
  while (line < end_of_head) {
    const auto next = in.find("\r\n", line);
    const auto colon = in.find(':', line);
    if (colon < next) {
      std::string value = in.substr(colon + 1, next - colon - 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers.push_back({in.substr(line, colon - line), value});
    }
    line = next + 2;
  }
  response.body = in.substr(end_of_head + 4);
  return response;
}

}  // namespace vps::test::enroll
