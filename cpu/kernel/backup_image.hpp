#pragma once
// What a primary's backup holds of its data, as far as the primary's kernel knows it: the image of the
// buffers its checkpoints carried. The kernel compares it with the primary's memory to tell whether a reply
// leaves before the backup has the work behind it (trace `reply_ahead`, for the run's invariant "no stale
// takeover"; docs/scenarios.md, "The machine's invariants").
#include <cstdint>
#include <utility>
#include <vector>

#include "cpu/kernel/process.hpp"

namespace pairsim::cpu {

// Records that a checkpoint carried `n` words at `addr`: the copy of a buffer at the same place replaces the
// old one, and any older buffer it overlaps otherwise is dropped, so the image never holds a word the backup
// no longer has (a word of a dropped buffer is only not compared, never wrongly compared).
void remember_buffer(BackupImage& image, std::uint32_t addr, const std::uint32_t* words, std::uint32_t n);
// The same for the regions (address, words) a backup's checkpoints wrote.
void remember_region(std::vector<std::pair<std::uint32_t, std::uint32_t>>& regions, std::uint32_t addr,
                     std::uint32_t n);

// The words of the primary's memory that differ from its backup's image, with their values now.
WordValues image_differences(const Process& p);

// Whether the reply to `m`, from the buffer of `reply_words` words at `reply_addr`, leaves ahead of the
// backup: a word of the image differs from the primary's memory now, and the request changed it (it did
// not differ so, with this value, when the request was read). The reply's own buffer is left out: it holds
// the answer, not the state behind it.
bool reply_ahead_of_backup(const Process& p, const ReceivedMessage& m, std::uint32_t reply_addr,
                           std::uint32_t reply_words);

// Whether a checkpoint of `buffers` (address, words) carries work of the request `m`, which readupdate
// returned and which is not answered yet: a word the checkpoint carries differs from the backup's image, and
// it did not differ so, with this value, when the request was read (the request changed it). Call it before
// the checkpoint's buffers are remembered. A backup with none of the state yet gets everything, so nothing
// can be told: false.
bool checkpoint_carries_work(const Process& p, const ReceivedMessage& m, const BackupImage& buffers);

}  // namespace pairsim::cpu
