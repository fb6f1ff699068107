#include "sim/campaign/campaign_manifest.hpp"

#include <elf.h>
#include <link.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/campaign/sha256.hpp"
#include "sim/report/json_reader.hpp"
#include "sim/report/json_writer.hpp"

namespace pairsim::sim {

namespace {

// dl_iterate_phdr reports the main program first; its PT_NOTE segments hold the build id note.
int find_build_id(dl_phdr_info* info, std::size_t, void* data) {
  auto& out = *static_cast<std::string*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    auto aligned = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, p, sizeof note);
      const unsigned char* name = p + sizeof note;
      const unsigned char* desc = name + aligned(note.n_namesz);
      if (desc + note.n_descsz > end) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        static const char* digits = "0123456789abcdef";
        for (std::size_t k = 0; k < note.n_descsz; ++k) {
          out += digits[desc[k] >> 4];
          out += digits[desc[k] & 0xf];
        }
        return 1;
      }
      p = desc + aligned(note.n_descsz);
    }
  }
  return 1;  // the main program only
}

}  // namespace

std::string own_build_id() {
  std::string id;
  dl_iterate_phdr(find_build_id, &id);
  return id;
}

std::optional<CampaignManifest> describe_campaign(const std::string& scenario, SeedRange seeds, Shard shard) {
  std::ifstream in(scenario, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  CampaignManifest m;
  m.scenario = scenario;
  m.scenario_sha256 = sha256_hex(text.str());
  m.seeds = seeds;
  m.shard = shard;
  m.pairsim = PAIRSIM_VERSION;
  m.build_id = own_build_id();
  return m;
}

std::string manifest_json(const CampaignManifest& m) {
  JsonWriter j;
  j.begin_object();
  j.field("scenario", m.scenario).field("scenario_sha256", m.scenario_sha256);
  j.key("seeds").begin_object().field("first", m.seeds.first).field("last", m.seeds.last).end_object();
  j.key("shard").begin_object().field("index", m.shard.index).field("count", m.shard.count).end_object();
  j.field("pairsim", m.pairsim);
  j.field("build_id", m.build_id.empty() ? std::nullopt : std::optional<std::string>(m.build_id));
  j.end_object();
  return j.str() + "\n";
}

std::optional<CampaignManifest> parse_manifest(std::string_view text, std::string& error) {
  std::string json_error;
  const auto v = parse_json(text, &json_error);
  if (!v) {
    error = "not JSON (" + json_error + ")";
    return std::nullopt;
  }
  CampaignManifest m;
  auto string_of = [&](const JsonValue* from, const char* key, std::string& into) {
    const JsonValue* x = from ? from->get(key) : nullptr;
    if (x && x->as_string()) into = *x->as_string();
    return x && x->as_string();
  };
  auto number_of = [&](const char* object, const char* key, std::uint64_t& into) {
    const JsonValue* o = v->get(object);
    const JsonValue* x = o ? o->get(key) : nullptr;
    if (x && x->as_uint()) into = *x->as_uint();
    return x && x->as_uint();
  };
  const JsonValue* build = v->get("build_id");
  const bool build_ok = build && (build->is_null() || string_of(&*v, "build_id", m.build_id));
  if (!string_of(&*v, "scenario", m.scenario) || !string_of(&*v, "scenario_sha256", m.scenario_sha256) ||
      !number_of("seeds", "first", m.seeds.first) || !number_of("seeds", "last", m.seeds.last) ||
      !number_of("shard", "index", m.shard.index) || !number_of("shard", "count", m.shard.count) ||
      !string_of(&*v, "pairsim", m.pairsim) || !build_ok) {
    error =
        "not a campaign manifest: it needs scenario, scenario_sha256, seeds {first, last}, shard {index, count}, "
        "pairsim and build_id";
    return std::nullopt;
  }
  if (m.seeds.last < m.seeds.first || m.shard.count == 0 || m.shard.index >= m.shard.count) {
    error = "not a campaign manifest: its seeds or its shard are impossible";
    return std::nullopt;
  }
  return m;
}

}  // namespace pairsim::sim
