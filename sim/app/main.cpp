// civsim: the command-line entry point. Everything happens in the libraries; see commands.cpp.
#include "app/commands.hpp"

int main(int argc, char** argv) {
  return civsim::app::main(argc, argv);
}
