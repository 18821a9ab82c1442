// The vfo-function binary (vfo/runtime/function_process.hpp). Links neither SimGrid nor LibTorch.
#include "vfo/runtime/function_process.hpp"

int main(int argc, char** argv) {
  return vfo::runtime::run_function_process(argc, argv);
}
