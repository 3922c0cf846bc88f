// Hostile and careless input against the `rigshift` binary, as data: tests/hostile/cases.txt holds
// one block per case,
//
//   == NAME                 starts a case (names are unique)
//   # text                  why the case exists (ignored)
//   needs: data             skipped when the reference data are absent
//   setup: SHELL            run first in the case's scratch folder (repeatable)
//   env: NAME=VALUE         set for the run (repeatable)
//   run: ARGS               the rigshift command line (shell words; may redirect)
//   exit: N                 the exit status it must give
//   stderr: TEXT            stderr contains TEXT (repeatable)
//   stdout: TEXT            stdout contains TEXT (repeatable)
//   check: SHELL            a shell check after the run that must succeed (repeatable)
//
// In every line {in} is tests/hostile/inputs, {ex} examples/, {tmp} the case's scratch folder
// (the working directory of every command) and {data} the reference data. Whatever the case, the
// run must finish within the time limit, end with an exit status the CLI documents (0..3, never a
// signal), and print no sanitizer report or "internal error". So each case asserts an outcome
// class: a located error (exit 1..3 and its message) or a correct result (exit 0 and its output).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"

namespace {

namespace fs = std::filesystem;

struct HostileCase {
  std::string name;
  int line = 0;
  bool needs_data = false;
  std::vector<std::string> setup;
  std::vector<std::string> env;
  std::string run;
  int exit = -1;
  std::vector<std::string> stderr_has;
  std::vector<std::string> stdout_has;
  std::vector<std::string> checks;
};

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

std::string SourceDir() { return RIGSHIFT_SOURCE_DIR; }
std::string CasesFile() { return SourceDir() + "/tests/hostile/cases.txt"; }

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env != nullptr && *env != '\0' ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

std::vector<HostileCase> LoadCases() {
  std::vector<HostileCase> cases;
  auto text = rigshift::ReadFileToString(CasesFile());
  if (!text.ok()) return cases;
  int line_no = 0;
  for (const std::string& raw : rigshift::Split(*text, '\n')) {
    ++line_no;
    const std::string line(rigshift::Trim(raw));
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("== ", 0) == 0) {
      HostileCase c;
      c.name = line.substr(3);
      c.line = line_no;
      cases.push_back(std::move(c));
      continue;
    }
    if (cases.empty()) continue;
    HostileCase& c = cases.back();
    const auto colon = line.find(':');
    const std::string key = line.substr(0, colon);
    const std::string value =
        colon == std::string::npos ? "" : std::string(rigshift::Trim(line.substr(colon + 1)));
    if (key == "needs") {
      c.needs_data = value == "data";
    } else if (key == "setup") {
      c.setup.push_back(value);
    } else if (key == "env") {
      c.env.push_back(value);
    } else if (key == "run") {
      c.run = value;
    } else if (key == "exit") {
      c.exit = std::atoi(value.c_str());
    } else if (key == "stderr") {
      c.stderr_has.push_back(value);
    } else if (key == "stdout") {
      c.stdout_has.push_back(value);
    } else if (key == "check") {
      c.checks.push_back(value);
    } else {
      c.run = "";  // an unknown key fails the case below
      c.exit = -2;
    }
  }
  return cases;
}

const std::vector<HostileCase>& Cases() {
  static const std::vector<HostileCase> cases = LoadCases();
  return cases;
}

std::string Substitute(std::string s, const std::string& tmp) {
  const std::map<std::string, std::string> vars = {{"{in}", SourceDir() + "/tests/hostile/inputs"},
                                                   {"{ex}", SourceDir() + "/examples"},
                                                   {"{tmp}", tmp},
                                                   {"{data}", SharedData()}};
  for (const auto& [k, v] : vars) {
    for (size_t at = s.find(k); at != std::string::npos; at = s.find(k, at + v.size())) {
      s.replace(at, k.size(), v);
    }
  }
  return s;
}

