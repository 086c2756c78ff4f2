// libFuzzer target: the enrollment API's request handling (path splitting, name checks,
// signed-request headers, strict JSON bodies, publication parsing) must never crash, and
// unauthenticated input must never change the store.
//
// Input layout: method line, target line, then "Name: value" header lines, an empty line,
// and the body; all bounded.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <vps/enroll/routes/api.hpp>
#include <vps/enroll/routes/names.hpp>

namespace {

std::string_view next_line(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return line;
}

struct World {
  std::unique_ptr<vps::enroll::store::Store> store = vps::enroll::store::Store::open(":memory:").value();
  vps::enroll::routes::Api api{*store, vps::enroll::auth::Operators{}, vps::enroll::routes::Policy{},
                               [] { return std::int64_t{1'800'000'000}; }};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  static World world;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  vps::net::http::Request request;
  request.method = std::string(next_line(rest));
  request.target = std::string(next_line(rest));
  for (int i = 0; i < 16 && !rest.empty(); ++i) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  request.body = std::string(rest);
  (void)vps::enroll::routes::split_path(request.target);
  auto response = world.api.handle(request);
  if (response.status < 200 || response.status > 599) std::abort();
  // No operator exists, so nothing but an (unlikely) valid self-signed publication may
  // create a host; no token, bundle or approval can appear.
  if (!world.store->list_bundles("a").value().empty()) std::abort();
  return 0;
}
