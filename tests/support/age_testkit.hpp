#pragma once
// Reading C2SP age testkit (CCTV) vectors: a header of "key: value" lines (expect, payload,
// identity, passphrase, armored, compressed, ...), a blank line, then the file (zlib-compressed
// when the header says so). Shared by the library test (tests/unit/formats/age) and the CLI
// test (tests/agent/decrypt), which both run every vector.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

#include <vps/base/bytes.hpp>

namespace vps::test::age_testkit {

struct Vector {
  std::string name;
  std::string expect;        // "success", "no match", "HMAC failure", "header failure", ...
  std::string payload_hash;  // hex SHA-256 of the plaintext released (success, payload failure)
  std::vector<std::string> identities;
  std::vector<std::string> passphrases;
  bool armored = false;
  bool compressed = false;
  Bytes file;
};

inline Bytes inflate_zlib(const Bytes& in) {
  Bytes out;
  z_stream zs{};
  REQUIRE(inflateInit(&zs) == Z_OK);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::uint8_t buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
  }
  inflateEnd(&zs);
  return out;
}

inline Vector load_vector(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Vector v;
  v.name = path.filename().string();
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = all.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    std::string line = all.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    std::size_t colon = line.find(": ");
    std::string key = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
    if (key == "expect") v.expect = value;
    else if (key == "payload") v.payload_hash = value;
    else if (key == "identity") v.identities.push_back(value);
    else if (key == "passphrase") v.passphrases.push_back(value);
    else if (key == "armored") v.armored = true;
    else if (key == "compressed") v.compressed = true;
  }
  v.file.assign(all.begin() + static_cast<std::ptrdiff_t>(pos), all.end());
  if (v.compressed) v.file = inflate_zlib(v.file);
  return v;
}

// Every vector file of the kit, sorted by name.
inline std::vector<std::filesystem::path> vector_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

inline constexpr std::size_t k_vector_count = 143;

}  // namespace vps::test::age_testkit
