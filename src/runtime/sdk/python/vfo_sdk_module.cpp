// The VF SDK's Python face, the module vfo_sdk (pybind11), over the C ABI (vfo/sdk/vfo_sdk.h):
//
//   import vfo_sdk
//   class Detect:
//       def process(self, frame):          # frame.seq, frame.epoch, frame.origin_ns, frame.payload (bytes)
//           return frame.payload           # bytes (or bytearray, memoryview) to send on; None: nothing
//       def snapshot(self): return b""     # optional: state outside the tracked one, and its inverse
//       def restore(self, data): pass
//   vfo_sdk.run(Detect(), state_bytes=0)   # a source has produce(self, seq) -> bytes instead of process
//
// The host calls the object from its own thread, holding the GIL for each call. An exception that leaves a
// callback is printed (its traceback, on stderr: the VF's log) and ends the VF, as a failed callback does.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "vfo/sdk/vfo_sdk.h"

namespace py = pybind11;

namespace {

struct PyFrame {
  std::uint64_t seq = 0;
  std::uint64_t epoch = 0;
  std::int64_t origin_ns = 0;
  py::bytes payload;
};

// A view of the running VF's tracked state.
struct PyTrackedState {
  vfo_state* state = nullptr;
  std::size_t size() const { return vfo_state_size(state); }
  void write(std::size_t offset, const py::buffer& data) {
    const py::buffer_info info = data.request();
    const auto bytes = static_cast<std::size_t>(info.size * info.itemsize);
    if (vfo_state_write(state, offset, info.ptr, bytes) != 0) {
      throw py::index_error("TrackedState.write: offset " + std::to_string(offset) + " + " + std::to_string(bytes) +
                            " bytes passes its end (" + std::to_string(size()) + " bytes)");
    }
  }
  py::bytes read(std::size_t offset, std::optional<std::size_t> length) const {
    const std::size_t n = size();
    if (offset > n) throw py::index_error("TrackedState.read: offset past its end");
    const std::size_t take = std::min(length.value_or(n - offset), n - offset);
    return py::bytes(reinterpret_cast<const char*>(vfo_state_data(state)) + offset, take);
  }
};

// The Python object run() serves.
py::object* served = nullptr;

// Puts what a callback returned into `out`; false (a TypeError set) when it is not bytes-like.
bool put(const py::handle& value, vfo_output* out) {
  if (PyBytes_Check(value.ptr())) {
    char* data = nullptr;
    Py_ssize_t size = 0;
    PyBytes_AsStringAndSize(value.ptr(), &data, &size);
    vfo_output_set(out, data, static_cast<std::size_t>(size));
    return true;
  }
  if (PyObject_CheckBuffer(value.ptr()) != 0) {
    const py::buffer_info info = py::reinterpret_borrow<py::buffer>(value).request();
    vfo_output_set(out, info.ptr, static_cast<std::size_t>(info.size * info.itemsize));
    return true;
  }
  PyErr_SetString(PyExc_TypeError, "a VF callback must return bytes, bytearray or memoryview");
  return false;
}

// Prints the pending Python error (its traceback) and returns the failure code.
int failed(py::error_already_set& e) {
  e.restore();
  PyErr_Print();
  PySys_WriteStderr("\n");
  py::module_::import("sys").attr("stderr").attr("flush")();
  return -1;
}

int produce(void*, std::uint64_t seq, vfo_output* out) {
  py::gil_scoped_acquire gil;
  try {
    const py::object r = served->attr("produce")(seq);
    if (!put(r, out)) throw py::error_already_set();
    return 1;
  } catch (py::error_already_set& e) {
    return failed(e);
  }
}

int process(void*, const vfo_frame* frame, vfo_output* out) {
  py::gil_scoped_acquire gil;
  try {
    PyFrame f{frame->seq, frame->epoch, frame->origin_ns,
              py::bytes(reinterpret_cast<const char*>(frame->payload), frame->size)};
    const py::object r = served->attr("process")(py::cast(std::move(f)));
    if (r.is_none()) return 0;
    if (!put(r, out)) throw py::error_already_set();
    return 1;
  } catch (py::error_already_set& e) {
    return failed(e);
  }
}

int snapshot(void*, vfo_output* out) {
  py::gil_scoped_acquire gil;
  try {
    const py::object r = served->attr("snapshot")();
    if (!put(r, out)) throw py::error_already_set();
    return 0;
  } catch (py::error_already_set& e) {
    return failed(e);
  }
}

int restore(void*, const std::uint8_t* data, std::size_t size) {
  py::gil_scoped_acquire gil;
  try {
    served->attr("restore")(py::bytes(reinterpret_cast<const char*>(data), size));
    return 0;
  } catch (py::error_already_set& e) {
    return failed(e);
  }
}

int run(py::object vf, std::size_t state_bytes) {
  const bool source = vfo_role() != nullptr && std::string(vfo_role()) == "source";
  if (source && !py::hasattr(vf, "produce")) throw py::type_error("vfo_sdk.run: a source needs produce(self, seq)");
  if (!source && !py::hasattr(vf, "process")) throw py::type_error("vfo_sdk.run: a VF needs process(self, frame)");
  if (py::hasattr(vf, "snapshot") != py::hasattr(vf, "restore"))
    throw py::type_error("vfo_sdk.run: snapshot and restore go together");
  served = &vf;
  const vfo_function f{VFO_SDK_ABI_VERSION,
                       nullptr,
                       py::hasattr(vf, "produce") ? &produce : nullptr,
                       py::hasattr(vf, "process") ? &process : nullptr,
                       py::hasattr(vf, "snapshot") ? &snapshot : nullptr,
                       py::hasattr(vf, "restore") ? &restore : nullptr,
                       state_bytes};
  int code = 0;
  {
    py::gil_scoped_release release;  // the host's thread takes it for each call
    code = vfo_run(&f);
  }
  served = nullptr;
  return code;
}

}  // namespace

PYBIND11_MODULE(vfo_sdk, m) {
  m.doc() = "The vfo VF SDK: run(vf) serves a Python object as a virtual function of a chain";
  py::class_<PyFrame>(m, "Frame")
      .def_readonly("seq", &PyFrame::seq)
      .def_readonly("epoch", &PyFrame::epoch)
      .def_readonly("origin_ns", &PyFrame::origin_ns)
      .def_readonly("payload", &PyFrame::payload);
  py::class_<PyTrackedState>(m, "TrackedState")
      .def_property_readonly("size", &PyTrackedState::size)
      .def("write", &PyTrackedState::write, py::arg("offset"), py::arg("data"),
           "Copies data to offset and marks what it touched for the next pre-copy round")
      .def("read", &PyTrackedState::read, py::arg("offset") = 0, py::arg("length") = py::none());
  m.def("run", &run, py::arg("vf"), py::arg("state_bytes") = 0,
        "Serves vf until its agent stops it; returns the exit code (pass it to sys.exit)");
  m.def(
      "role", [] { return vfo_role() != nullptr ? py::object(py::str(vfo_role())) : py::object(py::none()); },
      "source, compute or sink, as the agent said; None outside an agent");
  m.def(
      "tracked_state",
      [] {
        vfo_state* s = vfo_tracked_state();
        return s != nullptr ? py::cast(PyTrackedState{s}) : py::object(py::none());
      },
      "The running VF's tracked state (run's state_bytes); None outside run() or without one");
  m.attr("ABI_VERSION") = VFO_SDK_ABI_VERSION;
}
