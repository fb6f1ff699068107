// Regroup: the survivor rule, the majority and tie-break rules, flooding, joiners, late and stale messages.
#include <catch2/catch.hpp>
#include <vector>

#include "cpu/membership/regroup.hpp"

using namespace pairsim::cpu;
using Kind = Regroup::Decision::Kind;

namespace {

constexpr std::uint64_t W = 250'000'000;

CpuMask set(std::initializer_list<int> cpus) {
  CpuMask m = 0;
  for (int c : cpus) m |= cpu_bit(c);
  return m;
}

// A fully connected matrix over `cpus`, then links removed one way as asked.
ConnectivityMatrix full(CpuMask cpus) {
  ConnectivityMatrix r{};
  for (int i = 0; i < kMaxCpus; ++i)
    if (has_cpu(cpus, i)) r[i] = cpus;
  return r;
}

}  // namespace

TEST_CASE("membership: survivors of a fully connected matrix are everybody with a row") {
  CHECK(Regroup::survivors(full(set({0, 1, 2, 3})), 4) == set({0, 1, 2, 3}));
  auto r = full(set({0, 1, 3}));
  CHECK(Regroup::survivors(r, 4) == set({0, 1, 3}));
  // Rows beyond the configured CPUs do not count.
  r[5] = set({0, 1, 3, 5});
  CHECK(Regroup::survivors(r, 4) == set({0, 1, 3}));
}

TEST_CASE("membership: a one-way link failure removes the end with fewer links, ties the higher id") {
  auto r = full(set({0, 1, 2, 3}));
  r[0] &= ~cpu_bit(3);  // 0 stopped hearing 3; 3 still hears 0
  CHECK(Regroup::survivors(r, 4) == set({0, 1, 2}));
  r = full(set({0, 1, 2, 3}));
  r[1] &= ~cpu_bit(2);
  r[0] &= ~cpu_bit(2);  // 2 has links to 3 only: it goes, though it is not the highest
  CHECK(Regroup::survivors(r, 4) == set({0, 1, 3}));
  r = full(set({0, 1, 2, 3}));
  r[0] = set({0, 1});
  r[1] = set({0, 1});
  r[2] = set({2, 3});
  r[3] = set({2, 3});  // 2/2 split seen as one matrix: the highest ids go first
  CHECK(Regroup::survivors(r, 4) == set({0, 1}));
  ConnectivityMatrix lone{};
  lone[2] = set({2});
  CHECK(Regroup::survivors(lone, 4) == set({2}));
  CHECK(Regroup::survivors(ConnectivityMatrix{}, 4) == 0);
}

namespace {

// Delivers every message to every other Regroup at once until nothing more is said (ideal flooding).
struct Room {
  std::vector<Regroup> cpus;
  std::vector<CpuMask> membership;
  std::vector<CpuMask> rows;
  std::vector<bool> present;
  int messages = 0;

  explicit Room(int n) {
    for (int i = 0; i < n; ++i) cpus.emplace_back(i, n, W);
    membership.assign(n, all_cpus(n));
    rows.assign(n, all_cpus(n));
    present.assign(n, true);
  }
  void flood(int from, std::vector<std::uint8_t> bytes, std::uint64_t now) {
    std::vector<std::pair<int, std::vector<std::uint8_t>>> queue{{from, std::move(bytes)}};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      auto [src, b] = queue[q];
      if (b.empty()) continue;
      ++messages;
      for (int j = 0; j < static_cast<int>(cpus.size()); ++j) {
        if (j == src || !present[j] || !has_cpu(rows[j], src) || !has_cpu(rows[src], j)) continue;
        queue.emplace_back(j, cpus[j].on_message(now, src, b, rows[j], membership[j]));
      }
    }
  }
};

}  // namespace

