#include "guest/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace pairsim::guest {

bool read_whole_file(const std::string& path, std::string& bytes, std::string& why, std::uintmax_t max_bytes) {
  bytes.clear();
  // Opened without waiting (a FIFO would block the open itself), then the open file is what is looked at:
  // a name swapped for a FIFO between a look and the open fools nothing.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    why = errno == ENOENT || errno == ENOTDIR ? "no such file"
          : errno == EACCES                   ? "permission denied"
                                              : std::strerror(errno);
    return false;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(::fdopen(fd, "rb"), &std::fclose);
  if (!f) {
    ::close(fd);
    why = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    why = "is a directory";
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    why = "is not a regular file (a FIFO, socket or device)";
    return false;
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    why = "is larger than " + std::to_string(max_bytes >> 20) + " MiB";
    return false;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    bytes.append(buf, n);
    if (bytes.size() > max_bytes) {
      why = "is larger than " + std::to_string(max_bytes >> 20) + " MiB";
      return false;
    }
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) {
    why = std::string("read error: ") + std::strerror(errno ? errno : EIO);
    bytes.clear();
    return false;
  }
  return true;
}

std::string plain_source(std::string text) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  if (text.find('\r') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;  // CR LF is one line end
    }
  }
  return out;
}

}  // namespace pairsim::guest
