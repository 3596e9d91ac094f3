// bench_gemm: GFLOP/s of tl::cpu::gemm, the kernel behind matmul/mm/bmm/addmm/linear, on square, MLP
// and transposed shapes, each as a % of this machine's FMA peak measured in the same run.
//
//   bench_gemm [--quick] [--threads 1,2] [--filter REGEX] [--benchmark_<flag>...]
//
// Order of work: measure the FMA peak (before any OpenMP pool exists, so nothing else is spinning),
// validate every case at every thread count against a long-double reference (exit 1 on a mismatch),
// and only then time. Timing uses Google Benchmark when CMake found it (TL_BENCH_GOOGLE), otherwise a
// small built-in harness; both print one row per case and thread count with GFLOP/s and peak%, taken
// from the median of repeats, and end with the same summary table.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <regex.h>  // POSIX: std::regex alone would double this file's compile time
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TL_BENCH_X86 1
#endif
#ifdef TL_BENCH_GOOGLE
#include <benchmark/benchmark.h>
#include <unistd.h>
#endif
#include "core/parallel.h"
#include "core/storage.h"
#include "cpu/isa/isa.h"
#include "cpu/matmul.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---- options ------------------------------------------------------------------------------------

struct Options {
  bool quick = false;
  std::vector<int> threads{1, 2};
  std::string filter;               // regex searched in the case name, as --benchmark_filter does
  std::vector<std::string> gbench;  // --benchmark_* flags for Google Benchmark
};

const char* kUsage =
    "usage: bench_gemm [--quick] [--threads 1,2] [--filter REGEX] [--benchmark_<flag>=<value>...]\n"
    "  --quick     small shapes, few repeats: a smoke run of a few seconds\n"
    "  --threads   comma-separated thread counts, each case runs at each (default 1,2)\n"
    "  --filter    run only the cases whose name matches REGEX (--benchmark_filter is the same)\n"
    "  other --benchmark_* flags go to Google Benchmark (ignored with a note by the built-in harness)\n";

std::vector<int> parse_threads(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > 1024) throw std::invalid_argument("bad --threads value '" + s + "'");
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) throw std::invalid_argument("--threads needs at least one count");
  return out;
}

// Returns false after printing the usage (for --help).
bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> std::string {  // "--flag v" or "--flag=v"
      if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0) return a.substr(flag.size() + 1);
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    auto is = [&](const std::string& flag) { return a == flag || a.compare(0, flag.size() + 1, flag + "=") == 0; };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return false;
    } else if (a == "--quick") {
      o.quick = true;
    } else if (is("--threads")) {
      o.threads = parse_threads(value("--threads"));
    } else if (is("--filter")) {
      o.filter = value("--filter");
    } else if (is("--benchmark_filter")) {
      // Filtered here rather than by Google Benchmark so that only the selected cases are validated.
      o.filter = value("--benchmark_filter");
    } else if (a.compare(0, 12, "--benchmark_") == 0) {
      o.gbench.push_back(a);
    } else {
      throw std::invalid_argument("unknown argument '" + a + "'\n" + kUsage);
    }
  }
  return true;
}

// ---- cases --------------------------------------------------------------------------------------

struct Case {
  tl::DType dt;
  int64_t M, K, N;
  bool ta, tb;       // A stored (K, M) / B stored (N, K), both row-major: the transposed operands
  std::string kind;  // nn, tn, nt, tt, or linear (x @ W^T: an nt product with W (N, K) row-major)
  std::string name() const {
    return std::string(dt == tl::DType::Float32 ? "f32/" : "f64/") + kind + "/" + std::to_string(M) + "x" +
           std::to_string(K) + "x" + std::to_string(N);
  }
  double flops() const { return 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K); }
};

