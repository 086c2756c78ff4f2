#pragma once
// Shared command-line plumbing for vps-agent and vps-enroll: global options, the chosen
// subcommand's action, and the single place where an Error becomes a message and exit code.

#include <filesystem>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include <vps/base/result.hpp>

namespace vps::cli {

struct Context {
  std::string program;              // "vps-agent"
  std::filesystem::path root = "/";  // --root: prefix for every default path
  std::string config_path;          // --config: overrides <root>/etc/vps-agent/config.yaml
  bool verbose = false;
  bool quiet = false;
  // Set by the selected subcommand's callback; returns the exit code on success.
  std::function<Result<int>()> action;

  // <root>/<absolute default>, e.g. under("/etc/ssh/ssh_host_ed25519_key").
  std::filesystem::path under(const std::filesystem::path& absolute_default) const;
};

// Adds --root, --config, --verbose, --quiet to the top-level app. config_help says which file
// --config replaces (each program reads its own).
void add_global_options(CLI::App& app, Context& context, const std::string& config_help);

// First makes the process non-dumpable with a core limit of 0 (secrets and keys must never
// reach a core dump), then parses, runs the selected action, prints "<program>: error:
// <message>" on failure and returns the exit code (the Errc value; 64 for command-line
// errors, 0 for --help).
int run(CLI::App& app, Context& context, int argc, char** argv);

// Register a subcommand whose action is `run` (called after parsing, with parsed options).
CLI::App* add_command(CLI::App& app, Context& context, const std::string& name,
                      const std::string& description, std::function<Result<int>()> run);

}  // namespace vps::cli
