#pragma once
// The server's control thread for signals: SIGTERM and SIGINT ask for a
// graceful stop (a second one: stop now), SIGHUP for a reload. Installed
// before anything announces readiness, so a supervisor's early signal is
// never fatal; the handlers run on this object's own thread.

#include <functional>
#include <memory>

namespace aia::app {

struct SignalHandlers {
    std::function<void()> reload;              // SIGHUP
    std::function<void(int signal)> shutdown;  // the first SIGTERM or SIGINT
    std::function<void(int signal)> stop_now;  // any later one
};

class SignalControl {
public:
    explicit SignalControl(SignalHandlers handlers);
    ~SignalControl();  // stops listening for signals and joins the thread
    SignalControl(const SignalControl&) = delete;
    SignalControl& operator=(const SignalControl&) = delete;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace aia::app
