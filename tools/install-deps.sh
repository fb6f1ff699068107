#!/usr/bin/env bash
# Installs what pairsim needs to build and test on Debian 12, from Debian's own packages. Slurm and munge
# are for the system test that runs a campaign as a Slurm job array (tests/system/test_slurm.py); Chromium
# for the ones that open the report page in a headless browser (tests/system/test_html_report.py) and load
# the timeline file in its DevTools trace engine (tests/system/test_perfetto_devtools.py); xvfb for
# the one that opens a waveform's save file in GTKWave (tests/system/test_waveform.py); clang and its
# runtime libraries (libFuzzer, the sanitizers) for the fuzz harnesses (tools/fuzz.sh); man-db, groff-base
# and zsh for the test of the installed man page and shell completions (tests/system/test_install.py).
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libsystemc-dev libboost-program-options-dev catch2 libspdlog-dev gtkwave python3
          slurmctld slurmd slurm-client munge chromium xvfb clang libclang-rt-14-dev man-db groff-base zsh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
