#include "cpu/membership/regroup.hpp"

#include <limits>
#include <stdexcept>

namespace pairsim::cpu {

Regroup::Regroup(int self, int cpus, std::uint64_t window_ns, std::uint64_t max_round_ns)
    : self_(self), cpus_(cpus), window_ns_(window_ns), max_round_ns_(max_round_ns) {
  if (cpus < 2 || cpus > kMaxCpus)
    throw std::invalid_argument("Regroup: cpus must be 2..16, got " + std::to_string(cpus));
  if (self < 0 || self >= cpus)
    throw std::invalid_argument("Regroup: self " + std::to_string(self) + " outside 0.." + std::to_string(cpus - 1));
  if (window_ns == 0) throw std::invalid_argument("Regroup: the round window must be > 0 ns");
}

void Regroup::enter(std::uint64_t now_ns, std::uint32_t round, CpuMask my_row, CpuMask membership) {
  in_round_ = true;
  round_ = round;
  entered_ns_ = now_ns;
  deadline_ns_ = now_ns + window_ns_;
  rows_.fill(0);
  rows_[self_] = static_cast<CpuMask>((my_row | cpu_bit(self_)) & all_cpus(cpus_));
  union_ = membership;
  joiners_ = membership == 0 ? cpu_bit(self_) : 0;
  declared_down_by_ = -1;
}

bool Regroup::merge(const RegroupMessage& m, int from, CpuMask membership) {
  const CpuMask valid = all_cpus(cpus_);
  bool news = false;
  for (int i = 0; i < cpus_; ++i) {
    // Row i is authored by CPU i alone; our own row is what we said, whatever others relay.
    if (i == self_) continue;
    const CpuMask merged = static_cast<CpuMask>(rows_[i] | (m.rows[i] & valid));
    if (merged != rows_[i]) news = true;
    rows_[i] = merged;
  }
  const CpuMask u = static_cast<CpuMask>(union_ | ((m.membership_union | m.sender_membership) & valid));
  if (u != union_) news = true;
  union_ = u;
  const CpuMask j = static_cast<CpuMask>(joiners_ | (m.joiners & valid));
  if (j != joiners_) news = true;
  joiners_ = j;
  // A member that lists a membership without us decided us down in a round we never saw.
  if (membership != 0 && m.sender_membership != 0 && !has_cpu(m.sender_membership, self_) && declared_down_by_ < 0)
    declared_down_by_ = from;
  return news;
}

std::vector<std::uint8_t> Regroup::encode(CpuMask membership) const {
  RegroupMessage m;
  m.round = round_;
  m.sender_membership = membership;
  m.membership_union = union_;
  m.joiners = joiners_;
  m.rows = rows_;
  return m.encode();
}

std::vector<std::uint8_t> Regroup::request_admission(CpuMask my_row) const {
  RegroupMessage m;
  m.round = 0;
  m.joiners = cpu_bit(self_);
  m.rows[self_] = static_cast<CpuMask>((my_row | cpu_bit(self_)) & all_cpus(cpus_));
  return m.encode();
}

std::vector<std::uint8_t> Regroup::start(std::uint64_t now_ns, CpuMask my_row, CpuMask membership, CpuMask suspects,
                                         CpuMask joiners) {
  if (in_round_) {
    open_suspects_ |= suspects;
    open_joiners_ |= joiners;
    return {};
  }
  std::uint32_t round = round_ + 1;
  for (const auto& [from, m] : later_)
    if (m.round > round) round = m.round;
  enter(now_ns, round, my_row, membership);
  for (const auto& [from, m] : later_)
    if (m.round == round) merge(m, from, membership);
  later_.clear();
  return encode(membership);
}

std::vector<std::uint8_t> Regroup::on_message(std::uint64_t now_ns, int from, const std::vector<std::uint8_t>& bytes,
                                              CpuMask my_row, CpuMask membership) {
  auto m = RegroupMessage::parse(bytes);
  if (!m || from < 0 || from >= cpus_ || from == self_ || !has_cpu(m->rows[from], from)) {
    ++malformed_;
    return {};
  }
  if (m->round == 0) {
    if (membership == 0) return {};  // joiners do not run rounds for each other
    return start(now_ns, my_row, membership, 0, cpu_bit(from));
  }
  if (in_round_) {
    if (m->round == round_) return merge(*m, from, membership) ? encode(membership) : std::vector<std::uint8_t>{};
    // Someone decided this round a few µs before us and already started the next: keep it for our rerun
    // rather than abandon a round whose decision the others have already applied.
    // Bounded: at most one per sender is useful, a flood of them must not grow memory.
    if (m->round > round_ && later_.size() < 4 * kMaxCpus) later_.emplace_back(from, *m);
    return {};
  }
  if (m->round <= round_) return {};  // a late copy of a round already decided
  enter(now_ns, m->round, my_row, membership);
  merge(*m, from, membership);
  return encode(membership);
}

CpuMask Regroup::survivors(const ConnectivityMatrix& rows, int cpus) {
  CpuMask s = 0;
  for (int i = 0; i < cpus && i < kMaxCpus; ++i)
    if (has_cpu(rows[i], i)) s |= cpu_bit(i);
  for (;;) {
    int worst = -1;
    int worst_links = std::numeric_limits<int>::max();
    bool clique = true;
    const int size = cpu_count(s);
    for (int i = 0; i < kMaxCpus; ++i) {
      if (!has_cpu(s, i)) continue;
      int links = 0;
      for (int j = 0; j < kMaxCpus; ++j)
        if (j != i && has_cpu(s, j) && has_cpu(rows[i], j) && has_cpu(rows[j], i)) ++links;
      if (links < size - 1) clique = false;
      if (links <= worst_links) {  // ascending ids with <=: ties go to the highest id
        worst = i;
        worst_links = links;
      }
    }
    if (clique) return s;
    s &= static_cast<CpuMask>(~cpu_bit(worst));
  }
}

CpuMask Regroup::waiting_for(CpuMask membership) const {
  // Waited for: heard lately by every CPU that answered. A CPU that some survivor has already stopped
  // hearing (it suspects it, perhaps started this round over it) is not cut off for a moment: it is the
  // failure the round is about.
  CpuMask present = 0;
  CpuMask heard_by_all = all_cpus(cpus_);
  for (int i = 0; i < cpus_; ++i)
    if (has_cpu(rows_[i], i)) {
      present |= cpu_bit(i);
      heard_by_all &= rows_[i];
    }
  return static_cast<CpuMask>((union_ | membership) & heard_by_all & ~present & ~cpu_bit(self_) &
                              all_cpus(cpus_));
}

std::optional<std::vector<std::uint8_t>> Regroup::extend(CpuMask membership) {
  if (!in_round_ || max_round_ns_ == 0 || deadline_ns_ + window_ns_ > entered_ns_ + max_round_ns_) return std::nullopt;
  if (waiting_for(membership) == 0) return std::nullopt;
  // From the deadline, not from the caller's clock: survivors entered within µs of each other and keep
  // deciding within µs of each other.
  deadline_ns_ += window_ns_;
  return encode(membership);
}

Regroup::Decision Regroup::decide(CpuMask membership) {
  Decision d;
  d.round = round_;
  in_round_ = false;
  const bool joiner = membership == 0;
  const CpuMask s = survivors(rows_, cpus_);
  d.survivors = s;
  const CpuMask old = union_ | membership;
  const int n = cpu_count(static_cast<CpuMask>(s & old));
  const int m = cpu_count(old);
  const int lowest = lowest_cpu(old);
  const std::string tally = std::to_string(n) + " of " + std::to_string(m);

  const auto refuse = [&](std::string why) {
    d.kind = joiner ? Decision::Kind::not_admitted : Decision::Kind::halt;
    d.reason = "regroup: " + std::move(why);
  };
  if (!has_cpu(s, self_))
    refuse(joiner ? "not admitted, not connected to all survivors" : "cut off");
  else if (!joiner && declared_down_by_ >= 0)
    refuse("declared down by CPU " + std::to_string(declared_down_by_) + " in a round this CPU missed");
  else if (m == 0)
    refuse("not admitted, no member took part");
  else if (2 * n < m)
    refuse("minority, " + tally);
  else if (2 * n == m && !has_cpu(s, lowest))
    refuse("half without CPU " + std::to_string(lowest) + ", " + tally);
  else {
    d.kind = Decision::Kind::continue_with;
    d.members = s;
    const CpuMask base = joiner ? old : membership;
    d.restarted = static_cast<CpuMask>(joiners_ & base & s & ~cpu_bit(self_));
    d.declared_down = static_cast<CpuMask>((base & ~s) | d.restarted);
    d.declared_up = static_cast<CpuMask>((s & ~base & ~cpu_bit(self_)) | d.restarted);
  }

  if (d.kind != Decision::Kind::halt) {
    // Rerun when a concern raised during the round is still open: a suspect that survived (it was alive
    // when the round started) or a joiner not admitted. Also when others already started the next round.
    const CpuMask after = d.kind == Decision::Kind::continue_with ? s : membership;
    const bool suspects_left = (open_suspects_ & after) != 0;
    const bool joiners_left = (open_joiners_ & ~after & ~cpu_bit(self_)) != 0;
    d.rerun = suspects_left || joiners_left || !later_.empty();
  }
  open_suspects_ = 0;
  open_joiners_ = 0;
  return d;
}

void Regroup::reset() {
  in_round_ = false;
  round_ = 0;
  deadline_ns_ = 0;
  rows_.fill(0);
  union_ = 0;
  joiners_ = 0;
  declared_down_by_ = -1;
  open_suspects_ = 0;
  open_joiners_ = 0;
  later_.clear();
  malformed_ = 0;
}

}  // namespace pairsim::cpu
