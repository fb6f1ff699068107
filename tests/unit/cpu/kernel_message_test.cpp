// The message system across kernels: destination-table replication, open / writeread / readupdate /
// reply, large messages, path errors, system messages, and defensive decoding.
#include <spdlog/spdlog.h>

#include "guest/syscalls.hpp"
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
namespace guest = pairsim::guest;
using pairsim::cpu::test::TestMachine;

namespace {

// Replies to every request with the request's own bytes.
const char* kEcho = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
len:    .word 0
tag:    .word 0
count:  .word 0
buf:    .space 1024
        .code
main:   push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
loop:   push RECEIVE_FILE
        push buf
        push 4096
        sys SYS_READUPDATE
        store len
        sys SYS_LASTTAG
        dup
        store tag
        jz loop                ; a system message needs no reply
        load count
        addi 1
        store count
        load tag
        push buf
        load len
        push 0
        sys SYS_REPLY
        drop
        jmp loop
)";

// Sends 2 KiB (word i = 3i+1) to $ECHO, prints the reply length, then waits so a test can read its memory.
const char* kBigClient = R"(
        include "sys.pasm"
        .data
sname:  .string "$ECHO"
file:   .word 0
i:      .word 0
req:    .space 512
rbuf:   .space 512
        .code
main:   push sname
        push sname.len
        push 0
        sys SYS_OPEN
        store file
fill:   load i
        dup
        push 3
        mul
        addi 1
        storex req
        load i
        addi 1
        dup
        store i
        push 512
        lt
        jnz fill
        load file
        push req
        push 2048
        push rbuf
        push 2048
        sys SYS_WRITEREAD
        sys SYS_PRINTNUM
        drop
        push 1000000
        sys SYS_DELAY
        push 0
        sys SYS_STOP
)";

// Opens $RECEIVE and never reads it.
const char* kDeaf = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
        .code
main:   push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
loop:   push 1000000
        sys SYS_DELAY
        drop
        jmp loop
)";

// One writeread of "ping" to `name` with sync depth `depth`; prints the open's and the writeread's results.
std::string asker(const std::string& name, int depth) {
  return R"(
        include "sys.pasm"
        .data
sname:  .string ")" +
         name + R"("
ping:   .string "ping"
file:   .word 0
rbuf:   .space 4
        .code
main:   push sname
        push sname.len
        push )" +
         std::to_string(depth) + R"(
        sys SYS_OPEN
        dup
        store file
        sys SYS_PRINTNUM
        drop
        load file
        push ping
        push ping.len
        push rbuf
        push 16
        sys SYS_WRITEREAD
        sys SYS_PRINTNUM
        push 0
        sys SYS_STOP
)";
}

// Tells the CPU down and up messages for CPUs 1 and 2: "sys <code>", "cpu <n>".
const char* kWatcher = R"(
        include "sys.pasm"
        .data
rname:  .string "$RECEIVE"
sysm:   .string "sys "
cpum:   .string "cpu "
msg:    .space 4
        .code
main:   push 6
        sys SYS_MONITORCPUS
        drop
        push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
loop:   push RECEIVE_FILE
        push msg
        push 16
        sys SYS_READUPDATE
        drop
        push sysm
        push sysm.len
        load msg
        sys SYS_PRINTS
        drop
        push cpum
        push cpum.len
        load msg + 1
        sys SYS_PRINTS
        drop
        jmp loop
)";

}  // namespace

TEST_CASE("a named process is in every CPU's destination table, and a joining CPU is told the table", "[kernel]") {
  TestMachine m(4);
  m.add_program("echo", kEcho);
  m.start(2, "echo", "$ECHO");
  m.step();
  for (int c = 0; c < 4; ++c) {
    const Destination* d = m.kernel(c).destinations().find("$ECHO");
    REQUIRE(d != nullptr);
    CHECK(d->primary == make_pid(2, 2));
    CHECK(d->backup == kNoPid);
  }
  m.fail_and_declare(3);
  m.fail_and_declare(1);
  m.start(0, "echo", "$NEW");
  m.step();
  m.reload(3);
  m.step();
  CHECK(m.kernel(3).destinations().find("$ECHO") != nullptr);
  CHECK(m.kernel(3).destinations().find("$NEW") != nullptr);
  CHECK_FALSE(m.kernel(3).cpu_counted_up(1));  // the snapshot carried the membership
  CHECK(m.kernel(3).cpu_counted_up(2));
  // Exactly one CPU (the lowest-numbered member) sent the snapshot.
  int snapshots = 0;
  for (const auto& s : m.sent_log)
    if (!s.payload.empty() && s.payload[0] == static_cast<std::uint8_t>(MessageType::dest_snapshot)) {
      ++snapshots;
      CHECK(s.src == 0);
      CHECK(s.dst == 3);
    }
  CHECK(snapshots == 1);
}

