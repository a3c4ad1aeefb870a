// File helpers for the command-line tool: whole-file reads and a fast JSONL reader
// (large chunks, no per-line allocation) for replay and import.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pqrflow::cli {

// The whole file, or nullopt with *error set ("plans/x.yaml: No such file or directory").
std::optional<std::string> read_file(const std::string& path, std::string* error);

// Calls on_line(line, line_number) for every line of the file ('-' = stdin), without the
// trailing '\n' (and '\r'). Returns false with *error set when the file cannot be read.
bool for_each_line(const std::string& path,
                   const std::function<void(std::string_view, std::int64_t)>& on_line,
                   std::string* error);

// Calls on_record(bytes, index) for every varint-length-delimited record of the file
// (canonical protobuf dumps). Returns false with *error set on I/O or framing errors.
bool for_each_delimited(const std::string& path,
                        const std::function<void(std::string_view, std::int64_t)>& on_record,
                        std::string* error);

}  // namespace pqrflow::cli
