#include "app/logger.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <array>
#include <chrono>

#include "app/wall_clock.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/quote.hpp"

namespace aia::app {
namespace {

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warn:
            return "warning";
        case LogLevel::Error:
            return "error";
    }
    return "info";
}

LogLevel threshold_of(std::string_view verbosity) {
    if (verbosity == "trace" || verbosity == "debug") return LogLevel::Debug;
    if (verbosity == "warn" || verbosity == "warning") return LogLevel::Warn;
    if (verbosity == "error" || verbosity == "fatal" || verbosity == "panic") return LogLevel::Error;
    return LogLevel::Info;
}

// logrus's "safe" characters: a value made of these only is not quoted.
constexpr std::array<bool, 256> kSafe = [] {
    std::array<bool, 256> safe{};
    for (int c = 0; c < 256; ++c) {
        safe[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '/' ||
                                            c == '@' || c == '^' || c == '+';
    }
    return safe;
}();

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (char c : value) {
        if (!kSafe[static_cast<unsigned char>(c)]) return true;
    }
    return false;
}

void append_text_value(std::string& line, std::string_view value) {
    if (needs_quotes(value)) {
        append_quoted(line, value, 4096);
    } else {
        line += value;
    }
}

// Formatted once per second per thread: every access line carries it.
const std::string& now_rfc3339() {
    thread_local amz_time::Seconds formatted_at{};
    thread_local std::string text;
    const amz_time::Seconds now = wall_clock_now();
    if (text.empty() || now != formatted_at) {
        text = amz_time::format_rfc3339(now);
        formatted_at = now;
    }
    return text;
}

}  // namespace

Logger::Logger(LogFormat format, std::string_view level, int fd)
    : format_(format), threshold_(threshold_of(level)), fd_(fd) {}

void Logger::start_writer_thread() {
    std::lock_guard lock(direct_);
    if (writer_owner_) return;
    writer_owner_ = std::make_unique<LogWriter>(fd_);
    writer_.store(writer_owner_.get(), std::memory_order_release);
}

void Logger::flush() {
    if (LogWriter* writer = writer_.load(std::memory_order_acquire)) writer->flush();
}

std::string Logger::format(LogLevel level, std::string_view message, const std::vector<LogField>& fields) const {
    if (format_ == LogFormat::Json) {
        nlohmann::json line = {{"level", level_name(level)}, {"msg", message}, {"time", now_rfc3339()}};
        for (const LogField& field : fields) {
            if (field.is_list) {
                line[std::string(field.key)] = field.items;
            } else {
                line[std::string(field.key)] = field.value;
            }
        }
        return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string line;
    line.reserve(512);
    line += "time=\"";
    line += now_rfc3339();
    line += "\" level=";
    line += level_name(level);
    line += " msg=";
    append_text_value(line, message);
    for (const LogField& field : fields) {
        line += ' ';
        line += field.key;
        line += '=';
        append_text_value(line, field.value);
    }
    return line;
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
    if (enabled(level)) log(level, message, std::vector<LogField>(fields));
}

void Logger::log(LogLevel level, std::string_view message, const std::vector<LogField>& fields) {
    if (!enabled(level)) return;
    const std::string line = format(level, message, fields);
    if (LogWriter* writer = writer_.load(std::memory_order_acquire)) {
        writer->write(line);
        return;
    }
    std::lock_guard lock(direct_);  // lines never interleave
    write_fully(fd_, line + "\n");
}

LogField list_field(std::string_view key, const std::vector<std::string>& items) {
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) text += ' ';
        text += items[i];
    }
    LogField field(key, text + "]");
    field.items = items;
    field.is_list = true;
    return field;
}

}  // namespace aia::app
