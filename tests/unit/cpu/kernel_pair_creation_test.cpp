// A pair whose primary's CPU fails while its backup is being created: the CPU of the new backup must tell
// every destination table about it, or the survivors disagree — the backup's kernel takes over while the
// others drop the name as a lost pair and fail the requesters that were waiting to resend.
#include "guest/syscalls.hpp"
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
using pairsim::cpu::test::TestMachine;

namespace {

// $SRV: creates its backup in CPU 2, then serves: each request is answered with a count, exactly once.
const char* kServer = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
count:  .word 0
tag:    .word 0
msg:    .space 4
desc:   .word CKPT_STACK, 1, count, 1, 1, RECEIVE_FILE
        .code
main:   sys SYS_ISBACKUP
        jnz backup
        push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
        push 2
        sys SYS_NEWBACKUP
        drop
loop:   push RECEIVE_FILE
        push msg
        push 16
        sys SYS_READUPDATE
        drop
        sys SYS_LASTTAG
        dup
        store tag
        jz loop
        load count
        addi 1
        store count
        load tag
        push count
        push 4
        push 0
        sys SYS_SAVEREPLY
        drop
        push desc
        sys SYS_CHECKPOINT
        drop
        load tag
        push count
        push 4
        push 0
        sys SYS_REPLY
        drop
        jmp loop
backup: sys SYS_CHECKMONITOR     ; returns: the primary died before its first checkpoint: serve alone
        drop
        push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
        jmp loop
)";

// Sends 2 requests to $SRV on an open of sync depth 1, printing each reply or "error <result>".
const char* kClient = R"(
        include "sys.pasm"
        .data
sname:  .string "$SRV"
file:   .word 0
i:      .word 0
res:    .word 0
reply:  .word 0
err:    .string "error "
        .code
main:   push sname
        push sname.len
        push 1
        sys SYS_OPEN
        store file
loop:   load file
        push i
        push 4
        push reply
        push 4
        sys SYS_WRITEREAD
        dup
        store res
        push 4
        eq
        jz bad
        load reply
        sys SYS_PRINTNUM
        drop
        jmp next
bad:    push err
        push err.len
        load res
        sys SYS_PRINTS
        drop
next:   load i
        addi 1
        dup
        store i
        push 2
        lt
        jnz loop
        push 0
        sys SYS_STOP
)";

}  // namespace

TEST_CASE("the primary's CPU fails before its backup's creation is confirmed: every table promotes the backup",
          "[kernel][pair]") {
  KernelConfig cfg;
  cfg.heartbeat_ns = 10'000'000;
  TestMachine m(4, cfg);
  m.add_program("srv", kServer);
  m.add_program("cli", kClient);
  m.start(1, "srv", "$SRV");
  m.deliver();  // every CPU knows the name
  m.start(0, "cli");
  // Runs one kernel, call by call, until it has sent a message to `dst`.
  auto run_until_sent = [&](int cpu, int dst) {
    const auto sent = [&] {
      std::size_t n = 0;
      for (const auto& s : m.sent_log) n += s.src == cpu && s.dst == dst;
      return n;
    };
    const std::size_t before = sent();
    for (int i = 0; i < 100 && sent() == before; ++i) m.kernel(cpu).run(1000);
    REQUIRE(sent() > before);
  };
  run_until_sent(0, 1);  // the client's first request reaches CPU 1 ...
  m.deliver();
  run_until_sent(1, 2);  // ... where the server asks CPU 2 for its backup,
  m.fail(1);             // but its CPU fails before anything arrives (or the reply comes back)
  m.deliver();           // CPU 2 creates the backup; its reply to CPU 1 fails
  REQUIRE(m.count("process_start") == 3);
  CHECK(m.count("backup_created") == 0);  // the creator never heard of it
  m.run_for(2'000'000);
  m.declare_down(1);
  REQUIRE(m.run_until([&] { return m.output_of("").size() >= 2; }, 100'000'000));

  CHECK(m.output_of("") == std::vector<std::string>{"1", "2"});  // resent to the new primary, not failed
  CHECK(m.count("pair_lost") == 0);
  REQUIRE(m.count("takeover") == 1);
  CHECK(m.events_of("takeover")[0].get_int("to_cpu") == 2);
  for (int c : {0, 2, 3}) {
    const Destination* d = m.kernel(c).destinations().find("$SRV");
    REQUIRE(d != nullptr);
    CHECK(d->primary == make_pid(2, 2));
    CHECK(d->backup == kNoPid);
  }
}
