#include "sim/replay.h"

#include <gtest/gtest.h>

#include <vector>

namespace rigshift::sim {
namespace {

std::vector<workload::Job> JobsAt(const std::vector<TimePoint>& arrivals) {
  std::vector<workload::Job> jobs;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    workload::Job j;
    j.id = static_cast<workload::JobId>(i);
    j.arrival = arrivals[i];
    j.work_gpu_seconds = 3600;
    jobs.push_back(j);
  }
  return jobs;
}

// Jobs that all arrive at one instant have no rate to repeat: a batch arrives once, however long
// the window (it used to be replayed every second: two jobs became 172,800 a day).
TEST(ReplayTest, BatchAtOneInstantArrivesOnce) {
  const auto trace = JobsAt(std::vector<TimePoint>(200, 1000));
  ReplayOptions o;
  o.start = 0;
  o.end = 30 * kDay;
  auto r = ReplayIntoWindow(trace, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 200u);
  for (const auto& j : *r) EXPECT_EQ(j.arrival, 0);
}

// A trace that spans a second or two, repeated over a year, would exhaust memory: refused with the
// count it would have made, before anything is allocated.
TEST(ReplayTest, RefusesAReplayOverTheJobLimit) {
  const auto trace = JobsAt({0, 1});
  ReplayOptions o;
  o.start = 0;
  o.end = 365 * kDay;
  auto r = ReplayIntoWindow(trace, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(r.status().message().find("over the limit of 5000000"), std::string::npos) << r.status().message();
  o.end = kDay;  // 43,200 copies of two jobs: within the limit
  auto day = ReplayIntoWindow(trace, o);
  ASSERT_TRUE(day.ok()) << day.status().message();
  EXPECT_EQ(day->size(), 86400u);
}

// Deadlines from a huge factor stay inside int64 seconds (the CLI refuses such factors first).
TEST(ReplayTest, SloDeadlineConversionIsBounded) {
  auto jobs = JobsAt({0});
  jobs[0].work_gpu_seconds = 1e300;
  NeedsOptions n;
  n.slo_factor = 1e15;
  AssignJobNeeds(jobs, n);
  ASSERT_TRUE(jobs[0].deadline.has_value());
  EXPECT_EQ(*jobs[0].deadline, static_cast<Duration>(kMaxSloSeconds));
}

}  // namespace
}  // namespace rigshift::sim
