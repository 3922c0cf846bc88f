#include "core/rng.h"

#include <gtest/gtest.h>

namespace rigshift {
namespace {

TEST(RngTest, SameSeedSameSequence) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RngTest, RangesHold) {
  Rng r(1);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    int64_t v = r.UniformInt(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
    double u = r.Uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    sum += r.Exponential(2.0);
  }
  EXPECT_NEAR(sum / 10000, 2.0, 0.1);
}

}  // namespace
}  // namespace rigshift
