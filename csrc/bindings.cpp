// The only file that includes pybind11: it exposes the C++ core as tensorlite._C. Python sees one
// class, TensorImpl (a strided view of a Storage), plus free functions grouped by op family. Type
// checks, autograd and the torch-shaped API live in Python (python/tensorlite); validation lives in
// csrc/ops. Families are separate sections so each issue edits only its own.
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>

#include "core/check.h"
#include "core/parallel.h"
#include "core/precision.h"
#include "core/random.h"
#include "core/tensor.h"
#include "cpu/gemm/gemm.h"
#include "cpu/isa/isa.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/random.h"
#include "ops/index.h"
#include "ops/matmul.h"
#include "ops/shape.h"
#include "ops/sort.h"
#include "core/dlpack.h"
#include "ops/creation.h"
#include "ops/reduce.h"
#include "ops/softmax.h"
#include "ops/loss.h"
#include "ops/optim.h"
#include "core/allocator.h"
#include "core/runtime.h"
#ifdef TL_WITH_CUDA
#include "cuda/device.h"
#endif

namespace py = pybind11;
using namespace tl;

namespace {

Scalar to_scalar(py::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return Scalar::from_bool(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) TL_THROW(Runtime, "value cannot be converted to type int64 without overflow");
    return Scalar::from_int(v);
  }
  if (PyFloat_Check(o)) return Scalar::from_double(PyFloat_AS_DOUBLE(o));
  // numpy scalars and other number-likes: integers through __index__, the rest through __float__.
  if (py::hasattr(h, "dtype")) {
    std::string kind = py::str(h.attr("dtype").attr("kind"));
    if (kind == "b") return Scalar::from_bool(py::cast<bool>(h));
    if (kind == "i" || kind == "u") return Scalar::from_int(py::cast<int64_t>(h.attr("__int__")()));
  }
  if (PyIndex_Check(o)) return Scalar::from_int(py::cast<int64_t>(py::reinterpret_steal<py::object>(PyNumber_Index(o))));
  PyObject* f = PyNumber_Float(o);
  if (!f) {
    PyErr_Clear();
    TL_THROW(Type, "expected a number, got ", std::string(py::str(py::type::of(h).attr("__name__"))));
  }
  double d = PyFloat_AS_DOUBLE(f);
  Py_DECREF(f);
  return Scalar::from_double(d);
}

py::object scalar_to_py(const Tensor& t) {
  TL_CHECK(t.numel() == 1, "a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
  Tensor c = to_host(t);
  return TL_DISPATCH_ALL(c.dtype(), "item", [&]() -> py::object {
    scalar_t v = *c.data<scalar_t>();
    if constexpr (std::is_same_v<scalar_t, bool>) return py::bool_(v);
    else if constexpr (std::is_floating_point_v<scalar_t>) return py::float_(static_cast<double>(v));
    else return py::int_(static_cast<int64_t>(v));
  });
}

// dtype codes arrive as ints from Python; an out-of-range code would index past every dtype table.
DType dtype_arg(int code) {
  TL_CHECK_VALUE(code >= 0 && code < kNumDTypes, "invalid dtype code ", code);
  return static_cast<DType>(code);
}

const char* numpy_format(DType dt) {
  switch (dt) {
    case DType::Bool: return "?";
    case DType::UInt8: return "B";
    case DType::Int32: return "i";
    case DType::Int64: return "q";
    case DType::Float32: return "f";
    case DType::Float64: return "d";
  }
  return "?";
}

DType dtype_from_numpy(const py::dtype& d) {
  // a byte-swapped array read in place would give silently wrong numbers
  if (!py::cast<bool>(d.attr("isnative")))
    TL_THROW(Value, "given numpy array has byte order different from the native byte order. Conversion between "
             "byte orders is currently not supported.");
  char kind = d.kind();
  int64_t sz = static_cast<int64_t>(d.itemsize());
  if (kind == 'b') return DType::Bool;
  if (kind == 'u' && sz == 1) return DType::UInt8;
  if (kind == 'i' && sz == 4) return DType::Int32;
  if (kind == 'i' && sz == 8) return DType::Int64;
  if (kind == 'f' && sz == 4) return DType::Float32;
  if (kind == 'f' && sz == 8) return DType::Float64;
  TL_THROW(Type, "can't convert np.ndarray of type numpy.", std::string(py::str(d)),
           ". The only supported types are: float64, float32, int64, int32, uint8, and bool.");
}

// Zero-copy: the array keeps a heap copy of the Tensor (hence its Storage) alive.
py::array to_numpy(const Tensor& t) {
  TL_CHECK_TYPE(t.device().is_cpu(), "can't convert ", t.device().str(),
           " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
  std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<py::ssize_t> strides;
  for (int64_t s : t.strides()) strides.push_back(s * static_cast<py::ssize_t>(t.itemsize()));
  auto* keep = new Tensor(t);
  py::capsule base(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(py::dtype(numpy_format(t.dtype())), shape, strides, t.data_ptr(), base);
}

Tensor from_numpy(py::array arr) {
  DType dt = dtype_from_numpy(arr.dtype());
  TL_CHECK_VALUE(!(arr.flags() & py::array::c_style) || true, "");
  Shape sizes, strides;
  int64_t isz = static_cast<int64_t>(itemsize(dt));
  int64_t lo = 0, hi = 0;
  for (py::ssize_t i = 0; i < arr.ndim(); ++i) {
    sizes.push_back(arr.shape(i));
    int64_t sb = arr.strides(i);
    TL_CHECK_VALUE(sb % isz == 0, "from_numpy: strides that are not a multiple of the element size are not supported");
    TL_CHECK_VALUE(sb >= 0, "At least one stride in the given numpy array is negative, and tensors with negative "
                   "strides are not currently supported. (You can probably work around this by making a copy of "
                   "your array  with array.copy().) ");
    strides.push_back(sb / isz);
    if (arr.shape(i) > 0) hi += (arr.shape(i) - 1) * sb;
    else lo = hi = -1;
  }
  int64_t nbytes = arr.size() == 0 ? 0 : hi + isz;
  (void)lo;
  // Hold the array (not just its buffer): numpy may own the memory through a base object.
  auto holder = std::shared_ptr<void>(new py::object(arr), [](void* p) {
    py::gil_scoped_acquire g;
    delete static_cast<py::object*>(p);
  });
  auto st = Storage::wrap(const_cast<void*>(arr.data()), nbytes, cpu_device(), holder);
  return Tensor(st, sizes, strides, 0, dt);
}

Shape to_shape(const std::vector<int64_t>& v) { return Shape(v.begin(), v.end()); }

// ---- DLPack capsules (tensor-API work) ----
// A capsule named "dltensor"/"dltensor_versioned" still owns its managed tensor: its destructor calls
// the deleter. A consumer renames it to "used_dltensor"/"used_dltensor_versioned" when it takes
// ownership, and the destructor then does nothing.
constexpr const char* kDL = "dltensor";
constexpr const char* kDLUsed = "used_dltensor";
constexpr const char* kDLV = "dltensor_versioned";
constexpr const char* kDLVUsed = "used_dltensor_versioned";

void dlpack_capsule_destructor(PyObject* cap) {
  if (PyCapsule_IsValid(cap, kDLUsed)) return;
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);  // may run while an exception is propagating
  if (auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, kDL))) m->deleter(m);
  else PyErr_WriteUnraisable(cap);
  PyErr_Restore(type, value, tb);
}

