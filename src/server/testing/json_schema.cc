#include "server/testing/json_schema.h"

#include <cmath>

namespace rigshift::server::testing {

using nlohmann::json;

namespace {

bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double d = value.get<double>();
    return std::isfinite(d) && d == std::floor(d);
  }
  return false;
}

class Checker {
 public:
  explicit Checker(const json& document) : document_(document) {}

  void Check(const json& value, const json& schema, const std::string& path) {
    if (!schema.is_object()) {
      Fail(path, "schema is not an object");
      return;
    }
    for (const auto& [key, rule] : schema.items()) CheckKeyword(value, schema, key, rule, path);
  }

  std::vector<std::string> errors;

 private:
  void Fail(const std::string& path, const std::string& what) {
    errors.push_back(path + ": " + what);
  }

  void CheckKeyword(const json& value, const json& schema, const std::string& key, const json& rule,
                    const std::string& path) {
    if (key == "description" || key == "format" || key == "default") return;
    if (key == "$ref") {
      const std::string prefix = "#/components/schemas/";
      const std::string ref = rule.get<std::string>();
      if (ref.rfind(prefix, 0) != 0 ||
          !document_["components"]["schemas"].contains(ref.substr(prefix.size()))) {
        Fail(path, "unresolved $ref " + ref);
        return;
      }
      if (++depth_ > 64) {
        Fail(path, "$ref nesting too deep");
      } else {
        Check(value, document_["components"]["schemas"][ref.substr(prefix.size())], path);
      }
      --depth_;
    } else if (key == "type") {
      bool ok = false;
      if (rule.is_string()) ok = HasType(value, rule.get<std::string>());
      for (const json& t : rule.is_array() ? rule : json::array())
        ok = ok || HasType(value, t.get<std::string>());
      if (!ok) Fail(path, "expected type " + rule.dump() + ", got " + value.type_name());
    } else if (key == "enum") {
      bool ok = false;
      for (const json& e : rule) ok = ok || e == value;
      if (!ok) Fail(path, value.dump() + " is not one of " + rule.dump());
    } else if (key == "required") {
      if (!value.is_object()) return;
      for (const json& name : rule) {
        if (!value.contains(name.get<std::string>()))
          Fail(path, "missing " + name.get<std::string>());
      }
    } else if (key == "properties") {
      if (!value.is_object()) return;
      for (const auto& [name, sub] : rule.items()) {
        if (value.contains(name)) Check(value[name], sub, path + "." + name);
      }
    } else if (key == "additionalProperties") {
      if (!value.is_object()) return;
      const json& props = schema.contains("properties") ? schema["properties"] : json::object();
      for (const auto& [name, sub] : value.items()) {
        if (props.contains(name)) continue;
        if (rule.is_boolean()) {
          if (!rule.get<bool>()) Fail(path, "unexpected property " + name);
        } else {
          Check(sub, rule, path + "." + name);
        }
      }
    } else if (key == "items") {
      if (!value.is_array()) return;
      for (size_t i = 0; i < value.size(); ++i)
        Check(value[i], rule, path + "[" + std::to_string(i) + "]");
    } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum") {
      if (!value.is_number()) return;
      const double v = value.get<double>();
      const double bound = rule.get<double>();
      const bool ok = key == "minimum" ? v >= bound : key == "maximum" ? v <= bound : v > bound;
      if (!ok) Fail(path, value.dump() + " breaks " + key + " " + rule.dump());
    } else if (key == "minItems" || key == "maxItems") {
      if (!value.is_array()) return;
      const size_t bound = rule.get<size_t>();
      if (key == "minItems" ? value.size() < bound : value.size() > bound) {
        Fail(path, std::to_string(value.size()) + " items breaks " + key + " " + rule.dump());
      }
    } else if (key == "maxLength") {
      if (value.is_string() && value.get<std::string>().size() > rule.get<size_t>()) {
        Fail(path, "longer than " + rule.dump());
      }
    } else {
      Fail(path, "unsupported schema keyword '" + key + "'");
    }
  }

  const json& document_;
  int depth_ = 0;
};

}  // namespace

std::vector<std::string> ValidateJson(const json& value, const json& schema, const json& document) {
  Checker checker(document);
  checker.Check(value, schema, "$");
  return checker.errors;
}

}  // namespace rigshift::server::testing
