// Processes on one kernel: starting, printing, arguments, delays, the dispatcher, ending and abending,
// and creating processes on other CPUs.
#include <algorithm>

#include "guest/syscalls.hpp"
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
namespace guest = pairsim::guest;
using pairsim::cpu::test::TestMachine;

namespace {

const char* kHello = R"(
        include "sys.pasm"
        .data
msg:    .string "hello"
        .code
main:   push msg
        push msg.len
        sys SYS_PRINT
        drop
        push 7
        sys SYS_STOP
)";

// Prints the sum of its two start arguments, its CPU and its pid.
const char* kArgs = R"(
        include "sys.pasm"
        .data
sum:    .string "sum "
cpu:    .string "cpu "
        .code
main:   push sum
        push sum.len
        push 0
        sys SYS_GETARG
        push 1
        sys SYS_GETARG
        add
        sys SYS_PRINTS
        drop
        push cpu
        push cpu.len
        sys SYS_MYCPU
        sys SYS_PRINTS
        drop
        sys SYS_MYPID
        sys SYS_PRINTNUM
        drop
        sys SYS_NARGS
        sys SYS_PRINTNUM
        push 0
        sys SYS_STOP
)";

// Prints how many microseconds a delay of 2000 took.
const char* kDelay = R"(
        include "sys.pasm"
        .data
t0:     .word 0
        .code
main:   sys SYS_TIME
        store t0
        push 2000
        sys SYS_DELAY
        drop
        sys SYS_TIME
        load t0
        sub
        sys SYS_PRINTNUM
        push 0
        sys SYS_STOP
)";

// Prints "spin N", computes for a while, prints "done N" (N = start argument 0).
const char* kSpin = R"(
        include "sys.pasm"
        .data
spin:   .string "spin "
done:   .string "done "
i:      .word 0
        .code
main:   push spin
        push spin.len
        push 0
        sys SYS_GETARG
        sys SYS_PRINTS
        drop
loop:   load i
        addi 1
        dup
        store i
        push 300
        lt
        jnz loop
        push done
        push done.len
        push 0
        sys SYS_GETARG
        sys SYS_PRINTS
        push 0
        sys SYS_STOP
)";

}  // namespace

TEST_CASE("a process prints, stops, and gives its memory back", "[kernel]") {
  TestMachine m(2);
  m.add_program("hello", kHello);
  const auto free_before = m.kernel(1).free_memory_words();
  m.start(1, "hello", "$HI", {}, 120);
  CHECK(m.kernel(1).free_memory_words() < free_before);
  m.deliver();
  CHECK(m.kernel(0).destinations().find("$HI") != nullptr);  // replicated by the creating kernel's broadcast
  m.run_for(1'000'000);

  auto starts = m.events_of("process_start");
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].to_json() ==
        R"({"t_ns":0,"kind":"process_start","cpu":1,"pin":2,"process":"$HI","program":"hello","priority":120})");
  auto out = m.events_of("output");
  REQUIRE(out.size() == 1);
  CHECK(out[0].get_str("text") == "hello");
  CHECK(out[0].get_int("cpu") == 1);
  CHECK(out[0].get_str("process") == "$HI");
  auto stops = m.events_of("process_stop");
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].get_int("exit") == 7);
  CHECK(stops[0].t_ns > 0);
  CHECK(m.kernel(1).free_memory_words() == free_before);
  CHECK(m.kernel(1).process(2) == nullptr);
  REQUIRE(m.kernel(1).processes().ended().size() == 1);
  CHECK(m.kernel(1).processes().ended()[0].output == std::vector<std::string>{"hello"});
  CHECK(m.kernel(0).destinations().find("$HI") == nullptr);
  CHECK(m.kernel(1).destinations().find("$HI") == nullptr);
  CHECK(m.kernel(1).instructions_retired() == 6);
}

TEST_CASE("start arguments, CPU number and pid reach the guest", "[kernel]") {
  TestMachine m(4);
  m.add_program("args", kArgs);
  m.start(3, "args", "", {5, 9});
  m.run_for(1'000'000);
  CHECK(m.all_output() == std::vector<std::string>{"sum 14", "cpu 3", std::to_string(3 * 256 + 2), "2"});
}

