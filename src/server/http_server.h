// The socket side of the API: cpp-httplib's server in a thread of its own, handing every request
// to a Router (router.h) and writing back what it returns. It binds 127.0.0.1 unless told
// otherwise, limits bodies (413), times out slow clients on read and write, and serves from a
// pool of threads sized for a few hundred concurrent keep-alive readers.
//
// Thread-safety: Start and Stop from one thread; the router is called from the pool's threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "server/router.h"

namespace httplib {
class Server;
}

namespace rigshift::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (tests)
  size_t max_body_bytes = 1 << 20;
  int read_timeout_s = 5;  // a client that stalls mid-request is dropped after this
  int write_timeout_s = 5;
  int keep_alive_timeout_s = 5;
  // httplib holds a thread per open connection: 200 readers + 20 submitters + headroom.
  size_t threads = 256;
};

class HttpServer {
 public:
  // Binds and starts serving; kUnavailable when the address cannot be bound. `router` must
  // outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const Router& router, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Stops accepting, finishes requests in flight and joins the thread. Idempotent.
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace rigshift::server