// Runs `command` under sh in `dir`; returns the exit status, or 128 + signal.
int Shell(const std::string& command, const std::string& dir) {
  const std::string full = "cd '" + dir + "' && " + command;
  const int status = std::system(full.c_str());
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string ReadOrEmpty(const std::string& path) {
  auto t = rigshift::ReadFileToString(path);
  return t.ok() ? *t : "";
}

class HostileCliTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileCliTest, GivesItsOutcomeClass) {
  const HostileCase& c = GetParam();
  ASSERT_FALSE(c.run.empty()) << CasesFile() << ":" << c.line << ": case without a valid run line";
  ASSERT_GE(c.exit, 0) << CasesFile() << ":" << c.line << ": case without a valid exit line";
  ASSERT_TRUE(c.exit != 0 || !c.stdout_has.empty() || !c.checks.empty())
      << c.name << ": a correct result must state what it prints or writes";
  ASSERT_TRUE(c.exit == 0 || !c.stderr_has.empty()) << c.name << ": an error must state its message";
  if (c.needs_data && !fs::exists(SharedData() + "/markets")) {
    GTEST_SKIP() << "no reference data at " << SharedData();
  }
  const fs::path tmp = fs::temp_directory_path() /
                       ("rigshift_hostile_" + std::to_string(::getpid()) + "_" + c.name);
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  for (const std::string& s : c.setup) {
    ASSERT_EQ(Shell(Substitute(s, tmp.string()), tmp.string()), 0) << c.name << ": setup failed: " << s;
  }
  // No inherited data directory: each case names what it reads. timeout: a hang is a failure.
  std::string env = "env -u RIGSHIFT_SHARED_DATA RIGSHIFT_PROGRESS=0";
  for (const std::string& e : c.env) env += " '" + Substitute(e, tmp.string()) + "'";
  // The run's own redirections come after the capture, so that they win (">/dev/full").
  const std::string command = env + " timeout 120 " + std::string(RIGSHIFT_BINARY) + " >" +
                              (tmp / ".stdout").string() + " 2>" + (tmp / ".stderr").string() + " " +
                              Substitute(c.run, tmp.string());
  const int code = Shell(command, tmp.string());
  const std::string out = ReadOrEmpty((tmp / ".stdout").string());
  const std::string err = ReadOrEmpty((tmp / ".stderr").string());
  EXPECT_NE(code, 124) << c.name << ": timed out";
  EXPECT_TRUE(code >= 0 && code <= 3) << c.name << ": exit " << code << " (a signal or an undocumented status)\n"
                                      << err;
  EXPECT_EQ(code, c.exit) << c.name << " (" << CasesFile() << ":" << c.line << ")\nstderr: " << err
                          << "\nstdout: " << out.substr(0, 2000);
  for (const char* bad : {"internal error", "runtime error", "AddressSanitizer", "LeakSanitizer", "RS_CHECK"}) {
    EXPECT_EQ(err.find(bad), std::string::npos) << c.name << ": " << bad << "\n" << err;
  }
  for (const std::string& t : c.stderr_has) {
    EXPECT_NE(err.find(Substitute(t, tmp.string())), std::string::npos)
        << c.name << ": stderr lacks '" << t << "'\nstderr: " << err;
  }
  for (const std::string& t : c.stdout_has) {
    EXPECT_NE(out.find(Substitute(t, tmp.string())), std::string::npos)
        << c.name << ": stdout lacks '" << t << "'\nstdout: " << out.substr(0, 4000);
  }
  for (const std::string& s : c.checks) {
    EXPECT_EQ(Shell(Substitute(s, tmp.string()), tmp.string()), 0) << c.name << ": check failed: " << s;
  }
  if (!::testing::Test::HasFailure()) fs::remove_all(tmp);
}

TEST(HostileCases, NamesAreUniqueAndThereAreEnough) {
  std::set<std::string> names;
  for (const auto& c : Cases()) EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
  EXPECT_GE(Cases().size(), 150u) << CasesFile();
}

std::string CaseName(const ::testing::TestParamInfo<HostileCase>& info) {
  std::string n = info.param.name;
  std::replace_if(n.begin(), n.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, HostileCliTest, ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
