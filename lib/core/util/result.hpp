#pragma once
// Result<T, E>: a value or an error, for failures callers are expected to handle.
//
// A small stand-in for C++23's std::expected (we build as C++20). Construction
// is explicit on the error side so a Result<std::string, SomeError> can never
// be built from the wrong alternative by accident.

#include <cassert>
#include <utility>
#include <variant>

namespace aia {

// Wraps an error so it can be returned from a function whose Result value type
// might otherwise be constructible from it.
template <class E>
struct Failure {
    E error;
};

template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
    return {std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    template <class F>
    Result(Failure<F> failure) : state_(std::in_place_index<1>, E(std::move(failure.error))) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }

    const E& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }
    E&& error() && {
        assert(!ok());
        return std::get<1>(std::move(state_));
    }

    // The value, or `fallback` when this holds an error.
    T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, E> state_;
};

}  // namespace aia
