// Rng: a seeded, deterministic random source (xoshiro256** seeded through SplitMix64).
// The standard library's distributions are implementation-defined, so the draws are written
// here to give the same sequence on every platform and compiler: same seed, same run.
// Thread-safety: one Rng per thread (or per simulation); not synchronised.
#pragma once

#include <cstdint>

namespace rigshift {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform integer in [lo, hi] (inclusive), unbiased.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // Exponential with the given mean (> 0).
  double Exponential(double mean);
  bool Bernoulli(double p) { return Uniform() < p; }
  // A new independent stream derived from this one (for sub-components).
  Rng Fork();

 private:
  uint64_t s_[4];
};

}  // namespace rigshift
