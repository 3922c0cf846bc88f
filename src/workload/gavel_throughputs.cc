#include "workload/gavel_throughputs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace rigshift::workload {
namespace {

using nlohmann::json;

std::string TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "the number " + v.dump();
    default:
      return "a binary value";
  }
}

// A JSON path component: bare when it is an identifier, else double-quoted (JSON escapes).
std::string PathPart(const std::string& key) {
  bool bare = !key.empty();
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) bare = false;
  }
  return bare ? key : json(key).dump();
}

// 1-based line and column of a byte offset.
std::pair<int, int> LineColumn(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  int line = 1, col = 1;
  for (size_t i = 0; i < byte; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace

std::optional<std::pair<std::string, int32_t>> ParseGavelJobKey(std::string_view key) {
  std::string_view k = Trim(key);
  if (k.size() < 2 || k.front() != '(' || k.back() != ')') return std::nullopt;
  k = k.substr(1, k.size() - 2);
  k = Trim(k);
  if (k.empty() || (k.front() != '\'' && k.front() != '"')) return std::nullopt;
  const char quote = k.front();
  std::string name;
  size_t i = 1;
  bool closed = false;
  for (; i < k.size(); ++i) {
    char c = k[i];
    if (c == '\\') {
      if (i + 1 >= k.size()) return std::nullopt;
      name += k[++i];
    } else if (c == quote) {
      closed = true;
      ++i;
      break;
    } else {
      name += c;
    }
  }
  if (!closed || name.empty()) return std::nullopt;
  std::string_view rest = Trim(k.substr(i));
  if (rest.empty() || rest.front() != ',') return std::nullopt;
  rest = Trim(rest.substr(1));
  auto scale = ParseInt64(rest);
  if (!scale.ok() || *scale < 1 || *scale > (int64_t{1} << 30)) return std::nullopt;
  return std::make_pair(std::move(name), static_cast<int32_t>(*scale));
}

Result<GavelThroughputs> GavelThroughputs::Parse(std::string_view json_text,
                                                 const std::string& source) {
  if (json_text.size() > kMaxGavelThroughputBytes) {
    return Status::OutOfRange(source + ": file is " + std::to_string(json_text.size()) +
                              " bytes; the limit is " + std::to_string(kMaxGavelThroughputBytes));
  }
  json root;
  try {
    root = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    auto [line, col] = LineColumn(json_text, e.byte > 0 ? e.byte - 1 : 0);
    return Status::InvalidArgument(Location(source, line, col) +
                                   ": JSON syntax error: " + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(source + ": cannot parse JSON: " + e.what());
  }
  if (!root.is_object()) {
    return Status::InvalidArgument(source +
                                   ": $: expected an object of GPU types (\"k80\", "
                                   "\"p100\", \"v100\"), found " +
                                   TypeName(root));
  }
  if (root.empty()) {
    return Status::InvalidArgument(source + ": $: no GPU types");
  }
  GavelThroughputs out;
  for (const auto& [gpu_type, jobs] : root.items()) {
    const std::string gpu_path = PathPart(gpu_type);
    if (Trim(gpu_type).empty()) {
      return Status::InvalidArgument(source + ": " + gpu_path + ": empty GPU type name");
    }
    if (!jobs.is_object()) {
      return Status::InvalidArgument(source + ": " + gpu_path +
                                     ": expected an object of job types, found " + TypeName(jobs));
    }
    const std::string gpu_key = ToLower(gpu_type);
    for (const auto& [job_key, entry] : jobs.items()) {
      const std::string path = gpu_path + "." + PathPart(job_key);
      auto parsed = ParseGavelJobKey(job_key);
      if (!parsed) {
        return Status::InvalidArgument(
            source + ": " + path +
            ": expected a key like \"('ResNet-18 (batch size 128)', 1)\" (job type, GPU count "
            ">= 1)");
      }
      if (!entry.is_object()) {
        return Status::InvalidArgument(
            source + ": " + path + ": expected an object with \"null\", found " + TypeName(entry));
      }
      auto it = entry.find("null");
      if (it == entry.end()) {
        return Status::InvalidArgument(source + ": " + path +
                                       ": missing \"null\" (steps/s of the job running alone)");
      }
      if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0) {
        return Status::InvalidArgument(source + ": " + path +
                                       ".null: expected a number >= 0 (steps/s), found " +
                                       TypeName(*it));
      }
      out.table_[{gpu_key, parsed->first, parsed->second}] = it->get<double>();
    }
  }
  return out;
}

Result<GavelThroughputs> GavelThroughputs::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, kMaxGavelThroughputBytes));
  return Parse(text, path);
}

std::optional<double> GavelThroughputs::Find(std::string_view job_type, int32_t scale_factor,
                                             std::string_view gpu_type) const {
  auto it = table_.find(std::make_tuple(ToLower(gpu_type), std::string(job_type), scale_factor));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> GavelThroughputs::GpuTypes() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : table_) {
    if (out.empty() || out.back() != std::get<0>(key)) out.push_back(std::get<0>(key));
  }
  return out;
}

std::vector<std::pair<std::string, int32_t>> GavelThroughputs::JobTypes(
    std::string_view gpu_type) const {
  std::vector<std::pair<std::string, int32_t>> out;
  const std::string g = ToLower(gpu_type);
  for (const auto& [key, value] : table_) {
    if (std::get<0>(key) == g) out.emplace_back(std::get<1>(key), std::get<2>(key));
  }
  return out;
}

StepThroughputs GavelThroughputs::ToStepThroughputs() const {
  StepThroughputs out;
  for (const auto& [key, value] : table_) {
    const std::string& gpu = std::get<0>(key);
    GpuClass cls = gpu == "k80"    ? GpuClass::kK80
                   : gpu == "p100" ? GpuClass::kP100
                   : gpu == "v100" ? GpuClass::kV100
                                   : GpuClass::kUnmeasured;
    if (cls == GpuClass::kUnmeasured) continue;
    out.steps_per_second[{std::get<1>(key), std::get<2>(key), cls}] = value;
  }
  return out;
}

}  // namespace rigshift::workload
