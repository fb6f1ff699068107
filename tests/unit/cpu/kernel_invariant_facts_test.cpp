// What the kernel tells the run's invariants (sim/report/invariants.hpp): the number of each checkpoint on
// its primary-backup link, how many the backup had applied when it took over, a reply that leaves before
// the backup holds the state behind it (`reply_ahead`), and the writereads still waiting for an answer.
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
using pairsim::cpu::test::TestMachine;

namespace {

// A counting server pair. Its state is one checkpointed buffer: the count, a note, and the reply it gives
// (the reply buffer lives inside the checkpointed data, as bank.pasm's does). Request [1] adds one to the
// count; request [0] only reads it; request [2] writes the note and answers without a checkpoint. Arguments: 0 the
// backup's CPU, 1 the order of a change's steps — 0 the right one (savereply, checkpoint, reply), 1 a wrong one (reply,
// pause, checkpoint), 2 another (checkpoint, pause, reply: no saved reply), 3 a right one with a second checkpoint,
// without $RECEIVE, of a change made after the first —, 2 the pause in µs.
const char* kServer = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
tag:    .word 0
req:    .space 4
state:
count:  .word 0
note:   .word 0
rep:    .word 0
desc:   .word CKPT_STACK, 1, state, 3, 1, RECEIVE_FILE
desc2:  .word 0, 1, state, 3, 0
        .code
main:   sys SYS_ISBACKUP
        jz primary
        sys SYS_CHECKMONITOR
        drop
primary:
        push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
        push 0
        sys SYS_GETARG
        sys SYS_NEWBACKUP
        drop
        push RECEIVE_FILE
        sys SYS_CHECKOPEN
        drop
        push desc
        sys SYS_CHECKPOINT
        drop
loop:   push RECEIVE_FILE
        push req
        push 16
        sys SYS_READUPDATE
        drop
        sys SYS_LASTTAG
        dup
        store tag
        jz loop
        load req
        jz query
        load req
        push 2
        eq
        jnz noted
        load count
        addi 1
        dup
        store count
        store rep
        push 1
        sys SYS_GETARG
        dup
        push 2
        eq
        jnz nosave
        dup
        push 3
        eq
        jnz twice
        jnz wrong
        load tag
        push rep
        push 4
        push 0
        sys SYS_SAVEREPLY
        drop
        push desc
        sys SYS_CHECKPOINT
        drop
        load tag
        push rep
        push 4
        push 0
        sys SYS_REPLY
        drop
        jmp loop
twice:  drop
        load tag
        push rep
        push 4
        push 0
        sys SYS_SAVEREPLY
        drop
        push desc
        sys SYS_CHECKPOINT
        drop
        load note
        addi 1
        store note
        push desc2
        sys SYS_CHECKPOINT
        drop
        load tag
        push rep
        push 4
        push 0
        sys SYS_REPLY
        drop
        jmp loop
nosave: drop
        push desc
        sys SYS_CHECKPOINT
        drop
        push 2
        sys SYS_GETARG
        sys SYS_DELAY
        drop
        load tag
        push rep
        push 4
        push 0
        sys SYS_REPLY
        drop
        jmp loop
wrong:  load tag
        push rep
        push 4
        push 0
        sys SYS_REPLY
        drop
        push 2
        sys SYS_GETARG
        sys SYS_DELAY
        drop
        push desc
        sys SYS_CHECKPOINT
        drop
        jmp loop
noted:  load note
        addi 1
        store note
query:  load count
        addi 1000
        store rep
        load tag
        push rep
        push 4
        push 0
        sys SYS_REPLY
        drop
        jmp loop
)";

// Sends argument 0 requests [argument 1] to $SRV, one every argument 2 µs, and prints each answer.
const char* kClient = R"(
        include "sys.pasm"
        .data
name:   .string "$SRV"
file:   .word 0
i:      .word 0
req:    .word 0
reply:  .word 0
        .code
main:   push 1
        sys SYS_GETARG
        store req
        push name
        push name.len
        push 1
        sys SYS_OPEN
        store file