TEST_CASE("membership: a clean crash of one CPU in four: three survivors agree") {
  Room room(4);
  room.present[2] = false;
  for (int i : {0, 1, 3}) room.rows[i] = set({0, 1, 3});
  room.flood(0, room.cpus[0].start(100, room.rows[0], room.membership[0], cpu_bit(2), 0), 100);
  for (int i : {0, 1, 3}) {
    INFO("cpu " << i);
    REQUIRE(room.cpus[i].in_round());
    CHECK(room.cpus[i].round() == 1);
    CHECK(room.cpus[i].deadline_ns() == 100 + W);
    CHECK(room.cpus[i].matrix() == room.cpus[0].matrix());
    auto d = room.cpus[i].decide(room.membership[i]);
    CHECK(d.kind == Kind::continue_with);
    CHECK(d.members == set({0, 1, 3}));
    CHECK(d.declared_down == set({2}));
    CHECK(d.declared_up == 0);
    CHECK_FALSE(d.rerun);
    CHECK_FALSE(room.cpus[i].in_round());
  }
  // Each CPU re-broadcasts only when it learnt something: at most once per row it learns, here 3 each.
  CHECK(room.messages <= 9);
}

TEST_CASE("membership: minority and tie-break decisions") {
  SECTION("alone out of four: minority") {
    Regroup r(3, 4, W);
    r.start(0, set({3}), all_cpus(4), set({0, 1, 2}), 0);
    auto d = r.decide(all_cpus(4));
    CHECK(d.kind == Kind::halt);
    CHECK(d.reason == "regroup: minority, 1 of 4");
  }
  SECTION("two of four with CPU 0 continue, two of four without halt") {
    Room room(4);
    room.rows = {set({0, 1}), set({0, 1}), set({2, 3}), set({2, 3})};
    room.flood(0, room.cpus[0].start(0, room.rows[0], all_cpus(4), set({2, 3}), 0), 0);
    room.flood(2, room.cpus[2].start(0, room.rows[2], all_cpus(4), set({0, 1}), 0), 0);
    for (int i : {0, 1}) {
      auto d = room.cpus[i].decide(all_cpus(4));
      CHECK(d.kind == Kind::continue_with);
      CHECK(d.members == set({0, 1}));
      CHECK(d.declared_down == set({2, 3}));
    }
    for (int i : {2, 3}) {
      auto d = room.cpus[i].decide(all_cpus(4));
      CHECK(d.kind == Kind::halt);
      CHECK(d.reason == "regroup: half without CPU 0, 2 of 4");
    }
  }
  SECTION("a CPU that others cannot hear is cut off") {
    Room room(3);
    // 2 hears everybody but nobody hears 2; its messages still arrive (the flood ignores that here).
    room.rows = {set({0, 1}), set({0, 1}), set({0, 1, 2})};
    for (int i = 0; i < 3; ++i) room.cpus[i].start(0, room.rows[i], all_cpus(3), 0, 0);
    // Hand 2 the others' rows, and the others 2's row.
    RegroupMessage m;
    m.round = 1;
    m.sender_membership = all_cpus(3);
    m.rows[0] = room.rows[0];
    m.rows[1] = room.rows[1];
    room.cpus[2].on_message(1, 0, m.encode(), room.rows[2], all_cpus(3));
    RegroupMessage from1;
    from1.round = 1;
    from1.sender_membership = all_cpus(3);
    from1.rows[1] = room.rows[1];
    room.cpus[0].on_message(1, 1, from1.encode(), room.rows[0], all_cpus(3));
    RegroupMessage from2;
    from2.round = 1;
    from2.sender_membership = all_cpus(3);
    from2.rows[2] = room.rows[2];
    room.cpus[0].on_message(1, 2, from2.encode(), room.rows[0], all_cpus(3));
    auto d2 = room.cpus[2].decide(all_cpus(3));
    CHECK(d2.kind == Kind::halt);
    CHECK(d2.reason == "regroup: cut off");
    auto d0 = room.cpus[0].decide(all_cpus(3));
    CHECK(d0.kind == Kind::continue_with);
    CHECK(d0.members == set({0, 1}));
    CHECK(d0.declared_down == set({2}));
  }
}

TEST_CASE("membership: a joiner learns the membership from the round and is admitted") {
  Room r2(4);
  r2.membership = {set({0, 1, 3}), set({0, 1, 3}), 0, set({0, 1, 3})};  // 2 was reloaded
  r2.flood(0, r2.cpus[0].start(0, all_cpus(4), r2.membership[0], 0, cpu_bit(2)), 0);
  for (int i = 0; i < 4; ++i) {
    INFO("cpu " << i);
    auto d = r2.cpus[i].decide(r2.membership[i]);
    CHECK(d.kind == Kind::continue_with);
    CHECK(d.members == all_cpus(4));
    CHECK(d.declared_down == 0);
    CHECK(d.declared_up == (i == 2 ? 0 : set({2})));
  }
}

