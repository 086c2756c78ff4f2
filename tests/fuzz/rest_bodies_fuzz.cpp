// Fuzz the REST bodies defined in protocol/ (rebuild_report.hpp, enrollment_token.hpp,
// audit_page.hpp): the
// host's report and the operator's requests the endpoint parses, the offer the host parses and
// the records the operator CLI parses, all from parties the reader does not trust. Anything that parses must survive a round trip: the
// report's JSON text parses again to the same values, and a view re-encodes to JSON that
// parses to the same view.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/protocol/audit_page.hpp>
#include <vps/protocol/enrollment_token.hpp>
#include <vps/protocol/rebuild_report.hpp>
#include <vps/protocol/strict_json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vps::protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto report = parse_rebuild_report(input)) {
    auto again = parse_rebuild_report(to_json_text(*report));
    if (!again || again->state != report->state || again->exit_status != report->exit_status ||
        again->duration_ms != report->duration_ms || again->output_tail != report->output_tail) {
      std::abort();
    }
  }
  if (auto offer = parse_rebuild_offer(input)) {
    auto again = parse_rebuild_offer(to_json(*offer).dump());
    if (!again || again->id != offer->id || again->request != offer->request) std::abort();
  }
  (void)parse_rebuild_submission(input);
  if (auto token = parse_token_request(input)) {
    auto again = parse_token_request(to_json(*token).dump());
    if (!again || again->host != token->host || again->ttl_seconds != token->ttl_seconds) std::abort();
  }
  if (auto value = parse_json_strict(input, "input")) {
    if (auto view = parse_rebuild_view(*value)) {
      auto again = parse_rebuild_view(to_json(*view));
      if (!again || again->id != view->id || again->state != view->state || again->reason != view->reason) std::abort();
    }
    (void)parse_token_grant(*value);
    if (auto history = parse_rebuild_history(*value)) {
      auto again = parse_rebuild_history(to_json(*history));
      if (!again || again->rebuilds.size() != history->rebuilds.size()) std::abort();
    }
    if (auto page = parse_audit_page(*value)) {
      auto again = parse_audit_page(to_json(*page));
      if (!again || again->entries.size() != page->entries.size() || again->next != page->next) std::abort();
      for (std::size_t i = 0; i < page->entries.size(); ++i)
        if (again->entries[i].id != page->entries[i].id || again->entries[i].detail != page->entries[i].detail)
          std::abort();
    }
  }
  return 0;
}
