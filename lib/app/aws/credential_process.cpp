#include "app/aws/credential_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app/file_reading.hpp"

extern char** environ;

namespace aia::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxStderr = 4096;

struct Child {
    pid_t pid = -1;
    OwnedFd out, err;
};

Result<Child, std::string> spawn_shell(const std::string& command) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(out[0]);
        ::close(out[1]);
        return fail(std::string("pipe: ") + std::strerror(errno));
    }
    Child child{-1, OwnedFd(out[0]), OwnedFd(err[0])};
    const OwnedFd out_write(out[1]), err_write(err[1]);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawnattr_init(&attributes);
    // Its own process group, so a timeout kills what the shell started too.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(command.c_str()), nullptr};
    const int spawned = ::posix_spawn(&child.pid, "/bin/sh", &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) return fail(std::string("cannot run /bin/sh: ") + std::strerror(spawned));
    return child;
}

// Reads both pipes until they close, the deadline passes or stdout grows too
// large; an empty result means the pipes closed normally.
std::string drain(Child& child, std::string& out, std::string& err, Clock::time_point deadline,
                  std::size_t max_output) {
    bool out_open = true, err_open = true;
    char buffer[4096];
    while (out_open || err_open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return "did not finish in time";
        pollfd fds[2] = {{out_open ? child.out.get() : -1, POLLIN, 0}, {err_open ? child.err.get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, static_cast<int>(left.count())) < 0) {
            if (errno == EINTR) continue;
            return std::string("poll: ") + std::strerror(errno);
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
                continue;
            }
            std::string& target = i == 0 ? out : err;
            if (i == 1 && target.size() >= kMaxStderr) continue;  // only its start is shown
            target.append(buffer, static_cast<std::size_t>(n));
            if (i == 0 && out.size() > max_output) return "printed more than " + std::to_string(max_output) + " bytes";
        }
    }
    return {};
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line.empty() ? std::string{} : ": " + line;
}

int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

}  // namespace

Result<std::string, std::string> run_credential_process(const std::string& command, std::chrono::milliseconds timeout,
                                                        std::size_t max_output) {
    auto child = spawn_shell(command);
    if (!child) return fail(std::move(child).error());
    std::string out, err;
    const std::string problem = drain(*child, out, err, Clock::now() + timeout, max_output);
    if (!problem.empty()) {
        ::kill(-child->pid, SIGKILL);
        wait_for(child->pid);
        return fail(problem + first_line(err));
    }
    const int status = wait_for(child->pid);
    if (WIFSIGNALED(status)) return fail("killed by signal " + std::to_string(WTERMSIG(status)) + first_line(err));
    if (WEXITSTATUS(status) != 0) return fail("exit status " + std::to_string(WEXITSTATUS(status)) + first_line(err));
    return out;
}

}  // namespace aia::app
