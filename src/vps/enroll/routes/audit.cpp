// The audit trail for export (GET /v1/audit): a page of entries in the order they were written.
#include <vps/enroll/routes/context.hpp>
#include <vps/protocol/audit_page.hpp>

namespace vps::enroll::routes {

net::http::Response export_audit(RouteContext& ctx, const auth::Caller& caller) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  // One row more than the page tells whether another page follows.
  store::AuditQuery query = ctx.audit_query;
  query.limit += 1;
  auto entries = ctx.store.audit_page(query);
  if (!entries) return internal_error(entries.error());
  protocol::AuditPage page;
  const bool more = entries->size() > ctx.audit_query.limit;
  if (more) entries->pop_back();
  page.entries = std::move(*entries);
  if (more) page.next = page.entries.back().id;
  return json_response(200, protocol::to_json(page));
}

}  // namespace vps::enroll::routes
