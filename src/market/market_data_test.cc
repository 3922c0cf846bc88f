#include "market/market_data.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "market/test_data_dir.h"

namespace rigshift::market {
namespace {

TimePoint T(const char* text) { return *ParseTimestamp(text); }

// A scratch file under the test's temp dir, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_((std::filesystem::temp_directory_path() / ("rigshift_market_" + name)).string()) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// With nothing given, every piece is the embedded default and the notes say so.
TEST(MarketDataTest, NothingGivenIsTheDefaultScenario) {
  auto r = LoadMarketDataWithReport({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  MarketData def = DefaultScenario();
  EXPECT_EQ(r->data.electricity.size(), 4u);
  EXPECT_EQ(r->data.electricity.at("ercot").values, def.electricity.at("ercot").values);
  EXPECT_EQ(r->data.hashprice.values, def.hashprice.values);
  EXPECT_EQ(r->data.gpu_prices.by_model, def.gpu_prices.by_model);
  // Four markets, hashprice, GPU-hour prices, GPU mining, the fee shares and the BTC history.
  EXPECT_EQ(r->notes.size(), 4u + 5u);
  EXPECT_EQ(r->data.fee_shares.points.size(), def.fee_shares.points.size());
  EXPECT_EQ(r->data.btc_history.months.size(), def.btc_history.months.size());
  EXPECT_NE(r->data.description.find("electricity ercot: embedded default"), std::string::npos);
  EXPECT_TRUE(r->electricity_repairs.empty());
}

// A missing data directory falls back per piece (and says where it looked).
TEST(MarketDataTest, AbsentDirectoryFallsBack) {
  MarketDataOptions o;
  o.data_dir = "/nonexistent-rigshift-data";
  o.markets = {"nyiso"};
  auto r = LoadMarketDataWithReport(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->data.electricity.size(), 1u);
  EXPECT_NE(r->notes[0].find("not found under /nonexistent-rigshift-data"), std::string::npos);
}

// Files the user names must load: their errors come back, never the default.
TEST(MarketDataTest, NamedFilesOverrideAndTheirErrorsSurface) {
  TempFile good("good.csv", "Datetime,Price (USD/MWh)\n2023-01-01 00:00,10\n2023-01-01 02:00,30\n");
  TempFile bad("bad.csv", "Datetime,Price (USD/MWh)\n2023-01-01 00:00,ten\n");
  MarketDataOptions o;
  o.markets = {"ercot"};
  o.price_files["my-node"] = {good.path()};
  auto r = LoadMarketDataWithReport(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->data.electricity.count("my-node"));
  EXPECT_EQ(r->data.electricity.at("my-node").values.size(), 3u);
  EXPECT_EQ(r->electricity_repairs.at("my-node").gaps_filled, 1);
  EXPECT_TRUE(r->data.electricity.count("ercot"));

  o.price_files["ercot"] = {bad.path()};
  auto e = LoadMarketData(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(bad.path() + ":2: Price (USD/MWh): 'ten' is not a number"),
            std::string::npos)
      << e.status().message();

  MarketDataOptions g;
  g.gpu_price_file = bad.path();
  auto ge = LoadMarketData(g);
  ASSERT_FALSE(ge.ok());
  EXPECT_NE(ge.status().message().find("header: no model column"), std::string::npos);

  MarketDataOptions u;
  u.markets = {"miso"};
  auto ue = LoadMarketData(u);
  ASSERT_FALSE(ue.ok());
  EXPECT_EQ(ue.status().code(), StatusCode::kNotFound);

  MarketDataOptions y;
  y.from_year = 2024;
  y.to_year = 2023;
  EXPECT_FALSE(LoadMarketData(y).ok());

  MarketDataOptions h;
  h.hashprice_files = {good.path(), "x.json"};
  auto he = LoadMarketData(h);
  ASSERT_FALSE(he.ok());
  EXPECT_NE(he.status().message().find("give one CSV"), std::string::npos);
}

TEST(MarketDataTest, HashpriceCsvAndGpuTableFiles) {
  TempFile hp("hp.csv", "date,hashprice_usd_per_ths_day\n2023-01-01,0.06\n2023-01-05,0.08\n");
  TempFile gpu("gpu.csv", "model,usd_per_hour\nRTX 3090,0.3\n");
  MarketDataOptions o;
  o.hashprice_files = {hp.path()};
  o.gpu_price_file = gpu.path();
  auto r = LoadMarketData(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hashprice.At(T("2023-01-03")), UsdPerThsDay(0.07));
  EXPECT_EQ(r->gpu_prices.by_model.size(), 1u);
}

class SharedMarketDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveSharedMarkets()) GTEST_SKIP() << "no shared data";
  }
};

// The shared directory: every market from its files, hashprice computed from the exports.
TEST_F(SharedMarketDataTest, LoadsEverythingFromTheSharedDirectory) {
  MarketDataOptions o;
  o.data_dir = testing::SharedDataDir();
  o.from_year = 2022;
  o.to_year = 2023;
  auto r = LoadMarketDataWithReport(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data.electricity.at("ercot").values.size(), 2u * 8760u);
  EXPECT_EQ(r->electricity_repairs.at("pjm").gaps_filled, 24);
  EXPECT_EQ(r->electricity_repairs.at("caiso").overlapping_hours, 24);
  EXPECT_NEAR(ToUsdPerThsDay(r->data.hashprice.At(T("2022-11-21"))), 0.0513, 0.0006);
  EXPECT_NE(r->data.description.find("hashprice: computed from blockchain.com exports"),
            std::string::npos);
  EXPECT_NE(r->data.description.find("US-TEX-ERCO_2022.csv"), std::string::npos);
  // --prices MARKET=DIR: a directory stands for its yearly files.
  MarketDataOptions dir;
  dir.markets = {"ercot"};
  dir.from_year = 2023;
  dir.to_year = 2023;
  dir.price_files["ercot"] = {testing::SharedDataDir() +
                              "/markets/electricity/ercot_hb_hubavg_dam"};
  auto dr = LoadMarketData(dir);
  ASSERT_TRUE(dr.ok()) << dr.status().ToString();
  EXPECT_EQ(dr->electricity.at("ercot").values.size(), 8760u);
  // A year the folder lacks is an error, not a silent default.
  o.from_year = 2019;
  auto e = LoadMarketData(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("_2019.csv"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::market
