#include "reporting/app.hpp"

int main(int argc, char** argv) {
  return pqrflow::reporting::run_app(argc, argv);
}
