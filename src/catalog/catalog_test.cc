#include "catalog/catalog.h"

#include <gtest/gtest.h>

namespace rigshift::catalog {
namespace {

TEST(CatalogBuiltin, Loads) {
  const Catalog& c = Catalog::Builtin();
  EXPECT_FALSE(c.gpus().empty());
  EXPECT_FALSE(c.asics().empty());
  ASSERT_NE(c.FindGpu("rtx3090"), nullptr);
  EXPECT_EQ(c.FindGpu("rtx3090")->name, "GeForce RTX 3090");
}

}  // namespace
}  // namespace rigshift::catalog
