// Fuzz the secrets template parser (operator-written text that ends up embedding plaintext).
// Properties: parsing never crashes; a parsed template renders with every reference known; the
// rendering of a template without placeholders is its text with each escape turned into "{{".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/host/secrets/template.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = vps::host::secrets::Template::parse(text);
  if (!parsed) return 0;
  static const std::uint8_t k_value[] = {'S'};
  auto rendered = parsed->render([](std::string_view) { return std::optional<vps::ByteView>(vps::ByteView(k_value, 1)); });
  if (!rendered) std::abort();
  // A successful parse never leaves "{{ secret:" untouched unless it came from an escape.
  if (parsed->references().empty() && text.find("{{ secret:") != std::string_view::npos &&
      text.find("{{ \"{{\" }}") == std::string_view::npos) {
    std::abort();
  }
  return 0;
}
