// Plain GPU clusters: parsing "--cluster" texts (both forms) with their errors, and the fleet
// built from catalogue models.
#include "sim/gavel_cluster.h"

#include <gtest/gtest.h>

namespace rigshift::sim {
namespace {

TEST(PlainCluster, ParsesTypeCountPairsInOrder) {
  auto s = ParsePlainCluster(" v100=8, p100 = 16,k80=24 ");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->counts.size(), 3u);
  EXPECT_EQ(s->counts[0], (std::pair<std::string, int32_t>{"v100", 8}));
  EXPECT_EQ(s->counts[1], (std::pair<std::string, int32_t>{"p100", 16}));
  EXPECT_EQ(s->counts[2], (std::pair<std::string, int32_t>{"k80", 24}));
  EXPECT_EQ(s->total(), 48);
}

TEST(PlainCluster, ParsesGavelsColonForm) {
  // Gavel's --cluster_spec is V100:P100:K80; a zero leaves the type out.
  auto s = ParsePlainCluster("36:0:12");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->counts.size(), 2u);
  EXPECT_EQ(s->counts[0], (std::pair<std::string, int32_t>{"v100", 36}));
  EXPECT_EQ(s->counts[1], (std::pair<std::string, int32_t>{"k80", 12}));
}

TEST(PlainCluster, RejectsMalformedTexts) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {"v100", "expected TYPE=COUNT"},
      {"v100=8,p100", "entry 2 'p100': expected TYPE=COUNT"},
      {"v100=0", "expected a GPU count from 1"},
      {"v100=-3", "expected a GPU count from 1"},
      {"v100=x", "entry 1 'v100=x': expected a GPU count"},
      {"=4", "empty GPU type"},
      {"v100=1,V100=2", "given twice"},
      {"1:2", "three counts"},
      {"1:x:2", "count 2 'x'"},
      {"0:0:0", "no GPUs"},
      {"v100=20000000", "expected a GPU count from 1 to"},
  };
  for (const auto& [text, expected] : cases) {
    auto s = ParsePlainCluster(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.status().message().find(expected), std::string::npos)
        << text << ": " << s.status().message();
  }
}

TEST(PlainCluster, BuildsNodesOfCatalogueModels) {
  // Scenario: 10 V100s in 4-GPU nodes (2 full + one of 2) and 4 K80s (one node).
  auto s = ParsePlainCluster("v100=10,k80=4");
  ASSERT_TRUE(s.ok());
  const catalog::Catalog& cat = catalog::Catalog::Builtin();
  auto f = BuildPlainCluster(*s, cat);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  fleet::FlatFleet flat = fleet::Flatten(*f);
  ASSERT_EQ(flat.device_count(), 14u);
  EXPECT_EQ(flat.node_count(), 4u);
  int v100 = 0, k80 = 0;
  for (size_t d = 0; d < flat.device_count(); ++d) {
    ASSERT_NE(flat.gpu[d], nullptr);
    v100 += flat.gpu[d] == cat.FindGpu("v100");
    k80 += flat.gpu[d] == cat.FindGpu("k80");
  }
  EXPECT_EQ(v100, 10);
  EXPECT_EQ(k80, 4);
  EXPECT_EQ(flat.node_device_count[2], 2);
  ASSERT_EQ(f->sites.size(), 1u);
  EXPECT_EQ(f->sites[0].grid_cap, f->sites[0].NameplateFacilityPower());
  EXPECT_GT(f->sites[0].grid_cap.raw(), 0);
}

TEST(PlainCluster, UnknownTypeSuggestsCatalogueNames) {
  auto s = ParsePlainCluster("v1000=4");
  ASSERT_TRUE(s.ok());
  auto f = BuildPlainCluster(*s, catalog::Catalog::Builtin());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_NE(f.status().message().find("unknown GPU type 'v1000'; did you mean"), std::string::npos)
      << f.status().message();
}

TEST(PlainCluster, TwoNamesForOneModelAreRejected) {
  auto s = ParsePlainCluster("v100=4,Tesla V100=4");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto f = BuildPlainCluster(*s, catalog::Catalog::Builtin());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("another entry already gave"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::sim
