// Process pairs: backup creation, checkpoints, takeover on CPU failure and on the primary's end,
// CHECKSWITCH, exactly-once requests across a takeover (sync IDs, saved replies), and the loss of a pair.
#include "guest/syscalls.hpp"
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
namespace guest = pairsim::guest;
using pairsim::cpu::test::TestMachine;

namespace {

// A counting server pair, written the way docs/syscalls.md tells a student to: readupdate -> work ->
// savereply -> checkpoint(state + $RECEIVE sync block, with the stack) -> reply.
// Start arguments: 0 backup CPU, 1 pause before the checkpoint (µs), 2 pause after it (µs),
// 3 the count at which the primary on CPU 1 acts, 4 the act (1 checkswitch, 2 stop, 3 abend, 4 stoppair),
// 5 spare CPU + 1 for a new backup after a -2 or -101 (0: none).
const char* kPairServer = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
count:  .word 0
tag:    .word 0
len:    .word 0
status: .word 0
msg:    .space 4
desc:   .word CKPT_STACK, 1, count, 1, 1, RECEIVE_FILE
desc2:  .word 0, 1, count, 1, 1, RECEIVE_FILE
tko:    .string "takeover "
mon:    .string "monitor "
sysm:   .string "sysmsg "
nb:     .string "newbackup "
ab:     .string "deliberate"
        .code
main:   push 0xFFFF
        sys SYS_MONITORCPUS
        drop
        sys SYS_ISBACKUP
        jnz backup
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
loop:   push RECEIVE_FILE
        push msg
        push 16
        sys SYS_READUPDATE
        store len
        sys SYS_LASTTAG
        dup
        store tag
        jz sysmsg
        load count
        addi 1
        store count
        push 1
        sys SYS_GETARG
        call pause
        load tag
        push count
        push 4
        push 0
        sys SYS_SAVEREPLY
        drop
        push desc
        sys SYS_CHECKPOINT
ckret:  store status            ; the restart point: a takeover resumes here with its status
        load status
        push 8
        shr
        push CKPT_TAKEOVER
        ne
        jnz .noto
        push tko
        push tko.len
        load status
        sys SYS_PRINTS
        drop
.noto:  push 2
        sys SYS_GETARG
        call pause
        load tag
        push count
        push 4
        push 0
        sys SYS_REPLY
        drop
        load count
        push 3
        sys SYS_GETARG
        ne
        jnz loop
        sys SYS_MYCPU            ; only the first primary acts, not a backup restarting here
        push 1
        ne
        jnz loop
        push 4
        sys SYS_GETARG
        dup
        push 1
        eq
        jnz doswitch
        dup
        push 2
        eq
        jnz dostop
        push 3
        eq
        jnz doabend
        push 9
        sys SYS_STOPPAIR
doswitch: drop
        sys SYS_CHECKSWITCH
        store status
        push tko
        push tko.len
        load status
        sys SYS_PRINTS
        drop
        jmp loop
dostop: push 5
        sys SYS_STOP
doabend: push ab
        push ab.len
        sys SYS_ABEND

sysmsg: push sysm
        push sysm.len
        load msg
        sys SYS_PRINTS
        drop
        push 5
        sys SYS_GETARG
        jz loop
        load msg
        push SYSMSG_CPU_UP
        eq
        jnz loop
        push 5
        sys SYS_GETARG
        addi -1
        sys SYS_NEWBACKUP
        store status
        push nb
        push nb.len
        load status
        sys SYS_PRINTS
        drop
        load status
        push 0
        lt
        jnz loop
        push RECEIVE_FILE
        sys SYS_CHECKOPEN
        drop
        push desc2
        sys SYS_CHECKPOINT
        drop
        jmp loop

backup: sys SYS_CHECKMONITOR     ; returns only at a takeover without a stack checkpoint
        store status
        push mon
        push mon.len
        load status
        sys SYS_PRINTS
        drop
        jmp loop

pause:  loadl -2                 ; pause(us): a delay unless us is 0
        jz .done
        loadl -2
        sys SYS_DELAY
        drop
.done:  ret 1
)";

// Sends N requests to $CNT and prints each reply (the count), or "error <result>".
// Start arguments: 0 N, 1 sync depth, 2 pause between requests (µs).
const char* kCounter = R"(
        include "sys.pasm"
        .data
sname:  .string "$CNT"
file:   .word 0
i:      .word 0
res:    .word 0
reply:  .word 0
err:    .string "error "
        .code
main:   push sname
        push sname.len
        push 1
        sys SYS_GETARG
        sys SYS_OPEN
        store file
loop:   load file
        push i
        push 4
        push reply
        push 4
        sys SYS_WRITEREAD
        store res
        load res
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
next:   push 2
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

