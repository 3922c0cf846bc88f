// The stored JSON form of a job spec: round trip, defaults, and rejection of bad fields.
#include "store/job_spec_json.h"

#include <gtest/gtest.h>

namespace rigshift::store {
namespace {

workload::Job FullJob() {
  workload::Job j;
  j.id = 42;
  j.name = "llama-ft \"quoted\" \xc3\xa9";
  j.kind = workload::JobKind::kBatch;
  j.arrival = 1'700'000'000;
  j.gpus = 8;
  j.min_memory_gb = 23.5;
  j.interconnect = workload::Interconnect::kNetwork;
  j.network_gbps = 100;
  j.reference_gpu = "H100 SXM5 80GB";
  j.work_gpu_seconds = 0.1;  // not exactly representable: must still round-trip
  j.job_type = "ResNet-18 (batch size 128)";
  j.total_steps = 5000;
  j.price = UsdPerGpuHour(1.23);
  j.deadline = 1'700'086'400;
  j.preemptibility = workload::Preemptibility::kFree;
  j.checkpoint_interval = 600;
  j.restore_time = 30;
  j.priority = -3;
  j.priority_weight = 2.5;
  return j;
}

TEST(JobSpecJson, EveryFieldRoundTrips) {
  const workload::Job in = FullJob();
  auto out = JobSpecFromJson(JobSpecToJson(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->name, in.name);
  EXPECT_EQ(out->kind, in.kind);
  EXPECT_EQ(out->arrival, in.arrival);
  EXPECT_EQ(out->gpus, in.gpus);
  EXPECT_EQ(out->min_memory_gb, in.min_memory_gb);
  EXPECT_EQ(out->interconnect, in.interconnect);
  EXPECT_EQ(out->network_gbps, in.network_gbps);
  EXPECT_EQ(out->reference_gpu, in.reference_gpu);
  EXPECT_EQ(out->work_gpu_seconds, in.work_gpu_seconds);
  EXPECT_EQ(out->job_type, in.job_type);
  EXPECT_EQ(out->total_steps, in.total_steps);
  EXPECT_EQ(out->price, in.price);
  EXPECT_EQ(out->deadline, in.deadline);
  EXPECT_EQ(out->preemptibility, in.preemptibility);
  EXPECT_EQ(out->checkpoint_interval, in.checkpoint_interval);
  EXPECT_EQ(out->restore_time, in.restore_time);
  EXPECT_EQ(out->priority, in.priority);
  EXPECT_EQ(out->priority_weight, in.priority_weight);
  EXPECT_EQ(JobSpecToJson(*out), JobSpecToJson(in));
}

TEST(JobSpecJson, MissingFieldsTakeDefaults) {
  auto out = JobSpecFromJson(R"({"gpus": 4})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const workload::Job defaults;
  EXPECT_EQ(out->gpus, 4);
  EXPECT_EQ(out->kind, defaults.kind);
  EXPECT_EQ(out->preemptibility, defaults.preemptibility);
  EXPECT_EQ(out->checkpoint_interval, defaults.checkpoint_interval);
  EXPECT_FALSE(out->deadline.has_value());
}

TEST(JobSpecJson, BadInputNamesTheField) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "not valid JSON"},
      {"[1]", "expected a JSON object"},
      {R"({"gpu": 1})", "gpu: unknown field"},
      {R"({"gpus": 0})", "gpus: out of range"},
      {R"({"gpus": 2.5})", "gpus: expected an integer"},
      {R"({"gpus": 18446744073709551615})", "gpus: out of range"},
      {R"({"work_gpu_seconds": -1})", "work_gpu_seconds: expected a finite number >= 0"},
      {R"({"kind": "serving"})", "kind: unknown value 'serving'"},
      {R"({"interconnect": 3})", "interconnect: expected a string"},
      {R"({"priority_weight": 0})", "priority_weight: expected a number > 0"},
      {R"({"price_uusd_per_gpu_hour": -5})", "price_uusd_per_gpu_hour: out of range"},
      {R"({"deadline": "tomorrow"})", "deadline: expected an integer"},
      {R"({"priority": 3000000000})", "priority: out of range"},
  };
  for (const auto& c : cases) {
    auto r = JobSpecFromJson(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace rigshift::store
