#pragma once
// CONTRACT between a CPU and the I/O controllers attached to it (io/controller.hpp). A controller is
// dual-ported: two CPUs are attached to it, and one of them owns it at a time; only the owner's operations
// are carried out. The CPU knows controllers through this interface only.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pairsim::cpu {

// One block operation on a volume (guest::disk::read / write), as the disk process asked for it.
struct DiskOp {
  std::uint32_t op = 0;
  std::uint32_t block = 0;
  std::vector<std::uint8_t> data;  // write: the block's bytes (one block)
};

// What a controller answers: status 0 or a file-system error (guest::fe), and for a read the block's bytes.
struct DiskDone {
  std::int32_t error = 0;
  std::vector<std::uint8_t> data;
};

class IoPort {
 public:
  virtual ~IoPort() = default;
  virtual int controller_id() const = 0;
  virtual const std::string& volume_name() const = 0;  // "$DATA"
  virtual bool is_up() const = 0;
  virtual int owner() const = 0;  // the CPU that owns the controller now
  // The attached CPU `cpu` takes the controller over (its other port's CPU is down, or its own controller
  // failed): false when the controller is down or `cpu` is not attached to it.
  virtual bool claim(int cpu) = 0;
  // Starts `op` for `cpu` at simulated time at_ns (the CPU's clock, which may be ahead of SystemC's). `done`
  // is called once, at the simulated time the operation ends (or fails: the controller failed, or `cpu`
  // does not own it), from a SystemC process.
  virtual void submit(int cpu, DiskOp op, std::uint64_t at_ns, std::function<void(DiskDone)> done) = 0;
};

}  // namespace pairsim::cpu
