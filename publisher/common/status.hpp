// Status and Result<T>: how every module in gazette reports failure.
//
// Our failures are expected (hostile files, full disks, unknown ids), so they are values in
// signatures, never exceptions across a module boundary. A Status is ok, or a code and a
// message that names the place ("stops.csv:1042:7: unterminated quoted field"). Only
// tools/gazette maps codes to exit statuses and only http/ maps them to problem+json.
//
// Thread-safety: plain values; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gazette {

enum class StatusCode {
  ok,
  invalid_input,  // the user's file, flag or id is wrong; nothing was changed
  not_found,      // an id that names nothing
  io_error,       // the disk or the OS failed us
  corruption,     // the store contradicts itself
  conflict,       // the request contradicts the store's state (e.g. time moving backwards)
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status ok_status() { return {}; }
  static Status invalid_input(std::string m) { return {StatusCode::invalid_input, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::not_found, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::io_error, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::corruption, std::move(m)}; }
  static Status conflict(std::string m) { return {StatusCode::conflict, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `where: ` (a file, or file:line:col).
  Status with_context(const std::string& where) const {
    if (ok()) return *this;
    return {code_, where + ": " + message_};
  }

 private:
  Status(StatusCode c, std::string m) : code_(c), message_(std::move(m)) {}
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// A T or a non-ok Status (C++20 lacks std::expected).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gazette

// Early return on a non-ok Status. Kept as a macro because it must return from the caller.
#define GAZETTE_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::gazette::Status gazette_s_ = (expr);   \
    if (!gazette_s_.ok()) return gazette_s_; \
  } while (0)
