#include "server/request_json.h"

#include <cmath>
#include <vector>

namespace rigshift::server {

using nlohmann::json;

std::string FieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string path(parent);
  path += '.';
  path += key;
  return path;
}

Status FieldError(std::string_view path, std::string_view message) {
  if (path.empty()) return Status::InvalidArgument(std::string(message));
  std::string text(path);
  text += ": ";
  text += message;
  return Status::InvalidArgument(std::move(text));
}

namespace {

// Where the parser is, so that a syntax error inside a value ("gpus": NaN) names its field.
class PathTracker {
 public:
  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back({false, "", 0});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back({true, "", 0});
        break;
      case json::parse_event_t::key:
        frames_.back().key = parsed.get<std::string>();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        ValueDone();
        break;
      case json::parse_event_t::value:
        ValueDone();
        break;
    }
    return true;
  }

  std::string Path() const {
    std::string path;
    for (const Frame& f : frames_) {
      if (f.array) {
        path += "[" + std::to_string(f.index) + "]";
      } else if (!f.key.empty()) {
        path = FieldPath(path, f.key);
      } else {
        break;
      }
    }
    return path;
  }

 private:
  struct Frame {
    bool array;
    std::string key;  // the member being read; "" between members
    size_t index;     // the element being read
  };
  void ValueDone() {
    if (frames_.empty()) return;
    if (frames_.back().array) {
      ++frames_.back().index;
    } else {
      frames_.back().key.clear();
    }
  }
  std::vector<Frame> frames_;
};

}  // namespace

Result<json> ParseJsonBody(std::string_view body) {
  if (body.empty()) return Status::InvalidArgument("the request body is empty (expected JSON)");
  PathTracker tracker;
  try {
    return json::parse(body.begin(), body.end(),
                       [&tracker](int /*depth*/, json::parse_event_t event, json& parsed) {
                         return tracker.OnEvent(event, parsed);
                       });
  } catch (const json::parse_error& e) {
    return FieldError(tracker.Path(),
                      "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const json::exception& e) {
    // Numbers beyond a double ("1e999") and similar.
    return FieldError(tracker.Path(), std::string("malformed JSON: ") + e.what());
  }
}

Status CheckObject(const json& value, std::string_view path) {
  if (value.is_object()) return Status::Ok();
  return FieldError(path, std::string("expected a JSON object, got ") + value.type_name());
}

Status CheckKnownFields(const json& object, std::string_view path,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) return FieldError(FieldPath(path, key), "unknown field");
  }
  return Status::Ok();
}

namespace {

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string RangeText(double min, double max) {
  json range = {min, max};
  return "from " + range[0].dump() + " to " + range[1].dump();
}

}  // namespace

Result<std::optional<double>> OptionalNumber(const json& object, std::string_view path,
                                             std::string_view key, double min, double max) {
  const json* v = Find(object, key);
  if (v == nullptr) return std::optional<double>();
  const std::string field = FieldPath(path, key);
  if (!v->is_number()) {
    return FieldError(field, std::string("expected a number, got ") + v->type_name());
  }
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    return FieldError(field, "must be a number " + RangeText(min, max) + ", got " + v->dump());
  }
  return std::optional<double>(d);
}

Result<std::optional<int64_t>> OptionalInteger(const json& object, std::string_view path,
                                               std::string_view key, int64_t min, int64_t max) {
  const json* v = Find(object, key);
  if (v == nullptr) return std::optional<int64_t>();
  const std::string field = FieldPath(path, key);
  const std::string expected = "must be an integer from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got " + v->dump();
  if (v->is_number_integer()) {
    // Compare in the JSON's own signedness before any narrowing.
    if (v->is_number_unsigned()) {
      const uint64_t u = v->get<uint64_t>();
      if (max < 0 || u > static_cast<uint64_t>(max)) return FieldError(field, expected);
      return std::optional<int64_t>(static_cast<int64_t>(u));
    }
    const int64_t i = v->get<int64_t>();
    if (i < min || i > max) return FieldError(field, expected);
    return std::optional<int64_t>(i);
  }
  if (v->is_number_float()) {
    // 4.0 is accepted as 4; the range check comes first so the conversion is defined.
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < static_cast<double>(min) || d > static_cast<double>(max) ||
        d != std::floor(d)) {
      return FieldError(field, expected);
    }
    return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return FieldError(field, std::string("expected an integer, got ") + v->type_name());
}

Result<std::optional<std::string>> OptionalString(const json& object, std::string_view path,
                                                  std::string_view key, size_t max_length) {
  const json* v = Find(object, key);
  if (v == nullptr) return std::optional<std::string>();
  const std::string field = FieldPath(path, key);
  if (!v->is_string()) {
    return FieldError(field, std::string("expected a string, got ") + v->type_name());
  }
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() > max_length) {
    return FieldError(field, "longer than " + std::to_string(max_length) + " bytes");
  }
  return std::optional<std::string>(s);
}

Result<TimePoint> ParseUtcTimestamp(std::string_view text, std::string_view path) {
  const std::string expected = "expected an RFC 3339 UTC time like 2026-12-07T10:00:00Z, got '" +
                               std::string(text.substr(0, 64)) + "'";
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') {
    return FieldError(path, expected);
  }
  Result<TimePoint> t = ParseTimestamp(text);
  if (!t.ok()) return FieldError(path, expected + " (" + t.status().message() + ")");
  return *t;
}

Result<std::optional<TimePoint>> OptionalTimestamp(const json& object, std::string_view path,
                                                   std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(object, path, key, 64));
  if (!text) return std::optional<TimePoint>();
  ASSIGN_OR_RETURN(TimePoint t, ParseUtcTimestamp(*text, FieldPath(path, key)));
  return std::optional<TimePoint>(t);
}

}  // namespace rigshift::server
