#include "sim/campaign/campaign_progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pairsim::sim {

namespace {
// Erase the terminal line the cursor is on: carriage return, then ANSI "erase to end of line".
const char* const clear_line = "\r\x1b[K";
}  // namespace

std::string CampaignProgress::duration(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds)));
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llu s", static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%llu min %02llu s", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%llu h %02llu min", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  return buf;
}

std::string CampaignProgress::line(std::uint64_t done, std::uint64_t total, std::uint64_t failing,
                                   double elapsed_seconds) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  const unsigned percent = total == 0 ? 100u : static_cast<unsigned>(done * 100 / total);
  char buf[160];
  if (total == 0)
    std::snprintf(buf, sizeof buf, "runs %llu, %llu failing, %.1f runs/s", static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(failing), rate);
  else
    std::snprintf(buf, sizeof buf, "runs %llu/%llu (%u%%), %llu failing, %.1f runs/s",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), percent,
                  static_cast<unsigned long long>(failing), rate);
  std::string s = buf;
  if (done < total && rate > 0) s += ", " + duration(static_cast<double>(total - done) / rate) + " left";
  return s;
}

void CampaignProgress::draw() {
  out_ << clear_line << line(done_, total_, failing_, elapsed_) << std::flush;
  drawn_ = true;
  last_draw_ = elapsed_;
}

void CampaignProgress::note(const std::string& text) {
  if (tty_ && drawn_) out_ << clear_line;
  out_ << text << "\n" << std::flush;
  drawn_ = false;  // the next update draws the line again, whenever the last one was
}

void CampaignProgress::update(std::uint64_t done, std::uint64_t failing, double elapsed_seconds) {
  done_ = done;
  failing_ = failing;
  elapsed_ = elapsed_seconds;
  if (tty_) {
    if (!drawn_ || done_ == total_ || elapsed_ - last_draw_ >= 0.1) draw();
    return;
  }
  const std::uint64_t tenths = total_ == 0 ? done_ / 100 : done_ * 10 / total_;
  if (tenths > tenths_shown_) {
    tenths_shown_ = tenths;
    out_ << line(done_, total_, failing_, elapsed_) << "\n" << std::flush;
  }
}

void CampaignProgress::finish() {
  if (tty_ && drawn_) out_ << clear_line << std::flush;
  drawn_ = false;
}

}  // namespace pairsim::sim
