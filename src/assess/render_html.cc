#include "assess/render.h"

namespace rigshift::assess {

std::string RenderHtml(const Assessment& a) {
  return "<!doctype html><title>" + a.fleet_name + "</title>";
}

}  // namespace rigshift::assess
