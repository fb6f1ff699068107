// The disk process and the file system calls, on kernels joined by the plain C++ test machine (no SystemC):
// a volume whose operations finish at once, a client program that uses the file calls, and the faults that
// matter to the promise — the disk process's primary failing in the middle of appends and writes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "../cpu/kernel_test_machine.hpp"
#include "guest/syscalls.hpp"
#include "io/disk_process.hpp"
#include "io/volume_layout.hpp"

namespace pairsim::io {
namespace {

using cpu::test::TestMachine;

// Appends N records (record i holds i * 7 in its first word), writes record 1 again as 1000, then reads the
// file back: "n R" for each append's record number, then "records K" and "r V" for each record.
const char* kClient = R"(
        include "sys.pasm"
        .data
name:   .string "$DATA.LOG"
recmsg: .string "n "
cntmsg: .string "records "
valmsg: .string "r "
errmsg: .string "error "
file:   .word 0
i:      .word 0
n:      .word 0
val:    .word 0
        .code
main:   push 0
        sys SYS_GETARG
        store n
        push name
        push name.len
        push 4
        push 64
        sys SYS_FCREATE
        dup
        jz .made
        dup
        push -FE_FILEEXISTS
        eq
        jz fail
.made:  drop
        push name
        push name.len
        sys SYS_FOPEN
        dup
        store file
        push 0
        lt
        jnz .openerr
.app:   load i
        load n
        lt
        jz .rewrite
        load i
        push 7
        mul
        store val
        load file
        push val
        push 4
        sys SYS_FAPPEND
        dup
        push 0
        lt
        jnz fail
        store val
        push recmsg
        push recmsg.len
        load val
        sys SYS_PRINTS
        drop
        push 200
        sys SYS_DELAY
        drop
        load i
        addi 1
        store i
        jmp .app
.rewrite:
        push 1000
        store val
        load file
        push 1
        push val
        push 4
        sys SYS_FWRITE
        dup
        jnz fail
        drop
        load file
        sys SYS_FINFO
        dup
        store n
        push cntmsg
        push cntmsg.len
        load n
        sys SYS_PRINTS
        drop
        drop
        push 0
        store i
.read:  load i
        load n
        lt
        jz .end
        load file
        load i
        push val
        push 4
        sys SYS_FREAD
        push 4
        ne
        jnz .readerr
        push valmsg
        push valmsg.len
        load val
        sys SYS_PRINTS
        drop
        load i
        addi 1
        store i
        jmp .read
.end:   push 0
        sys SYS_STOP
.openerr:
        load file
        jmp fail
.readerr:
        push -1
fail:   store val
        push errmsg
        push errmsg.len
        load val
        sys SYS_PRINTS
        drop
        push 1
        sys SYS_STOP
)";

struct Rig {
  DiskProcess dp;
  Volume volume = new_volume("$DATA", true, 1024);
  TestMachine m{4};
  std::vector<int> attached{2, 3};
  int operations = 0;
  bool volume_out = false;   // both controllers out: every operation fails, the volume may come back
  bool drives_dead = false;  // both drives down: every operation fails for good