std::vector<Case> make_cases(bool quick) {
  using tl::DType;
  std::vector<Case> cs;
  auto sq = [&](DType dt, int64_t n, bool ta, bool tb, const char* kind) { cs.push_back({dt, n, n, n, ta, tb, kind}); };
  auto linear = [&](int64_t m, int64_t k, int64_t n) { cs.push_back({DType::Float32, m, k, n, false, true, "linear"}); };
  if (quick) {
    for (int64_t n : {64, 128, 256}) sq(DType::Float32, n, false, false, "nn");
    // Sizes that are not multiples of any tile, so the smoke run covers the edge paths too.
    cs.push_back({DType::Float32, 67, 131, 45, false, false, "nn"});
    linear(64, 784, 128);
    linear(1, 784, 128);
    sq(DType::Float32, 128, true, false, "tn");
    sq(DType::Float32, 128, false, true, "nt");
    sq(DType::Float32, 128, true, true, "tt");
    sq(DType::Float64, 128, false, false, "nn");
    return cs;
  }
  for (int64_t n : {64, 128, 256, 512, 1024, 2048, 4096}) sq(DType::Float32, n, false, false, "nn");
  linear(64, 784, 128);
  linear(64, 1024, 1024);
  linear(256, 4096, 1000);
  linear(1, 4096, 4096);
  sq(DType::Float32, 1024, true, false, "tn");
  sq(DType::Float32, 1024, false, true, "nt");
  sq(DType::Float32, 1024, true, true, "tt");
  sq(DType::Float64, 256, false, false, "nn");
  sq(DType::Float64, 1024, false, false, "nn");
  return cs;
}

