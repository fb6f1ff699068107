#pragma once
// The message system and file system of one CPU, Guardian style: a requester opens a server by name and
// calls writeread; the server reads the request from $RECEIVE with readupdate and answers with reply. Every
// message, even between two processes of one CPU, goes through the platform's send as a kernel message.
//
// Path errors never hang a requester: a request to a CPU that goes down, a send the bus gives up on, or a
// request the server's kernel rejects (no such process, not the primary) ends in a path error. With a sync
// depth above 0 the requester's kernel then resends the same request, with the same sync ID, to whatever
// the destination table names as primary, for a bounded time; the server's kernel answers a repeated sync ID
// from the saved reply in the $RECEIVE sync block, so the server never sees a request twice.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cpu/kernel/flat_map.hpp"
#include "cpu/kernel/kernel_core.hpp"

namespace pairsim::cpu {

class MessageSystem {
 public:
  explicit MessageSystem(KernelCore& core);

  // System calls. A result >= 0, or -(file-system error); nullopt when the caller now waits for its result.
  std::int32_t open(Process& p, const std::string& name, std::uint32_t sync_depth);
  std::int32_t close(Process& p, int file);
  std::optional<std::int32_t> writeread(Process& p, int file, std::vector<std::uint8_t> request,
                                        std::uint32_t reply_addr, std::uint32_t reply_max);
  std::optional<std::int32_t> readupdate(Process& p, int file, std::uint32_t buf, std::uint32_t max);

  // How a finished request's reply reaches the requester.
  enum class ReplyUse : std::uint8_t {
    bytes,      // writeread, fread: copied to the reply buffer; the result is its length
    value,      // fwrite, fappend, finfo: the result is the reply's first word (0 when it has none)
    open,       // fopen: the result is the file number; an error closes the file again
    transient,  // fcreate: the file is closed again either way; the result is 0
  };
  // Opens disk file `file` of volume `volume` ("$DATA", "ACCTS") without asking the volume yet: a file
  // number, or -error. The file system's requests then go on it with file_request.
  std::int32_t open_disk_file(Process& p, const std::string& volume, const std::string& file);
  // A file-system request on an open disk file: as writeread (sync ID, resends after a path error, the
  // server's saved reply for a resend), up to guest::kMaxRequestBytes, the reply used as `use` says.
  std::optional<std::int32_t> file_request(Process& p, int file, std::vector<std::uint8_t> request,
                                           std::uint32_t reply_addr, std::uint32_t reply_max, ReplyUse use);
  // Records the reply for `tag` in the $RECEIVE sync block; with `send`, also sends it and ends the request.
  std::int32_t reply(Process& p, std::uint32_t tag, std::vector<std::uint8_t> data, std::uint32_t error, bool send);

  // Queues a system message ([number, …] words, tag 0) on the process's $RECEIVE.
  void deliver_system_message(Process& p, const std::vector<std::int32_t>& words);

  void on_request(int src_cpu, RequestMsg&& m);  // takes the request's bytes
  void on_reply(int src_cpu, const ReplyMsg& m);
  bool on_send_failed(std::uint64_t msg_id);
  // After the destination table applied the CPU's failure: requests that went there get path errors.
  void on_cpu_down(int cpu);
  // The destination table's entry for `name` changed: requests waiting to be resent there go now.
  void on_destination_changed(const std::string& name);

  // The process ended: its own request is forgotten, requests queued for it get path errors.
  void on_process_gone(Process& p);
  // Requests queued or read but not replied go back to their requesters with a path error (the process
  // stopped being the one that serves its name).
  void reject_received(Process& p);
  // Drops the process's outstanding writeread without a result (it is being restarted elsewhere).
  void cancel_request(Process& p);

  std::optional<std::uint64_t> next_timer_ns() const;
  void on_time(std::uint64_t now);

  // The writereads whose requesters still wait for an answer, in request order (the end of a run reports
  // them: the invariant "no hung request").
  struct OpenRequest {
    int pin = 0;
    std::string process;  // the requester's name, "" for an unnamed one
    std::string target;   // the server's name
    std::uint32_t sync_id = 0;
    std::uint64_t since_ns = 0;  // when it called writeread
  };
  std::vector<OpenRequest> open_requests() const;

  static bool valid_process_name(const std::string& name);

 private:
  struct Outstanding {
    int pin = 0;
    int file = 0;
    std::string target;
    std::uint64_t open_id = 0;
    std::uint32_t sync_id = 0;
    std::uint32_t sync_depth = 0;
    std::vector<std::uint8_t> data;
    std::uint32_t reply_addr = 0;
    std::uint32_t reply_max = 0;
    ReplyUse use = ReplyUse::bytes;
    Pid sent_to = kNoPid;
    std::uint64_t msg_id = 0;
    bool resending = false;      // has had a path error: in the bounded resend phase
    Pid failed_primary{};        // where the request was when the current resend phase began
    bool waiting_retry = false;  // not in flight: waits for a table change or its retry time
    std::uint64_t retry_ns = 0;
    std::uint64_t give_up_ns = 0;
    std::uint64_t since_ns = 0;  // the writeread call
  };

  std::optional<std::int32_t> start_request(Process& p, int file, std::vector<std::uint8_t> request,
                                            std::uint32_t reply_addr, std::uint32_t reply_max, ReplyUse use);
  void send_request(std::uint64_t id, Outstanding& o, Pid target);
  void path_error(std::uint64_t id);
  void try_resend(std::uint64_t id, bool retry_due);
  void schedule_retry(std::uint64_t id, Outstanding& o);
  void finish(std::uint64_t id, std::uint32_t error, const std::vector<std::uint8_t>& data);
  void reject(int cpu, std::uint64_t req_id, std::uint32_t error);
  void send_reply(const ReceivedMessage& to, std::uint32_t error, std::vector<std::uint8_t> data);
  // Hands a message to a process waiting in readupdate, or queues it.
  void deliver(Process& p, ReceivedMessage m);
  std::int32_t hand_over(Process& p, ReceivedMessage m, std::uint32_t buf, std::uint32_t max);
  void detail_event(const char* kind, const Process& p, const std::string& other, std::size_t bytes, std::uint32_t tag);

  KernelCore& core_;
  FlatMap<std::uint64_t, Outstanding> outstanding_;            // by request id
  std::set<std::pair<std::uint64_t, std::uint64_t>> retries_;  // (time, request id)
};

}  // namespace pairsim::cpu
