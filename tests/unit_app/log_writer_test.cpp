#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <string>
#include <thread>
#include <vector>

#include "app/log_writer.hpp"

using aia::app::LogWriter;

namespace {

std::string drain(int fd) {
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
    return text;
}

}  // namespace

TEST_CASE("every line from every thread arrives whole and in each thread's order", "[log-writer]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string received;
    std::thread reader([&] { received = drain(fds[0]); });
    {
        // A small backlog cap: writers must wait for the thread, not drop lines.
        LogWriter writer(fds[1], 4096);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&writer, t] {
                for (int i = 0; i < 2000; ++i)
                    writer.write("thread=" + std::to_string(t) + " line=" + std::to_string(i));
            });
        }
        for (auto& thread : threads) thread.join();
    }  // destruction writes what is left
    ::close(fds[1]);
    reader.join();
    ::close(fds[0]);

    std::vector<int> next(4, 0);
    std::size_t lines = 0;
    for (std::size_t start = 0; start < received.size();) {
        const std::size_t end = received.find('\n', start);
        REQUIRE(end != std::string::npos);
        const std::string line = received.substr(start, end - start);
        int t = -1, i = -1;
        REQUIRE(std::sscanf(line.c_str(), "thread=%d line=%d", &t, &i) == 2);
        REQUIRE(t >= 0);
        REQUIRE(t < 4);
        CHECK(i == next[static_cast<std::size_t>(t)]++);
        ++lines;
        start = end + 1;
    }
    CHECK(lines == 8000);
}

TEST_CASE("flush returns once the lines logged before it are written", "[log-writer]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    LogWriter writer(fds[1]);
    writer.write("first");
    writer.write("second");
    writer.flush();
    char buffer[64] = {};
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer - 1);  // already there: does not block
    CHECK(std::string(buffer, static_cast<std::size_t>(std::max<ssize_t>(n, 0))) == "first\nsecond\n");
    ::close(fds[0]);
    ::close(fds[1]);
}
