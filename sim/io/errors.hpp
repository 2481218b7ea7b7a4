#pragma once
// Error types that reach the user. A UserError is bad input (a scenario, an argument, a file that
// is not a civsim file): the CLI prints its message and exits with code 2. Anything else that
// escapes is an internal error (exit code 1).
#include <stdexcept>
#include <string>

namespace civsim::io {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A scenario error, located at file:line:column. `what()` is the full, printable message.
class ConfigError : public UserError {
 public:
  ConfigError(std::string location, std::string key, std::string message)
      : UserError(location + ": error: " + message),
        location_(std::move(location)),
        key_(std::move(key)) {}
  const std::string& location() const { return location_; }
  const std::string& key() const { return key_; }

 private:
  std::string location_;
  std::string key_;
};

}  // namespace civsim::io
