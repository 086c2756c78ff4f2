#pragma once
// Who a request comes from, as the per-source limits on unauthenticated publications count it
// (the publication rate limit and the pending-key cap, routes/publish.cpp). The one place that
// decides it: a later change that trusts X-Forwarded-For from known proxies goes here.

#include <string>

#include <vps/net/http/message.hpp>

namespace vps::enroll::routes {

// From the peer address (Request::remote_address):
//   IPv4, also written as IPv4-mapped IPv6 ("::ffff:203.0.113.7"): "203.0.113.7";
//   IPv6: its /64, "2001:db8:1:2::/64": one subscriber is routinely given a whole /64, so
//   counting single addresses would hand one client 2^64 budgets;
//   anything else (no address): the text as given, so it still has one bucket of its own.
std::string source_address(const net::http::Request& request);

}  // namespace vps::enroll::routes