KernelConfig pair_config() {
  KernelConfig cfg;
  cfg.heartbeat_ns = 10'000'000;  // a teaching-scale heartbeat: resends retry every 0.5 ms, for 30 ms
  return cfg;
}

std::vector<std::string> counting(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i <= to; ++i) v.push_back(std::to_string(i));
  return v;
}

struct PairRun {
  TestMachine m{4, pair_config()};
  PairRun(std::vector<std::int32_t> server_args, std::vector<std::int32_t> client_args) {
    m.add_program("pairsrv", kPairServer);
    m.add_program("counter", kCounter);
    m.start(1, "pairsrv", "$CNT", std::move(server_args));
    REQUIRE(m.run_until([&] { return m.count("checkmonitor") == 1; }, 50'000'000));
    m.start(0, "counter", "", std::move(client_args));
  }
  std::vector<std::string> client() const { return m.output_of(""); }
  bool client_done() const {
    return m.count("process_stop") > 0 && !m.events_of("process_stop").empty() &&
           m.events_of("process_stop").back().get_str("process") == "";
  }
  bool wait_client(std::size_t lines, std::uint64_t ns = 500'000'000) {
    return m.run_until([&] { return client().size() >= lines; }, ns);
  }
};

}  // namespace

TEST_CASE("newbackup creates the backup; checkpoints reach the same addresses", "[kernel][pair]") {
  PairRun r({2, 0, 0, 0, 0, 0}, {3, 1, 0});
  TestMachine& m = r.m;
  auto created = m.events_of("backup_created");
  REQUIRE(created.size() == 1);
  CHECK(created[0].to_json().find(R"("kind":"backup_created","pair":"$CNT","cpu":2,"pin":2,"primary_cpu":1)") !=
        std::string::npos);
  for (int c = 0; c < 4; ++c) {
    const Destination* d = m.kernel(c).destinations().find("$CNT");
    REQUIRE(d != nullptr);
    CHECK(d->primary == make_pid(1, 2));
    CHECK(d->backup == make_pid(2, 2));
  }
  auto cm = m.events_of("checkmonitor");
  CHECK(cm[0].get_int("cpu") == 2);
  CHECK(cm[0].get_int("pin") == 2);
  REQUIRE(m.count("checkopen") == 1);
  CHECK(m.events_of("checkopen")[0].get_int("file") == 0);

  REQUIRE(r.wait_client(3));
  m.run_for(1'000'000);
  CHECK(r.client() == counting(1, 3));
  auto ck = m.events_of("checkpoint");
  REQUIRE(ck.size() == 3);
  CHECK(ck[0].to_json().find(R"("pair":"$CNT","cpu":1,"bytes":4,"buffers":1,"stack":true)") != std::string::npos);

  const Process* primary = m.kernel(1).process(2);
  const Process* backup = m.kernel(2).process(2);
  REQUIRE(primary != nullptr);
  REQUIRE(backup != nullptr);
  const auto count = primary->program->data_labels.at("count");
  CHECK(primary->ps.data[count] == 3);
  CHECK(backup->ps.data[count] == 3);
  CHECK(backup->wait == WaitReason::checkmonitor);
  REQUIRE(backup->restart);
  CHECK(backup->restart->p == primary->program->code_labels.at("ckret"));
  // The $RECEIVE sync block came along: the client's open, its last sync ID and the reply saved for it.
  REQUIRE(backup->receive_sync.size() == 1);
  const SavedReply& saved = backup->receive_sync.begin()->second;
  CHECK(saved.sync_id == 3);
  CHECK(saved.data == std::vector<std::uint8_t>{3, 0, 0, 0});
  CHECK(backup->files.count(0) == 1);
}

TEST_CASE("takeover on CPU failure: restart at the last stack checkpoint, nothing lost or done twice",
          "[kernel][pair]") {
  PairRun r({2, 0, 0, 0, 0, 0}, {10, 1, 1000});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(4));
  m.fail(1);
  m.run_for(2'000'000);  // regroup takes its time
  m.declare_down(1);
  REQUIRE(r.wait_client(10));
  CHECK(r.client() == counting(1, 10));
  auto to = m.events_of("takeover");
  REQUIRE(to.size() == 1);
  const auto ckret = m.kernel(2).process(2)->program->code_labels.at("ckret");
  CHECK(to[0].to_json().find(R"("kind":"takeover","pair":"$CNT","from_cpu":1,"to_cpu":2,"reason":"processor failed",)"
                             R"("restart_p":)" +
                             std::to_string(ckret)) != std::string::npos);
  // The checkpoint call at the restart point returned (2<<8)|2; the new primary found -2 on $RECEIVE.
  CHECK(m.output_of("$CNT") == std::vector<std::string>{"takeover 514", "sysmsg -2"});
  for (int c : {0, 2, 3}) {
    const Destination* d = m.kernel(c).destinations().find("$CNT");
    REQUIRE(d != nullptr);
    CHECK(d->primary == make_pid(2, 2));
    CHECK(d->backup == kNoPid);
  }
  CHECK(m.count("pair_lost") == 0);
}

