#pragma once
#include <string>
#include <utility>

namespace vfo {

// The outcome of an operation that may fail in a normal way (infeasible placement, unreachable node).
class Status {
 public:
  enum class Code { ok, infeasible, invalid_argument, not_found, unavailable };

  Status() = default;
  static Status ok() { return {}; }
  static Status infeasible(std::string why) { return {Code::infeasible, std::move(why)}; }
  static Status invalid_argument(std::string why) { return {Code::invalid_argument, std::move(why)}; }
  static Status not_found(std::string why) { return {Code::not_found, std::move(why)}; }
  static Status unavailable(std::string why) { return {Code::unavailable, std::move(why)}; }

  bool is_ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::ok;
  std::string message_;
};

}  // namespace vfo
