#include "metrics/app.hpp"

int main(int argc, char** argv) {
  return pqrflow::metrics::run_app(argc, argv);
}
