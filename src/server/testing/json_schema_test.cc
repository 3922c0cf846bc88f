#include "server/testing/json_schema.h"

#include <gtest/gtest.h>

namespace rigshift::server::testing {
namespace {

using nlohmann::json;

const json kDoc = json::parse(R"({
  "components": {"schemas": {
    "Item": {"type": "object", "required": ["id"], "additionalProperties": false,
             "properties": {"id": {"type": "integer", "minimum": 1},
                            "tag": {"type": ["string", "null"], "enum": ["a", "b", null]}}},
    "List": {"type": "object", "properties": {"items": {"type": "array", "maxItems": 2,
                                                         "items": {"$ref": "#/components/schemas/Item"}}}}
  }}})");

std::vector<std::string> Check(const json& value, const std::string& name) {
  return ValidateJson(value, kDoc["components"]["schemas"][name], kDoc);
}

TEST(JsonSchemaTest, AcceptsConformingValues) {
  EXPECT_TRUE(
      Check(json::parse(R"({"items": [{"id": 1, "tag": "a"}, {"id": 2.0, "tag": null}]})"), "List")
          .empty());
}

// Each keyword catches its own violation, with the path to it.
TEST(JsonSchemaTest, ReportsEachViolation) {
  EXPECT_EQ(Check(json::parse(R"({"items": [{"tag": "a"}]})"), "List"),
            std::vector<std::string>{"$.items[0]: missing id"});
  EXPECT_EQ(Check(json::parse(R"({"id": 0})"), "Item"),
            std::vector<std::string>{"$.id: 0 breaks minimum 1"});
  EXPECT_EQ(Check(json::parse(R"({"id": 1.5})"), "Item").size(), 1u);
  EXPECT_EQ(Check(json::parse(R"({"id": 1, "x": 1})"), "Item"),
            std::vector<std::string>{"$: unexpected property x"});
  EXPECT_EQ(Check(json::parse(R"({"id": 1, "tag": "c"})"), "Item").size(), 1u);
  EXPECT_EQ(Check(json::parse(R"({"id": 1, "tag": 3})"), "Item").size(), 2u);  // type and enum
  EXPECT_EQ(Check(json::parse(R"({"items": [{"id": 1}, {"id": 1}, {"id": 1}]})"), "List").size(),
            1u);
  EXPECT_EQ(Check(json::array(), "Item").size(), 1u);
}

TEST(JsonSchemaTest, UnknownKeywordsAndRefsAreErrors) {
  EXPECT_EQ(ValidateJson(1, json::parse(R"({"oneOf": []})"), kDoc),
            std::vector<std::string>{"$: unsupported schema keyword 'oneOf'"});
  EXPECT_EQ(ValidateJson(1, json::parse(R"({"$ref": "#/components/schemas/Nope"})"), kDoc).size(),
            1u);
}

}  // namespace
}  // namespace rigshift::server::testing
