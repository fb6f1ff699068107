#include "cpu/membership/regroup_message.hpp"

namespace pairsim::cpu {

namespace {

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v & 0xFF);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

}  // namespace

std::vector<std::uint8_t> RegroupMessage::encode() const {
  std::vector<std::uint8_t> b(kBytes, 0);
  b[0] = kTag;
  b[1] = kVersion;
  put16(&b[2], static_cast<std::uint16_t>(round & 0xFFFF));
  put16(&b[4], static_cast<std::uint16_t>(round >> 16));
  put16(&b[6], sender_membership);
  put16(&b[8], membership_union);
  put16(&b[10], joiners);
  for (int i = 0; i < kMaxCpus; ++i) put16(&b[12 + 2 * i], rows[i]);
  return b;
}

std::optional<RegroupMessage> RegroupMessage::parse(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() != kBytes || bytes[0] != kTag || bytes[1] != kVersion) return std::nullopt;
  RegroupMessage m;
  m.round = static_cast<std::uint32_t>(get16(&bytes[2])) | (static_cast<std::uint32_t>(get16(&bytes[4])) << 16);
  m.sender_membership = get16(&bytes[6]);
  m.membership_union = get16(&bytes[8]);
  m.joiners = get16(&bytes[10]);
  if (m.round == 0 && m.sender_membership != 0) return std::nullopt;
  for (int i = 0; i < kMaxCpus; ++i) {
    m.rows[i] = get16(&bytes[12 + 2 * i]);
    if (m.rows[i] != 0 && !has_cpu(m.rows[i], i)) return std::nullopt;
  }
  return m;
}

}  // namespace pairsim::cpu
