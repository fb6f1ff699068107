#include "sim/view/gtkw_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace pairsim::sim {

namespace {

// GTKWave's trace flags (its analyzer.h), written in hexadecimal after '@'.
constexpr unsigned kHex = 1u << 1, kDec = 1u << 2, kBin = 1u << 3, kBlank = 1u << 9, kSigned = 1u << 10,
                   kFileTranslated = 1u << 13, kGroupBegin = 1u << 23, kGroupEnd = 1u << 24;

unsigned flags_for(const VcdSignal& s) {
  switch (s.show) {
    case VcdShow::bit:
    case VcdShow::cpu_set:
      return kBin;
    case VcdShow::number:
      return kDec;
    case VcdShow::signed_number:
      return kSigned | kDec;
    case VcdShow::names:
      return kFileTranslated | kDec;
  }
  return kHex;
}

// Groups in this order; a group not named here comes after them, in the order its signals were declared.
int group_rank(const std::string& g) {
  if (g == "CPUs") return 0;
  if (g == "membership") return 1;
  if (g.rfind("pair ", 0) == 0) return 2;
  if (g == "processes") return 3;
  if (g == "buses") return 4;
  if (g == "I/O") return 5;
  return 6;
}

// A value's colour in GTKWave: the states that mean trouble stand out.
std::string colored(const std::string& name) {
  if (name == "down" || name == "halted" || name == "lost" || name == "abended") return "?red?" + name;
  if (name == "reloading" || name == "reviving" || name == "taking over" || name == "round" || name == "waiting")
    return "?yellow?" + name;
  return name;
}

std::string flags_line(unsigned f) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "@%x\n", f);
  return buf;
}

}  // namespace

void WaveMarkers::on_event(const TraceEvent& e) {
  if (e.kind.empty() || (e.kind.front() != 'f' && e.kind.front() != 't')) return;  // the first letter tells most
  std::string label;
  if (e.kind == "fault") {
    label = e.get_str("what").value_or("fault");
  } else if (e.kind == "takeover") {
    label = "takeover " + e.get_str("pair").value_or("") + " cpu " +
            std::to_string(e.get_int("from_cpu").value_or(-1)) + " -> " +
            std::to_string(e.get_int("to_cpu").value_or(-1));
  } else {
    return;
  }
  // Events come nearly in time order (a CPU runs at most a quantum ahead): insert from the back.
  auto at = std::upper_bound(markers_.begin(), markers_.end(), e.t_ns,
                             [](std::uint64_t t, const WaveMarker& m) { return t < m.t_ns; });
  markers_.insert(at, WaveMarker{e.t_ns, label});
}

double gtkw_zoom(std::uint64_t span_ns, int pixels) {
  // GTKWave shows 2^-zoom / 200 time units a pixel (measured with GTKWave 3.3.118: its "zoom full" of a run
  // writes this value into a save file).
  const double per_pixel = std::max(1.0, static_cast<double>(span_ns)) / std::max(1, pixels);
  return -std::log2(per_pixel * 200.0);
}

std::vector<GtkwFile> gtkw_files(const VcdWriter& vcd, const GtkwLayout& layout,
                                 const std::vector<WaveMarker>& markers) {
  const auto& signals = vcd.signals();
  std::vector<GtkwFile> files{{layout.gtkw_name, ""}};  // the filter files follow the save file
  std::string g;

  g += "[*] " + layout.title + "\n";
  g += "[*] open with: gtkwave " + layout.gtkw_name + "\n";
  g += "[dumpfile] \"" + layout.vcd_name + "\"\n";
  // With its own name as [savefile], GTKWave (3.3.118 checked) looks for a relative dump file, and the filter
  // files, in the save file's folder rather than the current one.
  g += "[savefile] \"" + layout.gtkw_name + "\"\n";
  g += "[timestart] 0\n";
  g += "[size] " + std::to_string(kGtkwWidth) + " " + std::to_string(kGtkwHeight) + "\n";
  g += "[pos] -1 -1\n";
  // The wave area is the window less the signal list and GTKWave's frames and scroll bar (about 64 pixels);
  // a few per cent to spare keep the run's end inside it.
  const int wave_pixels = (kGtkwWidth - kGtkwSignalsWidth - 64) * 97 / 100;
  char zoom[64];
  std::snprintf(zoom, sizeof zoom, "*%.6f -1", gtkw_zoom(layout.end_ns, wave_pixels));
  g += zoom;
  const std::size_t shown = std::min(markers.size(), kGtkwMarkers);
  for (std::size_t m = 0; m < kGtkwMarkers; ++m)
    g += " " + (m < shown ? std::to_string(markers[m].t_ns) : std::string("-1"));
  g += "\n";
  for (std::size_t m = 0; m < shown; ++m)
    g += "[markername] " + std::string(1, static_cast<char>('A' + m)) + markers[m].label + "\n";
  g += "[sst_expanded] 0\n";
  g += "[signals_width] " + std::to_string(kGtkwSignalsWidth) + "\n";

  // Groups in rank order, each with its signals in the order they were declared.
  std::vector<std::string> groups;
  for (const auto& s : signals)
    if (std::find(groups.begin(), groups.end(), s.group) == groups.end()) groups.push_back(s.group);
  std::stable_sort(groups.begin(), groups.end(),
                   [](const std::string& a, const std::string& b) { return group_rank(a) < group_rank(b); });

  std::map<std::string, int> filters;  // enumeration -> its filter number in the save file
  unsigned current = ~0u;
  auto set_flags = [&](unsigned f) {
    if (f == current) return;
    g += flags_line(f);
    current = f;
  };
  for (const auto& group : groups) {
    set_flags(kGroupBegin | kBlank);
    g += "-" + group + "\n";
    for (VcdWriter::Signal s = 0; s < signals.size(); ++s) {
      const VcdSignal& sig = signals[s];
      if (sig.group != group) continue;
      set_flags(flags_for(sig));
      if (sig.show == VcdShow::names) {
        auto [it, added] = filters.emplace(sig.enumeration, static_cast<int>(filters.size()) + 1);
        const std::string file = layout.gtkw_name + "." + sig.enumeration + ".txt";
        if (added) {
          std::string t = "# " + sig.enumeration + ": the values of " + layout.gtkw_name + "'s signals of that kind\n";
          for (std::size_t v = 0; v < sig.names.size(); ++v)
            t += std::to_string(v) + " " + colored(sig.names[v]) + "\n";
          files.push_back({file, t});
        }
        g += "^" + std::to_string(it->second) + " " + file + "\n";
      }
      if (!sig.label.empty()) g += "+{" + sig.label + "} ";
      g += vcd.reference(s) + "\n";
    }
    set_flags(kGroupEnd | kBlank);
    g += "-" + group + "\n";
  }
  g += "[pattern_trace] 1\n[pattern_trace] 0\n";
  files[0].text = std::move(g);
  return files;
}

}  // namespace pairsim::sim