// The operands of one case in the library's own 64-byte-aligned memory, and the GemmArgs that
// describe them exactly as csrc/ops/matmul.cpp would for a contiguous (or transposed-view) input.
struct Buffer {
  void* p = nullptr;
  explicit Buffer(size_t bytes) : p(tl::cpu_alloc(bytes)) {}
  ~Buffer() { tl::cpu_free(p); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

struct Problem {
  Case cs;
  std::vector<int> threads;  // the thread counts selected for this case
  std::unique_ptr<Buffer> a, b, c;
  tl::cpu::GemmArgs g;
};

template <class T>
void fill_uniform(T* p, int64_t n, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (int64_t i = 0; i < n; ++i) {  // splitmix64 -> uniform [-1, 1)
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    p[i] = static_cast<T>(static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0);
  }
}

std::unique_ptr<Problem> make_problem(const Case& cs, uint64_t seed) {
  auto pr = std::make_unique<Problem>();
  pr->cs = cs;
  size_t es = cs.dt == tl::DType::Float32 ? 4 : 8;
  pr->a = std::make_unique<Buffer>(es * cs.M * cs.K);
  pr->b = std::make_unique<Buffer>(es * cs.K * cs.N);
  pr->c = std::make_unique<Buffer>(es * cs.M * cs.N);
  if (cs.dt == tl::DType::Float32) {
    fill_uniform(static_cast<float*>(pr->a->p), cs.M * cs.K, seed);
    fill_uniform(static_cast<float*>(pr->b->p), cs.K * cs.N, seed + 1);
  } else {
    fill_uniform(static_cast<double*>(pr->a->p), cs.M * cs.K, seed);
    fill_uniform(static_cast<double*>(pr->b->p), cs.K * cs.N, seed + 1);
  }
  auto& g = pr->g;
  g.batch = 1;
  g.M = cs.M, g.N = cs.N, g.K = cs.K;
  g.a = pr->a->p, g.b = pr->b->p, g.c = pr->c->p;
  g.a_off = g.b_off = g.c_off = {0};
  if (cs.ta) g.rsa = 1, g.csa = cs.M;  // A[i, k] = a[k * M + i]
  else g.rsa = cs.K, g.csa = 1;
  if (cs.tb) g.rsb = 1, g.csb = cs.K;  // B[k, j] = b[j * K + k]: W (N, K) row-major
  else g.rsb = cs.N, g.csb = 1;
  g.rsc = cs.N, g.csc = 1;
  return pr;
}

void run_gemm(const Problem& pr) {
  tl::cpu::gemm(pr.cs.dt, pr.g, tl::Scalar::from_double(1.0), tl::Scalar::from_double(0.0));
}

// ---- validation ---------------------------------------------------------------------------------

// Rows (or columns) to check: all of them when few, else the first and last 8 (edge tiles) and points
// spread between them, stepped unevenly so that they land at different offsets inside the tiles.
std::vector<int64_t> sample(int64_t n, int64_t want) {
  std::vector<int64_t> out;
  if (n <= want) {
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  for (int64_t i = 0; i < 8; ++i) out.push_back(i), out.push_back(n - 1 - i);
  int64_t inner = want - 16;
  for (int64_t i = 0; i < inner; ++i) out.push_back(8 + (i * (n - 16)) / inner + (i * 5) % 7);
  for (auto& v : out) v = std::min(v, n - 1);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Reference {
  std::vector<int64_t> rows, cols;
  std::vector<long double> val, mag;  // sum_k A B and sum_k |A B| at (rows[r], cols[c])
  bool full = false;
};

template <class T>
Reference reference(const Problem& pr) {
  const auto& g = pr.g;
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  Reference ref;
  // Everything up to 256^3 multiply-adds (a fraction of a second), a 64 x 64 sample beyond.
  ref.full = static_cast<double>(g.M) * g.N * g.K <= 256.0 * 256 * 256;
  ref.rows = ref.full ? sample(g.M, g.M) : sample(g.M, 64);
  ref.cols = ref.full ? sample(g.N, g.N) : sample(g.N, 64);
  ref.val.resize(ref.rows.size() * ref.cols.size());
  ref.mag.resize(ref.val.size());
  for (size_t r = 0; r < ref.rows.size(); ++r)
    for (size_t c = 0; c < ref.cols.size(); ++c) {
      long double s = 0, m = 0;
      const T* a = A + ref.rows[r] * g.rsa;
      const T* b = B + ref.cols[c] * g.csb;
      for (int64_t k = 0; k < g.K; ++k) {
        long double p = static_cast<long double>(a[k * g.csa]) * static_cast<long double>(b[k * g.rsb]);
        s += p;
        m += std::fabs(p);
      }
      ref.val[r * ref.cols.size() + c] = s;
      ref.mag[r * ref.cols.size() + c] = m;
    }
  return ref;
}

// Runs the GEMM into a NaN-filled C (beta = 0 must overwrite it), checks that every element was
// written and that the sampled ones lie within 8 sqrt(K) eps sum_k |A B| of the reference: the
// probabilistic rounding bound with a wide margin, yet a dropped or doubled product term (about
// 1/K of sum |A B|) exceeds it. Returns the worst error / bound, or throws with the first mismatch.
template <class T>
double check(const Problem& pr, const Reference& ref, int threads) {
  const auto& g = pr.g;
  T* C = static_cast<T*>(g.c);
  std::fill(C, C + g.M * g.N, std::numeric_limits<T>::quiet_NaN());
  tl::set_num_threads(threads);
  run_gemm(pr);
  auto fail = [&](int64_t i, int64_t j, const std::string& what) {
    std::ostringstream os;
    os << pr.cs.name() << " at " << threads << " thread(s): C[" << i << ", " << j << "] " << what;
    throw std::runtime_error(os.str());
  };
  for (int64_t i = 0; i < g.M; ++i)
    for (int64_t j = 0; j < g.N; ++j)
      if (!std::isfinite(C[i * g.rsc + j * g.csc])) fail(i, j, "is not finite (never written?)");
  const long double eps = std::numeric_limits<T>::epsilon();
  const long double tol = 8 * std::sqrt(static_cast<long double>(std::max<int64_t>(g.K, 1))) * eps;
  double worst = 0;
  for (size_t r = 0; r < ref.rows.size(); ++r)
    for (size_t c = 0; c < ref.cols.size(); ++c) {
      size_t idx = r * ref.cols.size() + c;
      long double got = C[ref.rows[r] * g.rsc + ref.cols[c] * g.csc];
      long double err = std::fabs(got - ref.val[idx]);
      long double bound = tol * ref.mag[idx] + std::numeric_limits<T>::min();
      if (!(err <= bound)) {
        std::ostringstream os;
        os << "= " << static_cast<double>(got) << ", expected " << static_cast<double>(ref.val[idx]) << " (error "
           << static_cast<double>(err) << " > bound " << static_cast<double>(bound) << ")";
        fail(ref.rows[r], ref.cols[c], os.str());
      }
      worst = std::max(worst, static_cast<double>(err / bound));
    }
  return worst;
}

// ---- FMA peak -----------------------------------------------------------------------------------
// Each kernel runs `iters` rounds of independent FMA chains c = c * a + b, enough of them to cover
// the FMA latency on two ports (4 cycles x 2 ports = 8 in flight; 24 zmm / 12 ymm leave a margin and
// fit the register file with a and b). a < 1 keeps the values bounded and normal. Returns one lane of
// the sum, so the compiler must compute every chain.

#define TL_REP12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define TL_REP24(X) TL_REP12(X) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define TL_DECL(i) V c##i; vset(c##i, 1 + i);
#define TL_STEP(i) c##i = vfma(c##i, a, b);
#define TL_SUM(i) s = vadd(s, c##i);
#define TL_CHAINS_BODY(REP)                          \
  V a, b, s;                                         \
  vset(a, 0.999999), vset(b, 1e-6), vset(s, 0.0);    \
  REP(TL_DECL)                                       \
  for (int64_t it = 0; it < iters; ++it) { REP(TL_STEP) } \
  REP(TL_SUM)                                        \
  return vlane0(s);

struct PeakKernel {
  const char* what;
  double flops_per_iter;
  double (*run)(int64_t iters);
};

#ifdef TL_BENCH_X86
#define TL_AVX512 __attribute__((target("avx512f"), always_inline)) inline
TL_AVX512 void vset(__m512& v, double x) { v = _mm512_set1_ps(static_cast<float>(x)); }
TL_AVX512 void vset(__m512d& v, double x) { v = _mm512_set1_pd(x); }
TL_AVX512 __m512 vfma(__m512 c, __m512 a, __m512 b) { return _mm512_fmadd_ps(c, a, b); }
TL_AVX512 __m512d vfma(__m512d c, __m512d a, __m512d b) { return _mm512_fmadd_pd(c, a, b); }
TL_AVX512 __m512 vadd(__m512 x, __m512 y) { return _mm512_add_ps(x, y); }
TL_AVX512 __m512d vadd(__m512d x, __m512d y) { return _mm512_add_pd(x, y); }
TL_AVX512 double vlane0(__m512 v) { return _mm512_cvtss_f32(v); }
TL_AVX512 double vlane0(__m512d v) { return _mm512_cvtsd_f64(v); }
#define TL_AVX2 __attribute__((target("avx2,fma"), always_inline)) inline
TL_AVX2 void vset(__m256& v, double x) { v = _mm256_set1_ps(static_cast<float>(x)); }
TL_AVX2 void vset(__m256d& v, double x) { v = _mm256_set1_pd(x); }
TL_AVX2 __m256 vfma(__m256 c, __m256 a, __m256 b) { return _mm256_fmadd_ps(c, a, b); }
TL_AVX2 __m256d vfma(__m256d c, __m256d a, __m256d b) { return _mm256_fmadd_pd(c, a, b); }
TL_AVX2 __m256 vadd(__m256 x, __m256 y) { return _mm256_add_ps(x, y); }
TL_AVX2 __m256d vadd(__m256d x, __m256d y) { return _mm256_add_pd(x, y); }
TL_AVX2 double vlane0(__m256 v) { return _mm256_cvtss_f32(v); }
TL_AVX2 double vlane0(__m256d v) { return _mm256_cvtsd_f64(v); }

__attribute__((target("avx512f"), noinline)) double chains_avx512_f32(int64_t iters) {
  using V = __m512;
  TL_CHAINS_BODY(TL_REP24)
}
__attribute__((target("avx512f"), noinline)) double chains_avx512_f64(int64_t iters) {
  using V = __m512d;
  TL_CHAINS_BODY(TL_REP24)
}
__attribute__((target("avx2,fma"), noinline)) double chains_avx2_f32(int64_t iters) {
  using V = __m256;
  TL_CHAINS_BODY(TL_REP12)
}
__attribute__((target("avx2,fma"), noinline)) double chains_avx2_f64(int64_t iters) {
  using V = __m256d;
  TL_CHAINS_BODY(TL_REP12)
}
#endif

// The generic variant is compiled for baseline x86-64 (SSE2, no FMA): its ceiling is a separate
// multiply and add on 128-bit vectors, which is what the compiler makes of this loop.
template <class T>
double chains_generic(int64_t iters) {
  constexpr int kChains = 32;
  T c[kChains];
  for (int j = 0; j < kChains; ++j) c[j] = T(1 + j);
  const T a = T(0.999999), b = T(1e-6);
  for (int64_t it = 0; it < iters; ++it)
    for (int j = 0; j < kChains; ++j) c[j] = c[j] * a + b;
  T s = 0;
  for (int j = 0; j < kChains; ++j) s += c[j];
  return static_cast<double>(s);
}

// The peak kernel for the ISA variant tensorlite selected, so that % of peak says how close the GEMM
// comes to what its own instruction set allows on this CPU.
PeakKernel peak_kernel(tl::DType dt) {
  std::string isa = tl::cpu::isa().name;
  bool f32 = dt == tl::DType::Float32;
#ifdef TL_BENCH_X86
  if (isa == "avx512" && __builtin_cpu_supports("avx512f"))
    return f32 ? PeakKernel{"avx512: 24 zmm FMA chains", 24 * 16 * 2, chains_avx512_f32}
               : PeakKernel{"avx512: 24 zmm FMA chains", 24 * 8 * 2, chains_avx512_f64};
  if (isa == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return f32 ? PeakKernel{"avx2: 12 ymm FMA chains", 12 * 8 * 2, chains_avx2_f32}
               : PeakKernel{"avx2: 12 ymm FMA chains", 12 * 4 * 2, chains_avx2_f64};
#endif
  return f32 ? PeakKernel{"generic: 32 mul+add chains, baseline flags", 32 * 2, chains_generic<float>}
             : PeakKernel{"generic: 32 mul+add chains, baseline flags", 32 * 2, chains_generic<double>};
}

volatile double g_sink;  // keeps the kernels' results alive

// Total GFLOP/s of `threads` copies of the kernel running at once (best of 3 rounds of `seconds`).
double measure_peak(const PeakKernel& k, int threads, double seconds) {
  int64_t iters = 1000;
  for (;;) {  // calibrate on one thread to ~seconds per round
    auto t0 = Clock::now();
    g_sink = k.run(iters);
    double t = seconds_since(t0);
    if (t >= seconds / 4) {
      iters = std::max<int64_t>(1, static_cast<int64_t>(iters * seconds / t));
      break;
    }
    iters *= 4;
  }
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> go{false};
    std::atomic<int> ready{0};
    std::vector<double> results(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) {
        }
        results[t] = k.run(iters);
      });
    while (ready.load() < threads) {
    }
    auto t0 = Clock::now();
    go.store(true, std::memory_order_release);
    for (auto& th : pool) th.join();
    double wall = seconds_since(t0);
    for (double r : results) g_sink = r;
    best = std::max(best, threads * k.flops_per_iter * static_cast<double>(iters) / wall / 1e9);
  }
  return best;
}

// ---- reporting ----------------------------------------------------------------------------------

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, 10, "model name") == 0) {
      auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  return "unknown CPU";
}