loop:   load file
        push req
        push 4
        push reply
        push 4
        sys SYS_WRITEREAD
        drop
        load reply
        sys SYS_PRINTNUM
        drop
        push 2
        sys SYS_GETARG
        sys SYS_DELAY
        drop
        load i
        addi 1
        dup
        store i
        push 0
        sys SYS_GETARG
        lt
        jnz loop
        push 0
        sys SYS_STOP
)";

// Reads requests and never answers.
const char* kMute = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
buf:    .space 4
        .code
main:   push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
loop:   push RECEIVE_FILE
        push buf
        push 16
        sys SYS_READUPDATE
        drop
        jmp loop
)";

KernelConfig config() {
  KernelConfig cfg;
  cfg.heartbeat_ns = 10'000'000;
  return cfg;
}

struct Pair {
  TestMachine m{4, config()};
  Pair(int order, int pause_us) {
    m.add_program("srv", kServer);
    m.add_program("cli", kClient);
    m.start(1, "srv", "$SRV", {2, order, pause_us});
    REQUIRE(m.run_until([&] { return m.count("checkpoint") == 1; }, 50'000'000));
    m.run_for(1'000'000);
  }
  void client(int requests, int kind, int pause_us) { m.start(0, "cli", "", {requests, kind, pause_us}); }
  bool wait_lines(std::size_t n) {
    return m.run_until([&] { return m.output_of("").size() >= n; }, 500'000'000);
  }
};

std::vector<std::int64_t> ints(const std::vector<pairsim::sim::TraceEvent>& events, const char* key) {
  std::vector<std::int64_t> out;
  for (const auto& e : events) out.push_back(e.get_int(key).value_or(-1));
  return out;
}

}  // namespace

TEST_CASE("checkpoints are numbered on their link; the takeover says how many the backup applied",
          "[kernel][invariants]") {
  Pair p(0, 0);
  p.client(4, 1, 0);
  REQUIRE(p.wait_lines(4));
  CHECK(ints(p.m.events_of("checkpoint"), "seq") == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  CHECK(p.m.kernel(2).process(2)->checkpoints_applied == 5);
  p.m.fail_and_declare(1);
  auto to = p.m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_int("checkpoints") == 5);
}

TEST_CASE("savereply, checkpoint, reply: no reply leaves ahead of the backup, reads included", "[kernel][invariants]") {
  Pair p(0, 0);
  p.client(3, 1, 0);
  REQUIRE(p.wait_lines(3));
  // Reads change nothing the backup lacks but the reply buffer itself, which is the answer, not state.
  p.client(3, 0, 0);
  REQUIRE(p.wait_lines(6));
  CHECK(p.m.output_of("") == std::vector<std::string>{"1", "2", "3", "1003", "1003", "1003"});
  CHECK(p.m.count("reply_ahead") == 0);
}

TEST_CASE("only what a request changes puts its reply ahead of the backup", "[kernel][invariants]") {
  Pair p(0, 0);
  p.client(1, 2, 0);  // changes the note and answers: the backup lacks what this reply stands on
  REQUIRE(p.wait_lines(1));
  REQUIRE(p.m.count("reply_ahead") == 1);
  CHECK(p.m.events_of("reply_ahead")[0].get_int("checkpoints") == 1);
  // A read after it: the backup still lacks the note, but this request did not change it.
  p.client(2, 0, 0);
  REQUIRE(p.wait_lines(3));
  CHECK(p.m.count("reply_ahead") == 1);
  // A change checkpointed before its reply: nothing ahead, and the note goes along.
  p.client(1, 1, 0);
  REQUIRE(p.wait_lines(4));
  CHECK(p.m.count("reply_ahead") == 1);
  CHECK(p.m.output_of("") == std::vector<std::string>{"1000", "1000", "1000", "1"});
}

