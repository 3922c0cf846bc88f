// Decision records for mode changes, one per run of contiguous devices with the same change and
// reason (a plan may switch thousands of devices for one reason): "devices 0..511", "mine -> off".
//
// Thread-safety: none; one per application of a plan or delta.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "econ/value.h"

namespace rigshift::control {

class ModeRuns {
 public:
  // emit(subject, action, reason); `reasons` are the plan's or planner's reason texts.
  using Emit = std::function<void(std::string, std::string, std::string_view)>;
  ModeRuns(const std::vector<std::string>& reasons, Emit emit)
      : reasons_(reasons), emit_(std::move(emit)) {}

  void Add(size_t d, econ::Mode from, econ::Mode to, uint32_t reason) {
    if (in_run_ && last_ + 1 == d && from_ == from && to_ == to && reason_ == reason) {
      last_ = d;
      return;
    }
    Flush();
    in_run_ = true;
    first_ = last_ = d;
    from_ = from;
    to_ = to;
    reason_ = reason;
  }

  void Flush() {
    if (!in_run_) return;
    std::string subject = first_ == last_
                              ? "device " + std::to_string(first_)
                              : "devices " + std::to_string(first_) + ".." + std::to_string(last_);
    emit_(std::move(subject), std::string(econ::ModeName(from_)) + " -> " + econ::ModeName(to_),
          reason_ < reasons_.size() ? std::string_view(reasons_[reason_]) : std::string_view());
    in_run_ = false;
  }

 private:
  const std::vector<std::string>& reasons_;
  Emit emit_;
  size_t first_ = 0, last_ = 0;
  econ::Mode from_ = econ::Mode::kOff, to_ = econ::Mode::kOff;
  uint32_t reason_ = 0;
  bool in_run_ = false;
};

}  // namespace rigshift::control
