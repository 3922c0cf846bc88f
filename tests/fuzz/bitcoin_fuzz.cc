// libFuzzer target for the bitcoin hashprice parsers (market/bitcoin.h): the blockchain.com JSON
// exports (both forms), the derived CSVs, and the hashprice computation on whatever parses.
// Seeds: tests/fuzz/corpus/bitcoin_fuzz/ (small hand-written files, not the shared data).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "market/bitcoin.h"
#include "market/forecast.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rigshift::market;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto charts = ParseBlockchainChartJsonAll(text, "fuzz.json");
  if (charts.ok()) {
    auto c = ComputeHashprice(*charts);
    if (c.ok()) {
      const auto& w = c->daily_with_fees;
      (void)Forecast(w, w.start + 10 * rigshift::kDay, 5);
    }
    // Every metric on its own as well (the two-metric form's second array).
    for (const ChartSeries& s : *charts)
      (void)ParseBlockchainChartJson(text, "fuzz.json", s.metric);
  } else if (charts.status().message().rfind("fuzz.json", 0) != 0) {
    __builtin_trap();
  }
  auto hp = ParseHashpriceCsv(text, "fuzz.csv");
  if (hp.ok()) {
    (void)ToDailySeries(*hp, Interpolation::kLinear);
    (void)ToDailySeries(*hp, Interpolation::kStep);
  }
  auto net = ParseBtcNetworkCsv(text, "fuzz.csv");
  if (net.ok()) (void)ToDailySeries(HashpriceSubsidyOnly(*net));
  return 0;
}
