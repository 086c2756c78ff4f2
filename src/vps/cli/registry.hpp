#pragma once
// Subcommands register themselves from their own file (cmd_<name>.cpp), so adding a command
// touches no shared file:
//
//   static const bool registered = vps::cli::register_command(20, [](CLI::App& app, vps::cli::Context& ctx) {
//     auto opts = std::make_shared<Options>();
//     auto* sub = vps::cli::add_command(app, ctx, "pubkey", "Print the host's public key",
//                                       [&ctx, opts] { return run_pubkey(ctx, *opts); });
//     sub->add_option(...);
//   });
//
// `order` fixes the order in --help (lower first).

#include <functional>

#include <vps/cli/context.hpp>

namespace vps::cli {

using CommandSetup = std::function<void(CLI::App&, Context&)>;

bool register_command(int order, CommandSetup setup);

// Adds every registered command to app, in order.
void add_registered_commands(CLI::App& app, Context& context);

}  // namespace vps::cli
