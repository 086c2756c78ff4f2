// The Debian package (packaging/CMakeLists.txt, CPack): built once from this build tree with
// cpack, inspected with dpkg-deb and lintian, and installed by dpkg into a scratch root only,
// never into this machine. `apt install ./vps-agent_*.deb` into a real Debian 12 root happens
// in the image build's debootstrap chroot (image-hooks/install-agent).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "test_support.hpp"

using namespace vps;
namespace fs = std::filesystem;

namespace {

// The units postinst enables; vps-agent-watch and vps-enroll wait for configuration.
const std::set<std::string> k_enabled_units = {
    "vps-agent-firstboot.service", "vps-agent-publish.service", "vps-secrets.service", "vps-secrets-wait.service",
    "vps-secrets.target"};

#ifdef VPS_GENERATOR_FILE
constexpr bool k_has_generator = true;
#else
constexpr bool k_has_generator = false;
#endif

fs::file_time_type newest_input() {
  auto newest = std::max(fs::last_write_time(test::agent_binary()), fs::last_write_time(test::enroll_binary()));
#ifdef VPS_GENERATOR_FILE
  newest = std::max(newest, fs::last_write_time(VPS_GENERATOR_FILE));
#endif
  for (const char* dir : {"packaging", "units"})
    for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / dir))
      if (entry.is_regular_file()) newest = std::max(newest, entry.last_write_time());
  return newest;
}

std::vector<fs::path> debs_in(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".deb") found.push_back(entry.path());
  return found;
}

// Builds the package into <build>/tests/packaging-deb unless a package newer than every input
// is already there; an flock serialises the test processes CTest runs in parallel. The install
// step is packaging/install_built.cmake: CPack's own would first build `all` (every test).
struct Deb {
  fs::path file;
  std::string error;
};

