#include "server/job_spec.h"

#include <gtest/gtest.h>

#include "server/request_json.h"

namespace rigshift::server {
namespace {

using nlohmann::json;

json ValidSpec() {
  return {{"name", "llama-finetune"},
          {"gpus", 8},
          {"min_memory_gb", 24},
          {"interconnect", "pcie"},
          {"duration_hours", 2.5},
          {"reference_gpu", "V100"},
          {"price_usd_per_gpu_hour", 1.25},
          {"deadline", "2026-12-09T12:00:00Z"},
          {"preemptible", "checkpoint"},
          {"checkpoint_interval_s", 900},
          {"restore_time_s", 60},
          {"priority", 5},
          {"command", "python train.py"}};
}

// The message of a rejected spec; the test fails when the spec is accepted.
std::string ErrorOf(const json& spec) {
  Result<JobSpec> r = JobSpecFromJson(spec);
  EXPECT_FALSE(r.ok()) << spec.dump();
  return r.ok() ? "" : r.status().message();
}

std::string ErrorOfBody(std::string_view body) {
  Result<JobSpec> r = ParseJobSpec(body);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? "" : r.status().message();
}

// A full spec maps every field, work given as a duration becomes duration x 3600 x gpus.
TEST(JobSpecTest, ValidSpecMapsEveryField) {
  Result<JobSpec> spec = JobSpecFromJson(ValidSpec());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->gpus, 8);
  EXPECT_DOUBLE_EQ(spec->work_gpu_seconds, 2.5 * 3600 * 8);
  EXPECT_EQ(spec->price, UsdPerGpuHour(1.25));
  ASSERT_TRUE(spec->deadline.has_value());
  EXPECT_EQ(FormatTimestamp(*spec->deadline), "2026-12-09T12:00:00Z");

  const workload::Job job = ToWorkloadJob(*spec, 42, 1'000'000);
  EXPECT_EQ(job.id, 42);
  EXPECT_EQ(job.arrival, 1'000'000);
  EXPECT_EQ(job.name, "llama-finetune");
  EXPECT_EQ(job.gpus, 8);
  EXPECT_DOUBLE_EQ(job.min_memory_gb, 24);
  EXPECT_EQ(job.interconnect, workload::Interconnect::kPcie);
  EXPECT_EQ(job.reference_gpu, "V100");
  EXPECT_DOUBLE_EQ(job.work_gpu_seconds, 72'000);
  EXPECT_EQ(job.price.raw(), 1'250'000);
  EXPECT_EQ(job.deadline, spec->deadline);
  EXPECT_EQ(job.preemptibility, workload::Preemptibility::kCheckpoint);
  EXPECT_EQ(job.checkpoint_interval, 900);
  EXPECT_EQ(job.restore_time, 60);
  EXPECT_EQ(job.priority, 5);
}

// The smallest spec takes the documented defaults.
TEST(JobSpecTest, MinimalSpecTakesDefaults) {
  Result<JobSpec> spec =
      JobSpecFromJson({{"gpus", 1}, {"work_gpu_seconds", 3600}, {"price_usd_per_gpu_hour", 0.5}});
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->reference_gpu, kDefaultReferenceGpu);
  EXPECT_EQ(spec->interconnect, workload::Interconnect::kNone);
  EXPECT_EQ(spec->preemptible, workload::Preemptibility::kCheckpoint);
  EXPECT_EQ(spec->checkpoint_interval, 30 * kMinute);
  EXPECT_FALSE(spec->deadline.has_value());
}

// JobSpecToJson writes a body JobSpecFromJson reads back to the same spec.
TEST(JobSpecTest, JsonRoundTrip) {
  Result<JobSpec> spec = JobSpecFromJson(ValidSpec());
  ASSERT_TRUE(spec.ok());
  Result<JobSpec> again = JobSpecFromJson(JobSpecToJson(*spec));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(*again == *spec);
}

// Every bad field is named at the start of the message.
TEST(JobSpecTest, BadFieldsAreNamed) {
  auto with = [](const std::string& key, json value) {
    json spec = ValidSpec();
    spec[key] = std::move(value);
    return spec;
  };
  EXPECT_EQ(ErrorOf(with("gpus", 0)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", 4097)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", 1e300)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", -1e300)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", 2.5)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", "4")).rfind("gpus: expected an integer", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpus", 18446744073709551615ull)).rfind("gpus: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("min_memory_gb", -1)).rfind("min_memory_gb: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("interconnect", "infiniband")).rfind("interconnect: must be one of", 0),
            0u);
  EXPECT_EQ(ErrorOf(with("interconnect", "network")).rfind("network_gbps: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("duration_hours", 1e300)).rfind("duration_hours: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("duration_hours", 0)).rfind("duration_hours: must be above 0", 0), 0u);
  EXPECT_EQ(ErrorOf(with("reference_gpu", "Voodoo 2")).rfind("reference_gpu: unknown GPU", 0), 0u);
  EXPECT_EQ(ErrorOf(with("price_usd_per_gpu_hour", -1)).rfind("price_usd_per_gpu_hour: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("deadline", "2026-12-09")).rfind("deadline: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("deadline", "2026-13-09T00:00:00Z")).rfind("deadline: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("deadline", "2026-12-09T00:00:00+02:00")).rfind("deadline: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("preemptible", "sometimes")).rfind("preemptible: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("checkpoint_interval_s", 1)).rfind("checkpoint_interval_s: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("restore_time_s", 1e19)).rfind("restore_time_s: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("priority", 1001)).rfind("priority: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("command", 7)).rfind("command: expected a string", 0), 0u);
  EXPECT_EQ(ErrorOf(with("name", std::string(201, 'x'))).rfind("name: ", 0), 0u);
  EXPECT_EQ(ErrorOf(with("gpu", 4)), "gpu: unknown field");
}

