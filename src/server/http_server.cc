#include "server/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

namespace rigshift::server {

namespace {

HttpRequest FromHttplib(const httplib::Request& req) {
  HttpRequest r;
  r.method = req.method;
  r.target = req.target;  // still URL-encoded: the router splits segments before decoding
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(lower), value);
  }
  r.body = req.body;
  r.remote_addr = req.remote_addr;
  return r;
}

void ToHttplib(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_content(response.body, response.content_type.c_str());
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const Router& router,
                                                      HttpServerOptions options) {
  std::unique_ptr<HttpServer> self(new HttpServer());
  self->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *self->server_;
  const size_t threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(options.read_timeout_s, 0);
  server.set_write_timeout(options.write_timeout_s, 0);
  server.set_keep_alive_timeout(options.keep_alive_timeout_s);
  // httplib's default also sets SO_REUSEPORT, which would let a second daemon share the port and
  // split the traffic; only SO_REUSEADDR (restart while old connections linger) is wanted.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });

  auto handle = [&router](const httplib::Request& req, httplib::Response& res) {
    ToHttplib(router.Handle(FromHttplib(req)), res);
  };
  // Every path goes to the router, which owns routing, so that the pure path and the socket path
  // cannot disagree about what exists.
  const std::string any = "/.*";
  server.Get(any, handle);
  server.Post(any, handle);
  server.Delete(any, handle);
  server.Put(any, handle);
  server.Patch(any, handle);
  server.Options(any, handle);
  // Errors httplib answers itself (a body over the limit, a malformed request) get the API's
  // error shape too; responses the router wrote already have a body and are left alone.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const char* code = res.status == 413 ? "resource_exhausted" : "invalid_argument";
        const std::string message =
            res.status == 413 ? "the request body is too large" : "the request could not be read";
        res.set_content(nlohmann::json({{"error", {{"code", code}, {"message", message}}}}).dump(),
                        "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));

  if (options.port == 0) {
    self->port_ = server.bind_to_any_port(options.host);
    if (self->port_ < 0) {
      return Status::Unavailable("cannot bind " + options.host + " to any port");
    }
  } else {
    if (!server.bind_to_port(options.host, options.port)) {
      return Status::Unavailable("cannot bind " + options.host + ":" +
                                 std::to_string(options.port) + " (in use, or not allowed)");
    }
    self->port_ = options.port;
  }
  self->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // The socket listens already; wait for the accept loop so that a Stop() right away is seen.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return self;
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace rigshift::server
