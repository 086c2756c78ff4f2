#pragma once
// A scratch host root for `vps-agent --root R` tests: console file, DMI serial, config.
#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace vps::test {

class AgentRoot {
 public:
  explicit AgentRoot(const std::string& instance_id = "1001") {
    std::filesystem::create_directories(m_dir / "dev");
    std::filesystem::create_directories(m_dir / "sys/class/dmi/id");
    std::filesystem::create_directories(m_dir / "etc/vps-agent");
    write_text(m_dir / "dev/console", "");
    set_instance(instance_id);
  }
  const std::filesystem::path& path() const { return m_dir.path(); }
  std::filesystem::path key() const { return m_dir / "etc/ssh/ssh_host_ed25519_key"; }
  std::filesystem::path pub() const { return m_dir / "etc/ssh/ssh_host_ed25519_key.pub"; }
  std::filesystem::path state() const { return m_dir / "var/lib/vps-agent/state.json"; }
  std::filesystem::path console() const { return m_dir / "dev/console"; }
  void set_instance(const std::string& id) const { write_text(m_dir / "sys/class/dmi/id/product_serial", id + "\n"); }
  void set_config(const std::string& yaml) const { write_text(m_dir / "etc/vps-agent/config.yaml", yaml); }

  ProcessResult agent(std::vector<std::string> args) const {
    std::vector<std::string> argv = {agent_binary().string(), "--root", path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

 private:
  TempDir m_dir;
};

}  // namespace vps::test
