// The service clock: what time it is for the live controller. In production it is the wall clock
// (speed 1). The simulated fleet runs faster (`--speed 3600`: one simulated hour per wall second)
// from an origin in the market history, so that the same prices replay on a living fleet; at
// speed 0 it is virtual time: the controller jumps from event to event as fast as it can (tests
// and the serve-vs-simulate comparison).
// Thread-safety: Now() is safe from any thread (reads immutable state and the steady clock).
#pragma once

#include <atomic>
#include <chrono>

#include "core/time.h"

namespace rigshift::live {

class ServiceClock {
 public:
  // `origin`: the service time at the moment of construction; `speed`: service seconds per wall
  // second (0: virtual time, advanced only by Jump).
  ServiceClock(TimePoint origin, double speed)
      : origin_(origin), speed_(speed), wall_origin_(std::chrono::steady_clock::now()) {}

  bool is_virtual() const { return speed_ <= 0; }
  double speed() const { return speed_; }

  TimePoint Now() const {
    if (is_virtual()) {
      const TimePoint v = virtual_now_.load(std::memory_order_relaxed);
      return v > origin_ ? v : origin_;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_origin_).count();
    return origin_ + static_cast<TimePoint>(wall * speed_);
  }
  // Virtual time only: moves the clock to `t` (never backwards).
  void Jump(TimePoint t) {
    if (t > virtual_now_.load(std::memory_order_relaxed)) virtual_now_.store(t, std::memory_order_relaxed);
  }

 private:
  TimePoint origin_;
  double speed_;
  std::chrono::steady_clock::time_point wall_origin_;
  std::atomic<TimePoint> virtual_now_{0};
};

}  // namespace rigshift::live
