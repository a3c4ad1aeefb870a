// The compliance table printed by `pqrflow report` and `pqrflow demo`: each indicator
// of the plan year against its baseline and target, the plan score and its coverage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pqrflow/v1/indicators.pb.h"
#include "runtime/kafka.hpp"

namespace pqrflow::cli {

std::string format_compliance_table(const pqrflow::v1::ComplianceUpdate& update);

// Reads a compliance topic from the beginning to its end: the latest update per plan.
std::vector<pqrflow::v1::ComplianceUpdate> read_compliance(runtime::Consumer& consumer,
                                                           const std::string& topic,
                                                           std::string* error);

}  // namespace pqrflow::cli
