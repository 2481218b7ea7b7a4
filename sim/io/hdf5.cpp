#include "io/hdf5.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "io/errors.hpp"

namespace civsim::io::h5 {
namespace {

// Owns one HDF5 identifier and closes it with the matching function.
class Id {
 public:
  Id() = default;
  Id(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id_ < 0) throw std::runtime_error("HDF5: " + what + " failed");
  }
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Id& operator=(Id&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  ~Id() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const { return id_; }
  hid_t release() { return std::exchange(id_, -1); }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: " + what + " failed");
}

void silence_error_stack() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Id string_type() {
  Id t(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset");
  return t;
}

// Object-creation properties that leave timestamps out, so that two runs of the same scenario
// produce byte-identical datasets.
Id no_times(hid_t cls) {
  Id p(H5Pcreate(cls), H5Pclose, "property list");
  check(H5Pset_obj_track_times(p.get(), false), "H5Pset_obj_track_times");
  return p;
}

// gzip level of every dataset. Level 1 after byte shuffling: the 1008-run sweep of scripts/bench
// writes a 6% larger file than at level 4 (10.1 vs 9.5 MB), and its time outside the runs fell
// from 5.1% to 4.5% of the whole (docs/performance.md).
constexpr unsigned kDeflateLevel = 1;

// Chunks of at most about 16384 elements, filled from the innermost dimension outwards, so that
// a series over steps (or a [step, region] block) is one chunk.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims) {
  std::vector<hsize_t> chunk(dims.size(), 1);
  hsize_t budget = 16384;
  for (std::size_t i = dims.size(); i-- > 0;) {
    chunk[i] = std::max<hsize_t>(1, std::min(dims[i], budget));
    budget = std::max<hsize_t>(1, budget / chunk[i]);
  }
  return chunk;
}

template <class T>
void write_nd(hid_t file, const std::string& path, std::span<const T> values, const Shape& shape,
              hid_t file_type, hid_t mem_type) {
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  hsize_t n = 1;
  for (const auto d : dims) n *= d;
  if (dims.empty() || n != values.size())
    throw std::logic_error("HDF5: " + path + ": values do not match the dataset's shape");
  Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
           "dataspace for " + path);
  Id dcpl = no_times(H5P_DATASET_CREATE);
  if (n > 0) {
    const auto chunk = chunk_shape(dims);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk");
    check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "H5Pset_deflate");
  }
  Id ds(
      H5Dcreate2(file, path.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, "create dataset " + path);
  if (n > 0)
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "write " + path);
}

template <class T>
void write_1d(hid_t file, const std::string& path, std::span<const T> values, hid_t file_type,
              hid_t mem_type) {
  write_nd(file, path, values, Shape{values.size()}, file_type, mem_type);
}

template <class T>
std::vector<T> read_1d(hid_t file, const std::string& path, hid_t mem_type) {
  Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + path);
  Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  check(static_cast<herr_t>(n < 0 ? -1 : 0), "size of " + path);
  std::vector<T> out(static_cast<std::size_t>(n));
  if (n > 0)
    check(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + path);
  return out;
}

// Aborts a conversion that would clip a value (HDF5's default silently saturates), so that a
// negative or oversized integer is an error rather than a different number.
H5T_conv_ret_t abort_on_range(H5T_conv_except_t except, hid_t, hid_t, void*, void*, void*) {
  return except == H5T_CONV_EXCEPT_RANGE_HI || except == H5T_CONV_EXCEPT_RANGE_LOW
             ? H5T_CONV_ABORT
             : H5T_CONV_UNHANDLED;
}

// Opens a dataset and checks that it is one-dimensional and of the given type class.
Id open_1d(hid_t file, const std::string& path, H5T_class_t cls, const char* kind) {
  Id ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + path);
  Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
  Id type(H5Dget_type(ds.get()), H5Tclose, "type of " + path);
  if (H5Sget_simple_extent_ndims(space.get()) != 1 || H5Tget_class(type.get()) != cls)
    throw std::runtime_error("HDF5: " + path + " is not a one-dimensional " + kind + " dataset");
  return ds;
}

