#include "guest/ptal_builtins.hpp"

#include "guest/syscalls.hpp"

namespace pairsim::guest::ptal {

namespace {
using A = ArgKind;
constexpr auto V = A::value;
constexpr auto I = A::in;
constexpr auto O = A::out;
std::uint32_t n(Syscall s) {
  return static_cast<std::uint32_t>(s);
}
}  // namespace

const std::vector<BuiltinCall>& builtin_calls() {
  static const std::vector<BuiltinCall> calls = {
      {"stop", n(Syscall::stop), {V}, false, false},
      {"abend", n(Syscall::abend), {I}, false, false},
      {"delay", n(Syscall::delay), {V}, false, true},
      {"time", n(Syscall::time), {}, false, true},
      {"mycpu", n(Syscall::mycpu), {}, false, true},
      {"mypid", n(Syscall::mypid), {}, false, true},
      {"nargs", n(Syscall::nargs), {}, false, true},
      {"getarg", n(Syscall::getarg), {V}, false, true},
      {"newprocess", n(Syscall::newprocess), {I, I, V, V}, true, true},
      {"open", n(Syscall::open), {I, V}, true, true},
      {"close", n(Syscall::close), {V}, true, true},
      {"writeread", n(Syscall::writeread), {V, I, O}, true, true},
      {"readupdate", n(Syscall::readupdate), {V, O}, true, true},
      {"reply", n(Syscall::reply), {V, I, V}, true, true},
      {"lasttag", n(Syscall::lasttag), {}, false, true},
      {"lastsender", n(Syscall::lastsender), {}, false, true},
      {"savereply", n(Syscall::savereply), {V, I, V}, true, true},
      {"monitorcpus", n(Syscall::monitorcpus), {V}, false, true},
      {"newbackup", n(Syscall::newbackup), {V}, true, true},
      {"checkmonitor", n(Syscall::checkmonitor), {}, true, true},
      {"checkopen", n(Syscall::checkopen), {V}, true, true},
      {"checkclose", n(Syscall::checkclose), {V}, true, true},
      {"checkswitch", n(Syscall::checkswitch), {}, true, true},
      {"isbackup", n(Syscall::isbackup), {}, false, true},
      {"stoppair", n(Syscall::stoppair), {V}, false, false},
      {"cpuup", n(Syscall::cpuup), {V}, false, true},
      {"fcreate", n(Syscall::fcreate), {I, V, V}, true, true},
      {"fopen", n(Syscall::fopen), {I}, true, true},
      {"fread", n(Syscall::fread), {V, V, O}, true, true},
      {"fwrite", n(Syscall::fwrite), {V, V, I}, true, true},
      {"fappend", n(Syscall::fappend), {V, I}, true, true},
      {"finfo", n(Syscall::finfo), {V}, true, true},
  };
  return calls;
}

const BuiltinCall* find_builtin_call(std::string_view name) {
  for (const auto& c : builtin_calls())
    if (c.name == name) return &c;
  return nullptr;
}

const std::vector<std::string_view>& keywords() {
  static const std::vector<std::string_view> words = {"const", "record", "var",   "proc",     "include", "int",
                                                      "bytes", "if",     "elif",  "else",     "while",   "for",
                                                      "in",    "return", "break", "continue", "sizeof",  "wordsof"};
  return words;
}

const std::vector<std::string_view>& compiler_builtins() {
  static const std::vector<std::string_view> made = {"print",       "arg",   "takeover", "ckpt_kind",
                                                     "ckpt_detail", "first", "hex",      "checkpoint"};
  return made;
}

const std::vector<std::string_view>& checkpoint_items() {
  static const std::vector<std::string_view> items = {"receive", "file"};
  return items;
}

bool is_builtin_name(std::string_view name) {
  if (find_builtin_call(name)) return true;
  for (auto m : compiler_builtins())
    if (m == name) return true;
  for (auto m : checkpoint_items())
    if (m == name) return true;
  return false;
}

const std::vector<BuiltinConstant>& builtin_constants() {
  static const std::vector<BuiltinConstant> constants = {
      {"true", 1},
      {"false", 0},
      {"RECEIVE_FILE", kReceiveFile},
      {"ANY_CPU", -1},
      {"MAX_MESSAGE", kMaxMessageBytes},
      {"MAX_RECORD", kMaxRecordBytes},
      {"FE_OK", fe::ok},
      {"FE_EOF", fe::eof},
      {"FE_INVALIDOP", fe::invalid_op},
      {"FE_FILEEXISTS", fe::file_exists},
      {"FE_NOTFOUND", fe::not_found},
      {"FE_INUSE", fe::in_use},
      {"FE_BADNAME", fe::bad_name},
      {"FE_NOSUCHNAME", fe::no_such_name},
      {"FE_NOTOPEN", fe::not_open},
      {"FE_BADCOUNT", fe::bad_count},
      {"FE_BADPARAM", fe::bad_param},
      {"FE_NOMEMORY", fe::no_memory},
      {"FE_NOPCB", fe::no_pcb},
      {"FE_NOFILES", fe::no_files},
      {"FE_FILEFULL", fe::file_full},
      {"FE_VOLUMEDOWN", fe::volume_down},
      {"FE_NOBACKUP", fe::no_backup},
      {"FE_BADTAG", fe::bad_tag},
      {"FE_SYNCTOOOLD", fe::sync_too_old},
      {"FE_NOSTATE", fe::no_state},
      {"FE_PATHDOWN", fe::path_down},
      {"SYSMSG_CPU_DOWN", sysmsg::cpu_down},
      {"SYSMSG_CPU_UP", sysmsg::cpu_up},
      {"SYSMSG_DELETION", sysmsg::deletion},
      {"CKPT_OK", ckpt::kind_ok},
      {"CKPT_NOBACKUP", ckpt::kind_no_backup},
      {"CKPT_TAKEOVER", ckpt::kind_takeover},
      {"CKPT_BADPARAM", ckpt::kind_bad_param},
      {"TAKEOVER_STOPPED", ckpt::status(ckpt::kind_takeover, ckpt::reason_stopped)},
      {"TAKEOVER_ABENDED", ckpt::status(ckpt::kind_takeover, ckpt::reason_abended)},
      {"TAKEOVER_CPUFAILED", ckpt::status(ckpt::kind_takeover, ckpt::reason_cpu_failed)},
      {"TAKEOVER_SWITCH", ckpt::status(ckpt::kind_takeover, ckpt::reason_checkswitch)},
  };
  return constants;
}

// The line buffer behind print: text and numbers are appended, rt_flush prints them as one line.
// Numbers come out least significant digit first; they wait on the stack and leave in reverse.
std::string_view runtime_assembly() {
  return R"(        .data
rt_line: .space 64
rt_len:  .word 0
        .code
        .proc rt_char
        load rt_len
        push 256
        lt
        jz .full
        push rt_line
        push 4
        mul
        load rt_len
        add
        loadl -2
        storeb
        load rt_len
        addi 1
        store rt_len
.full:  ret 1
        .endproc
        .proc rt_text
        adds 1
.loop:  loadl 1
        loadl -2
        lt
        jz .done
        loadl -3
        push 4
        mul
        loadl 1
        add
        loadb
        call rt_char
        loadl 1
        addi 1
        storel 1
        jmp .loop
.done:  ret 2
        .endproc
        .proc rt_num
        adds 2
        loadl -2
        storel 1
        loadl -2
        push 0
        lt
        jz .digits
        push 45
        call rt_char
        loadl -2
        neg
        storel 1
.digits:
        loadl 1
        push 10
        modu
        push 48
        add
        loadl 2
        addi 1
        storel 2
        loadl 1
        push 10
        divu
        dup
        storel 1
        jnz .digits
.emit:  call rt_char
        loadl 2
        addi -1
        dup
        storel 2
        jnz .emit
        ret 1
        .endproc
        .proc rt_hex
        adds 1
        push 8
        storel 1
.loop:  loadl -2
        push 28
        shr
        dup
        push 10
        lt
        jz .letter
        push 48
        add
        jmp .put
.letter:
        push 87
        add
.put:   call rt_char
        loadl -2
        push 4
        shl
        storel -2
        loadl 1
        addi -1
        dup
        storel 1
        jnz .loop
        ret 1
        .endproc
        .proc rt_flush
        push rt_line
        load rt_len
        sys 3
        drop
        push 0
        store rt_len
        ret 0
        .endproc
        .proc rt_arg
        sys 10
        loadl -3
        gt
        jz .default
        loadl -3
        sys 11
        retv 2
.default:
        loadl -2
        retv 2
        .endproc
)";
}

}  // namespace pairsim::guest::ptal
