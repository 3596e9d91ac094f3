#include <cstdlib>
#include <cstring>
#include <string>
#include "../cpu/isa/isa.h"
#include "check.h"

namespace tl::cpu {

namespace {

#ifdef TL_HAVE_X86_VARIANTS
bool cpu_has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
}
bool cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

const IsaKernels& select_isa() {
  const char* forced = std::getenv("TENSORLITE_ISA");
  std::string want = forced ? forced : "";
  if (want == "generic") return isa_generic::kernels();
#ifdef TL_HAVE_X86_VARIANTS
  if (want == "avx512") {
    TL_CHECK(cpu_has_avx512(), "TENSORLITE_ISA=avx512, but this CPU does not support AVX-512");
    return isa_avx512::kernels();
  }
  if (want == "avx2") {
    TL_CHECK(cpu_has_avx2(), "TENSORLITE_ISA=avx2, but this CPU does not support AVX2+FMA");
    return isa_avx2::kernels();
  }
  TL_CHECK_VALUE(want.empty(), "TENSORLITE_ISA must be one of generic, avx2, avx512 (got '", want, "')");
  if (cpu_has_avx512()) return isa_avx512::kernels();
  if (cpu_has_avx2()) return isa_avx2::kernels();
#else
  TL_CHECK_VALUE(want.empty(), "TENSORLITE_ISA must be 'generic' on this platform (got '", want, "')");
#endif
  return isa_generic::kernels();
}

}  // namespace

const IsaKernels& isa() {
  static const IsaKernels& k = select_isa();
  return k;
}

const char* isa_compiled() {
#ifdef TL_HAVE_X86_VARIANTS
  return "generic,avx2,avx512";
#else
  return "generic";
#endif
}

const char* isa_supported() {
#ifdef TL_HAVE_X86_VARIANTS
  if (cpu_has_avx512()) return "avx512,avx2,generic";
  if (cpu_has_avx2()) return "avx2,generic";
#endif
  return "generic";
}

}  // namespace tl::cpu