TEST_CASE("a reply before the checkpoint is ahead of the backup; a takeover in the window is stale",
          "[kernel][invariants]") {
  Pair p(1, 3000);
  p.client(5, 1, 0);
  REQUIRE(p.wait_lines(3));  // reply 3 has left; its checkpoint waits out the pause
  auto ahead = p.m.events_of("reply_ahead");
  REQUIRE(ahead.size() == 3);
  // Each reply needed one checkpoint more than its primary had sent: the first after the initial one.
  CHECK(ints(ahead, "checkpoints") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(ints(ahead, "sync_id") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(ahead[0].get_str("pair") == "$SRV");
  CHECK(ahead[0].get_int("backup_cpu") == 2);
  CHECK(ahead[0].get_str("to") == "0,2");
  p.m.fail_and_declare(1);
  auto to = p.m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_int("checkpoints") == 3);  // short of the 4 that reply 3 needed
  // And the loss is real: the backup counts from 2 again.
  REQUIRE(p.wait_lines(5));
  CHECK(p.m.output_of("") == std::vector<std::string>{"1", "2", "3", "3", "4"});
}

TEST_CASE("a checkpoint with a request's work but not its reply is traced; a takeover after it does it twice",
          "[kernel][invariants]") {
  Pair p(2, 3000);
  p.client(5, 1, 0);
  REQUIRE(p.wait_lines(3));
  p.m.run_for(1'000'000);  // request 4 is done and checkpointed; its reply waits out the pause
  auto unsaved = p.m.events_of("checkpoint_unsaved");
  REQUIRE(unsaved.size() == 4);
  CHECK(ints(unsaved, "sync_id") == std::vector<std::int64_t>{1, 2, 3, 4});
  CHECK(ints(unsaved, "checkpoint") == std::vector<std::int64_t>{2, 3, 4, 5});
  CHECK(unsaved[0].get_str("pair") == "$SRV");
  CHECK(unsaved[0].get_str("to") == "0,2");
  CHECK(unsaved[0].get_int("backup_cpu") == 2);
  CHECK(p.m.count("reply_ahead") == 0);  // no reply leaves ahead of its work: the other mistake
  p.m.fail_and_declare(1);
  auto to = p.m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_int("checkpoints") == 5);  // the backup has request 4's work, and no reply for it
  REQUIRE(p.wait_lines(5));
  CHECK(p.m.count("duplicate") == 0);
  CHECK(p.m.output_of("") == std::vector<std::string>{"1", "2", "3", "5", "6"});  // 4 was done twice
}

TEST_CASE("savereply before the checkpoint: no checkpoint is without its reply", "[kernel][invariants]") {
  Pair p(0, 0);
  p.client(4, 1, 0);
  REQUIRE(p.wait_lines(4));
  p.client(1, 2, 0);  // a change answered without any checkpoint: ahead, but no checkpoint without reply
  REQUIRE(p.wait_lines(5));
  CHECK(p.m.count("checkpoint_unsaved") == 0);
}

TEST_CASE("a reply saved to the backup by an earlier checkpoint counts for a later one without $RECEIVE",
          "[kernel][invariants]") {
  Pair p(3, 0);
  p.client(4, 1, 0);
  REQUIRE(p.wait_lines(4));
  CHECK(p.m.count("checkpoint") == 9);  // the first, then two a request
  CHECK(p.m.count("checkpoint_unsaved") == 0);
}

TEST_CASE("the writereads still waiting are listed with when they were made", "[kernel][invariants]") {
  TestMachine m{3, config()};
  m.add_program("mute", kMute);
  m.add_program("cli", kClient);
  m.start(1, "mute", "$SRV");
  m.run_for(1'000'000);  // every table names $SRV
  const std::uint64_t started = m.now;
  m.start(2, "cli", "", {3, 1, 0});
  m.run_for(5'000'000);
  auto open = m.kernel(2).open_requests();
  REQUIRE(open.size() == 1);
  CHECK(open[0].target == "$SRV");
  CHECK(open[0].sync_id == 1);
  CHECK(open[0].process.empty());
  CHECK(open[0].since_ns >= started);
  CHECK(open[0].since_ns < started + 1'000'000);
  CHECK(m.kernel(1).open_requests().empty());
}
