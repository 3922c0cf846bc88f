// The hashprice over an assessment's NPV horizon: the window's own hashprice for the months the
// window covers, then the projection of market/btc_outlook.h from the window's last month, per
// BTC price scenario. Part of assess; pure.
//
// Horizon month m (1-based) is the calendar month m - 1 months after the window's first month and
// repeats window month (m - 1) mod W (the money model replays the window's W months cyclically,
// or one average month for a window shorter than 28 days). Its hashprice multiplier is
//   ratio(month m) x hashprice(anchor) / hashprice(window month)
// where ratio is btc_outlook's projection from the anchor (the window's last month) and the
// hashprices are the window's monthly means: the repeated month keeps its hour-by-hour shape and
// takes the projected level. Thread-safety: pure function.
#pragma once

#include <vector>

#include "assess/assess.h"

namespace rigshift::assess {

// The months the money model repeats over the horizon for a window [from, to): the months its
// hours touch, or 1 (an average month) when it is shorter than 28 days.
int WindowMonths(TimePoint from, TimePoint to);

// Warnings (no history to fit a trend) are appended to `warnings`.
MiningOutlook ProjectMining(const market::MarketData& market, TimePoint from, TimePoint to,
                            const AssessOptions& options, std::vector<std::string>& warnings);

// Months after `month` (the first second of a UTC month): the first second of the month k later.
TimePoint AddMonths(TimePoint month, int k);

}  // namespace rigshift::assess