TEST_CASE("exactly once: a request in flight when the primary's CPU fails is done once", "[kernel][pair]") {
  // Fail while the primary pauses before its checkpoint (the work is lost and redone by the backup) or
  // after it (the work is in the backup; the resend is answered from the saved reply).
  const bool after_checkpoint = GENERATE(false, true);
  PairRun r({2, after_checkpoint ? 0 : 3000, after_checkpoint ? 3000 : 0, 0, 0, 0}, {6, 1, 0});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(3));
  m.run_for(1'000'000);  // request 4 is inside the pause
  REQUIRE(r.client().size() == 3);
  m.fail(1);
  m.run_for(500'000);
  m.declare_down(1);
  REQUIRE(r.wait_client(6));
  CHECK(r.client() == counting(1, 6));
  CHECK(m.count("fs_resend") >= 1);
  auto dup = m.events_of("duplicate");
  if (after_checkpoint) {
    REQUIRE(dup.size() == 1);
    CHECK(dup[0].get_str("pair") == "$CNT");
    CHECK(dup[0].get_int("cpu") == 2);
    CHECK(dup[0].get_int("sync_id") == 4);
  } else {
    CHECK(dup.empty());
  }
  const auto count = m.kernel(2).process(2)->program->data_labels.at("count");
  CHECK(m.kernel(2).process(2)->ps.data[count] == 6);
}

TEST_CASE("exactly once whenever the primary's CPU fails", "[kernel][pair]") {
  const int fail_after_us = GENERATE(range(0, 60));
  PairRun r({2, 150, 150, 0, 0, 0}, {8, 1, 0});
  TestMachine& m = r.m;
  m.run_for(100'000ull * fail_after_us);
  m.fail(1);
  m.run_for(300'000);
  m.declare_down(1);
  REQUIRE(r.wait_client(8));
  CHECK(r.client() == counting(1, 8));
}

TEST_CASE("takeover when the primary stops or abends", "[kernel][pair]") {
  const bool abend = GENERATE(false, true);
  PairRun r({2, 0, 0, 3, abend ? 3 : 2, 0}, {6, 1, 1000});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(6));
  CHECK(r.client() == counting(1, 6));
  auto to = m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_str("reason") == (abend ? "primary abended" : "primary stopped"));
  CHECK(to[0].get_int("from_cpu") == 1);
  CHECK(to[0].get_int("to_cpu") == 2);
  const std::string status = abend ? "takeover 513" : "takeover 512";
  CHECK(m.output_of("$CNT") == std::vector<std::string>{status, "sysmsg -101"});
  CHECK(m.kernel(0).destinations().find("$CNT")->primary == make_pid(2, 2));
}

TEST_CASE("checkswitch reverses the roles; the old primary takes over again later", "[kernel][pair]") {
  PairRun r({2, 0, 0, 3, 1, 0}, {10, 1, 1000});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(5));
  auto sw = m.events_of("checkswitch");
  REQUIRE(sw.size() == 1);
  CHECK(sw[0].to_json().find(R"("pair":"$CNT","from_cpu":1,"to_cpu":2)") != std::string::npos);
  auto to = m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_str("reason") == "checkswitch");
  for (int c = 0; c < 4; ++c) {
    const Destination* d = m.kernel(c).destinations().find("$CNT");
    REQUIRE(d != nullptr);
    CHECK(d->primary == make_pid(2, 2));
    CHECK(d->backup == make_pid(1, 2));
  }
  CHECK(m.kernel(1).process(2)->role == PairRole::backup);
  m.fail(2);
  m.run_for(1'000'000);
  m.declare_down(2);
  REQUIRE(r.wait_client(10));
  CHECK(r.client() == counting(1, 10));
  to = m.events_of("takeover");
  REQUIRE(to.size() == 2);
  CHECK(to[1].get_str("reason") == "processor failed");
  CHECK(to[1].get_int("to_cpu") == 1);
  CHECK(m.kernel(0).destinations().find("$CNT")->primary == make_pid(1, 2));
}

