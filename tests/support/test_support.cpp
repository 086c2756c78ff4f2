#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <vps/base/hex.hpp>
#include <vps/crypto/random.hpp>

namespace vps::test {

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

}  // namespace vps::test