TEST_CASE("writeread carries 2 KiB each way between CPUs and on one CPU", "[kernel]") {
  const bool same_cpu = GENERATE(false, true);
  TestMachine m(2);
  m.detail = true;
  m.add_program("echo", kEcho);
  m.add_program("client", kBigClient);
  const int server_cpu = same_cpu ? 0 : 1;
  m.start(server_cpu, "echo", "$ECHO");
  m.step();
  m.start(0, "client");
  const int client_pin = same_cpu ? 3 : 2;
  REQUIRE(m.run_until([&] { return !m.output_of("").empty(); }, 100'000'000));
  CHECK(m.output_of("") == std::vector<std::string>{"2048"});
  const Process* client = m.kernel(0).process(client_pin);
  REQUIRE(client != nullptr);
  const auto rbuf = client->program->data_labels.at("rbuf");
  bool all_equal = true;
  for (std::uint32_t k = 0; k < 512; ++k) all_equal = all_equal && client->ps.data[rbuf + k] == 3 * k + 1;
  CHECK(all_equal);
  // Every message went through the send interface, the local ones too.
  int requests = 0;
  for (const auto& s : m.sent_log)
    if (s.payload[0] == static_cast<std::uint8_t>(MessageType::request)) {
      ++requests;
      CHECK(s.src == 0);
      CHECK(s.dst == server_cpu);
    }
  CHECK(requests == 1);
  auto sends = m.events_of("send");
  REQUIRE(sends.size() == 2);  // the request and the reply
  CHECK(sends[0].get_int("bytes") == 2048);
  CHECK(sends[0].get_str("target") == "$ECHO");
  CHECK(m.count("receive") == 2);
}

TEST_CASE("a request to a CPU that goes down ends in a path error, not a hang", "[kernel]") {
  TestMachine m(3);
  m.add_program("deaf", kDeaf);
  m.add_program("ask", asker("$SLOW", 0));
  m.start(1, "deaf", "$SLOW");
  m.step();
  m.start(0, "ask");
  m.run_for(2'000'000);
  CHECK(m.output_of("") == std::vector<std::string>{"1"});  // open gave file 1; the writeread waits
  m.fail_and_declare(1);
  m.run_for(1'000'000);
  CHECK(m.output_of("") == std::vector<std::string>{"1", "-201"});
  auto pe = m.events_of("path_error");
  REQUIRE(pe.size() == 1);
  CHECK(pe[0].to_json().find(R"("kind":"path_error","cpu":0,"pin":2,"process":"","file":1,"target":"$SLOW")") !=
        std::string::npos);
  auto lost = m.events_of("pair_lost");
  REQUIRE(lost.size() == 1);  // reported once, by the lowest-numbered survivor
  CHECK(lost[0].get_str("pair") == "$SLOW");
  CHECK(lost[0].get_int("cpu") == 1);
  CHECK(m.kernel(2).destinations().find("$SLOW") == nullptr);
}

