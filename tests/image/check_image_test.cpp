// image-hooks/check-image: a good synthetic image passes; each incompatibility Linode or the
// capture rules care about is rejected with its own message, and all of them are listed at once.
#include <doctest/doctest.h>

#include "image_tree.hpp"

using namespace vps::test;
using namespace vps::test::image;

namespace {

constexpr int k_exit_problems = 65;

std::string messages(const CheckResult& result) { return result.report.at("problems").dump(); }

}  // namespace

TEST_SUITE("image-hooks::check-image") {

TEST_CASE("accepts a good image made by install-agent and prepare-capture") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  auto result = check_image(tree.gz("good.img"));
  INFO(result.report.dump(2));
  CHECK(result.exit_code == 0);
  CHECK(result.report.at("ok") == true);
  CHECK(result.report.at("problems").empty());
  CHECK(result.report.at("filesystem") == "ext4");
  CHECK(result.report.at("kernel") == "vmlinuz-6.1.0-99-amd64");
}

TEST_CASE("rejects xz and uncompressed images, naming the compression") {
  VPS_REQUIRE_IMAGE_TOOLS();
  VPS_REQUIRE_PROGRAM(xz, "xz");
  TempDir tmp;
  ImageTree tree(tmp);
  auto raw = tree.raw("plain.img");
  auto plain = check_image(raw);
  CHECK(plain.exit_code == k_exit_problems);
  REQUIRE(problems_of(plain, "compression").size() == 1);
  CHECK(problems_of(plain, "compression")[0].at("message").get<std::string>().find("uncompressed") != std::string::npos);
  CHECK(problems_of(plain, "compression")[0].at("fix").get<std::string>().find("gzip") != std::string::npos);

  REQUIRE(run({xz.string(), "-k", "-T1", raw.string()}).exit_code == 0);
  auto xzed = check_image(raw.string() + ".xz");
  CHECK(xzed.exit_code == k_exit_problems);
  REQUIRE(problems_of(xzed, "compression").size() == 1);
  CHECK(problems_of(xzed, "compression")[0].at("message").get<std::string>().find("is xz") != std::string::npos);
  // Only the compression is wrong: the contents were still checked and found fine.
  CHECK(xzed.report.at("problems").size() == 1);
}

TEST_CASE("rejects a partitioned disk") {
  VPS_REQUIRE_IMAGE_TOOLS();
  VPS_REQUIRE_PROGRAM(sfdisk, "sfdisk");
  TempDir tmp;
  ImageTree tree(tmp);
  auto raw = tree.raw("disk.img");
  ProcessOptions table;
  table.stdin_data = "start=2048, type=83\n";
  auto partitioned = run({sfdisk.string(), "-q", raw.string()}, table);
  INFO(partitioned.err);
  REQUIRE(partitioned.exit_code == 0);
  REQUIRE(run({"gzip", "-n", raw.string()}).exit_code == 0);
  auto result = check_image(raw.string() + ".gz");
  CHECK(result.exit_code == k_exit_problems);
  REQUIRE(problems_of(result, "partitions").size() == 1);
  CHECK(problems_of(result, "partitions")[0].at("message").get<std::string>().find("partition table (dos)") !=
        std::string::npos);
}

TEST_CASE("rejects a FAT filesystem") {
  VPS_REQUIRE_IMAGE_TOOLS();
  VPS_REQUIRE_PROGRAM(mkfs_vfat, "mkfs.vfat");
  TempDir tmp;
  auto raw = tmp / "fat.img";
  REQUIRE(run({mkfs_vfat.string(), "-C", raw.string(), "16384"}).exit_code == 0);
  REQUIRE(run({"gzip", "-n", raw.string()}).exit_code == 0);
  auto result = check_image(raw.string() + ".gz");
  CHECK(result.exit_code == k_exit_problems);
  REQUIRE(problems_of(result, "filesystem").size() == 1);
  CHECK(problems_of(result, "filesystem")[0].at("message").get<std::string>().find("vfat") != std::string::npos);
  CHECK(problems_of(result, "partitions").empty());  // a FAT boot sector is not a partition table
}

