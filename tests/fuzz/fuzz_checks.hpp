// Invariants the fuzz targets check on every input. A violated invariant prints what
// broke and the input (escaped) to stderr and aborts, so libFuzzer and the corpus
// runner (corpus_main.cpp) both report it as a crash with the input that caused it.
//
//   core::Decoder d;  core::Event e;  core::Rejection why;
//   if (d.decode_json(bytes, &e, &why)) fuzz::check_accepted(e, bytes);
//   else fuzz::check_rejected(why, fuzz::Path::kJson, d_limits, bytes);
#pragma once

#include <cstddef>
#include <string_view>

#include "core/contract.hpp"
#include "core/event.hpp"

namespace pqrflow::fuzz {

enum class Path : bool { kJson, kProtobuf };

// Prints `what` and the input to stderr, then aborts.
[[noreturn]] void fail(std::string_view what, std::string_view input);
// Aborts with `what` unless `condition` holds.
void require(bool condition, std::string_view what, std::string_view input);

// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF); written
// independently of the decoder's own check.
bool is_valid_utf8(std::string_view s);

// An accepted event: validate() agrees, it has a partition key, and its canonical
// protobuf decodes back (through a fresh decoder) to an equal Event.
void check_accepted(const core::Event& e, std::string_view input);

// A rejection: a known reason code the input path can produce, and a short, non-empty,
// valid UTF-8 detail of the form "<field>: <rule>".
void check_rejected(const core::Rejection& why, Path path, const core::DecoderLimits& limits,
                    std::size_t input_size, std::string_view input);

// What differs between two decodings of one input — the decision, the event, or the
// reason and detail — named after the decoders; "" when they agree exactly.
std::string outcome_difference(bool ok_a, const core::Event& a, const core::Rejection& why_a,
                               bool ok_b, const core::Event& b, const core::Rejection& why_b,
                               std::string_view name_b, std::string_view name_a);

// Two decodings of one input must agree exactly: by default a fresh decoder (a) and a
// reused one (b); the names say which in the failure message.
void check_same_outcome(bool ok_a, const core::Event& a, const core::Rejection& why_a, bool ok_b,
                        const core::Event& b, const core::Rejection& why_b, std::string_view input,
                        std::string_view name_b = "a reused decoder",
                        std::string_view name_a = "a fresh one");

// Sets every field of *e to a non-default value, so that a decoder that forgets to
// reset one leaks it into the next result.
void fill_every_field(core::Event* e);

}  // namespace pqrflow::fuzz
