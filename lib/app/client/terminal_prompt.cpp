#include "app/client/terminal_prompt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "app/file_reading.hpp"

namespace aia::app {
namespace {

constexpr std::string_view kPrompt = "Assume Role MFA token code: ";
constexpr std::size_t kMaxAnswer = 64;

bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// One line, without its end; nullopt at end of input before a newline.
Result<std::string, std::string> read_line(int fd) {
    std::string line;
    char c = 0;
    while (true) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(std::string("no code was typed"));
        if (c == '\n') break;
        if (line.size() >= kMaxAnswer) return fail(std::string("the code typed is too long"));
        line += c;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace

Result<std::string, std::string> ask_mfa_token_code(const std::string& mfa_serial) {
    const OwnedFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (tty.get() < 0) {
        return fail("no terminal to ask for the code of MFA device " + mfa_serial +
                    " (run it interactively, or use --cache after one interactive run)");
    }
    if (!write_all(tty.get(), kPrompt)) return fail(std::string("cannot write to the terminal"));
    auto code = read_line(tty.get());
    if (!code) return code;
    while (!code->empty() && (code->back() == ' ' || code->back() == '\t')) code->pop_back();
    while (!code->empty() && (code->front() == ' ' || code->front() == '\t')) code->erase(0, 1);
    if (code->empty()) return fail(std::string("no code was typed"));
    return code;
}

}  // namespace aia::app
