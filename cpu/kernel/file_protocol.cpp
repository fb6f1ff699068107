#include "cpu/kernel/file_protocol.hpp"

#include "guest/little_endian.hpp"
#include "guest/process_name.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace {
constexpr auto put32 = guest::append_le32;
constexpr auto get32 = guest::load_le32;
}  // namespace

std::vector<std::uint8_t> encode(const FileRequest& r) {
  std::vector<std::uint8_t> out;
  out.reserve(kFileRequestHeader + r.file.size() + r.data.size());
  out.push_back('F');
  out.push_back(static_cast<std::uint8_t>(r.op));
  out.push_back(static_cast<std::uint8_t>(r.file.size()));
  out.insert(out.end(), r.file.begin(), r.file.end());
  put32(out, r.record);
  put32(out, r.record_bytes);
  put32(out, r.max_records);
  out.insert(out.end(), r.data.begin(), r.data.end());
  return out;
}

std::optional<FileRequest> decode_file_request(const std::uint8_t* b, std::size_t n) {
  if (n < kFileRequestHeader || b[0] != 'F' || b[1] < 1 || b[1] > 6) return std::nullopt;
  FileRequest r;
  r.op = static_cast<FileOp>(b[1]);
  const std::size_t name = b[2];
  if (n < kFileRequestHeader + name) return std::nullopt;
  r.file.assign(reinterpret_cast<const char*>(b + 3), name);
  const std::uint8_t* p = b + 3 + name;
  r.record = get32(p);
  r.record_bytes = get32(p + 4);
  r.max_records = get32(p + 8);
  const std::size_t data = n - kFileRequestHeader - name;
  if (data > guest::kMaxRecordBytes) return std::nullopt;
  r.data.assign(p + 12, p + 12 + data);
  return r;
}

bool split_file_name(const std::string& full, std::string& volume, std::string& file) {
  const auto dot = full.find('.');
  if (dot == std::string::npos) return false;
  volume = full.substr(0, dot);
  file = full.substr(dot + 1);
  return guest::is_process_name(volume) && !file.empty() && file.size() <= 8;
}

}  // namespace pairsim::cpu
