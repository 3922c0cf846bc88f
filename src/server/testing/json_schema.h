// A JSON Schema checker for the subset src/server/openapi.json uses, so that tests can hold the
// API's responses to its document. Checked: $ref ("#/components/schemas/NAME" in the document),
// type (a name or a list, "integer" being a number without a fraction), enum, required,
// properties, additionalProperties (false or a schema), items, minimum, maximum,
// exclusiveMinimum, minItems, maxItems, maxLength. Annotations (description, format, default)
// are skipped; any other keyword is reported as unsupported, so that the document cannot
// silently outgrow the checker.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rigshift::server::testing {

// Every way `value` breaks `schema`, each "PATH: what" (PATH "$" for the root); empty when it
// conforms. `document` resolves $refs.
std::vector<std::string> ValidateJson(const nlohmann::json& value, const nlohmann::json& schema,
                                      const nlohmann::json& document);

}  // namespace rigshift::server::testing