TEST_CASE("delay waits the simulated time it asks for", "[kernel]") {
  TestMachine m(2);
  m.quantum_ns = 10'000;
  m.add_program("delay", kDelay);
  m.start(0, "delay");
  CHECK(m.kernel(0).next_timer_ns() == std::nullopt);
  REQUIRE(m.run_until([&] { return m.kernel(0).next_timer_ns().has_value(); }, 1'000'000));
  CHECK_FALSE(m.kernel(0).has_ready());
  m.run_for(10'000'000);
  const auto out = m.all_output();
  REQUIRE(out.size() == 1);
  const int took = std::stoi(out[0]);
  CHECK(took >= 2000);
  CHECK(took <= 2000 + 50);  // the next quantum boundary, plus the two system calls' cost
}

TEST_CASE("higher priority runs first; equal priorities share the CPU by time slice", "[kernel]") {
  SECTION("priority") {
    TestMachine m(2);
    m.add_program("spin", kSpin);
    m.start(0, "spin", "", {1}, 100);
    m.start(0, "spin", "", {2}, 180);
    m.run_for(20'000'000);
    CHECK(m.all_output() == std::vector<std::string>{"spin 2", "done 2", "spin 1", "done 1"});
  }
  SECTION("round robin") {
    KernelConfig cfg;
    cfg.slice_ns = 100'000;  // 80 instructions at 0.8 MIPS
    TestMachine m(2, cfg);
    m.add_program("spin", kSpin);
    m.start(0, "spin", "", {1});
    m.start(0, "spin", "", {2});
    m.run_for(20'000'000);
    CHECK(m.all_output() == std::vector<std::string>{"spin 1", "spin 2", "done 1", "done 2"});
  }
}

TEST_CASE("traps, bad system calls and bad arguments abend the process, not the kernel", "[kernel]") {
  struct Case {
    const char* code;
    const char* reason;
    std::int64_t p;
  };
  const Case c = GENERATE(Case{"push 1\n push 0\n div", "division by zero", 2}, Case{"sys 99", "bad system call", 1},
                          Case{"push 100000\n push 4\n sys SYS_PRINT", "bad system-call argument", 3},
                          Case{"push 0\n push 100000\n sys SYS_PRINT", "bad system-call argument", 3},
                          Case{"push 3\n sys SYS_GETARG", "bad system-call argument", 2},
                          Case{"sys SYS_PRINT", "stack underflow", 1},
                          Case{"push why\n push why.len\n sys SYS_ABEND", "out of luck", 3});
  TestMachine m(2);
  m.add_program("bad", std::string("include \"sys.pasm\"\n .data\nwhy: .string \"out of luck\"\n .code\nmain: ") +
                           c.code + "\n push 0\n sys SYS_STOP\n");
  m.add_program("hello", kHello);
  m.start(1, "bad", "$BAD");
  m.start(1, "hello");
  m.run_for(1'000'000);
  auto abends = m.events_of("abend");
  REQUIRE(abends.size() == 1);
  CHECK(abends[0].get_str("reason") == c.reason);
  CHECK(abends[0].get_int("p") == c.p);
  CHECK(abends[0].get_str("process") == "$BAD");
  CHECK(m.all_output() == std::vector<std::string>{"hello"});  // the other process carried on
  CHECK(m.kernel(0).destinations().find("$BAD") == nullptr);
}