void dlpack_versioned_capsule_destructor(PyObject* cap) {
  if (PyCapsule_IsValid(cap, kDLVUsed)) return;
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(cap, kDLV))) m->deleter(m);
  else PyErr_WriteUnraisable(cap);
  PyErr_Restore(type, value, tb);
}

py::object to_dlpack_capsule(const Tensor& t, bool versioned, bool copied) {
  if (versioned) {
    DLManagedTensorVersioned* m = to_dlpack_versioned(t, copied ? DLPACK_FLAG_BITMASK_IS_COPIED : 0);
    PyObject* cap = PyCapsule_New(m, kDLV, dlpack_versioned_capsule_destructor);
    if (!cap) { m->deleter(m); throw py::error_already_set(); }
    return py::reinterpret_steal<py::object>(cap);
  }
  DLManagedTensor* m = to_dlpack(t);
  PyObject* cap = PyCapsule_New(m, kDL, dlpack_capsule_destructor);
  if (!cap) { m->deleter(m); throw py::error_already_set(); }
  return py::reinterpret_steal<py::object>(cap);
}

// Returns (tensor, read_only). The tensor owns the managed tensor from here on: the producer's
// deleter runs when the last tensorlite view of that memory is gone.
py::tuple from_dlpack_capsule(py::handle cap) {
  PyObject* o = cap.ptr();
  if (PyCapsule_IsValid(o, kDLV)) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(o, kDLV));
    TL_CHECK(m->version.major <= DLPACK_MAJOR_VERSION, "from_dlpack: unsupported DLPack version ",
             m->version.major, ".", m->version.minor, " (tensorlite reads up to ", DLPACK_MAJOR_VERSION, ".x)");
    check_dlpack(m->dl_tensor);
    bool read_only = (m->flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0;
    PyCapsule_SetName(o, kDLVUsed);  // from here on `release` owns it, even if wrapping throws
    std::shared_ptr<void> release(m, [](void* p) {
      auto* mt = static_cast<DLManagedTensorVersioned*>(p);
      if (mt->deleter) mt->deleter(mt);
    });
    Tensor t = wrap_dlpack(m->dl_tensor, std::move(release));
    return py::make_tuple(t, read_only);
  }
  if (PyCapsule_IsValid(o, kDL)) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(o, kDL));
    check_dlpack(m->dl_tensor);
    PyCapsule_SetName(o, kDLUsed);
    std::shared_ptr<void> release(m, [](void* p) {
      auto* mt = static_cast<DLManagedTensor*>(p);
      if (mt->deleter) mt->deleter(mt);
    });
    Tensor t = wrap_dlpack(m->dl_tensor, std::move(release));
    return py::make_tuple(t, false);
  }
  TL_THROW(Runtime, "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
           "once, so you might have already constructed a tensor from it once.");
}

}  // namespace