TEST_CASE("membership: a joiner on the losing side of a split stays a joiner") {
  // Old membership {0,1,2,3}; 2 and 3 cut off from 0 and 1; 4 reloaded on their side.
  Room room(5);
  const CpuMask old = set({0, 1, 2, 3});
  room.membership = {old, old, old, old, 0};
  room.rows = {set({0, 1}), set({0, 1}), set({2, 3, 4}), set({2, 3, 4}), set({2, 3, 4})};
  room.flood(2, room.cpus[2].start(0, room.rows[2], old, set({0, 1}), set({4})), 0);
  auto d4 = room.cpus[4].decide(0);
  CHECK(d4.kind == Kind::not_admitted);
  CHECK(d4.reason == "regroup: half without CPU 0, 2 of 4");
  CHECK(room.cpus[2].decide(old).kind == Kind::halt);
  CHECK(room.cpus[3].decide(old).kind == Kind::halt);
}

TEST_CASE("membership: a joiner with no member in the round is not admitted") {
  Regroup r(1, 2, W);
  RegroupMessage m;
  m.round = 3;
  m.rows[0] = set({0, 1});
  r.on_message(0, 0, m.encode(), set({0, 1}), 0);
  auto d = r.decide(0);
  CHECK(d.kind == Kind::not_admitted);
  CHECK(d.reason == "regroup: not admitted, no member took part");
  CHECK(r.round() == 3);
}

TEST_CASE("membership: an admission request makes a member start a round, or is remembered") {
  Regroup joiner(2, 3, W);
  const auto request = joiner.request_admission(all_cpus(3));
  CHECK_FALSE(joiner.in_round());
  auto parsed = RegroupMessage::parse(request);
  REQUIRE(parsed);
  CHECK(parsed->round == 0);
  CHECK(parsed->joiners == cpu_bit(2));

  Regroup member(0, 3, W);
  auto out = member.on_message(5, 2, request, all_cpus(3), all_cpus(3));
  CHECK(member.in_round());
  CHECK(member.round() == 1);
  REQUIRE_FALSE(out.empty());
  // The joiner enters the members' round and answers with its row.
  auto answer = joiner.on_message(6, 0, out, all_cpus(3), 0);
  REQUIRE_FALSE(answer.empty());
  member.on_message(7, 2, answer, all_cpus(3), all_cpus(3));
  RegroupMessage from1;
  from1.round = 1;
  from1.sender_membership = all_cpus(3);
  from1.rows[1] = all_cpus(3);
  member.on_message(7, 1, from1.encode(), all_cpus(3), all_cpus(3));
  joiner.on_message(7, 1, from1.encode(), all_cpus(3), 0);
  // 2 was still a member for 0: reloaded before its failure was noticed. Down, then up.
  auto d = member.decide(all_cpus(3));
  CHECK(d.kind == Kind::continue_with);
  CHECK(d.members == all_cpus(3));
  CHECK(d.restarted == cpu_bit(2));
  CHECK(d.declared_down == cpu_bit(2));
  CHECK(d.declared_up == cpu_bit(2));
  auto dj = joiner.decide(0);
  CHECK(dj.kind == Kind::continue_with);
  CHECK(dj.members == all_cpus(3));
  CHECK(dj.declared_up == 0);
  CHECK(dj.declared_down == 0);

  // Joiners ignore each other's requests; a member already in a round only remembers the request.
  Regroup other(1, 3, W);
  CHECK(other.on_message(8, 2, request, all_cpus(3), 0).empty());
  CHECK_FALSE(other.in_round());
  other.start(9, set({1}), set({1}), 0, 0);  // a one-CPU membership, so the round decides "continue"
  CHECK(other.on_message(10, 2, request, set({1}), set({1})).empty());
  auto e = other.decide(set({1}));
  CHECK(e.kind == Kind::continue_with);
  CHECK(e.rerun);  // 2 is still out
}

