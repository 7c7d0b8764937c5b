// The one whole-file reader: regular files only, a hard bound, each failure
// a kind and a reason; a FIFO is refused at once, never waited on.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/file_reading.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using aia::app::FileError;
using aia::app::read_file;
using aia::app::read_open_file;

namespace {

using TempDir = aia::test::TempDir;

}  // namespace

TEST_CASE("a regular file is read whole, binary bytes included", "[file_reading]") {
    TempDir dir;
    const std::string content = std::string("a\0b\r\n", 5) + std::string(40000, 'x');  // more than one chunk
    const auto read = read_file(dir.write("f", content), 1 << 20);
    REQUIRE(read.ok());
    CHECK(*read == content);
    CHECK(read_file(dir.write("empty", ""), 10).value().empty());
}

TEST_CASE("the bound is exact: max bytes pass, one more is refused", "[file_reading]") {
    TempDir dir;
    CHECK(read_file(dir.write("at", std::string(100, 'x')), 100).ok());
    const std::string path = dir.write("over", std::string(101, 'x'));
    const auto over = read_file(path, 100);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().kind == FileError::Kind::TooLarge);
    CHECK(over.error().reason == "larger than 100 bytes");
    CHECK(over.error().message == path + " is larger than 100 bytes");
}

TEST_CASE("missing files, dangling links, directories and FIFOs are refused by kind", "[file_reading]") {
    TempDir dir;
    const std::string missing = (dir.path / "nope").string();
    auto read = read_file(missing, 100);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == FileError::Kind::Missing);
    CHECK(read.error().message == "cannot read " + missing + ": No such file or directory");

    fs::create_symlink(dir.path / "gone", dir.path / "link");
    read = read_file((dir.path / "link").string(), 100);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == FileError::Kind::Missing);

    read = read_file(dir.path.string(), 100);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == FileError::Kind::NotRegular);
    CHECK(read.error().message == "cannot read " + dir.path.string() + ": not a regular file");

    // No writer ever opens it: a blocking open would hang this test.
    const std::string fifo = (dir.path / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    read = read_file(fifo, 100);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == FileError::Kind::NotRegular);
}

TEST_CASE("an open file is read from its start whatever its position", "[file_reading]") {
    TempDir dir;
    const std::string path = dir.write("f", "hello world");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::lseek(fd, 6, SEEK_SET) == 6);
    const auto read = read_open_file(fd, "cache file " + path, 100);
    ::close(fd);
    REQUIRE(read.ok());
    CHECK(*read == "hello world");
    const auto small = read_file(path, 5);
    REQUIRE_FALSE(small.ok());
    CHECK(small.error().kind == FileError::Kind::TooLarge);
}