// "cpu", "cuda", "cuda:N" (the Python layer has validated the string already).
Device device_arg(const std::string& s) {
  if (s == "cpu") return cpu_device();
  TL_CHECK(s.rfind("cuda", 0) == 0, "Expected one of cpu, cuda device type at start of device string: ", s);
  Device d{DeviceType::CUDA, -1};
  if (s.size() > 5 && s[4] == ':') d.index = std::stoi(s.substr(5));
  return d;
}

PYBIND11_MODULE(_C, m) {
  m.doc() = "tensorlite C++ core";

  // ---- errors: C++ kinds -> the Python exceptions torch raises -----------------------------------
  // torch.OutOfMemoryError subclasses RuntimeError, so `except RuntimeError` keeps working.
  static py::exception<tl::Error> oom_error(m, "OutOfMemoryError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tl::Error& e) {
      switch (e.kind) {
        case ErrorKind::Index: PyErr_SetString(PyExc_IndexError, e.what()); return;
        case ErrorKind::Value: PyErr_SetString(PyExc_ValueError, e.what()); return;
        case ErrorKind::Type: PyErr_SetString(PyExc_TypeError, e.what()); return;
        case ErrorKind::NotImplemented: PyErr_SetString(PyExc_NotImplementedError, e.what()); return;
        case ErrorKind::OutOfMemory: PyErr_SetString(oom_error.ptr(), e.what()); return;
        default: PyErr_SetString(PyExc_RuntimeError, e.what()); return;
      }
    }
  });

  // ---- core: TensorImpl ---------------------------------------------------------------------------
  py::class_<Tensor>(m, "TensorImpl")
      .def_property_readonly("shape", [](const Tensor& t) { return py::tuple(py::cast(t.sizes())); })
      .def_property_readonly("strides", [](const Tensor& t) { return py::tuple(py::cast(t.strides())); })
      .def_property_readonly("offset", &Tensor::offset)
      .def_property_readonly("dtype", [](const Tensor& t) { return static_cast<int>(t.dtype()); })
      .def_property_readonly("device", [](const Tensor& t) { return t.device().str(); })
      .def_property_readonly("ndim", &Tensor::dim)
      .def_property_readonly("numel", &Tensor::numel)
      .def_property_readonly("version", &Tensor::version)
      .def_property_readonly("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); })
      .def_property_readonly("storage_id", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.storage().get()); })
      .def_property_readonly("storage_nbytes", [](const Tensor& t) { return t.storage()->nbytes; })
      .def("bump_version", &Tensor::bump_version)
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("as_strided", [](const Tensor& t, const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                            int64_t offset) { return t.as_strided(to_shape(sizes), to_shape(strides), offset); })
      .def("contiguous", &Tensor::contiguous)
      .def("clone", &Tensor::clone)
      .def("item", &scalar_to_py)
      .def("numpy", &to_numpy);

  // ---- core: creation, copies, casts ----------------------------------------------------------------------
  m.def("empty", [](const std::vector<int64_t>& sizes, int dtype, const std::string& device) {
    return Tensor::empty(to_shape(sizes), dtype_arg(dtype), device_arg(device));
  }, py::arg("sizes"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("empty_strided", [](const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, int dtype,
                            const std::string& device) {
    return Tensor::empty_strided(to_shape(sizes), to_shape(strides), dtype_arg(dtype), device_arg(device));
  }, py::arg("sizes"), py::arg("strides"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("full", [](const std::vector<int64_t>& sizes, py::handle value, int dtype, const std::string& device) {
    return full(to_shape(sizes), to_scalar(value), dtype_arg(dtype), device_arg(device));
  }, py::arg("sizes"), py::arg("value"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("copy_", [](const Tensor& dst, const Tensor& src, bool non_blocking) { copy_(dst, src, non_blocking); },
        py::arg("dst"), py::arg("src"), py::arg("non_blocking") = false);
  m.def("to_device", [](const Tensor& t, const std::string& device, int dtype, bool non_blocking, bool copy) {
    return to_device(t, device_arg(device), dtype_arg(dtype), non_blocking, copy);
  }, py::arg("t"), py::arg("device"), py::arg("dtype"), py::arg("non_blocking") = false, py::arg("copy") = false);
  m.def("fill_", [](const Tensor& t, py::handle v) { fill_(t, to_scalar(v)); });
  m.def("to_dtype", [](const Tensor& t, int dtype, bool copy) { return to_dtype(t, dtype_arg(dtype), copy); },
        py::arg("t"), py::arg("dtype"), py::arg("copy") = false);
  m.def("from_numpy", &from_numpy);
  m.def("broadcast_shapes", [](const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    return py::tuple(py::cast(broadcast_shapes(to_shape(a), to_shape(b))));
  });

  // ---- elementwise (generated from ops/elementwise.def) ----------------------------------------------------
  m.def("result_type", [](const Tensor& a, const Tensor& b) { return static_cast<int>(result_type(a, b)); });
  m.def("result_type_scalar", [](const Tensor& a, py::handle s) { return static_cast<int>(result_type(a, to_scalar(s))); });
  m.def("can_cast", [](int from, int to) { return can_cast(dtype_arg(from), dtype_arg(to)); });
#define TL_UNARY(NAME, KIND, EXPR)                                                                          \
  m.def(#NAME, [](const Tensor& x, double p0, double p1) { return unary(UnaryOp::NAME, x, p0, p1); },         \
        py::arg("x"), py::arg("p0") = 0.0, py::arg("p1") = 0.0);                                             \
  m.def(#NAME "_", [](const Tensor& x, double p0, double p1) { unary_(UnaryOp::NAME, x, p0, p1); },          \
        py::arg("x"), py::arg("p0") = 0.0, py::arg("p1") = 0.0);
#define TL_BINARY(NAME, KIND, EXPR)                                                                          \
  m.def(#NAME, [](const Tensor& a, const Tensor& b) { return binary(BinaryOp::NAME, a, b); });               \
  m.def(#NAME "_scalar", [](const Tensor& a, py::handle s, bool reverse) {                                    \
    return binary(BinaryOp::NAME, a, to_scalar(s), reverse); }, py::arg("a"), py::arg("s"), py::arg("reverse") = false); \
  m.def(#NAME "_", [](const Tensor& a, const Tensor& b) { binary_(BinaryOp::NAME, a, b); });                 \
  m.def(#NAME "_scalar_", [](const Tensor& a, py::handle s) { binary_(BinaryOp::NAME, a, to_scalar(s)); });
#include "ops/elementwise.def"
  m.def("where", &where);

  // ---- random ---------------------------------------------------------------------------------------------
  py::class_<Generator, std::shared_ptr<Generator>>(m, "Generator")
      .def(py::init<uint64_t>(), py::arg("seed") = Generator::kDefaultSeed)
      .def("manual_seed", &Generator::manual_seed)
      .def_property_readonly("seed", &Generator::seed)
      .def_property_readonly("offset", &Generator::offset)
      .def("set_state", &Generator::set_state);
  m.def("default_generator", []() { return &default_generator(); }, py::return_value_policy::reference);
  m.def("uniform_", &uniform_, py::arg("t"), py::arg("lo"), py::arg("hi"), py::arg("gen").none(true));
  m.def("normal_", &normal_, py::arg("t"), py::arg("mean"), py::arg("std"), py::arg("gen").none(true));
  m.def("random_", &random_, py::arg("t"), py::arg("lo"), py::arg("hi"), py::arg("gen").none(true));
  m.def("bernoulli_", py::overload_cast<const Tensor&, double, Generator*>(&bernoulli_), py::arg("t"), py::arg("p"),
        py::arg("gen").none(true));
  m.def("bernoulli_tensor_", py::overload_cast<const Tensor&, const Tensor&, Generator*>(&bernoulli_), py::arg("t"),
        py::arg("p"), py::arg("gen").none(true));

  // ---- reductions (section owned by the reductions work) -------------------------------------------------
  // dims: None (or [] except for all/any) reduces every dim; dtype: an int DType code or None.
  {
    using OptDT = std::optional<int>;
    auto dt = [](const OptDT& d) -> std::optional<DType> {
      if (d) return dtype_arg(*d);
      return std::nullopt;
    };
    auto dims_arg = [] { return py::arg("dims").none(true); };
    m.def("sum", [dt](const Tensor& x, const OptDims& dims, bool keepdim, OptDT dtype) { return sum(x, dims, keepdim, dt(dtype)); },
          py::arg("x"), dims_arg(), py::arg("keepdim") = false, py::arg("dtype").none(true) = py::none());
    m.def("mean", [dt](const Tensor& x, const OptDims& dims, bool keepdim, OptDT dtype) { return mean(x, dims, keepdim, dt(dtype)); },
          py::arg("x"), dims_arg(), py::arg("keepdim") = false, py::arg("dtype").none(true) = py::none());
    m.def("prod", [dt](const Tensor& x, const OptDims& dims, bool keepdim, OptDT dtype) { return prod(x, dims, keepdim, dt(dtype)); },
          py::arg("x"), dims_arg(), py::arg("keepdim") = false, py::arg("dtype").none(true) = py::none());
    m.def("amax", &amax, py::arg("x"), dims_arg(), py::arg("keepdim") = false);
    m.def("amin", &amin, py::arg("x"), dims_arg(), py::arg("keepdim") = false);
    m.def("max_all", &max_all);
    m.def("min_all", &min_all);
    m.def("max_dim", [](const Tensor& x, int64_t dim, bool keepdim) { auto r = max_dim(x, dim, keepdim); return py::make_tuple(r.first, r.second); },
          py::arg("x"), py::arg("dim"), py::arg("keepdim") = false);
    m.def("min_dim", [](const Tensor& x, int64_t dim, bool keepdim) { auto r = min_dim(x, dim, keepdim); return py::make_tuple(r.first, r.second); },
          py::arg("x"), py::arg("dim"), py::arg("keepdim") = false);
    m.def("argmax", &argmax, py::arg("x"), py::arg("dim").none(true) = py::none(), py::arg("keepdim") = false);
    m.def("argmin", &argmin, py::arg("x"), py::arg("dim").none(true) = py::none(), py::arg("keepdim") = false);
    m.def("var", &var, py::arg("x"), dims_arg(), py::arg("correction") = 1.0, py::arg("keepdim") = false);
    m.def("std", &stddev, py::arg("x"), dims_arg(), py::arg("correction") = 1.0, py::arg("keepdim") = false);
    m.def("norm", &norm, py::arg("x"), py::arg("p") = 2.0, dims_arg(), py::arg("keepdim") = false);
    m.def("all", &all, py::arg("x"), dims_arg(), py::arg("keepdim") = false);
    m.def("any", &any, py::arg("x"), dims_arg(), py::arg("keepdim") = false);
    m.def("logsumexp", &logsumexp, py::arg("x"), dims_arg(), py::arg("keepdim") = false);
    m.def("cumsum", [dt](const Tensor& x, int64_t dim, OptDT dtype, bool reverse) { return cumsum(x, dim, dt(dtype), reverse); },
          py::arg("x"), py::arg("dim"), py::arg("dtype").none(true) = py::none(), py::arg("reverse") = false);
    m.def("cumprod", [dt](const Tensor& x, int64_t dim, OptDT dtype) { return cumprod(x, dim, dt(dtype)); },
          py::arg("x"), py::arg("dim"), py::arg("dtype").none(true) = py::none());
    m.def("cummax", [](const Tensor& x, int64_t dim) { auto r = cummax(x, dim); return py::make_tuple(r.first, r.second); });
    m.def("cummin", [](const Tensor& x, int64_t dim) { auto r = cummin(x, dim); return py::make_tuple(r.first, r.second); });
    m.def("logcumsumexp", &logcumsumexp, py::arg("x"), py::arg("dim"));
    m.def("softmax", [dt](const Tensor& x, int64_t dim, OptDT dtype) { return softmax(x, dim, dt(dtype)); },
          py::arg("x"), py::arg("dim"), py::arg("dtype").none(true) = py::none());
    m.def("log_softmax", [dt](const Tensor& x, int64_t dim, OptDT dtype) { return log_softmax(x, dim, dt(dtype)); },
          py::arg("x"), py::arg("dim"), py::arg("dtype").none(true) = py::none());
    m.def("softmax_backward", &softmax_backward, py::arg("grad"), py::arg("y"), py::arg("dim"));
    m.def("log_softmax_backward", &log_softmax_backward, py::arg("grad"), py::arg("y"), py::arg("dim"));
  }

  // ---- losses: fused softmax cross-entropy (section owned by the loss work) ---------------------------------
  m.def("cross_entropy_forward", [](const Tensor& x, const Tensor& t, std::optional<Tensor> w, int64_t reduction,
                                    int64_t ignore_index, double label_smoothing) {
    auto r = cross_entropy_forward(x, t, w, reduction, ignore_index, label_smoothing);
    return py::make_tuple(std::get<0>(r), std::get<1>(r), std::get<2>(r)); },
    py::arg("input"), py::arg("target"), py::arg("weight").none(true), py::arg("reduction"),
    py::arg("ignore_index"), py::arg("label_smoothing"));
  m.def("cross_entropy_backward", &cross_entropy_backward, py::arg("grad"), py::arg("input"), py::arg("target"),
        py::arg("weight").none(true), py::arg("stats"), py::arg("total_weight"), py::arg("reduction"),
        py::arg("ignore_index"), py::arg("label_smoothing"));

  // ---- indexing, gather/scatter, sort (section owned by the indexing work) -------------------------------
  m.def("index_select", &index_select, py::arg("x"), py::arg("dim"), py::arg("index"));
  m.def("gather", &gather, py::arg("x"), py::arg("dim"), py::arg("index"));
  m.def("scatter_", [](const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src) {
    scatter_(self, dim, idx, src, false); });
  m.def("scatter_add_", [](const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src) {
    scatter_(self, dim, idx, src, true); });
  m.def("scatter_value_", [](const Tensor& self, int64_t dim, const Tensor& idx, py::handle v) {
    scatter_value_(self, dim, idx, to_scalar(v)); });
  m.def("index_add_", [](const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, py::handle alpha) {
    index_add_(self, dim, idx, src, to_scalar(alpha)); }, py::arg("self"), py::arg("dim"), py::arg("index"),
    py::arg("source"), py::arg("alpha") = 1);
  m.def("masked_select", &masked_select);
  m.def("nonzero", &nonzero);
  m.def("index", &tl::index, py::arg("x"), py::arg("indices"), py::arg("start") = 0);
  m.def("index_put_", &index_put_, py::arg("x"), py::arg("indices"), py::arg("values"), py::arg("accumulate") = false,
        py::arg("start") = 0);
  m.def("masked_fill_", [](const Tensor& x, const Tensor& mask, py::handle v) { masked_fill_(x, mask, to_scalar(v)); });
  // x[index] when index is an int, a slice of ints/None, None, Ellipsis or a tuple of those; None for
  // anything else (and for any error), which sends Tensor.__getitem__ down its general Python path.
  // Exact int checks keep bools, numpy scalars and 0-d tensors on the general path.
  m.def("basic_view", [](const Tensor& x, py::handle index) -> py::object {
    auto as_i64 = [](PyObject* o, int64_t& v) {
      if (!PyLong_CheckExact(o)) return false;
      int overflow = 0;
      v = PyLong_AsLongLongAndOverflow(o, &overflow);
      return overflow == 0 && !(v == -1 && PyErr_Occurred());
    };
    PyObject* ix = index.ptr();
    const bool tup = PyTuple_CheckExact(ix);
    const Py_ssize_t n = tup ? PyTuple_GET_SIZE(ix) : 1;
    std::vector<BasicIndexItem> items(static_cast<size_t>(n));
    for (Py_ssize_t j = 0; j < n; ++j) {
      PyObject* o = tup ? PyTuple_GET_ITEM(ix, j) : ix;
      BasicIndexItem& it = items[j];
      if (o == Py_None) {
        it.kind = BasicIndexItem::NewAxis;
      } else if (o == Py_Ellipsis) {
        it.kind = BasicIndexItem::Ellipsis;
      } else if (PySlice_Check(o)) {
        auto* sl = reinterpret_cast<PySliceObject*>(o);
        it.kind = BasicIndexItem::Slice;
        if ((it.has_start = sl->start != Py_None) && !as_i64(sl->start, it.start)) return py::none();
        if ((it.has_stop = sl->stop != Py_None) && !as_i64(sl->stop, it.stop)) return py::none();
        if (sl->step != Py_None && !as_i64(sl->step, it.step)) return py::none();
      } else if (as_i64(o, it.start)) {
        it.kind = BasicIndexItem::Int;
      } else {
        PyErr_Clear();
        return py::none();
      }
    }
    auto r = basic_view(x, items);
    if (!r) return py::none();
    return py::cast(std::move(*r));
  });
  m.def("sort", [](const Tensor& x, int64_t dim, bool descending) {
    auto r = tl::sort(x, dim, descending);
    return py::make_tuple(r.first, r.second); }, py::arg("x"), py::arg("dim") = -1, py::arg("descending") = false);
  m.def("topk", [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
    auto r = topk(x, k, dim, largest, sorted);
    return py::make_tuple(r.first, r.second); }, py::arg("x"), py::arg("k"), py::arg("dim") = -1,
    py::arg("largest") = true, py::arg("sorted") = true);

  // ---- matmul (section owned by the matmul work) ----------------------------------------------------------
  m.def("mm", &mm, py::arg("a"), py::arg("b"), py::arg("out") = py::none());
  m.def("bmm", &bmm, py::arg("a"), py::arg("b"), py::arg("out") = py::none());
  m.def("mv", &mv, py::arg("a"), py::arg("x"), py::arg("out") = py::none());
  m.def("dot", &dot, py::arg("x"), py::arg("y"), py::arg("out") = py::none());
  m.def("matmul", &matmul);
  m.def("addmm", [](const Tensor& self, const Tensor& a, const Tensor& b, py::handle beta, py::handle alpha,
                    const std::optional<Tensor>& out) {
    return addmm(self, a, b, to_scalar(beta), to_scalar(alpha), out);
  }, py::arg("self"), py::arg("a"), py::arg("b"), py::arg("beta") = 1, py::arg("alpha") = 1,
     py::arg("out") = py::none());
  m.def("baddbmm", [](const Tensor& self, const Tensor& a, const Tensor& b, py::handle beta, py::handle alpha,
                      const std::optional<Tensor>& out) {
    return baddbmm(self, a, b, to_scalar(beta), to_scalar(alpha), out);
  }, py::arg("self"), py::arg("a"), py::arg("b"), py::arg("beta") = 1, py::arg("alpha") = 1,
     py::arg("out") = py::none());
  m.def("linear", [](const Tensor& x, const Tensor& w, std::optional<Tensor> bias) { return linear(x, w, bias); },
        py::arg("x"), py::arg("w"), py::arg("bias") = py::none());

  // ---- shape ops: cat, flip, ... (section owned by the tensor-API work) ------------------------------------
  m.def("cat", &cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def("flip", &flip, py::arg("x"), py::arg("dims"));
  // range factories (ops/creation.h)
  m.def("arange", [](py::handle start, py::handle end, py::handle step, int dtype, const std::string& device) {
    return arange(to_scalar(start), to_scalar(end), to_scalar(step), dtype_arg(dtype), device_arg(device));
  }, py::arg("start"), py::arg("end"), py::arg("step"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("linspace", [](py::handle start, py::handle end, int64_t steps, int dtype, const std::string& device) {
    return linspace(to_scalar(start), to_scalar(end), steps, dtype_arg(dtype), device_arg(device));
  }, py::arg("start"), py::arg("end"), py::arg("steps"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("logspace", [](py::handle start, py::handle end, int64_t steps, double base, int dtype,
                       const std::string& device) {
    return logspace(to_scalar(start), to_scalar(end), steps, base, dtype_arg(dtype), device_arg(device));
  }, py::arg("start"), py::arg("end"), py::arg("steps"), py::arg("base"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("eye", [](int64_t n, int64_t m_, int dtype, const std::string& device) {
    return eye(n, m_, dtype_arg(dtype), device_arg(device));
  }, py::arg("n"), py::arg("m"), py::arg("dtype"), py::arg("device") = "cpu");

  // ---- DLPack interop (section owned by the tensor-API work) -------------------------------------------
  m.def("to_dlpack", &to_dlpack_capsule, py::arg("t"), py::arg("versioned") = false, py::arg("copied") = false);
  m.def("from_dlpack", &from_dlpack_capsule);

  // ---- optim: fused multi-tensor optimizer steps (section owned by the optim work) ------------------------
  m.def("sgd_step_", &sgd_step_, py::arg("params"), py::arg("grads"), py::arg("bufs"), py::arg("fresh"), py::arg("lr"),
        py::arg("momentum"), py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"), py::arg("maximize"));
  m.def("adam_step_", &adam_step_, py::arg("params"), py::arg("grads"), py::arg("exp_avgs"), py::arg("exp_avg_sqs"),
        py::arg("max_exp_avg_sqs"), py::arg("steps"), py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"),
        py::arg("weight_decay"), py::arg("maximize"), py::arg("decoupled"));
  m.def("adagrad_step_", &adagrad_step_, py::arg("params"), py::arg("grads"), py::arg("sums"), py::arg("steps"),
        py::arg("lr"), py::arg("lr_decay"), py::arg("weight_decay"), py::arg("eps"), py::arg("maximize"));
  m.def("rmsprop_step_", &rmsprop_step_, py::arg("params"), py::arg("grads"), py::arg("square_avgs"),
        py::arg("grad_avgs"), py::arg("bufs"), py::arg("steps"), py::arg("lr"), py::arg("alpha"), py::arg("eps"),
        py::arg("weight_decay"), py::arg("momentum"), py::arg("maximize"));

  // ---- runtime: threads, build configuration, devices ------------------------------------------------------
  m.def("set_num_threads", &set_num_threads);
  m.def("set_default_dtype", [](int dt) { set_default_float_dtype(dtype_arg(dt)); });
  m.def("get_num_threads", &get_num_threads);
  // torch.backends.cuda.matmul.allow_tf32 / torch.set_float32_matmul_precision (type checks and torch's
  // warning for an unknown level live in Python; the CUDA GEMM reads the level, core/precision.h).
  m.def("set_allow_tf32", &set_allow_tf32);
  m.def("get_allow_tf32", &allow_tf32);
  m.def("set_float32_matmul_precision", [](const std::string& name) {
    MatmulPrecision p;
    if (!parse_matmul_precision(name, &p)) return false;
    set_float32_matmul_precision(p);
    return true;
  });
  m.def("get_float32_matmul_precision",
        []() { return std::string(matmul_precision_name(float32_matmul_precision())); });
  m.def("isa_selected", []() { return std::string(cpu::isa().name); });
  m.def("isa_compiled", []() { return std::string(cpu::isa_compiled()); });
  m.def("isa_supported", []() { return std::string(cpu::isa_supported()); });
  // The CPU GEMM's blocking (derived from the cache sizes) and its debug overrides: tuning
  // experiments and tests that force a path (orient / pack_a / path; 0 = automatic).
  m.def("gemm_config", []() {
    py::dict d;
    const auto& cs = cpu::cache_sizes();
    d["isa"] = std::string(cpu::isa().name);
    d["l1d"] = cs.l1d;
    d["l2"] = cs.l2;
    d["l3"] = cs.l3;
    for (bool f64 : {false, true}) {
      const auto b = cpu::gemm_blocking(f64);
      d[f64 ? "float64" : "float32"] = py::dict(py::arg("mr") = b.mr, py::arg("nr") = b.nr, py::arg("kc") = b.kc,
                                                py::arg("mc") = b.mc, py::arg("nc") = b.nc);
    }
    const auto& o = cpu::gemm_overrides();
    d["overrides"] = py::dict(py::arg("kc") = o.kc, py::arg("mc") = o.mc, py::arg("nc") = o.nc,
                              py::arg("orient") = o.orient, py::arg("pack_a") = o.pack_a, py::arg("path") = o.path);
    return d;
  });
  m.def("_gemm_set_overrides", [](int64_t kc, int64_t mc, int64_t nc, int orient, int pack_a, int path) {
    TL_CHECK_VALUE(kc >= 0 && mc >= 0 && nc >= 0 && orient >= 0 && orient <= 2 && pack_a >= 0 && pack_a <= 2 &&
                       path >= 0 && path <= 1,
                   "_gemm_set_overrides: values out of range");
    cpu::gemm_overrides() = cpu::GemmOverrides{kc, mc, nc, orient, pack_a, path};
  }, py::arg("kc") = 0, py::arg("mc") = 0, py::arg("nc") = 0, py::arg("orient") = 0, py::arg("pack_a") = 0,
     py::arg("path") = 0);
  m.attr("compiler") = TL_COMPILER;
  m.attr("version") = TL_VERSION;
#ifdef _OPENMP
  m.attr("openmp") = true;
#else
  m.attr("openmp") = false;
#endif
#ifdef TL_WITH_CUDA
  m.attr("cuda_built") = true;
  m.def("cuda_runtime_version", &cuda::runtime_version);
#else
  m.attr("cuda_built") = false;
  m.def("cuda_runtime_version", []() { return 0; });
#endif

  // ---- device runtime: devices, memory, streams, events (core/runtime.h, core/allocator.h) -------------
  // Handles travel to Python as integers (0 = the default stream); tensorlite/cuda.py wraps them.
  m.def("cuda_device_count", &cuda_device_count);
  m.def("cuda_emulated", &cuda_emulated);
  m.def("cuda_device_name", [](int dev) { return require_device_runtime().device_name(dev); });
  m.def("cuda_current_device", []() { return require_device_runtime().current_device(); });
  m.def("cuda_set_device", [](int dev) {
    DeviceRuntime& rt = require_device_runtime();
    resolve_device(Device{DeviceType::CUDA, dev});  // range check with torch's message
    rt.set_device(dev);
  });
  m.def("cuda_synchronize", [](int dev) { require_device_runtime().device_synchronize(dev); });
  m.def("cuda_mem_get_info", [](int dev) {
    size_t f = 0, t = 0;
    require_device_runtime().mem_get_info(dev, &f, &t);
    return py::make_tuple(f, t);
  });
  m.def("cuda_memory_stats", [](int dev) {
    DeviceMemoryStats s = device_memory_stats(dev);
    py::dict d;
    d["allocated_bytes.all.current"] = s.allocated;
    d["allocated_bytes.all.peak"] = s.max_allocated;
    d["reserved_bytes.all.current"] = s.reserved;
    d["reserved_bytes.all.peak"] = s.max_reserved;
    d["num_device_alloc"] = s.num_device_mallocs;
    d["num_device_free"] = s.num_device_frees;
    d["num_alloc_retries"] = s.num_alloc_retries;
    d["num_ooms"] = s.num_ooms;
    return d;
  });
  m.def("cuda_reset_peak_memory_stats", &device_reset_peak_stats);
  m.def("cuda_empty_cache", &device_empty_cache);
  m.def("cuda_rounded_size", [](size_t n) { return device_alloc_rounded_size(n); });
  m.def("cuda_stream_create", [](int dev) {
    return reinterpret_cast<uintptr_t>(require_device_runtime().stream_create(dev));
  });
  m.def("cuda_stream_destroy", [](uintptr_t s, int dev) {
    if (DeviceRuntime* rt = device_runtime()) rt->stream_destroy(reinterpret_cast<StreamHandle>(s), dev);
  });
  m.def("cuda_stream_synchronize", [](uintptr_t s, int dev) {
    require_device_runtime().stream_synchronize(reinterpret_cast<StreamHandle>(s), dev);
  });
  m.def("cuda_stream_query", [](uintptr_t s, int dev) {
    return require_device_runtime().stream_query(reinterpret_cast<StreamHandle>(s), dev);
  });
  m.def("cuda_stream_wait_event", [](uintptr_t s, uintptr_t e, int dev) {
    require_device_runtime().stream_wait_event(reinterpret_cast<StreamHandle>(s), reinterpret_cast<EventHandle>(e), dev);
  });
  m.def("cuda_record_stream", [](const Tensor& t, uintptr_t s) {
    TL_CHECK(t.device().is_cuda(), "record_stream: expected a CUDA tensor, got one on ", t.device().str());
    TL_CHECK(!t.storage()->external, "record_stream: the tensor's memory was not allocated by tensorlite");
    device_record_stream(t.storage()->data, reinterpret_cast<StreamHandle>(s));
  });
  m.def("cuda_current_stream", [](int dev) { return reinterpret_cast<uintptr_t>(current_stream(dev)); });
  m.def("cuda_set_current_stream", [](int dev, uintptr_t s) { set_current_stream(dev, reinterpret_cast<StreamHandle>(s)); });
  m.def("cuda_event_create", [](int dev, bool timing) {
    return reinterpret_cast<uintptr_t>(require_device_runtime().event_create(dev, timing));
  });
  m.def("cuda_event_destroy", [](uintptr_t e, int dev) {
    if (DeviceRuntime* rt = device_runtime()) rt->event_destroy(reinterpret_cast<EventHandle>(e), dev);
  });
  m.def("cuda_event_record", [](uintptr_t e, uintptr_t s, int dev) {
    require_device_runtime().event_record(reinterpret_cast<EventHandle>(e), reinterpret_cast<StreamHandle>(s), dev);
  });
  m.def("cuda_event_synchronize", [](uintptr_t e, int dev) {
    require_device_runtime().event_synchronize(reinterpret_cast<EventHandle>(e), dev);
  });
  m.def("cuda_event_query", [](uintptr_t e, int dev) {
    return require_device_runtime().event_query(reinterpret_cast<EventHandle>(e), dev);
  });
  m.def("cuda_event_elapsed_ms", [](uintptr_t a, uintptr_t b, int dev) {
    return require_device_runtime().event_elapsed_ms(reinterpret_cast<EventHandle>(a), reinterpret_cast<EventHandle>(b), dev);
  });
}
