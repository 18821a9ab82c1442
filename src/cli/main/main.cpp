#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return vfo::cli::run(argc, argv);
}
