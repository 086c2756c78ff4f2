// Limits on unauthenticated publications: the pending caps (checked here, in the request's
// transaction, from the database, so every endpoint process sharing it sees the same counts)
// and the refusal every limit answers with. The per-source rate limit runs earlier, in
// Api::handle, before the publication is even parsed.
#include <vps/enroll/routes/context.hpp>

namespace vps::enroll::routes {

using net::http::Response;

Response refuse_publication(RouteContext& ctx, Refusal kind, unsigned status, std::int64_t retry_after,
                            const std::string& target, const std::string& reason) {
  if (ctx.refusals) {
    if (auto left_out = ctx.refusals->due(kind, ctx.now)) {
      std::string detail = reason;
      if (*left_out > 0) {
        detail += "; " + std::to_string(*left_out) + " more refusal(s) of this kind since the last entry";
      }
      // The audit row rides in the request's transaction, which commits (the status is < 500).
      if (auto written = audit(ctx, "source:" + ctx.source, "publish-refused", target, detail); !written) {
        return internal_error(written.error());
      }
    }
  }
  Response response = error_response(status, reason);
  response.headers.push_back({"Retry-After", std::to_string(retry_after)});
  return response;
}

std::optional<Response> check_pending_caps(RouteContext& ctx, const std::string& host) {
  // The same refusal whatever `host` is: whether the name is taken must not show (the target
  // only goes to the audit trail).
  auto from_source = ctx.store.count_pending_keys_from(ctx.source);
  if (!from_source) return internal_error(from_source.error());
  if (*from_source >= ctx.policy.max_pending_per_address) {
    return refuse_publication(
        ctx, Refusal::source_cap, 429, k_pending_cap_retry_after, host,
        "too many keys from this source address are waiting for an operator's decision (limit " +
            std::to_string(ctx.policy.max_pending_per_address) +
            "); publish again once an operator has decided on some, or use an enrollment token");
  }
  auto overall = ctx.store.count_pending_keys();
  if (!overall) return internal_error(overall.error());
  if (*overall >= ctx.policy.max_pending) {
    return refuse_publication(ctx, Refusal::pending_cap, 503, k_pending_cap_retry_after, host,
                              "too many keys are waiting for an operator's decision (limit " +
                                  std::to_string(ctx.policy.max_pending) +
                                  "); publish again later, or use an enrollment token");
  }
  return std::nullopt;
}

}  // namespace vps::enroll::routes
