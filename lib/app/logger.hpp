#pragma once
// Structured log lines on stderr, in upstream's two formats:
//   text: time="2026-11-23T15:00:00Z" level=info msg="access granted" arn=... groups="[a b]"
//   json: {"level":"info","msg":"access granted","time":"...","arn":"...","groups":["a","b"],...}
// Field values are escaped, so no value can forge a line. Tokens and secrets
// are never passed in.

#include <initializer_list>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/log_writer.hpp"

namespace aia::app {

enum class LogLevel { Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };

struct LogField {
    LogField(std::string_view field_key, std::string field_value) : key(field_key), value(std::move(field_value)) {}

    std::string_view key;
    std::string value;               // as text lines show it
    std::vector<std::string> items;  // a list's items: JSON lines show an array, as upstream's logrus does
    bool is_list = false;
};

class Logger {
public:
    // `level` is upstream's --log-verbosity value (trace and debug log
    // debug lines; fatal and panic mean error). Lines go to `fd` (stderr;
    // tests read them back from a file of their own).
    Logger(LogFormat format, std::string_view level, int fd = 2);

    bool enabled(LogLevel level) const noexcept { return level >= threshold_; }
    void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
    void log(LogLevel level, std::string_view message, const std::vector<LogField>& fields);

    void debug(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Debug, m, f); }
    void info(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Info, m, f); }
    void warn(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Warn, m, f); }
    void error(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Error, m, f); }

    // From now on lines are written by a thread of their own, in batches
    // (see LogWriter): for the serving hot path. Before, each line is
    // written at once, so start-up messages keep their order with anything
    // else on stderr. Lines queued are written before the Logger is gone.
    void start_writer_thread();
    // Returns once every line logged so far is written.
    void flush();

    // Formats one line without writing it (what log() writes).
    std::string format(LogLevel level, std::string_view message, const std::vector<LogField>& fields) const;

private:
    LogFormat format_;
    LogLevel threshold_;
    int fd_;
    std::unique_ptr<LogWriter> writer_owner_;
    std::atomic<LogWriter*> writer_{nullptr};  // read on every line, set once
    std::mutex direct_;                        // orders direct writes from several threads
};

// A list: "[a b]" in text lines, ["a","b"] in JSON lines (upstream's renderings).
LogField list_field(std::string_view key, const std::vector<std::string>& items);

}  // namespace aia::app
