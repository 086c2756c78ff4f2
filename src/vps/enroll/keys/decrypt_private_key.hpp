#pragma once
// Decrypts a passphrase-protected OpenSSH ed25519 key (formats/openssh/encrypted_private_key:
// kdf "bcrypt", cipher "aes256-ctr" or "aes256-cbc") as ssh-keygen writes it.
//
// Why libssh: the key is derived with bcrypt_pbkdf, OpenBSD's Blowfish-based KDF, which
// neither libsodium nor OpenSSL provides (OpenSSL's deprecated Blowfish API does not expose
// the salted key schedule bcrypt needs); writing Blowfish and bcrypt_pbkdf here would be
// hand-written crypto. libssh 0.10 (Debian 12's libssh-4) carries OpenBSD's bcrypt_pbkdf and
// decrypts these files, so it does the cryptography -- with three precautions:
//  1. it only ever sees files our strict parser accepted first (libssh's own parsing is lax,
//     and it crashes on aes256-gcm@openssh.com keys, which we refuse before);
//  2. it runs in a child process: libssh leaves the decrypted private section and the derived
//     AES key in memory it frees without wiping (pki_container_openssh.c), and the child --
//     not dumpable -- takes that memory with it when it exits. The parent holds the
//     passphrase and the result only in wiping buffers;
//  3. what comes back (libssh's export of the key, unencrypted) is parsed by our strict
//     parser and must be the key the file names in the clear.
// Call it before the process starts threads (after fork the child uses malloc and OpenSSL);
// vps-enroll loads its key first.

#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/openssh/private_key.hpp>

namespace vps::enroll::keys {

// `text` is the whole key file. Errc::integrity when the passphrase does not decrypt it (a
// wrong passphrase, or a damaged file: the two cannot be told apart), and the errors of
// formats::openssh::parse_encrypted_private_key before anything is decrypted. Messages name
// source_name, never the passphrase.
Result<formats::openssh::Ed25519PrivateKey> decrypt_private_key(std::string_view text, std::string_view source_name,
                                                               ByteView passphrase);

}  // namespace vps::enroll::keys
