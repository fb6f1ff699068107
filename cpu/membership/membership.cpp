#include "cpu/membership/membership.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace pairsim::cpu {

std::uint64_t MembershipConfig::effective_window_ns() const {
  if (period_ns == 0) throw std::invalid_argument("membership: the I'm-alive period must be > 0");
  const std::uint64_t w = window_ns != 0 ? window_ns : period_ns / 4;
  // A round that every member answers must end before the next send (k·P), so that a CPU decided down is
  // forgotten before anything it sent afterwards could be mistaken for a reloaded CPU, and so the 3·P
  // detection bound holds. (A round that waits for a member cut off for a moment lasts longer, and says so.)
  if (w == 0 || 2 * w >= period_ns)
    throw std::invalid_argument("membership: the regroup window must be > 0 and < half the I'm-alive period");
  return w;
}

Membership::Membership(int self, int cpus, MembershipConfig config)
    : self_(self),
      period_ns_(config.period_ns),
      members_(all_cpus(cpus)),
      monitor_(self, cpus),
      regroup_(self, cpus, config.effective_window_ns(),
               config.max_round_ns != 0 ? config.max_round_ns : 2 * config.period_ns) {}

void Membership::note_round(Actions& a, bool was_in_round, std::string reason) const {
  if (!was_in_round && regroup_.in_round()) {
    a.round_started = true;
    a.round = regroup_.round();
    a.deadline_ns = regroup_.deadline_ns();
    a.round_reason = std::move(reason);
  }
}

Membership::Actions Membership::on_check(std::uint64_t now_ns) {
  Actions a;
  if (halted_) return a;
  const auto r = monitor_.check(members_);
  if (joiner()) {
    // A joiner counts nobody's silence. Once it has sent an I'm-alive (a send instant k·P has passed since
    // the reload, so at least half a period) and hears others, it asks to be admitted. Usually the members
    // started that round at this same check and the request is absorbed; it matters when the joiner is
    // still a member to them (reloaded before they noticed it had failed), as nothing else would start a
    // round. Asking earlier would start a round that could not admit it: nobody has heard it yet.
    if (r.non_members_heard != 0 && now_ns - reloaded_ns_ >= period_ns_ / 2 && !regroup_.in_round())
      a.broadcast = regroup_.request_admission(my_row(now_ns));
    return a;
  }
  a.missed_once = r.missed_once;
  a.suspected = r.suspected;
  if ((r.suspected | r.non_members_heard) == 0) return a;
  const bool was = regroup_.in_round();
  a.broadcast = regroup_.start(now_ns, my_row(now_ns), members_, r.suspected, r.non_members_heard);
  if (a.broadcast.empty()) return a;  // a round is running: the concern waits for its decision
  std::string reason;
  if (r.suspected != 0) reason = "suspect " + describe_cpus(r.suspected);
  if (r.non_members_heard != 0) reason += (reason.empty() ? "admit " : "; admit ") + describe_cpus(r.non_members_heard);
  note_round(a, was, std::move(reason));
  return a;
}

Membership::Actions Membership::on_regroup_message(std::uint64_t now_ns, int from,
                                                   const std::vector<std::uint8_t>& bytes) {
  Actions a;
  if (halted_) return a;
  // Only I'm-alives count as signs of life: a late regroup copy from a CPU being decided down must not
  // look like a reloaded CPU at the next check.
  const bool was = regroup_.in_round();
  a.broadcast = regroup_.on_message(now_ns, from, bytes, my_row(now_ns), members_);
  if (!was && regroup_.in_round()) {
    const auto m = RegroupMessage::parse(bytes);
    const bool request = m && m->round == 0;
    note_round(a, was, (request ? "admission request from CPU " : "message from CPU ") + std::to_string(from));
  }
  return a;
}

Membership::Actions Membership::on_deadline(std::uint64_t now_ns) {
  Actions a;
  if (halted_ || !regroup_.in_round() || now_ns < regroup_.deadline_ns()) return a;
  const CpuMask waiting = regroup_.waiting_for(members_);
  if (auto again = regroup_.extend(members_)) {
    a.broadcast = std::move(*again);
    a.round_extended = waiting;
    a.round = regroup_.round();
    a.deadline_ns = regroup_.deadline_ns();
    return a;
  }
  auto d = regroup_.decide(members_);
  switch (d.kind) {
    case Regroup::Decision::Kind::continue_with:
      members_ = d.members;
      monitor_.forget(d.declared_down);
      break;
    case Regroup::Decision::Kind::halt:
      halted_ = true;
      break;
    case Regroup::Decision::Kind::not_admitted:
      break;
  }
  if (d.rerun && !halted_) {
    a.broadcast = regroup_.start(now_ns, my_row(now_ns), members_, 0, 0);
    note_round(a, false, "rerun");
  }
  a.decision = std::move(d);
  return a;
}

void Membership::rejoin(std::uint64_t now_ns) {
  members_ = 0;
  halted_ = false;
  reloaded_ns_ = now_ns;
  monitor_.reset();
  regroup_.reset();
}

}  // namespace pairsim::cpu
