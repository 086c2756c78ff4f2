#pragma once
// What every route handler gets (internal to routes/).

#include <cstdint>
#include <string>
#include <string_view>

#include <enroll/auth/authenticator.hpp>
#include <enroll/routes/api.hpp>
#include <enroll/routes/json_io.hpp>

namespace vps::enroll::routes {

struct RouteContext {
  store::Store& store;
  const auth::Operators& operators;
  const Policy& policy;
  const net::http::Request& request;
  std::int64_t now;
};

// Writes the audit row (in the request's transaction) and the journal line.
Status audit(RouteContext& ctx, std::string actor, std::string action, std::string target, std::string detail = {});

// 500 with a generic body; the cause goes to the journal only.
net::http::Response internal_error(const Error& error);

// Route handlers (one file per resource).
net::http::Response publish(RouteContext& ctx);
net::http::Response list_hosts(RouteContext& ctx, const auth::Caller& caller);
net::http::Response show_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response approve_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response reject_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response host_status(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response create_token(RouteContext& ctx, const auth::Caller& caller);
net::http::Response put_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                               const std::string& secret);
net::http::Response list_bundles(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response get_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                               const std::string& secret);

}  // namespace vps::enroll::routes
