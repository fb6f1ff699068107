#pragma once
// The event trace file: one JSON object per line (docs/trace-format.md).
#include <fstream>
#include <string>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

class JsonlWriter : public TraceSink {
 public:
  explicit JsonlWriter(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc) {
    buffer_.reserve(kBuffer + 4096);
  }
  ~JsonlWriter() override { flush(); }
  bool ok() const { return static_cast<bool>(out_); }
  // Lines gather in a buffer written in large pieces: a full trace writes one line for every message.
  void on_event(const TraceEvent& e) override {
    e.append_json(buffer_);
    buffer_ += '\n';
    if (buffer_.size() >= kBuffer) write_buffer();
  }
  void flush() {
    write_buffer();
    out_.flush();
  }

 private:
  static constexpr std::size_t kBuffer = 1 << 16;
  void write_buffer() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  std::ofstream out_;
  std::string buffer_;
};

}  // namespace pairsim::sim
