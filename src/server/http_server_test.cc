// End to end over real sockets: the httplib server on an ephemeral loopback port, driven by
// httplib::Client and, for the stalled client, a raw socket.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "server/testing/router_harness.h"

namespace rigshift::server {
namespace {

using nlohmann::json;
using testing::JobBody;
using testing::kAliceToken;
using testing::kOperatorToken;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<HttpServer>> started = testing::StartTestServer(h.router());
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server = std::move(started).value();
  }

  httplib::Client Client(const std::string& token = kOperatorToken) {
    httplib::Client c("127.0.0.1", server->port());
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    c.set_read_timeout(30, 0);
    return c;
  }

  testing::RouterHarness h;
  std::unique_ptr<HttpServer> server;
};

TEST_F(HttpServerTest, ServesTheApi) {
  httplib::Client anonymous = Client("");
  auto health = anonymous.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->get_header_value("Content-Type"), "application/json");
  // Loopback callers read /metrics without a token.
  auto metrics = anonymous.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("rigshift_http_requests_total"), std::string::npos);
  auto fleet = anonymous.Get("/v1/fleet");
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->status, 401);
  EXPECT_EQ(json::parse(fleet->body)["error"]["code"], "unauthenticated");

  httplib::Client alice = Client(kAliceToken);
  httplib::Headers key = {{"Idempotency-Key", "e2e-1"}};
  auto created = alice.Post("/v1/jobs", key, JobBody(), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string location = created->get_header_value("Location");
  EXPECT_EQ(location, "/v1/jobs/" + std::to_string(json::parse(created->body)["id"].get<int>()));
  auto fetched = alice.Get(location.c_str());
  ASSERT_TRUE(fetched);
  EXPECT_EQ(json::parse(fetched->body)["name"], "train");
  auto cancelled = alice.Delete(location.c_str());
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(json::parse(cancelled->body)["state"], "cancelled");

  // A device id with '/' and '#' arrives intact when URL-encoded.
  auto device = Client().Get("/v1/devices/tx1%2Fhall-a%2Fr%231%2Fn%230%2Fd0");
  ASSERT_TRUE(device);
  ASSERT_EQ(device->status, 200) << device->body;
  EXPECT_EQ(json::parse(device->body)["id"], "tx1/hall-a/r#1/n#0/d0");

  ASSERT_FALSE(h.log().empty());
  EXPECT_EQ(json::parse(h.log().back())["remote"], "127.0.0.1");
}

// A body over the limit is refused by httplib with 413 in the API's error shape.
TEST_F(HttpServerTest, HugeBodyIs413) {
  auto r =
      Client(kAliceToken).Post("/v1/jobs", std::string((1 << 20) + 10, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "resource_exhausted");
}

// A client that sends half a body and stalls is dropped after the read timeout, and others are
// served meanwhile.
TEST_F(HttpServerTest, StalledClientTimesOutOthersServed) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string head =
      "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice-token\r\n"
      "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"gpus\": 1,";
  ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));

  auto other = Client(kAliceToken).Get("/v1/fleet");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);

  // The server gives up on the stalled request: the connection ends (the bound on the wait only
  // keeps a broken server from hanging the test).
  timeval bound{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  std::string received;
  char buf[512];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) received.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(n, 0) << "the connection was not closed by the server";
  ::close(fd);
  // No job was created from half a body.
  EXPECT_EQ(h.service().ListJobs({Role::kOperator, "operator"}, {}).items.size(), 0u);
}

TEST_F(HttpServerTest, StartFailsOnABoundPort) {
  HttpServerOptions options;
  options.port = server->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(h.router(), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace rigshift::server
