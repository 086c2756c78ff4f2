#include <vps/cli/registry.hpp>

#include <algorithm>
#include <vector>

namespace vps::cli {
namespace {
struct Entry {
  int order;
  CommandSetup setup;
};
std::vector<Entry>& entries() {
  static std::vector<Entry> list;
  return list;
}
}  // namespace

bool register_command(int order, CommandSetup setup) {
  entries().push_back(Entry{order, std::move(setup)});
  return true;
}

void add_registered_commands(CLI::App& app, Context& context) {
  auto list = entries();
  std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
  for (auto& entry : list) entry.setup(app, context);
}

}  // namespace vps::cli
