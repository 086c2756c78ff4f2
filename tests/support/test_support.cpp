#include "test_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <vps/base/hex.hpp>
#include <vps/crypto/random.hpp>

namespace vps::test {

namespace detail {
int checks_in_current_test();  // support/main.cpp
}  // namespace detail

namespace {
bool g_skipped = false;
}  // namespace

void skip_test(const std::string& reason) {
  const int checks = detail::checks_in_current_test();
  if (checks > 0) {
    const std::string why =
        "VPS_SKIP after " + std::to_string(checks) + " check(s) ran; a skip must be decided before checking: " + reason;
    FAIL_CHECK(why);
    return;
  }
  const char* forbid = std::getenv("VPS_FORBID_SKIP");
  if (forbid && std::string(forbid) == "1") {
    const std::string why = "this test would skip, but VPS_FORBID_SKIP=1 (CI: every prerequisite is installed): " + reason;
    FAIL_CHECK(why);
    return;
  }
  const std::string line = "[vps-skip] " + reason;
  MESSAGE(line);
  std::printf("[vps-skip] %s\n", reason.c_str());
  g_skipped = true;
}

bool skipped() { return g_skipped; }

TempDir::TempDir() {
  std::uint8_t rnd[8];
  crypto::random_bytes(rnd);
  const char* tmp = std::getenv("TMPDIR");
  m_path = std::filesystem::path(tmp ? tmp : "/tmp") / ("vps-test-" + hex::encode(ByteView(rnd, 8)));
  std::filesystem::create_directories(m_path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::optional<std::filesystem::path> fixtures_dir() {
  std::filesystem::path dir = VPS_FIXTURES_DIR;
  if (const char* env = std::getenv("VPS_FIXTURES_DIR")) dir = env;
  if (std::filesystem::is_directory(dir / "age-testkit") || std::filesystem::is_directory(dir / "sops"))
    return dir;
  return std::nullopt;
}

bool is_root() { return ::geteuid() == 0; }

std::optional<std::filesystem::path> find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  path += ":/usr/sbin:/sbin:/usr/local/sbin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    auto candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::filesystem::path agent_binary() { return VPS_AGENT_BIN; }
std::filesystem::path enroll_binary() { return VPS_ENROLL_BIN; }
std::filesystem::path source_dir() { return VPS_SOURCE_DIR; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void write_random_file(const std::filesystem::path& path, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::uint8_t> buf(1 << 20);
  while (size > 0) {
    const std::size_t n = std::min(size, buf.size());
    crypto::random_bytes(std::span<std::uint8_t>(buf.data(), n));
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
    size -= n;
  }
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

namespace {
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
}  // namespace

std::string age_keygen(const std::filesystem::path& dir, const std::string& name) {
  auto made = run({"age-keygen", "-o", (dir / name).string()});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  auto pub = run({"age-keygen", "-y", (dir / name).string()});
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  return first_line(pub.out);
}

std::string ssh_keygen_ed25519(const std::filesystem::path& dir, const std::string& name) {
  auto made = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / name).string()});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  return first_line(read_text(dir / (name + ".pub")));
}

}  // namespace vps::test