TEST_CASE("process creation fails cleanly when memory or pins run out", "[kernel]") {
  KernelConfig cfg;
  cfg.memory_bytes = 64 * 1024;  // 16384 words
  TestMachine m(2, cfg);
  m.add_program("big",
                "include \"sys.pasm\"\n .stack 10000\n main: push 1000000\n sys SYS_DELAY\n push 0\n sys SYS_STOP\n");
  m.start(0, "big");
  auto err = m.kernel(0).start_process(StartRequest{"", "big", 150, {}});
  REQUIRE(err);
  CHECK(err->find("not enough memory on CPU 0") != std::string::npos);
  err = m.kernel(0).start_process(StartRequest{"", "nosuch", 150, {}});
  REQUIRE(err);
  CHECK(*err == "no program named nosuch");
  err = m.kernel(0).start_process(StartRequest{"", "big", 200, {}});
  REQUIRE(err);
  CHECK(err->find("priority 200") != std::string::npos);
  err = m.kernel(0).start_process(StartRequest{"BAD", "big", 150, {}});
  REQUIRE(err);
  CHECK(err->find("not a process name") != std::string::npos);
  m.run_for(1'100'000'000);  // the first one ends; its memory is free again
  CHECK_FALSE(m.kernel(0).start_process(StartRequest{"", "big", 150, {}}));
}

TEST_CASE("newprocess creates processes on other CPUs; the creator learns of their end", "[kernel]") {
  TestMachine m(4);
  m.add_program("hello", kHello);
  m.add_program("parent", R"(
        include "sys.pasm"
        .data
prog:   .string "hello"
none:   .string "nosuch"
kid:    .string "$KID"
rname:  .string "$RECEIVE"
msg:    .space 4
pid:    .word 0
child:  .string "child "
n:      .word 0
        .code
main:   push rname
        push rname.len
        push 0
        sys SYS_OPEN
        drop
        push prog             ; unnamed, on CPU 2, my priority
        push prog.len
        push 0
        push 0
        push 2
        push 0
        sys SYS_NEWPROCESS
        store pid
        push child
        push child.len
        load pid
        sys SYS_PRINTS
        drop
        push none             ; no such program
        push none.len
        push 0
        push 0
        push 1
        push 0
        sys SYS_NEWPROCESS
        sys SYS_PRINTNUM
        drop
        push prog             ; no such CPU
        push prog.len
        push 0
        push 0
        push 9
        push 0
        sys SYS_NEWPROCESS
        sys SYS_PRINTNUM
        drop
        push prog             ; named, on CPU 1
        push prog.len
        push kid
        push kid.len
        push 1
        push 0
        sys SYS_NEWPROCESS
        sys SYS_PRINTNUM
        drop
wait:   push RECEIVE_FILE     ; two deletion messages
        push msg
        push 16
        sys SYS_READUPDATE
        sys SYS_PRINTNUM
        drop
        sys SYS_LASTTAG
        sys SYS_PRINTNUM
        drop
        load msg
        sys SYS_PRINTNUM
        drop
        load msg + 1
        sys SYS_PRINTNUM
        drop
        load msg + 3
        sys SYS_PRINTNUM
        drop
        load n
        addi 1
        dup
        store n
        push 2
        lt
        jnz wait
        push 0
        sys SYS_STOP
)");
  m.start(0, "parent", "$MOM");
  m.run_for(50'000'000);
  const auto out = m.output_of("$MOM");
  REQUIRE(out.size() == 4 + 2 * 5);
  CHECK(out[0] == "child " + std::to_string(2 * 256 + 2));
  CHECK(out[1] == std::to_string(-guest::fe::not_found));
  CHECK(out[2] == std::to_string(-guest::fe::bad_param));
  CHECK(out[3] == std::to_string(1 * 256 + 2));
  // Each deletion message: 16 bytes, tag 0, -101, the pid, the exit code.
  std::vector<std::string> pids;
  for (int i = 0; i < 2; ++i) {
    CHECK(out[4 + 5 * i] == "16");
    CHECK(out[5 + 5 * i] == "0");
    CHECK(out[6 + 5 * i] == "-101");
    pids.push_back(out[7 + 5 * i]);
    CHECK(out[8 + 5 * i] == "7");
  }
  std::sort(pids.begin(), pids.end());
  CHECK(pids == std::vector<std::string>{"258", "514"});
  CHECK(m.output_of("$KID") == std::vector<std::string>{"hello"});
  CHECK(m.count("system_message") == 2);
  CHECK(m.count("process_stop") == 3);
}
