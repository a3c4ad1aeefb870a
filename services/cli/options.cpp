#include "cli/options.hpp"

#include <iostream>

namespace po = boost::program_options;

namespace pqrflow::cli {

std::optional<int> parse_command_line(std::string_view command, const Args& args,
                                      const po::options_description& options,
                                      const po::positional_options_description* positional,
                                      po::variables_map* vm) {
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "pqrflow " << command << ": " << e.what() << "\n";
    return 2;
  }
  if (vm->count("help") != 0U) {
    std::cout << options << "\n";
    return 0;
  }
  return std::nullopt;
}

}  // namespace pqrflow::cli
