#pragma once
// The one module that talks to HDF5. A deliberately small wrapper over the C API: create a file,
// groups, attributes and N-D datasets (chunked, shuffled and deflated), and read them back.
// Only hdf5.cpp includes <hdf5.h>.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace civsim::io::h5 {

// A scalar attribute, or a 1-D array of strings (e.g. the names along a dataset's axis).
using Attribute = std::variant<std::int64_t, double, std::string, std::vector<std::string>>;
// Dimensions of a dataset, outermost first (C order: the last index varies fastest).
using Shape = std::vector<std::uint64_t>;

class Writer {
 public:
  // Where the file is assembled: `memory` builds it in RAM and writes it to disk in one go at
  // close(), with our own error handling (a full disk is a clear UserError, and HDF5 never holds
  // a half-written file); `disk` writes through HDF5 as it goes (for files too big for RAM).
  enum class Backing { memory, disk };
  // Creates a new file; fails if it exists. `shown_as` names the file in error messages (e.g.
  // the final output path when `path` is a temporary name).
  explicit Writer(const std::filesystem::path& path, Backing backing = Backing::memory,
                  std::string shown_as = "");
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void group(const std::string& path);
  void attribute(const std::string& object, const std::string& name, const Attribute& value);
  void dataset(const std::string& path, std::span<const std::int64_t> values);
  void dataset(const std::string& path, std::span<const double> values);
  void dataset(const std::string& path, std::span<const std::uint32_t> values);
  void dataset(const std::string& path, std::span<const std::uint64_t> values);
  // An N-D dataset of `shape`, values in C order; values.size() must be the shape's product.
  void dataset(const std::string& path, std::span<const double> values, const Shape& shape);
  void dataset(const std::string& path, std::span<const std::int64_t> values, const Shape& shape);
  void dataset(const std::string& path, std::span<const std::uint64_t> values, const Shape& shape);
  // A 1-D array of variable-length UTF-8 strings (each without NUL bytes).
  void string_dataset(const std::string& path, std::span<const std::string> values);
  void text_dataset(const std::string& path, const std::string& text);
  void close();  // flushes; errors surface here rather than in the destructor

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Reader {
 public:
  // Opens for reading; a missing file or one that is not HDF5 is a UserError. So is every later
  // failure to read (a missing object, a wrong type or shape, a damaged or truncated file): the
  // file is the user's input, and the message names it.
  explicit Reader(const std::filesystem::path& path);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool exists(const std::string& path) const;
  bool is_group(const std::string& path) const;
  std::vector<std::string> attribute_names(const std::string& object) const;
  Attribute attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> members(const std::string& group) const;
  // Number of elements of a dataset, without reading it.
  std::uint64_t length(const std::string& path) const;
  Shape shape(const std::string& path) const;
  // The numeric readers return all elements of a dataset of any rank, in C order.
  std::vector<std::int64_t> read_int64(const std::string& path) const;
  std::vector<double> read_double(const std::string& path) const;
  // Unsigned readers accept any 1-D integer dataset whose values all fit the target type;
  // anything else (another rank, a float or string type, a value out of range) throws.
  std::vector<std::uint32_t> read_uint32(const std::string& path) const;
  std::vector<std::uint64_t> read_uint64(const std::string& path) const;
  // A 1-D array of strings, variable- or fixed-length.
  std::vector<std::string> read_strings(const std::string& path) const;
  std::string read_text(const std::string& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string library_version();

}  // namespace civsim::io::h5
