#pragma once
// The current instance's id, as firstboot can know it before the network is up: the DMI
// system-serial-number (/sys/class/dmi/id/product_serial; Linode puts the Linode ID there).

#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::identity {

// "" when unknown. id_source dmi: the file must hold a usable value (Errc::missing/io/malformed
// naming it otherwise). auto: DMI when usable, else "". metadata: "" (firstboot runs before
// the network; publish reports the metadata id instead). instance.dmi_path is used as given
// (already relocated under --root).
Result<std::string> read_instance_id(const config::Instance& instance);

// Trimmed value if it is a plausible id (printable ASCII, no spaces, <= 64 chars, not a BIOS
// placeholder like "Not Specified"); nullopt otherwise.
std::optional<std::string> usable_instance_id(std::string_view raw);

}  // namespace vps::host::identity
