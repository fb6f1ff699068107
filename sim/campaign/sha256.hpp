#pragma once
// SHA-256 (FIPS 180-4), to name a scenario file's content in a campaign's campaign.json: the hex digest is
// the one `sha256sum` prints, so a reader can check it by hand.
#include <string>
#include <string_view>

namespace pairsim::sim {

// The 64 lower-case hex digits of the SHA-256 digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace pairsim::sim
