// vps-enroll encrypt: encrypt a file to age recipients, like `age -e -r/-R [-a] [-o OUT]`.
// Recipients are age1... X25519 keys or ssh-ed25519 public keys (a host's key from
// enrollment works directly). With -o the output appears atomically, only when complete.
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <vps/cli/io.hpp>
#include <vps/cli/registry.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/encrypt.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace {

using namespace vps;
namespace age = vps::formats::age;

constexpr std::size_t k_max_recipients_file = 16 * 1024 * 1024;
constexpr mode_t k_ciphertext_mode = 0644;

struct Options {
  std::vector<std::string> recipients;
  std::vector<std::string> recipient_files;
  bool armor = false;
  std::string output;
  std::string input;
};

Result<std::vector<std::unique_ptr<age::Recipient>>> load_recipients(const Options& options) {
  std::vector<std::unique_ptr<age::Recipient>> all;
  for (const std::string& text : options.recipients) {
    auto r = age::parse_recipient(text);
    if (!r) return fail(r.error().context("-r"));
    all.push_back(std::move(*r));
  }
  for (const std::string& file : options.recipient_files) {
    auto text = VPS_TRY(sys::read_text_file(file, k_max_recipients_file));
    auto list = VPS_TRY(age::parse_recipients_file(text, file));
    for (auto& r : list) all.push_back(std::move(r));
  }
  if (all.empty()) return fail(Errc::usage, "encrypt: at least one -r RECIPIENT or -R FILE is required");
  return all;
}

using cli::AtomicFileSink;
using cli::open_input;

Result<int> run_encrypt(const Options& options) {
  auto recipients = VPS_TRY(load_recipients(options));
  const auto list = age::pointers(recipients);
  auto input = VPS_TRY(open_input(options.input));
  if (options.output.empty() || options.output == "-") {
    if (!options.armor && ::isatty(STDOUT_FILENO))
      return fail(Errc::usage, "encrypt: refusing to write binary output to a terminal; use -a or -o");
    auto st = age::encrypt_stream(input.get(), STDOUT_FILENO, list, options.armor);
    if (!st) return fail(st.error().context("encrypt"));
    return 0;
  }
  auto file = VPS_TRY(sys::AtomicFile::create(options.output, k_ciphertext_mode));
  age::FdSource source(input.get());
  AtomicFileSink sink(file);
  auto st = age::encrypt_to(source, sink, list, options.armor);
  if (!st) return fail(st.error().context("encrypt"));
  VPS_CHECK(file.commit());
  return 0;
}

const bool registered = vps::cli::register_command(60, [](CLI::App& app, vps::cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "encrypt", "Encrypt a file to age recipients, like age -e",
                                    [options] { return run_encrypt(*options); });
  sub->add_option("-r,--recipient", options->recipients, "Recipient: age1... or \"ssh-ed25519 AAAA...\" (repeatable)")
      ->type_name("RECIPIENT")
      ->allow_extra_args(false);
  sub->add_option("-R,--recipients-file", options->recipient_files,
                  "File with one recipient per line; # comments (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  sub->add_flag("-a,--armor", options->armor, "Write PEM-style ASCII armor instead of binary");
  sub->add_option("-o,--output", options->output, "Write the result to FILE instead of stdout")->type_name("FILE");
  sub->add_option("input", options->input, "File to encrypt (default: stdin)")->type_name("FILE");
});

}  // namespace
