// src/server/openapi.json as it was at build time, embedded by src/catalog/embed_csv.cmake
// (generated openapi_embedded.cc in the build tree). Served at GET /v1/openapi.json.
#pragma once

#include <string_view>

namespace rigshift::server::embedded {

extern const std::string_view kOpenApiJson;

}  // namespace rigshift::server::embedded
