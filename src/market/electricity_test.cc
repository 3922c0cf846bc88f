#include "market/electricity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "market/test_data_dir.h"

namespace rigshift::market {
namespace {

TimePoint T(const char* text) { return *ParseTimestamp(text); }

// ERCOT writes local time with its offset; the loader puts it on the UTC grid.
TEST(ElectricityTest, ConvertsOffsetsToUtc) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2021-01-01 00:00:00-06:00,18.26\n"
      "2021-01-01 01:00:00-06:00,17.65\n",
      "ercot.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series.start, T("2021-01-01 06:00:00"));
  EXPECT_EQ(r->series.step, kHour);
  ASSERT_EQ(r->series.values.size(), 2u);
  EXPECT_EQ(r->series.values[0], UsdPerMwh(18.26));
  EXPECT_EQ(r->series.values[1], UsdPerMwh(17.65));
  EXPECT_EQ(r->repairs.gaps_filled, 0);
}

// The spring-forward day in local-offset form has no gap and no duplicate in UTC.
TEST(ElectricityTest, SpringForwardWithOffsetsIsContinuous) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2021-03-14 00:00:00-06:00,17.7\n"
      "2021-03-14 01:00:00-06:00,15.09\n"
      "2021-03-14 03:00:00-05:00,13.92\n",
      "ercot.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series.values.size(), 3u);
  EXPECT_EQ(r->repairs.gaps_filled, 0);
  EXPECT_EQ(r->repairs.duplicates_averaged, 0);
}

// A file in naive local time repeats the fall-back hour: the two rows are averaged.
TEST(ElectricityTest, DuplicateDstHourIsAveraged) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2021-11-07 00:00:00,26.18\n"
      "2021-11-07 01:00:00,20.00\n"
      "2021-11-07 01:00:00,30.00\n"
      "2021-11-07 02:00:00,26.24\n",
      "naive_local.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.values.size(), 3u);
  EXPECT_EQ(r->series.values[1], UsdPerMwh(25.0));
  EXPECT_EQ(r->repairs.duplicates_averaged, 1);
}

// A repeated hour written after the next one (back by exactly one hour) is still accepted.
TEST(ElectricityTest, GoingBackOneHourIsADstRepeat) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2021-11-07 01:00:00,20\n"
      "2021-11-07 02:00:00,40\n"
      "2021-11-07 01:00:00,30\n"
      "2021-11-07 03:00:00,50\n",
      "x.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.values.size(), 3u);
  EXPECT_EQ(r->series.values[0], UsdPerMwh(25.0));
  EXPECT_EQ(r->series.values[1], UsdPerMwh(40.0));
}

// Missing hours are filled with the previous value, counted and marked.
TEST(ElectricityTest, GapsAreCarriedAndMarked) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2022-01-01 00:00:00,10\n"
      "2022-01-01 03:00:00,40\n",
      "gap.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.values.size(), 4u);
  EXPECT_EQ(r->series.values[1], UsdPerMwh(10));
  EXPECT_EQ(r->series.values[2], UsdPerMwh(10));
  EXPECT_EQ(r->repairs.gaps_filled, 2);
  EXPECT_EQ(r->filled, (std::vector<bool>{false, true, true, false}));
  EXPECT_DOUBLE_EQ(MeanUsdPerMwh(r->series, r->filled), 25.0);
  EXPECT_DOUBLE_EQ(MeanUsdPerMwh(r->series, {}), 17.5);
}

// Negative prices and spikes are real: kept as they are and counted.
TEST(ElectricityTest, NegativePricesAndSpikesAreKept) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2021-02-17 00:00:00-06:00,8995.26\n"
      "2021-02-17 01:00:00-06:00,-2.85\n"
      "2021-02-17 02:00:00-06:00,1000\n",
      "x.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series.values[0], UsdPerMwh(8995.26));
  EXPECT_EQ(r->series.values[1], UsdPerMwh(-2.85));
  EXPECT_EQ(r->repairs.spikes, 1);  // 1000 itself is not above the threshold
  EXPECT_EQ(r->repairs.negative_values, 1);
}

