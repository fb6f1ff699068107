// The worked examples of docs/syscalls.md assemble and do what the page says; guest/lib/sys.pasm agrees
// with guest/syscalls.hpp.
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "guest/syscalls.hpp"
#include "kernel_test_machine.hpp"

using namespace pairsim::cpu;
namespace guest = pairsim::guest;
using pairsim::cpu::test::TestMachine;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every ```asm block whose first line is "; NAME.pasm — …", by NAME.
std::map<std::string, std::string> doc_examples() {
  const std::string doc = read_file(std::string(PAIRSIM_SOURCE_DIR) + "/docs/syscalls.md");
  std::map<std::string, std::string> out;
  const std::regex block("```asm\n(; ([a-z_]+)\\.pasm[^\n]*\n[\\s\\S]*?)```");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), block); it != std::sregex_iterator(); ++it)
    out[(*it)[2]] = (*it)[1];
  return out;
}

}  // namespace

TEST_CASE("docs/syscalls.md example 1: the echo server answers the client", "[kernel][docs]") {
  auto ex = doc_examples();
  REQUIRE(ex.count("echo_server"));
  REQUIRE(ex.count("echo_client"));
  TestMachine m(2);
  m.add_program("echo_server", ex["echo_server"]);
  m.add_program("echo_client", ex["echo_client"]);
  m.start(1, "echo_server", "$ECHO");
  m.step();
  m.start(0, "echo_client");
  m.run_for(20'000'000);
  CHECK(m.output_of("") == std::vector<std::string>{"reply bytes: 13", "hello, server"});
  auto stops = m.events_of("process_stop");
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].get_int("exit") == 0);
}

TEST_CASE("docs/syscalls.md example 2: the counter pair counts exactly once across a CPU failure", "[kernel][docs]") {
  const int fail_at_ms = GENERATE(25, 42, 58, 77);
  auto ex = doc_examples();
  REQUIRE(ex.count("counter_pair"));
  REQUIRE(ex.count("counter_client"));
  KernelConfig cfg;
  cfg.heartbeat_ns = 10'000'000;
  TestMachine m(4, cfg);
  m.add_program("counter_pair", ex["counter_pair"]);
  m.add_program("counter_client", ex["counter_client"]);
  m.start(1, "counter_pair", "$COUNTER", {2});
  REQUIRE(m.run_until([&] { return m.count("checkmonitor") == 1; }, 50'000'000));
  m.start(0, "counter_client", "", {10});
  m.run_for(1'000'000ull * fail_at_ms);
  m.fail(1);
  m.run_for(2'000'000);
  m.declare_down(1);
  m.run_for(500'000'000);
  std::vector<std::string> expect;
  for (int i = 1; i <= 10; ++i) expect.push_back(std::to_string(i));
  CHECK(m.output_of("") == expect);
  CHECK(m.count("takeover") == 1);
  for (const auto& line : m.output_of("$COUNTER")) CHECK(line == "took over, status 514");
}

TEST_CASE("sys.pasm names every system call with the number guest/syscalls.hpp gives it", "[kernel][docs]") {
  const std::string lib = read_file(std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib/sys.pasm");
  std::map<std::string, long> consts;
  const std::regex def(R"(\.const\s+([A-Z_0-9]+)\s+(-?(?:0x[0-9A-Fa-f]+|\d+)))");
  for (auto it = std::sregex_iterator(lib.begin(), lib.end(), def); it != std::sregex_iterator(); ++it)
    consts[(*it)[1]] = std::stol((*it)[2], nullptr, 0);
  for (const auto& s : guest::kSyscalls) {
    std::string name = "SYS_";
    for (char c : s.name) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    INFO(name);
    REQUIRE(consts.count(name));
    CHECK(consts[name] == static_cast<long>(s.number));
  }
  long sys_consts = 0;
  for (const auto& [name, value] : consts)
    if (name.rfind("SYS_", 0) == 0) ++sys_consts;
  CHECK(sys_consts == static_cast<long>(std::size(guest::kSyscalls)));
  CHECK(consts["FE_PATHDOWN"] == guest::fe::path_down);
  CHECK(consts["FE_NOBACKUP"] == guest::fe::no_backup);
  CHECK(consts["FE_BADTAG"] == guest::fe::bad_tag);
  CHECK(consts["SYSMSG_CPU_DOWN"] == guest::sysmsg::cpu_down);
  CHECK(consts["SYSMSG_CPU_UP"] == guest::sysmsg::cpu_up);
  CHECK(consts["SYSMSG_DELETION"] == guest::sysmsg::deletion);
  CHECK(consts["TAKEOVER_CPUFAILED"] == static_cast<long>(guest::ckpt::status(2, 2)));
  CHECK(consts["MAX_MESSAGE"] == static_cast<long>(guest::kMaxMessageBytes));
  CHECK(consts["RECEIVE_FILE"] == guest::kReceiveFile);
  // Every syscall number is unique.
  for (const auto& a : guest::kSyscalls)
    for (const auto& b : guest::kSyscalls)
      if (&a != &b) CHECK(a.number != b.number);
}
