// vps-enroll approve HOST [--fingerprint SHA256:...]: accept the host's published key. With
// --fingerprint (what the host printed on its serial console) the endpoint refuses when the
// published key differs, and so does this command.
//
// approve HOST --replace --fingerprint SHA256:...: a re-provisioned instance published a new key
// under an existing host's name (flagged); this key becomes the host's, the old one is retired
// (refused from then on), the host's bundles (encrypted to the old key) are deleted and its
// rebuilds not started cancelled. The output says what to rekey and push again.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::string fingerprint;
  bool replace = false;
};

using Json = nlohmann::json;

std::string names_of(const Json& body, const char* key) {
  std::string out;
  if (!body.contains(key) || !body[key].is_array()) return "none";
  for (const auto& item : body[key]) {
    out += (out.empty() ? "" : ", ") + (item.is_string() ? vps::text::escape_control(item.get<std::string>()) : item.dump());
  }
  return out.empty() ? "none" : out;
}

vps::Result<int> run_replace(const Options& o, const std::string& path) {
  if (o.fingerprint.empty()) {
    return vps::fail(vps::Errc::usage, "--replace needs --fingerprint SHA256:... (the new instance prints it on its "
                                       "console): a new key is never accepted unchecked");
  }
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  const Json request{{"fingerprint", o.fingerprint}, {"replace", true}};
  auto response = VPS_TRY(client.send("POST", path, request.dump()));
  if (response.status < 200 || response.status > 299) {
    auto error = vps::enroll::client::response_error(response);
    const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (response.status == 409 && body.is_object() && body.value("code", "") == "unknown_key") {
      error.code = vps::Errc::unknown_key;
    }
    return vps::fail(std::move(error).context("approve --replace '" + o.host + "' refused"));
  }
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return vps::fail(vps::Errc::malformed, "approve: the endpoint answered with invalid JSON");
  if (body.value("fingerprint", "") != o.fingerprint) {
    return vps::fail(vps::Errc::integrity, "endpoint approved a different fingerprint than requested");
  }
  if (o.common.json) return vps::enroll::client::print_json(body);
  using vps::enroll::client::shown;
  std::printf("replaced the key of %s\n", o.host.c_str());
  std::printf("  new key: %s  %s\n", shown(body, "fingerprint").c_str(), shown(body, "age_recipient").c_str());
  std::printf("  old key: %s  %s (retired, refused from now on)\n", shown(body, "old_fingerprint").c_str(),
              shown(body, "old_age_recipient").c_str());
  std::printf("bundles deleted:    %s\n", names_of(body, "deleted_bundles").c_str());
  std::printf("rebuilds cancelled: %s\n", names_of(body, "cancelled_rebuilds").c_str());
  std::printf("next:\n  vps-enroll rekey --recipient %s <your secrets dirs>\n", shown(body, "age_recipient").c_str());
  std::printf("  vps-enroll rekey --remove %s <your secrets dirs>\n", shown(body, "old_age_recipient").c_str());
  std::printf("  then push the bundles listed above again: vps-enroll push %s FILE...\n", o.host.c_str());
  return 0;
}

vps::Result<int> run_approve(const Options& o) {
  const std::string path = VPS_TRY(vps::enroll::client::host_path(o.host)) + "/approve";
  if (!o.fingerprint.empty() && !o.fingerprint.starts_with("SHA256:")) {
    return vps::fail(vps::Errc::usage, "--fingerprint must look like SHA256:... (as ssh-keygen -l prints it)");
  }
  if (o.replace) return run_replace(o, path);
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  nlohmann::json request = nlohmann::json::object();
  if (!o.fingerprint.empty()) request["fingerprint"] = o.fingerprint;
  auto body = client.call_json("POST", path, request.dump());
  if (!body) {
    if (body.error().code == vps::Errc::refused && !o.fingerprint.empty()) {
      return vps::fail(std::move(body).error().context("approve '" + o.host + "' refused"));
    }
    return vps::fail(std::move(body).error());
  }
  // Defence in depth: the endpoint compared, but the operator's tool checks the answer too.
  if (!o.fingerprint.empty() && body->value("fingerprint", "") != o.fingerprint) {
    return vps::fail(vps::Errc::integrity, "endpoint approved a different fingerprint than requested");
  }
  if (o.common.json) return vps::enroll::client::print_json(*body);
  std::printf("%s %s (%s)\n", body->value("changed", false) ? "approved" : "already approved", o.host.c_str(),
              vps::enroll::client::shown(*body, "fingerprint").c_str());
  if (o.fingerprint.empty()) std::puts("note: fingerprint not checked; pass --fingerprint to compare with the console");
  return 0;
}

const bool registered = vps::cli::register_command(22, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "approve", "Approve a host's published key", [o] { return run_approve(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  sub->add_option("--fingerprint", o->fingerprint, "Refuse unless the host's key has this fingerprint")
      ->option_text("SHA256:...");
  sub->add_flag("--replace", o->replace,
                "The key with --fingerprint (a re-provisioned instance's) replaces the host's key; the old key is retired");
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
