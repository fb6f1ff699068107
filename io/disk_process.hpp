#pragma once
// The disk process: the system process pair that serves one volume's files ($DATA), in the two CPUs
// attached to the volume's controllers. It is a process like a guest's (cpu/native_program.hpp): it reads
// file requests (cpu/kernel/file_protocol.hpp) from $RECEIVE, reaches the drives with diskio, and is a pair
// through the same CHECKPOINT / CHECKMONITOR / takeover as any guest pair. As Guardian's disk process does:
//   - reads and writes of a record by number are retryable: they are not checkpointed; after a takeover the
//     requester's file system resends them, with their sync ID, and the new primary does them again (the
//     same bytes to the same block);
//   - fappend and fcreate are not retryable (done twice, they would append twice or refuse the second
//     create): before touching the disk the primary saves the reply and checkpoints the operation with
//     $RECEIVE's sync block. A backup that takes over there finishes the operation from the checkpoint;
//     the resend is answered from the saved reply, so the record is appended once.
// The directory (kDirectoryBlocks blocks) is cached in the data space and read again after a takeover.
// docs/io.md, "The disk process", is the reader's description.
#include "cpu/native_program.hpp"

namespace pairsim::io {

class DiskProcess : public cpu::NativeProgram {
 public:
  // The name scenarios and newbackup know it by.
  static constexpr const char* kProgramName = "disk-process";
  DiskProcess();
  const guest::Program& image() const override { return image_; }
  cpu::RunResult run(cpu::ProcessState& ps, std::uint64_t budget) const override;
  // Reads, writes by record number, opens and refusals: done again on a resend. Only fappend's and fcreate's
  // saved replies stay in the sync block the pair checkpoints.
  bool replies_retryable() const override { return true; }
  bool serves_files() const override { return true; }

 private:
  guest::Program image_;
};

}  // namespace pairsim::io