// Sub-hourly rows fall into their UTC hour and are averaged.
TEST(ElectricityTest, SubHourlyRowsAreAveragedIntoTheHour) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2023-06-01 10:00:00Z,10\n"
      "2023-06-01 10:30:00Z,30\n"
      "2023-06-01 11:00:00Z,50\n",
      "x.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.values.size(), 2u);
  EXPECT_EQ(r->series.values[0], UsdPerMwh(20));
}

// Merging files: overlapping hours keep the first file's value; the gap between files is filled.
TEST(ElectricityTest, MergeKeepsFirstFileOnOverlapAndFillsGaps) {
  auto a = ParseElectricityRows(
      "Datetime,Price (USD/MWh)\n2021-01-01 00:00:00,1\n2021-01-01 01:00:00,2\n", "a.csv");
  auto b = ParseElectricityRows(
      "Datetime,Price (USD/MWh)\n2021-01-01 01:00:00,99\n2021-01-01 04:00:00,5\n", "b.csv");
  ASSERT_TRUE(a.ok() && b.ok());
  auto m = MergeHourlyPrices({*a, *b}, "ab");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->series.name, "ab");
  ASSERT_EQ(m->series.values.size(), 5u);
  EXPECT_EQ(m->series.values[1], UsdPerMwh(2));
  EXPECT_EQ(m->repairs.overlapping_hours, 1);
  EXPECT_EQ(m->repairs.gaps_filled, 2);
  EXPECT_EQ(m->sources, (std::vector<std::string>{"a.csv", "b.csv"}));
}

TEST(ElectricityTest, MonthlyMeansSkipFilledHours) {
  auto r = ParseElectricityCsv(
      "Datetime,Price (USD/MWh)\n"
      "2022-01-31 23:00:00,10\n"
      "2022-02-01 00:00:00,20\n"
      "2022-02-01 02:00:00,40\n",
      "x.csv");
  ASSERT_TRUE(r.ok());
  auto months = MonthlyMeans(r->series, r->filled);
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].month, 1);
  EXPECT_DOUBLE_EQ(months[0].mean_usd_per_mwh, 10);
  EXPECT_EQ(months[1].hours, 2);
  EXPECT_DOUBLE_EQ(months[1].mean_usd_per_mwh, 30);
}

TEST(ElectricityTest, RegistryKnowsTheFourSharedMarkets) {
  for (const char* name : {"ercot", "nyiso", "pjm", "CAISO"}) {
    auto m = FindElectricityMarket(name);
    ASSERT_TRUE(m.ok()) << name;
  }
  EXPECT_EQ(FindElectricityMarket("ercot")->file_prefix, "US-TEX-ERCO");
  EXPECT_EQ(ElectricityMarketDir("/d", *FindElectricityMarket("pjm")),
            "/d/markets/electricity/pjm_dom_rt_hourly");
  auto bad = FindElectricityMarket("miso");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("known: ercot, nyiso, pjm, caiso"), std::string::npos);
}

// Bad input -> the message names file:line, the column and what is wrong.
struct BadCase {
  const char* text;
  const char* expected;
};