TEST_CASE("a send to a dead CPU, a gone name, or a gone process give path errors", "[kernel]") {
  TestMachine m(3);
  m.add_program("deaf", kDeaf);
  SECTION("send failed: nothing happens until the CPU is declared down, then a path error") {
    m.add_program("ask", asker("$SLOW", 0));
    m.start(1, "deaf", "$SLOW");
    m.step();
    m.fail(1);
    m.start(0, "ask");
    m.run_for(2'000'000);
    // The bus reported the message failed (its receiver is dead), but CPU 1 is still a member: the
    // requester waits for the agreed membership, not for its own bus interface's guess.
    CHECK(m.output_of("") == std::vector<std::string>{"1"});
    m.declare_down(1);
    m.run_for(2'000'000);
    CHECK(m.output_of("") == std::vector<std::string>{"1", "-201"});
  }
  SECTION("a resend that cannot find the name gives up at once") {
    m.add_program("ask", asker("$SLOW", 1));
    m.start(1, "deaf", "$SLOW");
    m.step();
    m.start(0, "ask");
    m.run_for(2'000'000);
    m.fail_and_declare(1);
    m.run_for(2'000'000);
    CHECK(m.output_of("") == std::vector<std::string>{"1", "-201"});
    CHECK(m.count("fs_resend") == 0);
  }
  SECTION("open of an unknown name") {
    m.add_program("ask", asker("$NOBODY", 0));
    m.start(0, "ask");
    m.run_for(2'000'000);
    CHECK(m.output_of("") == std::vector<std::string>{"-14", "-16"});
  }
  SECTION("the receiving kernel rejects a request for a process it does not have") {
    RequestMsg rq;
    rq.req_id = 42;
    rq.src_pin = 2;
    rq.dst_pin = 77;
    rq.target = "$GONE";
    m.kernel(1).on_message(0, encode(rq));
    REQUIRE_FALSE(m.sent_log.empty());
    ReplyMsg reply;
    REQUIRE(decode(m.sent_log.back().payload, reply));
    CHECK(m.sent_log.back().dst == 0);
    CHECK(reply.req_id == 42);
    CHECK(reply.rejected);
    CHECK(reply.error == 201);
  }
}

TEST_CASE("processes that monitor CPUs get -2 and -3 on $RECEIVE", "[kernel]") {
  TestMachine m(4);
  m.add_program("watcher", kWatcher);
  m.start(0, "watcher");
  m.run_for(1'000'000);
  m.fail_and_declare(3);  // not monitored
  m.fail_and_declare(1);
  m.run_for(1'000'000);
  m.reload(1);
  m.run_for(1'000'000);
  CHECK(m.output_of("") == std::vector<std::string>{"sys -2", "cpu 1", "sys -3", "cpu 1"});
  auto sm = m.events_of("system_message");
  REQUIRE(sm.size() == 2);
  CHECK(sm[0].get_int("code") == -2);
  CHECK(sm[1].get_int("code") == -3);
}

TEST_CASE("corrupt kernel messages are dropped without harm", "[kernel]") {
  TestMachine m(2);
  m.add_program("echo", kEcho);
  m.add_program("ask", asker("$ECHO", 0));
  m.start(1, "echo", "$ECHO");
  m.step();
  // Every message type, cut short at every length, and some noise.
  std::vector<std::vector<std::uint8_t>> good = {
      encode(RequestMsg{1, 2, 2, "$ECHO", 3, 4, 5, {1, 2, 3}}),
      encode(ReplyMsg{1, 0, false, {1}}),
      encode(DestUpdateMsg{"$X", Destination{1, 2, 3}, false}),
      encode(DestSnapshotMsg{3, {{"$X", Destination{1, 2, 3}}}}),
      encode(CreateMsg{1, 2, "$Y", "echo", 150, {1, 2}, false}),
      encode(CreateReplyMsg{1, 0, 2, ""}),
      encode(DeletionMsg{2, 3, "$Y", false, 0}),
      encode(PairOpMsg{}),
      encode(PairAckMsg{1, 0}),
  };
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);  // hundreds of expected "dropped" warnings
  std::uint64_t fed = 0;
  for (const auto& g : good)
    for (std::size_t n = 0; n < g.size(); ++n) {
      m.kernel(1).on_message(0, std::vector<std::uint8_t>(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(n)));
      ++fed;
    }
  std::uint32_t x = 12345;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> noise(1 + i % 40);
    for (auto& b : noise) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 16);
    m.kernel(1).on_message(0, noise);
  }
  spdlog::set_level(level);
  CHECK(m.kernel(1).dropped_messages() >= fed);
  m.start(0, "ask");
  m.run_for(2'000'000);
  CHECK(m.output_of("") == std::vector<std::string>{"1", "4"});  // the server still answers
}