  Rig() {
    m.add_native(DiskProcess::kProgramName, dp);
    m.io = [this](int cpu, const std::string& name, const cpu::DiskOp& op) -> std::optional<cpu::DiskDone> {
      if (name != "$DATA" || std::find(attached.begin(), attached.end(), cpu) == attached.end()) return std::nullopt;
      ++operations;
      cpu::DiskDone d;
      if (volume_out || drives_dead) {
        d.error = drives_dead ? guest::fe::volume_down : guest::fe::path_down;
        return d;
      }
      if (op.op == guest::disk::read) {
        d.data.assign(kBlockBytes, 0);
        volume.read(op.block, d.data.data(), m.now);
      } else {
        std::vector<std::uint8_t> b = op.data;
        b.resize(kBlockBytes, 0);
        volume.write(op.block, b.data(), m.now);
      }
      return d;
    };
    m.add_program("client", kClient);
    m.start(2, DiskProcess::kProgramName, "$DATA", {3});
    m.run_for(2'000'000);
  }
  std::vector<std::string> client_output() const { return m.output_of("$CLI"); }
  bool client_done() const {
    for (const auto& e : m.events_of("process_stop"))
      if (e.get_str("process") == std::string("$CLI")) return true;
    return false;
  }
};

std::vector<std::string> expected_output(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("n " + std::to_string(i));
  out.push_back("records " + std::to_string(n));
  for (int i = 0; i < n; ++i) out.push_back("r " + std::to_string(i == 1 ? 1000 : i * 7));
  return out;
}

TEST_CASE("files: create, append, write and read through the disk process pair", "[io][disk_process]") {
  Rig r;
  CHECK(r.m.count("takeover") == 0);
  r.m.start(0, "client", "$CLI", {6});
  REQUIRE(r.m.run_until([&] { return r.client_done(); }, 500'000'000));
  CHECK(r.client_output() == expected_output(6));
  CHECK(r.volume.mirrors_equal());
}

TEST_CASE("files: fcreate of a file that exists, fopen of one that does not", "[io][disk_process]") {
  Rig r;
  r.m.start(0, "client", "$CLI", {2});
  REQUIRE(r.m.run_until([&] { return r.client_done(); }, 500'000'000));
  // A second client finds the file there (FE_FILEEXISTS is fine for it) and appends after the first's.
  r.m.start(1, "client", "$CLI2", {1});
  REQUIRE(r.m.run_until([&] { return r.m.output_of("$CLI2").size() >= 2; }, 500'000'000));
  CHECK(r.m.output_of("$CLI2").at(0) == "n 2");
  CHECK(r.m.output_of("$CLI2").at(1) == "records 3");
}

TEST_CASE("files: the disk process's CPU fails at any moment; every append is done once", "[io][disk_process]") {
  // The failure comes after a number of steps that walks over every phase of an append: the request on its
  // way, the checkpoint, the record's write, the directory's write, the reply.
  for (int steps = 0; steps < 60; steps += 3) {
    CAPTURE(steps);
    Rig r;
    r.m.start(0, "client", "$CLI", {8});
    for (int s = 0; s < steps; ++s) r.m.step();
    r.m.fail_and_declare(2);
    r.attached = {3};
    REQUIRE(r.m.run_until([&] { return r.client_done(); }, 2'000'000'000));
    CHECK(r.client_output() == expected_output(8));
    CHECK(r.m.count("takeover") == 1);
  }
}

TEST_CASE("files: the volume out for a while under appends; nothing lost, nothing twice, no error",
          "[io][disk_process]") {
  // The outage starts at every phase of an append; sometimes the disk process's CPU fails during it too.
  for (int steps = 0; steps < 40; steps += 3) {
    for (bool fail : {false, true}) {
      CAPTURE(steps, fail);
      Rig r;
      r.m.start(0, "client", "$CLI", {6});
      for (int s = 0; s < steps; ++s) r.m.step();
      r.volume_out = true;
      for (int s = 0; s < 50; ++s) r.m.step();
      if (fail) {
        r.m.fail_and_declare(2);
        r.attached = {3};
        for (int s = 0; s < 50; ++s) r.m.step();
      }
      r.volume_out = false;
      REQUIRE(r.m.run_until([&] { return r.client_done(); }, 2'000'000'000));
      CHECK(r.client_output() == expected_output(6));
    }
  }
}

// Appends a 4 KiB record, reads it back, waits for the others to do the same, then appends again: "ok" or
// "error N".
const char* kBigClient = R"(
        include "sys.pasm"
        .data
name:   .string "$DATA.BIG"
okmsg:  .string "ok"
errmsg: .string "error "
file:   .word 0
val:    .word 0
buf:    .space 1024
        .code
main:   push name
        push name.len
        push 4096
        push 64
        sys SYS_FCREATE
        drop
        push name
        push name.len
        sys SYS_FOPEN
        dup
        store file
        push 0
        lt
        jnz fail0
        load file
        push buf
        push 4096
        sys SYS_FAPPEND
        dup
        push 0
        lt
        jnz fail
        drop
        load file
        push 0
        push buf
        push 4096
        sys SYS_FREAD
        dup
        push 0
        lt
        jnz fail
        drop
        push 200000
        sys SYS_DELAY
        drop
        load file
        push buf
        push 4096
        sys SYS_FAPPEND
        dup
        push 0
        lt
        jnz fail
        drop
        push okmsg
        push okmsg.len
        sys SYS_PRINT
        drop
        push 0
        sys SYS_STOP
fail0:  load file
fail:   store val
        push errmsg
        push errmsg.len
        load val
        sys SYS_PRINTS
        drop
        push 1
        sys SYS_STOP
)";

TEST_CASE("files: many openers reading whole records do not crowd the disk process's checkpoints",
          "[io][disk_process]") {
  // A read is retryable: its reply need not be kept in $RECEIVE's sync block, which the disk process
  // checkpoints with every append. Twenty readers of 4 KiB records would otherwise make that checkpoint
  // larger than a checkpoint may be, and the next append would be refused.
  Rig r;
  r.m.add_program("big", kBigClient);
  constexpr int kClients = 20;
  for (int i = 0; i < kClients; ++i) r.m.start(i % 2, "big", "$B" + std::to_string(i));
  REQUIRE(r.m.run_until([&] { return r.m.count("process_stop") >= kClients; }, 2'000'000'000));
  for (int i = 0; i < kClients; ++i) CHECK(r.m.output_of("$B" + std::to_string(i)) == std::vector<std::string>{"ok"});
}

TEST_CASE("files: both drives lost under appends; every request answered, no append done twice",
          "[io][disk_process]") {
  // With no drive left the volume cannot come back: a checkpointed append is given up and answered
  // FE_VOLUMEDOWN rather than waited on for ever. The loss comes at every phase of an append, and sometimes
  // the disk process's CPU fails after it.
  for (int steps = 0; steps < 40; steps += 3) {
    for (bool fail : {false, true}) {
      CAPTURE(steps, fail);
      Rig r;
      r.m.start(0, "client", "$CLI", {6});
      for (int s = 0; s < steps; ++s) r.m.step();
      r.drives_dead = true;
      if (fail) {
        for (int s = 0; s < 5; ++s) r.m.step();
        r.m.fail_and_declare(2);
        r.attached = {3};
      }
      REQUIRE(r.m.run_until([&] { return r.client_done(); }, 2'000'000'000));
      const auto out = r.client_output();
      REQUIRE(!out.empty());
      // The appends acknowledged before the loss, in order and once each, then the error.
      for (std::size_t i = 0; i + 1 < out.size(); ++i) CHECK(out[i] == "n " + std::to_string(i));
      CHECK(out.back() == "error " + std::to_string(-guest::fe::volume_down));
    }
  }
}

TEST_CASE("files: file calls go to volumes only, process opens to processes only", "[io][disk_process]") {
  Rig r;
  r.m.add_program("mixup", R"(
        include "sys.pasm"
        .data
proc:   .string "$MIX.LOG"
vol:    .string "$DATA"
        .code
main:   push proc                ; a file on a process: not a volume
        push proc.len
        sys SYS_FOPEN
        sys SYS_PRINTNUM
        push vol                 ; a volume opened as a process
        push vol.len
        push 1
        sys SYS_OPEN
        sys SYS_PRINTNUM
        push 0
        sys SYS_STOP
)");
  r.m.start(0, "mixup", "$MIX");
  r.m.run_for(1'000'000);
  const std::string invalid = std::to_string(-guest::fe::invalid_op);
  CHECK(r.m.output_of("$MIX") == std::vector<std::string>{invalid, invalid});
}

TEST_CASE("files: a guest may not call diskio", "[io][disk_process]") {
  Rig r;
  r.m.add_program("sneak", R"(
        include "sys.pasm"
        .data
buf:    .space 1024
        .code
main:   push 1
        push 0
        push buf
        push 1024
        sys SYS_DISKIO
        sys SYS_PRINTNUM
        push 0
        sys SYS_STOP
)");
  r.m.start(2, "sneak", "$SNEAK");
  r.m.run_for(1'000'000);
  CHECK(r.m.output_of("$SNEAK") == std::vector<std::string>{std::to_string(-guest::fe::invalid_op)});
}

}  // namespace
}  // namespace pairsim::io
