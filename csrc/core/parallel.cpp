#include "parallel.h"
#include <cstdlib>
#include <thread>

namespace tl {

namespace {
int default_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    int v = std::atoi(env);
    if (v > 0) return v;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}
int g_num_threads = default_threads();
}  // namespace

int get_num_threads() { return g_num_threads; }

void set_num_threads(int n) {
  g_num_threads = n > 0 ? n : 1;
#ifdef _OPENMP
  omp_set_num_threads(g_num_threads);
#endif
}

bool in_parallel_region() {
#ifdef _OPENMP
  return omp_in_parallel();
#else
  return false;
#endif
}

}  // namespace tl
