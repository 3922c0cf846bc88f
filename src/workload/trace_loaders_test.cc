// Philly and Alibaba trace loaders: the shared files load as published, and malformed rows give
// located errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "workload/alibaba_trace.h"
#include "workload/philly_trace.h"

namespace rigshift::workload {
namespace {

std::string TracesDir() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  std::string base = env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces";
}

TEST(PhillyTrace, LoadsTheSharedTrace) {
  std::string path = TracesDir() + "/sia_sosp23/traces/philly.csv";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no " << path;
  }
  auto jobs = LoadPhillyTrace(path);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 82247u);
  // Sorted by arrival, ids in that order; first and last arrivals as in the file.
  EXPECT_EQ(FormatTimestamp(jobs->front().arrival), "2017-09-04T10:30:41Z");
  EXPECT_EQ(FormatTimestamp(jobs->back().arrival), "2017-12-22T08:02:11Z");
  int64_t multi = 0;
  for (size_t i = 0; i < jobs->size(); ++i) {
    EXPECT_EQ((*jobs)[i].id, static_cast<JobId>(i));
    if (i > 0) {
      ASSERT_LE((*jobs)[i - 1].arrival, (*jobs)[i].arrival);
    }
    if ((*jobs)[i].gpus > 1) ++multi;
  }
  EXPECT_EQ(multi, 82247 - 76627);  // 76,627 single-GPU jobs in the file
  EXPECT_EQ(jobs->front().reference_gpu, "P100");
}

TEST(PhillyTrace, ParsesRowsAndComputesWork) {
  auto jobs = ParsePhillyTrace(
      "timestamp,duration,num_gpus,gpu_time,cluster\n"
      "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n"
      "2017-10-09 06:13:03,100.0,4,400.0,6214e9\n",
      "t.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].gpus, 4);  // earlier arrival first
  EXPECT_DOUBLE_EQ((*jobs)[0].work_gpu_seconds, 400.0);
  EXPECT_EQ((*jobs)[1].work_gpu_seconds, 66.0);
}

struct BadCase {
  const char* text;
  const char* expected;
};

TEST(PhillyTrace, MalformedRowsNameFileLineColumn) {
  const BadCase cases[] = {
      {"timestamp,duration,num_gpus\n2017-10-09 07:01:55,abc,1\n", "t.csv:2:21: duration"},
      {"timestamp,duration,num_gpus\n2017-10-09 07:01:55,5,0\n", "t.csv:2:23: num_gpus"},
      {"timestamp,duration,num_gpus\n2017-13-09 07:01:55,5,1\n", "t.csv:2:1: timestamp"},
      {"timestamp,duration,num_gpus\n2017-10-09 07:01:55,-5,1\n", "t.csv:2:21: duration"},
      {"timestamp,duration,num_gpus\n2017-10-09 07:01:55,1e300,1\n",
       "t.csv:2:21: duration: expected seconds in 0 .. 315360000 (ten years)"},
      {"timestamp,duration,num_gpus,gpu_time\n2017-10-09 07:01:55,5,2,7\n", "t.csv:2:25: gpu_time"},
      {"timestamp,duration\n2017-10-09 07:01:55,5\n", "missing column 'num_gpus'"},
      {"timestamp,duration,num_gpus\n2017-10-09 07:01:55,5\n", "t.csv:2:1: expected 3 fields"},
      {"", "empty file"},
  };
  for (const auto& c : cases) {
    auto r = ParsePhillyTrace(c.text, "t.csv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "got: " << r.status().message() << "\nexpected: " << c.expected;
  }
}

TEST(AlibabaTrace, LoadsTheSharedPods) {
  std::string path = TracesDir() + "/alibaba_gpu_v2023/openb_pod_list_default.csv";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no " << path;
  }
  AlibabaLoadStats st;
  auto jobs = LoadAlibabaPods(path, {}, &st);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_EQ(st.rows, 8152);
  EXPECT_EQ(st.cpu_only_skipped, 1088);  // num_gpu == 0
  EXPECT_EQ(static_cast<int64_t>(jobs->size()) + st.cpu_only_skipped + st.never_ran_skipped,
            st.rows);
  EXPECT_GT(jobs->size(), 6000u);
  for (const auto& j : *jobs) {
    ASSERT_GE(j.gpus, 1);
    ASSERT_GT(j.work_gpu_seconds, 0);
  }
}

TEST(AlibabaTrace, RulesForSharingQosAndSpec) {
  auto jobs = ParseAlibabaPods(
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_"
      "time,scheduled_time\n"
      "p0,1000,1024,1,500,,BE,Running,10,1010,10\n"
      "p1,1000,1024,8,1000,V100M32|V100M16,LS,Running,5,105,5\n"
      "p2,1000,1024,0,0,,LS,Running,0,100,0\n"
      "p3,1000,1024,2,1000,,Burstable,Pending,20,,\n",
      "pods.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 2u);
  const Job& a = (*jobs)[0];  // p1 arrives first
  EXPECT_EQ(a.name, "p1");
  EXPECT_EQ(a.gpus, 8);
  EXPECT_DOUBLE_EQ(a.work_gpu_seconds, 800);
  EXPECT_EQ(a.reference_gpu, "V100");
  EXPECT_EQ(a.preemptibility, Preemptibility::kNever);
  const Job& b = (*jobs)[1];
  EXPECT_DOUBLE_EQ(b.work_gpu_seconds, 500);  // half a GPU for 1000 s
  EXPECT_EQ(b.preemptibility, Preemptibility::kFree);
  EXPECT_EQ(b.reference_gpu, "T4");
}

TEST(AlibabaTrace, MalformedRowsNameFileLineColumn) {
  const std::string head =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_"
      "time,scheduled_time\n";
  const BadCase cases[] = {
      {"p0,1,1,x,0,,BE,Running,0,1,0\n", "pods.csv:2:8: num_gpu"},
      {"p0,1,1,1,2000,,BE,Running,0,1,0\n", "pods.csv:2:10: gpu_milli"},
      {"p0,1,1,1,0,,XX,Running,0,1,0\n", "pods.csv:2:13: qos"},
      {"p0,1,1,1,0,,BE,Running,-4,1,0\n", "pods.csv:2:24: creation_time"},
      {"p0,1,1,1,0,,BE,Running,0,9000000000000000000,0\n",
       "pods.csv:2:26: deletion_time: expected seconds since the trace start in 0 .. 315360000"},
      {"p0,1,1\n", "pods.csv:2:1: expected 11 fields"},
  };
  for (const auto& c : cases) {
    auto r = ParseAlibabaPods(head + c.text, "pods.csv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "got: " << r.status().message() << "\nexpected: " << c.expected;
  }
}

}  // namespace
}  // namespace rigshift::workload
