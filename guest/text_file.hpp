#pragma once
// Reading the files users name (programs, scenarios, includes, traces) so that no file can fool the reader:
// what is not a regular file is refused before it is opened (a FIFO would block the read for ever, a device
// never end it), and a read that fails partway is an error, never a shorter text. Source text is then made
// plain: a UTF-8 byte order mark is dropped and every line end (LF, CR LF, or a lone CR) becomes LF, so that
// line and column numbers are the ones an editor shows.
#include <cstdint>
#include <string>

namespace pairsim::guest {

// Reads the whole file at `path` into `bytes`. False with `why` set to a sentence ("no such file",
// "is a directory", "is not a regular file (a FIFO, socket or device)", "permission denied", "read error: …",
// "is larger than N MiB") when it cannot.
bool read_whole_file(const std::string& path, std::string& bytes, std::string& why,
                     std::uintmax_t max_bytes = std::uintmax_t{64} << 20);

// `text` without a leading UTF-8 byte order mark, with CR LF and lone CR line ends made LF.
std::string plain_source(std::string text);

}  // namespace pairsim::guest
