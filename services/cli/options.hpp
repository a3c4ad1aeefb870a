// Command-line parsing shared by the `pqrflow` subcommands.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string_view>

#include "cli/commands.hpp"

namespace pqrflow::cli {

// Parses `args` into `vm` (positional arguments when `positional` is given). Returns the
// exit code when the command must stop here: 2 after printing a bad option's message as
// "pqrflow COMMAND: …", 0 after printing `options` for --help; nullopt to go on.
std::optional<int> parse_command_line(
    std::string_view command, const Args& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description* positional,
    boost::program_options::variables_map* vm);

}  // namespace pqrflow::cli