struct Peaks {
  std::map<std::pair<int, int>, double> gflops;  // (dtype, threads) -> total GFLOP/s
  double at(tl::DType dt, int threads) const { return gflops.at({static_cast<int>(dt), threads}); }
};

// Measures and prints the peak of every dtype at every thread count. Threads that run concurrently
// on separate cores each reach the one-thread rate; when they do not, something else is running,
// and the multi-thread figures of this run (and their peak%) cannot be trusted: say so.
Peaks measure_peaks(const std::vector<int>& threads, double seconds, const char* when) {
  Peaks peaks;
  for (tl::DType dt : {tl::DType::Float32, tl::DType::Float64}) {
    PeakKernel k = peak_kernel(dt);
    std::printf("peak %s  (%s, %s):", dt == tl::DType::Float32 ? "f32" : "f64", k.what, when);
    double best_per_core = 0;
    for (int t : threads) {
      double gf = measure_peak(k, t, seconds);
      peaks.gflops[{static_cast<int>(dt), t}] = gf;
      std::printf("  %d thr %.1f GFLOP/s (%.1f/core)", t, gf, gf / t);
      best_per_core = std::max(best_per_core, gf / t);
    }
    std::printf("\n");
    unsigned hw = std::thread::hardware_concurrency();
    for (int t : threads) {
      double per_core = peaks.at(dt, t) / t;
      if (t > 1 && (hw == 0 || static_cast<unsigned>(t) <= hw) && per_core < 0.85 * best_per_core)
        std::printf("  warning: %d threads reach only %.0f%% of the best per-core rate: the machine is busy, so "
                    "%d-thread figures and their peak%% are unreliable\n",
                    t, 100 * per_core / best_per_core, t);
    }
    std::fflush(stdout);
  }
  return peaks;
}