TEST(ElectricityTest, BadInputsGiveLocatedMessages) {
  const std::vector<BadCase> cases = {
      {"", "bad.csv: empty file"},
      {"   \n\n", "bad.csv: empty file"},
      {"Datetime,Price (USD/MWh)\n", "bad.csv:1: no data rows after the header"},
      {"Date,Price (USD/MWh)\n2021-01-01 00:00,1\n",
       "bad.csv:1: header column 1: expected 'Datetime', found 'Date'"},
      {"Datetime,Cost\n2021-01-01 00:00,1\n",
       "bad.csv:1: header column 2: expected 'Price (USD/MWh)', found 'Cost'"},
      {"Datetime,Price (EUR/MWh)\n2021-01-01 00:00,1\n",
       "bad.csv:1: header column 2: unit 'eur/mwh' is not supported"},
      {"Datetime\n2021-01-01 00:00\n", "bad.csv:1: header: expected 2 columns"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,1\n2021-01-01 01:00,2,3\n",
       "bad.csv:3: expected 2 columns (Datetime, Price (USD/MWh)), found 3"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,1\n2021-01-01 01:00\n",
       "bad.csv:3: expected 2 columns (Datetime, Price (USD/MWh)), found 1"},
      {"Datetime,Price (USD/MWh)\n2021-13-01 00:00,1\n",
       "bad.csv:2: Datetime: bad timestamp '2021-13-01 00:00': no such date"},
      {"Datetime,Price (USD/MWh)\nyesterday,1\n", "bad.csv:2: Datetime: bad timestamp 'yesterday'"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00:00+25:00,1\n",
       "bad.csv:2: Datetime: bad timestamp '2021-01-01 00:00:00+25:00': UTC offset"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,abc\n",
       "bad.csv:2: Price (USD/MWh): 'abc' is not a number"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,\n",
       "bad.csv:2: Price (USD/MWh): empty value where a number was expected"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,1e300\n",
       "bad.csv:2: Price (USD/MWh): '1e300' is outside -1e6..1e6 USD/MWh"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,nan\n",
       "bad.csv:2: Price (USD/MWh): 'nan' is not finite"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 05:00,1\n2021-01-01 06:00,1\n2021-01-01 03:00,1\n",
       "bad.csv:4: Datetime: time goes backwards from 2021-01-01T06:00:00Z (line 3) to "
       "2021-01-01T03:00:00Z"},
      {"Datetime,Price (USD/MWh)\n2021-01-01 00:00,1\n9021-01-01 00:00,1\n",
       "bad.csv:3: Datetime: year 9021 is outside 1900..2199"},
      {"Datetime,Price (USD/MWh)\n1921-01-01 00:00,1\n2021-01-01 00:00,1\n",
       "bad.csv: time span from 1921-01-01T00:00:00Z to 2021-01-01T00:00:00Z is longer than 60 "
       "years"},
      {"Datetime,Price (USD/MWh)\n\"2021-01-01 00:00,1\n", "bad.csv:2: unterminated quoted field"},
  };
  for (const BadCase& c : cases) {
    auto r = ParseElectricityCsv(c.text, "bad.csv");
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << "input:\n"
        << c.text << "\nmessage: " << r.status().message() << "\nexpected: " << c.expected;
  }
}

TEST(ElectricityTest, MissingFilesAndYearsAreNamed) {
  auto r = LoadElectricityFiles({"/nonexistent/prices.csv"}, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/prices.csv: cannot open"), std::string::npos);
  auto d = LoadElectricityDir("/nonexistent-dir", 2021, 2021);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  auto is_dir = LoadElectricityFiles({"/tmp"}, "x");
  ASSERT_FALSE(is_dir.ok());
  EXPECT_NE(is_dir.status().message().find("/tmp: is a directory"), std::string::npos);
  auto order = LoadElectricityDir("/tmp", 2022, 2021);
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.status().message().find("first year is after the last"), std::string::npos);
}

// --- The shared data (../shared/data/markets/electricity) ---

struct YearFacts {
  const char* market;
  int year;
  size_t rows;         // hours in the file (measured once with a script; all distinct)
  double readme_mean;  // ../shared/data/README.md, "mean 2020..2024"
};

class SharedElectricityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveSharedMarkets())
      GTEST_SKIP() << "no shared data at " << testing::SharedDataDir();
  }
};

