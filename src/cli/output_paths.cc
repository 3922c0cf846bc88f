#include "cli/output_paths.h"

#include <filesystem>
#include <system_error>

namespace rigshift::cli {

namespace {

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::exists(a, ec) && std::filesystem::exists(b, ec)) {
    const bool same = std::filesystem::equivalent(a, b, ec);
    if (!ec) return same;
  }
  const auto ca = std::filesystem::weakly_canonical(a, ec);
  if (ec) return a == b;
  const auto cb = std::filesystem::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

}  // namespace

void AppendMarketInputs(const std::vector<std::string>& prices,
                        const std::vector<std::string>& hashprice, std::vector<NamedPath>* inputs) {
  for (const auto& p : prices) {
    const auto eq = p.find('=');
    if (eq != std::string::npos) inputs->push_back({"--prices", p.substr(eq + 1)});
  }
  for (const auto& h : hashprice) inputs->push_back({"--hashprice", h});
}

Status CheckOutputPaths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (out.path.empty()) continue;
    for (const NamedPath& in : inputs) {
      if (!in.path.empty() && SameFile(out.path, in.path)) {
        return Status::InvalidArgument(out.flag + " " + out.path +
                                       ": is the same file as the input " + in.flag + " " +
                                       in.path + "; writing it would destroy the input");
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && SameFile(out.path, outputs[j].path)) {
        return Status::InvalidArgument(out.flag + " " + out.path + ": is the same file as " +
                                       outputs[j].flag + " " + outputs[j].path +
                                       "; give each output its own file");
      }
    }
  }
  return Status::Ok();
}

Status CheckDataDir(const std::string& flag, const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound(flag + " " + dir + ": not a directory");
  }
  if (!std::filesystem::is_directory(dir + "/markets", ec) &&
      !std::filesystem::is_directory(dir + "/traces", ec)) {
    return Status::NotFound(flag + " " + dir +
                            ": holds neither markets/ nor traces/ (expected the ../shared/data "
                            "layout)");
  }
  return Status::Ok();
}

}  // namespace rigshift::cli
