#pragma once
// The event trace file: one JSON object per line (docs/trace-format.md).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "sim/trace/trace_bus.hpp"

namespace pairsim::sim {

class JsonlWriter : public TraceSink {
 public:
  // `path` "-": standard output.
  explicit JsonlWriter(const std::string& path) {
    if (path == "-") {
      out_ = &std::cout;
    } else {
      file_.open(path, std::ios::binary | std::ios::trunc);
      out_ = &file_;
    }
    buffer_.reserve(kBuffer + 4096);
  }
  ~JsonlWriter() override { flush(); }
  bool ok() const { return static_cast<bool>(*out_); }
  // Why a write failed (the system's word for it), after flush() returned false.
  const std::string& error() const { return error_; }
  // Lines gather in a buffer written in large pieces: a full trace writes one line for every message.
  void on_event(const TraceEvent& e) override {
    e.append_json(buffer_);
    buffer_ += '\n';
    if (buffer_.size() >= kBuffer) write_buffer();
  }
  // False when anything written so far failed to reach the file (a full disk, a closed pipe).
  bool flush() {
    write_buffer();
    out_->flush();
    if (!*out_ && error_.empty()) error_ = errno != 0 ? std::strerror(errno) : "write error";
    return static_cast<bool>(*out_);
  }

 private:
  static constexpr std::size_t kBuffer = 1 << 16;
  void write_buffer() {
    if (buffer_.empty()) return;
    errno = 0;
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    if (!*out_ && error_.empty()) error_ = errno != 0 ? std::strerror(errno) : "write error";
    buffer_.clear();
  }
  std::ofstream file_;
  std::ostream* out_ = nullptr;
  std::string error_;
  std::string buffer_;
};

}  // namespace pairsim::sim
