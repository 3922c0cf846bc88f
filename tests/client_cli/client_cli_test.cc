#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/http_server.h"
#include "server/testing/router_harness.h"

namespace rigshift::server {
namespace {

class ClientCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<HttpServer>> started = testing::StartTestServer(h.router());
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server = std::move(started).value();
  }

  // Runs `rigshift ARGS` as `token`'s holder; stdout and stderr together.
  std::pair<int, std::string> Run(const std::string& args,
                                  const std::string& token = testing::kOperatorToken) {
    const std::string command = "RIGSHIFT_TOKEN=" + token + " " + RIGSHIFT_BINARY + " " + args +
                                " --server http://127.0.0.1:" + std::to_string(server->port()) +
                                " 2>&1";
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
  }

  testing::RouterHarness h;
  std::unique_ptr<HttpServer> server;
};

// Submit, list, cancel: what a tenant does, as the binary prints it.
TEST_F(ClientCliTest, SubmitListCancel) {
  auto [code, out] = Run("submit --gpus 2 --hours 1.5 --price 0.8 --name train", "alice-token");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "job 1 queued: 2 GPUs at 0.80 USD/GPU-h, \"train\" (alice)\n");

  std::tie(code, out) = Run("jobs", "alice-token");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("1       queued     2     0.80       alice"), std::string::npos) << out;

  std::tie(code, out) = Run("cancel 1", "bob-token");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(out, "rigshift: error: server answered 404 not_found: no job 1\n");

  std::tie(code, out) = Run("cancel 1 --json", "alice-token");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["state"], "cancelled");
  std::tie(code, out) = Run("jobs", "alice-token");
  EXPECT_EQ(out, "no jobs\n");
  std::tie(code, out) = Run("jobs --all", "alice-token");
  EXPECT_NE(out.find("cancelled"), std::string::npos) << out;
}

// A rejected spec exits 3 with the server's message and field.
TEST_F(ClientCliTest, InvalidSubmissionNamesTheField) {
  auto [code, out] = Run("submit --gpus 5000 --hours 1 --price 1", "alice-token");
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out,
            "rigshift: error: server answered 400 invalid_argument: gpus: must be an integer "
            "from 1 to 4096, got 5000 (field gpus)\n");
}

// Status and decisions for the operator; a tenant's status goes without revenue.
TEST_F(ClientCliTest, StatusAndDecisions) {
  auto [code, out] = Run("status");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(
      out.find("Site tx1 \"West Texas\"\n  power           1350.0 kW of 2000.0 kW cap (67.5%)"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("revenue         ai 1250.50 USD"), std::string::npos) << out;
  std::tie(code, out) = Run("status", "alice-token");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out.find("revenue"), std::string::npos) << out;

  std::tie(code, out) = Run("decisions --site tx1 --since 2026-12-06T23:10:00Z");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("mining pays 0.9 USD/h < power 1.4 USD/h: off"), std::string::npos) << out;
  std::tie(code, out) = Run("decisions", "alice-token");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("403 permission_denied"), std::string::npos) << out;
}

}  // namespace
}  // namespace rigshift::server
