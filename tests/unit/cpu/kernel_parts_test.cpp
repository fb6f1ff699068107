// The kernel's plain data structures: private memory, dispatcher, destination table, wire format.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cpu/kernel/destination_table.hpp"
#include "cpu/kernel/dispatcher.hpp"
#include "cpu/kernel/private_memory.hpp"
#include "cpu/kernel/process.hpp"
#include "cpu/kernel/wire.hpp"

using namespace pairsim::cpu;

TEST_CASE("private memory allocates first fit and coalesces what is released", "[kernel]") {
  PrivateMemory m(4 * 1000);
  REQUIRE(m.size_words() == 1000);
  auto a = m.allocate(300);
  auto b = m.allocate(300);
  auto c = m.allocate(300);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(*a == 0);
  CHECK(*b == 300);
  CHECK(*c == 600);
  CHECK_FALSE(m.allocate(200));  // 100 left
  m.at(*b)[5] = 42;
  m.release(*b, 300);
  auto d = m.allocate(200);  // first fit: the hole b left
  REQUIRE(d);
  CHECK(*d == 300);
  CHECK(m.at(*d)[5] == 0);  // handed out zeroed
  m.release(*a, 300);
  m.release(*d, 200);
  m.release(*c, 300);
  CHECK(m.free_words() == 1000);
  auto all = m.allocate(1000);  // only possible if the holes were merged back into one
  REQUIRE(all);
  CHECK(*all == 0);
}

TEST_CASE("private memory hands out zeroed words across used and never used memory", "[kernel]") {
  PrivateMemory m(2u << 20);
  REQUIRE(m.size_words() == (2u << 20) / 4);
  auto a = m.allocate(100);
  REQUIRE(a);
  std::fill_n(m.at(*a), 100, 0xDEADBEEFu);
  auto b = m.allocate(50);  // beyond a: never handed out before
  REQUIRE(b);
  CHECK(*b == 100);
  CHECK(std::all_of(m.at(*b), m.at(*b) + 50, [](std::uint32_t w) { return w == 0; }));
  std::fill_n(m.at(*b), 50, 7u);
  m.release(*a, 100);
  m.release(*b, 50);
  auto c = m.allocate(1000);  // a's and b's words again, and 850 that nobody had
  REQUIRE(c);
  CHECK(*c == 0);
  CHECK(std::all_of(m.at(*c), m.at(*c) + 1000, [](std::uint32_t w) { return w == 0; }));
  auto last = m.allocate(m.size_words() - 1000);  // the rest, up to the last word
  REQUIRE(last);
  CHECK(m.at(*last)[m.size_words() - 1001] == 0);
  CHECK(m.free_words() == 0);
}

TEST_CASE("dispatcher runs the highest priority first and takes turns within one", "[kernel]") {
  Dispatcher d(10);
  d.make_ready(2, 100);
  d.make_ready(3, 100);
  d.make_ready(4, 50);
  CHECK(d.select() == 2);
  d.charge(4);
  CHECK(d.select() == 2);  // slice not used up
  d.charge(6);
  CHECK(d.select() == 3);  // slice over: round robin
  d.charge(10);
  CHECK(d.select() == 2);
  d.make_ready(5, 150);  // a higher priority preempts
  CHECK(d.select() == 5);
  d.remove(5);
  CHECK(d.select() == 2);  // the preempted one got its turn back
  d.remove(2);
  d.remove(3);
  CHECK(d.select() == 4);
  d.charge(10);
  CHECK(d.select() == 4);  // alone at its priority: keeps the CPU
  d.remove(4);
  CHECK(d.select() == -1);
  CHECK_FALSE(d.has_ready());
}