struct Row {
  std::string name;
  int threads;
  double gflops, pct;
};

void print_summary(const std::vector<Case>& cases, const std::vector<int>& threads, const std::vector<Row>& rows) {
  std::printf("\nsummary: GFLOP/s (%% of the FMA peak at that thread count), median of repeats\n%-28s", "case");
  for (int t : threads) std::printf("  %16s", (std::to_string(t) + (t == 1 ? " thread" : " threads")).c_str());
  std::printf("\n");
  for (const auto& cs : cases) {
    std::printf("%-28s", cs.name().c_str());
    for (int t : threads) {
      auto it = std::find_if(rows.rbegin(), rows.rend(), [&](const Row& r) { return r.name == cs.name() && r.threads == t; });
      if (it == rows.rend()) std::printf("  %16s", "-");
      else std::printf("  %9.1f (%3.0f%%)", it->gflops, it->pct);
    }
    std::printf("\n");
  }
  std::fflush(stdout);
}

std::string bench_name(const Case& cs, int threads) { return cs.name() + "/threads:" + std::to_string(threads); }

// ---- timing: built-in harness -------------------------------------------------------------------
#ifndef TL_BENCH_GOOGLE
void print_row(const std::string& label, double ms, int64_t iters, double gflops, double pct) {
  std::printf("%-48s %10.4f ms %12lld %10.1f %8.1f\n", label.c_str(), ms, static_cast<long long>(iters), gflops, pct);
}


