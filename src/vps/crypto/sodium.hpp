#pragma once
// libsodium must be initialised once before use; every wrapper here calls ensure_sodium().

namespace vps::crypto {
void ensure_sodium();
}