TEST_CASE("rejects ext2 but still checks its contents") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  fs::remove(tree / "boot/grub/grub.cfg");
  auto result = check_image(tree.gz("ext2.img", "mkfs.ext2"));
  CHECK(result.exit_code == k_exit_problems);
  REQUIRE(problems_of(result, "filesystem").size() == 1);
  CHECK(problems_of(result, "filesystem")[0].at("message").get<std::string>().find("ext2") != std::string::npos);
  CHECK(problems_of(result, "grub").size() == 1);
}

TEST_CASE("rejects a kernel command line without the serial console") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  auto cfg = read_text(tree / "boot/grub/grub.cfg");
  cfg.replace(cfg.find(" console=ttyS0,19200n8"), 22, "");
  write_text(tree / "boot/grub/grub.cfg", cfg);
  auto result = check_image(tree.gz("noconsole.img"));
  CHECK(result.exit_code == k_exit_problems);
  REQUIRE(problems_of(result, "serial-console").size() == 1);
  auto problem = problems_of(result, "serial-console")[0];
  CHECK(problem.at("where") == "/boot/grub/grub.cfg");
  CHECK(problem.at("fix").get<std::string>().find("console=ttyS0,19200n8") != std::string::npos);
}

TEST_CASE("rejects leftover ssh host keys, one message per key") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  write_text(tree / "etc/ssh/ssh_host_ed25519_key", "leftover\n");
  write_text(tree / "etc/ssh/ssh_host_rsa_key.pub", "leftover\n");
  auto result = check_image(tree.gz("hostkeys.img"));
  CHECK(result.exit_code == k_exit_problems);
  auto keys = problems_of(result, "host-keys");
  REQUIRE(keys.size() == 2);
  CHECK(messages(result).find("/etc/ssh/ssh_host_ed25519_key") != std::string::npos);
  CHECK(messages(result).find("/etc/ssh/ssh_host_rsa_key.pub") != std::string::npos);
  CHECK(keys[0].at("fix").get<std::string>().find("prepare-capture") != std::string::npos);
}

TEST_CASE("rejects a non-empty or missing machine-id") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  write_text(tree / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  auto filled = check_image(tree.gz("machineid.img"));
  CHECK(filled.exit_code == k_exit_problems);
  REQUIRE(problems_of(filled, "machine-id").size() == 1);
  CHECK(problems_of(filled, "machine-id")[0].at("message").get<std::string>().find("not empty (33 bytes)") !=
        std::string::npos);

  fs::remove(tree / "etc/machine-id");
  auto missing = check_image(tree.gz("nomachineid.img"));
  REQUIRE(problems_of(missing, "machine-id").size() == 1);
  CHECK(problems_of(missing, "machine-id")[0].at("message").get<std::string>().find("missing") != std::string::npos);
}

TEST_CASE("lists every problem, not only the first") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  fs::remove(tree / "boot/initrd.img-6.1.0-99-amd64");
  fs::remove(tree / "etc/systemd/system/multi-user.target.wants/vps-agent-publish.service");
  write_text(tree / "etc/ssh/ssh_host_ecdsa_key", "leftover\n");
  write_text(tree / "etc/machine-id", "x\n");
  write_text(tree / "var/lib/vps-agent/state.json", "{}\n");
  auto result = check_image(tree.gz("many.img"));
  INFO(result.report.dump(2));
  CHECK(result.exit_code == k_exit_problems);
  for (const char* check : {"initrd", "grub", "units", "host-keys", "machine-id", "agent-state"})
    CHECK_MESSAGE(problems_of(result, check).size() == 1, check);
  // The human-readable form says what, where and how to fix, on stderr.
  auto human = run({"bash", hook("check-image").string(), (tmp / "many.img.gz").string()});
  CHECK(human.exit_code == k_exit_problems);
  CHECK(human.err.find("problem [units] /etc/systemd/system/multi-user.target.wants/vps-agent-publish.service") !=
        std::string::npos);
  CHECK(human.err.find("fix: systemctl --root=ROOT enable vps-agent-publish.service") != std::string::npos);
  CHECK(human.err.find("6 problem(s)") != std::string::npos);
}

TEST_CASE("usage errors have their own exit codes") {
  TempDir tmp;
  CHECK(run({"bash", hook("check-image").string()}).exit_code == 64);
  CHECK(run({"bash", hook("check-image").string(), (tmp / "absent.img.gz").string()}).exit_code == 66);
  auto help = run({"bash", hook("check-image").string(), "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("console=ttyS0,19200n8") != std::string::npos);
}

}  // TEST_SUITE
