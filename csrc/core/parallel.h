// OpenMP helpers. Work is split into contiguous index ranges; a range is only split across threads
// when it is big enough (grain) to pay for waking them.
#pragma once
#include <algorithm>
#include <cstdint>
#include <exception>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace tl {

constexpr int64_t kGrainSize = 32768;  // elements; below this an op runs on the calling thread

int get_num_threads();
void set_num_threads(int n);
bool in_parallel_region();

// f(begin, end) is called on disjoint sub-ranges covering [begin, end). Chunk boundaries depend only
// on the range and the thread count, never on timing, so results are deterministic.
// An exception escaping an OpenMP region calls std::terminate (kills Python), so each thread catches
// what its chunk throws and the lowest-numbered thread's exception is rethrown after the region:
// bodies may throw (TL_CHECK, allocation) and the caller still gets a Python exception.
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
  int64_t n = end - begin;
#ifdef _OPENMP
  int nt = get_num_threads();
  if (n > grain && nt > 1 && !in_parallel_region()) {
    int64_t max_chunks = (n + grain - 1) / std::max<int64_t>(grain, 1);
    int use = static_cast<int>(std::min<int64_t>(nt, max_chunks));
    if (use > 1) {
      std::vector<std::exception_ptr> errors(static_cast<size_t>(use));
#pragma omp parallel num_threads(use)
      {
        int tid = omp_get_thread_num();
        int cnt = omp_get_num_threads();
        int64_t chunk = (n + cnt - 1) / cnt;
        int64_t b = begin + tid * chunk;
        int64_t e = std::min(end, b + chunk);
        try {
          if (b < e) f(b, e);
        } catch (...) {
          errors[static_cast<size_t>(tid)] = std::current_exception();
        }
      }
      for (auto& err : errors)
        if (err) std::rethrow_exception(err);
      return;
    }
  }
#endif
  f(begin, end);
}

}  // namespace tl
