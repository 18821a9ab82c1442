#pragma once
// A mutex that clang's thread-safety analysis (-Wthread-safety) understands, and the annotations that say which
// mutex guards a field or must be held by a function. libstdc++'s std::mutex carries no annotation, so code
// that wants its locking checked uses these; with GCC (vfo's build) the annotations compile to nothing, and a
// test (thread_safety_analysis, tests/CMakeLists.txt) compiles the annotated sources with clang to check them.
//
//   Mutex state;
//   std::vector<int> views VFO_GUARDED_BY(state);    // read or written only with `state` held
//   void act() VFO_REQUIRES(acting);                 // callers hold `acting`
//   { MutexLock lock(state); views.clear(); }         // held for the scope
#include <mutex>

#if defined(__clang__)
#define VFO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define VFO_THREAD_ANNOTATION(x)
#endif

#define VFO_CAPABILITY(name) VFO_THREAD_ANNOTATION(capability(name))
#define VFO_SCOPED_CAPABILITY VFO_THREAD_ANNOTATION(scoped_lockable)
#define VFO_GUARDED_BY(m) VFO_THREAD_ANNOTATION(guarded_by(m))
#define VFO_REQUIRES(...) VFO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define VFO_EXCLUDES(...) VFO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define VFO_ACQUIRE(...) VFO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define VFO_RELEASE(...) VFO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define VFO_ASSERT_CAPABILITY(m) VFO_THREAD_ANNOTATION(assert_capability(m))

namespace vfo {

class VFO_CAPABILITY("mutex") Mutex {
 public:
  void lock() VFO_ACQUIRE() { mutex_.lock(); }
  void unlock() VFO_RELEASE() { mutex_.unlock(); }
  // Tells the analysis that the caller holds it (a callback its holder calls); checks nothing at run time.
  void assert_held() const VFO_ASSERT_CAPABILITY(this) {}

 private:
  std::mutex mutex_;
};

// Holds `m` from construction to the end of the scope.
class VFO_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) VFO_ACQUIRE(m) : mutex_(m) { mutex_.lock(); }
  ~MutexLock() VFO_RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace vfo
