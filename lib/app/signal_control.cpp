#include "app/signal_control.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <thread>

#include "net/asio.hpp"

namespace aia::app {

struct SignalControl::State {
    SignalHandlers handlers;
    net::asio::io_context io;
    boost::asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
    bool shutting_down = false;  // signal thread only
    std::thread thread;

    void wait() {
        signals.async_wait([this](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            dispatch(signal_number);
            wait();
        });
    }

    void dispatch(int signal_number) {
        if (signal_number == SIGHUP) {
            handlers.reload();
        } else if (!shutting_down) {
            shutting_down = true;
            handlers.shutdown(signal_number);
        } else {
            handlers.stop_now(signal_number);
        }
    }
};

SignalControl::SignalControl(SignalHandlers handlers) : state_(std::make_unique<State>()) {
    state_->handlers = std::move(handlers);
    state_->wait();
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

SignalControl::~SignalControl() {
    state_->io.stop();
    state_->thread.join();
}

}  // namespace aia::app
