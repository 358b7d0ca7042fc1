#pragma once
// octet's public error contract (docs/api.md).
//
// Every function of the public API is noexcept and reports failure through
// its return value: a Status, or a Result<T> holding either a T or a Status.
// No exception ever crosses the API boundary; out-of-memory is reported as
// StatusCode::kOutOfMemory. A Status message is one line that names the thing
// at fault (file, tensor, input index) and the rule it broke, exactly what the
// `octet` command prints after "octet: error: ".

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace octet {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // a bad argument: wrong input index, size, dtype, shape
  kNotFound,            // a file that does not exist or cannot be opened
  kInvalidModel,        // the bytes are not a valid TFLite model
  kUnsupported,         // a valid model octet's interpreter cannot run
  kFailedPrecondition,  // a call out of order (e.g. output before invoke)
  kOutOfMemory,
  kInternal,            // a bug in octet: please report it
};

// "ok", "invalid argument", ...
const char* status_code_name(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // ok
  Status(StatusCode code, std::string message) noexcept : code_(code), message_(std::move(message)) {}

  static Status Ok() noexcept { return {}; }

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value, or the Status saying why there is none. Test ok() before value():
// reading the value of an error Result is undefined behaviour.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT(google-explicit-constructor)
      : value_(std::move(value)) {}
  Result(Status status) noexcept : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from an ok Status without a value");
  }

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const noexcept { return status_; }

  T& value() & noexcept { return *value_; }
  const T& value() const& noexcept { return *value_; }
  T&& value() && noexcept { return std::move(*value_); }
  T* operator->() noexcept { return &*value_; }
  const T* operator->() const noexcept { return &*value_; }
  T& operator*() & noexcept { return *value_; }
  const T& operator*() const& noexcept { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace octet
