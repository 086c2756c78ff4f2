#pragma once
// Helpers shared by every test: scratch directories, fixture lookup, loud skips, child processes.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace vps::test {

// Skipping is a decision a test makes before it checks anything, never a verdict about what it
// checked. VPS_SKIP(reason) returns from the test case and makes the process exit with
// k_skip_exit_code (CTest: SKIP_RETURN_CODE), except that it FAILS the test case instead when
//   - any check (CHECK, REQUIRE, ...) already ran in this test case: a skip after checking could
//     hide the very outcome the test guards; or
//   - VPS_FORBID_SKIP=1 is set (scripts/test.sh sets it when run as root, as CI does): there every
//     tool and privilege a test needs is installed, so a skip means a test silently did not run.
inline constexpr int k_skip_exit_code = 77;
void skip_test(const std::string& reason);  // records the skip or the failure (see above)
bool skipped();                             // some test case of this process skipped
#define VPS_SKIP(reason)                     \
  do {                                       \
    ::vps::test::skip_test(std::string(reason)); \
    return;                                  \
  } while (0)

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

 private:
  std::filesystem::path m_path;
};

// ../shared/fixtures (or VPS_FIXTURES_DIR in the environment); nullopt when absent.
std::optional<std::filesystem::path> fixtures_dir();
#define VPS_REQUIRE_FIXTURES(var)                                                      \
  auto var##_opt = ::vps::test::fixtures_dir();                                        \
  if (!var##_opt) VPS_SKIP("shared fixtures not found (../shared/fixtures); set VPS_FIXTURES_DIR"); \
  const std::filesystem::path var = *var##_opt

bool is_root();
std::optional<std::filesystem::path> find_program(const std::string& name);  // in PATH, /usr/sbin
#define VPS_REQUIRE_PROGRAM(var, name)                                            \
  auto var##_opt = ::vps::test::find_program(name);                               \
  if (!var##_opt) VPS_SKIP(std::string("'") + name + "' is not installed");        \
  const std::filesystem::path var = *var##_opt

std::filesystem::path agent_binary();
std::filesystem::path enroll_binary();
std::filesystem::path source_dir();

std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);
// `size` random bytes (not secret: test data) into path.
void write_random_file(const std::filesystem::path& path, std::size_t size);

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::string stdin_data;
  std::vector<std::string> env;       // extra "K=V" entries
  std::filesystem::path cwd;
  double timeout_seconds = 120;       // killed (SIGKILL) past this
  bool new_session = false;           // setsid(): no controlling terminal, /dev/tty cannot open
};

// Runs argv (argv[0] looked up in PATH), feeding stdin, capturing stdout and stderr.
ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Keys made by the reference tools (callers check the tool exists with VPS_REQUIRE_PROGRAM):
// `age-keygen -o dir/name`, returning its "age1..." recipient; `ssh-keygen -t ed25519` at
// dir/name and dir/name.pub (no passphrase), returning the public key line without newline.
std::string age_keygen(const std::filesystem::path& dir, const std::string& name);
std::string ssh_keygen_ed25519(const std::filesystem::path& dir, const std::string& name);

}  // namespace vps::test
