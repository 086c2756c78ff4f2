// First-boot critical path vs ssh-keygen, same machine, same run.
//
//   ours (in-process): generate ed25519 + durable key write (temp, fsync, no-replace rename,
//                      dir fsync) + .pub + state.json, i.e. host::identity::run_firstboot
//   ours (process):    `vps-agent --root R firstboot --no-console`, process start included
//   ssh-keygen:        `ssh-keygen -q -t ed25519 -N '' -f R/key` (process; it does not fsync)
//
// Usage: firstboot_bench [repetitions=30]. Prints medians and ratios; target ratio <= 0.5.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vps/config/load.hpp>
#include <vps/host/identity/firstboot.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool spawn_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

template <class F>
double time_ms(F&& f) {
  auto start = Clock::now();
  if (!f()) {
    std::fprintf(stderr, "benchmark step failed\n");
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 30;
  const char* tmp = std::getenv("TMPDIR");
  fs::path base = fs::path(tmp ? tmp : "/var/tmp") / ("vps-firstboot-bench-" + std::to_string(::getpid()));
  fs::create_directories(base);
  std::vector<double> ours, ours_process, keygen;
  for (int i = 0; i < reps; ++i) {
    // Interleave the three so machine load affects them alike.
    auto root = base / ("in-" + std::to_string(i));
    auto config = vps::config::relocate(vps::config::Config{}, root);
    config.instance.id_source = vps::config::IdSource::metadata;  // no DMI read in a bench
    ours.push_back(time_ms([&] { return bool(vps::host::identity::run_firstboot(config, "root@bench")); }));
    auto proc_root = base / ("proc-" + std::to_string(i));
    ours_process.push_back(time_ms([&] {
      return spawn_wait({VPS_AGENT_BIN, "--root", proc_root.string(), "firstboot", "--no-console"});
    }));
    auto key = base / ("keygen-" + std::to_string(i));
    keygen.push_back(time_ms([&] { return spawn_wait({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.string()}); }));
  }
  fs::remove_all(base);
  double m_ours = median(ours), m_proc = median(ours_process), m_keygen = median(keygen);
  std::printf("repetitions: %d (medians)\n", reps);
  std::printf("vps-agent critical path (in-process, durable): %8.3f ms\n", m_ours);
  std::printf("vps-agent firstboot (process, durable):        %8.3f ms\n", m_proc);
  std::printf("ssh-keygen -t ed25519 (process, no fsync):     %8.3f ms\n", m_keygen);
  std::printf("ratio critical path / ssh-keygen: %.3f (target <= 0.5)\n", m_ours / m_keygen);
  std::printf("ratio process / ssh-keygen:       %.3f\n", m_proc / m_keygen);
  return 0;
}