template <class T>
std::vector<T> read_unsigned(hid_t file, const std::string& path, hid_t mem_type) {
  Id ds = open_1d(file, path, H5T_INTEGER, "integer");
  Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  check(static_cast<herr_t>(n < 0 ? -1 : 0), "size of " + path);
  std::vector<T> out(static_cast<std::size_t>(n));
  if (n == 0) return out;
  Id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "transfer property list");
  check(H5Pset_type_conv_cb(dxpl.get(), abort_on_range, nullptr), "H5Pset_type_conv_cb");
  if (H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, dxpl.get(), out.data()) < 0)
    throw std::runtime_error("HDF5: read " + path +
                             " failed (is a value negative or too large for its type?)");
  return out;
}

}  // namespace

struct Writer::Impl {
  Id file;
  int fd = -1;  // Backing::memory: the reserved output file, written at close()
  std::string shown;
  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
  [[noreturn]] void fail(const char* doing, int err) const {
    throw UserError(fmt::format("cannot {} '{}': {}{}", doing, shown, std::strerror(err),
                                err == ENOSPC ? " (the disk is full; nothing was written)" : ""));
  }
};

Writer::Writer(const std::filesystem::path& path, Backing backing, std::string shown_as)
    : impl_(std::make_unique<Impl>()) {
  silence_error_stack();
  impl_->shown = shown_as.empty() ? path.string() : std::move(shown_as);
  if (backing == Backing::disk) {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
      throw UserError(fmt::format("cannot create '{}' (it exists, or the folder is not writable)",
                                  path.string()));
    impl_->file = Id(file, H5Fclose, "create file " + path.string());
    return;
  }
  // Reserve the name now, so that a folder we cannot write to fails before any work is done.
  impl_->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (impl_->fd < 0)
    throw UserError(fmt::format("cannot create '{}' (it exists, or the folder is not writable): {}",
                                path.string(), std::strerror(errno)));
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access property list");
  check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, 0), "H5Pset_fapl_core");
  impl_->file = Id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                   "create in-memory file " + path.string());
}

Writer::~Writer() = default;