// Median seconds per call over `reps` rounds of enough calls to last `min_time`, after a warm-up call
// that also wakes the thread pool. Returns the calls per round through `iters`.
double time_median(const Problem& pr, double min_time, int reps, int64_t& iters) {
  run_gemm(pr);
  double t = 0;
  for (iters = 1;; iters *= 2) {  // calibrate: the smallest power of two lasting min_time / 4
    auto t0 = Clock::now();
    for (int64_t i = 0; i < iters; ++i) run_gemm(pr);
    t = seconds_since(t0);
    if (t >= min_time / 4) break;
  }
  iters = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(iters * min_time / t)));
  std::vector<double> per_call;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    for (int64_t i = 0; i < iters; ++i) run_gemm(pr);
    per_call.push_back(seconds_since(t0) / static_cast<double>(iters));
  }
  std::sort(per_call.begin(), per_call.end());
  size_t n = per_call.size();
  return n % 2 ? per_call[n / 2] : 0.5 * (per_call[n / 2 - 1] + per_call[n / 2]);
}

std::vector<Row> run_builtin(const Options& o, const std::vector<std::unique_ptr<Problem>>& probs, const Peaks& peaks) {
  for (const auto& f : o.gbench)
    std::fprintf(stderr, "note: %s ignored (built without Google Benchmark)\n", f.c_str());
  double min_time = o.quick ? 0.01 : 0.2;
  int reps = o.quick ? 3 : 5;
  std::printf("\ntiming: built-in harness, median of %d rounds of >= %.2f s\n", reps, min_time);
  std::printf("%-48s %13s %12s %10s %8s\n", "Benchmark", "Time", "Iterations", "GFLOP/s", "peak%");
  std::vector<Row> rows;
  for (const auto& pr : probs)
    for (int t : pr->threads) {
      tl::set_num_threads(t);
      int64_t iters = 0;
      double s = time_median(*pr, min_time, reps, iters);
      double gf = pr->cs.flops() / s / 1e9;
      double pct = 100 * gf / peaks.at(pr->cs.dt, t);
      print_row(bench_name(pr->cs, t) + "_median", s * 1e3, iters, gf, pct);
      std::fflush(stdout);
      rows.push_back({pr->cs.name(), t, gf, pct});
    }
  return rows;
}
#endif

