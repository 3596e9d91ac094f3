// In-place random fills drawing from a Generator (the default one when gen is null).
//   uniform_(t, lo, hi)    float t: U[lo, hi)
//   normal_(t, mean, std)  float t: N(mean, std^2) (Box-Muller on one Philox block per element)
//   random_(t, lo, hi)     any numeric t: integers uniform in [lo, hi)
//   bernoulli_(t, p)       t := (U[0,1) < p), p a number or a tensor broadcastable to t
#pragma once
#include "../core/random.h"
#include "../core/tensor.h"

namespace tl {
void uniform_(const Tensor& t, double lo, double hi, Generator* gen);
void normal_(const Tensor& t, double mean, double std, Generator* gen);
void random_(const Tensor& t, int64_t lo, int64_t hi, Generator* gen);
void bernoulli_(const Tensor& t, double p, Generator* gen);
void bernoulli_(const Tensor& t, const Tensor& p, Generator* gen);
}  // namespace tl
