#include "core/text.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rigshift {
namespace {

TEST(TextTest, StrictNumbers) {
  EXPECT_DOUBLE_EQ(*ParseDouble(" 12.5 "), 12.5);
  EXPECT_FALSE(ParseDouble("12.5x").ok());
  EXPECT_FALSE(ParseDouble("").ok());
  EXPECT_FALSE(ParseDouble("nan").ok());
  EXPECT_EQ(*ParseInt64("-42"), -42);
  EXPECT_FALSE(ParseInt64("4.2").ok());
  EXPECT_FALSE(ParseInt64("99999999999999999999").ok());
}

TEST(TextTest, CsvQuotesAndLines) {
  auto rows = ParseCsv("\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"multi\nline\"\n\n3,4\n", "t.csv");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].fields[0], "x, y");
  EXPECT_EQ((*rows)[1].fields[1], "multi\nline");
  EXPECT_EQ((*rows)[2].line, 5);
}

TEST(TextTest, CsvUnterminatedQuoteNamesLine) {
  auto rows = ParseCsv("a,b\n1,\"oops\n", "t.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(), "t.csv:2: unterminated quoted field");
}

TEST(TextTest, Suggestions) {
  std::vector<std::string> names = {"GeForce RTX 3090", "GeForce RTX 3080", "Antminer S19"};
  auto s = ClosestNames("RTX 3090", names);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "GeForce RTX 3090");
}


std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))).string();
}

// Only regular files are read: a device, a directory or a FIFO is refused by name before reading
// (a FIFO without a writer would otherwise block forever, /dev/zero never ends).
TEST(ReadFileTest, RefusesWhatIsNotARegularFile) {
  auto dev = ReadFileToString("/dev/zero");
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.status().message().find("/dev/zero: is a character device"), std::string::npos);
  auto dir = ReadFileToString(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
  const std::string fifo = TempPath("rigshift_fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = ReadFileToString(fifo);
  std::filesystem::remove(fifo);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("is a FIFO"), std::string::npos);
  EXPECT_EQ(ReadFileToString("/nonexistent/x").status().code(), StatusCode::kIoError);
}

// The size is checked before reading; a file of exactly the limit is read whole.
TEST(ReadFileTest, SizeLimitIsCheckedBeforeReading) {
  const std::string path = TempPath("rigshift_limit");
  { std::ofstream(path) << "0123456789"; }
  auto exact = ReadFileToString(path, 10);
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  EXPECT_EQ(*exact, "0123456789");
  auto over = ReadFileToString(path, 9);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(over.status().message().find("file of 10 bytes is over the 9-byte input limit"), std::string::npos)
      << over.status().message();
  { std::ofstream(path, std::ios::trunc); }
  auto empty = ReadFileToString(path, 9);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rigshift
