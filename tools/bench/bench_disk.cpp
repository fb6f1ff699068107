// Benchmark: record writes through the disk process pair. It measures and prints; it asserts nothing.
//
//   bench_disk [RECORDS [MODE]]   one program writes RECORDS records of 64 bytes to $DATA.BENCH on a
//                                 mirrored volume whose disk process pair runs in CPUs 1 and 2; MODE is
//                                 `append` (fappend: checkpointed by the disk process before it writes) or
//                                 `write` (fwrite by record number: retryable, not checkpointed), default both
//
// Each run is `pairsim run --json` of a scenario written to a temporary folder; the figures come from its
// summary: host seconds of the simulation (elaboration and reporting left out) and simulated seconds. Each
// write is a disk operation of tens of simulated milliseconds (seek, rotation, transfer), plus the directory
// block for an append, so the simulated rate is the disk's; the host rate is the simulator's.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>

namespace {

const std::string pairsim = PAIRSIM_BINARY;

constexpr const char* kWriter = R"(
        include "sys.pasm"
        .data
name:   .string "$DATA.BENCH"
rec:    .space 16
file:   .word 0
i:      .word 0
n:      .word 0
mode:   .word 0
        .code
main:   push 0
        sys SYS_GETARG
        store n
        push 1
        sys SYS_GETARG
        store mode
        push name
        push name.len
        push 64
        load n
        sys SYS_FCREATE
        jnz fail
        push name
        push name.len
        sys SYS_FOPEN
        dup
        store file
        push 0
        lt
        jnz fail
loop:   load i
        load n
        lt
        jz done
        load i
        store rec
        load mode
        jnz .write
        load file
        push rec
        push 64
        sys SYS_FAPPEND
        push 0
        lt
        jnz fail
        jmp .next
.write: load file
        load i
        push rec
        push 64
        sys SYS_FWRITE
        jnz fail
.next:  load i
        addi 1
        store i
        jmp loop
done:   push 0
        sys SYS_STOP
fail:   push 1
        sys SYS_STOP
)";

double field(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": *([0-9.eE+-]+)"))) return -1;
  return std::stod(m[1]);
}

int bench(const std::filesystem::path& dir, int records, bool append) {
  const auto scn = dir / (append ? "append.scn" : "write.scn");
  std::ofstream(scn) << "machine cpus 4\n"
                     << "volume $DATA controllers 0 1 cpus 1 2 mirrored\n"
                     << "at 1ms start $W program writer.pasm cpu 0 args " << records << " " << (append ? 0 : 1) << "\n"
                     << "run until $W stops or 100000s\n"
                     << "expect $W exit 0\n";
  const std::string cmd = pairsim + " run " + scn.string() + " --json";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return 1;
  std::string out;
  char buf[4096];
  while (const std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  const double host = field(out, "host_seconds");
  const double sim = field(out, "sim_time_ns") / 1e9;
  std::printf("%-7s %6d records: %7.3f host s, %8.1f simulated s -> %9.0f writes per host second, %6.1f per simulated second%s\n",
              append ? "fappend" : "fwrite", records, host, sim, records / host, records / sim,
              rc == 0 ? "" : "  (the run failed)");
  return rc == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int records = argc > 1 ? std::atoi(argv[1]) : 2000;
  const std::string mode = argc > 2 ? argv[2] : "both";
  char tmpl[] = "/tmp/bench_disk.XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::filesystem::path dir = tmpl;
  std::ofstream(dir / "writer.pasm") << kWriter;
  int rc = 0;
  if (mode != "write") rc |= bench(dir, records, true);
  if (mode != "append") rc |= bench(dir, records, false);
  std::filesystem::remove_all(dir);
  return rc;
}
