// ingest::normalize(): what ingest publishes for one raw record. The batch loop reuses
// one Normalized for every record, so nothing of a previous record may survive.
#include <gtest/gtest.h>

#include <string>

#include "core/contract.hpp"
#include "core/event_codec.hpp"
#include "ingest/ingest_service.hpp"

namespace pqrflow::ingest {
namespace {

const std::string kValid =
    R"({"event_id":"e-1","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00-05:00",)"
    R"("ticket_id":"T-1"})";
const std::string kInvalid =
    R"({"event_id":"e-2","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00+24:00",)"
    R"("ticket_id":"T-2"})";

// Regression (found by fuzz_normalize): a rejected record after an accepted one kept the
// accepted one's key and event bytes, and an accepted one kept the previous rejection.
TEST(Normalize, AReusedResultHoldsOnlyTheLatestRecord) {
  core::Decoder decoder;
  Normalized out;
  normalize(decoder, kValid, false, &out);
  ASSERT_TRUE(out.accepted);
  EXPECT_EQ(out.key, "T-1");
  EXPECT_FALSE(out.event_bytes.empty());

  normalize(decoder, kInvalid, false, &out);
  ASSERT_FALSE(out.accepted);
  EXPECT_EQ(out.rejection.reason, core::RejectReason::kInvalidTimestamp);
  EXPECT_TRUE(out.key.empty());
  EXPECT_TRUE(out.event_bytes.empty());

  normalize(decoder, kValid, false, &out);
  ASSERT_TRUE(out.accepted);
  EXPECT_TRUE(out.rejection.detail.empty());
}

TEST(Normalize, ProtobufWithoutTheHeaderIsTriedAfterJson) {
  core::Decoder decoder;
  core::Event e;
  core::Rejection why;
  ASSERT_TRUE(decoder.decode_json(kValid, &e, &why));
  std::string bytes;
  core::serialize_event(e, &bytes);
  Normalized out;
  normalize(decoder, kInvalid, false, &out);
  ASSERT_FALSE(out.accepted);
  normalize(decoder, bytes, false, &out);  // starts with 0x0a: not JSON, a valid Event
  ASSERT_TRUE(out.accepted);
  EXPECT_EQ(out.event_bytes, bytes);
  EXPECT_TRUE(out.rejection.detail.empty());
  normalize(decoder, bytes, true, &out);
  ASSERT_TRUE(out.accepted);
  EXPECT_EQ(out.key, "T-1");
  // JSON sent with the protobuf header is judged as protobuf.
  normalize(decoder, kValid, true, &out);
  ASSERT_FALSE(out.accepted);
  EXPECT_EQ(out.rejection.reason, core::RejectReason::kInvalidProtobuf);
}

}  // namespace
}  // namespace pqrflow::ingest
