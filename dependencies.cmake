# Every dependency comes from a Debian 12 package; minimum versions are Debian 12's.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd>=252)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(SQLite3 3.40 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(tl-expected 1.0 REQUIRED)
find_package(Threads REQUIRED)
# Operator keys only (src/vps/enroll/keys, linked into vps-enroll): libssh decrypts
# passphrase-protected OpenSSH keys (bcrypt_pbkdf), libbsd's readpassphrase reads passphrases.
pkg_check_modules(LIBSSH REQUIRED IMPORTED_TARGET libssh>=0.10)
pkg_check_modules(LIBBSD REQUIRED IMPORTED_TARGET libbsd>=0.11)