Deb built_deb() {
  const fs::path out = fs::path(VPS_BINARY_DIR) / "tests" / "packaging-deb";
  fs::create_directories(out);
  int lock = ::open((out / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock < 0) return {{}, "cannot open " + (out / ".lock").string()};
  if (::flock(lock, LOCK_EX) != 0) {
    ::close(lock);
    return {{}, "cannot lock " + (out / ".lock").string()};
  }
  Deb deb;
  auto existing = debs_in(out);
  if (existing.size() == 1 && fs::last_write_time(existing.front()) >= newest_input()) {
    deb.file = existing.front();
  } else {
    for (const auto& old : existing) fs::remove(old);
    test::ProcessOptions options;
    options.timeout_seconds = 600;
    const std::string build = VPS_BINARY_DIR;
    auto r = test::run({VPS_CPACK, "-G", "DEB", "--config", build + "/CPackConfig.cmake", "-B", out.string(), "-D",
                        "CPACK_INSTALL_CMAKE_PROJECTS=", "-D",
                        "CPACK_INSTALL_SCRIPTS=" + (test::source_dir() / "packaging/install_built.cmake").string(),
                        "-D", "VPS_CPACK_BUILD_DIR=" + build},
                       options);
    auto built = debs_in(out);
    if (r.exit_code != 0 || built.size() != 1)
      deb.error = "cpack failed (exit " + std::to_string(r.exit_code) + "):\n" + r.out + r.err;
    else
      deb.file = built.front();
  }
  ::close(lock);  // releases the flock
  return deb;
}

#define VPS_REQUIRE_DEB(var)                                                          \
  if (!::vps::test::find_program("dpkg-deb")) VPS_SKIP("dpkg-deb is not installed");  \
  if (!::vps::test::find_program("dpkg-shlibdeps"))                                   \
    VPS_SKIP("dpkg-shlibdeps is not installed (dpkg-dev, scripts/deps.sh)");          \
  const auto var##_built = built_deb();                                               \
  REQUIRE_MESSAGE(var##_built.error.empty(), var##_built.error);                      \
  const fs::path var = var##_built.file

std::string field(const fs::path& deb, const std::string& name) {
  auto r = test::run({"dpkg-deb", "--field", deb.string(), name});
  REQUIRE(r.exit_code == 0);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

// "path mode" for every entry of the data archive, paths without the leading "./".
std::vector<std::pair<std::string, std::string>> contents(const fs::path& deb) {
  auto r = test::run({"dpkg-deb", "--contents", deb.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<std::pair<std::string, std::string>> entries;
  std::istringstream lines(r.out);
  std::string mode, owner, size, date, time, path;
  while (lines >> mode >> owner >> size >> date >> time >> path) {
    std::string rest;
    std::getline(lines, rest);  // " -> target" of symlinks
    if (path.rfind("./", 0) == 0) path.erase(0, 2);
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty()) entries.emplace_back(path, mode + " " + owner);
  }
  return entries;
}

std::vector<std::string> unit_names() {
  std::vector<std::string> units;
  for (const auto& entry : fs::directory_iterator(test::source_dir() / "units")) {
    auto ext = entry.path().extension();
    if (ext == ".service" || ext == ".target") units.push_back(entry.path().filename().string());
  }
  std::sort(units.begin(), units.end());
  return units;
}

std::string extract(const fs::path& deb, const fs::path& root) {
  auto data = test::run({"dpkg-deb", "-x", deb.string(), root.string()});
  auto control = test::run({"dpkg-deb", "-e", deb.string(), (root / "DEBIAN").string()});
  return data.err + control.err + (data.exit_code == 0 && control.exit_code == 0 ? "" : "dpkg-deb failed");
}

}  // namespace

TEST_SUITE("packaging::deb") {
  TEST_CASE("control fields: name, version, architecture, section, description") {
    VPS_REQUIRE_DEB(deb);
    const auto version = field(deb, "Version");
    const auto arch = field(deb, "Architecture");
    CHECK(field(deb, "Package") == "vps-agent");
    CHECK(deb.filename().string() == "vps-agent_" + version + "_" + arch + ".deb");
    auto help = test::run({test::agent_binary().string(), "--version"});
    if (help.exit_code == 0) CHECK_MESSAGE(help.out.find(version) != std::string::npos, help.out);
    CHECK(field(deb, "Section") == "admin");
    CHECK(field(deb, "Priority") == "optional");
    CHECK(field(deb, "Maintainer").find('@') != std::string::npos);
    CHECK(field(deb, "Description").find("ed25519") != std::string::npos);
  }

  TEST_CASE("Depends names the runtime libraries, from dpkg-shlibdeps") {
    VPS_REQUIRE_DEB(deb);
    const auto depends = field(deb, "Depends");
    INFO("Depends: " << depends);
    for (const char* library : {"libc6", "libsodium23", "libssl3", "libsystemd0", "libyaml-cpp0.7", "libsqlite3-0",
                                "libstdc++6", "zlib1g", "libssh-4", "libbsd0"})
      CHECK_MESSAGE(depends.find(library) != std::string::npos, library);
    // No -dev package, and every entry is "name" or "name (op version)".
    CHECK(depends.find("-dev") == std::string::npos);
    std::istringstream entries(depends);
    std::string entry;
    while (std::getline(entries, entry, ',')) {
      auto first = entry.find_first_not_of(' ');
      REQUIRE(first != std::string::npos);
      CHECK(std::islower(static_cast<unsigned char>(entry[first])));
    }
  }

  TEST_CASE("files sit in Debian 12's paths: binaries, every unit, config, docs, man pages") {
    VPS_REQUIRE_DEB(deb);
    std::set<std::string> paths;
    std::string modes;
    for (const auto& [path, mode] : contents(deb)) {
      paths.insert(path);
      if (path == "usr/bin/vps-agent" || path == "usr/bin/vps-enroll") modes += path + " " + mode + "\n";
    }
    std::vector<std::string> expected = {"usr/bin/vps-agent", "usr/bin/vps-enroll", "etc/vps-agent/config.yaml",
                                         "usr/share/doc/vps-agent/README.md", "usr/share/doc/vps-agent/copyright",
                                         "usr/share/man/man8/vps-agent.8.gz", "usr/share/man/man1/vps-enroll.1.gz"};
    for (const auto& unit : unit_names()) expected.push_back("lib/systemd/system/" + unit);
    if (k_has_generator) expected.push_back("lib/systemd/system-generators/vps-agent-generator");
    for (const auto& path : expected) CHECK_MESSAGE(paths.count(path) == 1, "missing from the .deb: " << path);
    // The staging tree was rearranged for Debian: nothing left under the prefix's etc/ or lib/systemd.
    for (const auto& path : paths) {
      INFO(path);
      CHECK(path.rfind("usr/etc", 0) != 0);
      CHECK(path.rfind("usr/lib/systemd", 0) != 0);
      CHECK(path.rfind("usr/local", 0) != 0);
    }
    CHECK(modes == "usr/bin/vps-agent -rwxr-xr-x root/root\nusr/bin/vps-enroll -rwxr-xr-x root/root\n");
  }

  TEST_CASE("config.yaml is a conffile, and the maintainer scripts are valid sh that start nothing") {
    VPS_REQUIRE_DEB(deb);
    test::TempDir dir;
    REQUIRE(extract(deb, dir.path()).empty());
    CHECK(test::read_text(dir / "DEBIAN/conffiles") == "/etc/vps-agent/config.yaml\n");
    for (const char* script : {"postinst", "prerm", "postrm"}) {
      INFO(script);
      const auto path = dir / ("DEBIAN/" + std::string(script));
      REQUIRE(fs::exists(path));
      CHECK((fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none);
      auto syntax = test::run({"sh", "-n", path.string()});
      CHECK_MESSAGE(syntax.exit_code == 0, syntax.err);
      // Installing into an image's chroot must not start anything (no running systemd there).
      const auto text = test::read_text(path);
      for (const char* starts : {"deb-systemd-invoke start", "deb-systemd-invoke restart", "systemctl start",
                                 "systemctl restart", "systemctl --system start", "invoke-rc.d"})
        CHECK_MESSAGE(text.find(starts) == std::string::npos, starts);
    }
  }

  // dpkg itself, into a scratch root: unpack, conffile registration, postinst (run without
  // chroot, with DPKG_ROOT, as dpkg --root does for bootstrapping), then purge.
  TEST_CASE("dpkg --root installs the package, enables the agent's units, and purges it cleanly") {
    if (!test::is_root()) VPS_SKIP("dpkg --root needs root (file ownership)");
    VPS_REQUIRE_PROGRAM(helper, "deb-systemd-helper");
    VPS_REQUIRE_DEB(deb);
    test::TempDir dir;
    const auto root = dir / "root";
    fs::create_directories(root / "var/lib/dpkg/info");
    fs::create_directories(root / "var/lib/dpkg/updates");
    test::write_text(root / "var/lib/dpkg/status", "");
    const std::vector<std::string> dpkg = {"dpkg", "--root=" + root.string(), "--force-script-chrootless",
                                           "--log=/dev/null"};
    auto with = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = dpkg;
      argv.insert(argv.end(), args.begin(), args.end());
      return test::run(argv);
    };
    // The scratch root has no libc6 & co.: only Depends may be ignored.
    auto install = with({"--force-depends", "--install", deb.string()});
    REQUIRE_MESSAGE(install.exit_code == 0, install.out << install.err);
    auto query = test::run({"dpkg-query", "--root=" + root.string(), "-W", "-f=${Status}|${Conffiles}", "vps-agent"});
    INFO(query.out);
    CHECK(query.out.rfind("install ok installed|", 0) == 0);
    CHECK(query.out.find("/etc/vps-agent/config.yaml ") != std::string::npos);

    const auto links = root / "etc/systemd/system";
    const std::pair<std::string, std::string> wanted[] = {
        {"sysinit.target.wants", "vps-agent-firstboot.service"},
        {"multi-user.target.wants", "vps-agent-publish.service"},
        {"multi-user.target.wants", "vps-secrets.service"},
        {"vps-secrets.target.requires", "vps-secrets-wait.service"},
        {"multi-user.target.wants", "vps-secrets.target"},
    };
    for (const auto& want : wanted) {
      // Named copies: clang 14 cannot capture structured bindings in doctest's message lambdas.
      const auto& target_dir = want.first;
      const auto& unit = want.second;
      INFO(target_dir << "/" << unit);
      CHECK(fs::is_symlink(links / target_dir / unit));
      CHECK(k_enabled_units.count(unit) == 1);
    }
    CHECK_FALSE(fs::exists(links / "multi-user.target.wants/vps-enroll.service"));
    CHECK_FALSE(fs::exists(links / "multi-user.target.wants/vps-agent-watch.service"));

    auto purge = with({"--purge", "vps-agent"});
    REQUIRE_MESSAGE(purge.exit_code == 0, purge.out << purge.err);
    for (const auto& [target_dir, unit] : wanted) CHECK_FALSE(fs::is_symlink(links / target_dir / unit));
    CHECK_FALSE(fs::exists(root / "etc/vps-agent/config.yaml"));
    CHECK_FALSE(fs::exists(root / "usr/bin/vps-agent"));
  }

  TEST_CASE("the extracted binaries run and accept the packaged config") {
    VPS_REQUIRE_DEB(deb);
    test::TempDir dir;
    const auto root = dir / "root";
    REQUIRE(extract(deb, root).empty());
    // Only Debian's own shared libraries are needed, so no LD_LIBRARY_PATH.
    for (const char* binary : {"usr/bin/vps-agent", "usr/bin/vps-enroll"}) {
      auto help = test::run({(root / binary).string(), "--help"});
      INFO(binary << ": " << help.err);
      CHECK(help.exit_code == 0);
      CHECK(help.out.find("Usage") != std::string::npos);
    }
    auto status = test::run({(root / "usr/bin/vps-agent").string(), "--root", root.string(), "--config",
                             (root / "etc/vps-agent/config.yaml").string(), "status", "--json"});
    INFO(status.out << status.err);
    CHECK(status.err.find("config.yaml") == std::string::npos);  // no configuration error
    CHECK(status.exit_code == 0);  // status reports a missing host key in its JSON
  }
  TEST_CASE("the man pages in the package are packaging/man's, gzipped without name or time stamp") {
    VPS_REQUIRE_DEB(deb);
    test::TempDir dir;
    REQUIRE(extract(deb, dir.path()).empty());
    for (const char* page : {"man8/vps-agent.8", "man1/vps-enroll.1"}) {
      INFO(page);
      const auto packed = dir / ("usr/share/man/" + std::string(page) + ".gz");
      const auto bytes = test::read_text(packed);
      // RFC 1952 header: no FNAME flag (bit 3), MTIME 0, so the file is reproducible.
      REQUIRE(bytes.size() > 10);
      CHECK((static_cast<unsigned char>(bytes[3]) & 0x08) == 0);
      CHECK(bytes.substr(4, 4) == std::string(4, '\0'));
      auto unpacked = test::run({"gzip", "-dc", packed.string()});
      REQUIRE(unpacked.exit_code == 0);
      CHECK(unpacked.out == test::read_text(test::source_dir() / "packaging/man" / fs::path(page).filename()));
    }
  }

  TEST_CASE("lintian reports no errors and no warnings") {
    VPS_REQUIRE_PROGRAM(lintian, "lintian");  // optional: not in scripts/deps.sh (80 packages)
    VPS_REQUIRE_DEB(deb);
    test::ProcessOptions options;
    options.timeout_seconds = 300;
    auto r = test::run({lintian.string(), "--tag-display-limit", "0", deb.string()}, options);
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line))
      CHECK_MESSAGE(!(line.rfind("E: ", 0) == 0 || line.rfind("W: ", 0) == 0), line);
  }
}