TEST_CASE("destination table: versions order updates, a CPU failure promotes backups", "[kernel]") {
  DestinationTable t;
  Destination& s = t.set("$S", make_pid(1, 2), make_pid(2, 3));
  CHECK(s.version == 1);
  CHECK_FALSE(t.apply("$S", Destination{make_pid(3, 3), 0, 1}));  // not newer
  CHECK(t.apply("$S", Destination{make_pid(1, 2), make_pid(3, 4), 2}));
  CHECK(t.find("$S")->backup == make_pid(3, 4));
  t.set("$LONE", make_pid(1, 5), kNoPid);
  t.set("$B", make_pid(0, 2), make_pid(1, 7));

  auto e = t.on_cpu_down(1);
  CHECK(e.promoted == std::vector<std::string>{"$S"});
  CHECK(e.lost == std::vector<std::string>{"$LONE"});
  CHECK(e.backup_lost == std::vector<std::string>{"$B"});
  CHECK(t.find("$S")->primary == make_pid(3, 4));
  CHECK(t.find("$S")->backup == kNoPid);
  CHECK(t.find("$S")->version == 3);
  CHECK(t.find("$LONE") == nullptr);
  CHECK(t.find("$B")->backup == kNoPid);

  CHECK_FALSE(t.remove("$S", 2));  // an old removal does not undo a newer entry
  CHECK(t.remove("$S", 4));
  CHECK(t.find("$S") == nullptr);

  DestinationTable joiner;
  joiner.apply("$NEW", Destination{make_pid(2, 2), 0, 1});  // overtook the snapshot
  joiner.adopt(t.snapshot());
  CHECK(joiner.find("$NEW") != nullptr);
  CHECK(joiner.find("$B") != nullptr);
}

TEST_CASE("wire format round-trips every message type", "[kernel]") {
  RequestMsg rq;
  rq.req_id = 0x1122334455667788ull;
  rq.src_pin = 7;
  rq.dst_pin = 9;
  rq.target = "$SERV";
  rq.open_id = 99;
  rq.sync_id = 5;
  rq.reply_max = 2048;
  rq.data.assign(2048, 0xAB);
  RequestMsg rq2;
  REQUIRE(decode(encode(rq), rq2));
  CHECK(rq2.req_id == rq.req_id);
  CHECK(rq2.target == "$SERV");
  CHECK(rq2.data == rq.data);
  CHECK(rq2.sync_id == 5);

  PairOpMsg op;
  op.op_id = 3;
  op.kind = PairOpKind::checkpoint;
  op.from = make_pid(1, 2);
  op.to = make_pid(2, 2);
  op.pair = "$P";
  op.buffers.push_back({10, {1, 2, 3}});
  op.has_stack = true;
  op.regs = Registers{5, 100, 98};
  op.stack = {7, 8, 9};
  FileSync f;
  f.file = 0;
  f.open.receive = true;
  f.open.open_id = 77;
  f.receive[1234] = SavedReply{4, 0, {1, 2, 3, 4}};
  op.files.push_back(f);
  PairOpMsg op2;
  REQUIRE(decode(encode(op), op2));
  CHECK(op2.buffers == op.buffers);
  CHECK(op2.regs.p == 5);
  CHECK(op2.regs.s == 100);
  CHECK(op2.stack == op.stack);
  REQUIRE(op2.files.size() == 1);
  CHECK(op2.files[0].open.receive);
  CHECK(op2.files[0].receive.at(1234).data == std::vector<std::uint8_t>{1, 2, 3, 4});

  DestSnapshotMsg snap;
  snap.up_mask = 0b1011;
  snap.entries = {{"$A", Destination{1, 2, 3}}};
  DestSnapshotMsg snap2;
  REQUIRE(decode(encode(snap), snap2));
  CHECK(snap2.up_mask == 0b1011);
  CHECK(snap2.entries == snap.entries);
}

TEST_CASE("wire format refuses truncated, padded and mistyped messages", "[kernel]") {
  RequestMsg rq;
  rq.target = "$S";
  rq.data = {1, 2, 3};
  const auto good = encode(rq);
  RequestMsg out;
  for (std::size_t n = 0; n < good.size(); ++n) {
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_FALSE(decode(cut, out));
  }
  auto padded = good;
  padded.push_back(0);
  CHECK_FALSE(decode(padded, out));
  ReplyMsg reply;
  CHECK_FALSE(decode(good, reply));  // a request is no reply

  // A length field that claims more than is there.
  auto lying = encode(ReplyMsg{1, 0, false, {9, 9}});
  lying[lying.size() - 6] = 0xFF;
  CHECK_FALSE(decode(lying, reply));
}