// ---- timing: Google Benchmark -------------------------------------------------------------------
#ifdef TL_BENCH_GOOGLE

// Google Benchmark's console table, with the two per-iteration constants each benchmark records
// (flop, peak_gflops) turned into GFLOP/s and peak% from the run's real time: its own rate counters
// would print as "x/s". Of the aggregates only the median is shown (all of them still reach
// --benchmark_out); single runs, when asked for with --benchmark_repetitions=1, are shown as they are.
class GemmReporter : public benchmark::ConsoleReporter {
 public:
  GemmReporter(std::vector<Row>* rows, bool color)
      : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular), rows_(rows) {}
  std::map<std::string, std::pair<std::string, int>> ids;  // benchmark name -> (case, threads)

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> shown;
    for (Run r : runs) {
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      auto flop = r.counters.find("flop"), peak = r.counters.find("peak_gflops");
      if (flop == r.counters.end() || peak == r.counters.end() || r.iterations == 0) continue;
      double sec = r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
      double gf = flop->second.value / sec / 1e9;
      double pct = 100 * gf / peak->second.value;
      r.counters.clear();
      r.counters["GFLOP/s"] = benchmark::Counter(gf);
      r.counters["peak%"] = benchmark::Counter(pct);
      auto id = ids.find(r.run_name.function_name);
      if (id != ids.end()) rows_->push_back({id->second.first, id->second.second, gf, pct});
      shown.push_back(r);
    }
    if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
  }

 private:
  std::vector<Row>* rows_;
};

std::vector<Row> run_google(const Options& o, const char* argv0, const std::vector<std::unique_ptr<Problem>>& probs,
                            const Peaks& peaks, bool& ok) {
  // Our defaults go first as flags, so that the user's own --benchmark_* flags (later) override them
  // and the benchmark names stay free of per-benchmark settings.
  std::vector<std::string> args{argv0, o.quick ? "--benchmark_min_time=0.01" : "--benchmark_min_time=0.2",
                                o.quick ? "--benchmark_repetitions=3" : "--benchmark_repetitions=5",
                                "--benchmark_display_aggregates_only=true"};
  args.insert(args.end(), o.gbench.begin(), o.gbench.end());
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) {
    ok = false;
    return {};
  }
  bool color = isatty(STDOUT_FILENO) && std::find(args.begin(), args.end(), "--benchmark_color=false") == args.end();
  std::vector<Row> rows;
  GemmReporter rep(&rows, color);
  for (const auto& pr : probs)
    for (int t : pr->threads) {
      const Problem* p = pr.get();
      double peak = peaks.at(p->cs.dt, t);
      std::string name = bench_name(p->cs, t);
      rep.ids[name] = {p->cs.name(), t};
      benchmark::RegisterBenchmark(name.c_str(), [p, t, peak](benchmark::State& st) {
        tl::set_num_threads(t);
        run_gemm(*p);  // warm-up: wakes the thread pool, touches the operands
        for (auto _ : st) run_gemm(*p);
        st.counters["flop"] = benchmark::Counter(p->cs.flops());
        st.counters["peak_gflops"] = benchmark::Counter(peak);
      })->UseRealTime()->Unit(benchmark::kMillisecond);
    }
  std::printf("\ntiming: Google Benchmark (median row of the repetitions, real time)\n");
  std::fflush(stdout);
  benchmark::RunSpecifiedBenchmarks(&rep);
  benchmark::Shutdown();
  ok = true;
  return rows;
}
#endif