// Work must be given exactly one way; gpus and the price are required.
TEST(JobSpecTest, WorkAndRequiredFields) {
  json both = ValidSpec();
  both["work_gpu_seconds"] = 100;
  EXPECT_NE(ErrorOf(both).find("exactly one of duration_hours and work_gpu_seconds"),
            std::string::npos);
  json neither = ValidSpec();
  neither.erase("duration_hours");
  EXPECT_EQ(ErrorOf(neither).rfind("duration_hours: give exactly one", 0), 0u);
  json no_gpus = ValidSpec();
  no_gpus.erase("gpus");
  EXPECT_EQ(ErrorOf(no_gpus).rfind("gpus: required", 0), 0u);
  json no_price = ValidSpec();
  no_price.erase("price_usd_per_gpu_hour");
  EXPECT_EQ(ErrorOf(no_price).rfind("price_usd_per_gpu_hour: required", 0), 0u);
  EXPECT_EQ(ErrorOf(json::array()), "expected a JSON object, got array");
}

// Malformed bodies: a syntax error inside a value names the field being read.
TEST(JobSpecTest, MalformedBodiesNameTheField) {
  EXPECT_EQ(
      ErrorOfBody(R"({"gpus": NaN, "price_usd_per_gpu_hour": 1})").rfind("gpus: malformed JSON", 0),
      0u);
  EXPECT_EQ(ErrorOfBody(R"({"gpus": 1, "price_usd_per_gpu_hour": 1e999})")
                .rfind("price_usd_per_gpu_hour: malformed JSON", 0),
            0u);
  EXPECT_EQ(ErrorOfBody(R"({"gpus": 1,)").rfind("malformed JSON at byte", 0), 0u);
  EXPECT_EQ(ErrorOfBody(""), "the request body is empty (expected JSON)");
  EXPECT_EQ(ErrorOfBody("\xff\xfe").rfind("malformed JSON", 0), 0u);
}

}  // namespace
}  // namespace rigshift::server
