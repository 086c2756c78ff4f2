#include <vps/cli/context.hpp>

#include <vps/sys/fs/under_root.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <vps/base/log.hpp>

namespace vps::cli {

std::filesystem::path Context::under(const std::filesystem::path& absolute_default) const {
  if (root.empty() || root == "/") return absolute_default;
  return sys::under_root(root, absolute_default);
}

void add_global_options(CLI::App& app, Context& context, const std::string& config_help) {
  app.add_option("--root", context.root,
                 "Prefix every default path with DIR (like systemd-firstboot --root); for tests and images")
      ->option_text("DIR");
  app.add_option("--config", context.config_path, config_help)
      ->option_text("FILE");
  app.add_flag("-v,--verbose", context.verbose, "Log debug messages");
  app.add_flag("-q,--quiet", context.quiet, "Log only warnings and errors");
}

CLI::App* add_command(CLI::App& app, Context& context, const std::string& name,
                      const std::string& description, std::function<Result<int>()> run) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->callback([&context, run = std::move(run)] { context.action = run; });
  return sub;
}

namespace {

// Both programs hold plaintext secrets or private keys in memory at some point, so neither may
// leave a core dump: non-dumpable (which also keeps other processes of the same uid from
// ptrace-attaching or reading /proc/PID/mem) and a core limit of 0, soft and hard, inherited by
// any child. Both are reset by nothing we do later (dumpable returns to 1 only across execve
// of another program, which then starts with no secret of ours).
void disable_core_dumps() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    log::warning(std::string("cannot disable core dumps (PR_SET_DUMPABLE): ") + std::strerror(errno));
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0)
    log::warning(std::string("cannot set the core dump limit to 0: ") + std::strerror(errno));
}

}  // namespace

int run(CLI::App& app, Context& context, int argc, char** argv) {
  log::set_program(context.program);
  disable_core_dumps();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_code(Errc::usage);
  }
  if (context.verbose) log::set_verbosity(log::Level::debug);
  if (context.quiet) log::set_verbosity(log::Level::warning);
  if (!context.action) {
    std::fputs(app.help().c_str(), stderr);
    return exit_code(Errc::usage);
  }
  Result<int> result = [&]() -> Result<int> {
    try {
      return context.action();
    } catch (const std::exception& e) {
      return fail(Errc::internal, std::string("internal error: ") + e.what());
    }
  }();
  if (!result) {
    log::error(result.error().message);
    return exit_code(result.error().code);
  }
  return *result;
}

}  // namespace vps::cli
