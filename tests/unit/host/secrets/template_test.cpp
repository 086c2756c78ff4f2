#include <doctest/doctest.h>

#include <map>

#include <vps/host/secrets/template.hpp>

using namespace vps;
using namespace vps::host::secrets;

namespace {

std::string render(std::string_view content, const std::map<std::string, std::string>& secrets) {
  auto parsed = Template::parse(content);
  REQUIRE_MESSAGE(parsed, parsed.error().message);
  auto rendered = parsed->render([&](std::string_view name) -> std::optional<ByteView> {
    auto it = secrets.find(std::string(name));
    if (it == secrets.end()) return std::nullopt;
    return as_bytes(it->second);
  });
  REQUIRE_MESSAGE(rendered, rendered.error().message);
  return std::string(rendered->begin(), rendered->end());
}

Error parse_error(std::string_view content) {
  auto parsed = Template::parse(content);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

}  // namespace

TEST_SUITE("host::secrets::Template") {
  TEST_CASE("replaces placeholders with secret bytes") {
    CHECK(render("user=admin\npass={{ secret:db/password }}\n", {{"db/password", "hunter2"}}) ==
          "user=admin\npass=hunter2\n");
    CHECK(render("{{ secret:a }}{{ secret:b }}{{ secret:a }}", {{"a", "1"}, {"b", "2"}}) == "121");
    CHECK(render("no placeholders }} here", {}) == "no placeholders }} here");
    CHECK(render("", {}).empty());
  }
  TEST_CASE("writes a literal '{{' through its escape") {
    CHECK(render("{{ \"{{\" }} secret:x }}", {}) == "{{ secret:x }}");
  }
  TEST_CASE("lists references once, in order") {
    auto parsed = Template::parse("{{ secret:b }} {{ secret:a }} {{ secret:b }}");
    REQUIRE(parsed);
    CHECK(parsed->references() == std::vector<std::string>{"b", "a"});
  }
  TEST_CASE("rejects anything else starting with '{{', with line and column") {
    for (auto bad : {"{{secret:a}}", "{{ secret:a}}", "{{  secret:a }}", "{{ Secret:a }}", "{{ secret: a }}",
                     "{{ secret:a  }}", "{{ secret:a", "{{ secret:a\n }}", "{{ secret: }}", "{{ secret:../x }}",
                     "{{ x }}", "{{", "a {{ b"}) {
      CAPTURE(bad);
      CHECK(parse_error(bad).code != Errc::internal);
    }
    auto error = parse_error("line one\nvalue = {{ sekret:x }}\n");
    CHECK(error.code == Errc::malformed);
    CHECK(error.message.find("line 2, column 9") != std::string::npos);
  }
  TEST_CASE("an unknown secret fails rendering with Errc::config") {
    auto parsed = Template::parse("{{ secret:missing }}");
    REQUIRE(parsed);
    auto rendered = parsed->render([](std::string_view) { return std::optional<ByteView>{}; });
    REQUIRE_FALSE(rendered);
    CHECK(rendered.error().code == Errc::config);
    CHECK(rendered.error().message.find("'missing'") != std::string::npos);
  }
  TEST_CASE("rejects templates over 1 MiB") {
    std::string big(k_max_template_size + 1, 'x');
    CHECK(parse_error(big).code == Errc::malformed);
  }
}
