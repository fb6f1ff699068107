#pragma once
// `pairsim disk`: make, list, dump and check disk image files (docs/io.md), the files a machine's mirrored
// volumes are loaded from and saved to. It reads images the way the machine does (io/disk_image.hpp) and
// knows nothing of SystemC.
namespace pairsim::sim {

// `pairsim disk SUBCOMMAND …`, argv as main's (argv[1] is "disk"). Exit codes: 0 all is well; 1 the image is
// valid but `check` found a fault in it; 2 bad usage, or a file that is not a valid image
// ("IMAGE: error: …" on standard error).
int run_disk(int argc, char* argv[]);

}  // namespace pairsim::sim
