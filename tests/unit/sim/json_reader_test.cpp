// The JSON reader a campaign reads its runs' summaries with: values, escapes, exact integers, and errors.
#include <catch2/catch.hpp>

#include "sim/report/json_reader.hpp"
#include "sim/report/json_writer.hpp"

using namespace pairsim::sim;

TEST_CASE("json reader: values and nesting", "[json]") {
  auto v = parse_json(R"( {"a": [1, -2, 3.5e2, true, false, null], "b": {"c": "d"}, "a": 0} )");
  REQUIRE(v);
  REQUIRE(v->is_object());
  const JsonValue* a = v->get("a");  // the first of two members named "a"
  REQUIRE(a);
  REQUIRE(a->is_array());
  REQUIRE(a->items().size() == 6);
  CHECK(a->items()[0].as_int() == 1);
  CHECK(a->items()[1].as_int() == -2);
  CHECK_FALSE(a->items()[1].as_uint());
  CHECK(a->items()[2].as_double() == 350.0);
  CHECK_FALSE(a->items()[2].as_int());
  CHECK(a->items()[3].as_bool() == true);
  CHECK(a->items()[4].as_bool() == false);
  CHECK(a->items()[5].is_null());
  CHECK(v->get("b")->get("c")->as_string() == "d");
  CHECK(v->keys() == std::vector<std::string>{"a", "b", "a"});
  CHECK(v->get("z") == nullptr);
  CHECK(a->get("x") == nullptr);
  CHECK_FALSE(v->get("b")->as_string());
}

TEST_CASE("json reader: 64-bit integers stay exact", "[json]") {
  CHECK(parse_json("18446744073709551615")->as_uint() == 18446744073709551615ull);
  CHECK_FALSE(parse_json("18446744073709551616")->as_uint());
  CHECK(parse_json("-9223372036854775808")->as_int() == INT64_MIN);
}

TEST_CASE("json reader: escapes, and what the writer writes reads back", "[json]") {
  CHECK(parse_json(R"("a\"b\\c\/d\n\t\u0041\u00e9\ud83d\ude00")")->as_string() ==
        "a\"b\\c/d\n\tA\xC3\xA9\xF0\x9F\x98\x80");
  JsonWriter w;
  w.begin_object().field("text", std::string("expect output $X \"a\\b\"\n\x01")).field("n", std::uint64_t{7});
  w.end_object();
  auto back = parse_json(w.str());
  REQUIRE(back);
  CHECK(back->get("text")->as_string() == "expect output $X \"a\\b\"\n\x01");
  CHECK(back->get("n")->as_uint() == 7u);
}

TEST_CASE("json reader: errors", "[json]") {
  for (const char* bad :
       {"",    "{",   "[1,]",  "{\"a\":1,}", "{\"a\" 1}",   "01",       "1.",  "-",    "+1",    ".5",
        "tru", "nul", "\"abc", "\"\\x\"",    "\"\\ud800\"", "\"a\nb\"", "1 2", "{} x", "[1 2]", "'a'"}) {
    std::string error;
    INFO(bad);
    CHECK_FALSE(parse_json(bad, &error));
    CHECK(error.find(" at byte ") != std::string::npos);
  }
  CHECK_FALSE(parse_json(std::string(1000, '[') + std::string(1000, ']')));  // too deep for the stack
  CHECK(parse_json(std::string(200, '[') + std::string(200, ']')));
}