void Writer::group(const std::string& path) {
  Id gcpl = no_times(H5P_GROUP_CREATE);
  Id g(H5Gcreate2(impl_->file.get(), path.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
       "create group " + path);
}

void Writer::attribute(const std::string& object, const std::string& name, const Attribute& value) {
  Id obj(H5Oopen(impl_->file.get(), object.c_str(), H5P_DEFAULT), H5Oclose, "open " + object);
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar dataspace");
  const std::string what = "attribute " + object + "@" + name;
  if (auto* i = std::get_if<std::int64_t>(&value)) {
    Id a(H5Acreate2(obj.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
         H5Aclose, what);
    check(H5Awrite(a.get(), H5T_NATIVE_INT64, i), what);
  } else if (auto* d = std::get_if<double>(&value)) {
    Id a(H5Acreate2(obj.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
         H5Aclose, what);
    check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, d), what);
  } else if (auto* list = std::get_if<std::vector<std::string>>(&value)) {
    Id type = string_type();
    const hsize_t n = list->size();
    Id array_space(H5Screate_simple(1, &n, nullptr), H5Sclose, "dataspace of " + what);
    Id a(H5Acreate2(obj.get(), name.c_str(), type.get(), array_space.get(), H5P_DEFAULT,
                    H5P_DEFAULT),
         H5Aclose, what);
    std::vector<const char*> pointers;
    for (const auto& item : *list) pointers.push_back(item.c_str());
    if (n > 0) check(H5Awrite(a.get(), type.get(), pointers.data()), what);
  } else {
    Id type = string_type();
    Id a(H5Acreate2(obj.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
         H5Aclose, what);
    const char* text = std::get<std::string>(value).c_str();
    check(H5Awrite(a.get(), type.get(), &text), what);
  }
}

void Writer::dataset(const std::string& path, std::span<const std::int64_t> values) {
  write_1d(impl_->file.get(), path, values, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void Writer::dataset(const std::string& path, std::span<const double> values) {
  write_1d(impl_->file.get(), path, values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void Writer::dataset(const std::string& path, std::span<const std::uint32_t> values) {
  write_1d(impl_->file.get(), path, values, H5T_STD_U32LE, H5T_NATIVE_UINT32);
}

void Writer::dataset(const std::string& path, std::span<const std::uint64_t> values) {
  write_1d(impl_->file.get(), path, values, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}

void Writer::dataset(const std::string& path, std::span<const double> values, const Shape& shape) {
  write_nd(impl_->file.get(), path, values, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void Writer::dataset(const std::string& path, std::span<const std::int64_t> values,
                     const Shape& shape) {
  write_nd(impl_->file.get(), path, values, shape, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void Writer::dataset(const std::string& path, std::span<const std::uint64_t> values,
                     const Shape& shape) {
  write_nd(impl_->file.get(), path, values, shape, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}

void Writer::string_dataset(const std::string& path, std::span<const std::string> values) {
  std::vector<const char*> pointers(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) pointers[i] = values[i].c_str();
  Id type = string_type();
  write_1d(impl_->file.get(), path, std::span<const char* const>(pointers), type.get(), type.get());
}

void Writer::text_dataset(const std::string& path, const std::string& text) {
  Id type = string_type();
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar dataspace");
  Id dcpl = no_times(H5P_DATASET_CREATE);
  Id ds(H5Dcreate2(impl_->file.get(), path.c_str(), type.get(), space.get(), H5P_DEFAULT,
                   dcpl.get(), H5P_DEFAULT),
        H5Dclose, "create dataset " + path);
  const char* data = text.c_str();
  check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &data), "write " + path);
}

void Writer::close() {
  if (impl_->file.get() < 0) return;
  check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush");
  if (impl_->fd < 0) {
    check(H5Fclose(impl_->file.release()), "close file");
    return;
  }
  const ssize_t size = H5Fget_file_image(impl_->file.get(), nullptr, 0);
  check(static_cast<herr_t>(size < 0 ? -1 : 0), "size of the file image");
  std::vector<char> image(static_cast<std::size_t>(size));
  check(static_cast<herr_t>(
            H5Fget_file_image(impl_->file.get(), image.data(), image.size()) < 0 ? -1 : 0),
        "file image");
  check(H5Fclose(impl_->file.release()), "close in-memory file");
  // Write, then fsync, so that a file renamed into place afterwards is on disk.
  for (std::size_t done = 0; done < image.size();) {
    const ssize_t n = ::write(impl_->fd, image.data() + done, image.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) impl_->fail("write", errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(impl_->fd) != 0) impl_->fail("write", errno);
  const int fd = std::exchange(impl_->fd, -1);
  if (::close(fd) != 0) impl_->fail("write", errno);
}

struct Reader::Impl {
  Id file;
  std::string path;

  // Runs one read; a failure is the file's fault (bad input), so it becomes a UserError naming
  // the file, never an internal error.
  template <class F>
  auto guard(F&& f) const -> decltype(f()) {
    try {
      return f();
    } catch (const UserError&) {
      throw;
    } catch (const std::exception& e) {
      throw UserError(
          fmt::format("'{}': {} (is the file damaged, truncated or not written by "
                      "civsim?)",
                      path, e.what()));
    }
  }
};

namespace {

// An attribute must hold one value: reading an array attribute into one would overrun it.
void require_scalar(hid_t attribute, const std::string& what) {
  Id space(H5Aget_space(attribute), H5Sclose, "dataspace of " + what);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    throw std::runtime_error("HDF5: " + what + " holds more or less than one value");
}

// A 1-D string attribute, variable- or fixed-length.
std::vector<std::string> read_string_array(hid_t attribute, const std::string& what) {
  Id space(H5Aget_space(attribute), H5Sclose, "dataspace of " + what);
  Id type(H5Aget_type(attribute), H5Tclose, "type of " + what);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  check(static_cast<herr_t>(n < 0 ? -1 : 0), "size of " + what);
  std::vector<std::string> out(static_cast<std::size_t>(n));
  if (n == 0) return out;
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> text(out.size(), nullptr);
    check(H5Aread(attribute, type.get(), text.data()), what);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (text[i]) out[i] = text[i];
#if H5_VERSION_GE(1, 12, 0)
    check(H5Treclaim(type.get(), space.get(), H5P_DEFAULT, text.data()), "reclaim " + what);
#else
    check(H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, text.data()), "reclaim " + what);
#endif
    return out;
  }
  const std::size_t width = H5Tget_size(type.get());
  std::string buffer(width * out.size(), '\0');
  check(H5Aread(attribute, type.get(), buffer.data()), what);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char* begin = buffer.data() + i * width;
    out[i].assign(begin, std::find(begin, begin + width, '\0'));
  }
  return out;
}

}  // namespace

Reader::Reader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  silence_error_stack();
  impl_->path = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw UserError(fmt::format("'{}' does not exist", path.string()));
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("'{}' is a folder, not an HDF5 file", path.string()));
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw UserError(fmt::format("'{}' is not an HDF5 file", path.string()));
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    throw UserError(
        fmt::format("'{}' starts like an HDF5 file but cannot be opened (truncated or damaged?)",
                    path.string()));
  impl_->file = Id(file, H5Fclose, "open file " + path.string());
}

Reader::~Reader() = default;

bool Reader::exists(const std::string& path) const {
  if (path.empty() || path == "/") return true;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (H5Lexists(impl_->file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

bool Reader::is_group(const std::string& path) const {
  if (!exists(path)) return false;
  const hid_t obj = H5Oopen(impl_->file.get(), path.c_str(), H5P_DEFAULT);
  if (obj < 0) return false;
  Id owned(obj, H5Oclose, "open " + path);
  return H5Iget_type(obj) == H5I_GROUP;
}

std::vector<std::string> Reader::attribute_names(const std::string& object) const {
  return impl_->guard([&] {
    Id obj(H5Oopen(impl_->file.get(), object.c_str(), H5P_DEFAULT), H5Oclose, "open " + object);
    std::vector<std::string> names;
    hsize_t idx = 0;
    check(H5Aiterate2(
              obj.get(), H5_INDEX_NAME, H5_ITER_INC, &idx,
              [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
                static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                return 0;
              },
              &names),
          "list attributes of " + object);
    return names;
  });
}

Attribute Reader::attribute(const std::string& object, const std::string& name) const {
  return impl_->guard([&]() -> Attribute {
    const std::string what = "attribute " + object + "@" + name;
    Id a(H5Aopen_by_name(impl_->file.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
         H5Aclose, "open " + what);
    Id type(H5Aget_type(a.get()), H5Tclose, "type of " + what);
    if (H5Tget_class(type.get()) == H5T_STRING) {
      Id space(H5Aget_space(a.get()), H5Sclose, "dataspace of " + what);
      if (H5Sget_simple_extent_ndims(space.get()) == 1) return read_string_array(a.get(), what);
    }
    require_scalar(a.get(), what);
    switch (H5Tget_class(type.get())) {
      case H5T_INTEGER: {
        std::int64_t v = 0;
        check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), what);
        return v;
      }
      case H5T_FLOAT: {
        double v = 0;
        check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), what);
        return v;
      }
      case H5T_STRING: {
        if (H5Tis_variable_str(type.get()) > 0) {
          Id mem = string_type();
          char* text = nullptr;
          check(H5Aread(a.get(), mem.get(), &text), what);
          std::string out = text ? text : "";
          H5free_memory(text);
          return out;
        }
        std::string out(H5Tget_size(type.get()), '\0');
        check(H5Aread(a.get(), type.get(), out.data()), what);
        out.erase(out.find_last_not_of('\0') + 1);
        return out;
      }
      default:
        throw std::runtime_error("HDF5: " + what + " has an unsupported type");
    }
  });
}

std::vector<std::string> Reader::members(const std::string& group) const {
  return impl_->guard([&] {
    std::vector<std::string> names;
    hsize_t idx = 0;
    check(H5Literate_by_name(
              impl_->file.get(), group.c_str(), H5_INDEX_NAME, H5_ITER_INC, &idx,
              [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
                static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                return 0;
              },
              &names, H5P_DEFAULT),
          "list members of " + group);
    return names;
  });
}

std::uint64_t Reader::length(const std::string& path) const {
  return impl_->guard([&] {
    Id ds(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + path);
    Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    check(static_cast<herr_t>(n < 0 ? -1 : 0), "size of " + path);
    return static_cast<std::uint64_t>(n);
  });
}

Shape Reader::shape(const std::string& path) const {
  return impl_->guard([&] {
    Id ds(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + path);
    Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    check(static_cast<herr_t>(rank < 0 ? -1 : 0), "rank of " + path);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "dims");
    return Shape(dims.begin(), dims.end());
  });
}

std::vector<std::int64_t> Reader::read_int64(const std::string& path) const {
  return impl_->guard(
      [&] { return read_1d<std::int64_t>(impl_->file.get(), path, H5T_NATIVE_INT64); });
}

std::vector<double> Reader::read_double(const std::string& path) const {
  return impl_->guard([&] { return read_1d<double>(impl_->file.get(), path, H5T_NATIVE_DOUBLE); });
}

std::vector<std::uint32_t> Reader::read_uint32(const std::string& path) const {
  return impl_->guard(
      [&] { return read_unsigned<std::uint32_t>(impl_->file.get(), path, H5T_NATIVE_UINT32); });
}

std::vector<std::uint64_t> Reader::read_uint64(const std::string& path) const {
  return impl_->guard(
      [&] { return read_unsigned<std::uint64_t>(impl_->file.get(), path, H5T_NATIVE_UINT64); });
}

std::vector<std::string> Reader::read_strings(const std::string& path) const {
  return impl_->guard([&] {
    Id ds = open_1d(impl_->file.get(), path, H5T_STRING, "string");
    Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
    Id type(H5Dget_type(ds.get()), H5Tclose, "type of " + path);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    check(static_cast<herr_t>(n < 0 ? -1 : 0), "size of " + path);
    std::vector<std::string> out(static_cast<std::size_t>(n));
    if (n == 0) return out;
    // The file's own string type serves as memory type: no character-set conversion.
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> text(out.size(), nullptr);
      check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()),
            "read " + path);
      for (std::size_t i = 0; i < out.size(); ++i)
        if (text[i]) out[i] = text[i];
#if H5_VERSION_GE(1, 12, 0)
      check(H5Treclaim(type.get(), space.get(), H5P_DEFAULT, text.data()), "reclaim " + path);
#else
      check(H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, text.data()), "reclaim " + path);
#endif
      return out;
    }
    const std::size_t width = H5Tget_size(type.get());
    std::string buffer(width * out.size(), '\0');
    check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
          "read " + path);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const char* begin = buffer.data() + i * width;
      out[i].assign(begin, std::find(begin, begin + width, '\0'));
    }
    return out;
  });
}

std::string Reader::read_text(const std::string& path) const {
  return impl_->guard([&] {
    Id ds(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), H5Dclose, "open " + path);
    Id space(H5Dget_space(ds.get()), H5Sclose, "dataspace of " + path);
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
      throw std::runtime_error("HDF5: " + path + " holds more or less than one text");
    Id mem = string_type();
    char* text = nullptr;
    check(H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), "read " + path);
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  });
}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return fmt::format("{}.{}.{}", major, minor, release);
}

}  // namespace civsim::io::h5
