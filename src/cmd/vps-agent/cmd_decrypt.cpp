// vps-agent decrypt: decrypt an age file (binary or armored) with identity files, like
// `age -d -i KEY [-o OUT] [FILE]`. Streams in constant memory on two threads. With -o the
// plaintext goes to a temporary file that is renamed into place only after the whole file
// authenticated, so a failed decryption leaves no output file at all.
//
// sops files (YAML, JSON, dotenv, INI, binary; detected by their `sops` metadata or named with
// --format) are decrypted whole in memory and printed as `sops -d` does, or one value with
// --extract a/b/c. Without -i the host's own key (identity.host_key, under --root) is used, so
// operators see exactly what the host will.
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <vps/cli/io.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/host/delivery/host_identity.hpp>
#include <vps/host/delivery/sources.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/decrypt.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace {

using namespace vps;
namespace age = vps::formats::age;

constexpr std::size_t k_max_identity_file = 1024 * 1024;
constexpr mode_t k_plaintext_mode = 0600;

struct Options {
  std::vector<std::string> identity_files;
  std::string output;  // empty or "-": stdout
  std::string input;   // empty or "-": stdin
  std::string format;  // empty: detect; age|yaml|json|dotenv|ini|binary
  std::string extract; // sops value path a/b/c
};

constexpr std::size_t k_max_sops_file = 64 * 1024 * 1024;

// A sops file of any store carries its metadata under a top-level "sops" key (dotenv/INI: flattened).
bool looks_like_sops(std::string_view text) {
  return text.starts_with("sops:") || text.find("\nsops:") != std::string_view::npos ||
         text.find("\"sops\"") != std::string_view::npos || text.find("\nsops_version=") != std::string_view::npos ||
         text.starts_with("sops_") || text.find("[sops]") != std::string_view::npos;
}

// Identity files in order; an OpenSSH ed25519 key contributes its ssh-ed25519 and its
// ssh-to-age X25519 identity.
Result<age::IdentityList> load_identities(const std::vector<std::string>& files) {
  age::IdentityList all;
  for (const std::string& file : files) {
    auto text = VPS_TRY(sys::read_secret_file(file, k_max_identity_file));
    auto ids = VPS_TRY(age::parse_identity_file(as_chars(ByteView(text.data(), text.size())), file));
    for (auto& id : ids) all.push_back(std::move(id));
  }
  return all;
}

using cli::AtomicFileSink;
using cli::open_input;

}  // namespace

namespace vps::cmd {

// The age path of `decrypt`, callable for other input kinds (e.g. sops files) to reuse:
// decrypts input_fd to `output` ("" or "-" = stdout); a file output appears only on success.
Status decrypt_age_stream(int input_fd, const std::string& output, const age::IdentityList& identities) {
  const auto ids = age::pointers(identities);
  age::StreamOptions options;  // two decryption threads, 4 MiB in flight
  if (output.empty() || output == "-") {
    return age::decrypt_stream(input_fd, STDOUT_FILENO, ids, options);
  }
  auto file = VPS_TRY(sys::AtomicFile::create(output, k_plaintext_mode));
  std::atomic<bool> cancel{false};
  options.cancel = &cancel;
  age::FdSource source(input_fd, &cancel);
  AtomicFileSink sink(file);
  VPS_CHECK(age::decrypt_to(source, sink, ids, options));
  return file.commit();
}

}  // namespace vps::cmd

namespace {

Result<Bytes> read_all(int fd) {
  Bytes out;
  std::uint8_t buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::io, "reading stdin: " + sys::errno_text(errno));
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > k_max_sops_file) return fail(Errc::malformed, "stdin: sops file too large");
    out.insert(out.end(), buffer, buffer + n);
  }
}

Result<age::IdentityList> identities_for(const cli::Context& ctx, const Options& options) {
  if (!options.identity_files.empty()) return load_identities(options.identity_files);
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto host = VPS_TRY(host::delivery::load_host_identity(config.identity.host_key));
  return std::move(host.identities);
}

Status write_plaintext(const std::string& output, ByteView plaintext) {
  if (output.empty() || output == "-") return sys::write_all(STDOUT_FILENO, plaintext, "stdout");
  auto file = VPS_TRY(sys::AtomicFile::create(output, k_plaintext_mode));
  VPS_CHECK(file.write(plaintext));
  return file.commit();
}

// The sops path: whole file in memory, format from --format or the file name (sops' rule).
Status decrypt_sops(const Options& options, std::string_view text, const age::IdentityList& identities) {
  auto format = options.format.empty() ? config::SecretFormat::automatic
                                       : VPS_TRY(host::delivery::parse_format(options.format));
  format = host::delivery::resolve_format(format, options.input, text);
  auto plaintext = VPS_TRY(host::delivery::decrypt_file(text, format, options.extract, age::pointers(identities)));
  return write_plaintext(options.output, ByteView(plaintext.data(), plaintext.size()));
}

Result<int> run_decrypt(const cli::Context& ctx, const Options& options) {
  auto identities = VPS_TRY(identities_for(ctx, options));
  auto input = VPS_TRY(open_input(options.input));
  const bool from_stdin = options.input.empty() || options.input == "-";
  bool sops = (!options.format.empty() && options.format != "age") || (from_stdin && !options.extract.empty());
  if (options.format.empty() && !from_stdin) {
    // Armor may follow up to 1 KiB of whitespace, as the age spec and decryption allow.
    std::uint8_t head[age::k_detect_bytes];
    const ssize_t n = ::pread(input.get(), head, sizeof head, 0);
    sops = n >= 0 && !age::looks_like_age_file(ByteView(head, static_cast<std::size_t>(n)));
  }
  if (sops) {
    // Whole input in memory: sops values are small and the MAC covers them all anyway.
    Result<Bytes> text = from_stdin ? read_all(input.get()) : sys::read_file(options.input, k_max_sops_file);
    if (!text) return fail(text.error().context("decrypt"));
    std::string_view view = as_chars(*text);
    if (options.format.empty() && !looks_like_sops(view))
      return fail(Errc::malformed, "decrypt: " + options.input + " is neither an age file nor a sops file");
    auto st = decrypt_sops(options, view, identities);
    if (!st) return fail(st.error().context("decrypt"));
    return 0;
  }
  if (!options.extract.empty()) return fail(Errc::usage, "decrypt: --extract needs a sops file");
  auto st = cmd::decrypt_age_stream(input.get(), options.output, identities);
  if (!st) return fail(st.error().context("decrypt"));
  return 0;
}

const bool registered = cli::register_command(50, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "decrypt",
                               "Decrypt an age file (like age -d) or a sops file (like sops -d [--extract])",
                               [&ctx, options] { return run_decrypt(ctx, *options); });
  sub->add_option("-i,--identity", options->identity_files,
                  "Identity file: age-keygen output or an OpenSSH ed25519 private key (repeatable; "
                  "default: the host key under --root)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  sub->add_option("-o,--output", options->output, "Write the plaintext to FILE (mode 0600) instead of stdout")
      ->type_name("FILE");
  sub->add_option("--format", options->format, "Input format (default: detected)")
      ->check(CLI::IsMember({"age", "yaml", "json", "dotenv", "ini", "binary"}));
  sub->add_option("--extract", options->extract, "sops: print only the value at this key path (a/b/c or '[\"a\"][0]')")
      ->type_name("PATH");
  sub->add_option("input", options->input, "age file to decrypt (default: stdin)")->type_name("FILE");
  sub->footer("Exit codes: 81 no identity matched, 80 integrity failure (MAC or tag), 65 malformed input.");
});

}  // namespace
