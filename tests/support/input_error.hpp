// What a piece of code says about bad input, for tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "vfo/util/input_error.hpp"

namespace vfo::test {

// The message of the InputError that `f` throws; fails the test if it throws none or a multi-line one.
inline std::string input_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

// The message of the std::invalid_argument that `f` throws ("" if none), for checks that name the field.
inline std::string rejection(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace vfo::test
