// Load on a running `rigshift serve`: R readers poll the fleet's status (GET /v1/sites) while S
// submitters post jobs (POST /v1/jobs), all on keep-alive connections to loopback, for a fixed
// time. Prints throughput and p50/p99/max latency per kind, and the daemon's own decision-round
// latency from /metrics. Usage (scripts/serve-load starts the daemon and runs it):
//   serve_load URL TOKEN_FILE [--readers 200] [--submitters 20] [--seconds 60]
// The request loops stop at the deadline; every address is the URL's (loopback).
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Samples {
  std::mutex mu;
  std::vector<double> ms;
  int64_t errors = 0;
  void Add(const std::vector<double>& local, int64_t err) {
    std::lock_guard<std::mutex> lock(mu);
    ms.insert(ms.end(), local.begin(), local.end());
    errors += err;
  }
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

void Report(const char* what, Samples& s, double seconds) {
  const double n = static_cast<double>(s.ms.size());
  std::printf("%-10s %9.0f requests %8.1f/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors %lld\n",
              what, n, n / seconds, Percentile(s.ms, 0.50), Percentile(s.ms, 0.99),
              s.ms.empty() ? 0.0 : s.ms.back(), static_cast<long long>(s.errors));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: serve_load URL TOKEN_FILE [--readers N] [--submitters N] [--seconds S]\n");
    return 2;
  }
  const std::string url = argv[1];
  std::string token;
  std::ifstream(argv[2]) >> token;
  int readers = 200, submitters = 20;
  double seconds = 60;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--readers") readers = std::atoi(argv[i + 1]);
    if (f == "--submitters") submitters = std::atoi(argv[i + 1]);
    if (f == "--seconds") seconds = std::atof(argv[i + 1]);
  }
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(seconds));
  Samples reads, writes;
  std::atomic<int64_t> key{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&] {
      httplib::Client c(url);
      c.set_keep_alive(true);
      c.set_read_timeout(10, 0);
      std::vector<double> local;
      int64_t err = 0;
      while (Clock::now() < deadline) {
        const auto t0 = Clock::now();
        auto res = c.Get("/v1/sites", auth);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (res && res->status == 200) {
          local.push_back(ms);
        } else {
          ++err;
        }
      }
      reads.Add(local, err);
    });
  }
  for (int s = 0; s < submitters; ++s) {
    threads.emplace_back([&] {
      httplib::Client c(url);
      c.set_keep_alive(true);
      c.set_read_timeout(10, 0);
      std::vector<double> local;
      int64_t err = 0;
      while (Clock::now() < deadline) {
        httplib::Headers h = auth;
        h.emplace("Idempotency-Key", "load-" + std::to_string(key.fetch_add(1)) + "-" +
                                          std::to_string(::getpid()));
        const std::string body =
            R"({"name":"load","gpus":1,"duration_hours":1,"price_usd_per_gpu_hour":0.5})";
        const auto t0 = Clock::now();
        auto res = c.Post("/v1/jobs", h, body, "application/json");
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (res && (res->status == 201 || res->status == 200)) {
          local.push_back(ms);
        } else {
          ++err;
        }
      }
      writes.Add(local, err);
    });
  }
  for (auto& t : threads) t.join();
  std::printf("%d readers (GET /v1/sites), %d submitters (POST /v1/jobs), %.0f s\n", readers,
              submitters, seconds);
  Report("reads", reads, seconds);
  Report("submits", writes, seconds);
  httplib::Client c(url);
  if (auto m = c.Get("/metrics", auth); m && m->status == 200) {
    // The decision-round histogram as the daemon measured it while serving.
    size_t pos = 0;
    while ((pos = m->body.find("rigshift_decision_latency_seconds", pos)) != std::string::npos) {
      const size_t eol = m->body.find('\n', pos);
      const std::string line = m->body.substr(pos, eol - pos);
      if (line.find("_sum") != std::string::npos || line.find("_count") != std::string::npos) {
        std::printf("%s\n", line.c_str());
      }
      pos = eol;
    }
  }
  return 0;
}