int run(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) return 0;
  std::vector<std::pair<Case, std::vector<int>>> selected;  // (case, its thread counts the filter keeps)
  regex_t re;
  if (regcomp(&re, o.filter.empty() ? "." : o.filter.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
    throw std::invalid_argument("--filter: not a valid regular expression: '" + o.filter + "'");
  for (const auto& cs : make_cases(o.quick)) {
    std::vector<int> ts;
    for (int t : o.threads)
      if (regexec(&re, bench_name(cs, t).c_str(), 0, nullptr, 0) == 0) ts.push_back(t);
    if (!ts.empty()) selected.push_back({cs, ts});
  }
  regfree(&re);

  // Header.
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  std::printf("bench_gemm: tl::cpu::gemm, C = A @ B (alpha 1, beta 0), float operands in [-1, 1)\n");
  std::printf("date:      %s\n", date);
  std::printf("cpu:       %s (%u hardware threads)\n", cpu_model().c_str(), std::thread::hardware_concurrency());
  std::printf("isa:       %s (supported: %s; force with TENSORLITE_ISA)\n", tl::cpu::isa().name, tl::cpu::isa_supported());
#ifdef TL_COMPILER
  std::printf("compiler:  %s\n", TL_COMPILER);
#endif
  std::printf("threads:   ");
  for (size_t i = 0; i < o.threads.size(); ++i) std::printf("%s%d", i ? "," : "", o.threads[i]);
  std::printf("   mode: %s\n", o.quick ? "quick" : "full");
#ifdef TL_BENCH_GOOGLE
  std::printf("harness:   Google Benchmark\n");
#else
  std::printf("harness:   built-in (Google Benchmark not found at configure time)\n");
#endif

  // Peak, per dtype and thread count, before any OpenMP pool is spinning.
  double peak_time = o.quick ? 0.02 : 0.1;
  Peaks peaks = measure_peaks(o.threads, peak_time, "measured now");
  if (selected.empty()) {
    std::printf("no case matches --filter '%s'\n", o.filter.c_str());
    return 0;
  }

  // Validation of every selected case at every thread count, before anything is timed.
  std::printf("\nvalidation: against a long-double reference; bound 8 sqrt(K) eps sum_k |A B|\n");
  std::vector<std::unique_ptr<Problem>> probs;
  uint64_t seed = 1;
  std::vector<Case> cases;
  for (const auto& [cs, ts] : selected) {
    auto pr = make_problem(cs, seed += 2);
    pr->threads = ts;
    bool f32 = cs.dt == tl::DType::Float32;
    Reference ref = f32 ? reference<float>(*pr) : reference<double>(*pr);
    double worst = 0;
    for (int t : ts) worst = std::max(worst, f32 ? check<float>(*pr, ref, t) : check<double>(*pr, ref, t));
    std::string what = ref.full ? "all" : std::to_string(ref.rows.size()) + "x" + std::to_string(ref.cols.size()) + " sampled";
    std::printf("  ok  %-28s %-16s max error/bound %.3g\n", cs.name().c_str(), what.c_str(), worst);
    std::fflush(stdout);
    probs.push_back(std::move(pr));
    cases.push_back(cs);
  }

  std::vector<Row> rows;
#ifdef TL_BENCH_GOOGLE
  bool ok = true;
  rows = run_google(o, argv[0], probs, peaks, ok);
  if (!ok) return 2;
#else
  rows = run_builtin(o, probs, peaks);
#endif
  print_summary(cases, o.threads, rows);
  // Again, so that a reader can tell whether other work came or went while the cases ran (the pool's
  // threads stop spinning well within the pause).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::printf("\n");
  measure_peaks(o.threads, peak_time, "again, after timing; peak% above uses the first");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::runtime_error& e) {  // a validation mismatch or a kernel error
    std::fprintf(stderr, "bench_gemm: FAILED: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {  // bad arguments
    std::fprintf(stderr, "bench_gemm: %s\n", e.what());
    return 2;
  }
}
