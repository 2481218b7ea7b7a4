#pragma once

namespace civsim::app {

// Parses the command line and runs one subcommand. Exit codes: 0 success, 2 bad input
// (arguments, scenario, files), 1 internal error.
int main(int argc, char** argv);

}  // namespace civsim::app