TEST_CASE("a double failure loses the pair; requesters get an error", "[kernel][pair]") {
  PairRun r({2, 0, 0, 0, 0, 0}, {6, 1, 1000});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(3));
  m.fail(1);
  m.fail(2);
  m.declare_down(1);
  m.declare_down(2);
  REQUIRE(r.wait_client(6, 200'000'000));
  auto out = r.client();
  CHECK(std::vector<std::string>(out.begin(), out.begin() + 3) == counting(1, 3));
  for (std::size_t i = 3; i < 6; ++i) CHECK(out[i] == "error -201");
  auto lost = m.events_of("pair_lost");
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].get_str("pair") == "$CNT");
  CHECK(m.kernel(0).destinations().find("$CNT") == nullptr);
  CHECK(m.kernel(3).destinations().find("$CNT") == nullptr);
}

TEST_CASE("the primary re-creates its lost backup and the pair survives the next failure", "[kernel][pair]") {
  PairRun r({2, 0, 0, 0, 0, 4}, {10, 1, 1000});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(3));
  m.fail_and_declare(2);  // the backup's CPU
  REQUIRE(m.run_until([&] { return m.count("backup_created") == 2; }, 50'000'000));
  auto created = m.events_of("backup_created");
  CHECK(created[1].get_int("cpu") == 3);
  REQUIRE(r.wait_client(6));
  CHECK(m.kernel(0).destinations().find("$CNT")->backup == make_pid(3, 2));
  m.fail(1);
  m.run_for(1'000'000);
  m.declare_down(1);
  REQUIRE(r.wait_client(10));
  CHECK(r.client() == counting(1, 10));
  auto to = m.events_of("takeover");
  REQUIRE(to.size() == 1);
  CHECK(to[0].get_int("to_cpu") == 3);
  const auto out = m.output_of("$CNT");
  REQUIRE(out.size() >= 2);
  CHECK(out[0] == "sysmsg -2");
  CHECK(out[1] == "newbackup " + std::to_string(3 * 256 + 2));
}

TEST_CASE("stoppair ends both halves without a takeover", "[kernel][pair]") {
  PairRun r({2, 0, 0, 2, 4, 0}, {2, 1, 0});
  TestMachine& m = r.m;
  REQUIRE(r.wait_client(2));
  m.run_for(5'000'000);
  CHECK(m.count("takeover") == 0);
  CHECK(m.kernel(1).process(2) == nullptr);
  CHECK(m.kernel(2).process(2) == nullptr);
  for (int c = 0; c < 4; ++c) CHECK(m.kernel(c).destinations().find("$CNT") == nullptr);
  auto stops = m.events_of("process_stop");
  int pair_stops = 0;
  for (const auto& e : stops)
    if (e.get_str("process") == "$CNT") {
      ++pair_stops;
      CHECK(e.get_int("exit") == 9);
    }
  CHECK(pair_stops == 2);
}

TEST_CASE("checkpoint status words for the cases that are no checkpoint", "[kernel][pair]") {
  TestMachine m(2, pair_config());
  m.add_program("ck", R"(
        include "sys.pasm"
        .data
name:   .string "$SOLO"
bad1:   .word 0, 14
bad2:   .word 0, 1, 100000, 1, 0
bad3:   .word 0, 0, 1, 5
big:    .word 0, 1, 0, 20000, 0
        .space 20000
        .code
main:   sys SYS_ISBACKUP
        jnz bk
        push big                  ; no backup yet: (1<<8)|60
        sys SYS_CHECKPOINT
        sys SYS_PRINTNUM
        drop
        sys SYS_CHECKMONITOR      ; not a backup: (1<<8)|2
        sys SYS_PRINTNUM
        drop
        push 1
        sys SYS_NEWBACKUP
        sys SYS_PRINTNUM
        drop
        push 1
        sys SYS_NEWBACKUP         ; already has one: -12
        sys SYS_PRINTNUM
        drop
        push bad1                 ; 14 buffers: (3<<8)|1
        sys SYS_CHECKPOINT
        sys SYS_PRINTNUM
        drop
        push bad2                 ; buffer outside the data space: (3<<8)|2
        sys SYS_CHECKPOINT
        sys SYS_PRINTNUM
        drop
        push bad3                 ; file 5 not open: (3<<8)|3
        sys SYS_CHECKPOINT
        sys SYS_PRINTNUM
        drop
        push big                  ; 80000 bytes: (3<<8)|7
        sys SYS_CHECKPOINT
        sys SYS_PRINTNUM
        drop
        push 0
        sys SYS_STOPPAIR
bk:     sys SYS_CHECKMONITOR
        sys SYS_PRINTNUM
)");
  m.start(0, "ck", "$SOLO");
  m.run_for(50'000'000);
  CHECK(m.output_of("$SOLO") ==
        std::vector<std::string>{"316", "258", std::to_string(1 * 256 + 2), "-12", "769", "770", "771", "775"});
}