TEST_F(SharedElectricityTest, EveryYearOfEveryMarketLoads) {
  const std::vector<YearFacts> facts = {
      {"ercot", 2020, 8784, 21.8}, {"ercot", 2021, 8760, 145.6}, {"ercot", 2022, 8760, 64.3},
      {"ercot", 2023, 8760, 55.9}, {"ercot", 2024, 8784, 28.1},  {"nyiso", 2020, 8784, 21.3},
      {"nyiso", 2021, 8760, 44.6}, {"nyiso", 2022, 8760, 94.5},  {"nyiso", 2023, 8760, 36.4},
      {"nyiso", 2024, 8784, 38.2}, {"pjm", 2020, 8760, 21.9},    {"pjm", 2021, 8736, 42.7},
      {"pjm", 2022, 8736, 89.5},   {"pjm", 2023, 8736, 35.8},    {"pjm", 2024, 8760, 36.2},
      {"caiso", 2020, 8808, 32.2}, {"caiso", 2021, 8784, 52.3},  {"caiso", 2022, 8784, 89.0},
      {"caiso", 2023, 8784, 61.5}, {"caiso", 2024, 8808, 40.7},
  };
  for (const YearFacts& f : facts) {
    SCOPED_TRACE(std::string(f.market) + " " + std::to_string(f.year));
    auto r = LoadElectricityMarket(testing::SharedDataDir(), f.market, f.year, f.year);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->series.values.size(), f.rows);
    EXPECT_EQ(r->repairs.gaps_filled, 0);
    EXPECT_EQ(r->repairs.duplicates_averaged, 0);
    EXPECT_NEAR(MeanUsdPerMwh(r->series, r->filled), f.readme_mean, 0.5);
    EXPECT_EQ(r->series.name, f.market);
  }
}

// Winter Storm Uri: ERCOT day-ahead at 8995.26 USD/MWh for 2021-02-17 00:00 CST.
TEST_F(SharedElectricityTest, UriSpikeIsPresent) {
  auto r = LoadElectricityMarket(testing::SharedDataDir(), "ercot", 2021, 2021);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  TimePoint t = T("2021-02-17 00:00:00-06:00");
  ASSERT_TRUE(r->series.Covers(t));
  EXPECT_EQ(r->series.At(t), UsdPerMwh(8995.26));
  EXPECT_EQ(*std::max_element(r->series.values.begin(), r->series.values.end()),
            UsdPerMwh(8995.26));
  EXPECT_EQ(r->repairs.spikes, 160);  // hours above 1000 USD/MWh in 2021 (counted once by script)
  EXPECT_EQ(r->repairs.negative_values, 1);
}

// Whole 2020..2024 per market: the year seams are repaired as documented.
TEST_F(SharedElectricityTest, MultiYearSeams) {
  // PJM: the last UTC day of 2020..2023 is missing: 4 x 24 hours carried.
  auto pjm = LoadElectricityMarket(testing::SharedDataDir(), "pjm", 2020, 2024);
  ASSERT_TRUE(pjm.ok()) << pjm.status().ToString();
  EXPECT_EQ(pjm->repairs.gaps_filled, 4 * 24);
  EXPECT_EQ(pjm->repairs.overlapping_hours, 0);
  // CAISO: each yearly file starts at local midnight of Dec 31 in UTC, one day of overlap.
  auto caiso = LoadElectricityMarket(testing::SharedDataDir(), "caiso", 2020, 2024);
  ASSERT_TRUE(caiso.ok()) << caiso.status().ToString();
  EXPECT_EQ(caiso->repairs.overlapping_hours, 4 * 24);
  EXPECT_EQ(caiso->repairs.gaps_filled, 0);
  // ERCOT and NYISO are seamless.
  for (const char* m : {"ercot", "nyiso"}) {
    auto r = LoadElectricityMarket(testing::SharedDataDir(), m, 2020, 2024);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->repairs.gaps_filled, 0) << m;
    EXPECT_EQ(r->repairs.overlapping_hours, 0) << m;
    EXPECT_EQ(r->series.values.size(), 8784u + 3 * 8760u + 8784u) << m;
  }
  // The directory form finds the same files.
  auto dir = LoadElectricityDir(
      ElectricityMarketDir(testing::SharedDataDir(), *FindElectricityMarket("ercot")), 2021, 2022);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->series.values.size(), 2u * 8760u);
  auto missing = LoadElectricityMarket(testing::SharedDataDir(), "ercot", 2019, 2020);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no file US-TEX-ERCO_2019.csv (years present: "
                                            "2020..2024)"),
            std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace rigshift::market
