// Reading request bodies: JSON parsing and typed field access that names the field at fault.
// nlohmann::json's exceptions stop here. Every number is checked to be finite and inside its range
// before it is converted to an integer, so 1e300, -0 or a NaN smuggled in cannot cause undefined
// behaviour. Errors are kInvalidArgument with the message "PATH: what is wrong" (service.h).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace rigshift::server {

// Joins an object path and a key: ("", "gpus") -> "gpus", ("prices[2]", "site") ->
// "prices[2].site".
std::string FieldPath(std::string_view parent, std::string_view key);

// "PATH: message" as kInvalidArgument (plain message when path is empty).
Status FieldError(std::string_view path, std::string_view message);

// Parses a whole body; an empty or malformed body is an error with the byte offset.
Result<nlohmann::json> ParseJsonBody(std::string_view body);

// kInvalidArgument naming the first key of `object` (at `path`) not in `allowed`.
Status CheckKnownFields(const nlohmann::json& object, std::string_view path,
                        std::initializer_list<std::string_view> allowed);
// kInvalidArgument when `value` (at `path`) is not a JSON object.
Status CheckObject(const nlohmann::json& value, std::string_view path);

// Optional fields of `object` at `path`: nullopt when absent (or null); an error when present with
// the wrong type or outside [min, max].
Result<std::optional<double>> OptionalNumber(const nlohmann::json& object, std::string_view path,
                                             std::string_view key, double min, double max);
Result<std::optional<int64_t>> OptionalInteger(const nlohmann::json& object, std::string_view path,
                                               std::string_view key, int64_t min, int64_t max);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  std::string_view path, std::string_view key,
                                                  size_t max_length);
// An RFC 3339 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ".
Result<std::optional<TimePoint>> OptionalTimestamp(const nlohmann::json& object,
                                                   std::string_view path, std::string_view key);
// The same for text from a query string or a flag: "2026-12-07T10:00:00Z".
Result<TimePoint> ParseUtcTimestamp(std::string_view text, std::string_view path);

}  // namespace rigshift::server