TEST_CASE("membership: stale, late and malformed regroup messages") {
  Regroup r(0, 4, W);
  RegroupMessage m;
  m.round = 5;
  m.sender_membership = all_cpus(4);
  m.membership_union = all_cpus(4);
  m.rows[1] = all_cpus(4);
  auto out = r.on_message(10, 1, m.encode(), all_cpus(4), all_cpus(4));
  CHECK_FALSE(out.empty());  // entered round 5 and tells its own view
  CHECK(r.round() == 5);
  CHECK(r.deadline_ns() == 10 + W);
  // The same again: nothing new, nothing said.
  CHECK(r.on_message(11, 1, m.encode(), all_cpus(4), all_cpus(4)).empty());
  // A message claiming to come from 2 without 2's row: refused.
  CHECK(r.on_message(12, 2, m.encode(), all_cpus(4), all_cpus(4)).empty());
  CHECK(r.malformed() == 1);
  CHECK(r.on_message(12, 9, m.encode(), all_cpus(4), all_cpus(4)).empty());
  CHECK(r.on_message(12, 1, {1, 2, 3}, all_cpus(4), all_cpus(4)).empty());
  CHECK(r.malformed() == 3);
  // Round 6 arrives before we decided 5: kept, and asked for as a rerun.
  RegroupMessage next = m;
  next.round = 6;
  next.rows[2] = set({1, 2});
  CHECK(r.on_message(13, 2, next.encode(), all_cpus(4), all_cpus(4)).empty());
  auto d = r.decide(all_cpus(4));
  CHECK(d.round == 5);
  CHECK(d.rerun);
  r.start(20, all_cpus(4), d.members, 0, 0);
  CHECK(r.round() == 6);
  CHECK(r.matrix()[2] == set({1, 2}));
  r.decide(d.members);
  // A late copy of round 6 after it was decided starts nothing.
  CHECK(r.on_message(30, 1, next.encode(), all_cpus(4), all_cpus(4)).empty());
  CHECK_FALSE(r.in_round());
}

TEST_CASE("membership: a second suspicion during a round asks for a rerun if still open") {
  Regroup r(0, 3, W);
  r.start(0, all_cpus(3), all_cpus(3), cpu_bit(2), 0);  // suspects 2, yet its row says it heard everybody
  RegroupMessage m;
  m.round = 1;
  m.sender_membership = all_cpus(3);
  m.rows[1] = all_cpus(3);
  m.rows[2] = all_cpus(3);
  r.on_message(1, 1, m.encode(), all_cpus(3), all_cpus(3));
  CHECK(r.start(2, set({0, 1}), all_cpus(3), cpu_bit(1), 0).empty());  // during the round: remembered only
  auto d = r.decide(all_cpus(3));
  CHECK(d.kind == Kind::continue_with);
  CHECK(d.members == all_cpus(3));
  CHECK(d.rerun);  // 1 is still a member though suspected
  SECTION("no rerun when the round settled it") {
    Regroup q(0, 3, W);
    q.start(0, set({0, 1}), all_cpus(3), cpu_bit(2), 0);
    q.on_message(1, 1, m.encode(), all_cpus(3), all_cpus(3));
    q.start(2, set({0, 1}), all_cpus(3), cpu_bit(2), 0);
    auto e = q.decide(all_cpus(3));
    CHECK(e.members == set({0, 1}));
    CHECK_FALSE(e.rerun);
  }
}

TEST_CASE("membership: a member that missed the round that voted it down halts") {
  Regroup r(3, 4, W);
  RegroupMessage m;
  m.round = 9;
  m.sender_membership = set({0, 1, 2});  // they decided 3 down in a round 3 never saw
  m.membership_union = set({0, 1, 2});
  m.rows[0] = all_cpus(4);
  r.on_message(0, 0, m.encode(), all_cpus(4), all_cpus(4));
  auto d = r.decide(all_cpus(4));
  CHECK(d.kind == Kind::halt);
  CHECK(d.reason == "regroup: declared down by CPU 0 in a round this CPU missed");
}

TEST_CASE("membership: regroup refuses bad wiring") {
  CHECK_THROWS_AS(Regroup(0, 4, 0), std::invalid_argument);
  CHECK_THROWS_AS(Regroup(4, 4, W), std::invalid_argument);
  CHECK_THROWS_AS(Regroup(0, 17, W), std::invalid_argument);
}
